"""Service delivery: hours from every provider meet residents' needs (ODD §7.4).

Providers per community, in hours of the three hour categories (daily, care, legal):
the residents' committee's service hours × skill × its members' performance, hours bought
with block grants and grid funds, grid workers' own hours (daily and care), NGO hours
(`ngo_care_share` care, the rest legal; after referral losses, ngo_market), matched
volunteer hours (daily and care), and street-run services (all categories). Hours that
follow demand are split by the community's demand in each category.

Allocation. Within a community and category, supply S is shared in proportion to weighted
need, weight w_i = 1 + priority × vulnerable_i; resident i gets the share
min(1, f × w_i) of its need, f = S / Σ w_j need_j. Hours beyond need are unused.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
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
    p, cm = model.p, model.communities
    rc_hours = cm.service_hours * cm.skill * cm.staff_performance
    supply = _by_demand(rc_hours + cm.bought_hours + cm.street_hours, demand, [0, 1, 2])
    supply += _by_demand(cm.grid_own_hours + cm.volunteer_hours, demand, [0, 1])
    supply[:, 1] += p["ngo_care_share"] * cm.ngo_hours
    supply[:, 2] += (1 - p["ngo_care_share"]) * cm.ngo_hours
    return supply


def fraction(supply: np.ndarray, weighted: np.ndarray) -> np.ndarray:
    """f = S / Σ w_j need_j per community and category (1 where nobody needs anything)."""
    return np.where(weighted > 0, supply / np.maximum(weighted, 1e-12), 1.0)


def book(
    cm,
    supply: np.ndarray,
    demand: np.ndarray,
    delivered: np.ndarray,
    demand_v: np.ndarray,
    delivered_v: np.ndarray,
) -> None:
    """Record the month's community totals (communities × 3)."""
    cm.supply, cm.demand, cm.delivered = supply, demand, delivered
    cm.demand_vulnerable, cm.delivered_vulnerable = demand_v, delivered_v
    total = demand.sum(axis=1)
    cm.needs_met = np.where(total > 0, delivered.sum(axis=1) / np.maximum(total, 1e-12), 1.0)


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
    cm.supply_hours = supply.sum(axis=1)

    # weighted need Σ w_j need_j, w = 1 + priority × vulnerable
    priority = vulnerable_priority(model)  # per community
    pr = priority[:, None]
    frac = fraction(supply, demand + pr * demand_v)
    # every resident of a community gets one of two shares: other or vulnerable
    share_other = np.minimum(frac, 1.0)
    share_vulnerable = np.minimum(frac * (1.0 + pr), 1.0)
    if np.all(priority == priority[0]):
        weight = res.by_vulnerability(1.0 + priority[0], 1.0)
    else:
        weight = res.at_community(priority.astype(np.float32))
        weight *= vulnerable
        weight += np.float32(1.0)
    carry = np.float32(p["backlog_carryover"])
    met, backlog = res.writable("met"), res.writable("backlog")
    compiled = kernels.active(res.n) if res.sorted else None
    if compiled is not None:  # the loop below as one compiled pass
        frac32 = np.ascontiguousarray(frac, dtype=np.float32)
        compiled.allocate_services(
            res.community_start, res.need, weight, frac32, carry, met, backlog
        )
    else:
        for k in range(3):
            share, left = met[:, k], backlog[:, k]
            share[:] = res.at_community(frac[:, k].astype(np.float32))
            share *= weight
            np.minimum(share, 1.0, out=share)
            np.multiply(share, need[k], out=left)  # hours met
            np.subtract(need[k], left, out=left)
            left *= carry  # carry × (need − met)
    delivered_v = share_vulnerable * demand_v
    delivered = share_other * (demand - demand_v) + delivered_v
    book(cm, supply, demand, delivered, demand_v, delivered_v)
