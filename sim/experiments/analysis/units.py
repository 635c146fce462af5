"""Units of the outcomes, as the report's axes show them, read from each outcome's meaning in
`sim.core.metrics.OUTCOMES`: shares and indices on 0–1, money in yuan, counts of disputes,
compounds, communities or NGOs (per month where the meaning says so)."""

from __future__ import annotations

import re

from sim.core.metrics import OUTCOMES

__all__ = ["outcome_unit", "is_share", "bounds"]

_COUNTED = ("disputes", "compounds", "communities", "ngos")


def is_share(outcome: str) -> bool:
    """Whether the outcome lives on [0, 1]: a share, a 0–1 index, a Gini or a trust level."""
    meaning = OUTCOMES.get(outcome, "").lower()
    return (
        "share of" in meaning
        or "(0-1)" in meaning
        or "gini" in meaning
        or outcome.startswith("trust_")
        or "service quality" in meaning
    )


def outcome_unit(outcome: str) -> str:
    """The outcome's unit in a few words (`share, 0–1`, `yuan per month`, `disputes per
    month`, ...); `index` when its meaning names none."""
    meaning = OUTCOMES.get(outcome, "").lower()
    monthly = " per month" if "this month" in meaning else ""
    if "yuan" in meaning:
        return "yuan" + monthly
    if is_share(outcome):
        return "Gini, 0–1" if "gini" in meaning else "share, 0–1" if "share" in meaning else "0–1"
    if "hours" in meaning:
        return "hours"
    if "1 = full time" in meaning:
        return "1 = full time"
    words = re.findall(r"[a-z]+", meaning)[:2]  # what is counted comes first
    counted = next((w for w in words if w in _COUNTED), None)
    if counted is not None:
        return ("NGOs" if counted == "ngos" else counted) + monthly
    return "score" if "score" in meaning else "index"


def bounds(outcome: str) -> tuple[float | None, float | None]:
    """The range the outcome cannot leave: [0, 1] for shares and 0–1 indices, [0, ∞) for
    money, hours and counts, none for scores and other indices."""
    if is_share(outcome):
        return 0.0, 1.0
    if outcome_unit(outcome) in ("score", "index"):
        return None, None
    return 0.0, None
