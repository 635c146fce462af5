"""Service delivery: hours from every provider meet residents' needs (ODD §7.4).

Providers per community, in hours of the three hour categories (daily, care, legal):
the residents' committee's service hours × skill × cadre performance, hours bought with
block grants and grid funds, grid workers' own hours (daily and care), NGO hours
(`ngo_care_share` care, the rest legal), matched volunteer hours (daily and care), and
street-run services (all categories). Hours that follow demand are split by the
community's demand in each category.

Allocation. Within a community and category, supply S is shared in proportion to weighted
need, weight w_i = 1 + priority × vulnerable_i; resident i gets the share
min(1, f × w_i) of its need, f = S / Σ w_j need_j. Hours beyond need are unused.
"""

from __future__ import annotations

import numpy as np

from .assessment import vulnerable_priority


def _by_demand(hours: np.ndarray, demand: np.ndarray, cats: list[int]) -> np.ndarray:
    """Split community hours over the categories `cats` in proportion to demand."""
    out = np.zeros_like(demand)
    sub = demand[:, cats]
    total = sub.sum(axis=1, keepdims=True)
    share = np.where(total > 0, sub / np.maximum(total, 1e-12), 1.0 / len(cats))
    out[:, cats] = hours[:, None] * share
    return out


def step(model) -> None:
    p, cm, res, f = model.p, model.communities, model.residents, model.flows
    n = cm.n
    demand = np.stack(
        [np.bincount(res.community, weights=res.need[:, k], minlength=n) for k in range(3)],
        axis=1,
    )
    rc_hours = cm.service_hours * cm.skill * f["cadre_performance"]
    bought = f["bought_hours_block"] + f["bought_hours_grid"]
    supply = _by_demand(rc_hours + bought + f["street_hours"], demand, [0, 1, 2])
    volunteer = f.get("volunteer_hours", np.zeros(n))
    supply += _by_demand(f["grid_own_hours"] + volunteer, demand, [0, 1])
    ngo = f.get("ngo_hours", np.zeros(n))
    supply[:, 1] += p["ngo_care_share"] * ngo
    supply[:, 2] += (1 - p["ngo_care_share"]) * ngo

    weight = 1.0 + vulnerable_priority(p) * res.vulnerable.astype(np.float32)
    weighted = np.stack(
        [np.bincount(res.community, weights=weight * res.need[:, k], minlength=n)
         for k in range(3)],
        axis=1,
    )
    frac = np.where(weighted > 0, supply / np.maximum(weighted, 1e-12), 1.0)
    share = np.minimum(frac[res.community] * weight[:, None], 1.0).astype(np.float32)
    met = share * res.need
    res.met = share
    res.backlog = (p["backlog_carryover"] * (res.need - met)).astype(np.float32)
    f["supply"] = supply
    f["demand"] = demand
    delivered = np.stack(
        [np.bincount(res.community, weights=met[:, k], minlength=n) for k in range(3)], axis=1
    )
    f["delivered"] = delivered
    total = demand.sum(axis=1)
    f["community_needs_met"] = np.where(total > 0, delivered.sum(axis=1) / np.maximum(total, 1e-12), 1.0)
