"""Resident participation in the model: a public-goods game on the social graph (ODD §7.10).

Each resident either participates (volunteering, meetings, assembly votes, evaluations) or
not. Payoffs follow the public-goods game on graphs of sim.core.mechanisms.participation: every
resident is the centre of a group of itself and its neighbours; contributions are
multiplied by r_g and shared. Here r_g = `participation_synergy` × (1 − `trust_efficacy`
+ `trust_efficacy` × the centre's trust in the party and RC) × (1 −
`initiative_crowding_out` × the compound's cross-appointment intensity, measured from who
sits where: people.py): participation pays when local bodies are trusted and leave residents
room to act. The time cost is
`participation_cost` a month, split over the resident's groups (the per-individual cost
rule: time is a personal budget), cut by `platform_cost_cut` with the volunteer platform. On top,
participants enjoy an intrinsic benefit (exponential, mean `civic_motivation`) and party
members a duty benefit `party_member_duty` × their party secretary's performance (an
overloaded secretary mobilises less).

Each month `revision_share` of residents reconsider: with probability
`participation_mutation` they pick at random, otherwise they imitate a random neighbour
with the Santos–Santos–Pacheco rule. Participation feeds volunteer hours (matched at
`volunteer_match_base`, or `volunteer_match_platform` with the platform, of which
`volunteer_coordination_share` needs the party organisation and the RC to work together), assembly turnout,
owners'-committee support, and the residents' evaluation in assessment.
"""

from __future__ import annotations

import numpy as np

from .participation import group_payoffs, imitation_update


def step(model) -> None:
    p, res, cp, cm = model.p, model.residents, model.compounds, model.communities
    rng = model.streams["participation"]
    f32 = np.float32
    te = p["trust_efficacy"]
    efficacy = res.trust[:, 0] + res.trust[:, 1]  # local trust: party and RC
    efficacy *= f32(0.5 * te)
    efficacy += f32(1 - te)
    crowding = 1 - p["initiative_crowding_out"] * cp.xa_intensity
    r = res.at_compound((p["participation_synergy"] * crowding).astype(f32))
    r *= efficacy
    del efficacy
    platform = model.levers.community("volunteer_platform").astype(bool)
    cut = np.where(platform, p["platform_cost_cut"], 0.0)
    cost = p["participation_cost"] * (1 - cut)
    cost = float(cost[0]) if np.all(cost == cost[0]) else res.at_community(cost.astype(f32))
    payoff = group_payoffs(res.social, res.participates, r, cost, "per_individual")
    duty = (p["party_member_duty"] * cm.leader_performance).astype(f32)
    intrinsic = res.motivation + res.at_community(duty) * res.party_member
    intrinsic *= res.participates
    payoff += intrinsic
    res.payoff = np.asarray(payoff, dtype=f32)
    max_diff = float(payoff.max() - payoff.min()) if res.n else 1.0
    new = imitation_update(
        res.social, res.participates, payoff, rng, max(max_diff, 1e-9), p["revision_share"]
    )
    # mutation: a few residents pick at random (uniforms for all, coin flips for those few)
    mutants = np.flatnonzero(
        rng.random(res.n, dtype=f32) < p["revision_share"] * p["participation_mutation"]
    )
    new[mutants] = rng.random(mutants.size) < 0.5
    res.participates = new

    # participants per compound are whole numbers: community sums follow exactly
    participants = res.per_compound(new)
    cp.participation = participants / np.maximum(cp.residents, 1)
    cm.participants = np.bincount(cp.community, weights=participants, minlength=cm.n)
    match = np.where(platform, p["volunteer_match_platform"], p["volunteer_match_base"])
    share = p["volunteer_coordination_share"]
    match = match * (1 - share + share * cm.coordination)
    cm.volunteer_hours = cm.participants * p["volunteer_hours"] * match
