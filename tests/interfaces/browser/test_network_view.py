"""Views of the network: fixed layouts that stay readable, every tie accounted for, hover text
with names and values, and new node and tie kinds drawn without code for them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.interfaces.browser import network_view as nv
from sim.interfaces.browser.history import History
from sim.interfaces.browser.session import start_run
from sim.interfaces.browser.structure import read_structure

from .conftest import TWO_STREETS, synthetic_network


def _min_gap(pos: np.ndarray) -> float:
    d = np.hypot(*(pos[:, None, :] - pos[None, :, :]).transpose(2, 0, 1))
    return float(d[np.triu_indices(len(pos), 1)].min())


def _frame(run, key="district", month=None, **options):
    view = nv.build_view(run.structure, key)
    opts = nv.Options(shown=tuple(nv.EDGE_STYLES), **options)
    return view, nv.frame(view, run.structure, run.history, month, opts)


@pytest.mark.parametrize("key", ["district", "street:0", "street:1"])
def test_a_layout_depends_only_on_the_world_and_no_two_nodes_share_a_spot(key):
    a, b = start_run(TWO_STREETS, "5"), start_run(TWO_STREETS, "5")
    va = nv.build_view(a.structure, key)
    vb = nv.build_view(b.structure, key)
    np.testing.assert_array_equal(va.pos, vb.pos)
    assert np.isfinite(va.pos).all() and _min_gap(va.pos) > 0.05
    for _ in range(3):
        a.step()
    again = nv.build_view(a.structure, key)
    np.testing.assert_array_equal(again.pos, va.pos)  # nodes never move


def test_the_district_view_stays_readable_at_a_hundred_streets():
    run = start_run(
        {
            "n_streets": 100,
            "communities_per_street": 10.0,
            "compounds_per_community": 1.0,
            "households_per_compound": 5.0,
            "n_firms": 30,
            "n_ngos": 20,
        },
        "1",
    )
    view = nv.build_view(run.structure, "district")
    communities = view.kinds == "community"
    assert communities.sum() == len(run.structure.communities) >= 900
    x0, x1, _, _ = view.extent()
    # at the default square of 560 px, neighbouring nodes are at least 4 px apart
    assert _min_gap(view.pos) / (x1 - x0) * 560 >= 4.0
    assert len(view.labels) == 100  # every street is labelled
    _, fr = _frame(run)
    assert len(fr["nodes"]) == view.n
    # line departments, tied to every street, sit in a row above the grid, and their ties
    # are drawn only while one of them is selected
    hubs = np.flatnonzero(view.hubs)
    assert len(hubs) == run.model.departments.n > 0
    assert set(view.kinds[hubs]) == {"department"}
    grid_top = view.pos[view.kinds == "community", 1].max()
    assert (view.pos[hubs, 1] > grid_top).all()
    assert len(np.unique(view.pos[hubs, 1])) == 1
    ends = {(e["x"], e["y"]) for e in fr["edges"]} | {(e["x2"], e["y2"]) for e in fr["edges"]}
    at_hub = {(round(x, 4), round(y, 4)) for x, y in view.pos[hubs]}
    assert not ends & at_hub
    opts = nv.Options(colour="kind", shown=("hierarchy",), selected=int(hubs[0]))
    chosen = nv.frame(view, run.structure, run.history, None, opts)
    xy = tuple(np.round(view.pos[hubs[0]], 4))
    fan = [e for e in chosen["edges"] if (e["x"], e["y"]) == xy or (e["x2"], e["y2"]) == xy]
    assert len(fan) == 100  # one tie to each street
    run.close()


def test_the_street_view_holds_the_street_and_every_district_wide_node(run):
    st = run.structure
    view = nv.build_view(st, "street:1")
    shown = view.member >= 0
    in_street = st.street == 1
    district_wide = (st.street < 0) & (st.community < 0)
    np.testing.assert_array_equal(shown, in_street | district_wide)
    assert (view.members == 1).all()  # nothing merged in the detailed view
    with pytest.raises(ValueError):
        nv.build_view(st, "street:9")
    with pytest.raises(ValueError):
        nv.build_view(st, "galaxy")


def test_the_district_view_merges_each_community_and_keeps_every_tie(run):
    view = nv.build_view(run.structure, "district")
    st = run.structure
    members = st.community >= 0
    assert (view.kinds[view.member[members]] == "community").all()
    edges = [(st.row[u], st.row[v], k) for (u, v, _), k in run.history.edges_at(None).items()]
    between, inside = nv.aggregate_edges(view.member, edges, view.n)
    total = sum(int(w.sum()) for _, w in between.values()) + sum(
        int(c.sum()) for c in inside.values()
    )
    assert total == run.model.network.number_of_edges()
    assert "cross_appointment" not in between  # they lie inside communities: drawn as rings


def test_contract_ties_are_hidden_at_first_in_the_district_view():
    assert "contract" in nv.HIDDEN_AT_FIRST["district"]
    assert "contract" not in nv.HIDDEN_AT_FIRST["street"]


def test_hover_text_names_the_node_and_gives_its_current_values(run):
    _, fr = _frame(run, "street:0", colour="kind")
    tips = [n["tip"] for n in fr["nodes"]]
    rc = next(t for t in tips if t["title"].startswith("Residents' committee"))
    assert "staff skill" in rc and "state" in rc  # attributes by their names, not identifiers
    assert all(t["title"] for t in tips)
    _, fr = _frame(run, "district", colour="trust_rc")
    community = next(n["tip"] for n in fr["nodes"] if n["tip"]["title"].startswith("Community"))
    assert "trust in the RC" in community and "residents" in community
    json.dumps(fr)  # what the browser receives


def test_a_month_on_the_slider_is_drawn_with_that_month_s_ties(run):
    view = nv.build_view(run.structure, "street:0")
    months = range(run.history.latest + 1)
    present = {k for t in months for k in run.history.edges_at(t).values()}
    assert present - set(nv.EDGE_STYLES) == set()  # every tie kind of the model has a style
    opts = nv.Options(colour="state", shown=tuple(present))
    for month in months:
        fr = nv.frame(view, run.structure, run.history, month, opts)
        want = sum(
            1
            for (u, v, _), _k in run.history.edges_at(month).items()
            if view.member[run.structure.row[u]] >= 0
            and view.member[run.structure.row[v]] >= 0
            and view.member[run.structure.row[u]] != view.member[run.structure.row[v]]
        )
        assert len(fr["edges"]) == want


def test_unknown_node_and_tie_kinds_get_a_style_and_a_label():
    class Model:  # what History reads: the network and the agents (none here)
        network = synthetic_network()
        agents = ()
        steps = 0

        def community_table(self):
            import pandas as pd

            return pd.DataFrame()

    model = Model()
    st = read_structure(model.network)
    history = History(model)
    for key in ("district", "street:0"):
        view = nv.build_view(st, key)
        fr = nv.frame(
            view,
            st,
            history,
            None,
            nv.Options(
                shown=("holds_seat", "oversight", "hierarchy"), ties=nv.TieFilter(1, bundle=False)
            ),
        )
        titles = [n["tip"]["title"] for n in fr["nodes"]]
        assert any(t.startswith("Line department") for t in titles)
        kinds = {e["tip"]["title"] for e in fr["edges"]}
        assert "oversight" in kinds
    street = nv.build_view(st, "street:0")
    assert "person" in street.kinds.tolist()
    style = nv.node_style("person")
    assert style.colour.startswith("#") and style.shape
    assert nv.edge_style("holds_seat").dash
    assert "svg" in nv.svg_symbol("person") and "svg" in nv.svg_edge("holds_seat")


def test_colours_follow_the_chosen_community_metric(run):
    _, fr = _frame(run, "district", colour="trust_rc")
    fills = {n["fill"] for n in fr["nodes"] if n["tip"]["title"].startswith("Community")}
    assert len(fills) > 1
    colours = nv.metric_colours("trust_rc", np.array([0.3, 0.7, np.nan]))
    assert colours[0] != colours[1] and colours[2] is None
    # an unknown column is coloured over the values recorded so far
    table = run.history.community_table()
    lo, hi, gradient = nv.metric_range("skill", table)
    assert lo == table["skill"].min() and hi == table["skill"].max() and "gradient" in gradient


def test_the_chart_is_a_square_with_zoom_pan_and_export():
    st = read_structure(synthetic_network())
    view = nv.build_view(st, "district")
    spec = nv.spec(view)
    nodes = next(layer for layer in spec["layer"] if layer["data"]["name"] == "nodes")
    assert nodes["params"][0]["bind"] == "scales"
    assert spec["usermeta"]["square"] is True
    assert spec["usermeta"]["embedOptions"]["actions"]["export"] is True
    x0, x1, y0, y1 = view.extent()
    assert np.isclose(x1 - x0, y1 - y0)


def _lines(frame: dict, kind: str) -> list[dict]:
    return [e for e in frame["edges"] if e["tip"]["title"] == kind]


def test_after_ten_years_the_district_view_bundles_and_filters_ties_and_the_control_shows_all():
    run = start_run({}, "1")  # the default district: 10 streets
    for _ in range(120):
        run.step()
    view = nv.build_view(run.structure, "district")
    present = sorted(set(run.history.edges_at(None).values()))
    shown = tuple(k for k in present if k not in nv.HIDDEN_AT_FIRST["district"])

    def frame(ties: nv.TieFilter, selected: int = -1) -> dict:
        opts = nv.Options(nv.DEFAULT_METRIC, shown, selected, "en", ties)
        return nv.frame(view, run.structure, run.history, None, opts)

    everything = frame(nv.TieFilter(1, bundle=False))
    bundled = frame(nv.TieFilter(1, bundle=True))
    default = frame(nv.TieFilter())
    streets = len(run.structure.streets)
    crossing = _lines(everything, "coordination")  # communities to their firms
    assert len(crossing) > 5 * streets  # the tangle the control exists for
    assert len(_lines(default, "coordination")) <= 2 * streets
    # bundling moves ties, it does not lose any; the filter hides only weak lines
    assert sum(int(e["tip"]["ties"]) for e in _lines(bundled, "coordination")) == sum(
        int(e["tip"]["ties"]) for e in crossing
    )
    assert all(int(e["tip"]["ties"]) >= 3 for e in _lines(default, "coordination"))
    assert len(_lines(default, "hierarchy")) == len(_lines(everything, "hierarchy"))
    # a selected community's ties are all drawn, one by one, to their own ends
    k = next(
        i
        for i in range(view.n)
        if view.kinds[i] == "community"
        and any((e["x"], e["y"]) == tuple(np.round(view.pos[i], 4)) for e in crossing)
    )
    xy = tuple(np.round(view.pos[k], 4))

    def own(fr: dict) -> set:
        return {
            (e["x2"], e["y2"]) if (e["x"], e["y"]) == xy else (e["x"], e["y"])
            for e in _lines(fr, "coordination")
            if xy in ((e["x"], e["y"]), (e["x2"], e["y2"]))
        }

    assert own(frame(nv.TieFilter(), selected=k)) == own(everything)
    run.close()
