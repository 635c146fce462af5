"""What a visitor types into the sidebar, read strictly: a reform's month and the world size.

Python's own `int()` and `float()` read more than a person means — other scripts' digits
(`١٠`), digit separators (`1_0`), `nan` and `inf` — and a month field that keeps its last
good value when the text is not a number schedules a reform the visitor did not ask for.
Here a value is ASCII digits (with a sign, a decimal point and an exponent where a number
may have them) or it is refused with the reason, and a refused value never reaches the model.
Each function returns `(value, "")` or `(None, why)`, the reason in the page's language.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sim.core.params import BY_NAME

__all__ = ["MAX_REFORM_MONTH", "read_month", "read_number"]

MAX_REFORM_MONTH = 9_999
"""Latest month a reform can be scheduled for (833 years: beyond any session's play, and
far inside the integers a scenario file can hold)."""

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_MONTH = re.compile(r"[+]?[0-9]+", re.ASCII)

_TEXT = {
    "not_month": {
        "en": "Month {text}: not a month; type a whole number from {low} to {high}",
        "zh": "月份 {text}：不是月份；请输入 {low} 到 {high} 之间的整数",
    },
    "month_range": {
        "en": "Month {text}: type a whole number from {low} to {high} (months up to {now} "
        "have begun already)",
        "zh": "月份 {text}：请输入 {low} 到 {high} 之间的整数（第 {now} 个月及之前已经开始）",
    },
    "not_number": {
        "en": "{text}: not a number; {allowed}",
        "zh": "{text}：不是数字；{allowed}",
    },
    "not_whole": {
        "en": "{text}: not a whole number; {allowed}",
        "zh": "{text}：不是整数；{allowed}",
    },
    "out_of_range": {
        "en": "outside the allowed range: {allowed}",
        "zh": "超出允许范围：{allowed}",
    },
}


def _say(key: str, lang: str, **values: Any) -> str:
    texts = _TEXT[key]
    return texts.get(lang, texts["en"]).format(**values)


def _shown(text: str, width: int = 24) -> str:
    """Typed text for a message: quoted, and cut if long (a 5,000-digit number)."""
    return repr(text) if len(text) <= width else repr(text[: width - 1] + "…")


def read_month(text: str | None, now: int, lang: str = "en") -> tuple[int | None, str]:
    """The month typed for a reform: a whole number after `now` (the month the session has
    reached) and at most MAX_REFORM_MONTH."""
    typed = (text or "").strip()
    low, high = now + 1, MAX_REFORM_MONTH
    if not _MONTH.fullmatch(typed) or len(typed) > 12:
        return None, _say("not_month", lang, text=_shown(typed), low=low, high=high)
    month = int(typed)
    if not low <= month <= high:
        return None, _say("month_range", lang, text=_shown(typed), low=low, high=high, now=now)
    return month, ""


def read_number(name: str, text: str | None, lang: str = "en") -> tuple[Any, str]:
    """A number typed for parameter `name` (the world size): ASCII, finite, whole where the
    parameter counts something, and inside the schema's range."""
    param = BY_NAME[name]
    typed = (text or "").strip()
    allowed = param.allowed()
    if not _NUMBER.fullmatch(typed):
        return None, _say("not_number", lang, text=_shown(typed), allowed=allowed)
    number = float(typed)
    if param.type is int and math.isfinite(number):
        if not number.is_integer():
            return None, _say("not_whole", lang, text=_shown(typed), allowed=allowed)
        number = int(number)
    try:
        return param.check(number), ""
    except ValueError:
        return None, _say("out_of_range", lang, allowed=allowed)
