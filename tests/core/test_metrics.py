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
