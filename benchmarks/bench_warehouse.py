"""Warehouse build speed: a full `dbt build` of the demo firm, then a one-day incremental build.

    .venv/bin/python benchmarks/bench_warehouse.py [--exports DIR]

Splits the demo exports into "everything but the last trading day" and "the last day" (as a daily
export would arrive), ingests the first part and runs a full `dbt build`, then ingests the last day
and runs `dbt build` again. Prints wall time and the summed model execution time of each build
(from dbt's run_results.json) and their ratio. Targets (issue 3): full build <= 60 s; one-day
incremental model time <= 5% of the full build's model time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from riskman.dbt import run_dbt
from riskman.ingest import ingest_folder
from riskman.settings import dbt_project_dir


def last_trading_day(exports: Path) -> datetime:
    latest = None
    for path in exports.glob("*/totalsByDate_*.csv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.count("/") == 2 and "," not in line:
                day = datetime.strptime(line.strip(), "%m/%d/%Y")
                latest = day if latest is None or day > latest else latest
    return latest


def split_last_day(exports: Path, before: Path, last: Path, day: datetime) -> None:
    """Copy `exports` to `before` without `day`; write `day` alone as daily files into `last`."""
    shutil.copytree(exports, before, ignore=shutil.ignore_patterns("_truth"))
    fills_prefix, block_date = day.strftime("%m/%d/%Y"), f"{day.month}/{day.day}/{day.year}"
    for path in before.glob("*/fills_*.csv"):
        header, *rows = path.read_text(encoding="utf-8").splitlines()
        today = [row for row in rows if row.startswith(fills_prefix)]
        if today:
            _write(path, [header, *(r for r in rows if not r.startswith(fills_prefix))], path.stat())
            _write(last / path.parent.name / f"fills_{day:%Y-%m-%d}.csv", [header, *today])
    for path in before.glob("*/totalsByDate_*.csv"):
        text = path.read_text(encoding="utf-8")
        start = text.find(f"\n{block_date}\n") + 1 if not text.startswith(block_date) else 0
        if start > 0 or text.startswith(f"{block_date}\n"):
            end = text.find("\n", text.find("Cash:", start)) + 1 or len(text)
            _write(path, text[:start] + text[end:], path.stat())
            _write(last / path.parent.name / f"totalsByDate_{day:%Y-%m-%d}.csv", text[start:end])


def _write(path: Path, content, keep_times: os.stat_result | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else "\n".join(content) + "\n"
    path.write_text(text, encoding="utf-8")
    if keep_times is not None:  # load order follows mtime: the trimmed month stays "earlier"
        os.utime(path, (keep_times.st_atime, keep_times.st_mtime))


def timed_build(db: Path) -> tuple[float, dict[str, float]]:
    """Wall seconds of `dbt build` and each model's execution seconds."""
    started = time.perf_counter()
    result = run_dbt(["build", "--quiet"], db)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit("dbt build failed")
    results = json.loads((dbt_project_dir() / "target" / "run_results.json").read_text())["results"]
    models = {
        r["unique_id"].split(".")[-1]: r["execution_time"]
        for r in results
        if r["unique_id"].startswith("model.")
    }
    return wall, models


def incremental_models() -> list[str]:
    manifest = json.loads((dbt_project_dir() / "target" / "manifest.json").read_text())
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--exports", type=Path, help="an existing export folder (default: generate)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        exports = args.exports
        if exports is None:
            from riskman.demo_firm import generate_demo_firm

            exports = tmp / "exports"
            generate_demo_firm(exports)
        day = last_trading_day(exports)
        before, last, db = tmp / "before", tmp / "last_day", tmp / "warehouse.duckdb"
        split_last_day(exports, before, last, day)
        ingest_folder(before, db)
        full_wall, full_models = timed_build(db)
        report = ingest_folder(last, db)
        one_wall, one_models = timed_build(db)
    full_total, one_total = sum(full_models.values()), sum(one_models.values())
    print(f"full build:    wall {full_wall:6.1f} s, models {full_total:6.2f} s (target wall <= 60 s)")
    print(
        f"one-day build: wall {one_wall:6.1f} s, models {one_total:6.2f} s "
        f"({report.total('rows_loaded'):,d} new rows for {day:%Y-%m-%d})"
    )
    print(f"one-day / full model time = {one_total / full_total:.1%} (target <= 5%)")
    print("incremental (fills-heavy) models, full -> one-day:")
    for name in incremental_models():
        full, one = full_models[name], one_models[name]
        print(f"  {name:48s} {full:6.2f} s -> {one:5.2f} s ({one / full:.0%})")


if __name__ == "__main__":
    main()
