"""Property management: firms' effort, owners' fees, supervision and turnover (ODD §7.6).

Effort. Per compound, the firm compares two efforts, as fractions of its fee potential R:
the unconstrained optimum e* = `firm_fee_responsiveness` / (2 × `effort_cost`) — the
quality-driven fee gain against a quadratic effort cost — and compliance at
`shirk_threshold` θ. Below θ it risks detection d per month, which costs
`sanction_share` of monthly fees plus, where a functioning owners' committee can
re-tender, independence × 1/`retender_strikes` of `contract_value_months` of fees (a
committee re-tenders only as far as it is independent of those it supervises). It takes θ when
U(θ) ≥ U(e*) − d × penalty, and moves its effort toward the target at `effort_adjust_rate`.

Detection d = 1 − (1 − detect_base)(1 − detect_oc × independence × seat performance, if the
OC functions)(1 − detect_professional, if the professional committee is on).

Quality = firm capability × effort (a `fallback_quality` stop-gap when no firm serves the
compound). An owner household pays its fee when perceived quality (quality + noise of sd
`quality_noise`) is at least its tolerance. Detected shirking adds a strike (strikes decay
at `strike_decay`); at `retender_strikes` a functioning OC re-tenders, with probability
equal to its independence: the best of
`tender_bidders` other invited firms, by capability, takes over. A firm leaves a compound after `exit_patience`
months of collection below `exit_collection`; the street then finds a new firm with
probability 1/`exit_patience` a month.
"""

from __future__ import annotations

import numpy as np

from ..state import OC_FUNCTIONING


def detection(model) -> np.ndarray:
    p, cp, f = model.p, model.compounds, model.flows
    functioning = cp.oc_state == OC_FUNCTIONING
    oc = np.where(functioning, p["detect_oc"] * cp.independence * f["oc_performance"], 0.0)
    prof = p["detect_professional"] if p["professional_committee"] else 0.0
    return 1 - (1 - p["detect_base"]) * (1 - oc) * (1 - prof)


def step(model) -> None:
    choose_effort(model)
    book_fees(model, pay_fees(model))
    supervise(model)


def choose_effort(model) -> None:
    """Firms set effort in each compound; quality follows."""
    p, cp, firms = model.p, model.compounds, model.firms
    served = cp.firm >= 0
    functioning = cp.oc_state == OC_FUNCTIONING
    d = detection(model)
    # a committee re-tenders only as far as it is independent of those it supervises
    willing = np.where(functioning, cp.independence, 0.0)
    retender_value = willing * p["contract_value_months"] / p["retender_strikes"]
    penalty = d * (p["sanction_share"] + retender_value)
    b, c, theta = p["firm_fee_responsiveness"], p["effort_cost"], p["shirk_threshold"]
    e_free = min(b / (2 * c), 1.0)
    if e_free >= theta:
        target = np.full(cp.n, e_free)
    else:
        u_free = b * e_free - c * e_free**2 - penalty
        u_comply = b * theta - c * theta**2
        target = np.where(u_comply >= u_free, theta, e_free)
    cp.effort = cp.effort + p["effort_adjust_rate"] * (target - cp.effort)
    capability = np.where(served, firms.capability[np.maximum(cp.firm, 0)], 0.0)
    cp.quality = np.where(served, capability * cp.effort, p["fallback_quality"])


def pay_fees(model) -> np.ndarray:
    """Each owner household pays when it perceives quality at or above its tolerance;
    sets `residents.pays` and returns the paying households per compound."""
    p, cp, res = model.p, model.compounds, model.residents
    rng = model.streams["property"]
    served = cp.firm >= 0
    heads = np.flatnonzero(res.owner_heads)  # only owner households decide on fees
    where = res.compound[heads]
    perceived = cp.quality[where] + p["quality_noise"] * rng.standard_normal(heads.size)
    pays = (perceived >= res.tolerance[heads]) & served[where]
    res.pays = np.zeros(res.n, dtype=bool)
    res.pays[heads] = pays
    return np.bincount(where[pays], minlength=cp.n).astype(float)


def book_fees(model, paid: np.ndarray) -> None:
    """Collection rates and firms' revenue from the paying households per compound."""
    p, cp, firms = model.p, model.compounds, model.firms
    served = cp.firm >= 0
    cp.collection = np.where(cp.owners > 0, paid / np.maximum(cp.owners, 1), 1.0)
    cp.collection = np.where(served, cp.collection, 0.0)
    revenue = p["fee_per_household"] * paid
    firms.revenue = np.bincount(np.maximum(cp.firm, 0), weights=revenue * served,
                                minlength=firms.n)


def supervise(model) -> None:
    """Detection, sanctions, re-tendering, exit over arrears and re-assignment."""
    p, cp, firms, f = model.p, model.compounds, model.firms, model.flows
    rng = model.streams["property"]
    served = cp.firm >= 0
    functioning = cp.oc_state == OC_FUNCTIONING
    d = detection(model)
    theta = p["shirk_threshold"]

    # --- detection, sanctions, re-tendering ----------------------------------------------
    shirking = served & (cp.effort < theta)
    detected = shirking & (rng.random(cp.n) < d)
    cp.strikes = cp.strikes * (1 - p["strike_decay"]) + detected
    retender = (functioning & served & (cp.strikes >= p["retender_strikes"])
                & (rng.random(cp.n) < cp.independence))
    f["sanctions"] = detected
    f["retendered"] = retender

    # --- exit over arrears ---------------------------------------------------------------
    low = served & (cp.collection < p["exit_collection"])
    cp.low_collection_months = np.where(low, cp.low_collection_months + 1, 0)
    exit_ = low & (cp.low_collection_months >= p["exit_patience"]) & ~retender
    f["firm_exits"] = exit_

    changed = np.flatnonzero(retender | exit_)
    np.add.at(firms.lost, cp.firm[changed], 1)
    for c in np.flatnonzero(retender):
        model.assign_firm(int(c), _tender(rng, firms.capability, int(cp.firm[c]), p))
    for c in np.flatnonzero(exit_):
        model.assign_firm(int(c), -1)
    # compounds without a firm: the street finds one
    vacant = np.flatnonzero((cp.firm < 0) & ~exit_)
    found = vacant[rng.random(vacant.size) < 1.0 / p["exit_patience"]]
    for c in found:
        model.assign_firm(int(c), _tender(rng, firms.capability, -1, p))
    f["firm_turnover"] = int(retender.sum() + exit_.sum())


def _tender(rng: np.random.Generator, capability: np.ndarray, exclude: int, p: dict) -> int:
    """Best of `tender_bidders` randomly invited firms (other than `exclude`), by capability."""
    candidates = np.flatnonzero(np.arange(capability.size) != exclude)
    if candidates.size == 0:
        return exclude
    invited = rng.choice(candidates, size=min(p["tender_bidders"], candidates.size), replace=False)
    return int(invited[np.argmax(capability[invited])])
