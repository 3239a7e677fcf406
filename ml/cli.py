"""The complete `riskman` command: the warehouse commands of riskman.cli plus the model
commands (backtest, train, predict, evaluate, tune) and `demo`, the main job end to end.

It lives in ml/ because ml imports riskman, never the reverse (docs/architecture.md §2).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from riskman import settings
from riskman.cli import DbOption, _build, _fail, _ingest, _parse_date, app, errors_as_one_line

__all__ = ["app"]

StartOption = Annotated[str | None, typer.Option(help="First test date, YYYY-MM-DD.")]
EndOption = Annotated[str | None, typer.Option(help="Last test date, YYYY-MM-DD.")]


@contextlib.contextmanager
def model_errors_as_one_line() -> Iterator[None]:
    """Warehouse errors (busy file, …) and the model steps' own actionable errors in one line."""
    from ml.jobs import DataCheckStop
    from ml.policy_jobs import NoModelBacktest
    from ml.registry import ArtifactDamaged, NoChampion
    from ml.reports.stored import NoPolicyBacktest
    from ml.store import WarehouseNotBuilt

    actionable = (
        NoChampion,
        WarehouseNotBuilt,
        ArtifactDamaged,
        NoModelBacktest,
        NoPolicyBacktest,
        DataCheckStop,
    )
    with errors_as_one_line():
        try:
            yield
        except (*actionable, FileNotFoundError) as exc:
            _fail(str(exc))
        except ValueError as exc:  # e.g. too little history for the walk-forward protocol
            _fail(str(exc))


def progress_bar(label: str):
    """A rich progress bar over folds (long runs show progress)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    def wrap(items: Iterable[Any], total: int) -> Iterable[Any]:
        columns = (label, BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task(label, total=total)
            for item in items:
                yield item
                bar.advance(task)

    return wrap


def _timestamp(value: str | None) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(_parse_date(value))


@app.command("backtest")
def backtest(
    start: StartOption = None,
    end: EndOption = None,
    step_days: Annotated[
        int | None, typer.Option(help="Retrain step in calendar days (default: config/models.yaml).", min=1)
    ] = None,
    db: DbOption = None,
) -> None:
    """Walk-forward out-of-sample predictions for the whole history (run_kind='backtest'), then the
    policy backtest on them: every sizing policy against doing nothing and the rule baselines."""
    with model_errors_as_one_line():
        _backtest(settings.warehouse_path(db), _timestamp(start), _timestamp(end), step_days)


@app.command("train")
def train(db: DbOption = None) -> None:
    """Fit the live models on all labelled data; promote them only if they beat the champion."""
    with model_errors_as_one_line():
        _train(settings.warehouse_path(db))


@app.command("predict")
def predict(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Close to score from (default: latest).")
    ] = None,
    top: Annotated[int, typer.Option(help="How many of the riskiest traders to print.", min=1)] = 5,
    db: DbOption = None,
) -> None:
    """Score the next trading day for every trader with the champion model."""
    with model_errors_as_one_line():
        _predict(settings.warehouse_path(db), _timestamp(as_of), top)


@app.command("evaluate")
def evaluate(db: DbOption = None) -> None:
    """Print the latest backtest's out-of-sample scores: models, ensemble members and baselines."""
    from ml import jobs
    from ml.terminal import evaluation_tables

    with model_errors_as_one_line():
        table = jobs.latest_evaluation(settings.warehouse_path(db))
    if table.empty:
        _fail("no backtest in the warehouse: run `riskman backtest` first")
    typer.echo(evaluation_tables(table))


@app.command("tune")
def tune(
    trials: Annotated[int, typer.Option(help="Optuna trials per target.", min=1)] = 20,
    cv: Annotated[str, typer.Option(help="Inner cross-validation: walk-forward or cpcv.")] = "walk-forward",
    db: DbOption = None,
) -> None:
    """Tune LightGBM per target with Optuna inside training/validation windows only; saves the
    best parameters to config/models.yaml and records the number of trials."""
    from ml import tuning

    with model_errors_as_one_line():
        results = tuning.tune(settings.warehouse_path(db), trials=trials, cv=cv)
    for result in results:
        typer.echo(result.summary())


@app.command("monitor")
def monitor(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Day to monitor (default: the latest).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for drift.html (default: reports/ beside the warehouse).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Drift of features, predictions and label rates against the champion's training window;
    model health; the alert rules; new alerts delivered through config/monitoring.yaml's
    channels; Evidently's firm-wide drift page."""
    db_path = settings.warehouse_path(db)
    with model_errors_as_one_line():
        _monitor(db_path, _timestamp(as_of), out or db_path.parent / "reports")


def _monitor(db_path: Path, as_of: pd.Timestamp | None, report_dir: Path) -> None:
    from ml.monitoring.monitor import monitor as run_monitor
    from ml.terminal import health_lines

    run = run_monitor(db_path, as_of=as_of, report_dir=report_dir)
    if run.reused:
        typer.echo(f"monitor unchanged: {run.run_id} read the same data, model and config")
        return
    flagged = run.drift[run.drift["flagged"]]
    typer.echo(
        f"monitor {run.run_id} at {run.as_of:%Y-%m-%d}: {len(run.drift):,} drift tests, "
        f"{len(flagged)} flagged; alerts: {len(run.raised)} new, {run.ongoing} ongoing (not re-sent), "
        f"{run.resolved} resolved"
    )
    for line in health_lines(run.health):
        typer.echo(line)
    if run.drift_report is not None:
        left_out = f" ({len(run.drift_report.omitted)} columns left out)" if run.drift_report.omitted else ""
        typer.echo(
            f"firm-wide drift report (Evidently; its verdicts raise no alert): "
            f"{run.drift_report.path}{left_out}"
        )
    for alert in run.raised:
        typer.echo(f"  [{alert.severity}] {alert.subject}: {alert.message}")
    for delivery in run.deliveries:
        if delivery.error:
            typer.echo(f"  delivery to {delivery.channel} failed: {delivery.error}")


@app.command("audit")
def audit(
    trader: Annotated[str, typer.Argument(help="Trader id, e.g. T001.")],
    day: Annotated[str, typer.Argument(help="The day the prediction was for, YYYY-MM-DD.")],
    recompute: Annotated[
        bool, typer.Option(help="Score the stored inputs again with the stored model artifact.")
    ] = True,
    db: DbOption = None,
) -> None:
    """The chain behind a live prediction: model version and artifact, the exact inputs and their
    hash, the data loads, the realised outcome; exits 1 when the recomputation differs."""
    from ml.monitoring.audit import NothingToAudit
    from ml.monitoring.audit import audit as run_audit

    with model_errors_as_one_line():
        try:
            chain = run_audit(settings.warehouse_path(db), trader, _timestamp(day), recompute=recompute)
        except NothingToAudit as exc:
            _fail(str(exc))
    typer.echo("\n".join(chain.lines()))
    if recompute and not chain.matches:
        raise typer.Exit(1)


@app.command("override")
def override(
    trader: Annotated[str, typer.Argument(help="Trader id, e.g. T001.")],
    day: Annotated[str, typer.Argument(help="The day the decision is for, YYYY-MM-DD.")],
    action: Annotated[str, typer.Option(help="accept, override_size, suspend or note.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")],
    size: Annotated[float | None, typer.Option(help="The size decided, 0-1 (override_size).")] = None,
    by: Annotated[str | None, typer.Option(help="Who decides (default: $USER).")] = None,
    db: DbOption = None,
) -> None:
    """Record a risk manager's decision on a trader's day; it joins that prediction's audit chain."""
    import getpass

    from ml.monitoring.overrides import InvalidOverride, Override, record_override

    decided = Override(trader, _timestamp(day), action, reason, by or getpass.getuser(), size)
    with model_errors_as_one_line():
        try:
            override_id = record_override(settings.warehouse_path(db), decided)
        except InvalidOverride as exc:
            _fail(str(exc))
    typer.echo(f"recorded {override_id}: {trader} {day} {action}; see `riskman audit {trader} {day}`")


@app.command("report")
def report(
    out: Annotated[Path | None, typer.Option(help="Folder for the pages (default: data/reports).")] = None,
    db: DbOption = None,
) -> None:
    """Write the policy backtest report and the morning report as self-contained HTML pages."""
    with model_errors_as_one_line():
        _report(settings.warehouse_path(db), out)


@app.command("demo")
def demo(
    out: Annotated[Path | None, typer.Option(help="Where to write the demo exports.")] = None,
    traders: Annotated[int, typer.Option(help="Number of traders.", min=1, max=500)] = 30,
    db: DbOption = None,
) -> None:
    """The main job on the demo firm, end to end: generate → ingest → dbt build → backtest →
    train → predict → monitor → reports → publish for the viewer; ends with the next day's riskiest traders,
    the report paths and how to open the viewer."""
    from ml.config import load_models_config
    from riskman import pipeline

    db_path = settings.warehouse_path(db)
    step = int(load_models_config()["demo_step_days"])
    with model_errors_as_one_line():
        folder = pipeline.generate_demo(out, traders)
        if not (_ingest(folder, db_path) and _build(db_path)):
            raise typer.Exit(1)
        typer.echo(f"backtest: retraining every {step} days for speed (the default protocol retrains weekly)")
        _backtest(db_path, None, None, step)
        _train(db_path)
        _predict(db_path, None, 5)
        _monitor(db_path, None, db_path.parent / "reports")
        _report(db_path, None)
        _published_for_viewer(db_path)


def _published_for_viewer(db_path: Path) -> None:
    from riskman.atomic_warehouse import publish

    published = publish(db_path)
    db_option = "" if db_path == settings.warehouse_path() else f" --db {db_path}"
    typer.echo(
        f"viewer: `.venv/bin/riskman app{db_option}`, then open http://127.0.0.1:8501"
        f" (it reads the published read-only copy {published})"
    )


def _backtest(db_path: Path, start, end, step_days: int | None) -> None:
    from ml import jobs
    from ml.terminal import evaluation_headline

    run = jobs.backtest(db_path, start=start, end=end, step_days=step_days, progress=progress_bar("backtest"))
    if run.reused:
        typer.echo(f"backtest unchanged: {run.run_id} read the same config, code, features and data")
    else:
        folds = run.result.folds
        typer.echo(
            f"backtest {run.run_id}: {len(folds)} folds, retrain every {run.step_days} days, "
            f"test {folds[0].test_start} → {folds[-1].test_end}, {len(run.result.predictions):,} predictions "
            f"in {run.seconds:.0f} s"
        )
        typer.echo(evaluation_headline(run.result.oos))
    _policy_backtest(db_path, run.run_id)


def _policy_backtest(db_path: Path, predictions_run_id: str) -> None:
    from ml.policy_jobs import policy_backtest
    from ml.reports.stored import load_policy_run
    from ml.terminal import policy_comparison

    run = policy_backtest(db_path, predictions_run_id=predictions_run_id)
    again = " (unchanged: the same predictions, data and config as before)" if run.reused else ""
    typer.echo(f"policy backtest {run.run_id}{again} in {run.seconds:.1f} s")
    typer.echo(policy_comparison(load_policy_run(db_path, run.run_id)))


def _report(db_path: Path, out: Path | None) -> None:
    from ml.reports import write_reports

    written = write_reports(db_path, out or settings.data_dir() / "reports")
    typer.echo(f"reports: {written.backtest}\n         {written.morning}")


def _train(db_path: Path) -> None:
    from ml import jobs

    started = time.monotonic()
    result = jobs.train(db_path)
    status = "promoted to champion" if result.promoted else "not promoted"
    typer.echo(
        f"train {result.version}: labels {result.trained_from:%Y-%m-%d} → {result.trained_until:%Y-%m-%d}, "
        f"{status} ({result.reason}) in {time.monotonic() - started:.0f} s"
    )


def _predict(db_path: Path, as_of: pd.Timestamp | None, top: int) -> None:
    from ml import jobs
    from ml.terminal import riskiest_traders

    result = jobs.predict(db_path, as_of=as_of)
    rows = result.predictions
    again = " (unchanged: the same inputs and model as before)" if result.reused else ""
    typer.echo(
        f"predict {result.run_id}{again}: {len(rows)} traders at the close of {result.as_of:%Y-%m-%d} "
        f"for {rows['target_date'].max():%Y-%m-%d}, model {result.model_version}"
    )
    typer.echo(riskiest_traders(rows, top))
    for trader, why in sorted(result.blocked.items()):
        typer.echo(f"not scored: {trader}: {why}", err=True)
