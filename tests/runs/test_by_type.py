"""Outcomes by type (sim.runs.by_type): each number is the documented weighted mean of the
compounds or communities of that type over the last months."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.params import validate
from sim.runs.by_type import COMMUNITY_OUTCOMES, COMPOUND_OUTCOMES, by_type, wide_by_type
from sim.runs.runner import run
from tests.conftest import SMALL


@pytest.fixture(scope="module")
def result():
    return run(validate({**SMALL, "n_streets": 2}), 2, 8, communities=True)


def value(table, level, t, outcome):
    row = table[(table["level"] == level) & (table["type"] == t) & (table["outcome"] == outcome)]
    return row["value"].item()


def test_compound_outcomes_are_weighted_means_of_the_last_months(result):
    table = by_type(result.compounds, result.communities, window=3)
    c = result.compounds[result.compounds["step"] > 5]
    for t, g in c.groupby("compound_type"):
        per_month = g.groupby("step").apply(
            lambda m: np.average(m["quality"], weights=m["residents"]), include_groups=False
        )
        assert value(table, "compound", t, "property_quality") == pytest.approx(per_month.mean())
        functioning = g.groupby("step")["oc_state"].apply(lambda s: (s == "functioning").mean())
        assert value(table, "compound", t, "oc_functioning") == pytest.approx(functioning.mean())
        last = g[g["step"] == 8]
        row = table[(table["level"] == "compound") & (table["type"] == t)].iloc[0]
        assert row["units"] == len(last) and row["residents"] == last["residents"].sum()


def test_community_outcomes_are_resident_weighted(result):
    table = by_type(result.compounds, result.communities, window=2)
    c = result.communities[result.communities["step"] > 6]
    for t, g in c.groupby("community_type"):
        per_month = g.groupby("step").apply(
            lambda m: np.average(m["satisfaction"], weights=m["residents"]), include_groups=False
        )
        assert value(table, "community", t, "satisfaction") == pytest.approx(per_month.mean())


def test_every_type_has_every_key_outcome(result):
    table = by_type(result.compounds, result.communities)
    wide = wide_by_type(table, "compound")
    assert list(wide.columns) == ["units", "residents", *COMPOUND_OUTCOMES]
    assert set(wide.index) == set(result.compounds["compound_type"])
    wide = wide_by_type(table, "community")
    assert list(wide.columns) == ["units", "residents", *COMMUNITY_OUTCOMES]
