"""PropReports exports → DuckDB `raw` (append-only, bitemporal, quarantined bad rows)."""

from riskman.ingest.loader import IngestReport, describe, ingest_folder

__all__ = ["IngestReport", "describe", "ingest_folder"]
