"""Out-of-sample skill of the risk models on a demo firm, against the generator's ground truth.

    .venv/bin/python benchmarks/bench_skill.py [--db data/warehouse.duckdb]
        [--exports data/demo_firm] [--step-days 7]

Runs the walk-forward backtest in memory (nothing is written) on a built demo warehouse (e.g.
after `riskman demo`), then prints for `is_loss` and `is_large_loss`, on the same out-of-sample
rows for every model: AUC, the skill ratio (AUC − 0.5) / (AUC_truth − 0.5) where AUC_truth is the
AUC of the generator's own probabilities (`_truth/trader_days.csv`), the Brier skill score
against the training base rate, and for the 5% tail the share of days below it (ideal 0.05).
Goal (issue 8): skill ≥ 0.7 on both targets, above every baseline.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score

from ml.backtest import run_backtest, splitter_from_config
from ml.config import load_models_config
from ml.evaluation import brier_skill_score, skill_ratio, tail_coverage
from ml.jobs import load_inputs

TRUTH_COLUMN = {"is_loss": "p_loss", "is_large_loss": "p_large_loss"}


def truth(exports: Path) -> pd.DataFrame:
    days = pd.read_csv(exports / "_truth" / "trader_days.csv", parse_dates=["date"])
    days = days[days["active"]].rename(columns={"date": "target_date"})
    return days[["trader_id", "target_date", "p_loss", "p_large_loss"]].rename(
        columns={"p_loss": "truth_p_loss", "p_large_loss": "truth_p_large_loss"}
    )


def skill_table(oos: pd.DataFrame, truth_rows: pd.DataFrame) -> pd.DataFrame:
    joined = oos.merge(truth_rows, on=["trader_id", "target_date"], how="inner")
    rows = []
    for target, column in TRUTH_COLUMN.items():
        # Same rows for every model: labelled, truth known, every model's probability present.
        scored = joined[joined[target].notna() & joined[f"truth_{column}"].notna() & joined[column].notna()]
        keys = scored.groupby(["trader_id", "as_of_date"]).size()
        common = keys[keys == scored["model"].nunique()].index
        scored = scored.set_index(["trader_id", "as_of_date"]).loc[common].reset_index()
        reference = scored[scored["model"] == "base_rate"]
        brier_base = brier_score_loss(reference[target], reference[column])
        first = scored[scored["model"] == scored["model"].iloc[0]]
        auc_truth = roc_auc_score(first[target], first[f"truth_{column}"])
        rows.append(
            _row(target, "truth (generator)", first[target], first[f"truth_{column}"], auc_truth, brier_base)
        )
        for model, group in scored.groupby("model"):
            rows.append(_row(target, model, group[target], group[column], auc_truth, brier_base))
    return pd.DataFrame(rows)


def _row(target, model, y, p, auc_truth, brier_base) -> dict:
    auc = roc_auc_score(y, p)
    brier = brier_score_loss(y, p)
    return {
        "target": target,
        "model": model,
        "rows": len(y),
        "auc": auc,
        "skill_ratio": skill_ratio(auc, auc_truth),
        "brier": brier,
        "brier_skill": brier_skill_score(brier, brier_base),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/warehouse.duckdb"))
    parser.add_argument("--exports", type=Path, default=Path("data/demo_firm"))
    parser.add_argument("--step-days", type=int, default=None, help="retrain step (default: config)")
    args = parser.parse_args()
    config = load_models_config()
    inputs = load_inputs(args.db)
    splitter = splitter_from_config(config, args.step_days)
    started = time.monotonic()
    result = run_backtest(inputs.panel, inputs.trader_days, inputs.returns, config, splitter)
    seconds = time.monotonic() - started
    table = skill_table(result.oos, truth(args.exports))
    print(f"backtest: {len(result.folds)} folds, retrain every {splitter.step_days} days, {seconds:.0f} s")
    for target, rows in table.groupby("target", sort=False):
        print(f"\n{target} ({rows['rows'].iloc[0]:,} out-of-sample rows, the same for every model)")
        print(
            rows.drop(columns=["target", "rows"])
            .sort_values("auc", ascending=False)
            .to_string(index=False, float_format=lambda v: f"{v:.3f}")
        )
    var = result.oos[result.oos["var_95_usd"].notna() & result.oos["net_pnl"].notna()]
    print("\nvar_95: share of labelled days with net P&L below the 5% tail (ideal 0.050)")
    for model, group in var.groupby("model"):
        print(
            f"  {model:<16} {tail_coverage(group['net_pnl'], group['var_95_usd']):.3f}  ({len(group):,} rows)"
        )
    goal = table[table["model"] == "ensemble"].set_index("target")["skill_ratio"]
    print(
        "\ngoal skill >= 0.7: "
        + ", ".join(f"{t} {v:.2f} {'met' if v >= 0.7 else 'NOT met'}" for t, v in goal.items())
    )
    best_baseline = table[
        ~table["model"].isin(
            ["ensemble", "lightgbm", "lightgbm_regularised", "logistic", "truth (generator)"]
        )
    ]
    for target, rows in best_baseline.groupby("target"):
        best = rows.sort_values("auc").iloc[-1]
        ensemble_auc = float(table[(table.target == target) & (table.model == "ensemble")]["auc"].iloc[0])
        print(
            f"  {target}: ensemble AUC {ensemble_auc:.3f} vs best baseline {best['model']} {best['auc']:.3f}"
        )


if __name__ == "__main__":
    main()
