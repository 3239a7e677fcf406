"""ruff (lint and format) is clean on the whole tree: style is enforced by a tool, not memory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from riskman.settings import PROJECT_ROOT

RUFF = Path(sys.executable).with_name("ruff")


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_is_clean(command):
    result = subprocess.run(
        [str(RUFF), *command, "riskman", "ml", "flows", "tests", "benchmarks"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
