"""Numbers and labels as the report prints them."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["fmt_num", "fmt_ci", "fmt_p", "shorten"]

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
