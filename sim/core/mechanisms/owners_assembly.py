"""Owners' organisations: assemblies, elections, co-optation, terms, lapses and revivals
(ODD §7.7).

Assemblies. An owners' assembly is held in a compound without an elected committee when its
owners attempt one (monthly probability `oc_attempt_rate` × (1 − quality): owners organise
when service is poor), when the compound's party branch convenes one
(PartyBranch.lead_formations, under the push `party_led_formation`), or when a committee the
street convened organises one (ConvenedCommittee.organise_assemblies); and in a compound
with an elected committee when its term of `oc_term_months` ends (re-election, 换届) or the
street calls an early re-election of a dormant committee (StreetOffice.plan_owners_work). At
an assembly each owner household takes part with probability `assembly_turnout_base` +
`assembly_turnout_sd` × the compound's cohesion (+ `assembly_turnout_participant` if a member
participates in community life, + `party_turnout_boost` × the mobilisation behind the
assembly: a branch pushing formation, a convened committee, the street's re-election
drive). The Civil Code (Art. 278): participants must hold at least `quorum_share` of owners
AND of floor area; the committee is elected when more than `approval_share` of
participants, by head and by area, agree; each participant agrees with probability
`approval_base` × (1 + dissatisfaction), capped at 1.

Outcomes of an assembly. An elected committee replaces a convened one (which gives way), is
a new committee where none sat (a revival where one had lapsed), or is re-elected. A
re-election that fails the quorum ends the committee (it lapses) — unless the street is
mobilising for it, when the committee stays up to `reelection_grace_months` past its term
while the street organises another assembly; an early re-election that fails leaves the
sitting committee in place.

Seats. An elected committee's seats are filled by the owners' vote: the compound's branch
secretary stands for chair where the branch chooses to (PartyBranch.stands_for_chair, push
`xa_secretary_chairs_oc`), a 'two committees' member stands for one member seat where the
community party committee puts one up (PartyCommittee.nominate_for_owners, push
`xa_two_committee_member_on_oc`) — each decided as a party committee weighs a nomination
(elections.nomination_value); each wins against an owner candidate with the
election model's chance (elections.win_chance), owners voting with their trust in the party
organisation. Other seats go to owners: of `oc_member_candidates` owners standing for a seat
the most motivated is elected. Vacant seats of an acting committee are co-opted from owners
(one owner each, not the pick of several) with probability `oc_coopt_rate` × support,
support = min(1, participation / `oc_support_participation`).
"""

from __future__ import annotations

import numpy as np

from ..agents.convened_committee import ConvenedCommittee
from ..agents.owners_committee import OwnersCommittee
from ..agents.party_branch import PartyBranch
from ..people import OC, OC_CHAIR, OC_MEMBER, VOLUNTEER
from ..rows import among, distinct
from ..state import OC_CONVENED, OC_ELECTED, OC_FUNCTIONING, OC_KIND_NONE, OC_NONE
from .elections import win_chance


def turnout_chance(model, compounds: np.ndarray, mobilised: np.ndarray) -> np.ndarray:
    """An owner household's chance to take part in an assembly in each of `compounds`,
    before its own participation in community life (`mobilised`: the mobilisation behind
    the assembly, 0-1)."""
    p = model.p
    return (
        p["assembly_turnout_base"]
        + p["assembly_turnout_sd"] * model.world.cohesion[compounds]
        + p["party_turnout_boost"] * mobilised
    )


def expected_turnout(model, compounds: np.ndarray, mobilised: np.ndarray) -> np.ndarray:
    """The turnout an organiser can expect at an assembly in each of `compounds`: the
    household chance with the compound's participation share standing for households
    with a participating member."""
    p, cp = model.p, model.compounds
    chance = turnout_chance(model, compounds, mobilised)
    chance = chance + p["assembly_turnout_participant"] * cp.participation[compounds]
    return np.clip(chance, 0.0, 1.0)


def hold_assemblies(model, compounds: np.ndarray, mobilised: np.ndarray) -> np.ndarray:
    """Hold an owners' assembly in each of `compounds` (`mobilised`: per compound of the
    district, the mobilisation behind its assembly, 0-1); return the mask of those that
    elected a committee (quorum met and approved)."""
    p, cp, res = model.p, model.compounds, model.residents
    rng = model.streams["assembly"]
    if compounds.size == 0:
        return np.zeros(0, dtype=bool)
    # the residents of the assembling compounds (contiguous slices, in order)
    held = distinct(compounds)  # as np.unique, by one sort
    start, stop = res.compound_start[held], res.compound_start[held + 1]
    sizes = stop - start
    members = np.repeat(start - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
    voters = members[res.owner_heads[members]]
    comp = res.compound[voters]
    # a household takes part if any member participates in community life
    household_part = np.zeros(int(res.household[-1]) + 1 if res.n else 0, dtype=bool)
    household_part[res.household[members[res.participates[members]]]] = True
    by_compound = np.zeros(cp.n)
    by_compound[held] = turnout_chance(model, held, mobilised[held])
    turnout_p = (
        by_compound[comp]
        + p["assembly_turnout_participant"] * household_part[res.household[voters]]
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
    """This month's owners' organisations: members drift, committees co-opt and take stock,
    assemblies are held and their results take effect."""
    p, cp = model.p, model.compounds
    rng = model.streams["assembly"]
    OwnersCommittee.drift_all(model, OwnersCommittee.sitting(model))
    coopt(model, rng)
    OwnersCommittee.take_stock_all(model, OwnersCommittee.sitting(model))
    formed = cp.oc_kind != OC_KIND_NONE
    cp.oc_age = np.where(formed, cp.oc_age + 1, 0)

    elected_kind = cp.oc_kind == OC_ELECTED
    convened = cp.oc_kind == OC_CONVENED
    owners_try = ~elected_kind & (rng.random(cp.n) < p["oc_attempt_rate"] * (1 - cp.quality))
    u = rng.random(cp.n)
    mobilised = np.zeros(cp.n)
    branches = np.fromiter(model.branches, dtype=np.int64, count=len(model.branches))
    leading = branches[PartyBranch.lead_formations(model, branches, u[branches])]
    mobilised[leading] = model.levers.compound("party_led_formation")[leading]
    sitting_convened = np.flatnonzero(convened)
    organising = sitting_convened[
        ConvenedCommittee.organise_assemblies(model, sitting_convened, u[sitting_convened])
    ]
    mobilised[organising] = 1.0
    due = elected_kind & (cp.oc_age >= p["oc_term_months"])
    early = elected_kind & model.early_reelection & ~due
    mobilised = np.maximum(mobilised, model.reelection_mobilised)
    new = ~elected_kind & (owners_try | (mobilised > 0))
    held = np.flatnonzero(new | due | early)
    won = held[hold_assemblies(model, held, mobilised)]
    # under a re-election drive a committee whose re-election failed stays for
    # `reelection_grace_months` while the street tries again; otherwise it lapses
    grace = (model.reelection_mobilised > 0) & (
        cp.oc_age < p["oc_term_months"] + p["reelection_grace_months"]
    )
    lapsed = np.flatnonzero(due & ~grace)
    lapsed = lapsed[~among(lapsed, won)]  # sorted, as np.setdiff1d's
    month = model.month
    month.reelections += int(np.count_nonzero(due))
    month.oc_formed = int(np.count_nonzero(~formed[won]))
    month.oc_replaced = int(np.count_nonzero(convened[won]))
    revived = won[~formed[won] & (cp.oc_lapsed_month[won] >= 0)]
    cp.oc_revived_month[revived] = model.steps
    month.oc_revived = int(revived.size)
    month.oc_lapsed = int(lapsed.size)
    for c in lapsed.tolist():
        set_owners_committee(model, c, OC_KIND_NONE)
        cp.oc_lapsed_month[c] = model.steps
        cp.oc_lapses[c] += 1
    elect_all(model, won.tolist(), rng)
    if won.size or lapsed.size:
        model.sync_shared_edges()


def elect_members(model, compound: int, rng: np.random.Generator) -> None:
    """Fill the seats of a newly elected (or re-elected) committee by the owners' vote; a
    committee the street convened gives way. The committee then takes stock."""
    fill_seats(model, compound, rng)
    model.owners_committees[compound].take_stock()


def elect_all(model, compounds: list[int], rng: np.random.Generator) -> None:
    """`elect_members` of each of `compounds` in turn. The seats of each are filled in
    turn; the committees take stock together (`OwnersCommittee.take_stock_all`), as each
    after its own election: a committee's stock reads only its own members, whom a later
    election leaves as they are — except where a convened committee gives way and its
    members stop answering to the firm (one may sit on an earlier committee too), so the
    committees elected before it take stock first."""
    kind = model.compounds.oc_kind
    pending: list[int] = []
    for compound in compounds:
        if pending and kind[compound] == OC_CONVENED:
            OwnersCommittee.take_stock_all(model, np.array(pending))
            pending = []
        fill_seats(model, compound, rng)
        pending.append(compound)
    if pending:
        OwnersCommittee.take_stock_all(model, np.array(pending))


def fill_seats(model, compound: int, rng: np.random.Generator) -> None:
    """The owners' vote on the seats of the committee elected in `compound` (see the
    module docstring), seat by seat: the branch secretary or the party committee's nominee
    stands against an owner candidate where they are put up, an owner candidate takes the
    seat otherwise. The owner candidates are drawn one after the other, as
    `owner_candidate` draws each (their party membership from `rng`, their traits from the
    `organisations` stream), and join the people table together."""
    p, cp, people = model.p, model.compounds, model.people
    c = int(cp.community[compound])
    if cp.oc_kind[compound] == OC_CONVENED:
        set_owners_committee(model, compound, OC_KIND_NONE)
    set_owners_committee(model, compound, OC_ELECTED)
    seats = model.seats_of(OC, compound)
    model.vacate(seats)
    trust = model.compound_trust("party")[compound : compound + 1]
    bloc = np.array([p["party_member_share"]])
    context = (float(trust[0]), None, float(bloc[0]), 1.0)  # owners always put one up
    branch = model.branches.get(compound)
    cadre = model.party_committees[c].nominate_for_owners(compound, context)
    if seats.size == 0:
        cp.oc_last_active[compound] = model.steps
        return
    stand = int(p["oc_member_candidates"])
    traits = model.draw_traits_each(seats.size, VOLUNTEER, stand)
    rival = traits["standing"]
    first = people.n  # the owner candidates' ids, once added
    party = np.zeros(seats.size, dtype=bool)
    winners: list[int] = []
    lost: list[int] = []
    for i, role in enumerate(model.seats.role[seats].tolist()):
        candidate = -1
        if role == OC_CHAIR and branch is not None and branch.stands_for_chair(context):
            candidate = branch.secretary
        elif role == OC_MEMBER and cadre >= 0 and cadre not in winners:
            candidate, cadre = cadre, -1
        party[i] = rng.random() < p["party_member_share"]
        winner = first + i
        if candidate >= 0:
            chance = win_chance(p, trust, people.standing[[candidate]], rival[i : i + 1], bloc)[0]
            if rng.random() < chance:
                lost.append(winner)
                winner = candidate
        winners.append(winner)
    model.add_people(traits, VOLUNTEER, c, compound, party)
    people.active[lost] = False
    model.fill(seats, np.array(winners))
    cp.oc_last_active[compound] = model.steps


def coopt(model, rng: np.random.Generator) -> None:
    """Acting committees fill vacant seats with owners, as residents' support allows."""
    p, cp = model.p, model.compounds
    support = np.minimum(cp.participation / p["oc_support_participation"], 1.0)
    committees = OwnersCommittee.sitting(model)
    table = model.oc_seat_table[committees]
    vacant = (model.seats.holder[table] < 0).any(axis=1) & cp.oc_acted[committees]
    for compound, seats in zip(committees[vacant].tolist(), table[vacant]):
        empty = seats[model.seats.holder[seats] < 0]
        fill = empty[rng.random(empty.size) < p["oc_coopt_rate"] * support[compound]]
        if fill.size:
            c = int(cp.community[compound])
            model.fill(
                fill,
                model.new_people(
                    fill.size,
                    VOLUNTEER,
                    c,
                    compound,
                    party=rng.random() < p["party_member_share"],
                ),
            )


def set_owners_committee(model, compound: int, kind: int) -> None:
    """Seat an owners' organisation of `kind` in `compound` — OC_ELECTED (an owners'
    committee) or OC_CONVENED (a committee the street convened) — or dissolve the
    sitting one (OC_KIND_NONE: its members leave their seats)."""
    cp, off = model.compounds, model.world.node_offset
    cp.oc_age[compound] = 0
    agent = model.owners_committees.get(compound)
    if kind == OC_KIND_NONE:
        seats = model.seats_of(OC, compound)
        for person in model.seats.holder[seats]:
            if person >= 0:
                model.people.allied_firm[person] = -1
        model.vacate(seats)
        if agent is not None:
            agent.remove()
            del model.owners_committees[compound]
        cp.oc_kind[compound] = OC_KIND_NONE
        cp.oc_state[compound] = OC_NONE
        cp.oc_acted[compound] = False
        cp.oc_effort[compound] = cp.oc_hours[compound] = 0.0
        return
    cls = OwnersCommittee if kind == OC_ELECTED else ConvenedCommittee
    if agent is not None and type(agent) is not cls:
        set_owners_committee(model, compound, OC_KIND_NONE)
        agent = None
    if agent is None:
        model.owners_committees[compound] = cls(model, compound, off["owners_committee"] + compound)
    cp.oc_kind[compound] = kind
    cp.oc_state[compound] = OC_FUNCTIONING
    cp.oc_last_active[compound] = model.steps


def owner_candidate(model, community: int, compound: int, rng: np.random.Generator) -> int:
    """A new owner of `compound` who stands for its committee: a party member with
    probability `party_member_share` (drawn from `rng`), the most motivated of
    `oc_member_candidates` owners who would."""
    p = model.p
    party = rng.random() < p["party_member_share"]
    return int(
        model.new_people(
            1,
            VOLUNTEER,
            community,
            compound,
            party=party,
            candidates=int(p["oc_member_candidates"]),
        )[0]
    )


def initial_committee(model, compound: int, rng: np.random.Generator) -> None:
    """An owners' committee in place at the start, with its members."""
    p, cp = model.p, model.compounds
    c = int(cp.community[compound])
    set_owners_committee(model, compound, OC_ELECTED)
    for s in model.seats_of(OC, compound).tolist():
        role = model.seats.role[s]
        holder = -1
        cadre = rng.random() < p["initial_cadre_on_oc"]
        if cadre and role == OC_CHAIR and compound in model.branches:
            holder = model.branches[compound].secretary
        elif (
            cadre
            and role == OC_MEMBER
            and not any(model.is_cadre(h) for h in model.org_members(OC, compound))
        ):
            holder = model.two_committees_member(c, rng)
        if holder < 0:
            holder = owner_candidate(model, c, compound, rng)
        model.fill(np.array([s]), np.array([holder]))
    model.owners_committees[compound].take_stock()
