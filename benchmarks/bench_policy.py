"""Speed of the policy backtest and the reports on a warehouse with a model backtest in it.

    .venv/bin/python benchmarks/bench_policy.py [--db data/warehouse.duckdb] [--reps 1000]

Reads the latest model backtest's out-of-sample predictions (e.g. after `riskman demo`), then
prints wall times for: simulating every policy with its parameter reselection (every grid point
simulated once, then the chosen schedule), the paired block bootstrap of the comparisons with
`--reps` resamples, the whole policy backtest in memory, and rendering both HTML reports from the
latest stored policy run (when there is one). Nothing is written to the warehouse.
Targets (issue 9): every policy ≤ 30 s; the bootstrap with 1,000 resamples ≤ 30 s.
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from pathlib import Path

from ml.backtest_engine import BacktestEngine, build_replay, signal_rows
from ml.baselines import baseline_scores
from ml.bootstrap import paired_difference_intervals
from ml.config import load_backtest_config
from ml.policies import policies_from_config
from ml.policy_backtest import COMPARED_METRICS, capital_from_config, run_policy_backtest
from ml.policy_jobs import load_policy_inputs
from ml.reports import write_reports
from ml.reports.stored import NoPolicyBacktest
from riskman import settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=settings.warehouse_path())
    parser.add_argument("--reps", type=int, default=1000)
    args = parser.parse_args()
    config = copy.deepcopy(load_backtest_config())
    config["bootstrap"]["reps"] = args.reps

    inputs = load_policy_inputs(args.db)
    started = time.perf_counter()
    days = inputs.trader_days.rename(columns={"trade_date": "as_of_date"})
    scores = baseline_scores(days[["trader_id", "as_of_date", "is_active", "net_pnl"]])
    replay = build_replay(signal_rows(inputs.predictions, scores, inputs.loss_limits), inputs.trader_days)
    prepared = time.perf_counter() - started
    engine = BacktestEngine(replay, config, capital_from_config(config, len(replay.traders)))
    policies = policies_from_config(config)
    started = time.perf_counter()
    decisions = [engine.decide(policy) for policy in policies]
    simulated = time.perf_counter() - started
    simulations = sum(len(d.candidate_firm_pnl) + 1 for d in decisions)

    started = time.perf_counter()
    result = run_policy_backtest(inputs, config)
    whole = time.perf_counter() - started

    shape = f"{len(replay.dates)} days × {len(replay.traders)} traders"
    print(f"predictions run {inputs.predictions_run_id}: {shape}")
    print(f"  rule scores and day × trader matrices   {prepared:6.2f} s")
    print(f"  every policy ({len(policies)} policies, {simulations} simulations)  {simulated:6.2f} s")
    started = time.perf_counter()
    pairs = result.comparisons[["policy", "versus"]].drop_duplicates().itertuples(index=False)
    for policy, versus in pairs:
        paired_difference_intervals(
            result.firm_pnl(policy), result.firm_pnl(versus), COMPARED_METRICS, block_days=10, reps=args.reps
        )
    bootstrapped = time.perf_counter() - started
    intervals = len(result.comparisons)
    print(f"  bootstrap, {args.reps} resamples, {intervals} intervals     {bootstrapped:6.2f} s")
    print(f"  whole policy backtest in memory         {whole:6.2f} s")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        try:
            written = write_reports(args.db, Path(out))
        except NoPolicyBacktest as exc:
            print(f"  reports: skipped ({exc})")
        else:
            sizes = ", ".join(
                f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in (written.backtest, written.morning)
            )
            print(
                f"  both HTML reports                       {time.perf_counter() - started:6.2f} s ({sizes})"
            )


if __name__ == "__main__":
    main()
