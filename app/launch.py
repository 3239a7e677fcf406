"""How `riskman app` starts the viewer: Streamlit on the published copy of the warehouse, bound
to localhost by default, without usage statistics."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from riskman import settings

APP_SCRIPT = Path(__file__).resolve().parent / "streamlit_app.py"
DEFAULT_ADDRESS = "127.0.0.1"
DEFAULT_PORT = 8501


def streamlit_command(address: str = DEFAULT_ADDRESS, port: int = DEFAULT_PORT) -> list[str]:
    return [
        sys.executable, "-m", "app.serve", "run", str(APP_SCRIPT),
        "--server.address", address, "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip


def streamlit_environment(db_path: Path) -> dict[str, str]:
    """The viewer's environment: which warehouse, and the project importable from any folder."""
    root = str(settings.PROJECT_ROOT)
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return os.environ | {"RISKMAN_DB": str(db_path), "PYTHONPATH": path, "DO_NOT_TRACK": "1"}


def viewer_url(address: str = DEFAULT_ADDRESS, port: int = DEFAULT_PORT) -> str:
    return f"http://{address}:{port}"
