"""The per-compound table (sim.core.metrics.CompoundRecorder): one row per compound and
recorded month, with the compound's type and attributes, agreeing with the community table."""

from __future__ import annotations

import numpy as np

from sim.core import types as T
from sim.core.metrics import COMPOUND_COLUMNS
from sim.core.state import OC_STATES
from tests.conftest import small_model


def test_one_row_per_compound_and_month_with_its_type_and_attributes():
    m = small_model(3)
    m.run_for(3)
    t = m.compound_table()
    w = m.world
    assert list(t.columns) == ["step", "compound", *COMPOUND_COLUMNS]
    assert len(t) == 3 * w.n_compounds
    first = t[t["step"] == 1]
    assert first["compound"].tolist() == list(range(w.n_compounds))
    assert first["compound_type"].tolist() == w.compound_type.tolist()
    assert first["community_type"].tolist() == w.community_type[w.community_of_compound].tolist()
    assert first["build_year"].tolist() == w.build_year.tolist()
    assert set(t["management"]) <= set(T.MANAGEMENT_MODES)
    assert set(t["oc_state"]) <= set(OC_STATES)
    m.remove_all_agents()


def test_compounds_add_up_to_their_communities():
    m = small_model(4)
    m.run_for(4)
    comp, comm = m.compound_table(), m.community_table()
    for column in ("disputes", "mediated", "residents"):
        by_community = comp.groupby(["step", "community"])[column].sum().to_numpy()
        assert np.allclose(by_community, comm[column].to_numpy()), column
    functioning = (
        comp.assign(f=comp["oc_state"] == "functioning")
        .groupby(["step", "community"])["f"]
        .mean()
        .to_numpy()
    )
    assert np.allclose(functioning, comm["oc_functioning_share"].to_numpy())
    served = comp[comp["firm"] >= 0]
    assert served["effort"].notna().all() and comp.loc[comp["firm"] < 0, "effort"].isna().all()
    m.remove_all_agents()


def test_a_recorder_keeps_one_array_for_a_column_that_does_not_change_and_the_table_is_unchanged():
    from types import SimpleNamespace

    from sim.core.metrics import TableRecorder

    months = [
        {"size": np.array([3.0, 4.0]), "level": np.array([0.0, 1.0])},
        {"size": np.array([3.0, 4.0]), "level": np.array([-0.0, 1.0])},  # -0.0: a change
        {"size": np.array([3.0, 4.0]), "level": np.array([-0.0, 2.0])},
    ]
    state = {"month": 0}
    recorder = TableRecorder(lambda model: months[state["month"]], ("size", "level"), "unit")
    for k in range(3):
        state["month"] = k
        months[k]["size"][0] = 3.0  # the snapshot's arrays are the model's own: reused below
        recorder.record(SimpleNamespace(steps=k))
    sizes = {id(row["size"]) for row in recorder._rows}
    levels = {id(row["level"]) for row in recorder._rows}
    assert len(sizes) == 1 and len(levels) == 3
    months[2]["size"][0] = 99.0  # the model changes its array after the month was recorded
    table = recorder.frame()
    assert table["size"].tolist() == [3.0, 4.0] * 3
    assert np.signbit(table["level"].to_numpy()).tolist() == [
        False,
        False,
        True,
        False,
        True,
        False,
    ]


def test_the_outcome_collector_records_what_mesas_collector_records():
    import mesa

    from sim.core.metrics import OUTCOMES, OutcomeCollector

    m = small_model(5)
    mesas = mesa.DataCollector(
        model_reporters={k: (lambda model, k=k: model.outcomes.get(k, np.nan)) for k in OUTCOMES}
    )
    for _ in range(3):
        m.step()
        mesas.collect(m)
    assert isinstance(m.datacollector, OutcomeCollector)
    ours, theirs = m.datacollector.get_model_vars_dataframe(), mesas.get_model_vars_dataframe()
    assert list(ours.columns) == list(OUTCOMES)
    assert ours.equals(theirs)
    assert m.datacollector._collection_steps == mesas._collection_steps

    # a reporter added later is collected too, by Mesa's own rule
    m.datacollector._new_model_reporter("month", lambda model: float(model.steps))
    m.step()
    series = m.datacollector.model_vars
    assert series["month"] == [4.0]
    assert len(series["satisfaction_mean"]) == 4
    assert series["satisfaction_mean"][-1] == m.outcomes["satisfaction_mean"]
    m.remove_all_agents()


def _reference_outcomes(m) -> dict[str, float]:
    """Some district outcomes by their plain NumPy definitions, one NumPy call at a time."""
    from sim.core.metrics import _count, cross_appointment
    from sim.core.people import SECRETARY, seats_per_person
    from sim.core.state import (
        OC_CAPTURED,
        OC_CONVENED,
        OC_DORMANT,
        OC_ELECTED,
        OC_FUNCTIONING,
        OC_NONE,
    )

    cm, cp, people = m.communities, m.compounds, m.people
    formed = cp.oc_state != OC_NONE
    elected, convened = cp.oc_kind == OC_ELECTED, cp.oc_kind == OC_CONVENED
    functioning = cp.oc_state == OC_FUNCTIONING
    served = cp.firm >= 0
    year = m.steps - 12
    shares = cross_appointment(m)
    eligible = formed & cp.has_branch
    per = seats_per_person(m.seats, people.n)
    holding = per > 0
    sec = m.holders_of_role(SECRETARY)
    weights = np.maximum(cp.residents, 1)
    return {
        "budget_services": float((cm.spent - cm.wasted).sum()),
        "budget_idle": float((cm.idle_block + cm.idle_grid + cm.idle_ngo).sum()),
        "absorption_rate": float(
            cm.spent.sum() / (cm.inflow.sum() - cm.invested.sum() + cm.idle_before.sum())
        ),
        "tasks_pushed_per_1000": float(cm.tasks_pushed.sum() / max(m.residents.n, 1) * 1000),
        "coordination_index": float(cm.coordination.mean()),
        "rc_skill": float(cm.skill.mean()),
        "property_quality": float(np.average(cp.quality, weights=weights)),
        "mediation_coordination": float(np.average(cp.mediation_coordination, weights=weights)),
        "unserved_compounds": float((~served).sum() / cp.n),
        "oc_formed_share": float(elected.sum() / cp.n),
        "oc_coverage_share": float(formed.sum() / cp.n),
        "oc_convened_share": float(convened.sum() / cp.n),
        "oc_functioning_share": float(functioning.sum() / cp.n),
        "oc_elected_functioning_share": float((functioning & elected).sum() / cp.n),
        "oc_convened_functioning_share": float((functioning & convened).sum() / cp.n),
        "oc_dormant_share": float((cp.oc_state == OC_DORMANT).sum() / cp.n),
        "oc_captured_share": float((cp.oc_state == OC_CAPTURED).sum() / cp.n),
        "oc_lapsed_12m": float(
            np.count_nonzero((cp.oc_lapsed_month >= 0) & (cp.oc_lapsed_month > year))
        ),
        "oc_convened_12m": float(
            np.count_nonzero((cp.oc_convened_month >= 0) & (cp.oc_convened_month > year))
        ),
        "one_shoulder_share": float(shares["one_shoulder"].mean()),
        "overlap_share": float(shares["overlap"].mean()),
        "secretary_chairs_oc_share": (
            float(
                np.nansum(shares["secretary_chairs_oc"] * _count(cp, eligible, cm.n))
                / eligible.sum()
            )
            if eligible.any()
            else np.nan
        ),
        "member_on_oc_share": (
            float(np.nansum(shares["member_on_oc"] * _count(cp, formed, cm.n)) / formed.sum())
            if formed.any()
            else np.nan
        ),
        "seats_per_leader": float(per[holding].mean()),
        "office_load": float(people.load[: people.n][holding].mean()),
        "leader_load": float(people.load[sec[sec >= 0]].mean()),
    }


def test_district_outcomes_equal_their_numpy_definitions_bit_for_bit():
    m = small_model(2, oc_initial_share=0.5)
    for _ in range(15):
        m.step()
        want = _reference_outcomes(m)
        got = {k: m.outcomes[k] for k in want}
        assert np.array_equal(
            np.array(list(got.values())), np.array(list(want.values())), equal_nan=True
        ), {k: (got[k], want[k]) for k in want if not np.array_equal(got[k], want[k], True)}
    m.remove_all_agents()


def test_community_sums_of_participants_are_the_residents_own_count():
    from sim.core.metrics import community_sums

    m = small_model(6)
    counted = community_sums(m)["participants"]  # before the first step: from the residents
    assert np.array_equal(counted, m.residents.per_community(m.residents.participates))
    for _ in range(3):
        m.step()
        res = m.residents
        assert np.array_equal(
            community_sums(m)["participants"], res.per_community(res.participates)
        )
    m.remove_all_agents()


def test_community_shares_of_compounds_equal_one_bincount_each():
    from sim.core.metrics import community_snapshot
    from sim.core.state import OC_CONVENED, OC_DORMANT, OC_ELECTED, OC_NONE

    m = small_model(4, oc_initial_share=0.5)
    for _ in range(4):
        m.step()
        cp, n = m.compounds, m.communities.n
        row = community_snapshot(m)
        counts = np.maximum(np.bincount(cp.community, minlength=n), 1)

        def share(mask, cp=cp, n=n, counts=counts):
            return np.bincount(cp.community, weights=mask, minlength=n) / counts

        assert np.array_equal(row["oc_formed_share"], share(cp.oc_kind == OC_ELECTED))
        assert np.array_equal(row["oc_coverage_share"], share(cp.oc_state != OC_NONE))
        assert np.array_equal(row["oc_convened_share"], share(cp.oc_kind == OC_CONVENED))
        assert np.array_equal(row["oc_dormant_share"], share(cp.oc_state == OC_DORMANT))
        assert np.array_equal(row["branch_coverage"], share(cp.has_branch))
        pop = np.maximum(np.bincount(cp.community, weights=cp.residents, minlength=n), 1)
        quality = np.bincount(cp.community, weights=cp.quality * cp.residents, minlength=n)
        assert np.array_equal(row["property_quality"], quality / pop)
        owners = np.bincount(cp.community, weights=cp.owners * (cp.firm >= 0), minlength=n)
        paid = np.bincount(cp.community, weights=cp.collection * cp.owners, minlength=n)
        fee = np.where(owners > 0, paid / np.maximum(owners, 1), 0.0)
        assert np.array_equal(row["fee_collection"], fee)
        ties = np.bincount(cp.community, weights=cp.convened, minlength=n)
        assert np.array_equal(row["convened_ties"], ties)
    m.remove_all_agents()
