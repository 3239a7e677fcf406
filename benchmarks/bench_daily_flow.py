"""Wall time of the daily flow for one new day on the demo firm, Prefect's overhead included.

    .venv/bin/python benchmarks/bench_daily_flow.py [--exports DIR] [--work DIR [--reuse]]

Splits the demo exports into "everything but the last trading day" and "the last day"
(bench_warehouse.split_last_day), and brings a warehouse to the morning before that day as the
demo does (ingest, build, backtest every `demo_step_days`, train, predict, monitor). Then times,
as whole processes, `riskman run-flow daily --exports LAST_DAY` (the new day: ingest → build →
checks → predict → monitor → reports → publish, with Prefect's temporary server) and the same
command again (the idempotent rerun). Prints the wall time of each; target (issue 11):
the new day <= 60 s. `--reuse` keeps a prepared `--work` folder's morning-before warehouse.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_warehouse import last_trading_day, split_last_day

from ml.config import load_models_config

RISKMAN = str(Path(sys.executable).with_name("riskman"))
TARGET_SECONDS = 60


def riskman(*args: str, env: dict[str, str]) -> float:
    """Run `riskman ARGS` to completion; its wall seconds."""
    started = time.perf_counter()
    done = subprocess.run([RISKMAN, *args], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"riskman {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return wall


def morning_before(before: Path, work: Path, env: dict[str, str]) -> None:
    """The warehouse as the demo leaves it, one trading day short."""
    db = ["--db", str(work / "warehouse.duckdb")]
    step = str(load_models_config()["demo_step_days"])
    for args in (
        ["ingest", str(before)],
        ["build"],
        ["backtest", "--step-days", step],
        ["train"],
        ["predict"],
        ["monitor", "--out", str(work / "reports")],
    ):
        wall = riskman(*args, *db, env=env)
        print(f"  prepared: riskman {args[0]:<8} {wall:6.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--exports", type=Path, help="an existing demo export folder (default: generate)")
    parser.add_argument("--work", type=Path, help="keep the work here (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="reuse --work's prepared warehouse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        work = args.work or Path(tmp_name)
        run(work, args.exports, args.reuse and (work / "morning_before.duckdb").is_file())


def run(work: Path, exports: Path | None, reuse: bool) -> None:
    work.mkdir(parents=True, exist_ok=True)
    env = os.environ | {"RISKMAN_MODELS_DIR": str(work / "models"), "RISKMAN_LOGS_DIR": str(work / "logs")}
    before, last = work / "before", work / "last_day"
    if not reuse:
        for folder in (before, last, work / "models"):
            shutil.rmtree(folder, ignore_errors=True)
        if exports is None:
            exports = work / "exports"
            riskman("demo-data", "--out", str(exports), env=env)
        day = last_trading_day(exports)
        split_last_day(exports, before, last, day)
        print(f"morning before {day:%Y-%m-%d}:")
        morning_before(before, work, env)
        shutil.copyfile(work / "warehouse.duckdb", work / "morning_before.duckdb")
    shutil.copyfile(work / "morning_before.duckdb", work / "warehouse.duckdb")
    db = ["--db", str(work / "warehouse.duckdb")]
    new_day = riskman("run-flow", "daily", "--exports", str(last), *db, env=env)
    rerun = riskman("run-flow", "daily", "--exports", str(last), *db, env=env)
    print("| `riskman run-flow daily` | wall (s) |")
    print("| --- | --- |")
    print(f"| one new day | {new_day:.1f} |")
    print(f"| the same day again | {rerun:.1f} |")
    verdict = "meets" if new_day <= TARGET_SECONDS else "MISSES"
    print(f"one new day: {new_day:.1f} s, {verdict} the <= {TARGET_SECONDS} s target")


if __name__ == "__main__":
    main()
