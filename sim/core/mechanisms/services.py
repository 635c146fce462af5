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


def community_supply(model, demand: np.ndarray) -> np.ndarray:
    """Hours available in each community and category (communities × 3), given the
    community demand by category."""
    p, cm, f = model.p, model.communities, model.flows
    n = cm.n
    rc_hours = cm.service_hours * cm.skill * f["cadre_performance"]
    bought = f["bought_hours_block"] + f["bought_hours_grid"]
    supply = _by_demand(rc_hours + bought + f["street_hours"], demand, [0, 1, 2])
    volunteer = f.get("volunteer_hours", np.zeros(n))
    supply += _by_demand(f["grid_own_hours"] + volunteer, demand, [0, 1])
    ngo = f.get("ngo_hours", np.zeros(n))
    supply[:, 1] += p["ngo_care_share"] * ngo
    supply[:, 2] += (1 - p["ngo_care_share"]) * ngo
    return supply


def fraction(supply: np.ndarray, weighted: np.ndarray) -> np.ndarray:
    """f = S / Σ w_j need_j per community and category (1 where nobody needs anything)."""
    return np.where(weighted > 0, supply / np.maximum(weighted, 1e-12), 1.0)


def book(f: dict, supply: np.ndarray, demand: np.ndarray, delivered: np.ndarray,
         demand_v: np.ndarray, delivered_v: np.ndarray) -> None:
    """Record the month's community totals (communities × 3) in the flows."""
    f["supply"], f["demand"], f["delivered"] = supply, demand, delivered
    f["demand_vulnerable"], f["delivered_vulnerable"] = demand_v, delivered_v
    total = demand.sum(axis=1)
    f["community_needs_met"] = np.where(total > 0, delivered.sum(axis=1) / np.maximum(total, 1e-12), 1.0)


def step(model) -> None:
    p, cm, res = model.p, model.communities, model.residents
    n = cm.n
    need = res.need.T  # 3 × residents: one contiguous row per category
    vulnerable = res.vulnerable
    demand = res.per_community(need, n).T  # communities × 3
    work = res.scratch("services.row", (res.n,))
    demand_v = np.empty_like(demand)  # vulnerable residents' need
    for k in range(3):
        demand_v[:, k] = res.per_community(np.multiply(need[k], vulnerable, out=work), n)
    supply = community_supply(model, demand)

    # weighted need Σ w_j need_j, w = 1 + priority × vulnerable
    priority = vulnerable_priority(p)
    frac = fraction(supply, demand + priority * demand_v)
    # every resident of a community gets one of two shares: other or vulnerable
    share_other = np.minimum(frac, 1.0)
    share_vulnerable = np.minimum(frac * (1.0 + priority), 1.0)
    weight = res.by_vulnerability(1.0 + priority, 1.0)
    met, backlog = res.writable("met").T, res.writable("backlog").T
    carry = np.float32(p["backlog_carryover"])
    for k in range(3):
        share, left = met[k], backlog[k]
        share[:] = res.at_community(frac[:, k].astype(np.float32))
        share *= weight
        np.minimum(share, 1.0, out=share)
        np.multiply(share, need[k], out=left)  # hours met
        np.subtract(need[k], left, out=left)
        left *= carry  # carry × (need − met)
    delivered_v = share_vulnerable * demand_v
    delivered = share_other * (demand - demand_v) + delivered_v
    book(model.flows, supply, demand, delivered, demand_v, delivered_v)
