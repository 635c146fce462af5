"""Satisfaction and trust follow experience (ODD §7.12).

Satisfaction moves at `satisfaction_rate` toward a weighted mean (weights
`weight_needs`, `weight_property`, `weight_disputes`, normalised) of: the share of the
resident's hour needs met this month, perceived property-service quality, and the
compound's dispute harmony. Trust in each organisation type moves at `trust_rate` toward
what the resident observed of it this month:
- residents' committee: own needs met; street office: the community's needs met;
- party organisation: mediation success where the compound had disputes, else the
  community's needs met (the party organisation coordinates service);
- owners' committee: property quality where the committee functions, 0 where captured;
- property firm: property quality; NGO: own care and legal needs met, where an NGO works.
Trust in a body the resident did not observe this month stays where it was.
"""

from __future__ import annotations

import numpy as np

from ..residents import TRUST_TARGETS
from ..state import OC_CAPTURED, OC_FUNCTIONING

PARTY, RC, OC, FIRM, NGO, STREET = (TRUST_TARGETS.index(k) for k in
                                    ("party", "rc", "oc", "firm", "ngo", "street"))


def step(model) -> None:
    p, res, cp, cm, f = model.p, model.residents, model.compounds, model.communities, model.flows
    total_need = res.need.sum(axis=1)
    met_hours = (res.met * res.need).sum(axis=1)
    needs_met = np.where(total_need > 0, met_hours / np.maximum(total_need, 1e-12), 1.0)
    quality = cp.quality[res.compound]
    harmony = f["harmony"][res.compound]
    w = np.array([p["weight_needs"], p["weight_property"], p["weight_disputes"]])
    w = w / w.sum() if w.sum() > 0 else np.full(3, 1 / 3)
    target = w[0] * needs_met + w[1] * quality + w[2] * harmony
    res.satisfaction += (p["satisfaction_rate"] * (target - res.satisfaction)).astype(np.float32)

    rate = p["trust_rate"]
    community_met = f["community_needs_met"][res.community]
    mediation = f["mediation_success"][res.compound]
    party_signal = np.where(np.isnan(mediation), community_met, mediation)
    state = cp.oc_state[res.compound]
    oc_signal = np.where(state == OC_CAPTURED, 0.0, quality)
    oc_seen = (state == OC_FUNCTIONING) | (state == OC_CAPTURED)
    ngo_need = res.need[:, 1:].sum(axis=1)
    ngo_signal = np.where(
        ngo_need > 0, (res.met[:, 1:] * res.need[:, 1:]).sum(axis=1) / np.maximum(ngo_need, 1e-12),
        1.0,
    )
    ngo_seen = (cm.ngo >= 0)[res.community]
    signals = [
        (PARTY, party_signal, None),
        (RC, needs_met, None),
        (OC, oc_signal, oc_seen),
        (FIRM, quality, None),
        (NGO, ngo_signal, ngo_seen),
        (STREET, community_met, None),
    ]
    for col, signal, seen in signals:
        step_ = rate * (signal - res.trust[:, col])
        if seen is not None:
            step_ = np.where(seen, step_, 0.0)
        res.trust[:, col] += step_.astype(np.float32)
    f["compound_satisfaction"] = np.bincount(
        res.compound, weights=res.satisfaction, minlength=cp.n
    ) / np.maximum(cp.residents, 1)
