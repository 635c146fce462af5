"""Resident participation in the model: a public-goods game on the social graph (ODD §7.10).

Each resident either participates (volunteering, meetings, assembly votes, evaluations) or
not. Payoffs follow the public-goods game on graphs of sim.mechanisms.participation: every
resident is the centre of a group of itself and its neighbours; contributions are
multiplied by r_g and shared. Here r_g = `participation_synergy` × (1 − `trust_efficacy`
+ `trust_efficacy` × the centre's trust in the party and RC) × (1 −
`initiative_crowding_out` × the compound's cross-appointment intensity): participation pays
when local bodies are trusted and leave residents room to act. The time cost is
`participation_cost` a month, split over the resident's groups (the per-individual cost
rule: time is a personal budget), cut by `platform_cost_cut` with the volunteer platform. On top,
participants enjoy an intrinsic benefit (exponential, mean `civic_motivation`) and party
members a duty benefit `party_member_duty`.

Each month `revision_share` of residents reconsider: with probability
`participation_mutation` they pick at random, otherwise they imitate a random neighbour
with the Santos–Santos–Pacheco rule. Participation feeds volunteer hours (matched at
`volunteer_match_base`, or `volunteer_match_platform` with the platform), assembly turnout,
owners'-committee support, and the residents' evaluation in assessment.
"""

from __future__ import annotations

import numpy as np

from .participation import group_payoffs, imitation_update


def step(model) -> None:
    p, res, cp, f = model.p, model.residents, model.compounds, model.flows
    rng = model.streams["participation"]
    local_trust = 0.5 * (res.trust[:, 0] + res.trust[:, 1])
    efficacy = (1 - p["trust_efficacy"]) + p["trust_efficacy"] * local_trust
    crowding = 1 - p["initiative_crowding_out"] * f["compound_xa"][res.compound]
    r = p["participation_synergy"] * efficacy * crowding
    cost = p["participation_cost"] * (1 - (p["platform_cost_cut"] if p["volunteer_platform"] else 0))
    payoff = group_payoffs(res.social, res.participates, r, cost, "per_individual")
    intrinsic = res.motivation + p["party_member_duty"] * res.party_member
    payoff = payoff + intrinsic * res.participates
    res.payoff = payoff.astype(np.float32)
    max_diff = float(payoff.max() - payoff.min()) if res.n else 1.0
    new = imitation_update(
        res.social, res.participates, payoff, rng, max(max_diff, 1e-9), p["revision_share"]
    )
    mutate = rng.random(res.n) < p["revision_share"] * p["participation_mutation"]
    new = np.where(mutate, rng.random(res.n) < 0.5, new)
    res.participates = new

    part = res.participates.astype(float)
    cp.participation = np.bincount(res.compound, weights=part, minlength=cp.n) / np.maximum(
        cp.residents, 1
    )
    match = p["volunteer_match_platform"] if p["volunteer_platform"] else p["volunteer_match_base"]
    f["volunteer_hours"] = (
        res.per_community(part, model.communities.n) * p["volunteer_hours"] * match
    )
