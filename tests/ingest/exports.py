"""Hand-written PropReports exports for parser and loader tests (real header names and quirks)."""

from __future__ import annotations

from pathlib import Path

FILLS_HEADER = (
    "Date/Time,Account,B/S,Qty,Symbol,Price,Route,Liq,Comm,Ecn Fee,SEC,ORF,CAT,TAF,FTT,NSCC,"
    "Acc,Clr,Misc,Order Id,Fill Id,Currency,ISIN,CUSIP,Status,PropReports Id"
)
TOTALS_HEADER = (
    "Symbol,Orders,Fills,Qty,Gross,Comm,Ecn Fee,SEC,ORF,CAT,TAF,FTT,NSCC,Acc,Clr,Misc,Net,"
    "Unrealized δ,Total δ,Unrealized"
)
SUMMARY_HEADER = (
    "Date,Type,Orders,Fills,Qty,Gross,Comm,Ecn Fee,SEC,ORF,CAT,TAF,FTT,NSCC,Acc,Clr,Misc,"
    "Trade Fees,Net,Fee: Software & MD,Fee: VAT,Adj Fees,Adj Net,Unrealized Δ,Total Δ,"
    "Transfer: Deposit,Transfers,Cash,Unrealized,End Balance"
)


def fill(
    time: str,
    account: str,
    side: str,
    qty: str,
    symbol: str,
    price: str,
    fill_id: str,
    comm: str = "0.35",
    ecn: str = "-0.20",
) -> str:
    fees = [comm, ecn, "0", "0", "0", "0", "0", "0", "0", "0", "0"]
    return ",".join(
        [
            time,
            account,
            side,
            qty,
            symbol,
            price,
            "ARCA",
            "A",
            *fees,
            f"O{fill_id}",
            fill_id,
            "USD",
            "",
            "",
            "",
            f"P{fill_id}",
        ]
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def small_firm(root: Path) -> Path:
    """Two accounts, two days: buys and sells that round-trip, one account with a loss."""
    write(
        root / "accounts.csv",
        "Account Id, Account Name, First Traded, Last Traded, Currency, Cash, Unrealized\n"
        '101,ALPHA,01/04/2016,01/05/2016,USD,"25,000.00",0\n'
        "102,BRAVO,01/04/2016,01/05/2016,USD,10000,0\n",
    )
    write(
        root / "ALPHA" / "fills_2016-01.csv",
        "\n".join(
            [
                FILLS_HEADER,
                fill("01/04/2016 09:31:05", "ALPHA", "B", "100", "TSLA", "240.10", "1"),
                fill("01/04/2016 10:02:00", "ALPHA", "S", "100", "TSLA", "241.10", "2"),
                fill("01/05/2016 09:45:00", "ALPHA", "T", "200", "AAPL", "105.00", "3"),
                fill("01/05/2016 11:00:00", "ALPHA", "C", "200", "AAPL", "105.50", "4"),
            ]
        )
        + "\n",
    )
    write(
        root / "ALPHA" / "totalsByDate_2016-01.csv",
        "\n".join(
            [
                "1/4/2016",
                TOTALS_HEADER,
                "TSLA,2,2,200,100.00,0.70,-0.40,0,0,0,0,0,0,0,0,0,99.70,0,99.70,0",
                "Equities,2,2,200,100.00,0.70,-0.40,0,0,0,0,0,0,0,0,0,99.70,0,99.70,0",
                "Daily Total,2,2,200,100.00,0.70,-0.40,0,0,0,0,0,0,0,0,0,99.70,0,99.70,0",
                "1/5/2016",
                TOTALS_HEADER,
                "AAPL,2,2,400,(100.00),0.70,-0.40,0,0,0,0,0,0,0,0,0,(100.30),0,(100.30),0",
                "Equities,2,2,400,(100.00),0.70,-0.40,0,0,0,0,0,0,0,0,0,(100.30),0,(100.30),0",
            ]
        )
        + "\n",
    )
    write(
        root / "ALPHA" / "summaryByDate_2016.csv",
        "\n".join(
            [
                SUMMARY_HEADER,
                "1/4/2016,Eq,2,2,200,100.00,0.70,-0.40,0,0,0,0,0,0,0,0,0,0.30,99.70,0,0,0,99.70,0,99.70,0,0,25099.70,0,25099.70",
                "1/5/2016,Eq,2,2,400,-100.00,0.70,-0.40,0,0,0,0,0,0,0,0,0,0.30,-100.30,0,0,0,-100.30,0,-100.30,0,0,24999.40,0,24999.40",
                "Equities,,4,4,600,0.00,1.40,-0.80,0,0,0,0,0,0,0,0,0,0.60,-0.60,0,0,0,-0.60,0,-0.60,0,0,,,",
            ]
        )
        + "\n",
    )
    write(
        root / "BRAVO" / "fills_2016-01.csv",
        "\n".join(
            [
                FILLS_HEADER,
                fill("01/04/2016 15:55:00", "BRAVO", "B", "50", "AMD", "2.50", "10"),
                fill("01/04/2016 15:58:00", "BRAVO", "S", "50", "AMD", "2.40", "11"),
            ]
        )
        + "\n",
    )
    write(
        root / "BRAVO" / "totalsByDate_2016-01.csv",
        "\n".join(
            [
                "1/4/2016",
                TOTALS_HEADER,
                "AMD,2,2,100,(5.00),0.35,0,0,0,0,0,0,0,0,0,0,(5.35),0,(5.35),0",
            ]
        )
        + "\n",
    )
    write(
        root / "market_daily.csv",
        "Date,Symbol,Open,High,Low,Close,Adj Close,Volume\n"
        "2016-01-04,SPX,2038.2,2038.2,1989.68,2012.66,2012.66,4304880000\n"
        "2016-01-04,VIX,,,,20.7,,\n",
    )
    return root
