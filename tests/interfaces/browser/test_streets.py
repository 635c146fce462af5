"""Streets side by side: a street's value is its communities' resident-weighted mean (or
their sum for counts and money), and the spread across communities is their quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.interfaces.browser import streets as sb

TABLE = pd.DataFrame(
    {
        "step": [1, 1, 1, 2, 2, 2],
        "community": [0, 1, 2, 0, 1, 2],
        "street": [0, 0, 1, 0, 0, 1],
        "residents": [100, 300, 50, 100, 300, 50],
        "satisfaction": [0.2, 0.6, 0.9, 0.4, 0.4, np.nan],
        "disputes": [1, 2, 5, 0, 3, 1],
    }
)


def test_a_street_s_share_is_weighted_by_residents_and_its_counts_are_summed():
    shares = sb.aggregate(TABLE, "satisfaction", ["step", "street"]).set_index(["step", "street"])
    assert shares.loc[(1, 0), "value"] == pytest.approx((0.2 * 100 + 0.6 * 300) / 400)
    assert shares.loc[(1, 1), "value"] == pytest.approx(0.9)
    assert (2, 1) not in shares.index  # no value recorded: nothing to draw
    counts = sb.aggregate(TABLE, "disputes", ["step", "street"]).set_index(["step", "street"])
    assert counts.loc[(1, 0), "value"] == 3 and counts.loc[(2, 1), "value"] == 1


def test_every_street_s_panel_carries_the_district_s_value_too():
    rows = pd.DataFrame(sb.street_rows(TABLE, "satisfaction", street_label="S{s}"))
    assert set(rows["street"]) == {"S0", "S1"}
    district = rows[(rows["series"] == "district") & (rows["street"] == "S1")]
    want = (0.2 * 100 + 0.6 * 300 + 0.9 * 50) / 450
    assert district[district["month"] == 1]["value"].iloc[0] == pytest.approx(want)
    assert sb.street_rows(TABLE, "satisfaction", upto=1, streets=[1])[-1]["month"] == 1


def test_the_spread_gives_the_communities_quantiles_by_month():
    rows = sb.spread_rows(TABLE, "satisfaction")
    first = rows[0]
    assert first["q50"] == pytest.approx(0.6) and first["n"] == 3
    assert first["q10"] <= first["q25"] <= first["q50"] <= first["q75"] <= first["q90"]
    assert rows[1]["n"] == 2  # the community without a value is left out


def test_many_streets_are_shown_page_by_page():
    assert sb.pages(list(range(50)), 24) == [
        list(range(24)),
        list(range(24, 48)),
        [48, 49],
    ]
    assert sb.pages([]) == [[]]


def test_the_model_s_table_gives_a_row_per_street_and_month(run):
    table = run.history.community_table()
    rows = sb.street_rows(table, "trust_rc")
    streets = run.structure.streets.tolist()
    assert {r["order"] for r in rows} == set(streets)
    assert len([r for r in rows if r["series"] == "street"]) == len(streets) * run.month
