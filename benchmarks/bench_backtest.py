"""Speed and memory of the risk models on a built warehouse (e.g. after `riskman demo`).

    .venv/bin/python benchmarks/bench_backtest.py [--db data/warehouse.duckdb] [--step-days 7]

Prints the full walk-forward backtest's wall time, the share of it spent inside LightGBM training
(`lightgbm.train`; the rest is data handling, calibration, baselines, the regime model and
evaluation), the process's peak memory, and the wall time of `riskman predict` for one day
(it writes one live run, as the command does; run `riskman train` first). The backtest writes
nothing. Targets (issue 8):
backtest of the default demo ≤ 5 minutes and ≤ 4 GB on 2 cores, LightGBM share ≥ 50%, predict
≤ 10 s.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import lightgbm

from ml import jobs, members
from ml.backtest import run_backtest, splitter_from_config
from ml.config import load_models_config


class TrainingClock:
    """Wraps lightgbm.train where every model calls it (ml.members.train_booster) and adds up the
    seconds spent inside."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._train = lightgbm.train

    def __enter__(self) -> TrainingClock:
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return self._train(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        members.lgb.train = timed
        return self

    def __exit__(self, *exc) -> None:
        members.lgb.train = self._train


def peak_memory_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/warehouse.duckdb"))
    parser.add_argument("--step-days", type=int, default=None, help="retrain step (default: config)")
    args = parser.parse_args()
    config = load_models_config()
    started = time.perf_counter()
    inputs = jobs.load_inputs(args.db)
    loaded = time.perf_counter() - started
    splitter = splitter_from_config(config, args.step_days)
    with TrainingClock() as clock:
        started = time.perf_counter()
        result = run_backtest(inputs.panel, inputs.trader_days, inputs.returns, config, splitter)
        wall = time.perf_counter() - started
    rows = len(inputs.panel.frame)
    print(f"panel: {rows:,} trader-days × {len(inputs.panel.feature_names)} inputs, loaded in {loaded:.1f} s")
    print(
        f"backtest: {len(result.folds)} folds (retrain every {splitter.step_days} days), "
        f"{len(result.predictions):,} predictions, {wall:.0f} s wall"
    )
    print(
        f"  inside LightGBM training: {clock.seconds:.0f} s ({clock.seconds / wall:.0%}), {clock.calls} fits"
    )
    print(f"  peak memory of this process so far: {peak_memory_gb():.2f} GB")
    try:
        started = time.perf_counter()
        jobs.predict(args.db)
    except Exception as exc:  # noqa: BLE001 - report, do not hide, a missing champion
        print(f"predict: not measured ({exc})")
    else:
        print(f"predict (one day, every trader): {time.perf_counter() - started:.1f} s wall")


if __name__ == "__main__":
    main()
