"""Devolved money: how much of it communities can absorb, and what it buys (ODD §7.2).

The street office decides how much money reaches each community and through which
channel (StreetOffice.devolve); this module books what happens to it. A channel turns money
into services only as fast as someone manages it: `spend_per_management_hour` per
management hour. Block grants are managed by the residents' committee's management hours
(its own choice, ResidentsCommittee.allocate_hours), scaled by skill and its members'
performance; unused management hours go back to service. Grid funds are managed by grid
workers (`management_time_cap` of their hours), scaled by the coordination of the party
committee and the RC — grid funds need the two to work together. NGO money is absorbed by
the contracted NGO (ngo_market). Unspent money stays idle, and `idle_lapse_rate` of the idle
stock lapses each month. A share of spending leaks: `waste_rate` × (1 −
`oversight_waste_cut` × the party committee's independence in checking the RC, for money the
RC manages) × (1 − `evaluation_waste_cut` under third-party evaluation).
Conservation, every month and community: inflow + idle before = services + invested +
wasted + lapsed + idle after.
"""

from __future__ import annotations

import numpy as np


def waste_share(model) -> np.ndarray:
    """Leakage share of spending per community, before oversight."""
    p = model.p
    evaluated = model.levers.community("third_party_evaluation").astype(bool)
    return p["waste_rate"] * (1.0 - p["evaluation_waste_cut"] * evaluated)


def _spend(pot: np.ndarray, capacity: np.ndarray, p: dict):
    """Spend what capacity allows; returns (spent, lapsed, idle after)."""
    spent = np.minimum(pot, np.maximum(capacity, 0.0))
    idle = pot - spent
    lapsed = p["idle_lapse_rate"] * idle
    return spent, lapsed, idle - lapsed


def absorb(model) -> None:
    """Block grants and grid funds become services within absorptive capacity; capacity
    investment matures into skill."""
    p, cm = model.p, model.communities
    rate = p["spend_per_management_hour"]
    cm.idle_before = cm.idle_block + cm.idle_grid + cm.idle_ngo
    productivity = cm.skill * cm.staff_performance
    spent_b, lapsed_b, cm.idle_block = _spend(
        cm.in_block + cm.idle_block, cm.management_hours * productivity * rate, p
    )
    used = spent_b / np.maximum(productivity * rate, 1e-12)
    cm.service_hours = cm.service_hours + (cm.management_hours - used)
    cm.management_hours = used

    grid_hours = cm.grid_workers * p["staff_hours"]
    grid_cap = p["management_time_cap"] * grid_hours * cm.coordination * rate
    spent_g, lapsed_g, cm.idle_grid = _spend(cm.in_grid + cm.idle_grid, grid_cap, p)
    # grid workers serve the needs the RC knows of as far as the two committees work together
    cm.grid_own_hours = (
        grid_hours * p["grid_service_share"] * cm.leader_performance * cm.coordination
    )

    base = waste_share(model)
    waste_b = base * (1 - p["oversight_waste_cut"] * cm.oversight)
    cm.wasted = waste_b * spent_b + base * spent_g
    cm.bought_hours = ((spent_b - waste_b * spent_b) + (1 - base) * spent_g) / p[
        "cost_per_service_hour"
    ]
    cm.spent = spent_b + spent_g
    cm.lapsed = lapsed_b + lapsed_g

    # capacity building: the pipeline matures at 1/capacity_build_months per month
    cm.capacity_pipeline = cm.capacity_pipeline + cm.invested
    matured = cm.capacity_pipeline / p["capacity_build_months"]
    cm.capacity_pipeline = cm.capacity_pipeline - matured
    gain = matured / (p["training_cost"] * np.maximum(cm.staff, 1e-9))
    headroom = np.maximum(1.0 - cm.skill / p["skill_max"], 0.0)
    cm.skill = cm.skill + gain * headroom + p["skill_decay"] * (p["rc_skill_mean"] - cm.skill)
    cm.skill = np.clip(cm.skill, 0.01, p["skill_max"])


def settle_ngo_channel(model, spent_ngo: np.ndarray) -> np.ndarray:
    """Book the NGO channel after the NGO market has absorbed what it could; returns the
    money that reached services."""
    p, cm = model.p, model.communities
    spent, lapsed, cm.idle_ngo = _spend(cm.in_ngo + cm.idle_ngo, spent_ngo, p)
    waste = waste_share(model) * spent
    cm.spent = cm.spent + spent
    cm.wasted = cm.wasted + waste
    cm.lapsed = cm.lapsed + lapsed
    available = cm.inflow - cm.invested + cm.idle_before
    this_month = np.where(available > 0, cm.spent / np.maximum(available, 1e-12), 1.0)
    cm.absorption = cm.absorption + (this_month - cm.absorption) / 12.0
    return spent - waste
