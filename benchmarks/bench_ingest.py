"""Ingest speed and memory against DuckDB's own typed `read_csv` of the same fills files.

    .venv/bin/python benchmarks/bench_ingest.py [--exports DIR] [--traders N]

Generates the default demo firm (unless --exports is given), then runs, each in a fresh process:
  detected: DuckDB `read_csv` of every fills file, types detected (sniffs each file) into a table;
  explicit: DuckDB `read_csv` per header group with explicit column types, no sniffing (its best);
  riskman:  `riskman ingest` of the whole folder (all file kinds, validation, quarantine,
            versioning) into an empty warehouse.
Prints fills, seconds, fills/s and peak RSS for both, and the ratio. Target (issue 2): ingest within
1.5x of the baseline, >= 0.5 M fills/s, peak memory <= 2 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

BASELINE = textwrap.dedent("""
    import duckdb, json, resource, sys, time
    folder, db = sys.argv[1], sys.argv[2]
    con = duckdb.connect(db)
    started = time.perf_counter()
    con.execute(f"create table fills as select * from read_csv('{folder}/*/fills_*.csv', union_by_name=true)")
    seconds = time.perf_counter() - started
    rows = con.execute("select count(*) from fills").fetchall()[0][0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"fills": rows, "seconds": seconds, "peak_mb": peak}))
""")

EXPLICIT = textwrap.dedent("""
    import collections, duckdb, glob, json, resource, sys, time
    folder, db = sys.argv[1], sys.argv[2]
    groups = collections.defaultdict(list)
    for path in sorted(glob.glob(f"{folder}/*/fills_*.csv")):
        with open(path, encoding="utf-8") as handle:
            groups[handle.readline().strip()].append(path)
    money = {"Price", "Comm", "Ecn Fee", "SEC", "ORF", "CAT", "TAF", "FTT", "NSCC", "Acc", "Clr", "Misc"}
    con = duckdb.connect(db)
    started = time.perf_counter()
    rows = 0
    for n, (header, paths) in enumerate(groups.items()):
        types = {c: "DECIMAL(18,6)" if c in money else "BIGINT" if c == "Qty" else "VARCHAR"
                 for c in header.split(",")}
        con.execute(f"create table fills{n} as select * from read_csv({paths!r}, columns={types!r}, "
                    "header=true, auto_detect=false)")
        rows += con.execute(f"select count(*) from fills{n}").fetchall()[0][0]
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"fills": rows, "seconds": seconds, "peak_mb": peak}))
""")

RISKMAN = textwrap.dedent("""
    import duckdb, json, resource, sys, time
    from pathlib import Path
    from riskman.ingest import ingest_folder
    folder, db = Path(sys.argv[1]), Path(sys.argv[2])
    started = time.perf_counter()
    report = ingest_folder(folder, db)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select count(*) from raw.fills").fetchall()[0][0]
    print(json.dumps({"fills": rows, "seconds": seconds, "peak_mb": peak,
                      "files": report.files_seen, "all_rows": report.total("rows_loaded")}))
""")


def measure(script: str, folder: Path, db: Path) -> dict:
    db.unlink(missing_ok=True)
    out = subprocess.run(
        [sys.executable, "-c", script, str(folder), str(db)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--exports", type=Path, help="an existing export folder (default: generate)")
    parser.add_argument("--traders", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.exports
        if folder is None:
            from riskman.demo_firm import generate_demo_firm

            folder = Path(tmp) / "exports"
            generate_demo_firm(folder, traders=args.traders)
        detected = measure(BASELINE, folder, Path(tmp) / "detected.duckdb")
        explicit = measure(EXPLICIT, folder, Path(tmp) / "explicit.duckdb")
        ours = measure(RISKMAN, folder, Path(tmp) / "riskman.duckdb")
    results = (("duckdb detected", detected), ("duckdb explicit", explicit), ("riskman ingest", ours))
    for name, result in results:
        rate = result["fills"] / result["seconds"] / 1e6
        print(
            f"{name:16s} fills={result['fills']:>9,d} seconds={result['seconds']:6.2f} "
            f"fills/s={rate:5.2f}M peak_rss={result['peak_mb']:7.0f} MB"
        )
    for name, result in results[:2]:
        print(f"ratio riskman / {name} = {ours['seconds'] / result['seconds']:.2f} (target <= 1.5)")
    print(f"riskman loaded {ours['all_rows']:,d} rows of all kinds from {ours['files']} files")


if __name__ == "__main__":
    main()
