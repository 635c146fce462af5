"""Coordination and cross-appointment: benefits and costs of shared personnel (ODD §7.5).

Benefits. The coordination index of a community's organisations is
`coordination_base + coordination_tie_gain × tie + coordination_xa_gain × shared`,
capped at 1 and multiplied by the leader's performance, where `shared` is the mean of
一肩挑 (0/1) and the two-committee overlap share. A compound's coordination adds the tie
of its own party branch and the cross-appointed seats on its owners' committee.

Costs. (1) Workload: the community party secretary's load is
`(seat_hours_secretary + 一肩挑 × seat_hours_director × (1 − seat_overlap_saving)) /
leader_hours`; RC members holding party-committee seats, and 'two committees' members on
owners' committees, add seat hours on top of full-time work; a compound secretary chairing
the OC adds the OC seat to the branch seat within `volunteer_leader_hours`. Performance in
every seat of a person is `1 / (1 + overload_penalty × max(0, load − 1))`. (2) Owners'
committee independence falls by `independence_loss_chair` / `independence_loss_member`.
(3) Residents' efficacy in participation falls by `initiative_crowding_out ×` the
compound's cross-appointment intensity (see resident_participation).
"""

from __future__ import annotations

import numpy as np

from ..state import OC_NONE


def performance(load: np.ndarray, penalty: float) -> np.ndarray:
    """Performance multiplier of a person carrying `load` (1 = exactly full time)."""
    return 1.0 / (1.0 + penalty * np.maximum(load - 1.0, 0.0))


def assign_cross_appointment(model) -> None:
    """Compare the world's fixed uniforms with the levers (common random numbers)."""
    p, w, cm = model.p, model.world, model.communities
    cm.one_shoulder = w.u_one_shoulder < p["xa_one_shoulder"]
    cm.overlap = np.full(cm.n, p["xa_two_committee_overlap"])


def step(model) -> None:
    p, cm, cp = model.p, model.communities, model.compounds
    saving = 1.0 - p["seat_overlap_saving"]
    penalty = p["overload_penalty"]
    formed = cp.oc_state != OC_NONE

    # the community leader (party secretary, and RC director under 一肩挑)
    cm.leader_load = (
        p["seat_hours_secretary"] + cm.one_shoulder * p["seat_hours_director"] * saving
    ) / p["leader_hours"]
    cm.leader_performance = performance(cm.leader_load, penalty)

    # RC members: party-committee seats (overlap) and seats on owners' committees
    member_seats = np.bincount(
        cp.community, weights=(formed & cp.oc_member_xa).astype(float), minlength=cm.n
    )
    extra = (
        cm.overlap * cm.staff * p["seat_hours_party_member"] + member_seats * p["seat_hours_oc"]
    ) * saving
    full_time = np.maximum(cm.staff * p["staff_hours"], 1e-9)
    model.flows["cadre_load"] = 1.0 + extra / full_time
    model.flows["cadre_performance"] = performance(model.flows["cadre_load"], penalty)

    shared = (cm.one_shoulder + cm.overlap) / 2.0
    coord = p["coordination_base"] + p["coordination_tie_gain"] + p["coordination_xa_gain"] * shared
    cm.coordination = np.minimum(coord, 1.0) * cm.leader_performance

    # compound level: the OC seat-holders' performance and independence
    chair = formed & cp.oc_chair_xa
    member = formed & cp.oc_member_xa
    branch_load = (p["seat_hours_branch"] + chair * p["seat_hours_oc"] * saving) / max(
        p["volunteer_leader_hours"], 1e-9
    )
    oc_perf = np.where(chair, performance(branch_load, penalty), 1.0)
    oc_perf = np.where(member, oc_perf * model.flows["cadre_performance"][cp.community], oc_perf)
    model.flows["oc_performance"] = oc_perf
    cp.independence = np.clip(
        1.0 - p["independence_loss_chair"] * chair - p["independence_loss_member"] * member,
        0.0, 1.0,
    )
    model.flows["compound_xa"] = (
        cm.one_shoulder[cp.community] + cm.overlap[cp.community] + chair + member
    ) / 4.0
    cm.xa_intensity = np.bincount(
        cp.community, weights=model.flows["compound_xa"], minlength=cm.n
    ) / np.maximum(np.bincount(cp.community, minlength=cm.n), 1)
