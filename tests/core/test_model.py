"""GovernanceModel: construction, agents on the network, determinism, Mesa interop."""

from __future__ import annotations

import hashlib
import inspect
import subprocess
import sys

import mesa
import numpy as np
import pandas as pd
import pytest

from sim import GovernanceModel
from sim.core import params as P
from sim.core import scenario as S
from sim.core.agents import (
    NGO,
    Department,
    OwnersCommittee,
    PartyBranch,
    PartyCommittee,
    PropertyCommittee,
    PropertyFirm,
    ResidentsCommittee,
    StreetOffice,
)
from sim.core.mechanisms import owners_assembly
from sim.core.model import coerce_seed
from sim.core.people import CADRE, VOLUNTEER
from sim.core.state import OC_FUNCTIONING, OC_NONE
from tests.conftest import SMALL, small_model


def test_constructor_exposes_every_parameter_with_its_default():
    sig = inspect.signature(GovernanceModel)
    for p in P.PARAMS:
        assert sig.parameters[p.name].default == p.default
    assert sig.parameters["rng"].default is None


def test_bad_parameter_is_a_clear_error():
    with pytest.raises(P.ScenarioError, match="devolution_share = 3"):
        GovernanceModel(devolution_share=3)


def test_every_community_has_its_party_committee_and_residents_committee(model):
    n = model.communities.n
    assert len(model.residents_committees) == n
    assert sorted(pc.index for pc in model.party_committees) == list(range(n))
    assert sorted(model.branches) == np.flatnonzero(model.compounds.has_branch).tolist()
    assert len(model.street_offices) == model.streets.n
    assert len(model.firm_agents) == model.firms.n and len(model.ngo_agents) == model.ngos.n


def test_agents_sit_on_nodes_of_their_kind():
    m = small_model(3, professional_committee=True)
    kinds = {
        StreetOffice: "street_office",
        PartyCommittee: "party_branch",
        PartyBranch: "party_branch",
        ResidentsCommittee: "residents_committee",
        PropertyFirm: "property_firm",
        NGO: "ngo",
        OwnersCommittee: "owners_committee",
        PropertyCommittee: "property_committee",
        Department: "department",
    }
    assert PropertyCommittee in m.agent_types
    for agent in m.agents:
        assert m.network.nodes[agent.node]["kind"] == kinds[type(agent)]
        assert agent in agent.cell.agents


def test_agent_attributes_read_and_write_the_state_arrays(model):
    rc = model.residents_committees[1]
    assert rc.skill == model.communities.skill[1]
    rc.skill = 0.9
    assert model.communities.skill[1] == 0.9


def test_each_organisation_decides_through_its_agentset():
    """The schedule calls decisions on Mesa AgentSets: a decision replaced on one class is
    what every organisation of that class does."""
    m = small_model(4)
    calls = []
    original = ResidentsCommittee.accept_tasks
    try:
        ResidentsCommittee.accept_tasks = lambda self: calls.append(self.index)
        m.step()
    finally:
        ResidentsCommittee.accept_tasks = original
    assert sorted(calls) == list(range(m.communities.n))


def test_owners_committee_agents_follow_formation(model):
    c = int(np.flatnonzero(model.compounds.oc_state == OC_NONE)[0])
    owners_assembly.set_owners_committee(model, c, OC_FUNCTIONING)
    oc = model.owners_committees[c]
    assert oc.functioning and oc in model.agents
    owners_assembly.set_owners_committee(model, c, OC_NONE)
    assert c not in model.owners_committees and oc not in model.agents


def test_shared_people_not_levers_make_cross_appointment_edges():
    none = small_model(
        1,
        initial_one_shoulder=0.0,
        initial_overlap=0.0,
        xa_one_shoulder=1.0,
        xa_two_committee_overlap=1.0,
    )
    full = small_model(1, initial_one_shoulder=1.0, xa_one_shoulder=0.0)

    def pb_rc(m):
        off = m.world.node_offset
        return sum(
            m.network.has_edge(
                off["party_branch"] + c, off["residents_committee"] + c, "cross_appointment"
            )
            for c in range(m.communities.n)
        )

    assert pb_rc(none) == 0, "a push alone places nobody before an election"
    assert pb_rc(full) == full.communities.n


def tables(seed: int, **kw):
    m = small_model(seed, **kw)
    m.run_for(12)
    return m.datacollector.get_model_vars_dataframe(), m.community_table()


def test_same_seed_gives_identical_tables():
    a, ca = tables(7)
    b, cb = tables(7)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(ca, cb)
    c, _ = tables(8)
    assert not a.equals(c)


def test_same_seed_gives_identical_tables_in_another_process():
    code = (
        "import hashlib, pandas as pd\n"
        "from tests.conftest import small_model\n"
        "m = small_model(7); m.run_for(12)\n"
        "a = m.datacollector.get_model_vars_dataframe(); b = m.community_table()\n"
        "h = pd.util.hash_pandas_object(a).values.tobytes()"
        " + pd.util.hash_pandas_object(b).values.tobytes()\n"
        "print(hashlib.sha256(h).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    a, b = tables(7)
    h = (
        pd.util.hash_pandas_object(a).values.tobytes()
        + pd.util.hash_pandas_object(b).values.tobytes()
    )
    assert out == hashlib.sha256(h).hexdigest()


def test_seed_text_is_coerced():
    assert coerce_seed("") is None and coerce_seed("  42 ") == 42
    assert coerce_seed("abc") == coerce_seed("abc") and isinstance(coerce_seed("abc"), int)
    for text in ("²", "①", "٣", "9" * 5000):  # digits that int() refuses, or too many
        assert isinstance(coerce_seed(text), int) and coerce_seed(text) >= 0
    assert coerce_seed(3.0) == 3
    a = GovernanceModel(rng="12", **SMALL)
    b = GovernanceModel(rng=12, **SMALL)
    a.step(), b.step()
    assert pd.Series(a.outcomes).equals(pd.Series(b.outcomes))  # NaN (no round yet) == NaN


def test_from_scenario_applies_file_and_overrides():
    m = GovernanceModel.from_scenario(S.scenario_dir() / "cross_appointment.toml", rng=1, **SMALL)
    assert m.p["xa_one_shoulder"] == 1.0 and m.p["n_streets"] == 1


def test_batch_run_gives_one_row_per_run():
    rows = mesa.batch_run(
        GovernanceModel,
        parameters={**SMALL, "devolution_share": [0.2, 0.8], "xa_one_shoulder": [0.1, 0.9]},
        rng=[1, 2],
        max_steps=3,
        data_collection_period=-1,
        number_processes=1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert len(df) == 2 * 2 * 2
    assert df.groupby(["devolution_share", "xa_one_shoulder", "rng"]).size().eq(1).all()
    assert df["satisfaction_mean"].between(0, 1).all()


def test_negative_seed_text_is_hashed_not_rejected():
    assert coerce_seed("-5") == coerce_seed(-5) >= 0
    GovernanceModel(rng="-5", **SMALL).step()


def test_community_table_has_each_outcome_with_a_per_community_meaning():
    m = small_model(5)
    m.run_for(4)
    table = m.community_table()
    assert len(table) == 4 * m.communities.n
    for name in (
        "satisfaction",
        "needs_met",
        "needs_met_vulnerable",
        "needs_met_daily",
        "needs_met_care",
        "needs_met_legal",
        "participation",
        "disputes",
        "mediated",
        "escalated",
        "property_quality",
        "fee_collection",
        "oc_formed_share",
        "oc_functioning_share",
        "firm_turnover",
        "inflow",
        "spent",
        "idle",
        "lapsed",
        "wasted",
        "absorption_rate",
        "admin_burden_share",
        "coordination",
        "leader_load",
        "one_shoulder",
        "overlap",
        "community_type",
        "trust_party",
        "trust_rc",
        "trust_oc",
        "trust_firm",
        "trust_ngo",
        "trust_street",
    ):
        assert name in table, name
    shares = [
        c
        for c in table
        if c.startswith(("needs_met", "trust_", "oc_"))
        or c
        in (
            "satisfaction",
            "participation",
            "fee_collection",
            "absorption_rate",
            "admin_burden_share",
            "formalism_share",
            "coordination",
            "shirking_share",
        )
    ]
    assert table[shares].ge(0).all().all() and table[shares].le(1 + 1e-9).all().all()
    last = table[table.step == 4]
    assert np.isclose(last.disputes.sum(), m.outcomes["disputes_arising"])


def test_a_decision_for_some_organisations_is_taken_by_those_only_in_the_agent_sets_order(
    monkeypatch,
):
    """`model.do(Cls, method, only)`: the organisations whose index is in `only` decide, one
    after the other in the order of their AgentSet; no other does; none if `only` is empty."""
    from sim.core.agents import PartyCommittee

    model = small_model(2)
    calls = []
    original = PartyCommittee.build_branches

    def recorded(self):
        calls.append(self.index)
        original(self)

    monkeypatch.setattr(PartyCommittee, "build_branches", recorded)
    model.do(PartyCommittee, "build_branches", np.array([3, 0, 2]))
    first = list(calls)
    calls.clear()
    model.do(PartyCommittee, "build_branches", np.zeros(0, dtype=int))
    order = [a.index for a in model.agents_by_type[PartyCommittee] if a.index in (0, 2, 3)]
    assert first == order == [0, 2, 3] and calls == []


def test_vacant_seats_follow_the_seats_and_the_owners_committees():
    from sim.core.people import OC as OC_ORG
    from sim.core.people import PC, RC

    def by_definition(m) -> int:
        seats, cp = m.seats, m.compounds
        committee = (seats.org == PC) | (seats.org == RC)
        formed_oc = (seats.org == OC_ORG) & (
            cp.oc_state[np.minimum(seats.org_index, cp.n - 1)] != OC_NONE
        )
        return int(np.count_nonzero((committee | formed_oc) & (seats.holder < 0)))

    m = small_model(2, oc_initial_share=0.5)
    m.run_for(2)
    assert m.vacant_seats() == by_definition(m)
    filled = np.flatnonzero(m.seats.holder >= 0)
    before = m.vacant_seats()
    m.vacate(filled[:3])  # three seats of any organisation fall vacant
    assert m.vacant_seats() == by_definition(m) >= before
    oc = np.flatnonzero(m.seats.org == OC_ORG)
    m.compounds.oc_state[m.seats.org_index[oc]] = OC_FUNCTIONING  # every compound has an OC
    assert m.vacant_seats() == by_definition(m)
    m.compounds.oc_state[:] = OC_NONE  # and none has
    assert m.vacant_seats() == by_definition(m)
    m.remove_all_agents()


def test_draw_traits_each_equals_one_draw_after_another():
    """`draw_traits_each(k, ...)` draws from the organisations stream what `k` calls of
    `draw_traits(1, ...)` draw, in the same order, and leaves the stream where they do."""
    for kind, candidates in ((VOLUNTEER, 3), (CADRE, 1), (VOLUNTEER, 1)):
        a, b = small_model(4), small_model(4)
        one_by_one = [a.draw_traits(1, kind, candidates) for _ in range(5)]
        merged = {k: np.concatenate([t[k] for t in one_by_one]) for k in one_by_one[0]}
        together = b.draw_traits_each(5, kind, candidates)
        assert merged.keys() == together.keys()
        for name in merged:
            assert merged[name].tobytes() == together[name].tobytes()
        assert a.streams["organisations"].random() == b.streams["organisations"].random()
    assert all(col.size == 0 for col in small_model(4).draw_traits_each(0, VOLUNTEER).values())
