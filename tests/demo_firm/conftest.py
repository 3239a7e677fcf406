"""Small demo firms shared by the tests (generated once per module)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riskman.demo_firm import generate_demo_firm

SMALL = {"traders": 4, "start": date(2016, 11, 1), "end": date(2017, 1, 31), "seed": 11}


def generated(factory: pytest.TempPathFactory, name: str, **arguments) -> tuple[Path, dict]:
    """A demo firm written into a fresh folder: (folder, the generator's summary)."""
    out = factory.mktemp(name)
    return out, generate_demo_firm(out, **arguments)


@pytest.fixture(scope="module")
def firm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    return generated(tmp_path_factory, "firm", **SMALL)


@pytest.fixture(scope="module")
def defect_firm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    return generated(tmp_path_factory, "defects", **SMALL, defects=True)
