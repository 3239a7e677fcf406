"""PropReportsClient against the local fake server: auth, paging, rate limit, retries, secrecy."""

from __future__ import annotations

import logging
import time
from datetime import date

import pytest
import requests

from riskman.propreports_api import PropReportsClient, PropReportsError
from riskman.propreports_api.client import RateLimiter, parse_page_trailer
from tests.propreports_api.conftest import PASSWORD
from tests.propreports_api.fake_propreports import FILLS_HEADER, FakePropReports

JAN_START, JAN_END = date(2024, 1, 1), date(2024, 1, 31)


class FakeTime:
    """A clock whose sleep advances it, so rate-limit waits cost nothing."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_login_happens_once_and_the_token_is_reused(fake, make_client):
    client = make_client(fake)
    client.accounts()
    client.accounts()
    assert fake.count("login") == 1
    assert fake.count("accounts") == 2
    assert client.logins == 1


def test_fills_fetches_every_page_and_keeps_each_trailer(fake, make_client):
    pages = make_client(fake).fills("1001", JAN_START, JAN_END)
    assert [parse_page_trailer(page) for page in pages] == [(1, 3), (2, 3), (3, 3)]
    rows = [line for page in pages for line in page.splitlines()[1:-1]]
    assert len(rows) == 7
    assert all(page.startswith(FILLS_HEADER + "\n") for page in pages)
    sent_pages = [call["page"] for call in fake.calls if call["action"] == "fills"]
    assert sent_pages == ["1", "2", "3"]


def test_server_silently_returns_only_page_one_without_page_param(fake):
    token = requests.post(
        fake.url, data={"action": "login", "user": fake.user, "password": fake.password}, timeout=5
    ).text
    body = requests.post(
        fake.url,
        data={
            "action": "fills",
            "token": token,
            "accountId": "1001",
            "startDate": "2024-01-01",
            "endDate": "2024-01-31",
        },
        timeout=5,
    ).text
    assert parse_page_trailer(body) is None
    assert len(body.splitlines()) == 1 + fake.page_size


def test_client_rate_limit_keeps_the_server_under_its_limit():
    with FakePropReports(rate_limit=(5, 0.4)) as fake:
        session = requests.Session()
        session.trust_env = False
        client = PropReportsClient(
            fake.url,
            fake.user,
            fake.password,
            session=session,
            max_requests=5,
            per_seconds=0.4,
            backoff_seconds=0.01,
        )
        started = time.monotonic()
        for _ in range(14):
            client.accounts()
        elapsed = time.monotonic() - started
    assert fake.rate_limited == 0
    assert fake.max_in_window <= 5
    assert elapsed >= 0.8  # 15 requests at 5 per 0.4 s need at least two full windows


def test_rate_limiter_never_allows_more_than_max_in_any_window():
    fake_time = FakeTime()
    limiter = RateLimiter(40, 4.0, sleep=fake_time.sleep, clock=fake_time.clock)
    stamps = []
    for _ in range(130):
        limiter.acquire()
        stamps.append(fake_time.now)
        limiter.record()
    assert all(stamps[i + 40] - stamps[i] >= 4.0 for i in range(len(stamps) - 40))
    assert fake_time.sleeps, "the limiter should have waited"
    assert stamps[-1] - stamps[0] < 4.0 * 4  # and not much more than it had to


def test_server_rate_limit_error_is_retried_with_backoff(make_client):
    with FakePropReports(rate_limit=(3, 0.3)) as fake:
        client = make_client(fake, max_requests=1000, backoff_seconds=0.05, max_retries=6)
        for _ in range(6):
            assert client.accounts().startswith("Account Id")
    assert fake.rate_limited > 0


def test_503_is_retried_with_exponential_backoff(fake, make_client):
    sleeps: list[float] = []
    client = make_client(fake, sleep=sleeps.append, backoff_seconds=0.5)
    fake.fail_next(3, status=503)
    assert client.accounts().startswith("Account Id")
    assert sleeps == [0.5, 1.0, 2.0]
    assert client.requests_made == 5  # 3 failed logins, login, accounts


def test_dropped_connection_is_retried(fake, make_client):
    client = make_client(fake)
    client.login()
    fake.drop_next(2)
    assert client.accounts().startswith("Account Id")
    assert fake.count("accounts") == 3


def test_timeout_is_retried(fake, make_client):
    client = make_client(fake, timeout=0.2)
    client.login()
    fake.delay_next(1, 0.6)
    assert client.accounts().startswith("Account Id")
    assert fake.count("accounts") == 2


def test_gives_up_after_max_retries(fake, make_client):
    client = make_client(fake, max_retries=2)
    fake.fail_next(10, status=502)
    with pytest.raises(PropReportsError, match=r"login: gave up after 3 attempts; .*HTTP 502"):
        client.login()


def test_expired_token_triggers_one_relogin(fake, make_client):
    client = make_client(fake)
    client.accounts()
    fake.expire_tokens()
    assert client.accounts().startswith("Account Id")
    assert fake.count("login") == 2
    assert fake.count("accounts") == 3  # ok, rejected, ok


def test_token_rejected_after_relogin_raises_instead_of_looping(make_client):
    with FakePropReports(token_ttl=-1.0) as fake:  # every token is born expired
        client = make_client(fake)
        with pytest.raises(PropReportsError, match="token rejected again after re-login"):
            client.accounts()
    assert fake.count("login") == 2


def test_non_retryable_500_raises_with_the_server_message(fake, make_client):
    client = make_client(fake)
    with pytest.raises(PropReportsError, match=r"^Account not found\.$"):
        client.fills("9999", JAN_START, JAN_END)
    assert fake.count("fills") == 1


def test_wrong_password_raises_the_login_error(fake, make_client):
    with pytest.raises(PropReportsError, match=r"^Invalid user or password\.$"):
        make_client(fake, password="wrong").accounts()


def test_unknown_report_type_is_rejected_before_any_request(fake, make_client):
    client = make_client(fake)
    with pytest.raises(ValueError, match="unknown report type 'dailyStuff'"):
        client.report("dailyStuff", "1001", JAN_START, JAN_END)
    assert fake.calls == []


def test_credentials_never_leak_into_errors_reprs_or_logs(make_client, caplog):
    caplog.set_level(logging.DEBUG, logger="riskman")
    secret = PASSWORD + "!special"
    errors: list[PropReportsError] = []
    with FakePropReports(password=secret, echo_params_in_errors=True) as fake:
        bad = make_client(fake, password=secret + "-typo")
        with pytest.raises(PropReportsError) as bad_login:
            bad.accounts()
        errors.append(bad_login.value)

        client = make_client(fake)
        fake.fail_next(1)
        client.accounts()
        fake.expire_tokens()
        with pytest.raises(PropReportsError) as unknown:
            client.fills("9999", JAN_START, JAN_END)  # error echoes the (new) token
        errors.append(unknown.value)
        tokens = list(fake.issued_tokens)

    assert "Request:" in str(errors[1])  # the server really echoed the request
    texts = [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [repr(bad), repr(client), str(client), caplog.text]
    for secret_value in [secret, secret + "-typo", *tokens]:
        for text in texts:
            assert secret_value not in text


def test_from_env_names_the_missing_variable(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("PROPREPORTS_URL", "PROPREPORTS_USER", "PROPREPORTS_PASSWORD"):
        monkeypatch.setenv(name, "x")
        monkeypatch.delenv(name)
    monkeypatch.setenv("PROPREPORTS_URL", "https://firm.propreports.com/api.php")
    monkeypatch.setenv("PROPREPORTS_USER", "desk-user-value")
    with pytest.raises(
        PropReportsError,
        match=r"missing environment variable\(s\): "
        r"PROPREPORTS_PASSWORD \(",
    ) as err:
        PropReportsClient.from_env()
    assert "desk-user-value" not in str(err.value)


def test_from_env_loads_dotenv_from_the_current_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("PROPREPORTS_URL", "PROPREPORTS_USER", "PROPREPORTS_PASSWORD"):
        monkeypatch.setenv(name, "x")  # registers the original value for restore
        monkeypatch.delenv(name)
    (tmp_path / ".env").write_text(
        "PROPREPORTS_URL=https://firm.propreports.com/api.php\n"
        "PROPREPORTS_USER=desk\nPROPREPORTS_PASSWORD=hunter2\n"
    )
    client = PropReportsClient.from_env()
    assert client.base_url == "https://firm.propreports.com/api.php"
    assert client.user == "desk"
    assert "hunter2" not in repr(client)
