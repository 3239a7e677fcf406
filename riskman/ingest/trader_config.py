"""The firm's trader ↔ account mapping (YAML config) as rows for `raw.trader_accounts`.

Trader identity is config, not the account name (docs/architecture.md §3). The config is loaded like an
export file: hashed, logged in `raw.load_log`, and appended as a new version when it changes.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import yaml

TRADER_ACCOUNTS_DDL = """
create table if not exists raw.trader_accounts (
    trader_id varchar not null,
    trader_name varchar,
    desk varchar,
    account_name varchar not null,
    daily_loss_limit decimal(18, 6),
    _source_file varchar not null,
    _load_id varchar not null,
    _load_seq bigint not null,
    _loaded_at timestamptz not null
)
"""


class TraderConfigError(ValueError):
    """The trader config cannot be used; the message names the file and the entry."""


def parse_trader_config(data: bytes, source: Path) -> pa.Table:
    """One row per (trader, account) from `traders: [{trader_id, accounts, ...}]`."""
    try:
        document = yaml.safe_load(data) or {}
    except yaml.YAMLError as exc:
        raise TraderConfigError(f"{source}: not valid YAML ({exc})") from exc
    traders = document.get("traders") if isinstance(document, dict) else None
    if traders is None:
        traders = []
    if not isinstance(traders, list):
        raise TraderConfigError(f"{source}: `traders` must be a list")
    rows: dict[str, list] = {k: [] for k in ("trader_id", "trader_name", "desk", "account_name", "limit")}
    owner: dict[str, str] = {}
    for position, entry in enumerate(traders, start=1):
        if not isinstance(entry, dict) or not entry.get("trader_id") or not entry.get("accounts"):
            raise TraderConfigError(f"{source}: trader #{position} needs `trader_id` and `accounts`")
        trader_id = str(entry["trader_id"])
        for account in entry["accounts"]:
            account = str(account)
            if account in owner and owner[account] != trader_id:
                raise TraderConfigError(
                    f"{source}: account {account} is mapped to both {owner[account]} and {trader_id}"
                )
            owner[account] = trader_id
            rows["trader_id"].append(trader_id)
            rows["trader_name"].append(entry.get("name"))
            rows["desk"].append(entry.get("desk"))
            rows["account_name"].append(account)
            limit = entry.get("daily_loss_limit")
            rows["limit"].append(None if limit is None else str(limit))
    return pa.table(
        {
            "trader_id": pa.array(rows["trader_id"], pa.string()),
            "trader_name": pa.array(rows["trader_name"], pa.string()),
            "desk": pa.array(rows["desk"], pa.string()),
            "account_name": pa.array(rows["account_name"], pa.string()),
            "daily_loss_limit": pa.array(rows["limit"], pa.string()),
        }
    )
