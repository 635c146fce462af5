"""Streets side by side: any per-community outcome by street, and its spread across the
communities, from the per-community table (`model.community_table()`, one row per
community and month).

* `street_rows` — each street's value by month (the small multiples), with the district's
  value beside it in every panel. A street's value of a share or mean (satisfaction, trust,
  needs met, ...) is the mean of its communities weighted by their residents; of a count or
  an amount of money (`SUMMED`: disputes, money spent, ...) the sum over its communities.
  The district's value is made the same way over all communities.
* `spread_rows` — by month, quantiles of the communities' values (each community counts
  once): the 10th-90th and 25th-75th percentile bands and the median, beside the district's
  value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

SUMMED = frozenset(
    {
        "residents",
        "disputes",
        "mediated",
        "escalated",
        "firm_turnover",
        "convened_ties",
        "inflow",
        "spent",
        "idle",
        "lapsed",
        "wasted",
    }
)
"""Per-community columns that are counts or money: a street's (and the district's) value is
their sum. Every other column is a share or a mean: weighted by residents."""
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
STREETS_PER_PAGE = 24
"""Small multiples shown at once; larger districts page through their streets."""


def aggregate(frame: pd.DataFrame, column: str, by: list[str]) -> pd.DataFrame:
    """`column` aggregated within groups `by`: summed (SUMMED), else weighted by residents
    (a plain mean if the table has no residents); rows without a value are left out."""
    keep = [*by, column] + (["residents"] if "residents" in frame and column != "residents" else [])
    f = frame[keep].copy()
    f = f[np.isfinite(f[column].to_numpy(dtype=float))]
    if column in SUMMED:
        return f.groupby(by, sort=True)[column].sum().rename("value").reset_index()
    if "residents" not in f or column == "residents":
        return f.groupby(by, sort=True)[column].mean().rename("value").reset_index()
    w = f["residents"].to_numpy(dtype=float)
    f["_wx"] = f[column].to_numpy(dtype=float) * w
    f["_w"] = w
    g = f.groupby(by, sort=True)[["_wx", "_w"]].sum()
    value = np.where(g["_w"] > 0, g["_wx"] / g["_w"].where(g["_w"] > 0, 1), np.nan)
    return pd.DataFrame({**{k: g.index.get_level_values(k) for k in by}, "value": value})


def street_rows(
    table: pd.DataFrame,
    column: str,
    upto: int | None = None,
    streets: list[int] | None = None,
    street_label: str = "Street {s}",
    district_label: str = "district",
) -> list[dict[str, Any]]:
    """Rows {month, street, series, value} of the small multiples: each street's value by
    month, and the district's value repeated in each street's panel."""
    if table.empty or column not in table or "street" not in table:
        return []
    t = table if upto is None else table[table["step"] <= upto]
    by_street = aggregate(t, column, ["step", "street"])
    district = aggregate(t, column, ["step"])
    shown = sorted(by_street["street"].unique().tolist()) if streets is None else streets
    rows = []
    for s in shown:
        name = street_label.format(s=int(s))
        mine = by_street[by_street["street"] == s]
        for m, v in zip(mine["step"].tolist(), mine["value"].tolist()):
            rows.append(
                {
                    "month": int(m),
                    "street": name,
                    "order": int(s),
                    "series": "street",
                    "value": _num(v),
                }
            )
        for m, v in zip(district["step"].tolist(), district["value"].tolist()):
            rows.append(
                {
                    "month": int(m),
                    "street": name,
                    "order": int(s),
                    "series": district_label,
                    "value": _num(v),
                }
            )
    return rows


def spread_rows(table: pd.DataFrame, column: str, upto: int | None = None) -> list[dict[str, Any]]:
    """Rows {month, q10, q25, q50, q75, q90, district, n} of the communities' spread."""
    if table.empty or column not in table:
        return []
    t = table if upto is None else table[table["step"] <= upto]
    t = t[np.isfinite(t[column].to_numpy(dtype=float))]
    if t.empty:
        return []
    q = t.groupby("step")[column].quantile(list(QUANTILES)).unstack()
    n = t.groupby("step")[column].size()
    district = aggregate(t, column, ["step"]).set_index("step")["value"]
    rows = []
    for m in q.index.tolist():
        row = {"month": int(m), "n": int(n[m]), "district": _num(district.get(m, np.nan))}
        for p in QUANTILES:
            row[f"q{int(round(p * 100))}"] = _num(q.at[m, p])
        rows.append(row)
    return rows


def _num(x: float) -> float | None:
    x = float(x)
    return None if not np.isfinite(x) else float(f"{x:.6g}")


def pages(streets: list[int], size: int = STREETS_PER_PAGE) -> list[list[int]]:
    """The streets in pages of `size` (one page for a district of `size` streets or fewer)."""
    return [streets[i : i + size] for i in range(0, len(streets), size)] or [[]]
