"""Key outcomes of one run broken down by compound type and by community type.

`monthly_by_type(compounds, communities)` gives, per recorded month and type, the key
outcomes of the compounds (or communities) of that type; `by_type(...)` averages them over
the last `window` recorded months into one tidy table (level, type, compounds or
communities, residents, outcome, value) — the run folder's `by_type.parquet`, the table
printed after a run and the figure `by_type.png`. Outcomes describing residents are
weighted by residents, fee collection by the owner households of firm-served compounds,
shares of compounds count compounds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["COMPOUND_OUTCOMES", "COMMUNITY_OUTCOMES", "monthly_by_type", "by_type", "wide_by_type"]

COMPOUND_OUTCOMES: dict[str, str] = {
    "property_quality": "property-service quality (0-1, resident-weighted)",
    "fee_collection": "share of owner households paying fees (firm-served compounds)",
    "firm_served": "share of compounds served by a property firm",
    "oc_functioning": "share of compounds with a functioning owners' committee",
    "disputes_per_1000": "disputes arising per 1,000 residents a month",
    "satisfaction": "residents' satisfaction (0-1, resident-weighted)",
}
"""Key outcomes per compound type."""

COMMUNITY_OUTCOMES: dict[str, str] = {
    "satisfaction": "residents' satisfaction (0-1, resident-weighted)",
    "needs_met": "share of need hours met (resident-weighted)",
    "needs_met_care": "share of care need hours met (resident-weighted)",
    "participation": "share of residents participating (resident-weighted)",
    "admin_burden_share": "share of RC staff hours on tasks and inspections",
}
"""Key outcomes per community type."""


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(float)


def monthly_by_type(
    compounds: pd.DataFrame | None, communities: pd.DataFrame | None
) -> pd.DataFrame:
    """Per recorded month, level ('compound' or 'community') and type: the number of
    units, residents and each key outcome (wide: one column per outcome)."""
    frames = []
    if compounds is not None and not compounds.empty:
        c = compounds.assign(
            served=(compounds["firm"] >= 0).astype(float),
            functioning=(compounds["oc_state"] == "functioning").astype(float),
            paying_owners=np.where(
                compounds["firm"] >= 0, compounds["collection"].fillna(0) * compounds["owners"], 0.0
            ),
            served_owners=np.where(compounds["firm"] >= 0, compounds["owners"], 0),
            quality_w=compounds["quality"] * compounds["residents"],
            satisfaction_w=compounds["satisfaction"] * compounds["residents"],
        )
        g = c.groupby(["step", "compound_type"], sort=True)
        sums = g[
            [
                "residents",
                "served",
                "functioning",
                "paying_owners",
                "served_owners",
                "quality_w",
                "satisfaction_w",
                "disputes",
            ]
        ].sum()
        n = g.size()
        frames.append(
            pd.DataFrame(
                {
                    "level": "compound",
                    "units": n,
                    "residents": sums["residents"],
                    "property_quality": _ratio(sums["quality_w"], sums["residents"]),
                    "fee_collection": _ratio(sums["paying_owners"], sums["served_owners"]),
                    "firm_served": sums["served"] / n,
                    "oc_functioning": sums["functioning"] / n,
                    "disputes_per_1000": 1000 * _ratio(sums["disputes"], sums["residents"]),
                    "satisfaction": _ratio(sums["satisfaction_w"], sums["residents"]),
                }
            )
            .rename_axis(["step", "type"])
            .reset_index()
        )
    if communities is not None and not communities.empty:
        cols = list(COMMUNITY_OUTCOMES)
        weighted = ["satisfaction", "needs_met", "needs_met_care", "participation"]
        c = communities.assign(
            **{f"{k}_w": communities[k] * communities["residents"] for k in weighted}
        )
        g = c.groupby(["step", "community_type"], sort=True)
        sums = g[["residents", *[f"{k}_w" for k in weighted]]].sum()
        out = pd.DataFrame(
            {"level": "community", "units": g.size(), "residents": sums["residents"]}
        )
        for k in weighted:
            out[k] = _ratio(sums[f"{k}_w"], sums["residents"])
        out["admin_burden_share"] = g["admin_burden_share"].mean()
        frames.append(
            out[["level", "units", "residents", *cols]].rename_axis(["step", "type"]).reset_index()
        )
    if not frames:
        return pd.DataFrame(columns=["step", "type", "level", "units", "residents"])
    return pd.concat(frames, ignore_index=True)


def by_type(
    compounds: pd.DataFrame | None, communities: pd.DataFrame | None, window: int = 12
) -> pd.DataFrame:
    """Tidy table: level, type, units and residents (in the last recorded month), outcome
    and its mean over the last `window` recorded months."""
    monthly = monthly_by_type(compounds, communities)
    columns = ["level", "type", "units", "residents", "outcome", "meaning", "value"]
    if monthly.empty:
        return pd.DataFrame(columns=columns)
    steps = np.sort(monthly["step"].unique())[-max(int(window), 1) :]
    tail = monthly[monthly["step"].isin(steps)]
    last = tail[tail["step"] == steps[-1]].set_index(["level", "type"])
    rows = []
    for level, meanings in (("compound", COMPOUND_OUTCOMES), ("community", COMMUNITY_OUTCOMES)):
        part = tail[tail["level"] == level]
        for t, g in part.groupby("type", sort=True):
            for outcome, meaning in meanings.items():
                values = g[outcome].to_numpy(dtype=float)
                seen = values[~np.isnan(values)]
                rows.append(
                    {
                        "level": level,
                        "type": t,
                        "units": int(last.loc[(level, t), "units"]),
                        "residents": int(last.loc[(level, t), "residents"]),
                        "outcome": outcome,
                        "meaning": meaning,
                        "value": float(seen.mean()) if seen.size else float("nan"),
                    }
                )
    return pd.DataFrame(rows, columns=columns)


def wide_by_type(table: pd.DataFrame, level: str) -> pd.DataFrame:
    """One level of `by_type` as a wide table: a row per type, a column per outcome."""
    part = table[table["level"] == level]
    if part.empty:
        return pd.DataFrame()
    wide = part.pivot(index="type", columns="outcome", values="value")
    order = list(COMPOUND_OUTCOMES if level == "compound" else COMMUNITY_OUTCOMES)
    counts = part.drop_duplicates("type").set_index("type")[["units", "residents"]]
    return counts.join(wide[order])
