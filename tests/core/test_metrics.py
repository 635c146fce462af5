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
