"""Owners'-committee formation and health (ODD §7.7).

Formation. In a compound without a committee, owners attempt an assembly with monthly
probability `oc_attempt_rate × (1 − quality)` × (1 + `party_attempt_boost` ×
`party_led_formation`, if the compound has a party branch) — owners organise when service
is poor, party organisations convene them when told to. At an assembly each owner
household takes part with probability `assembly_turnout_base` + `assembly_turnout_sd` × the
compound's cohesion (a standard-normal draw fixed per compound) (+
`assembly_turnout_participant` if a member participates, + `party_turnout_boost ×
party_led_formation` with a branch). The Civil Code quorum (Art. 278): participants must
hold at least `quorum_share` of owners AND of floor area; the committee is elected when
more than `approval_share` of participants, by head and by area, agree. Each participant
agrees with probability `approval_base × (1 + dissatisfaction)`, capped at 1.

Health. A functioning committee stalls with probability `oc_stall_rate × (1 − support)`
and a stalled one revives with `oc_revive_rate × support`, support =
min(1, participation / `oc_support_participation`); a functioning committee is captured
with probability `oc_capture_rate`, reduced by `party_capture_protection` when a cadre
sits on it and by `professional_capture_protection` under a professional committee. At the
end of its term (`oc_term_months`) a committee must be re-elected by a new assembly, or it
lapses. Cross-appointed seats are filled at election by comparing the compound's fixed
uniforms with the levers.
"""

from __future__ import annotations

import numpy as np

from ..state import OC_CAPTURED, OC_FUNCTIONING, OC_NONE, OC_STALLED


def hold_assemblies(model, compounds: np.ndarray) -> np.ndarray:
    """Hold an owners' assembly in each of `compounds`; return the mask of those that
    elected a committee (quorum met and approved)."""
    p, cp, res = model.p, model.compounds, model.residents
    rng = model.streams["assembly"]
    if compounds.size == 0:
        return np.zeros(0, dtype=bool)
    # the residents of the assembling compounds (contiguous slices, in order)
    held = np.unique(compounds)
    start, stop = res.compound_start[held], res.compound_start[held + 1]
    sizes = stop - start
    members = np.repeat(start - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
    voters = members[res.owner_heads[members]]
    comp = res.compound[voters]
    # a household takes part if any member participates in community life
    household_part = np.zeros(int(res.household[-1]) + 1 if res.n else 0, dtype=bool)
    household_part[res.household[members[res.participates[members]]]] = True
    boost = p["party_turnout_boost"] * p["party_led_formation"] * cp.has_branch[comp]
    turnout_p = (
        p["assembly_turnout_base"]
        + p["assembly_turnout_sd"] * model.world.cohesion[comp]
        + p["assembly_turnout_participant"] * household_part[res.household[voters]]
        + boost
    )
    takes_part = rng.random(voters.size) < np.clip(turnout_p, 0.0, 1.0)
    dissatisfaction = 1.0 - model.flows["compound_satisfaction"][comp]
    agrees = takes_part & (
        rng.random(voters.size) < np.minimum(p["approval_base"] * (1 + dissatisfaction), 1.0)
    )
    area = res.area[voters]

    def total(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = mask.astype(float) if weights is None else weights * mask
        return np.bincount(comp, weights=w, minlength=cp.n)[compounds]

    owners, owner_area = total(np.ones(voters.size, bool)), total(np.ones(voters.size, bool), area)
    part, part_area = total(takes_part), total(takes_part, area)
    yes, yes_area = total(agrees), total(agrees, area)
    q = p["quorum_share"]
    quorum = (part >= q * owners) & (part_area >= q * owner_area) & (owners > 0)
    a = p["approval_share"]
    approved = (yes > a * part) & (yes_area > a * part_area)
    model.flows["assembly_turnout"] = float(part.sum() / max(owners.sum(), 1))
    return quorum & approved


def step(model) -> None:
    p, cp, w = model.p, model.compounds, model.world
    rng = model.streams["assembly"]

    # health transitions of existing committees
    support = np.minimum(cp.participation / p["oc_support_participation"], 1.0)
    functioning, stalled = cp.oc_state == OC_FUNCTIONING, cp.oc_state == OC_STALLED
    u = rng.random(cp.n)
    cadre = cp.oc_chair_xa | cp.oc_member_xa
    capture = p["oc_capture_rate"] * (1 - p["party_capture_protection"] * cadre)
    if p["professional_committee"]:
        capture = capture * (1 - p["professional_capture_protection"])
    stall = p["oc_stall_rate"] * (1 - support)
    to_captured = functioning & (u < capture)
    to_stalled = functioning & ~to_captured & (u < capture + stall)
    to_functioning = stalled & (u < p["oc_revive_rate"] * support)
    cp.oc_state[to_captured] = OC_CAPTURED
    cp.oc_state[to_stalled] = OC_STALLED
    cp.oc_state[to_functioning] = OC_FUNCTIONING
    formed = cp.oc_state != OC_NONE
    cp.oc_age = np.where(formed, cp.oc_age + 1, 0)

    # assemblies: new committees, and re-elections at the end of a term
    party = p["party_led_formation"] * cp.has_branch
    attempt_p = p["oc_attempt_rate"] * (1 - cp.quality) * (1 + p["party_attempt_boost"] * party)
    new = ~formed & (rng.random(cp.n) < attempt_p)
    reelect = formed & (cp.oc_age >= p["oc_term_months"])
    held = np.flatnonzero(new | reelect)
    elected = held[hold_assemblies(model, held)]
    lapsed = np.setdiff1d(np.flatnonzero(reelect), elected)
    model.flows["oc_formed_now"] = int(np.count_nonzero(new[elected]))
    model.flows["oc_lapsed_now"] = int(lapsed.size)
    for c in lapsed:
        model.set_owners_committee(int(c), OC_NONE)
    chair = cp.has_branch & (w.u_chair < p["xa_secretary_chairs_oc"])
    member = w.u_member < p["xa_two_committee_member_on_oc"]
    for c in elected:
        model.set_owners_committee(int(c), OC_FUNCTIONING, bool(chair[c]), bool(member[c]))
