import pytest

from riskman.ingest.formats import ACCOUNTS, FILLS, MARKET_DAILY, SUMMARY_BY_DATE, TOTALS_BY_DATE
from riskman.ingest.readers import detect_kind, read_file
from riskman.propreports_api.client import parse_page_trailer
from tests.ingest.exports import FILLS_HEADER, SUMMARY_HEADER, TOTALS_HEADER, fill


def test_detect_kind_by_header_not_by_file_name():
    assert detect_kind((FILLS_HEADER + "\n").encode()) is FILLS
    assert detect_kind(("1/4/2016\n" + TOTALS_HEADER + "\n").encode()) is TOTALS_BY_DATE
    assert detect_kind((SUMMARY_HEADER + "\n").encode()) is SUMMARY_BY_DATE
    assert detect_kind(b"Account Id, Account Name, First Traded, Last Traded\n") is ACCOUNTS
    assert detect_kind(b"Date,Symbol,Open,High,Low,Close,Adj Close,Volume\n") is MARKET_DAILY
    assert detect_kind(b"foo,bar\n1,2\n") is None
    assert detect_kind(b"") is None


@pytest.mark.parametrize("trailer", ["Page 1/3", "Page  1 / 3", "  Page\t1/3  "])
def test_fills_reader_numbers_lines_and_skips_the_page_trailer(trailer):
    text = "\n".join(
        [
            FILLS_HEADER,
            fill("01/04/2016 09:31:05", "A", "B", "100", "TSLA", "240.1", "1"),
            fill("01/04/2016 09:32:05", "A", "S", "100", "TSLA", "240.2", "2"),
            trailer,
            "",
        ]
    )
    assert parse_page_trailer(text) == (1, 3), "the API client reads the same trailer"
    parsed = read_file(FILLS, text.encode(), "A")
    assert parsed.cells.num_rows == 2
    assert parsed.cells["_line"].to_pylist() == [2, 3]
    assert parsed.cells["Fill Id"].to_pylist() == ["1", "2"]
    assert parsed.skipped_lines == 1
    assert parsed.rejected == []


def test_fills_reader_rejects_a_truncated_line_with_its_number_and_text():
    truncated = fill("01/04/2016 09:32:05", "A", "S", "100", "TSLA", "240.2", "2")[:40]
    text = "\n".join(
        [FILLS_HEADER, truncated, fill("01/04/2016 09:33:05", "A", "S", "100", "TSLA", "240.2", "3")]
    )
    parsed = read_file(FILLS, text.encode(), "A")
    assert [(r.line, r.text) for r in parsed.rejected] == [(2, truncated)]
    assert "expected 26 fields" in parsed.rejected[0].reason
    assert parsed.cells["_line"].to_pylist() == [3]


def test_fills_reader_keeps_unknown_columns_and_tolerates_missing_fee_columns():
    header = FILLS_HEADER.replace(",CAT", "").replace(",FTT", "") + ",Tag"
    row = fill("01/04/2016 09:31:05", "A", "B", "100", "TSLA", "240.1", "1").split(",")
    del row[12], row[14]  # CAT and FTT cells
    parsed = read_file(FILLS, (header + "\n" + ",".join(row) + ",scalp\n").encode(), "A")
    assert "CAT" not in parsed.cells.column_names
    assert parsed.cells["Tag"].to_pylist() == ["scalp"]


def test_totals_reader_reads_date_blocks_and_skips_summary_lines():
    text = "\n".join(
        [
            "1/4/2016",
            TOTALS_HEADER,
            'TSLA,2,2,200,"1,100.00",0.70,-0.40,0,0,0,0,0,0,0,0,0,"1,099.70",0,"1,099.70",0',
            'AMD,1,1,50,"(2,005.00)",0.35,0,0,0,0,0,0,0,0,0,0,"(2,005.35)",0,"(2,005.35)",0',
            "Equities,3,3,250,(905.00),1.05,-0.40,0,0,0,0,0,0,0,0,0,(905.65),0,(905.65),0",
            "Fee: Software & MD,,,,,,,,,,,,,,,,(10.00),,,",
            "Daily Total,3,3,250,(905.00),1.05,-0.40,0,0,0,0,0,0,0,0,0,(915.65),0,(915.65),0",
            "Cash:,12345.00",
            "1/5/2016",
            TOTALS_HEADER,
            "AAPL,1,1,10,1.00,0.04,0,0,0,0,0,0,0,0,0,0,0.96,0,0.96,0",
        ]
    )
    parsed = read_file(TOTALS_BY_DATE, text.encode("utf-8"), "ALPHA")
    cells = parsed.cells.to_pydict()
    assert cells["Symbol"] == ["TSLA", "AMD", "AAPL"]
    assert cells["__date_from_block"] == ["1/4/2016", "1/4/2016", "1/5/2016"]
    assert cells["__account_from_folder"] == ["ALPHA"] * 3
    assert cells["Gross"][1] == "(2,005.00)"
    assert cells["_line"] == [3, 4, 11]
    assert parsed.skipped_lines == 4


def test_summary_reader_skips_the_totals_row():
    text = "\n".join(
        [
            SUMMARY_HEADER,
            "1/4/2016,Eq,2,2,200,100.00,0.70,-0.40,0,0,0,0,0,0,0,0,0,0.30,99.70,0,0,0,99.70,0,99.70,0,0,1,0,1",
            "Equities,,2,2,200,100.00,0.70,-0.40,0,0,0,0,0,0,0,0,0,0.30,99.70,0,0,0,99.70,0,99.70,0,0,,,",
        ]
    )
    parsed = read_file(SUMMARY_BY_DATE, text.encode("utf-8"), "ALPHA")
    assert parsed.cells["Date"].to_pylist() == ["1/4/2016"]
    assert parsed.cells["__account_from_folder"].to_pylist() == ["ALPHA"]
    assert parsed.skipped_lines == 1
