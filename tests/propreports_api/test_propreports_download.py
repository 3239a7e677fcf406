"""download_exports: raw responses land in the export layout, atomically and idempotently."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riskman.propreports_api import download_exports
from riskman.propreports_api.download import parse_accounts, write_atomic

START, END = date(2024, 1, 1), date(2024, 1, 31)
SPAN = "2024-01-01_2024-01-31"


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_download_writes_the_export_layout(fake, make_client, tmp_path):
    summary = download_exports(make_client(fake), tmp_path, START, END)
    assert sorted(snapshot(tmp_path)) == sorted(
        [
            "accounts.csv",
            f"_responses/TRADER1/fills_{SPAN}_p1.csv",
            f"_responses/TRADER1/fills_{SPAN}_p2.csv",
            f"_responses/TRADER1/fills_{SPAN}_p3.csv",
            f"TRADER1/fills_{SPAN}.csv",
            f"TRADER1/totalsByDate_{SPAN}.csv",
            f"TRADER1/summaryByDate_{SPAN}.csv",
            f"_responses/TRADER2/fills_{SPAN}_p1.csv",
            f"TRADER2/fills_{SPAN}.csv",
            f"TRADER2/totalsByDate_{SPAN}.csv",
            f"TRADER2/summaryByDate_{SPAN}.csv",
        ]
    )  # TRADER1_OLD stopped trading in 2023 and NEWBIE never traded
    assert (summary.accounts, summary.pages, summary.files_written) == (2, 4, 11)
    assert summary.requests == 1 + 1 + 4 + 4  # login, accounts, fills pages, reports
    page = (tmp_path / "_responses" / "TRADER1" / f"fills_{SPAN}_p2.csv").read_text(encoding="utf-8")
    assert page.rstrip("\n").endswith("Page 2/3")
    joined = (tmp_path / "TRADER1" / f"fills_{SPAN}.csv").read_text(encoding="utf-8").splitlines()
    assert joined[0].startswith("Date/Time,") and len(joined) == 1 + len(fake.fills["TRADER1"])
    assert not any(line.startswith("Page") or line.startswith("Date/Time") for line in joined[1:])
    totals = (tmp_path / "TRADER1" / f"totalsByDate_{SPAN}.csv").read_text(encoding="utf-8")
    assert totals.startswith("1/2/2024\nSymbol,") and "Total δ" in totals


def test_download_rerun_writes_the_same_bytes(fake, make_client, tmp_path):
    client = make_client(fake)
    download_exports(client, tmp_path, START, END)
    first = snapshot(tmp_path)
    download_exports(client, tmp_path, START, END)
    assert snapshot(tmp_path) == first


def test_download_removes_pages_left_from_a_longer_earlier_export(fake, make_client, tmp_path):
    stale = tmp_path / "_responses" / "TRADER1" / f"fills_{SPAN}_p4.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("old page\n")
    download_exports(make_client(fake), tmp_path, START, END)
    assert not stale.exists()


def test_interrupted_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "TRADER1" / "totalsByDate.csv"
    write_atomic(target, "old\n")

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("riskman.propreports_api.download.os.replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new and longer\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in target.parent.iterdir()] == ["totalsByDate.csv"]


def test_parse_accounts_reads_by_header_name_and_tolerates_spaces():
    text = (
        "Currency, Account Name, Last Traded, Account Id, First Traded, Cash, Unrealized\n"
        'USD, ALPHA, 2024-03-28, 7, 2024-01-02, "1,000.00", 0\n'
        "USD, BETA, 12/29/2023, 8, 06/01/2023, 0, 0\n"
    )
    alpha, beta = parse_accounts(text)
    assert (alpha.account_id, alpha.name, alpha.first_traded) == ("7", "ALPHA", date(2024, 1, 2))
    assert alpha.overlaps(START, END)
    assert beta.last_traded == date(2023, 12, 29)
    assert not beta.overlaps(START, END)
