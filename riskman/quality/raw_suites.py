"""Suites for the `raw` landing schema: shape, keys per loaded version, ranges, load accounting.

Raw is append-only and versioned (docs/architecture.md §4): a key is unique per `_load_seq`, never
overall, because a restated day is a second copy of its rows under a newer version.
"""

from __future__ import annotations

import datetime as dt

import great_expectations.expectations as gxe

from riskman.dbt import project_vars
from riskman.ingest import formats
from riskman.ingest.formats import FEE_HEADERS, FILLS
from riskman.quality import rules as r
from riskman.quality.raw_schema import raw_schema_check
from riskman.quality.spec import INFO, WARNING, CheckedTable

FEE_COLUMNS = [c.name for c in FILLS.columns if c.header in FEE_HEADERS]
FEES_SUM = " + ".join(f"coalesce({name}, 0)" for name in FEE_COLUMNS)
FEE_CELLS = " + ".join(f"case when {name} is null then 0 else 1 end" for name in FEE_COLUMNS)
# The oldest plausible date of each kind, as ingest quarantines by (GX compares datetimes).
EARLIEST_TRADE_DATE = dt.datetime.combine(formats.EARLIEST_TRADE_DATE, dt.time())
EARLIEST_MARKET_DATE = dt.datetime.combine(formats.EARLIEST_MARKET_DATE, dt.time())
MAX_QUARANTINE_RATE = 0.01
LOAD_STATUSES = ["loaded", "rejected"]
RUN_DATE = {"$PARAMETER": "run_date"}
# A report row's Net against its Gross minus its fee cells: every one of those cells was rounded
# to the cent on its own, so honest rounding moves the gap by up to half a cent per cell.
NET_GAP_BEYOND_ROUNDING = (
    f"abs(net - (gross - ({FEES_SUM}))) - {project_vars()['report_cell_rounding_usd']} * (2 + {FEE_CELLS})"
)
FILLS_CHECKED = ", ".join(
    ["account_name", "fill_id", "trade_time", "trade_date", "side", "qty", "symbol", "price", "comm"]
    + ["currency", "_load_seq", "_source_line"]
)


def _dates(column: str, earliest: dt.datetime = EARLIEST_TRADE_DATE, *, large: bool = False) -> list:
    """Not null, and within earliest..today (a date outside was misparsed).

    On a large table, min and max stand in for the per-row range: GX checks a date range row by
    row in Python (7 s on a million fills), while the observed min/max still names the bad date.
    They fail on an empty table, where the per-row range passes: only for tables never empty.
    """
    why = f"a date outside {earliest:%Y}..today is misparsed"
    in_range = (
        r.column_range(column, why, low=earliest, high=RUN_DATE)
        if large
        else [r.between(column, why, low=earliest, high=RUN_DATE)]
    )
    return [r.not_null(column, "every row belongs to a day"), *in_range]


def _fills() -> list:
    return [
        *r.not_nulls(
            ["account_name", "fill_id", "trade_time", "side", "qty", "symbol", "price"],
            "required in the fills export; ingest quarantines a row without it",
        ),
        r.rows_at_least(1, "no fills: nothing to predict"),
        *_dates("trade_date", large=True),
        r.unique(["account_name", "fill_id", "_load_seq"], "one row per fill per loaded version"),
        r.in_set(
            "side", ["B", "S", "T", "C"], "buy, sell, short, cover: anything else breaks position signs"
        ),
        r.positive("qty", "a fill trades a positive number of shares"),
        r.positive("price", "a fill trades at a positive price"),
        r.between("price", "above $1M a share is a misplaced decimal", WARNING, high=1_000_000),
        r.fees_per_share(),
        r.between("comm", "commissions are charged, never paid out", WARNING, low=0),
        r.in_set("currency", ["USD"], "P&L is summed in USD; another currency needs conversion", WARNING),
    ]


def _daily_pnl(row_key: list[str]) -> list:
    return [
        *r.not_nulls(row_key[:1] + ["net"], "required in the export"),
        *_dates("trade_date"),
        r.unique([*row_key, "_load_seq"], "one row per key per loaded version"),
        r.between(
            "chk_net_gap_beyond_rounding",
            "net = gross - fees, within half a cent per rounded cell",
            WARNING,
            high=0,
        ),
        r.between("fills", "a count of fills is never negative", WARNING, low=0),
    ]


def _totals() -> list:
    return [
        *_daily_pnl(["account_name", "trade_date", "symbol"]),
        r.not_null("symbol", "key"),
        r.fees_per_share(),
    ]


def _summary() -> list:
    return _daily_pnl(["account_name", "trade_date", "type"])


def _accounts() -> list:
    return [
        *r.not_nulls(["account_id", "account_name"], "the account list keys accounts by id and name"),
        r.unique(["account_id", "_load_seq"], "one row per account per loaded version"),
        r.unique(["account_name", "_load_seq"], "an account name maps to one id", WARNING),
        r.at_least("last_traded", "first_traded", "an account stops trading after it starts", WARNING),
    ]


def _market() -> list:
    return [
        r.rows_at_least(1, "no market data: the calendar falls back to weekdays", WARNING),
        *r.not_nulls(["symbol", "close"], "required in the market file"),
        *_dates("market_date", EARLIEST_MARKET_DATE),
        r.unique(["symbol", "market_date", "_load_seq"], "one bar per symbol-day per loaded version"),
        r.positive("close", "a close is positive"),
        r.at_least("high", "low", "a bar's high is not below its low", WARNING),
    ]


def _load_log() -> list:
    return [
        *r.not_nulls(["load_id", "file_sha256", "status"], "the load log identifies every file"),
        r.unique(["load_id"], "one row per loaded file"),
        r.unique(["file_sha256"], "the same bytes load once", WARNING),
        r.in_set("status", LOAD_STATUSES, "the statuses ingest writes"),
        r.in_set("status", ["loaded"], "a file was rejected whole: see raw.quarantine", WARNING),
        r.between("chk_rows_unaccounted", "rows read = loaded + unchanged + quarantined", low=0, high=0),
        r.between(
            "chk_quarantine_rate",
            f"under {MAX_QUARANTINE_RATE:.0%} of a file's rows quarantined",
            WARNING,
            high=MAX_QUARANTINE_RATE,
        ),
    ]


def _quarantine() -> list:
    return [
        r.not_null("reason", "every quarantined row says why"),
        r.not_null("raw_text", "the exact source text is kept", WARNING),
        gxe.ExpectTableRowCountToEqual(value=0, severity=INFO, meta={"why": "rows were quarantined"}),
    ]


def _trader_accounts() -> list:
    return [
        *r.not_nulls(["trader_id", "account_name"], "the trader config maps accounts to traders"),
        r.unique(["account_name", "_load_seq"], "an account belongs to one trader per config version"),
    ]


def raw_checks() -> list[CheckedTable]:
    """Every raw suite, in the order they run."""
    line = ("_load_seq", "_source_line")  # where a failing row came from: file version and line
    dated = {"parameters": ("run_date",)}
    return [
        raw_schema_check(),
        CheckedTable(
            "raw_fills",
            "raw.fills",
            # Only the checked columns: the one large table (raw_schema checks all the columns).
            f"select {FILLS_CHECKED}, ({FEES_SUM}) / nullif(qty, 0) as chk_fees_per_share from raw.fills",
            _fills,
            ("account_name", *line),
            **dated,
        ),
        CheckedTable(
            "raw_totals_by_date",
            "raw.totals_by_date",
            f"""select *, {NET_GAP_BEYOND_ROUNDING} as chk_net_gap_beyond_rounding,
                       ({FEES_SUM}) / nullif(qty, 0) as chk_fees_per_share
                from raw.totals_by_date""",
            _totals,
            ("account_name", *line),
            **dated,
        ),
        CheckedTable(
            "raw_summary_by_date",
            "raw.summary_by_date",
            f"select *, {NET_GAP_BEYOND_ROUNDING} as chk_net_gap_beyond_rounding from raw.summary_by_date",
            _summary,
            ("account_name", *line),
            **dated,
        ),
        CheckedTable("raw_accounts", "raw.accounts", "select * from raw.accounts", _accounts, line),
        CheckedTable(
            "raw_market_daily", "raw.market_daily", "select * from raw.market_daily", _market, line, **dated
        ),
        CheckedTable(
            "raw_load_log",
            "raw.load_log",
            """select *,
                      rows_read - rows_loaded - rows_unchanged - rows_quarantined as chk_rows_unaccounted,
                      rows_quarantined / nullif(rows_read, 0) as chk_quarantine_rate
               from raw.load_log""",
            _load_log,
            ("source_file",),
        ),
        CheckedTable(
            "raw_quarantine",
            "raw.quarantine",
            "select * from raw.quarantine",
            _quarantine,
            ("_source_file", "line_number"),
        ),
        CheckedTable(
            "raw_trader_accounts",
            "raw.trader_accounts",
            "select * from raw.trader_accounts",
            _trader_accounts,
            ("_load_seq", "account_name"),
        ),
    ]
