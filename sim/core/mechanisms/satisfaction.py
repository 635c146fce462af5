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

from .. import kernels
from ..people import BRANCH as BRANCH_ORG
from ..people import OC as OC_ORG
from ..people import ORG_NAMES
from ..people import PC as PC_ORG
from ..people import RC as RC_ORG
from ..residents import TRUST_TARGETS
from ..state import OC_CAPTURED, OC_FUNCTIONING

PARTY, RC, OC, FIRM, NGO, STREET = (
    TRUST_TARGETS.index(k) for k in ("party", "rc", "oc", "firm", "ngo", "street")
)


def _track(trust: np.ndarray, signal: np.ndarray, rate) -> None:
    """trust += rate × (signal − trust), in place (float32)."""
    signal -= trust
    signal *= rate
    trust += signal


def step(model) -> None:
    p, res, cp, cm = model.p, model.residents, model.compounds, model.communities
    f32 = np.float32
    # compound- and community-level parts of the experience, computed once and repeated
    quality = cp.quality.astype(f32)
    harmony = cp.harmony.astype(f32)
    w = np.array([p["weight_needs"], p["weight_property"], p["weight_disputes"]])
    w = w / w.sum() if w.sum() > 0 else np.full(3, 1 / 3)
    target = f32(w[1]) * quality + f32(w[2]) * harmony
    sat_rate = f32(p["satisfaction_rate"])
    rate = f32(p["trust_rate"])
    community_met = cm.needs_met.astype(f32)
    mediation = cp.mediated / np.maximum(cp.disputes, 1)
    party_signal = np.where(cp.disputes > 0, mediation, community_met[cp.community]).astype(f32)
    state = cp.oc_state
    oc_signal = np.where(state == OC_CAPTURED, f32(0.0), quality)
    oc_rate = np.where((state == OC_FUNCTIONING) | (state == OC_CAPTURED), rate, f32(0))
    ngo_rate = np.where(cm.ngo >= 0, rate, f32(0))
    compiled = kernels.active(res.n) if res.sorted else None
    if compiled is not None:  # the NumPy passes below as one compiled loop
        compiled.satisfaction_and_trust(
            res.compound_start,
            cp.community,
            res.need,
            res.met,
            res.satisfaction,
            res.trust,
            target,
            f32(w[0]),
            sat_rate,
            rate,
            party_signal,
            oc_signal,
            oc_rate,
            quality,
            ngo_rate,
            community_met,
            np.array([PARTY, RC, OC, FIRM, NGO, STREET], dtype=np.int64),
        )
    else:
        need, met = res.need.T, res.met.T  # 3 × residents, contiguous rows
        care_legal_need = need[1] + need[2]
        care_legal_met = met[1] * need[1]
        care_legal_met += met[2] * need[2]
        total_need = need[0] + care_legal_need
        met_hours = met[0] * need[0]
        met_hours += care_legal_met
        tiny = f32(1e-12)
        needs_met = np.where(total_need > 0, met_hours / np.maximum(total_need, tiny), f32(1.0))
        del met_hours, total_need
        target = res.at_compound(target)
        target += f32(w[0]) * needs_met
        _track(res.satisfaction, target, sat_rate)
        trust = res.trust
        _track(trust[:, PARTY], res.at_compound(party_signal), rate)
        _track(trust[:, RC], needs_met, rate)
        _track(trust[:, OC], res.at_compound(oc_signal), res.at_compound(oc_rate))
        _track(trust[:, FIRM], res.at_compound(quality), rate)
        ngo_signal = np.where(
            care_legal_need > 0, care_legal_met / np.maximum(care_legal_need, tiny), f32(1.0)
        )
        _track(trust[:, NGO], ngo_signal, res.at_community(ngo_rate))
        _track(trust[:, STREET], res.at_community(community_met), rate)
    cp.satisfaction = res.per_compound(res.satisfaction) / np.maximum(cp.residents, 1)
    update_standing(model)


def update_standing(model) -> None:
    """Office-holders' standing follows residents' trust in the organisations they sit on
    (party committee and branch: trust in the party; RC: in the RC; OC: in the OC), at
    `standing_rate`."""
    seats, people = model.seats, model.people
    filled = np.flatnonzero(seats.holder >= 0)
    if filled.size == 0:
        return
    by_compound = {k: model.compound_trust(k) for k in ("party", "oc")}
    by_community = {k: model.community_trust(k) for k in ("party", "rc")}
    # each seat's signal, its organisation's trust: the values of the four kinds in one
    # array after a NaN, which seats of other kinds read (what np.select would pick)
    values = [np.full(1, np.nan)]
    start = np.zeros(len(ORG_NAMES), dtype=np.int64)  # other kinds: slot 0, the NaN
    last = np.zeros(len(ORG_NAMES), dtype=np.int64)
    for kind, trust in (
        (PC_ORG, by_community["party"]),
        (RC_ORG, by_community["rc"]),
        (BRANCH_ORG, by_compound["party"]),
        (OC_ORG, by_compound["oc"]),
    ):
        start[kind], last[kind] = sum(len(v) for v in values), len(trust) - 1
        values.append(trust)
    org = seats.org[filled]
    signal = np.concatenate(values)[start[org] + np.minimum(seats.org_index[filled], last[org])]
    keep = ~np.isnan(signal)
    h = seats.holder[filled][keep]
    n = people.n
    total = np.bincount(h, weights=signal[keep], minlength=n)
    count = np.bincount(h, minlength=n)
    seen = count > 0
    mean = total[seen] / count[seen]
    rate = model.p["standing_rate"]
    people.standing[:n][seen] += rate * (mean - people.standing[:n][seen])
