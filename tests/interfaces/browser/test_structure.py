"""The skeleton of the network: every node's street, community and compound, read only from
what nodes and ties carry, so new kinds find their place."""

from __future__ import annotations

import numpy as np

from sim.interfaces.browser.structure import read_structure

from .conftest import synthetic_network


def test_nodes_belong_to_the_community_and_street_they_are_tied_to():
    st = read_structure(synthetic_network())
    where = {int(u): (int(c), int(s)) for u, c, s in zip(st.ids, st.community, st.street)}
    assert where[10] == where[20] == (0, 0)  # community-level organisations of community 0
    assert where[12] == (2, 1)  # community 2 is in street 1
    assert where[30] == where[40] == (0, 0)  # compound 0 and its branch
    assert where[33] == (2, 1)
    assert where[0] == (-1, 0) and where[1] == (-1, 1)  # street offices
    assert where[50] == (-1, -1)  # a district-wide firm


def test_a_kind_the_app_does_not_know_finds_its_place():
    st = read_structure(synthetic_network())
    row = st.row
    assert st.community[row[60]] == 0  # a person holding seats in community 0
    assert st.community[row[70]] == -1 and st.street[row[70]] == -1  # a district department


def test_a_compound_is_its_organisations_tied_to_each_other():
    st = read_structure(synthetic_network())
    row = st.row
    assert st.compound[row[30]] == st.compound[row[40]] >= 0
    assert len({st.compound[row[u]] for u in (30, 31, 32, 33)}) == 4
    assert st.compound[row[10]] == -1


def test_the_model_s_network_is_read_like_its_own_tables(run):
    st = read_structure(run.model.network)
    counts = st.counts()
    assert counts["streets"] == 2 and counts["nodes"] == run.model.network.number_of_nodes()
    table = run.history.community_table()
    last = table[table["step"] == table["step"].max()]
    assert counts["communities"] == len(last)
    # each community's street agrees with the model's own per-community table
    home = st.street_of_community()
    assert {int(c): home[int(c)] for c in last["community"]} == dict(
        zip(last["community"].astype(int), last["street"].astype(int))
    )
    assert (st.community[st.level == "compound"] >= 0).all()
    assert np.isin(st.community[st.community >= 0], last["community"]).all()


def test_a_person_holding_seats_in_two_compounds_does_not_merge_them():
    g = synthetic_network()
    g.add_edge(30, 31, key="cross_appointment", kind="cross_appointment")  # OC 0 and OC 1
    g.add_edge(40, 31, key="cross_appointment", kind="cross_appointment")  # branch 0, OC 1
    st = read_structure(g)
    row = st.row
    assert st.compound[row[30]] == st.compound[row[40]]  # compound 0 keeps its branch
    assert len({st.compound[row[u]] for u in (30, 31, 32, 33)}) == 4
    assert st.counts()["compounds"] == 4


def test_the_real_district_counts_every_listed_compound():
    from sim.interfaces.browser.session import start_run
    from tests.interfaces.browser.pages import ROOT

    run = start_run({}, "1", world=ROOT / "districts" / "chengdu_wuhou")
    try:
        run.step()
        counts = read_structure(run.model.network).counts()
        assert counts["compounds"] == run.model.world.n_compounds == 373
    finally:
        run.close()
