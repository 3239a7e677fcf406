"""PropReports API client and raw-export downloader."""

from riskman.propreports_api.client import PropReportsClient, PropReportsError
from riskman.propreports_api.download import DownloadSummary, download_exports

__all__ = ["DownloadSummary", "PropReportsClient", "PropReportsError", "download_exports"]
