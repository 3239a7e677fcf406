"""PropReports API client: login/token handling, rate limiting, retries and paged fills.

Protocol (docs/architecture.md, "PropReports"): HTTPS POST, form-encoded, to `https://<firm>.propreports.com/api.php`;
`action=login` returns a token valid about 2 h; errors are HTTP 500 with a message body;
40 requests per 4 seconds. Credentials never reach logs, reprs or error messages.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable
from datetime import date
from pathlib import Path

import requests
from dotenv import load_dotenv

from riskman.propreports_paging import page_numbers

logger = logging.getLogger(__name__)

REPORT_TYPES = frozenset({"totalsByDate", "summaryByDate", "trades", "openPositions"})
ENV_VARS = ("PROPREPORTS_URL", "PROPREPORTS_USER", "PROPREPORTS_PASSWORD")
_RATE_LIMIT_HINTS = ("rate limit", "request limit", "too many requests", "limit exceeded")
_RETRY_STATUSES = frozenset({502, 503, 504})
# The token lives "about 2 hours"; renew a little early rather than eat an error per call.
_TOKEN_MAX_AGE_SECONDS = 110 * 60
_MAX_BACKOFF_SECONDS = 30.0


class PropReportsError(Exception):
    """An error reported by PropReports (or a failure to reach it); never holds credentials."""


class _Retryable(Exception):
    """A transient failure: rate limit, connection error, timeout, 502/503/504."""


class _TokenRejected(Exception):
    """The server said the token is invalid or expired."""


def is_rate_limit_message(message: str) -> bool:
    """True when a PropReports error message means the request rate limit was hit."""
    text = message.lower()
    return any(hint in text for hint in _RATE_LIMIT_HINTS)


def is_token_message(message: str) -> bool:
    """True when a PropReports error message means the token is invalid or expired."""
    text = message.lower()
    return "token" in text and ("invalid" in text or "expired" in text)


def parse_page_trailer(text: str) -> tuple[int, int] | None:
    """`(n, m)` from a trailing `Page n/m` line, or None when the response has no trailer."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    return page_numbers(lines[-1])


def _iso(day: date | str) -> str:
    return day.isoformat() if isinstance(day, date) else date.fromisoformat(day).isoformat()


class RateLimiter:
    """At most `max_requests` in any sliding window of `per_seconds` (single-threaded use).

    A request is stamped when its response has arrived, so network latency can only make the
    server see the requests further apart, never closer together than the window allows.
    """

    def __init__(
        self,
        max_requests: int,
        per_seconds: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_requests < 1 or per_seconds <= 0:
            raise ValueError("max_requests must be >= 1 and per_seconds > 0")
        self.max_requests = max_requests
        self.per_seconds = per_seconds
        self._sleep = sleep
        self._clock = clock
        self._stamps: deque[float] = deque()
        self.waited_seconds = 0.0

    def _prune(self, now: float) -> None:
        while self._stamps and self._stamps[0] <= now - self.per_seconds:
            self._stamps.popleft()

    def acquire(self) -> None:
        """Block until one more request fits in the window."""
        while True:
            now = self._clock()
            self._prune(now)
            if len(self._stamps) < self.max_requests:
                return
            wait = self._stamps[0] + self.per_seconds - now + 1e-3
            self.waited_seconds += wait
            self._sleep(wait)

    def record(self) -> None:
        """Stamp a finished request."""
        self._stamps.append(self._clock())


class PropReportsClient:
    """A PropReports API session: one token, a client-side rate limit, retries with back-off."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        session: requests.Session | None = None,
        max_requests: int = 40,
        per_seconds: float = 4.0,
        max_retries: int = 5,
        backoff_seconds: float = 0.5,
        timeout: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url
        self.user = user
        self._password = password
        self._session = session or requests.Session()
        self._limiter = RateLimiter(max_requests, per_seconds, sleep=sleep, clock=clock)
        self.max_retries = max_retries
        self.backoff_seconds = backoff_seconds
        self.timeout = timeout
        self._sleep = sleep
        self._clock = clock
        self._token: str | None = None
        self._token_issued_at = 0.0
        self.requests_made = 0
        self.logins = 0

    def __repr__(self) -> str:
        state = "logged_in" if self._token else "logged_out"
        return f"PropReportsClient(base_url={self.base_url!r}, user={self.user!r}, {state})"

    @classmethod
    def from_env(cls, **kwargs: object) -> PropReportsClient:
        """Build a client from PROPREPORTS_URL/USER/PASSWORD (after loading `./.env`)."""
        load_dotenv(Path.cwd() / ".env", override=False)
        missing = [name for name in ENV_VARS if not os.environ.get(name, "").strip()]
        if missing:
            raise PropReportsError(
                f"missing environment variable(s): {', '.join(missing)} "
                "(set them in the environment or in ./.env)"
            )
        url, user, password = (os.environ[name].strip() for name in ENV_VARS)
        return cls(url, user, password, **kwargs)  # type: ignore[arg-type]

    # ---- public calls -------------------------------------------------------------------

    def login(self) -> None:
        """Get a fresh token (`action=login`)."""
        text = self._post({"action": "login", "user": self.user, "password": self._password})
        token = text.strip()
        if not token or len(token.split()) != 1:
            raise PropReportsError("login returned no usable token")
        self._token = token
        self._token_issued_at = self._clock()
        self.logins += 1
        logger.info("propreports_login user=%s", self.user)

    def accounts(self) -> str:
        """The accounts list as CSV text."""
        return self._timed("accounts", {})

    def fills(self, account_id: str | int, start: date | str, end: date | str) -> list[str]:
        """Every page of fills for one account, each page's raw text with its `Page n/m` line."""
        started, before = time.perf_counter(), self.requests_made
        params = {"accountId": str(account_id), "startDate": _iso(start), "endDate": _iso(end)}
        pages: list[str] = []
        total = 1
        page = 1
        while page <= total:
            text = self._call("fills", {**params, "page": str(page)})
            trailer = parse_page_trailer(text)
            if trailer is None:
                raise PropReportsError(
                    f"fills page {page} for account {account_id} has no 'Page n/m' trailer"
                )
            if trailer[0] != page:
                raise PropReportsError(
                    f"asked for fills page {page} of account {account_id}, got page {trailer[0]}"
                )
            total = max(trailer[1], 1)
            pages.append(text)
            page += 1
        logger.info(
            "propreports_batch action=fills account=%s pages=%d requests=%d seconds=%.2f",
            account_id,
            len(pages),
            self.requests_made - before,
            time.perf_counter() - started,
        )
        return pages

    def report(self, type: str, account_id: str | int, start: date | str, end: date | str) -> str:
        """A report (`totalsByDate`, `summaryByDate`, ...) for one account as raw text."""
        if type not in REPORT_TYPES:
            raise ValueError(f"unknown report type {type!r}; expected one of {sorted(REPORT_TYPES)}")
        params = {
            "type": type,
            "accountId": str(account_id),
            "startDate": _iso(start),
            "endDate": _iso(end),
        }
        return self._timed("report", params, label=f"report type={type} account={account_id}")

    # ---- plumbing -----------------------------------------------------------------------

    def _timed(self, action: str, params: dict[str, str], *, label: str | None = None) -> str:
        started, before = time.perf_counter(), self.requests_made
        text = self._call(action, params)
        logger.info(
            "propreports_batch action=%s requests=%d bytes=%d seconds=%.2f",
            label or action,
            self.requests_made - before,
            len(text),
            time.perf_counter() - started,
        )
        return text

    def _call(self, action: str, params: dict[str, str]) -> str:
        """One authenticated call; on a rejected token log in again once and retry."""
        token_age = self._clock() - self._token_issued_at
        if self._token is None or token_age > _TOKEN_MAX_AGE_SECONDS:
            self.login()
        try:
            return self._post({"action": action, "token": self._token or "", **params})
        except _TokenRejected:
            logger.warning("propreports_token_rejected action=%s relogin=1", action)
            self._token = None
            self.login()
        try:
            return self._post({"action": action, "token": self._token or "", **params})
        except _TokenRejected as exc:
            raise PropReportsError(f"token rejected again after re-login: {exc}") from None

    def _scrub(self, text: str) -> str:
        for secret in (self._password, self._token):
            if secret:
                text = text.replace(secret, "***")
        return text

    def _post(self, data: dict[str, str]) -> str:
        """POST with rate limiting and exponential back-off on transient failures."""
        action = data.get("action", "?")
        last_reason = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                delay = min(self.backoff_seconds * 2 ** (attempt - 1), _MAX_BACKOFF_SECONDS)
                logger.warning(
                    "propreports_retry action=%s attempt=%d delay=%.2f reason=%s",
                    action,
                    attempt,
                    delay,
                    last_reason,
                )
                self._sleep(delay)
            try:
                return self._post_once(data)
            except _Retryable as exc:
                last_reason = str(exc)
        raise PropReportsError(
            f"{action}: gave up after {self.max_retries + 1} attempts; last error: {last_reason}"
        )

    def _post_once(self, data: dict[str, str]) -> str:
        self._limiter.acquire()
        self.requests_made += 1
        started = time.perf_counter()
        try:
            response = self._session.post(self.base_url, data=data, timeout=self.timeout)
        except requests.Timeout:
            raise _Retryable("timeout") from None
        except requests.ConnectionError as exc:
            raise _Retryable(self._scrub(f"connection error: {type(exc).__name__}")) from None
        finally:
            self._limiter.record()
        text = _decode(response)
        logger.debug(
            "propreports_request action=%s status=%d bytes=%d seconds=%.3f",
            data.get("action"),
            response.status_code,
            len(text),
            time.perf_counter() - started,
        )
        if response.status_code == 200:
            return text
        message = self._scrub(text.strip())[:500]
        if response.status_code in _RETRY_STATUSES:
            raise _Retryable(f"HTTP {response.status_code}")
        if response.status_code == 500:
            if not message:
                raise _Retryable("HTTP 500 with empty body")
            if is_rate_limit_message(message):
                raise _Retryable(f"rate limited: {message}")
            if is_token_message(message) and data.get("action") != "login":
                raise _TokenRejected(message)
            raise PropReportsError(message)
        raise PropReportsError(f"HTTP {response.status_code}: {message}")


def _decode(response: requests.Response) -> str:
    """PropReports sends UTF-8 text (e.g. `Unrealized δ`); fall back to Latin-1 rather than fail."""
    try:
        return response.content.decode("utf-8")
    except UnicodeDecodeError:
        return response.content.decode("latin-1")
