"""Owners' committees: formation by the Civil-Code assembly, election of their members,
co-optation, term ends (ODD §7.7).

Formation. In a compound without a committee, owners attempt an assembly with monthly
probability `oc_attempt_rate` × (1 − quality) — owners organise when service is poor — and a
compound's party branch may convene one (PartyBranch.lead_formation, under the push
`party_led_formation`). At an assembly each owner household takes part with probability
`assembly_turnout_base` + `assembly_turnout_sd` × the compound's cohesion (+
`assembly_turnout_participant` if a member participates in community life, +
`party_turnout_boost` where the branch mobilises). The Civil Code (Art. 278): participants
must hold at least `quorum_share` of owners AND of floor area; the committee is elected
when more than `approval_share` of participants, by head and by area, agree; each
participant agrees with probability `approval_base` × (1 + dissatisfaction), capped at 1.

Seats. An elected committee's seats are filled by the owners' vote: the compound's branch
secretary stands for chair where the branch chooses to (PartyBranch.stands_for_chair, push
`xa_secretary_chairs_oc`), a 'two committees' member stands for one member seat with the
push `xa_two_committee_member_on_oc`; each wins against an owner candidate with the
election model's chance (elections.win_chance), owners voting with their trust in the party
organisation. Other seats go to owners. Vacant seats of a sitting committee are co-opted
from owners with probability `oc_coopt_rate` × support, support = min(1, participation /
`oc_support_participation`). After `oc_term_months` a committee must be re-elected by a new
assembly, or it lapses. Its health (functioning, stalled, captured) follows from its members
(OwnersCommittee.take_stock, drift_to_firm).
"""

from __future__ import annotations

import numpy as np

from ..agents.owners_committee import OwnersCommittee
from ..agents.party_branch import PartyBranch
from ..people import OC, OC_CHAIR, OC_MEMBER, VOLUNTEER
from ..state import OC_FUNCTIONING, OC_NONE
from .elections import win_chance


def hold_assemblies(model, compounds: np.ndarray, party_led: np.ndarray) -> np.ndarray:
    """Hold an owners' assembly in each of `compounds` (`party_led`: per compound, 1 where
    the party branch mobilises for it); return the mask of those that elected a committee
    (quorum met and approved)."""
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
    boost = p["party_turnout_boost"] * party_led[comp]
    turnout_p = (
        p["assembly_turnout_base"]
        + p["assembly_turnout_sd"] * model.world.cohesion[comp]
        + p["assembly_turnout_participant"] * household_part[res.household[voters]]
        + boost
    )
    takes_part = rng.random(voters.size) < np.clip(turnout_p, 0.0, 1.0)
    dissatisfaction = 1.0 - cp.satisfaction[comp]
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
    model.month.assembly_turnout = float(part.sum() / max(owners.sum(), 1))
    model.month.assemblies += int(compounds.size)
    return quorum & approved


def step(model) -> None:
    p, cp = model.p, model.compounds
    rng = model.streams["assembly"]
    OwnersCommittee.drift_all(model, OwnersCommittee.sitting(model))
    coopt(model, rng)
    OwnersCommittee.take_stock_all(model, OwnersCommittee.sitting(model))
    formed = cp.oc_state != OC_NONE
    cp.oc_age = np.where(formed, cp.oc_age + 1, 0)

    # assemblies: new committees (owners or the party branch convene), and re-elections
    owners_try = ~formed & (rng.random(cp.n) < p["oc_attempt_rate"] * (1 - cp.quality))
    party_led = np.zeros(cp.n)
    u = rng.random(cp.n)
    branches = np.fromiter(model.branches, dtype=np.int64, count=len(model.branches))
    party_led[branches[PartyBranch.lead_formations(model, branches, u[branches])]] = 1.0
    new = ~formed & (owners_try | (party_led > 0))
    reelect = formed & (cp.oc_age >= p["oc_term_months"])
    held = np.flatnonzero(new | reelect)
    elected = held[hold_assemblies(model, held, party_led)]
    lapsed = np.setdiff1d(np.flatnonzero(reelect), elected)
    model.month.oc_formed = int(np.count_nonzero(new[elected]))
    model.month.oc_lapsed = int(lapsed.size)
    for c in lapsed.tolist():
        model.set_owners_committee(c, OC_NONE)
    for c in elected.tolist():
        elect_members(model, c, rng)
    if elected.size or lapsed.size:
        model.sync_shared_edges()


def elect_members(model, compound: int, rng: np.random.Generator) -> None:
    """Fill the seats of a newly elected (or re-elected) committee by the owners' vote."""
    p, cp, people = model.p, model.compounds, model.people
    c = int(cp.community[compound])
    model.set_owners_committee(compound, OC_FUNCTIONING)
    seats = model.seats_of(OC, compound)
    model.vacate(seats)
    trust = model.compound_trust("party")[compound : compound + 1]
    bloc = np.array([p["party_member_share"]])
    branch = model.branches.get(compound)
    for s in seats.tolist():
        role = model.seats.role[s]
        candidate = -1
        if role == OC_CHAIR and branch is not None and branch.stands_for_chair(rng.random()):
            candidate = branch.secretary
        elif (
            role == OC_MEMBER
            and not any(model.is_cadre(h) for h in model.org_members(OC, compound))
            and rng.random() < model.levers.compound("xa_two_committee_member_on_oc")[compound]
        ):
            candidate = model.two_committees_member(c, rng)
        owner = int(
            model.new_people(
                1, VOLUNTEER, c, compound, party=rng.random() < p["party_member_share"]
            )[0]
        )
        winner = owner
        if candidate >= 0:
            chance = win_chance(
                p, trust, people.standing[[candidate]], people.standing[[owner]], bloc
            )[0]
            if rng.random() < chance:
                winner = candidate
                people.active[owner] = False
        model.fill(np.array([s]), np.array([winner]))
    model.owners_committees[compound].take_stock()


def coopt(model, rng: np.random.Generator) -> None:
    """Sitting committees fill vacant seats with owners, as residents' support allows."""
    p, cp = model.p, model.compounds
    support = np.minimum(cp.participation / p["oc_support_participation"], 1.0)
    committees = OwnersCommittee.sitting(model)
    table = model.oc_seat_table[committees]
    vacant = (model.seats.holder[table] < 0).any(axis=1)
    for compound, seats in zip(committees[vacant].tolist(), table[vacant]):
        empty = seats[model.seats.holder[seats] < 0]
        fill = empty[rng.random(empty.size) < p["oc_coopt_rate"] * support[compound]]
        if fill.size:
            c = int(cp.community[compound])
            model.fill(
                fill,
                model.new_people(
                    fill.size, VOLUNTEER, c, compound, party=rng.random() < p["party_member_share"]
                ),
            )
