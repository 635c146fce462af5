"""Disputes: arising, mediated, escalated (ODD §7.8).

Disputes in a compound arrive as a Poisson count with mean, per 1,000 residents,
`dispute_base + dispute_quality × (1 − quality) + dispute_arrears × (1 − collection) +
dispute_oc_conflict × [committee captured, or a sanction this month]`.
The residents' committee and party branch mediate each with probability
`mediation_base × coordination × leader performance × (1 − mediation_trust_weight ×
(1 − trust in the RC)) ×
coverage`, coverage = reserved mediation hours / hours needed (capped at 1). Unmediated
disputes escalate (petition, lawsuit) with probability `escalation_share`. Compound harmony
= exp(−(escalated + `unresolved_harm_weight` × other unmediated) per 1,000 residents /
`dispute_harm_scale`).
"""

from __future__ import annotations

import numpy as np

from ..state import OC_CAPTURED


def step(model) -> None:
    p, cp, cm = model.p, model.compounds, model.communities
    rng = model.streams["disputes"]
    per_k = cp.residents / 1000.0
    served = cp.firm >= 0
    conflict = (cp.oc_state == OC_CAPTURED) | cp.detected
    rate = (
        p["dispute_base"]
        + p["dispute_quality"] * (1 - cp.quality)
        + p["dispute_arrears"] * np.where(served, 1 - cp.collection, 0.0)
        + p["dispute_oc_conflict"] * conflict
    )
    arising = rng.poisson(rate * per_k)
    community_disputes = np.bincount(cp.community, weights=arising, minlength=cm.n)
    needed = community_disputes * p["mediation_hours"]
    coverage = np.where(needed > 0, np.minimum(cm.mediation_hours / np.maximum(needed, 1e-9), 1), 1)
    trust_rc = model.community_trust("rc")
    by_community = (
        p["mediation_base"]
        * cm.leader_performance
        * (1 - p["mediation_trust_weight"] * (1 - trust_rc))
        * coverage
    )
    success = by_community[cp.community] * cp.mediation_coordination
    mediated = rng.binomial(arising, np.clip(success, 0, 1))
    unmediated = arising - mediated
    escalated = rng.binomial(unmediated, p["escalation_share"]) + model.lawsuits
    cm.disputes = community_disputes
    cm.mediated = np.bincount(cp.community, weights=mediated, minlength=cm.n)
    cm.escalated = np.bincount(cp.community, weights=escalated, minlength=cm.n)
    cp.disputes = arising
    memory = p["convene_memory_months"]
    cp.dispute_rate += (arising / np.maximum(per_k, 1e-9) - cp.dispute_rate) / memory
    cp.mediated = mediated
    cp.escalated = escalated
    cp.unresolved = np.maximum(unmediated - escalated, 0)
    model.lawsuits = np.zeros(cp.n, dtype=np.int64)


def settle(model) -> None:
    """Harmony after street offices summoned departments (StreetOffice.summon): an answered
    summons removes `summons_resolution` of an escalated dispute's harm."""
    p, cp, cm = model.p, model.compounds, model.communities
    per_k = cp.residents / 1000.0
    relief = p["summons_resolution"] * model.streets.answered_share[cm.street[cp.community]]
    harm = cp.escalated * (1 - relief) + p["unresolved_harm_weight"] * cp.unresolved
    cp.harmony = np.exp(-harm / np.maximum(per_k, 1e-9) / p["dispute_harm_scale"])


def sue_firm(model, compound: int) -> None:
    """The owners of `compound` take their firm to court (counted; `step` reads it)."""
    model.lawsuits[compound] += 1
