"""A local PropReports API stand-in (http.server on 127.0.0.1) that speaks the documented protocol.

POST form-encoded to `/api.php`: `login` (user/password → 32-char token), `accounts`, `fills`
(paged; `Page n/m` trailer only when `page` is sent; page 1 without it), `report` with
`type=totalsByDate|summaryByDate`; errors are HTTP 500 with a message; its own sliding-window
rate limit. Failures can be injected: HTTP 503s, dropped connections, slow responses.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from tests.ingest.exports import FILLS_HEADER, SUMMARY_HEADER, TOTALS_HEADER

# Spaces after commas on purpose: the client must parse by header name and tolerate them.
ACCOUNTS_CSV = (
    "Account Id, Account Name, First Traded, Last Traded, Currency, Cash, Unrealized\n"
    '1001, TRADER1, 01/02/2024, 01/31/2024, USD, "25,000.00", 0.00\n'
    "1002, TRADER1_OLD, 06/01/2023, 12/29/2023, USD, 0.00, 0.00\n"
    '1003, TRADER2, 01/04/2024, 02/15/2024, USD, "8,150.25", (120.50)\n'
    "1004, NEWBIE, , , USD, 0.00, 0.00\n"
)
TOKEN_MESSAGE = "Invalid or expired token."  # text seen in a public PropReports client
RATE_LIMIT_MESSAGE = "Request limit exceeded."  # assumed wording; the docs give only the limit


def _fill_row(account: str, when: datetime, n: int, side: str, symbol: str, price: float) -> str:
    return (
        f"{when:%m/%d/%Y %H:%M:%S},{account},{side},100,{symbol},{price:.2f},ARCA,A,0.35,-0.20,"
        f"0.01,0.00,0.00,0.01,0.00,0.00,0.00,0.02,0.00,O{n},F{n},USD,US0000000000,000000000,"
        f"Filled,{900000 + n}"
    )


def build_fills() -> dict[str, list[str]]:
    """Small fills fixtures keyed by account name: TRADER1 has 7 fills, TRADER2 has 2."""
    rows: dict[str, list[str]] = {"TRADER1": [], "TRADER2": [], "TRADER1_OLD": []}
    for n in range(7):
        when = datetime(2024, 1, 2 + n // 2, 9, 30 + n)
        side, symbol = ("B", "AAPL") if n % 2 == 0 else ("S", "AAPL")
        rows["TRADER1"].append(_fill_row("TRADER1", when, n, side, symbol, 185.0 + n / 10))
    rows["TRADER2"].append(_fill_row("TRADER2", datetime(2024, 1, 4, 10, 0), 100, "T", "TSLA", 240))
    rows["TRADER2"].append(_fill_row("TRADER2", datetime(2024, 1, 4, 10, 5), 101, "C", "TSLA", 238))
    rows["TRADER1_OLD"].append(_fill_row("TRADER1_OLD", datetime(2023, 12, 1, 9, 31), 200, "B", "MSFT", 370))
    return rows


def _days(rows: list[str]) -> list[date]:
    return sorted({datetime.strptime(row[:10], "%m/%d/%Y").date() for row in rows})


def totals_by_date(rows: list[str]) -> str:
    """A totalsByDate report: one block per day (date line, header, symbol rows, summary lines)."""
    lines: list[str] = []
    for day in _days(rows):
        lines += [
            f"{day.month}/{day.day}/{day.year}",
            TOTALS_HEADER,
            "AAPL,2,2,200,15.00,0.70,(0.40),0.02,0.00,0.00,0.02,0.00,0.00,0.00,0.04,0.00,14.62,"
            "0.00,14.62,0.00",
            "Equities,2,2,200,15.00,0.70,(0.40),0.02,0.00,0.00,0.02,0.00,0.00,0.00,0.04,0.00,"
            "14.62,0.00,14.62,0.00",
            "Fee: Software & MD,(5.00)",
            "Daily Total,,,,,,,,,,,,,,,,9.62,0.00,9.62,0.00",
            'Cash:,"25,009.62"',
            "",
        ]
    return "\n".join(lines)


def summary_by_date(rows: list[str]) -> str:
    """A summaryByDate report: a row per day and a closing `Equities` totals row."""
    lines = [SUMMARY_HEADER]
    values = "2,2,200,15.00,0.70,-0.40,0.02,0.00,0.00,0.02,0.00,0.00,0.00,0.04,0.00,0.38,14.62"
    tail = "-5.00,0.00,-5.00,9.62,0.00,9.62,0.00,0.00,25009.62,0.00,25009.62"
    for day in _days(rows):
        lines.append(f"{day:%m/%d/%Y},Eq,{values},{tail}")
    lines.append(f"Equities,,{values},{tail}")
    return "\n".join(lines) + "\n"


class FakePropReports:
    """Run with `with FakePropReports() as fake: ... fake.url ...`."""

    def __init__(
        self,
        *,
        user: str = "risk.desk",
        password: str = "pw",
        page_size: int = 3,
        rate_limit: tuple[int, float] = (40, 4.0),
        token_ttl: float = 7200.0,
        echo_params_in_errors: bool = False,
    ) -> None:
        self.user, self.password, self.page_size = user, password, page_size
        self.rate_limit, self.token_ttl = rate_limit, token_ttl
        self.echo_params_in_errors = echo_params_in_errors
        self.accounts_csv = ACCOUNTS_CSV
        self.fills = build_fills()
        self.lock = threading.Lock()
        self.tokens: dict[str, float] = {}
        self.issued_tokens: list[str] = []
        self.calls: list[dict[str, str]] = []  # params of every request, secrets removed
        self.arrivals: deque[float] = deque()
        self.max_in_window = 0
        self.rate_limited = 0
        self._faults: deque[tuple[str, float]] = deque()
        self._server: ThreadingHTTPServer | None = None

    # ---- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> FakePropReports:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/api.php"

    # ---- knobs and counters -------------------------------------------------------------

    def fail_next(self, n: int, status: int = 503) -> None:
        """Answer the next `n` requests with `status` (no processing)."""
        self._faults.extend([("status", float(status))] * n)

    def drop_next(self, n: int) -> None:
        """Close the connection without answering the next `n` requests."""
        self._faults.extend([("drop", 0.0)] * n)

    def delay_next(self, n: int, seconds: float) -> None:
        """Answer the next `n` requests only after `seconds` (to trigger client timeouts)."""
        self._faults.extend([("delay", seconds)] * n)

    def expire_tokens(self) -> None:
        """Expire every token issued so far (as if 2 hours had passed)."""
        with self.lock:
            self.tokens.clear()

    def count(self, action: str) -> int:
        return sum(1 for call in self.calls if call.get("action") == action)

    # ---- protocol -----------------------------------------------------------------------

    def arrive(self, params: dict[str, str]) -> tuple[str, float] | None:
        """Record one arrival; return an injected fault, or ('limit', 0) when over the limit."""
        limit, window = self.rate_limit
        now = time.monotonic()
        with self.lock:
            self.calls.append({k: v for k, v in params.items() if k not in {"password", "token"}})
            while self.arrivals and self.arrivals[0] <= now - window:
                self.arrivals.popleft()
            self.arrivals.append(now)
            self.max_in_window = max(self.max_in_window, len(self.arrivals))
            if self._faults:
                return self._faults.popleft()
            if len(self.arrivals) > limit:
                self.rate_limited += 1
                return ("limit", 0.0)
        return None

    def handle(self, params: dict[str, str]) -> tuple[int, str]:
        """(status, body) for one request that passed the fault and rate-limit gates."""
        action = params.get("action", "")
        if action == "login":
            if params.get("user") != self.user or params.get("password") != self.password:
                return self._error("Invalid user or password.", params)
            token = secrets.token_hex(16)
            with self.lock:
                self.tokens[token] = time.monotonic()
                self.issued_tokens.append(token)
            return 200, token
        with self.lock:
            issued = self.tokens.get(params.get("token", ""))
        if issued is None or time.monotonic() - issued > self.token_ttl:
            return self._error(TOKEN_MESSAGE, params)
        if action == "accounts":
            return 200, self.accounts_csv
        if action in {"fills", "report"}:
            rows = self._account_rows(params)
            if rows is None:
                return self._error("Account not found.", params)
            if action == "fills":
                return self._fills(rows, params.get("page"))
            report = params.get("type")
            if report == "totalsByDate":
                return 200, totals_by_date(rows)
            if report == "summaryByDate":
                return 200, summary_by_date(rows)
            return self._error(f"Unsupported report type: {report}", params)
        return self._error(f"Unknown action: {action}", params)

    def _error(self, message: str, params: dict[str, str]) -> tuple[int, str]:
        if self.echo_params_in_errors:  # some servers echo the request back; clients must scrub
            message += " Request: " + "&".join(f"{k}={v}" for k, v in params.items())
        return 500, message

    def _account_rows(self, params: dict[str, str]) -> list[str] | None:
        names = {}
        for line in self.accounts_csv.splitlines()[1:]:
            cells = [cell.strip() for cell in line.split(",")]
            names[cells[0]] = cells[1]
        name = names.get(params.get("accountId", ""))
        if name is None:
            return None
        start = date.fromisoformat(params["startDate"])
        end = date.fromisoformat(params["endDate"])
        return [
            row
            for row in self.fills.get(name, [])
            if start <= datetime.strptime(row[:10], "%m/%d/%Y").date() <= end
        ]

    def _fills(self, rows: list[str], page: str | None) -> tuple[int, str]:
        pages = max(1, -(-len(rows) // self.page_size))
        number = int(page) if page else 1
        if not 1 <= number <= pages:
            return 500, f"Invalid page: {page}"
        chunk = rows[(number - 1) * self.page_size : number * self.page_size]
        body = "\n".join([FILLS_HEADER, *chunk]) + "\n"
        return 200, body + (f"Page {number}/{pages}\n" if page else "")


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        fake: FakePropReports = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True)
        params = {key: values[-1] for key, values in form.items()}
        fault = fake.arrive(params)
        if fault and fault[0] == "drop":
            self.close_connection = True
            return
        if fault and fault[0] == "delay":
            time.sleep(fault[1])
        if fault and fault[0] == "status":
            status, body = int(fault[1]), "Service Unavailable"
        elif fault and fault[0] == "limit":
            status, body = 500, RATE_LIMIT_MESSAGE
        else:
            status, body = fake.handle(params)
        payload = body.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (timeout test)
            pass

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        return
