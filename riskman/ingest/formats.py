"""The PropReports export formats, one declaration each: header names, raw column names, types.

Parsing is always by header name (docs/architecture.md §3). A missing optional column is NULL in raw
(staging reads a missing fee as zero); an unknown column is kept in `extra_columns` (JSON).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Value kinds understood by the SQL cast builder (riskman.ingest.casting).
TEXT, INT, QUANTITY, MONEY, DATE_MDY, DATE_ISO, TIMESTAMP_MDY = (
    "text",
    "int",
    "quantity",
    "money",
    "date_mdy",
    "date_iso",
    "timestamp_mdy",
)

# The oldest plausible date of a row, by what it records; an earlier one was parsed wrongly (a
# two-digit year, a swapped field), not history. Day trading through PropReports-style back
# offices is electronic (1990s on); daily index histories reach back to the 1920s. A row dated
# after the day it was loaded is impossible too: both are quarantined at ingest.
EARLIEST_TRADE_DATE = date(1990, 1, 1)
EARLIEST_MARKET_DATE = date(1900, 1, 1)

# Context the readers add as pseudo-columns: per-account reports carry the account only in the
# folder name, and totalsByDate carries the date only in its block's opening line.
ACCOUNT_FROM_FOLDER = "__account_from_folder"
DATE_FROM_BLOCK = "__date_from_block"

FEE_HEADERS = ["Comm", "Ecn Fee", "SEC", "ORF", "CAT", "TAF", "FTT", "NSCC", "Acc", "Clr", "Misc"]


@dataclass(frozen=True)
class Column:
    header: str
    name: str
    kind: str = TEXT
    required: bool = False
    choices: tuple[str, ...] = ()  # the only values a text cell may hold
    positive: bool = False  # a number that must be > 0
    # The date a row records (a fill's execution, a report's day): no earlier than this, and no
    # later than the day it is loaded.
    earliest: date | None = None


@dataclass(frozen=True)
class FileKind:
    """One export format: where it lands in `raw` and how its rows are versioned."""

    name: str
    table: str
    columns: tuple[Column, ...]
    # Rows sharing these raw columns form one version block: a re-export of the block that
    # differs in any row is loaded as a new version of the whole block (never an overwrite).
    block_key: tuple[str, ...]
    signature: tuple[str, ...] = field(default=())
    # Columns that identify one row inside a file; a second row with the same key is a duplicate.
    row_key: tuple[str, ...] = field(default=())
    # Raw columns computed from cast columns (name, SQL expression).
    derived: tuple[tuple[str, str], ...] = field(default=())
    # SQL over raw columns naming one real-world row across files and days (a fill), if any: the
    # same row arriving in another day's block (an overlapping export) is a duplicate or a
    # conflict, never a second row.
    natural_key: str = ""

    def by_header(self) -> dict[str, Column]:
        return {column.header: column for column in self.columns}


SQL_TYPES = {
    TEXT: "varchar",
    INT: "bigint",
    # PropReports quantities carry up to eight decimals (fractional shares, crypto).
    QUANTITY: "decimal(24, 8)",
    # Exact money: reconciliation compares cents, which doubles would blur.
    MONEY: "decimal(18, 6)",
    DATE_MDY: "date",
    DATE_ISO: "date",
    TIMESTAMP_MDY: "timestamp",
}


def _snake(header: str) -> str:
    cleaned = "".join(ch.lower() if ch.isalnum() else "_" for ch in header)
    return "_".join(part for part in cleaned.split("_") if part)


def _fees() -> list[Column]:
    return [Column(header, _snake(header), MONEY) for header in FEE_HEADERS]


FILLS = FileKind(
    name="fills",
    table="raw.fills",
    columns=(
        Column("Date/Time", "trade_time", TIMESTAMP_MDY, required=True, earliest=EARLIEST_TRADE_DATE),
        Column("Account", "account_name", TEXT, required=True),
        Column("B/S", "side", TEXT, required=True, choices=("B", "S", "T", "C")),
        Column("Qty", "qty", QUANTITY, required=True, positive=True),
        Column("Symbol", "symbol", TEXT, required=True),
        Column("Price", "price", MONEY, required=True, positive=True),
        Column("Route", "route"),
        Column("Liq", "liq"),
        *_fees(),
        Column("Order Id", "order_id"),
        Column("Fill Id", "fill_id", TEXT, required=True),
        Column("Currency", "currency"),
        Column("ISIN", "isin"),
        Column("CUSIP", "cusip"),
        Column("Status", "status"),
        Column("PropReports Id", "propreports_id"),
    ),
    block_key=("account_name", "trade_date"),
    signature=("Date/Time", "B/S", "Qty", "Symbol", "Price"),
    row_key=("account_name", "fill_id"),
    derived=(("trade_date", "cast(trade_time as date)"),),
    # As staging's fill_key: PropReports' own id, else the fill id within its account.
    natural_key="coalesce(propreports_id, account_name || ':' || fill_id)",
)

_TOTALS_NUMBERS = [
    Column("Orders", "orders", INT),
    Column("Fills", "fills", INT),
    Column("Qty", "qty", QUANTITY),
    Column("Gross", "gross", MONEY),
    *_fees(),
]

TOTALS_BY_DATE = FileKind(
    name="totals_by_date",
    table="raw.totals_by_date",
    columns=(
        Column(ACCOUNT_FROM_FOLDER, "account_name", TEXT, required=True),
        Column(DATE_FROM_BLOCK, "trade_date", DATE_MDY, required=True, earliest=EARLIEST_TRADE_DATE),
        Column("Symbol", "symbol", TEXT, required=True),
        *_TOTALS_NUMBERS,
        Column("Net", "net", MONEY, required=True),
        Column("Unrealized δ", "unrealized_delta", MONEY),
        Column("Total δ", "total_delta", MONEY),
        Column("Unrealized", "unrealized", MONEY),
    ),
    block_key=("account_name", "trade_date"),
    row_key=("account_name", "trade_date", "symbol"),
    signature=("Symbol", "Orders", "Fills", "Gross", "Net"),
)

SUMMARY_BY_DATE = FileKind(
    name="summary_by_date",
    table="raw.summary_by_date",
    columns=(
        Column(ACCOUNT_FROM_FOLDER, "account_name", TEXT, required=True),
        Column("Date", "trade_date", DATE_MDY, required=True, earliest=EARLIEST_TRADE_DATE),
        Column("Type", "type"),
        *_TOTALS_NUMBERS,
        Column("Trade Fees", "trade_fees", MONEY),
        Column("Net", "net", MONEY, required=True),
        Column("Fee: Software & MD", "fee_software_md", MONEY),
        Column("Fee: VAT", "fee_vat", MONEY),
        Column("Fee: Daily Interest", "fee_daily_interest", MONEY),
        Column("Adj Fees", "adj_fees", MONEY),
        Column("Adj Net", "adj_net", MONEY),
        Column("Unrealized Δ", "unrealized_delta", MONEY),
        Column("Total Δ", "total_delta", MONEY),
        Column("Transfer: Deposit", "transfer_deposit", MONEY),
        Column("Transfers", "transfers", MONEY),
        Column("Cash", "cash", MONEY),
        Column("Unrealized", "unrealized", MONEY),
        Column("End Balance", "end_balance", MONEY),
    ),
    block_key=("account_name", "trade_date"),
    row_key=("account_name", "trade_date", "type"),
    signature=("Date", "Type", "Gross", "Net"),
)

ACCOUNTS = FileKind(
    name="accounts",
    table="raw.accounts",
    columns=(
        Column("Account Id", "account_id", TEXT, required=True),
        Column("Account Name", "account_name", TEXT, required=True),
        Column("First Traded", "first_traded", DATE_MDY),
        Column("Last Traded", "last_traded", DATE_MDY),
        Column("Currency", "currency"),
        Column("Cash", "cash", MONEY),
        Column("Unrealized", "unrealized", MONEY),
    ),
    block_key=("account_id",),
    row_key=("account_id",),
    signature=("Account Id", "Account Name"),
)

MARKET_DAILY = FileKind(
    name="market_daily",
    table="raw.market_daily",
    columns=(
        Column("Date", "market_date", DATE_ISO, required=True, earliest=EARLIEST_MARKET_DATE),
        Column("Symbol", "symbol", TEXT, required=True),
        Column("Open", "open", MONEY),
        Column("High", "high", MONEY),
        Column("Low", "low", MONEY),
        Column("Close", "close", MONEY, required=True),
        Column("Adj Close", "adj_close", MONEY),
        Column("Volume", "volume", INT),
    ),
    block_key=("symbol", "market_date"),
    row_key=("symbol", "market_date"),
    signature=("Date", "Symbol", "Close"),
)

FILE_KINDS: tuple[FileKind, ...] = (FILLS, TOTALS_BY_DATE, SUMMARY_BY_DATE, ACCOUNTS, MARKET_DAILY)
KINDS_BY_NAME = {kind.name: kind for kind in FILE_KINDS}
