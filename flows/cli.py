"""The installed `riskman` command: ml.cli's commands plus the flow commands, `run-flow` (one run
here, no server) and `serve` (the deployments on their schedules, flows.schedules). It lives in
flows/ because flows import ml and riskman, never the reverse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ml.cli import app, model_errors_as_one_line
from riskman import settings
from riskman.cli import DbOption, _fail

__all__ = ["app"]


@app.command("run-flow")
def run_flow(
    name: Annotated[str, typer.Argument(help="daily, weekly_retrain or monthly_review.")],
    exports: Annotated[
        Path | None, typer.Option(help="daily: the export folder to pick up new files from.")
    ] = None,
    api: Annotated[bool, typer.Option(help="daily: download the previous trading day from the API.")] = False,
    db: DbOption = None,
) -> None:
    """Run one flow once, here, without a server (Prefect starts a temporary one)."""
    from flows.recipes import FLOWS

    if name not in FLOWS:
        _fail(f"no flow {name!r}: choose one of {', '.join(FLOWS)}")
    parameters = {"db": str(db) if db else None}
    if name == "daily":
        parameters |= {"exports": str(exports) if exports else None, "api": api}
    with model_errors_as_one_line():
        try:
            results = FLOWS[name](**parameters)
        except Exception as exc:  # noqa: BLE001 - the step is named in the alert and here
            _fail(f"flow {name} failed: {type(exc).__name__}: {exc} (the warehouse is as it was)")
    typer.echo(f"flow {name}: ok\n{json.dumps(results, indent=2, default=str)}")


@app.command("serve")
def serve(
    port: Annotated[
        int, typer.Option(help="Port of the local Prefect server started if none is configured.")
    ] = 4200,
) -> None:
    """Serve the daily, weekly and monthly deployments on their schedules (US/Eastern), on the
    server at $PREFECT_API_URL or on a local one started here and bound to 127.0.0.1."""
    from prefect import serve as prefect_serve

    from flows.recipes import FLOWS
    from flows.schedules import schedules
    from flows.server import prefect_server

    with prefect_server(port) as api_url:
        typer.echo(f"Prefect server: {api_url.removesuffix('/api')}")
        deployments = [
            FLOWS[name].to_deployment(name=name, schedule=cron) for name, cron in schedules().items()
        ]
        prefect_serve(*deployments)


@app.command("app")
def viewer(
    port: Annotated[int, typer.Option(help="Port of the viewer.")] = 8501,
    address: Annotated[
        str, typer.Option(help="Address to bind; the default serves this machine only.")
    ] = "127.0.0.1",
    db: DbOption = None,
) -> None:
    """The Streamlit risk viewer on the published read-only copy of the warehouse (refreshed
    first if the warehouse changed since it was published)."""
    from app.launch import streamlit_command, streamlit_environment, viewer_url
    from riskman.atomic_warehouse import publish_if_stale
    from riskman.child_process import run_tied_to_parent

    db_path = settings.warehouse_path(db)
    if publish_if_stale(db_path) is None:
        _fail(f"no warehouse at {db_path}: run `riskman demo` first")
    typer.echo(f"viewer: {viewer_url(address, port)} (Ctrl+C stops it)")
    raise typer.Exit(run_tied_to_parent(streamlit_command(address, port), env=streamlit_environment(db_path)))
