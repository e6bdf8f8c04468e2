"""The view builder's form: condition rows posted as `g<group>-<row>-field|op|value|value2`,
read back into a definition, and the definition's errors put back on their rows."""

from __future__ import annotations

import dataclasses
import re
import secrets
from dataclasses import dataclass

from django.http import QueryDict

from .registry import ViewFilter, view_filter_get, view_filters

__all__ = ["BuilderRow", "builder_rows", "definition_from_post", "filter_groups", "row_for", "row_id"]

NO_VALUE_OPS = ("empty", "not_empty", "is_true", "is_false", "has_parent", "no_parent")
_NAME = re.compile(r"^g(\d{1,2})-([a-z0-9]{1,12})-field$")


def row_id() -> str:
    return secrets.token_hex(3)


@dataclass
class BuilderRow:
    group: int
    rid: str
    field: str = ""
    op: str = ""
    value: object = None
    error: str = ""
    view_filter: ViewFilter | None = None
    values: list = dataclasses.field(default_factory=list)  # a choice row's picked values (strings)

    @property
    def op_choices(self) -> list[tuple[str, str]]:
        return [(op, self.view_filter.op_label(op)) for op in self.view_filter.ops] if self.view_filter else []

    @property
    def needs_value(self) -> bool:
        return self.op not in NO_VALUE_OPS

    @property
    def input(self) -> str:
        """The value input: choice (a multiple select), number, between (two numbers), days, date, text."""
        if self.view_filter is None:
            return "text"
        if self.op == "between":
            return "between"
        if self.op in ("within", "more_than", "older_than_days", "within_next_days"):
            return "days"
        if self.view_filter.kind in ("choice", "number", "days"):
            return self.view_filter.kind
        return self.view_filter.input_type or "text"

    @property
    def choices(self) -> list[tuple[str, str]]:
        return self.view_filter.choices() if self.view_filter and self.view_filter.choices else []

    @property
    def prefix(self) -> str:
        return f"g{self.group}-{self.rid}"

    @property
    def low(self):
        return self.value[0] if isinstance(self.value, list) and len(self.value) == 2 else self.value

    @property
    def high(self):
        return self.value[1] if isinstance(self.value, list) and len(self.value) == 2 else ""


def row_for(*, group: int, rid: str, field_key: str = "", op: str = "", value=None) -> BuilderRow:
    view_filter = view_filter_get(field_key) if field_key else None
    if view_filter is not None and op not in view_filter.ops:
        op = view_filter.ops[0]
    values = [str(v) for v in value] if isinstance(value, list) else ([] if value in (None, "") else [str(value)])
    return BuilderRow(group=group, rid=rid, field=field_key, op=op, value=value, view_filter=view_filter, values=values)


def definition_from_post(data: QueryDict) -> tuple[dict, list[BuilderRow]]:
    """The posted rows as a definition (groups in order, rows in the order posted) and the rows
    themselves (for re-rendering with their errors)."""
    rows: list[BuilderRow] = []
    for name in data:
        match = _NAME.match(name)
        if not match:
            continue
        group, rid = int(match.group(1)), match.group(2)
        prefix = f"g{group}-{rid}"
        key, op = data.get(name, ""), data.get(f"{prefix}-op", "")
        view_filter = view_filter_get(key)
        value: object = None
        if view_filter is not None:
            if op in NO_VALUE_OPS:
                value = None
            elif view_filter.kind == "choice" and op not in ("empty", "not_empty"):
                value = [v for v in data.getlist(f"{prefix}-value") if v]
            elif op == "between":
                value = [data.get(f"{prefix}-value", ""), data.get(f"{prefix}-value2", "")]
            else:
                value = data.get(f"{prefix}-value", "")
        rows.append(row_for(group=group, rid=rid, field_key=key, op=op, value=value))
        rows[-1].op = op or rows[-1].op
    groups: dict[int, dict] = {}
    for row in rows:
        group = groups.setdefault(row.group, {"match": _match(data.get(f"g{row.group}-match")), "conditions": []})
        group["conditions"].append({"field": row.field, "op": row.op, "value": row.value})
    definition = {"match": _match(data.get("match")), "groups": [groups[g] for g in sorted(groups)]}
    return definition, rows


def _match(value) -> str:
    return "any" if value == "any" else "all"


def rows_with_errors(rows: list[BuilderRow], errors: dict[str, list[str]]) -> list[str]:
    """Put each `definition.groups.G.conditions.C.*` error on its row (positions as posted);
    return the errors that belong to no row."""
    by_position: dict[tuple[int, int], BuilderRow] = {}
    seen: dict[int, int] = {}
    group_order = sorted({r.group for r in rows})
    for row in rows:
        g = group_order.index(row.group)
        by_position[(g, seen.get(g, 0))] = row
        seen[g] = seen.get(g, 0) + 1
    rest = []
    for path, messages in errors.items():
        parts = path.split(".")
        if len(parts) >= 5 and parts[1] == "groups" and parts[3] == "conditions":
            row = by_position.get((int(parts[2]), int(parts[4])))
            if row is not None:
                row.error = "; ".join(messages)
                continue
        rest.extend(messages)
    return rest


def builder_rows(definition: dict) -> list[list[BuilderRow]]:
    """A stored definition as rows per group (the edit page)."""
    out = []
    for g, group in enumerate(definition.get("groups", [])):
        out.append(
            [
                row_for(group=g, rid=row_id(), field_key=c["field"], op=c["op"], value=c.get("value"))
                for c in group.get("conditions", [])
            ]
        )
    return out


def filter_groups() -> list[tuple[str, list[ViewFilter]]]:
    """The field picker's option groups, in registration order."""
    groups: dict[str, list[ViewFilter]] = {}
    for view_filter in view_filters():
        groups.setdefault(str(view_filter.group), []).append(view_filter)
    return list(groups.items())
