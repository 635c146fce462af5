"""Budget and task flow: how much money reaches communities, through which channel, and
how much of it they can absorb (ODD §7.2).

Street budget = `street_budget_per_resident × residents`. The street first pays its
overheads (task hours it keeps, the volunteer platform, third-party evaluation), devolves
`devolution_share` of the rest and spends what it retains on street-run services at
`street_service_efficiency`. A community's devolved money is split: first
`capacity_building_share` into a capacity pipeline, then by the normalised channel weights
into block grant (part by population, `performance_budget_share` by assessment score), grid
funds and NGO projects.

Absorption: a channel can turn money into services only as fast as someone manages it —
`spend_per_management_hour` per management hour, with at most `management_time_cap` of the
free hours of RC staff (block grant, scaled by skill and performance) or grid workers (grid
funds, scaled by the leader's performance and the coordination index); NGO money is
absorbed by the contracted NGO (sim.core.mechanisms.ngo_market). Unspent money stays idle, and
`idle_lapse_rate` of the idle stock lapses each month; `waste_rate` of spending leaks.
Conservation, every month and community: inflow + idle before = services + invested +
wasted + lapsed + idle after.
"""

from __future__ import annotations

import numpy as np


def channel_weights(p: dict) -> np.ndarray:
    """Normalised weights of block grant, grid funds and NGO projects."""
    w = np.array([p["channel_block_grant"], p["channel_grid_funds"], p["channel_ngo_projects"]])
    return w / w.sum()


def waste_share(p: dict) -> float:
    cut = p["evaluation_waste_cut"] if p["third_party_evaluation"] else 0.0
    return p["waste_rate"] * (1.0 - cut)


def allocate(model) -> None:
    """Street budgets, overheads, devolution and the split into channels."""
    p, cm, st = model.p, model.communities, model.streets
    street_res = np.bincount(cm.street, weights=cm.residents, minlength=st.n)
    st.budget = p["street_budget_per_resident"] * street_res
    overhead = st.kept_task_hours * p["street_task_cost"]
    if p["volunteer_platform"]:
        overhead = overhead + p["platform_cost_per_resident"] * street_res
    if p["third_party_evaluation"]:
        overhead = overhead + p["evaluation_cost_share"] * st.budget
    st.overhead = np.minimum(overhead, st.budget)
    net = st.budget - st.overhead
    st.devolved = p["devolution_share"] * net
    st.retained = net - st.devolved

    pop_share = cm.residents / np.maximum(street_res[cm.street], 1)
    inflow = st.devolved[cm.street] * pop_share
    cm.inflow = inflow
    cm.invested = p["capacity_building_share"] * inflow
    rest = inflow - cm.invested
    w_block, w_grid, w_ngo = channel_weights(p)
    # block grants: part by population, part by assessment score (relative within street)
    score_pop = cm.score * cm.residents
    street_score_pop = np.bincount(cm.street, weights=score_pop, minlength=st.n)
    by_score = np.where(
        street_score_pop[cm.street] > 0,
        score_pop / np.maximum(street_score_pop[cm.street], 1e-12) * street_res[cm.street],
        cm.residents,
    )
    perf = p["performance_budget_share"]
    block_share = (1 - perf) * cm.residents + perf * by_score
    # renormalise the block weights within each street so money is conserved exactly
    street_block = np.bincount(cm.street, weights=block_share, minlength=st.n)
    street_rest = np.bincount(cm.street, weights=rest, minlength=st.n)
    block = w_block * street_rest[cm.street] * block_share / np.maximum(
        street_block[cm.street], 1e-12
    )
    model.flows["in_block"] = block
    model.flows["in_grid"] = w_grid * rest
    model.flows["in_ngo"] = w_ngo * rest
    # what each community actually receives once block grants follow scores
    cm.inflow = cm.invested + block + w_grid * rest + w_ngo * rest
    model.flows["idle_before"] = cm.idle_block + cm.idle_grid + cm.idle_ngo
    # street-run services: hours by population
    street_hours = st.retained * p["street_service_efficiency"] / p["cost_per_service_hour"]
    model.flows["street_hours"] = street_hours[cm.street] * pop_share


def _spend(pot: np.ndarray, capacity: np.ndarray, p: dict):
    """Spend what capacity allows; returns (spent, lapsed, idle after)."""
    spent = np.minimum(pot, np.maximum(capacity, 0.0))
    idle = pot - spent
    lapsed = p["idle_lapse_rate"] * idle
    return spent, lapsed, idle - lapsed


def absorb(model) -> None:
    """Block grants and grid funds become services within absorptive capacity; capacity
    investment matures into skill."""
    p, cm, f = model.p, model.communities, model.flows
    rate = p["spend_per_management_hour"]
    waste = waste_share(p)
    productivity = cm.skill * f["cadre_performance"]
    free = np.maximum(cm.hours - cm.admin_hours - cm.mediation_hours - cm.committee_hours
                      - cm.formalism_hours, 0.0)
    mgmt_cap = p["management_time_cap"] * free
    spent_b, lapsed_b, cm.idle_block = _spend(
        f["in_block"] + cm.idle_block, mgmt_cap * productivity * rate, p
    )
    cm.management_hours = spent_b / np.maximum(productivity * rate, 1e-12)
    cm.service_hours = free - cm.management_hours

    grid_hours = cm.grid_workers * p["staff_hours"]
    grid_cap = p["management_time_cap"] * grid_hours * cm.coordination * rate
    spent_g, lapsed_g, cm.idle_grid = _spend(f["in_grid"] + cm.idle_grid, grid_cap, p)
    f["grid_own_hours"] = grid_hours * p["grid_service_share"] * cm.leader_performance

    spent = spent_b + spent_g
    cm.wasted = waste * spent
    f["bought_hours_block"] = (1 - waste) * spent_b / p["cost_per_service_hour"]
    f["bought_hours_grid"] = (1 - waste) * spent_g / p["cost_per_service_hour"]
    f["services_money"] = (1 - waste) * spent
    cm.spent = spent
    cm.lapsed = lapsed_b + lapsed_g

    # capacity building: the pipeline matures at 1/capacity_build_months per month
    cm.capacity_pipeline = cm.capacity_pipeline + cm.invested
    matured = cm.capacity_pipeline / p["capacity_build_months"]
    cm.capacity_pipeline = cm.capacity_pipeline - matured
    gain = matured / (p["training_cost"] * np.maximum(cm.staff, 1e-9))
    headroom = np.maximum(1.0 - cm.skill / p["skill_max"], 0.0)
    cm.skill = cm.skill + gain * headroom + p["skill_decay"] * (p["rc_skill_mean"] - cm.skill)
    cm.skill = np.clip(cm.skill, 0.01, p["skill_max"])


def settle_ngo_channel(model, spent_ngo: np.ndarray) -> None:
    """Book the NGO channel after the NGO market has absorbed what it could."""
    p, cm, f = model.p, model.communities, model.flows
    spent, lapsed, cm.idle_ngo = _spend(f["in_ngo"] + cm.idle_ngo, spent_ngo, p)
    waste = waste_share(p)
    cm.spent = cm.spent + spent
    cm.wasted = cm.wasted + waste * spent
    cm.lapsed = cm.lapsed + lapsed
    f["services_money"] = f["services_money"] + (1 - waste) * spent
    f["ngo_paid"] = spent
