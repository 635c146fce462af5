"""NGO ecosystem: tenders, delivery, failure and entry (ODD §7.9).

Tender. A community whose contract has ended (or that has none) and whose NGO-project pot
holds money puts a project to tender. Operating NGOs decide whether to bid (NGO.bid_value:
free contract places, fit of their specialisation). The street's screening excludes
bidders whose compliance is below `screening_strictness` × `screening_bar` (levers of the
street); bids are scored (1 − s) × observed quality + s × compliance, s =
`screening_strictness`, where observed quality = capability × alignment × fit + noise of sd
`quality_noise_bid` (`quality_noise_evaluated` with third-party evaluation). The best score
wins a contract of `contract_months`: a `contract` edge between the RC and the NGO.

Delivery. A contracted NGO absorbs up to its capacity per contract (`ngo_staff_hours` ×
`cost_per_service_hour` / contracts) and delivers spent / cost × capability × alignment ×
fit hours; referrals need the RC and the NGO to work together, so the hours that reach
residents are scaled by their coordination (coordination.py).

Failure and entry. After `ngo_failure_months` months in deficit (NGO.evolve) an NGO fails
and its contracts end; empty slots are filled by new NGOs at `ngo_entry_rate`.
"""

from __future__ import annotations

import numpy as np

from ..agents.ngo import NGO
from ..network import set_edge
from .devolution import waste_share


def new_ngos(model, slots: np.ndarray) -> None:
    """Fill `slots` with newly founded NGOs drawn from the population distribution (for no
    slots, nothing: draws of no numbers leave the stream as it is)."""
    if slots.size == 0:
        return
    p, ngos = model.p, model.ngos
    rng = model.streams["ngo"]
    k = slots.size
    z1, z2 = rng.standard_normal(k), rng.standard_normal(k)
    rho = p["ngo_quality_compliance_corr"]
    ngos.capability[slots] = np.clip(
        p["ngo_capability_mean"] + p["ngo_capability_sd"] * z1, 0.05, 1
    )
    ngos.compliance[slots] = np.clip(
        p["ngo_compliance_mean"] + p["ngo_compliance_sd"] * (rho * z1 + np.sqrt(1 - rho**2) * z2),
        0,
        1,
    )
    ngos.alignment[slots] = 1.0
    ngos.care_focus[slots] = rng.random(k)
    ngos.reserve[slots] = p["ngo_initial_reserve_months"] * p["ngo_fixed_cost"]
    ngos.gov_share[slots] = 0.0
    ngos.deficit_months[slots] = 0
    ngos.alive[slots] = True
    ngos.generation[slots] += 1


def tender(model) -> None:
    """Contracts end when their months run out; then each open tender, in random order, is
    decided in turn: the NGOs that bid (NGO.bid_value) and pass the street's screening are
    scored and the best wins. What every tender's bidders read but no award changes — each
    NGO's fit to the community, its screening, the noise of the bids — is computed for all
    tenders at once; who still has a free contract place is asked tender by tender."""
    p, cm, ngos, lv = model.p, model.communities, model.ngos, model.levers
    rng = model.streams["ngo"]
    cm.ngo_months_left = np.maximum(cm.ngo_months_left - 1, 0)
    expired = (cm.ngo >= 0) & (cm.ngo_months_left <= 0)
    for c in np.flatnonzero(expired):
        set_ngo_contract(model, int(c), -1)
    pot = cm.in_ngo + cm.idle_ngo
    open_ = np.flatnonzero((cm.ngo < 0) & (pot > 0))
    if open_.size == 0 or ngos.n == 0:
        return
    order = rng.permutation(open_)
    match = NGO.match_rows(model, order)  # each NGO's interest (agents/ngo.py) ...
    strict = lv.community("screening_strictness")[order]
    fits = (match > 0) & (ngos.compliance >= (strict * p["screening_bar"])[:, None])
    evaluated = lv.community("third_party_evaluation")[order].astype(bool)
    noise = np.where(evaluated, p["quality_noise_evaluated"], p["quality_noise_bid"])
    quality = ngos.capability * ngos.alignment
    for i, c in enumerate(order.tolist()):
        bidders = np.flatnonzero(fits[i] & NGO.bidding(model))  # ... while it has a place
        if bidders.size == 0:
            continue
        s = strict[i]
        observed = quality[bidders] * match[i, bidders]
        observed = observed + noise[i] * rng.standard_normal(bidders.size)
        score = (1 - s) * observed + s * ngos.compliance[bidders]
        winner = int(bidders[np.argmax(score)])
        set_ngo_contract(model, c, winner)
        cm.ngo_months_left[c] = p["contract_months"]


def deliver(model) -> np.ndarray:
    """Contracted NGOs absorb project money and deliver hours; returns money absorbed."""
    p, cm, ngos = model.p, model.communities, model.ngos
    pot = cm.in_ngo + cm.idle_ngo
    has = cm.ngo >= 0
    who = np.maximum(cm.ngo, 0)
    per_contract = (
        p["ngo_staff_hours"] * p["cost_per_service_hour"] / np.maximum(ngos.contracts[who], 1)
    )
    absorbed = np.where(has, np.minimum(pot, per_contract), 0.0)
    demand = cm.demand
    need_care = demand[:, 1] / np.maximum(demand[:, 1] + demand[:, 2], 1e-9)
    fit = 1.0 - np.abs(ngos.care_focus[who] - need_care)
    quality = ngos.capability[who] * ngos.alignment[who] * fit
    hours = (1 - waste_share(model)) * absorbed / p["cost_per_service_hour"] * quality
    cm.ngo_hours = np.where(has, hours * cm.ngo_coordination, 0.0)
    ngos.income = np.bincount(who[has], weights=absorbed[has], minlength=ngos.n)
    return absorbed


def fail_and_enter(model) -> None:
    """NGOs in deficit too long fail; empty slots are refilled by new NGOs."""
    p, ngos = model.p, model.ngos
    rng = model.streams["ngo"]
    failing = np.flatnonzero(ngos.alive & (ngos.deficit_months >= p["ngo_failure_months"]))
    for slot in failing:
        for c in np.flatnonzero(model.communities.ngo == slot):
            set_ngo_contract(model, int(c), -1)
    ngos.alive[failing] = False
    ngos.failed[failing] += 1
    model.month.ngo_failed = int(failing.size)
    empty = np.flatnonzero(~ngos.alive)
    if empty.size:  # a draw per empty slot (none drawn for none)
        new_ngos(model, empty[rng.random(empty.size) < p["ngo_entry_rate"]])


def set_ngo_contract(model, community: int, ngo: int) -> None:
    """Give the project contract of `community` to NGO slot `ngo` (-1: none)."""
    cm, off = model.communities, model.world.node_offset
    rc = off["residents_committee"] + community
    old = int(cm.ngo[community])
    if old >= 0:
        model.ngos.contracts[old] -= 1
        set_edge(model, rc, off["ngo"] + old, "contract", False)
    cm.ngo[community] = ngo
    if ngo >= 0:
        model.ngos.contracts[ngo] += 1
        set_edge(model, rc, off["ngo"] + ngo, "contract", True)
    else:
        cm.ngo_months_left[community] = 0
