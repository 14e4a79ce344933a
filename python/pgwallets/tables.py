"""Plain-text tables for the CLI, in the style of psql:

     id | amount | category
    ----+--------+----------
      1 |    100 | signup
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

__all__ = ["cell", "format_table"]


def cell(value: Any) -> str:
    """The text of one value: '' for NULL, timestamps in UTC to the second, JSON compact."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def format_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None) -> str:
    """Render rows under headers. Numeric columns are right-aligned, others left-aligned.
    An empty table still shows its header and "(0 rows)"."""
    materialized = [list(row) for row in rows]
    for row in materialized:
        if len(row) != len(headers):
            raise ValueError(f"row has {len(row)} values for {len(headers)} columns: {row!r}")
    texts = [[cell(value) for value in row] for row in materialized]
    right = [
        bool(materialized) and all(_numeric(row[i]) or row[i] is None for row in materialized)
        and any(_numeric(row[i]) for row in materialized)
        for i in range(len(headers))
    ]
    widths = [max([len(header), *(len(row[i]) for row in texts)]) for i, header in enumerate(headers)]

    def line(values: Sequence[str], align: Sequence[bool]) -> str:
        parts = [value.rjust(width) if r else value.ljust(width) for value, width, r in zip(values, widths, align)]
        return (" " + " | ".join(parts)).rstrip()

    out: list[str] = []
    if title:
        out.append(title)
    out.append(line([header.center(width) for header, width in zip(headers, widths)], [False] * len(headers)))
    out.append("-" + "-+-".join("-" * width for width in widths) + "-")
    out.extend(line(row, right) for row in texts)
    count = len(texts)
    out.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(out)
