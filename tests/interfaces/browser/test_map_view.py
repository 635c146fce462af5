"""Maps: compounds at their coordinates with their streets' outlines, or communities laid
out by street where the world has none; each coloured by a per-compound or per-community
value, or by a comparison's B − A."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.interfaces.browser import map_view as mv
from sim.interfaces.browser.session import start_run

from .conftest import TWO_STREETS


def located(run, missing: int = 1) -> np.ndarray:
    """Give the run's world made-up coordinates: each street a cluster 2 km apart, one
    compound without coordinates."""
    w = run.model.world
    street = np.asarray(w.street_of_community)[np.asarray(w.community_of_compound)]
    rng = np.random.default_rng(0)
    lon = 104.0 + 0.02 * street + rng.uniform(0, 0.005, len(street))
    lat = 30.6 + rng.uniform(0, 0.005, len(street))
    xy = np.column_stack((lon, lat))
    xy[:missing] = np.nan
    w.compound_lonlat = xy
    return xy


def test_a_world_without_coordinates_has_no_map(run):
    assert mv.lonlat_of(run.model) is None
    run.model.world.compound_lonlat = np.full((run.model.world.n_compounds, 2), np.nan)
    assert mv.lonlat_of(run.model) is None


def test_coordinates_are_projected_to_kilometres_round_the_centre():
    xy = mv.project(np.array([[104.0, 30.0], [104.0, 31.0], [105.0, 30.0], [np.nan, np.nan]]))
    assert xy[1, 1] - xy[0, 1] == pytest.approx(110.574)
    assert xy[2, 0] - xy[0, 0] == pytest.approx(111.320 * np.cos(np.radians(30.333333)))
    assert np.isnan(xy[3]).all()


def test_an_outline_holds_every_point_of_its_street():
    from matplotlib.path import Path

    pts = np.random.default_rng(1).normal(size=(30, 2))
    ring = mv.outline(pts, 0.1)
    assert (ring[0] == ring[-1]).all()
    assert Path(ring).contains_points(pts).all()
    for few in (pts[:1], pts[:2], np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])):
        ring = mv.outline(few, 0.1)  # a box round one, two or aligned points
        assert Path(ring).contains_points(few).all()


def test_the_map_draws_each_located_compound_with_its_organisations(run):
    xy = located(run)
    view = mv.map_view(run.structure, run.model)
    assert view.n == len(xy) - 1 and view.missing == 1
    assert 0 not in view.compound.tolist()  # the compound without coordinates
    assert len(view.outlines) == len(run.structure.streets)
    # every compound's owners' committee seat (and branch) is merged into its point
    st = run.structure
    seats = np.flatnonzero((st.kind == "owners_committee") & (st.level == "compound"))
    for i in seats.tolist():
        k = view.member[i]
        if st.index[i] == 0:
            assert k == -1
        else:
            assert view.compound[k] == st.index[i] and view.community[k] == st.community[i]


def test_a_month_of_the_map_is_coloured_by_any_compound_or_community_value(run):
    located(run)
    view = mv.map_view(run.structure, run.model)
    options = mv.colour_options(run.history)
    assert "compound:satisfaction" in options and "community:trust_rc" in options
    rows = mv.frame(view, run.history, None, "compound:quality", "en", selected=2)
    assert len(rows["points"]) == view.n
    tip = rows["points"][0]["tip"]
    assert tip["title"].startswith("Compound ") and "service quality" in tip
    assert rows["points"][2]["stroke"] == "#000000"  # the selected one
    assert {r["street"] for r in rows["outlines"]} == set(run.structure.streets.tolist())
    by_comm = mv.frame(view, run.history, 1, "community:trust_rc", "zh")
    assert by_comm["labels"][0]["text"].startswith("街道")


def test_without_coordinates_the_difference_map_lays_out_communities_by_street(run):
    view = mv.community_view(run.structure)
    assert view.n == len(run.structure.communities) and view.compound is None
    diffs = pd.DataFrame(
        {
            "community": [0, 1],
            "street": [0, 0],
            "n": [3, 3],
            "a": [0.5, 0.5],
            "b": [0.6, 0.4],
            "diff": [0.1, -0.1],
            "low": [0.05, -0.2],
            "high": [0.15, 0.0],
        }
    )
    rows = mv.difference_rows(view, diffs, "satisfaction")["points"]
    by = {r["tip"]["title"]: r for r in rows}
    up, down = by["Community 0 (street 0)"], by["Community 1 (street 0)"]
    assert up["diff"] == 0.1 and down["diff"] == -0.1
    assert up["tip"]["B − A"] == "+0.100" and "95% CI of B − A" in up["tip"]
    # blue where B is higher, red where lower, grey where there is no difference to show
    assert int(up["fill"][5:7], 16) > int(up["fill"][1:3], 16)
    assert int(down["fill"][1:3], 16) > int(down["fill"][5:7], 16)
    assert all(r["fill"] == "#d0d0d0" for r in rows if r["diff"] is None)


def test_the_map_spec_zooms_pans_and_answers_clicks():
    spec = mv.spec(mv.community_view(start_run(TWO_STREETS, "2").structure))
    points = next(layer for layer in spec["layer"] if layer["data"]["name"] == "points")
    assert points["params"][0]["bind"] == "scales"
    assert spec["usermeta"]["square"] is True
