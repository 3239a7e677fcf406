"""PropReports exports → DuckDB `raw` (append-only, bitemporal, quarantined bad rows)."""

from riskman.ingest.loader import ingest_folder
from riskman.ingest.report import IngestReport, describe

__all__ = ["IngestReport", "describe", "ingest_folder"]
