"""Fixtures: a local fake PropReports server and clients pointed at it (never the internet)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from riskman.propreports_api import PropReportsClient
from tests.propreports_api.fake_propreports import FakePropReports

# Made up per run: a literal would look like a committed credential, and any leak stays findable.
PASSWORD = "pw-" + secrets.token_hex(8)


@pytest.fixture
def fake() -> Iterator[FakePropReports]:
    with FakePropReports(password=PASSWORD) as server:
        yield server


@pytest.fixture
def make_client() -> Callable[..., PropReportsClient]:
    """Build a client for a fake server; short back-off so retry tests stay fast."""

    def build(server: FakePropReports, **kwargs: Any) -> PropReportsClient:
        session = requests.Session()
        session.trust_env = False  # ignore proxy settings: 127.0.0.1 only
        kwargs.setdefault("backoff_seconds", 0.01)
        kwargs.setdefault("timeout", 5.0)
        user = kwargs.pop("user", server.user)
        password = kwargs.pop("password", server.password)
        return PropReportsClient(server.url, user, password, session=session, **kwargs)

    return build
