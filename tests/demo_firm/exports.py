"""Independent readers for the demo exports: by header name, parenthesised negatives, FIFO.

Money is parsed exactly: report cells to integer cents, fills' fee cells to integer $0.0001.
"""

from __future__ import annotations

import csv
from collections import defaultdict, deque
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

FEES = ["Comm", "Ecn Fee", "SEC", "ORF", "CAT", "TAF", "FTT", "NSCC", "Acc", "Clr", "Misc"]
SUMMARY_LABELS = ("Equities", "Daily Total", "Fee:", "Cash:")


def to_units(text: str, places: int) -> int:
    """`(1,234.5600)` / `-0.2000` → an exact integer count of 10**-places; more places is an error."""
    text = text.strip()
    if not text:
        return 0
    negative = text.startswith("(") or text.startswith("-")
    value = Decimal(text.strip("()-").replace(",", ""))
    assert -value.as_tuple().exponent <= places, f"{text!r} has more than {places} decimals"
    units = int(value.scaleb(places))
    return -units if negative else units


def to_cents(text: str) -> int:
    return to_units(text, 2)


def to_e4(text: str) -> int:
    return to_units(text, 4)


def round_cents(e4: int) -> int:
    """$0.0001 units → cents, half away from zero (Decimal's ROUND_HALF_UP)."""
    return int(Decimal(int(e4)).scaleb(-2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def read_fills(paths: list[Path]) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(paths)]
    fills = pd.concat(frames, ignore_index=True)
    for fee in FEES:
        fills[fee] = fills[fee].fillna("") if fee in fills else ""
    fills["date"] = pd.to_datetime(fills["Date/Time"], format="%m/%d/%Y %H:%M:%S").dt.normalize()
    fills["qty"] = fills["Qty"].astype(int)
    fills["price_c"] = fills["Price"].map(to_cents)
    for fee in FEES:
        fills[f"{fee}_e4"] = fills[fee].map(to_e4)
    fills["fees_e4"] = sum(fills[f"{fee}_e4"] for fee in FEES)
    return fills


def read_totals(path: Path, summary_lines: bool = False) -> pd.DataFrame:
    """Per-symbol rows of a totalsByDate file with the block's date (or only its summary lines)."""
    rows, day, header = [], None, None
    with open(path, encoding="utf-8", newline="") as handle:
        for cells in csv.reader(handle):
            if len(cells) == 1 and cells[0].count("/") == 2:
                day, header = pd.Timestamp(cells[0]), None
            elif header is None:
                header = cells
            elif cells[0].startswith(SUMMARY_LABELS) == summary_lines:
                rows.append({"date": day, **dict(zip(header, cells, strict=True))})
    return pd.DataFrame(rows)


def fifo_gross(fills: pd.DataFrame) -> dict[tuple, int]:
    """Realised gross in cents per (date, symbol), plain FIFO over fills in file order."""
    lots: dict[str, deque] = defaultdict(deque)
    gross: dict[tuple, int] = defaultdict(int)
    for day, side, symbol, qty, price in fills[["date", "B/S", "Symbol", "qty", "price_c"]].itertuples(
        index=False
    ):
        signed = qty if side in ("B", "C") else -qty
        book = lots[symbol]
        gross[(day, symbol)] += 0
        while signed and book and (book[0][0] > 0) != (signed > 0):
            lot_qty, lot_price = book[0]
            matched = min(abs(lot_qty), abs(signed))
            direction = 1 if lot_qty > 0 else -1  # long lot closed by a sell, or short by a buy
            gross[(day, symbol)] += direction * matched * (price - lot_price)
            lot_qty -= direction * matched
            signed += direction * matched
            if lot_qty:
                book[0] = (lot_qty, lot_price)
            else:
                book.popleft()
        if signed:
            book.append((signed, price))
    return dict(gross)
