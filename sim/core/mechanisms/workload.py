"""Workload: one person's hours shared across all their seats (ODD §7.5).

Each month every office-holder's load is the hours all their seats ask — the leading seats
of a community (party secretary, RC director) scale with its residents as
(residents / 2,000)^`seat_size_elasticity`; an owners'-committee seat asks what its holder
chooses to give (its effort, OwnersCommittee.choose_efforts); every seat after the most
demanding one saves `seat_overlap_saving` of its hours through joint meetings — plus hours
asked beyond seats (a secretary's convening; setting up branches, felt the month after), over
the hours the person can give. Performance in
every seat is 1 / (1 + `overload_penalty` × max(0, load − 1)). Where the compiled loops run
(`sim.core.kernels`), the loads are summed by one compiled loop in the same order
(`kernels.compiled.loads`).

People leave: each month an office-holder leaves all seats with probability
`resign_rate_cadre` (cadres, professionals) or `resign_rate_volunteer` (volunteers) ×
(1 + `resign_overload` × overload). A community's party or residents' committee seat does
not stay empty: the street appoints an acting holder, one new person taking over all the
leaver's seats in those committees (so a vacant 一肩挑 stays one until the next election); a
branch secretary is replaced by the party organisation; an appointed professional by the
street; owners'-committee seats stay vacant until the committee co-opts an owner or holds
an election (owners_assembly).
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..people import (
    BRANCH,
    CADRE,
    DIRECTOR,
    PC,
    PMC,
    PROFESSIONAL,
    RC,
    SECRETARY,
    VOLUNTEER,
)
from .coordination import seats_by_holder

REFERENCE_RESIDENTS = 2000.0
"""Community size at which the leading seats ask their nominal hours."""


def seat_hours(model) -> np.ndarray:
    """Hours each seat asks this month (leading seats scaled by community size)."""
    seats, cm, p = model.seats, model.communities, model.p
    size = (np.maximum(cm.residents, 1) / REFERENCE_RESIDENTS) ** p["seat_size_elasticity"]
    leading = (seats.role == SECRETARY) | (seats.role == DIRECTOR)
    return np.where(leading, seats.hours * size[seats.community], seats.hours)


def month_seat_hours(model) -> np.ndarray:
    """`seat_hours` of this month (computed once a month)."""
    return model.cache_month("seat_hours", lambda: seat_hours(model))


def step(model) -> None:
    loads(model)
    leave(model)
    loads(model)
    aggregate(model)
    model.people.setup_hours[:] = 0.0  # last month's one-off work is now felt and done


def loads(model) -> None:
    """Every person's load and performance from the seats they hold (this month's
    `month_seat_hours` times each seat's effort). Where the compiled loops run, one loop
    (`kernels.compiled.loads`) sums each person's seats in the order below, read from the
    seats by holder that the month's checks and coordination read too."""
    p, seats, people = model.p, model.seats, model.people
    n = people.n
    hours = month_seat_hours(model) * seats.effort
    compiled = kernels.active(model.residents.n)
    if compiled is not None:
        compiled.loads(
            *seats_by_holder(model),
            hours,
            1 - p["seat_overlap_saving"],
            people.view("extra_hours") + people.view("setup_hours"),
            people.view("hours"),
            float(p["overload_penalty"]),
            people.view("load"),
            people.view("performance"),
        )
        return
    filled = np.flatnonzero(seats.holder >= 0)
    h, asked = seats.holder[filled], hours[filled]
    order = np.lexsort((-asked, h))  # per person, the most demanding seat first
    h, asked = h[order], asked[order]
    first = np.r_[True, h[1:] != h[:-1]] if h.size else np.zeros(0, bool)
    asked = np.where(first, asked, asked * (1 - p["seat_overlap_saving"]))
    total = np.bincount(h, weights=asked, minlength=n)
    total += people.view("extra_hours") + people.view("setup_hours")
    load = total / np.maximum(people.view("hours"), 1e-9)
    people.load[:n] = load
    people.performance[:n] = 1.0 / (1.0 + p["overload_penalty"] * np.maximum(load - 1.0, 0.0))


def leave(model) -> None:
    """Office-holders who leave this month, and the acting holders who replace them."""
    p, seats, people = model.p, model.seats, model.people
    rng = model.streams["organisations"]
    holds = np.zeros(people.n, dtype=bool)
    holds[seats.holder[seats.holder >= 0]] = True
    holding = np.flatnonzero(holds)  # who holds a seat, in order
    if holding.size == 0:
        return
    base = np.where(
        people.kind[holding] == VOLUNTEER, p["resign_rate_volunteer"], p["resign_rate_cadre"]
    )
    over = np.maximum(people.load[holding] - 1.0, 0.0)
    leaving = holding[rng.random(holding.size) < base * (1 + p["resign_overload"] * over)]
    # the seats of everyone leaving, found in one pass (those who replace them are new
    # people, so no one's seats change before their own turn below)
    holds[:] = False
    holds[leaving] = True
    held = np.flatnonzero(holds[seats.holder] & (seats.holder >= 0))
    held = held[np.argsort(seats.holder[held], kind="stable")]  # by person, then seat
    ends = np.searchsorted(seats.holder[held], leaving, side="right").tolist()
    seat_list, org_list = held.tolist(), seats.org[held].tolist()
    for person, lo, hi in zip(leaving.tolist(), [0] + ends[:-1], ends):
        model.month.resignations += 1
        model.vacate(held[lo:hi])
        people.active[person] = False
        mine = list(zip(seat_list[lo:hi], org_list[lo:hi]))
        committees = np.array([s for s, org in mine if org in (PC, RC)], dtype=np.int64)
        if committees.size:
            c = int(seats.community[committees[0]])
            acting = model.new_people(1, CADRE, c, party=True)
            model.fill(committees, np.repeat(acting, committees.size))
        for s in [s for s, org in mine if org == BRANCH]:
            c = int(seats.community[s])
            compound = int(seats.org_index[s])
            model.fill(np.array([s]), model.new_people(1, VOLUNTEER, c, compound, party=True))
        for s in [s for s, org in mine if org == PMC]:
            c = int(seats.community[s])
            kind = PROFESSIONAL if people.kind[person] == PROFESSIONAL else VOLUNTEER
            model.fill(np.array([s]), model.new_people(1, kind, c))


def aggregate(model) -> None:
    """Per community: the performance of its secretary, director and RC members."""
    cm, seats, perf = model.communities, model.seats, model.people.performance
    sec = model.holders_of_role(SECRETARY)
    director = model.holders_of_role(DIRECTOR)
    cm.leader_performance = np.where(sec >= 0, perf[np.maximum(sec, 0)], 1.0)
    cm.director_performance = np.where(director >= 0, perf[np.maximum(director, 0)], 1.0)
    rc_seats = (seats.org == RC) & (seats.holder >= 0)
    elected = np.bincount(seats.community[rc_seats], minlength=cm.n)
    perf_sum = np.bincount(
        seats.community[rc_seats], weights=perf[seats.holder[rc_seats]], minlength=cm.n
    )
    staff = np.maximum(cm.staff, elected)
    cm.staff_performance = (perf_sum + (staff - elected)) / np.maximum(staff, 1e-9)
