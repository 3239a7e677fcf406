"""Reconciliation quality: how many account-days the fills-vs-totals check flags, and why.

    .venv/bin/python benchmarks/bench_reconciliation.py --exports DIR [--db PATH]

Ingests and builds the exports into `--db` (a scratch file by default) unless that warehouse
exists, then prints, over the account-days with fills or totals: the breaks by status, the
false-break rate (breaks on days no recorded defect touched; with no `_truth/defects.csv`, every
break), the share of injected breaks flagged (when the exports are a demo firm with `--defects`),
and for comparison what the previous rule flagged (a flat one-cent tolerance on fees and gross,
no count comparison). Target (issue 6): false breaks below 0.5% of active days, every injected
break flagged.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import duckdb

from riskman.dbt import run_dbt
from riskman.demo_firm.defects import damaged_account_days
from riskman.ingest import ingest_folder

RECONCILED = "intermediate.int_fills_reconciled_to_account_days"
PREVIOUS_RULE = (
    "not has_totals or not has_fills or abs(fees_difference) > 0.01 or abs(gross_difference) > 0.01"
)


def build(exports: Path, db: Path) -> None:
    if not ingest_folder(exports, db).usable:
        raise SystemExit(f"nothing usable in {exports}")
    if run_dbt(["build", "--select", f"+{RECONCILED.split('.')[-1]}"], db).returncode != 0:
        raise SystemExit("dbt build failed")


def measure(exports: Path, db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        days = con.execute(
            f"select account_name, trade_date, reconciliation_status from {RECONCILED}"
        ).fetchall()
        previous = con.execute(f"select count(*) from {RECONCILED} where {PREVIOUS_RULE}").fetchone()[0]
    defects = exports / "_truth" / "defects.csv"
    damaged = damaged_account_days(exports) if defects.exists() else set()
    breaks = {(account, day): status for account, day, status in days if status != "ok"}
    false_breaks = {key: status for key, status in breaks.items() if key not in damaged}
    by_status: dict[str, int] = {}
    for status in breaks.values():
        by_status[status] = by_status.get(status, 0) + 1
    print(f"account-days: {len(days)}; breaks: {len(breaks)} {dict(sorted(by_status.items()))}")
    print(f"false breaks: {len(false_breaks)} = {len(false_breaks) / len(days):.2%} of account-days")
    if damaged:
        caught = sum(key in breaks for key in damaged)
        print(f"injected breaks flagged: {caught} of {len(damaged)} = {caught / len(damaged):.0%}")
    share = previous / len(days)
    print(f"previous rule (1-cent tolerance, no counts): {previous} = {share:.2%} of account-days")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exports", type=Path, default=Path("data/demo_firm"))
    parser.add_argument(
        "--db", type=Path, default=None, help="a built warehouse (else built into a scratch file)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db = args.db or Path(scratch) / "warehouse.duckdb"
        if not db.exists():
            build(args.exports, db)
        measure(args.exports, db)


if __name__ == "__main__":
    main()
