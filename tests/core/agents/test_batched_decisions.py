"""Decisions taken by many organisations at once (ODD §4: the rule is the class's) are the
same, draw for draw, as each organisation deciding in turn."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.agents import (
    NGO,
    Department,
    OwnersCommittee,
    PartyBranch,
    PropertyFirm,
    ResidentsCommittee,
    StreetOffice,
)
from sim.core.mechanisms import coordination, owners_assembly, property_management
from sim.core.network import set_edge
from sim.core.people import OC, VOLUNTEER
from sim.core.state import OC_CAPTURED, OC_CONVENED, OC_ELECTED, OC_FUNCTIONING
from tests.conftest import MEDIUM, small_model


def _state(m) -> tuple:
    return (
        m.communities.allocation.copy(),
        m.people.allied_firm.copy(),
        m.compounds.oc_state.copy(),
        m.compounds.oc_performance.copy(),
        m.month.collusions,
        m.streams["organisations"].random(),
    )


def _same(one, other, table: str, *fields: str) -> None:
    """The two models hold identical arrays `table.field` for every field."""
    for field in fields:
        a, b = getattr(getattr(one, table), field), getattr(getattr(other, table), field)
        assert np.array_equal(a, b), f"{table}.{field}"


@pytest.mark.parametrize("imitation", [0.5, 1.0])
def test_learning_all_committees_at_once_is_each_learning_in_turn(imitation):
    # with every committee looking at a peer, peers that learnt earlier this month and
    # peers still to learn are both copied
    one, all_ = (small_model(7, **MEDIUM, peer_imitation_rate=imitation) for _ in range(2))
    for m in (one, all_):
        m.run_for(3)
    for rc in one.residents_committees:
        rc.learn()
    ResidentsCommittee.learn_all(all_)
    assert np.array_equal(one.communities.allocation, all_.communities.allocation)
    assert one.streams["organisations"].random() == all_.streams["organisations"].random()


def test_a_committee_without_free_hours_keeps_its_split(model):
    model.communities.formalism_hours[:] = 0.0
    model.communities.management_hours[:] = 0.0
    model.communities.service_hours[:] = 0.0
    assert np.array_equal(ResidentsCommittee.best_responses(model), model.communities.allocation)


def _count_one_at_a_time(monkeypatch, batched) -> list[bool]:
    """Record each committee's own `drift_to_firm` (True: one of `batched`'s, i.e. the batch
    was redone one committee at a time)."""
    redone: list[bool] = []
    in_turn = OwnersCommittee.drift_to_firm

    def counted(self):
        redone.append(self.model is batched)
        in_turn(self)

    monkeypatch.setattr(OwnersCommittee, "drift_to_firm", counted)
    return redone


@pytest.mark.parametrize(
    "params",
    [
        dict(collusion_rate=0.05, oc_initial_share=1.0),
        # a 'two committees' member on several committees of the community: who turns on one
        # is no longer free on the next, so the batch is redone one committee at a time
        dict(
            collusion_rate=0.2,
            xa_two_committee_member_on_oc=1.0,
            oc_initial_share=1.0,
            initial_cadre_on_oc=1.0,
            party_capture_protection=0.0,
        ),
        dict(oc_seats=10, collusion_rate=0.03, oc_initial_share=1.0),  # means of 8+ members
    ],
)
def test_owners_committees_drift_and_take_stock_at_once_as_in_turn(params, monkeypatch):
    one, all_ = (small_model(3, **MEDIUM, **params) for _ in range(2))
    redone = _count_one_at_a_time(monkeypatch, all_)
    for m in (one, all_):
        m.run_for(4)
    for _ in range(6):
        for c in list(one.owners_committees):
            one.owners_committees[c].drift_to_firm()
        for c in list(one.owners_committees):
            one.owners_committees[c].take_stock()
        committees = np.fromiter(all_.owners_committees, dtype=np.int64)
        OwnersCommittee.drift_all(all_, committees)
        OwnersCommittee.take_stock_all(all_, committees)
        a, b = _state(one), _state(all_)
        for x, y in zip(a, b):
            assert np.array_equal(x, y)
    assert one.month.collusions > 0  # the comparison saw members turn
    assert any(redone) == ("xa_two_committee_member_on_oc" in params)


@pytest.mark.parametrize("same_firm", [True, False])
def test_a_member_of_two_committees_is_decided_one_committee_at_a_time_only_if_order_matters(
    same_firm, monkeypatch
):
    """Someone who turns on one committee and sits on a later one: with the same firm there,
    one committee after the other they are no longer free on it, so the month is redone in
    turn; with another firm they still are, and the batch stands."""
    one, all_ = (
        small_model(
            3, **MEDIUM, oc_initial_share=1.0, collusion_rate=0.5, party_capture_protection=0.0
        )
        for _ in range(2)
    )
    redone = _count_one_at_a_time(monkeypatch, all_)
    # members with no independence left: each free member turns for certain
    monkeypatch.setattr(
        coordination, "member_independence", lambda m, people, c: np.zeros(np.shape(people))
    )
    for m in (one, all_):
        m.run_for(2)
        order = [c for c in OwnersCommittee.sitting(m).tolist() if m.compounds.firm[c] >= 0]
        first, later = order[0], order[1]
        firm = int(m.compounds.firm[first])
        if same_firm != (m.compounds.firm[later] == firm):
            property_management.assign_firm(m, later, firm if same_firm else (firm + 1) % m.firms.n)
        person = int(m.org_members(OC, first)[0])
        m.replace_in_seat(int(m.oc_seat_table[later][0]), person)
        m.people.allied_firm[m.org_members(OC, first)] = -1  # free on the first committee
        m.people.allied_firm[m.org_members(OC, later)] = -1
    for c in OwnersCommittee.sitting(one).tolist():
        one.owners_committees[c].drift_to_firm()
    redone.clear()
    OwnersCommittee.drift_all(all_, OwnersCommittee.sitting(all_))
    for x, y in zip(_state(one), _state(all_)):
        assert np.array_equal(x, y)
    assert one.people.allied_firm[person] == one.compounds.firm[later if not same_firm else first]
    assert any(redone) == same_firm


def test_committee_performance_is_the_mean_of_its_members():
    model = small_model(1, oc_initial_share=1.0)
    c = next(iter(model.owners_committees))
    members = model.org_members(OC, c)
    assert model.compounds.oc_performance[c] == model.people.performance[members].mean()


def test_members_choose_their_effort_at_once_as_committee_by_committee():
    one, all_ = (small_model(4, **MEDIUM, oc_initial_share=1.0) for _ in range(2))
    for m in (one, all_):
        m.run_for(3)
        m.steps += 1
    for c in list(one.owners_committees):
        one.owners_committees[c].choose_effort()
    OwnersCommittee.choose_efforts(all_, OwnersCommittee.sitting(all_))
    _same(one, all_, "compounds", "oc_effort", "oc_hours", "oc_acted")
    assert np.array_equal(one.seats.effort, all_.seats.effort)
    assert 0 < all_.compounds.oc_acted.sum() < len(all_.owners_committees)


def test_owners_committees_act_through_the_schedule_at_once_as_one_by_one():
    """`model.do(OwnersCommittee, "act")`, the schedule's one call shape, takes the batched
    rule, and gives what each committee acting in turn gives."""
    one, all_ = (small_model(4, **MEDIUM, oc_initial_share=1.0) for _ in range(2))
    for m in (one, all_):
        m.run_for(3)
        m.steps += 1
    for c in OwnersCommittee.sitting(one).tolist():
        one.owners_committees[c].act()
    all_.do(OwnersCommittee, "act")
    _same(one, all_, "compounds", "oc_effort", "oc_hours", "oc_acted", "oc_state", "oc_performance")
    assert np.array_equal(one.seats.effort, all_.seats.effort)
    assert 0 < all_.compounds.oc_acted.sum() < len(all_.owners_committees)  # some act, some not


def _elected_state(m) -> tuple:
    cp = m.compounds
    people = tuple(getattr(m.people, name).copy() for name in m.people.FIELDS)
    committees = (cp.oc_kind, cp.oc_state, cp.oc_acted, cp.oc_last_active, cp.oc_performance)
    streams = (m.streams["assembly"].random(), m.streams["organisations"].random())
    return (m.people.n, m.seats.holder.copy(), *people, *(a.copy() for a in committees), *streams)


def test_committees_elected_together_are_as_elected_one_after_the_other():
    """`elect_all` fills the seats of each committee in turn and lets them take stock
    together: as `elect_members` of each in turn, convened committees giving way and
    cadres standing for several committees included."""
    params = dict(
        street_convened_committees=1.0,
        xa_two_committee_member_on_oc=1.0,
        xa_secretary_chairs_oc=1.0,
        oc_initial_share=0.5,
    )
    one, all_ = (small_model(5, **MEDIUM, **params) for _ in range(2))
    for m in (one, all_):
        m.run_for(4)
    assert np.any(one.compounds.oc_kind == OC_CONVENED)
    compounds = np.arange(one.compounds.n).tolist()
    for c in compounds:
        owners_assembly.elect_members(one, c, one.streams["assembly"])
    owners_assembly.elect_all(all_, compounds, all_.streams["assembly"])
    for x, y in zip(_elected_state(one), _elected_state(all_)):
        assert np.array_equal(x, y, equal_nan=True)


def test_committees_elected_before_a_convened_one_gives_way_take_stock_before_it(monkeypatch):
    """Someone on an earlier committee who answers to its firm also sits on a convened
    committee that gives way later in the batch, and stops answering to the firm then: the
    earlier committee takes stock before, as one election after the other (captured)."""
    states = []
    for batched in (False, True):
        m = small_model(6, **MEDIUM, oc_initial_share=1.0)
        m.run_for(2)
        served = np.flatnonzero(m.compounds.firm >= 0)
        first, later = int(served[0]), int(served[1])
        person = int(m.new_people(1, VOLUNTEER, int(m.compounds.community[first]))[0])
        owners_assembly.set_owners_committee(m, later, OC_CONVENED)
        m.fill(m.seats_of(OC, later), np.repeat(person, m.seats_of(OC, later).size))
        real = owners_assembly.fill_seats

        def fill(model, compound, rng, first=first, person=person, real=real):
            if compound != first:
                return real(model, compound, rng)
            owners_assembly.set_owners_committee(model, compound, OC_ELECTED)
            seats = model.seats_of(OC, compound)
            model.fill(seats, np.repeat(person, seats.size))  # the person holds every seat
            model.people.allied_firm[person] = model.compounds.firm[compound]

        monkeypatch.setattr(owners_assembly, "fill_seats", fill)
        if batched:
            owners_assembly.elect_all(m, [first, later], m.streams["assembly"])
        else:
            for c in (first, later):
                owners_assembly.elect_members(m, c, m.streams["assembly"])
        monkeypatch.undo()
        assert m.compounds.oc_state[first] == OC_CAPTURED
        assert m.people.allied_firm[person] == -1
        states.append(_elected_state(m))
    for x, y in zip(*states):
        assert np.array_equal(x, y, equal_nan=True)


def test_streets_put_forward_renovations_at_once_as_each_in_turn():
    one, all_ = (small_model(8, **MEDIUM, renovation_rate=0.5) for _ in range(2))
    for m in (one, all_):
        m.run_for(2)
    started = 0
    for _ in range(14):
        chosen = [office.put_forward_renovations() for office in one.street_offices]
        together = StreetOffice.put_forward_renovations_all(all_)
        assert np.array_equal(np.concatenate(chosen), together)
        assert np.array_equal(one.streets.renovation_budget, all_.streets.renovation_budget)
        for m, picked in ((one, np.concatenate(chosen)), (all_, together)):
            m.compounds.renovation_left[picked] = m.p["renovation_months"]
        started += together.size
    assert started > len(one.street_offices)  # streets chose, some more than once


@pytest.mark.parametrize("third_party", [False, True])
def test_firms_and_street_offices_decide_at_once_as_one_by_one(third_party):
    """Firms' efforts and records, and the streets' scores, through the schedule's call
    (batched) and each organisation in turn, bit for bit: firms on both sides of the
    shirking threshold, with and without third-party evaluation."""
    one, all_ = (
        small_model(
            8,
            **MEDIUM,
            firm_effort_cost_sd=1.0,
            oc_initial_share=1.0,
            third_party_evaluation=third_party,
        )
        for _ in range(2)
    )
    for m in (one, all_):
        m.run_for(4)
    for method in ("set_effort", "update_record"):
        for firm in one.agents_by_type[PropertyFirm]:
            getattr(firm, method)()
        all_.do(PropertyFirm, method)
    for office in one.agents_by_type[StreetOffice]:
        office.assess()
    all_.do(StreetOffice, "assess")
    for a, b in (
        (one.compounds.effort, all_.compounds.effort),
        (one.firms.record, all_.firms.record),
        (one.communities.score, all_.communities.score),
        (one.communities.score_paper, all_.communities.score_paper),
    ):
        assert a.tobytes() == b.tobytes()
    p, served = all_.p, np.unique(all_.compounds.firm[all_.compounds.firm >= 0])
    free = p["firm_fee_responsiveness"] / (2 * all_.firms.effort_cost[served])
    assert (free >= p["shirk_threshold"]).any() and (free < p["shirk_threshold"]).any()


def test_branches_decide_formation_at_once_as_one_by_one():
    m = small_model(2, **MEDIUM, party_led_formation=1.0, oc_initial_share=0.2)
    m.run_for(2)
    compounds = np.fromiter(m.branches, dtype=np.int64)
    u = np.random.default_rng(0).random(compounds.size) * 0.05
    together = PartyBranch.lead_formations(m, compounds, u)
    alone = [m.branches[int(c)].lead_formation(x) for c, x in zip(compounds, u)]
    assert together.tolist() == alone and any(alone) and not all(alone)


def test_every_ngo_bids_as_it_would_alone(model):
    model.ngos.alive[0] = False
    model.ngos.contracts[1] = model.p["ngo_max_contracts"]
    values = NGO.bid_values(model, 0)
    assert values[0] == 0.0 and values[1] == 0.0
    assert values.tolist() == [a.bid_value(0) for a in model.ngo_agents]


def test_every_ngo_matches_each_tender_as_it_would_alone(model):
    """`NGO.match_rows` of several communities holds, row by row, each NGO's `match` of
    that community on its own, bit for bit."""
    communities = np.arange(model.communities.n)[::-1]
    rows = NGO.match_rows(model, communities)
    for row, c in zip(rows, communities.tolist()):
        assert row.tolist() == [a.match(c) for a in model.ngo_agents]


def test_committees_split_their_hours_alike_alone_or_together():
    one, all_ = (small_model(5, **MEDIUM, professional_committee=True) for _ in range(2))
    for m in (one, all_):
        m.run_for(3)
    for rc in one.residents_committees:
        rc.allocate_hours()
    ResidentsCommittee.allocate_all(all_)
    _same(
        one,
        all_,
        "communities",
        "admin_hours",
        "caretaking_hours",
        "friction_hours",
        "committee_hours",
        "mediation_hours",
        "formalism_hours",
        "management_hours",
        "service_hours",
    )
    assert (one.communities.committee_hours > 0).any()


def test_one_member_on_several_committees_of_one_firm_is_decided_as_one_by_one(monkeypatch):
    """The same owner sits on every committee of one firm and is likely to turn: who turns
    on one committee is no longer free on the next, so the batch must redo the month."""
    redone = []
    in_turn = OwnersCommittee.drift_to_firm

    def counted(self):
        redone.append(self.model.batched)
        in_turn(self)

    monkeypatch.setattr(OwnersCommittee, "drift_to_firm", counted)
    for seed in range(1, 11):
        one, all_ = (
            small_model(
                seed,
                **MEDIUM,
                collusion_rate=0.5,
                party_capture_protection=0.0,
                oc_initial_share=1.0,
            )
            for _ in range(2)
        )
        for m, batched in ((one, False), (all_, True)):
            m.batched = batched
            m.run_for(1)
            sitting = OwnersCommittee.sitting(m)
            firms = m.compounds.firm[sitting]
            firm = int(np.bincount(firms[firms >= 0]).argmax())
            mine = sitting[firms == firm][:2]  # two: the redo must not hinge on a third
            shared = int(m.org_members(OC, int(mine[0]))[0])
            for c in mine[1:].tolist():  # and on one other committee of the firm
                m.replace_in_seat(int(m.seats_of(OC, c)[-1]), shared)
            m.people.allied_firm[:] = -1
        for c in list(one.owners_committees):
            one.owners_committees[c].drift_to_firm()
        OwnersCommittee.drift_all(all_, OwnersCommittee.sitting(all_))
        assert np.array_equal(one.people.allied_firm, all_.people.allied_firm)
        assert one.streams["organisations"].random() == all_.streams["organisations"].random()
    assert any(redone)  # the batch saw a member turn on two committees and redid a month


def _joint_ties(m) -> set:
    u, v, _ = m.edge_index.arrays(("coordination",))
    return set(zip(u.tolist(), v.tolist()))


def test_party_committees_convene_at_once_as_in_turn(monkeypatch):
    """Joint ties decided for all reconsidering committees at once are those each decides in
    turn — also when one secretary chairs two committees, so that the second's spare hours
    depend on what the first charged (a batch that read every committee's spare hours
    before any convened would decide otherwise here)."""
    from sim.core.agents import PartyCommittee
    from sim.core.people import PC, SECRETARY

    def model():
        m = small_model(5, **{**MEDIUM, "compounds_per_community": 6.0}, convening_hours=50.0)
        m.run_for(3)
        m.fill(m.seats_of(PC, 1, SECRETARY), np.array([m.holder(SECRETARY, 0)]))
        m.compounds.dispute_rate[:] = 2.0 * m.p["convene_threshold"]  # every compound asks
        return m

    one, all_, upfront = model(), model(), model()
    before = _joint_ties(one)
    for c in range(one.communities.n):
        PartyCommittee.convene_all(one, np.array([c]))
    PartyCommittee.convene_all(all_, np.arange(all_.communities.n))
    assert _joint_ties(one) == _joint_ties(all_) != before
    _same(one, all_, "compounds", "convened")
    _same(one, all_, "communities", "convened")
    _same(one, all_, "people", "extra_hours")
    assert all_.people.extra_hours[all_.holder(SECRETARY, 0)] == all_.communities.convened[1] * 50

    spare = {i: upfront.party_committees[i].spare_hours() for i in range(upfront.communities.n)}
    monkeypatch.setattr(PartyCommittee, "spare_hours", lambda self: spare[self.index])
    PartyCommittee.convene_all(upfront)
    assert not np.array_equal(upfront.communities.convened, all_.communities.convened)


def test_ngos_evolve_at_once_as_each_alone():
    """Finance, drift, learning and specialisation of every NGO at once are what each NGO's
    own `evolve` gives, including NGOs serving several communities, idle NGOs and NGOs in
    deficit."""
    one, all_ = (small_model(9, **{**MEDIUM, "n_ngos": 4}) for _ in range(2))
    for m in (one, all_):
        m.run_for(4)
        m.communities.ngo[:] = np.arange(m.communities.n) % 3  # NGOs 0-2 serve, 3 idles
        m.communities.demand[:] = np.random.default_rng(2).uniform(
            1, 50, m.communities.demand.shape
        )
        m.ngos.income[:] = [5e4, 0.0, 2e5, 0.0]
        m.ngos.reserve[2] = -1e9  # in deficit
    assert all_.ngos.alive.all()
    before = {k: getattr(all_.ngos, k).copy() for k in ("capability", "reserve", "care_focus")}
    for ngo in one.ngo_agents:
        ngo.evolve()
    NGO.evolve_all(all_)
    _same(one, all_, "ngos", "reserve", "gov_share", "alignment", "capability", "care_focus")
    _same(one, all_, "ngos", "deficit_months")
    # the rule itself: the reserve takes the margin on income, the private income and the
    # fixed cost; the focus moves toward the care share of the needs of the NGO's communities
    p, ngos, cm = all_.p, all_.ngos, all_.communities
    margin = p["ngo_overhead_margin"] * ngos.income + p["ngo_private_income"]
    assert np.allclose(ngos.reserve, before["reserve"] + margin - p["ngo_fixed_cost"])
    for slot in range(3):
        d = cm.demand[cm.ngo == slot]
        care = d[:, 1].sum() / (d[:, 1].sum() + d[:, 2].sum())
        step = p["ngo_specialisation_rate"] * (care - before["care_focus"][slot])
        assert ngos.care_focus[slot] == pytest.approx(before["care_focus"][slot] + step)
    assert ngos.deficit_months[2] >= 1
    assert ngos.capability[3] == before["capability"][3]  # it serves no one
    assert (ngos.capability[:3] > before["capability"][:3]).all()


def test_firms_leave_at_once_as_each_in_turn():
    """The compounds firms leave, found for all firms at once, are each firm's own, firm
    after firm (not in compound order); the months of low collection are counted alike."""
    world = {**MEDIUM, "compounds_per_community": 6.0}
    one, all_ = (small_model(4, **world, exit_patience=2) for _ in range(2))
    for m in (one, all_):
        m.run_for(3)
        m.compounds.collection[::2] = 0.0  # every other compound collects nothing ...
        m.compounds.low_collection_months[:] = 1  # ... one month short of patience
    in_turn = [c for firm in one.firm_agents for c in firm.leaves().tolist()]
    assert PropertyFirm.leaving_all(all_).tolist() == in_turn
    assert len(set(one.compounds.firm[in_turn])) > 1 and in_turn != sorted(in_turn)
    _same(one, all_, "compounds", "low_collection_months")


def test_streets_devolve_at_once_as_each_in_turn():
    """Money devolved and split among communities for every street at once is what each
    street office gives on its own, with streets whose levers differ (platform, third-party
    evaluation, channels, capacity building), streets of more than seven communities
    (whose sums NumPy adds pairwise) and a street whose communities all score 0."""
    world = {**MEDIUM, "n_streets": 3, "communities_per_street": 9.0}
    one, all_ = (small_model(6, **world, devolution_share=0.6) for _ in range(2))
    for m in (one, all_):
        m.run_for(3)
        values = m.levers.values
        values["volunteer_platform"][:] = [1, 0, 1]
        values["third_party_evaluation"][:] = [0, 1, 1]
        values["channel_grid_funds"][:] = [0.2, 0.5, 0.0]
        values["capacity_building_share"][:] = [0.0, 0.3, 0.1]
        m.communities.score[:] = np.random.default_rng(1).random(m.communities.n)
        m.communities.score[m.communities.street == 2] = 0.0  # its block grant by population
    for office in one.street_offices:
        office.devolve()
    all_.do(StreetOffice, "devolve")
    _same(one, all_, "streets", "budget", "overhead", "devolved", "retained")
    money = ("invested", "in_block", "in_grid", "in_ngo", "inflow", "street_hours")
    _same(one, all_, "communities", *money)
    assert np.bincount(all_.communities.street).max() > 7
    assert (all_.communities.in_block > 0).all() and (all_.communities.in_grid > 0).any()


def _departments_and_streets(seed: int, cut: bool, **params):
    """A district of nine streets and eight departments, its levers differing by street, the
    departments' insistence on mirrors and their acceptance drawn at random; with `cut`,
    some ties are gone: department 0 reaches no street, department 1 seven,
    street 8 no department, and street 4 lists department 3 last (its tie made again)."""
    world = {**MEDIUM, "n_streets": 9, "communities_per_street": 2.0, "n_departments": 8}
    m = small_model(seed, **world, **params)
    off = m.world.node_offset
    if cut:
        for d, s in [(0, s) for s in range(9)] + [(1, 0), (1, 1)] + [(d, 8) for d in range(8)]:
            set_edge(m, off["department"] + d, off["street_office"] + s, "hierarchy", False)
        set_edge(m, off["department"] + 3, off["street_office"] + 4, "hierarchy", False)
        set_edge(m, off["department"] + 3, off["street_office"] + 4, "hierarchy", True)
    values = m.levers.values
    values["access_list"][:] = [1, 0, 1, 1, 0, 1, 0, 1, 1]
    values["mirror_ban"][:] = [0, 1, 0, 0, 0, 1, 0, 0, 0]
    values["seconded_consultation"][:] = [1, 1, 0, 0, 1, 0, 1, 0, 0]
    values["street_summons"][:] = [1, 1, 1, 0, 1, 1, 0, 1, 1]
    values["third_party_evaluation"][:] = [0, 1, 0, 1, 0, 0, 1, 0, 1]
    m.run_for(4)
    rng = np.random.default_rng(1)  # departments that differ, so that order shows in sums
    m.departments.mirrors[:] = rng.random(m.departments.n)
    m.departments.acceptance[:] = rng.uniform(0.5, 1.0, m.departments.acceptance.shape)
    return m


@pytest.mark.parametrize("cut", [False, True])
@pytest.mark.parametrize("weight", [0.0, 0.7])
def test_departments_and_street_offices_decide_at_once_as_one_by_one(cut, weight):
    """A month of the line departments and the streets (§7.14) through the schedule's calls
    (batched) and each organisation in turn, bit for bit: pushing, receiving (access
    lists, consulted secondments), keeping and pushing down, summons (the same draws),
    ratings (mirror bans), adapting, and the mirrored offices' hours; departments tied to every street
    (NumPy's pairwise sums), to seven, to none, and a street listing its departments out of
    order."""
    one, all_ = (
        _departments_and_streets(3, cut, dept_rating_weight=weight, seconded_hours_per_street=5.0)
        for _ in range(2)
    )
    in_turn = np.array([office.mirror_hours() for office in one.street_offices])
    assert StreetOffice.mirror_hours_all(all_).tobytes() == in_turn.tobytes()
    listed = [d.index for d in one.street_offices[4].departments()]
    mirrors = one.departments.mirrors
    # cut: the street's order of its departments changes the sum of their insistence
    assert (mirrors[listed].sum() != mirrors[sorted(listed)].sum()) == cut
    steps = [
        (Department, "push", ("departments", "on_list", "off_list")),
        (StreetOffice, "receive_tasks", ("streets", "own_capacity", "task_hours")),
        (StreetOffice, "push_tasks", ("communities", "tasks_pushed", "tasks_relabelled")),
        (StreetOffice, "devolve", ("communities", "inflow", "street_hours")),
        (StreetOffice, "summon", ("streets", "summons", "answered_share")),
        (StreetOffice, "rate_departments", ("departments", "burden_if_all", "mirror_burden")),
        (Department, "adapt", ("departments", "acceptance", "push_intensity", "responsiveness")),
    ]
    for cls, method, (table, *fields) in steps:
        for agent in one.agents_by_type[cls]:
            getattr(agent, method)()
        all_.do(cls, method)
        for field in fields:
            a, b = getattr(getattr(one, table), field), getattr(getattr(all_, table), field)
            assert a.tobytes() == b.tobytes(), f"{method}: {table}.{field}"
    for table, fields in {
        "departments": ("refused", "ratings", "mirrors", "rating", "summons", "answered"),
        "streets": ("pushed_hours", "relabelled_hours", "kept_task_hours", "devolved"),
    }.items():
        for field in fields:
            a, b = getattr(getattr(one, table), field), getattr(getattr(all_, table), field)
            assert a.tobytes() == b.tobytes(), f"{table}.{field}"
    in_turn = np.array([office.mirror_hours() for office in one.street_offices])
    assert StreetOffice.mirror_hours_all(all_).tobytes() == in_turn.tobytes()
    assert one.streams["organisations"].random() == all_.streams["organisations"].random()
    dp, st = all_.departments, all_.streets
    assert (dp.refused > 0).any() and (dp.summons > 0).any() and (in_turn > 0).any()
    assert (st.answered_share[st.summons > 0] < 1).any()
    listed = [d.index for d in all_.street_offices[4].departments()]
    assert (listed != sorted(listed)) == cut and (in_turn[8] == 0) == cut


def _convene_all_by_lexsort(model, communities: np.ndarray) -> None:
    """The party committees' joint ties as first written: every community's compounds
    ordered worst first by one lexsort of all compounds; hours charged by
    `charge_convening`."""
    from sim.core.agents import PartyCommittee
    from sim.core.agents.party_committee import charge_convening, set_joint_tie

    p, cp = model.p, model.compounds
    rate = cp.dispute_rate
    keep = cp.convened & (rate >= 0.5 * p["convene_threshold"])
    want = ((cp.firm >= 0) & ((rate >= p["convene_threshold"]) | keep)).tolist()
    convened = cp.convened.tolist()
    order = np.lexsort((-rate, cp.community))
    bounds = np.searchsorted(cp.community[order], np.arange(model.communities.n + 1))
    order, bounds = order.tolist(), bounds.tolist()
    hours = p["convening_hours"]
    wanted = set(np.asarray(communities).tolist())
    for agent in model.agents_by_type.get(PartyCommittee, ()):
        i = agent.index
        if i not in wanted:
            continue
        worst_first = order[bounds[i] : bounds[i + 1]]
        if not worst_first:
            continue
        if not any(want[j] for j in worst_first) and not any(convened[j] for j in worst_first):
            charge_convening(model, i, 0.0)
            model.communities.convened[i] = 0
            continue
        capacity = int(agent.spare_hours() // max(hours, 1e-9))
        chosen = set()
        for j in worst_first:
            if capacity <= 0:
                break
            if want[j]:
                chosen.add(j)
                capacity -= 1
        for j in sorted(worst_first):
            if (j in chosen) != convened[j]:
                set_joint_tie(model, j, j in chosen)
        model.communities.convened[i] = len(chosen)
        charge_convening(model, i, float(len(chosen)) * hours)


def test_party_committees_order_their_compounds_worst_first_as_one_lexsort_did():
    """Each committee sorting its own compounds worst first (ties in compound order) convenes
    as one lexsort of all compounds did, month after month, as rates rise, tie and calm."""
    from sim.core.agents import PartyCommittee
    from sim.core.people import PC, SECRETARY

    def model():
        m = small_model(6, **{**MEDIUM, "compounds_per_community": 6.0}, convening_hours=40.0)
        m.run_for(2)
        m.fill(m.seats_of(PC, 1, SECRETARY), np.array([m.holder(SECRETARY, 0)]))
        return m

    new, old = model(), model()
    rng = np.random.default_rng(4)
    threshold = new.p["convene_threshold"]
    ties = set()
    for _ in range(12):
        levels = np.array([0.0, 0.3, 0.6, 1.0, 1.5, 3.0]) * threshold  # ties among compounds
        rate = levels[rng.integers(levels.size, size=new.compounds.n)]
        for m in (new, old):
            m.compounds.dispute_rate[:] = rate
        communities = np.flatnonzero(rng.random(new.communities.n) < 0.7)
        PartyCommittee.convene_all(new, communities)
        _convene_all_by_lexsort(old, communities)
        assert list(new.edge_index) == list(old.edge_index)
        _same(new, old, "compounds", "convened")
        _same(new, old, "communities", "convened")
        _same(new, old, "people", "extra_hours")
        assert new.month.convened_new == old.month.convened_new
        ties.add(len(_joint_ties(new)))
    assert len(ties) > 3


def test_owners_committees_respond_at_once_as_one_by_one():
    """`model.do(OwnersCommittee, "respond")` takes the batched rule and gives what each
    elected committee responding in turn gives: the same re-tenders, lawsuits and draws."""
    one, all_ = (small_model(4, **MEDIUM, oc_initial_share=1.0) for _ in range(2))
    for m in (one, all_):
        m.run_for(3)
        cp = m.compounds
        cp.oc_acted[:] = True
        cp.oc_state[list(m.owners_committees)] = OC_FUNCTIONING
        cp.detected[:] = cp.firm >= 0
        cp.strikes[:] = np.where(np.arange(cp.n) % 3 == 0, 0.0, 2 * m.p["retender_strikes"])
        cp.independence[:] = 0.5
    for agent in list(one.agents_by_type[OwnersCommittee]):
        agent.respond()
    all_.do(OwnersCommittee, "respond")
    _same(one, all_, "compounds", "firm", "strikes", "management", "changed_firm")
    assert np.array_equal(one.lawsuits, all_.lawsuits)
    assert one.month.retendered == all_.month.retendered > 0
    assert one.lawsuits.sum() > 0
    assert one.streams["organisations"].random() == all_.streams["organisations"].random()
    assert one.streams["property"].random() == all_.streams["property"].random()
