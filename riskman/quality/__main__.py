"""`python -m riskman.quality`: write the GX suites, validation definitions and checkpoints.

Run it after changing a suite (or, for the feature suites, after `dbt parse`), then commit
`expectations/gx/`. `riskman build` does the same before every run.
"""

from riskman.quality.run import set_up_suites

if __name__ == "__main__":
    for ready in set_up_suites():
        suite = ready.checkpoint.validation_definitions[0].suite
        print(f"{suite.name}: {len(suite.expectations)} expectations on {ready.check.table}")
