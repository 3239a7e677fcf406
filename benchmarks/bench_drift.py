"""False-alarm rate and time to detection of the drift detector, on demo firms with and without a
documented behaviour shift (`riskman demo-data --shift`).

    .venv/bin/python benchmarks/bench_drift.py [--traders 30] [--start 2016-01-04] [--end 2018-12-31]
        [--shift 2018-03-01] [--kind trader] [--seed 7] [--every 5] [--work DIR [--reuse]]

Generates the same firm twice (without and with the shift), ingests and builds each (dbt only),
then slides the monitor's windows (the last 20 trading days against the 250 before them) every
`--every` trading days and runs the drift detector. Prints:
- without shift: the share of windows with any flag (family-wise, nominal 5% under no change),
  the share of all tests flagged, and how the tests' p-values compare with their nominal law in
  the tail;
- with shift: for each shifted trader, the first window end after the shift day where it is
  flagged on a column the unshifted firm is not flagged on at that window (the two firms are
  identical before the shift and share the market), in trading days after the shift; and the
  flags on other traders that the unshifted firm does not have.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ml.config import load_monitoring_config
from ml.monitoring.drift_detector import detect_drift, trailing_windows
from ml.monitoring.monitor import BEHAVIOUR_COLUMNS, LABEL_COLUMNS, load_monitor_inputs
from riskman.dbt import run_dbt
from riskman.demo_firm import generate_demo_firm
from riskman.pipeline import ingest


def binomial_interval(k: int, n: int) -> tuple[float, float]:
    """Clopper–Pearson 95% interval of a rate (the windows overlap, so it is optimistic)."""
    from scipy.stats import beta

    low = beta.ppf(0.025, k, n - k + 1) if k else 0.0
    high = beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
    return float(low), float(high)


def built_firm(folder: Path, reuse: bool, **firm) -> Path:
    db = folder / "warehouse.duckdb"
    if reuse and db.is_file():
        return db
    generate_demo_firm(folder / "exports", **firm)
    ingest(folder / "exports", db)
    if run_dbt(["build"], db).returncode != 0:
        raise SystemExit(f"dbt build failed for {folder}")
    return db


def sliding_results(
    db: Path, ends: list[pd.Timestamp], config: dict
) -> list[tuple[pd.Timestamp, pd.DataFrame]]:
    inputs = load_monitor_inputs(db, None, config)
    columns = [*inputs.feature_columns, *BEHAVIOUR_COLUMNS, *LABEL_COLUMNS]
    dates = sorted(inputs.frame["as_of_date"].unique())
    drift = config["drift"]
    out = []
    for end in ends:
        windows = trailing_windows(dates, end, int(drift["current_days"]), int(drift["reference_days"]))
        out.append((end, detect_drift(inputs.frame, columns, windows, fdr=float(drift["fdr"]))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traders", type=int, default=30)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2016, 1, 4))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2018, 12, 31))
    parser.add_argument("--shift", type=date.fromisoformat, default=date(2018, 3, 1))
    parser.add_argument("--kind", default="trader")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--every", type=int, default=5, help="trading days between windows")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="keep firms already built in --work")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_drift_"))
    firm = {"traders": args.traders, "start": args.start, "end": args.end, "seed": args.seed}
    config = load_monitoring_config()

    started = time.perf_counter()
    plain = built_firm(work / "plain", args.reuse, **firm)
    shifted = built_firm(work / "shifted", args.reuse, **firm, shift=args.shift, shift_kind=args.kind)
    truth = json.loads((work / "shifted" / "exports" / "_truth" / "shift.json").read_text())
    print(f"firms generated and built in {time.perf_counter() - started:.0f} s ({work})")
    print(f"shift: {truth['kind']} from {truth['date']}, traders {', '.join(truth['traders'])}")

    days = pd.DatetimeIndex(sorted(load_monitor_inputs(plain, None, config).frame["as_of_date"].unique()))
    ends = list(days[300 :: args.every])
    started = time.perf_counter()
    null_runs = sliding_results(plain, ends, config)
    elapsed = time.perf_counter() - started
    windows_flagged = sum(bool(r["flagged"].any()) for _, r in null_runs)
    any_flag = windows_flagged / len(null_runs)
    flagged = sum(int(r["flagged"].sum()) for _, r in null_runs)
    tests = sum(len(r) for _, r in null_runs)
    print(
        f"without shift: {len(null_runs)} windows ({elapsed / len(null_runs):.1f} s each), "
        f"{tests:,} tests: windows with any flag {any_flag:.1%} (nominal ≤ {config['drift']['fdr']:.0%}), "
        f"tests flagged {flagged / tests:.3%}"
    )
    low, high = binomial_interval(windows_flagged, len(null_runs))
    print(
        f"  windows with any flag: {windows_flagged} of {len(null_runs)}, "
        f"95% interval [{low:.1%}, {high:.1%}]"
    )
    print_tail(np.concatenate([r["p_value"].to_numpy() for _, r in null_runs]))
    for end, result in null_runs:
        for row in result[result["flagged"]].itertuples():
            print(f"    {end:%Y-%m-%d} {row.scope} {row.trader_id or ''} {row.column} p={row.p_value:.1e}")

    shift_day = pd.Timestamp(truth["date"])
    after = [end for end in days if shift_day <= end <= shift_day + pd.Timedelta(days=90)]
    shifted_runs = sliding_results(shifted, after, config)
    plain_runs = dict(sliding_results(plain, after, config))
    report_detection(shifted_runs, plain_runs, set(truth["traders"]), days, shift_day)


def print_tail(p_values: np.ndarray) -> None:
    """Observed over nominal share of the unshifted firm's tests below each level: below 1 the
    tests are conservative there; Benjamini–Hochberg over ~1,600 tests works near 3e-5."""
    ratios = [f"{a:g}: {np.mean(p_values < a) / a:.2f}" for a in (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)]
    print(f"  tests below each level, observed / nominal: {', '.join(ratios)}")


def flagged_keys(result: pd.DataFrame) -> set[tuple[str, str]]:
    flagged = result[result["flagged"]]
    return set(zip(flagged["trader_id"].fillna("firm"), flagged["column"], strict=True))


def report_detection(shifted_runs, plain_runs, targets: set[str], days, shift_day) -> None:
    """A flag counts for the shift only where the unshifted firm, identical before the shift, has
    no flag on the same trader and column at the same window end (the market moves both firms)."""
    new_by_window = [
        (end, flagged_keys(result) - flagged_keys(plain_runs[end])) for end, result in shifted_runs
    ]
    for trader in sorted(targets):
        hit = next(((end, keys) for end, keys in new_by_window if any(t == trader for t, _ in keys)), None)
        if hit is None:
            print(f"  {trader}: not flagged within 90 days of the shift")
            continue
        end, keys = hit
        lag = int(((days > shift_day) & (days <= end)).sum())
        columns = sorted(column for t, column in keys if t == trader)
        print(
            f"  {trader}: flagged {lag} trading days after the shift ({end:%Y-%m-%d}) "
            f"on {', '.join(columns[:6])}"
        )
    others = [(end, t, c) for end, keys in new_by_window for t, c in sorted(keys) if t not in targets]
    print(
        f"  flags after the shift that the unshifted firm does not have, on other traders or firm-wide: "
        f"{len(others)} in {len(shifted_runs)} windows"
    )
    for end, trader, column in others[:10]:
        print(f"    {end:%Y-%m-%d} {trader} {column}")


if __name__ == "__main__":
    main()
