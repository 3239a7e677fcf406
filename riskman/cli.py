"""`riskman`: the warehouse commands (demo data, ingest, build). The model commands and `demo`
are added by ml.cli, which is the installed `riskman` entry point (ml sits above riskman).
Each command is a thin wrapper over a library function."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from riskman import settings
from riskman.logs import FILE_ONLY, configure_logging

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


@contextlib.contextmanager
def errors_as_one_line() -> Iterator[None]:
    """Errors a person can act on end the command with one line on stderr and exit 1, never a
    traceback: a busy warehouse, a PropReports API error, a file that cannot be read."""
    from riskman.propreports_api import PropReportsError
    from riskman.warehouse import WarehouseBusy

    try:
        yield
    except WarehouseBusy as exc:
        _fail(str(exc))
    except PropReportsError as exc:  # the server's own words; the client masks credentials
        _fail(f"PropReports API: {exc}")
    except OSError as exc:  # e.g. a folder that cannot be listed or written
        _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))


def _fail(message: str) -> None:
    logger.error("status=failed reason=%s", message, extra={FILE_ONLY: True})
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False) -> None:
    configure_logging(logging.DEBUG if verbose else logging.INFO)


class ShiftKind(StrEnum):
    trader = "trader"
    market = "market"


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the PropReports exports to.")],
    traders: Annotated[int, typer.Option(help="Number of traders.", min=1, max=500)] = 30,
    start: Annotated[str, typer.Option(help="First trading day, YYYY-MM-DD.")] = "2016-01-04",
    end: Annotated[str, typer.Option(help="Last trading day, YYYY-MM-DD.")] = "2018-12-31",
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same bytes.")] = 7,
    defects: Annotated[bool, typer.Option("--defects", help="Inject realistic bad input.")] = False,
    shift: Annotated[
        str | None,
        typer.Option(
            "--shift",
            metavar="DATE",
            help="Inject a behaviour shift from this trading day on (YYYY-MM-DD; a non-trading day "
            "means the next one). Days before it stay as without --shift. Truth: _truth/shift.json.",
        ),
    ] = None,
    shift_kind: Annotated[
        ShiftKind | None,
        typer.Option(
            "--shift-kind",
            help="trader: --shift-traders traders trade bigger (size ×2), more often (round trips "
            "×1.75) and wilder (P&L spread ×2.8, less edge). market: a high-volatility regime for "
            "everyone (P&L spread ×2). Default: trader.",
        ),
    ] = None,
    shift_traders: Annotated[
        int | None,
        typer.Option(
            "--shift-traders",
            min=1,
            metavar="N",
            help="With --shift-kind trader: how many traders shift, chosen by the seed among those "
            "in tenure on DATE. Default: 3.",
        ),
    ] = None,
) -> None:
    """Generate a realistic demo firm as PropReports exports (plus `_truth/`)."""
    from riskman.demo_firm import generate_demo_firm

    if shift is None and (shift_kind is not None or shift_traders is not None):
        raise typer.BadParameter("--shift-kind and --shift-traders need --shift DATE")
    if shift_kind is ShiftKind.market and shift_traders is not None:
        raise typer.BadParameter("--shift-traders is for --shift-kind trader (market shifts everyone)")
    options = {}
    if shift is not None:
        options = {
            "shift": _parse_date(shift),
            "shift_kind": (shift_kind or ShiftKind.trader).value,
            "shift_traders": 3 if shift_traders is None else shift_traders,
        }
    try:
        summary = generate_demo_firm(
            out,
            traders=traders,
            start=_parse_date(start),
            end=_parse_date(end),
            seed=seed,
            defects=defects,
            **options,
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

    if not api:
        _check_export_folder(folder)
    elif not (start and end):
        raise typer.BadParameter("--api needs --start and --end")
    with errors_as_one_line():
        if api:
            folder = pipeline.download_from_api(_parse_date(start), _parse_date(end), folder)
        ok = _ingest(folder, settings.warehouse_path(db), traders_config)
    raise typer.Exit(0 if ok else 1)


def _check_export_folder(folder: Path | None) -> None:
    if folder is None:
        raise typer.BadParameter("give an export FOLDER, or --api with --start/--end")
    if folder.is_file():
        raise typer.BadParameter(
            f"{folder} is a file; give the export folder that holds it ({folder.parent})"
        )
    if not folder.is_dir():
        raise typer.BadParameter(f"export folder not found: {folder}")


@app.command("build")
def build(
    db: DbOption = None,
    full_refresh: Annotated[
        bool,
        typer.Option("--full-refresh", help="Rebuild incremental models from scratch (after an upgrade)."),
    ] = False,
) -> None:
    """Run `dbt build` (models, snapshots, tests), then the data checks; exit 1 on a critical finding."""
    with errors_as_one_line():
        ok = _build(settings.warehouse_path(db), full_refresh=full_refresh)
    raise typer.Exit(0 if ok else 1)


def _ingest(folder: Path, db_path: Path, traders_config: Path | None = None) -> bool:
    from riskman import pipeline
    from riskman.ingest import describe

    report = pipeline.ingest(folder, db_path, traders_config)
    typer.echo(describe(report))
    return report.usable


def _build(db_path: Path, *, full_refresh: bool = False) -> bool:
    from riskman import pipeline

    try:
        result = pipeline.build_warehouse(db_path, full_refresh=full_refresh)
    except pipeline.NothingToBuild as exc:
        typer.echo(f"nothing to build: {exc}")
        return False
    typer.echo(result.summary())
    return result.ok
