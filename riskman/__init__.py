"""Trading Risk Manager: PropReports ingest, DuckDB/dbt warehouse, risk models and reports."""

__version__ = "0.1.0"
