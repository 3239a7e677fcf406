"""The real dbt project's manifest, parsed once per session outside the project's target/."""

from __future__ import annotations

from typing import Any

import pytest

from riskman.settings import dbt_project_dir
from tests.dbt.dbt_cli import parse_manifest


@pytest.fixture(scope="session")
def project_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return parse_manifest(dbt_project_dir(), tmp_path_factory.mktemp("dbt_parse"))
