"""Numbers and labels as the report prints them."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["fmt_num", "fmt_ci", "fmt_p", "shorten", "md_table", "md_escape"]


def fmt_num(x: Any) -> str:
    """Numbers for tables: 3 significant digits, thousands separators for large values."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    x = float(x)
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if x == 0:
        return "0"
    return f"{x:.3g}"


def fmt_ci(mean: float, low: float, high: float) -> str:
    if not math.isfinite(low):
        return f"{fmt_num(mean)}"
    return f"{fmt_num(mean)} [{fmt_num(low)}, {fmt_num(high)}]"


def fmt_p(p: float) -> str:
    if not math.isfinite(p):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def shorten(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def md_escape(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|")
