"""`riskman`: the command line. Each command is a thin wrapper over a library function."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from riskman import settings
from riskman.logs import configure_logging

app = typer.Typer(
    help="Trading Risk Manager: PropReports → DuckDB warehouse → risk models and reports.",
    no_args_is_help=True,
    add_completion=False,
)
logger = logging.getLogger("riskman.cli")

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB warehouse file (default: $RISKMAN_DB or data/warehouse.duckdb)."),
]


def _parse_date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"expected YYYY-MM-DD, got {value!r}") from exc


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False) -> None:
    configure_logging(logging.DEBUG if verbose else logging.INFO)


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the PropReports exports to.")],
    traders: Annotated[int, typer.Option(help="Number of traders.", min=1, max=500)] = 30,
    start: Annotated[str, typer.Option(help="First trading day, YYYY-MM-DD.")] = "2016-01-04",
    end: Annotated[str, typer.Option(help="Last trading day, YYYY-MM-DD.")] = "2018-12-31",
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same bytes.")] = 7,
    defects: Annotated[bool, typer.Option("--defects", help="Inject realistic bad input.")] = False,
) -> None:
    """Generate a realistic demo firm as PropReports exports (plus `_truth/`)."""
    from riskman.demo_firm import generate_demo_firm

    try:
        summary = generate_demo_firm(
            out, traders=traders, start=_parse_date(start), end=_parse_date(end), seed=seed, defects=defects
        )
    except ValueError as exc:  # e.g. a period without a single trading day
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(" ".join(f"{key}={value}" for key, value in summary.items()))


@app.command("ingest")
def ingest(
    folder: Annotated[
        Path | None, typer.Argument(help="Export folder (accounts.csv, <Account>/*.csv).")
    ] = None,
    api: Annotated[bool, typer.Option("--api", help="Download from the PropReports API first.")] = False,
    start: Annotated[str | None, typer.Option(help="API: first date, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="API: last date, YYYY-MM-DD.")] = None,
    traders_config: Annotated[
        Path | None,
        typer.Option(help="Trader ↔ account YAML (default: FOLDER/traders.yaml, else config/traders.yaml)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Load PropReports exports (a folder, or the API) into the warehouse's `raw` schema."""
    from riskman import pipeline

    if api:
        if not (start and end):
            raise typer.BadParameter("--api needs --start and --end")
        folder = pipeline.download_from_api(_parse_date(start), _parse_date(end), folder)
    elif folder is None:
        raise typer.BadParameter("give an export FOLDER, or --api with --start/--end")
    elif not folder.is_dir():
        raise typer.BadParameter(f"export folder not found: {folder}")
    raise typer.Exit(0 if _ingest(folder, settings.warehouse_path(db), traders_config) else 1)


@app.command("build")
def build(db: DbOption = None) -> None:
    """Run `dbt build` (models, snapshots, tests), then the data checks; exit 1 on a critical finding."""
    raise typer.Exit(0 if _build(settings.warehouse_path(db)) else 1)


@app.command("demo")
def demo(
    out: Annotated[Path | None, typer.Option(help="Where to write the demo exports.")] = None,
    traders: Annotated[int, typer.Option(help="Number of traders.", min=1, max=500)] = 30,
    db: DbOption = None,
) -> None:
    """The main job on the demo firm, end to end: generate → ingest → dbt build."""
    from riskman import pipeline

    folder = pipeline.generate_demo(out, traders)
    db_path = settings.warehouse_path(db)
    raise typer.Exit(0 if _ingest(folder, db_path) and _build(db_path) else 1)


def _ingest(folder: Path, db_path: Path, traders_config: Path | None = None) -> bool:
    from riskman import pipeline
    from riskman.ingest import describe

    report = pipeline.ingest(folder, db_path, traders_config)
    typer.echo(describe(report))
    return report.usable


def _build(db_path: Path) -> bool:
    from riskman import pipeline

    try:
        result = pipeline.build_warehouse(db_path)
    except pipeline.NothingToBuild as exc:
        typer.echo(f"nothing to build: {exc}")
        return False
    typer.echo(result.summary())
    return result.ok
