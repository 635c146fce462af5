"""Maps: compounds at their coordinates with their streets' outlines, or communities laid
out by street where the world has none; each coloured by a per-compound or per-community
value, or by a comparison's B − A. Maps with coordinates are drawn from the shipped real
district (districts/chengdu_wuhou, 373 listed compounds), one compound's coordinates
blanked in a copy of its tables."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest

from sim.interfaces.browser import map_view as mv
from sim.interfaces.browser.session import start_run
from tests.interfaces.browser.pages import ROOT

from .conftest import TWO_STREETS

WUHOU = ROOT / "districts" / "chengdu_wuhou"
UNKNOWN = 5
"""The compound row of the copied tables whose coordinates are blanked."""


@pytest.fixture(scope="module")
def wuhou(tmp_path_factory):
    """A session's run of Wuhou district, two months in, from a copy of its tables with
    one compound's longitude and latitude left empty (unknown, as a listing may leave them)."""
    folder = tmp_path_factory.mktemp("wuhou")
    for f in WUHOU.glob("*.csv"):
        shutil.copy(f, folder / f.name)
    compounds = pd.read_csv(folder / "compounds.csv", dtype=str, keep_default_na=False)
    compounds.loc[UNKNOWN, ["longitude", "latitude"]] = ""
    compounds.to_csv(folder / "compounds.csv", index=False)
    r = start_run({}, "3", world=folder)
    for _ in range(2):
        r.step()
    yield r
    r.close()


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


def test_the_map_draws_each_located_compound_with_its_organisations(wuhou):
    district = wuhou.district
    assert np.isnan(district.compound_lonlat()).all(axis=1).sum() == 1
    view = mv.map_view(wuhou.structure, wuhou.model, district)
    n = len(district.compound_id)
    assert view.n == n - 1 and view.missing == 1
    blank = int(np.flatnonzero(np.isnan(district.compound_lonlat()).all(axis=1))[0])
    assert blank not in view.compound.tolist()  # the compound without coordinates
    assert len(view.outlines) == district.n_streets == 11
    # each point where its coordinates put it, in km round the district's centre
    lonlat = district.compound_lonlat()[view.compound]
    km = mv.project(district.compound_lonlat())[view.compound]
    assert np.allclose(view.pos, km)
    east = np.argmax(lonlat[:, 0])
    assert view.pos[east, 0] == view.pos[:, 0].max() > 0
    assert 3 < np.ptp(view.pos[:, 0]) < 30  # a district some km across
    # every compound's owners' committee seat and party branch are merged into its point
    st = wuhou.structure
    seats = np.flatnonzero((st.kind == "owners_committee") & (st.level == "compound"))
    assert len(seats) == n
    for i in seats.tolist():
        k = view.member[i]
        if st.index[i] == blank:
            assert k == -1
        else:
            assert view.compound[k] == st.index[i] and view.community[k] == st.community[i]
    branches = np.flatnonzero((st.kind == "party_branch") & (st.level == "compound"))
    assert len(branches) == n  # one node per compound's branch, built or not
    for i in branches.tolist():
        k = view.member[i]
        assert k == -1 if st.index[i] == blank else view.compound[k] == st.index[i]
    assert (view.members >= 1).all()  # no point without its organisations
    # named as the listings name them
    assert view.names.tolist() == district.names["compounds"][view.compound].tolist()


def test_a_month_of_the_map_is_coloured_by_any_compound_or_community_value(wuhou):
    view = mv.map_view(wuhou.structure, wuhou.model, wuhou.district)
    options = mv.colour_options(wuhou.history)
    assert "compound:satisfaction" in options and "community:trust_rc" in options
    rows = mv.frame(view, wuhou.history, None, "compound:quality", "en", selected=2)
    assert len(rows["points"]) == view.n
    tip = rows["points"][0]["tip"]
    assert tip["title"].startswith("Compound ") and "service quality" in tip
    assert tip["title"].endswith(" · " + view.names[0])  # its listed name
    assert re.fullmatch(r"(19|20)\d\d", tip["build year"])  # a year, not "2,014"
    assert rows["points"][2]["stroke"] == "#000000"  # the selected one
    assert {r["street"] for r in rows["outlines"]} == set(wuhou.structure.streets.tolist())
    fills = {p["fill"] for p in rows["points"]}
    assert len(fills) > 10  # coloured by the value, not one colour
    # larger compounds drawn larger
    hh = wuhou.history.compounds_at(None).set_index("compound")["households"]
    size = np.array([p["size"] for p in rows["points"]])
    big, small = np.argmax(hh[view.compound].to_numpy()), np.argmin(hh[view.compound].to_numpy())
    assert size[big] > size[small]
    by_comm = mv.frame(view, wuhou.history, 1, "community:trust_rc", "zh")
    assert by_comm["labels"][0]["text"].startswith("街道")
    assert by_comm["points"][0]["tip"]["title"].startswith("小区")


def test_a_map_of_communities_offers_only_community_colours(run):
    assert all(k.startswith("community:") for k in mv.colour_options(run.history, False))
    assert any(k.startswith("compound:") for k in mv.colour_options(run.history))


def test_the_difference_map_of_the_real_district_colours_compounds_by_their_community(wuhou):
    view = mv.map_view(wuhou.structure, wuhou.model, wuhou.district)
    first, second = (int(c) for c in np.unique(view.community)[:2])
    diffs = pd.DataFrame(
        {
            "community": [first, second],
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
    mine = [r for r, c in zip(rows, view.community) if c == first]
    assert mine and all(r["diff"] == 0.1 and r["tip"]["B − A"] == "+0.100" for r in mine)
    assert all(r["diff"] is None for r, c in zip(rows, view.community) if c not in diffs.community)


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
