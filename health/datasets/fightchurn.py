"""The fight-churn simulation's CSV export (bench/datasets/fightchurn_export.py) as API
payloads.

Files in the directory (no header rows, as the simulation writes them):
  account.csv       id,channel,date_of_birth,country       -> an account; channel = segment
  subscription.csv  account_id,product,start,end,mrr,...  -> a subscription (end exclusive)
  event.csv         account_id,time,event_type_id,user,value -> an event
  event_type.csv    event_type_id,name
  meta.json         {"end_date": "YYYY-MM-DD", ...}: the simulation's end

The simulation bills month by month up to its end date and lets the customers still there
run on to their next renewal: a subscription ending after the end date is loaded
open-ended (still a customer), and events from the end date on are left out, so the data
ends the day before it and churn (health.backtest.churn_dates) is a last subscription
ending on or before that.
"""

import csv
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from .load import DatasetError, DatasetPayloads

__all__ = ["fightchurn_read"]

PREFIX = "fc-"


def _rows(path: Path, width: int) -> list[list[str]]:
    if not path.exists():
        raise DatasetError(f"{path.name} is missing from {path.parent}")
    with path.open(newline="") as f:
        rows = [r for r in csv.reader(f) if r]
    for n, row in enumerate(rows, 1):
        if len(row) < width:
            raise DatasetError(f"{path.name} line {n}: {len(row)} columns, expected {width}")
    return rows


def fightchurn_read(directory: str) -> DatasetPayloads:
    folder = Path(directory)
    types = {r[0]: r[1] for r in _rows(folder / "event_type.csv", 2)}
    subs = _rows(folder / "subscription.csv", 5)
    event_path = folder / "event.csv"
    if not event_path.exists():
        raise DatasetError(f"event.csv is missing from {folder}")
    try:
        end = date.fromisoformat(json.loads((folder / "meta.json").read_text())["end_date"][:10])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DatasetError(f"meta.json in {folder}: no end_date ({exc})") from exc
    last_day = end - timedelta(days=1)
    cutoff = end.isoformat()

    first: dict[str, date] = {}
    subscriptions = []
    for n, (account, product, start, end_, mrr, *_rest) in enumerate(subs, 1):
        start_day, end_day = date.fromisoformat(start), date.fromisoformat(end_)
        if start_day > last_day:
            continue
        first[account] = min(first.get(account, start_day), start_day)
        subscriptions.append(
            {
                "external_id": f"{PREFIX}sub-{account}-{n}",
                "account": PREFIX + account,
                "plan": product,
                "mrr": str(Decimal(mrr).quantize(Decimal("0.01"))),
                "start_date": start,
                "end_date": None if end_day > end else end_,
            }
        )
    accounts = [
        {
            "external_id": PREFIX + r[0],
            "name": f"Customer {r[0]}",
            "segment": r[1],
            "created_at": f"{first.get(r[0], last_day).isoformat()}T00:00:00Z",
        }
        for r in _rows(folder / "account.csv", 2)
    ]

    def events():
        with event_path.open(newline="") as f:
            for n, row in enumerate(csv.reader(f), 1):
                if not row or row[1][:10] >= cutoff:
                    continue
                name = types.get(row[2])
                if name is None:
                    raise DatasetError(f"event.csv line {n}: unknown event type {row[2]!r}")
                yield {
                    "account": PREFIX + row[0],
                    "event": name,
                    "occurred_at": row[1].replace(" ", "T") + "Z",
                    "message_id": f"{PREFIX}{n}",
                }

    return DatasetPayloads(
        accounts=accounts,
        subscriptions=subscriptions,
        events=events,
        last_day=last_day,
        notes={"format": "fightchurn", "event_types": sorted(types.values())},
    )
