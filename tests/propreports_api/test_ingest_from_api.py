"""`riskman ingest --api`: download from a local PropReports server, then load what was saved."""

from __future__ import annotations

import duckdb
from typer.testing import CliRunner

from riskman.cli import app
from tests.propreports_api.conftest import PASSWORD


def test_ingest_api_downloads_every_page_then_loads_them(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("PROPREPORTS_URL", fake.url)
    monkeypatch.setenv("PROPREPORTS_USER", fake.user)
    monkeypatch.setenv("PROPREPORTS_PASSWORD", PASSWORD)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.chdir(tmp_path)  # no stray .env
    db, out = tmp_path / "w.duckdb", tmp_path / "download"
    args = ["ingest", "--api", "--start", "2024-01-01", "--end", "2024-12-31", str(out), "--db", str(db)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "0 quarantined" in result.output and "0 rejected" in result.output
    assert list(out.glob("_responses/*/fills_*_p*.csv")), "raw pages kept as files"
    # What the warehouse shows: the newest version of each account-day (as staging reads it). A
    # day split over two pages must not come back as two versions, the later replacing the first.
    current = """select count(*), count(distinct fill_id) from raw.fills f
        where _load_seq = (select max(_load_seq) from raw.fills l
                           where l.account_name = f.account_name and l.trade_date = f.trade_date)"""
    with duckdb.connect(str(db), read_only=True) as con:
        fills = con.execute(current).fetchall()[0]
        totals = con.execute("select count(*) from raw.totals_by_date").fetchall()[0][0]
    served = len(fake.fills["TRADER1"]) + len(fake.fills["TRADER2"])  # TRADER1_OLD stopped in 2023
    assert fills == (served, served) and totals > 0
    assert PASSWORD not in result.output
