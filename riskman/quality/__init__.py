"""Great Expectations data checks on the warehouse: raw landing and the marts the models read."""

from riskman.quality.results import CheckResult, QualityReport
from riskman.quality.run import all_checks, run_data_checks

__all__ = ["CheckResult", "QualityReport", "all_checks", "run_data_checks"]
