"""Binary COPY tuples built by NumPy for a whole chunk (PostgreSQL): the usage events, their
daily rollups and daily active contacts, with no per-row Python and nothing for the server to
parse."""

from datetime import date

import numpy as np

__all__ = ["DAILY_CONTACT_TUPLE", "PG_EPOCH", "EventRecords", "UsageRecords"]

PG_EPOCH = date(2000, 1, 1)  # binary dates count days from here, timestamps microseconds
# one AccountDailyContact row as a binary COPY tuple: (id int8, account_id int8, day date, contact_id int8)
DAILY_CONTACT_TUPLE = np.dtype(
    [
        ("n", ">i2"),
        ("l0", ">i4"),
        ("id", ">i8"),
        ("l1", ">i4"),
        ("account", ">i8"),
        ("l2", ">i4"),
        ("day", ">i4"),
        ("l3", ">i4"),
        ("contact", ">i8"),
    ]
)


class EventRecords:
    """UsageEvent rows as binary COPY tuples of one fixed size, filled by NumPy for a whole chunk
    (no per-row Python, and nothing for PostgreSQL to parse but the small properties JSON).
    Columns: id, account_id, occurred_at, the model's other nullable columns as NULL (message
    id), then contact_id, event, properties. The last three vary in size (a contact or NULL, the
    event name), so each row ends in one of 2 x 11 byte templates padded to one width: the
    padding is whitespace after the properties JSON, which jsonb drops (the stored value is the
    same). The contact id is written into the template's slot."""

    def __init__(self, null_columns: list[str], event_names: list[str], event_props: list[str]):
        import struct

        names = [n.encode() for n in event_names]
        props = [p.encode() for p in event_props]
        width = max(12 + 4 + len(n) + 4 + 1 + len(p) for n, p in zip(names, props, strict=True))
        self.tails = np.zeros((2 * len(names), width), np.uint8)  # 2e: with a contact, 2e + 1: without
        for e, (name, prop) in enumerate(zip(names, props, strict=True)):
            for null in (0, 1):
                contact = struct.pack(">i", -1) if null else struct.pack(">iq", 8, 0)
                head = contact + struct.pack(">i", len(name)) + name
                body = b"\x01" + prop + b" " * (width - len(head) - 4 - 1 - len(prop))
                self.tails[2 * e + null] = np.frombuffer(head + struct.pack(">i", len(body)) + body, np.uint8)
        fields = [("n", ">i2"), ("l0", ">i4"), ("id", ">i8"), ("l1", ">i4"), ("account", ">i8")]
        fields += [("l2", ">i4"), ("at", ">i8")] + [(f"null{k}", ">i4") for k in range(len(null_columns))]
        self.dtype = np.dtype([*fields, ("tail", np.uint8, (width,))])
        self.columns = ["id", "account_id", "occurred_at", *null_columns, "contact_id", "event", "properties"]
        self.n_fields = len(self.columns)
        self.n_nulls = len(null_columns)

    def build(self, first_id: int, account: np.ndarray, at_us: np.ndarray, contact: np.ndarray, name: np.ndarray):
        records = np.empty(len(account), self.dtype)
        records["n"], records["l0"], records["l1"], records["l2"] = self.n_fields, 8, 8, 8
        records["id"] = np.arange(first_id, first_id + len(account), dtype=np.int64)
        records["account"] = account
        records["at"] = at_us
        for k in range(self.n_nulls):
            records[f"null{k}"] = -1
        null = contact < 0
        tail = records["tail"]
        tail[:] = self.tails[2 * name + null]
        tail[~null, 4:12] = contact[~null].astype(">i8").view(np.uint8).reshape(-1, 8)
        return records


class UsageRecords:
    """AccountDailyUsage rows as binary COPY tuples, filled by NumPy for a whole chunk in 8-byte
    units (no per-row Python). The two JSON columns vary in length, so they are laid out from
    fixed-size pieces: a row is its fixed fields up to `{`, then one 32-byte piece per event
    name used that day (` "login":      3`, the first with a space where the others have a
    comma), then `}` and the contact list's length, then one piece per contact id (` 1234567`),
    then `]`. The padding is JSON whitespace, which jsonb drops: the stored values are exactly
    those of `[1234567, ...]` and `{"login": 3, ...}`."""

    COLUMNS = ["id", "account_id", "day", "events", "active_contacts", "features", "contact_ids"]
    DIGITS = 7  # an event name's count on one day
    HEAD = np.dtype(
        [
            ("n", ">i2"),
            ("l0", ">i4"),
            ("id", ">i8"),
            ("l1", ">i4"),
            ("account", ">i8"),
            ("l2", ">i4"),
            ("day", ">i4"),
            ("l3", ">i4"),
            ("events", ">i4"),
            ("l4", ">i4"),
            ("active", ">i4"),
            ("l5", ">i4"),  # features' length
            ("version", "u1"),
            ("open", "S1"),
        ]
    )
    MID = np.dtype([("close", "S2"), ("l6", ">i4"), ("version", "u1"), ("open", "S1")])  # " }", contact_ids' length

    def __init__(self, event_names: list[str]):
        quoted = [f'"{name}":'.encode() for name in event_names]
        self.piece = -(-(1 + max(map(len, quoted)) + self.DIGITS) // 8) * 8
        self.templates = np.full((len(quoted), self.piece), ord(" "), np.uint8)
        for e, text in enumerate(quoted):
            self.templates[e, 1 : 1 + len(text)] = np.frombuffer(text, np.uint8)
        self.columns = self.COLUMNS

    @staticmethod
    def _digits(values: np.ndarray, width: int) -> np.ndarray:
        """Right-aligned decimal digits of non-negative values, spaces before: (len, width) bytes."""
        if len(values) and int(values.max()) >= 10**width:
            raise ValueError(f"a value does not fit {width} digits")
        powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
        digits = (values[:, None] // powers) % 10 + ord("0")
        digits[(values[:, None] < powers) & (powers > 1)] = ord(" ")
        return digits.astype(np.uint8)

    def build(self, first_id, account, day, events, active, features, pair_row, pair_contact) -> np.ndarray:
        n = len(account)
        feature_row, feature_name = np.nonzero(features)  # row by row, names in order
        counts = features[feature_row, feature_name]
        used = np.bincount(feature_row, minlength=n)
        contact_width = -(-(1 + len(str(int(pair_contact.max(initial=0))))) // 8) * 8
        f_units, c_units = self.piece // 8, contact_width // 8
        units = 7 + f_units * used + 1 + c_units * active + 1
        start = np.concatenate([[0], np.cumsum(units)[:-1]])
        out = np.empty(int(units.sum()), np.uint64)

        head = np.empty(n, self.HEAD)
        head["n"] = len(self.COLUMNS)
        head["l0"], head["l1"], head["l2"], head["l3"], head["l4"] = 8, 8, 4, 4, 4
        head["id"] = np.arange(first_id, first_id + n, dtype=np.int64)
        head["account"], head["day"], head["events"], head["active"] = account, day, events, active
        head["l5"] = 1 + 1 + self.piece * used + 2  # version, "{", pieces, " }"
        head["version"], head["open"] = 1, b"{"
        out[start[:, None] + np.arange(7)] = head.view(np.uint64).reshape(n, 7)

        pieces = self.templates[feature_name]
        index = np.arange(len(feature_row)) - (np.cumsum(used) - used)[feature_row]
        pieces[:, 0] = np.where(index == 0, ord(" "), ord(","))
        pieces[:, -self.DIGITS :] = self._digits(counts, self.DIGITS)
        where = start[feature_row] + 7 + index * f_units
        out[where[:, None] + np.arange(f_units)] = pieces.view(np.uint64).reshape(-1, f_units)

        mid = np.empty(n, self.MID)
        mid["close"], mid["version"], mid["open"] = b" }", 1, b"["
        mid["l6"] = 1 + 1 + contact_width * active + 8  # version, "[", pieces, "]" and 7 spaces
        mid_at = start + 7 + f_units * used
        out[mid_at] = mid.view(np.uint64)

        pieces = np.empty((len(pair_row), contact_width), np.uint8)
        index = np.arange(len(pair_row)) - (np.cumsum(active) - active)[pair_row]
        pieces[:, 0] = np.where(index == 0, ord(" "), ord(","))
        pieces[:, 1:] = self._digits(pair_contact, contact_width - 1)
        where = mid_at[pair_row] + 1 + index * c_units
        out[where[:, None] + np.arange(c_units)] = pieces.view(np.uint64).reshape(-1, c_units)

        out[start + units - 1] = np.frombuffer(b"]       ", np.uint64)[0]
        return out
