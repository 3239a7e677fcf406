"""Restatements are versions, not overwrites: staging shows a day as the warehouse knew it at any
load time (`--vars '{known_as_of: …}'`), and by default as the newest load says."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from riskman.dbt import run_dbt
from riskman.ingest import ingest_folder
from tests.compare import read

pytestmark = pytest.mark.slow


def _net(db, account: str, day: str) -> float:
    rows = read(
        db,
        f"""
        select sum(net_pnl) as net from staging.stg_propreports__daily_totals
        where account_name = '{account}' and trade_date = '{day}'""",
    )
    return float(rows.net[0])


def test_staging_replays_what_was_known_before_a_correction_arrived(tiny_exports, tmp_path):
    restated = pd.read_csv(tiny_exports / "_truth" / "restatements.csv").iloc[0]
    original_only = tmp_path / "original"
    shutil.copytree(tiny_exports, original_only, ignore=shutil.ignore_patterns("*_corrected.csv", "_truth"))
    db = tmp_path / "warehouse.duckdb"
    ingest_folder(original_only, db)
    before_correction = read(db, "select max(_loaded_at) as t from raw.totals_by_date").t[0]
    ingest_folder(tiny_exports, db)

    assert run_dbt(["run", "--select", "stg_propreports__daily_totals"], db).returncode == 0
    assert _net(db, restated.account, restated.date) == pytest.approx(restated.corrected_net, abs=0.005)

    as_of = json.dumps({"known_as_of": before_correction.isoformat()})
    assert run_dbt(["run", "--select", "stg_propreports__daily_totals", "--vars", as_of], db).returncode == 0
    assert _net(db, restated.account, restated.date) == pytest.approx(restated.original_net, abs=0.005)
