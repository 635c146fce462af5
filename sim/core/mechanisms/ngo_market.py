"""NGO ecosystem: bidding, delivery, learning, failure, drift and entry (ODD §7.9).

Tender. A community whose contract has ended (or that has none) and whose NGO-project pot
holds money puts a project to tender among operating NGOs with a free contract place
(`ngo_max_contracts`). Screening excludes NGOs whose compliance is below
`screening_strictness × screening_bar`; bids are scored
`(1 − s) × (observed quality) + s × compliance`, s = `screening_strictness`, where observed
quality = capability × alignment + noise of sd `quality_noise_bid`
(`quality_noise_evaluated` with third-party evaluation). The best score wins a contract of
`contract_months`.

Delivery. A contracted NGO absorbs up to its capacity per contract
(`ngo_staff_hours × cost_per_service_hour / contracts`) and delivers
spent / cost × capability × alignment hours.

Finance and fate. Reserve += `ngo_overhead_margin` × government payments +
`ngo_private_income` − `ngo_fixed_cost`; after `ngo_failure_months` months in deficit the
NGO fails and its contracts end. Government share of income (moving average, rate
`drift_rate`) pulls mission alignment toward 1 − `drift_sensitivity` × share (less
`evaluation_drift_protection` with evaluation). Capability grows with contract work at
`ngo_learning_rate`. Empty slots are filled by new NGOs at `ngo_entry_rate`.
"""

from __future__ import annotations

import numpy as np

from .devolution import waste_share


def new_ngos(model, slots: np.ndarray) -> None:
    """Fill `slots` with newly founded NGOs drawn from the population distribution."""
    p, ngos = model.p, model.ngos
    rng = model.streams["ngo"]
    k = slots.size
    z1, z2 = rng.standard_normal(k), rng.standard_normal(k)
    rho = p["ngo_quality_compliance_corr"]
    ngos.capability[slots] = np.clip(p["ngo_capability_mean"] + p["ngo_capability_sd"] * z1, 0.05, 1)
    ngos.compliance[slots] = np.clip(
        p["ngo_compliance_mean"] + p["ngo_compliance_sd"] * (rho * z1 + np.sqrt(1 - rho**2) * z2), 0, 1
    )
    ngos.alignment[slots] = 1.0
    ngos.reserve[slots] = p["ngo_initial_reserve_months"] * p["ngo_fixed_cost"]
    ngos.gov_share[slots] = 0.0
    ngos.deficit_months[slots] = 0
    ngos.alive[slots] = True
    ngos.generation[slots] += 1


def tender(model) -> None:
    p, cm, ngos = model.p, model.communities, model.ngos
    rng = model.streams["ngo"]
    cm.ngo_months_left = np.maximum(cm.ngo_months_left - 1, 0)
    expired = (cm.ngo >= 0) & (cm.ngo_months_left <= 0)
    for c in np.flatnonzero(expired):
        model.set_ngo_contract(int(c), -1)
    pot = model.flows["in_ngo"] + cm.idle_ngo
    open_ = np.flatnonzero((cm.ngo < 0) & (pot > 0))
    if open_.size == 0 or ngos.n == 0:
        return
    s = p["screening_strictness"]
    noise = p["quality_noise_evaluated"] if p["third_party_evaluation"] else p["quality_noise_bid"]
    for c in rng.permutation(open_):
        eligible = ngos.alive & (ngos.contracts < p["ngo_max_contracts"])
        eligible &= ngos.compliance >= s * p["screening_bar"]
        bidders = np.flatnonzero(eligible)
        if bidders.size == 0:
            continue
        observed = ngos.capability[bidders] * ngos.alignment[bidders]
        observed = observed + noise * rng.standard_normal(bidders.size)
        score = (1 - s) * observed + s * ngos.compliance[bidders]
        winner = int(bidders[np.argmax(score)])
        model.set_ngo_contract(int(c), winner)
        cm.ngo_months_left[c] = p["contract_months"]


def deliver(model) -> np.ndarray:
    """Contracted NGOs absorb project money and deliver hours; returns money absorbed."""
    p, cm, ngos = model.p, model.communities, model.ngos
    pot = model.flows["in_ngo"] + cm.idle_ngo
    has = cm.ngo >= 0
    who = np.maximum(cm.ngo, 0)
    per_contract = p["ngo_staff_hours"] * p["cost_per_service_hour"] / np.maximum(
        ngos.contracts[who], 1
    )
    absorbed = np.where(has, np.minimum(pot, per_contract), 0.0)
    quality = ngos.capability[who] * ngos.alignment[who]
    hours = (1 - waste_share(p)) * absorbed / p["cost_per_service_hour"] * quality
    model.flows["ngo_hours"] = np.where(has, hours, 0.0)
    ngos.income = np.bincount(who[has], weights=absorbed[has], minlength=ngos.n)
    return absorbed


def evolve(model) -> None:
    """Finance, failure, drift, learning and entry, once a month after delivery."""
    p, ngos = model.p, model.ngos
    rng = model.streams["ngo"]
    alive = ngos.alive
    private = p["ngo_private_income"]
    ngos.reserve = np.where(
        alive, ngos.reserve + p["ngo_overhead_margin"] * ngos.income + private
        - p["ngo_fixed_cost"], ngos.reserve
    )
    share = ngos.income / np.maximum(ngos.income + private, 1e-9)
    ngos.gov_share = np.where(alive, ngos.gov_share + p["drift_rate"] * (share - ngos.gov_share),
                              ngos.gov_share)
    protect = p["evaluation_drift_protection"] if p["third_party_evaluation"] else 0.0
    target = 1 - p["drift_sensitivity"] * ngos.gov_share * (1 - protect)
    ngos.alignment = np.where(alive, ngos.alignment + p["drift_rate"] * (target - ngos.alignment),
                              ngos.alignment)
    working = alive & (ngos.contracts > 0)
    ngos.capability = np.where(
        working, ngos.capability + p["ngo_learning_rate"] * (1 - ngos.capability), ngos.capability
    )
    ngos.deficit_months = np.where(alive & (ngos.reserve < 0), ngos.deficit_months + 1, 0)
    failing = np.flatnonzero(alive & (ngos.deficit_months >= p["ngo_failure_months"]))
    for slot in failing:
        for c in np.flatnonzero(model.communities.ngo == slot):
            model.set_ngo_contract(int(c), -1)
    ngos.alive[failing] = False
    ngos.failed[failing] += 1
    model.flows["ngo_failed_now"] = int(failing.size)
    empty = np.flatnonzero(~ngos.alive)
    entering = empty[rng.random(empty.size) < p["ngo_entry_rate"]]
    new_ngos(model, entering)
