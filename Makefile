# A handful of verbs over the project's own tools; `make help` lists them.
.PHONY: help setup demo test lint fix bench docs

help:  ## list the verbs
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

setup:  ## create .venv with the locked dependencies (idempotent)
	./scripts/setup

demo: setup  ## the main job on the demo firm: generate, ingest, dbt build, data checks
	.venv/bin/riskman demo

test:  ## the whole test suite (what CI runs; installs headless Chromium for the report tests)
	./scripts/setup --with-browser
	.venv/bin/python -m pytest

lint: setup  ## ruff and sqlfluff, read-only
	.venv/bin/ruff check riskman ml flows app tests benchmarks
	.venv/bin/ruff format --check riskman ml flows app tests benchmarks
	RISKMAN_DB=$${RISKMAN_DB:-/tmp/riskman-lint.duckdb} .venv/bin/sqlfluff lint dbt_project/models

fix: setup  ## apply ruff's fixes and formatting
	.venv/bin/ruff check --fix riskman ml flows app tests benchmarks
	.venv/bin/ruff format riskman ml flows app tests benchmarks

bench: setup  ## speed and memory figures on the demo firm (run `make demo` first)
	.venv/bin/python benchmarks/bench_ingest.py --exports data/demo_firm
	.venv/bin/python benchmarks/bench_warehouse.py --exports data/demo_firm
	.venv/bin/python benchmarks/bench_features.py
	.venv/bin/python benchmarks/bench_backtest.py
	.venv/bin/python benchmarks/bench_skill.py
	.venv/bin/python benchmarks/bench_policy.py
	.venv/bin/python benchmarks/bench_daily_flow.py --exports data/demo_firm
	.venv/bin/python benchmarks/bench_viewer.py

docs: setup  ## dbt docs (lineage, feature catalogue) into dbt_project/target/
	cd dbt_project && RISKMAN_DB=$${RISKMAN_DB:-$(CURDIR)/data/warehouse.duckdb} ../.venv/bin/dbt docs generate --profiles-dir ..
