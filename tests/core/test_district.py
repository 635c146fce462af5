"""A district from tables (sim.core.district): validation with the row and column, the
given values taken as they are, the rest drawn from the types, and the same draws whichever
columns are given, so a written world builds again into the same world."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim.core import params as P
from sim.core import types as T
from sim.core.district import SCHEMA, district_from_tables, district_tables
from sim.core.model import GovernanceModel
from sim.core.state import OC_NONE
from sim.core.world import build_world
from tests.conftest import SMALL

P_SMALL = P.validate({**SMALL, "n_streets": 2})
WORLD_ARRAYS = (
    "street_of_community",
    "community_of_compound",
    "households_of_compound",
    "community_type",
    "compound_type",
    "build_year",
    "management",
    "fee",
    "compound_of_resident",
    "household_of_resident",
    "head",
    "elderly",
    "special",
    "owner",
    "party_member",
    "area",
    "tolerance",
    "firm_of_compound",
    "firm_capability",
    "firm_effort_cost",
    "compound_has_branch",
    "cohesion",
    "owner_share",
    "elderly_share",
    "floor_area",
)


def assert_same_world(a, b) -> None:
    for name in WORLD_ARRAYS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert (a.social != b.social).nnz == 0
    assert nx.utils.edges_equal(a.graph.edges(keys=True), b.graph.edges(keys=True))


def small_tables() -> dict[str, pd.DataFrame]:
    """Two streets, three communities, five compounds: only what a survey would have."""
    return {
        "streets": pd.DataFrame({"street": ["east", "west"], "name": ["东街道", "西街道"]}),
        "communities": pd.DataFrame(
            {
                "community": ["e1", "w1", "e2"],
                "street": ["east", "west", "east"],
                "community_type": ["old", "commercial", ""],
            }
        ),
        "compounds": pd.DataFrame(
            {
                "compound": ["a", "b", "c", "d", "e"],
                "community": ["w1", "e1", "e2", "e1", "w1"],
                "compound_type": ["commercial", "old", "", "work_unit", "commercial"],
                "households": ["300", "", "120", "80", "450"],
                "build_year": ["2012", "1985", "", "", "2016"],
                "management": ["firm", "none", "", "", ""],
                "has_oc": ["true", "", "", "no", "1"],
            }
        ),
    }


def test_structure_follows_the_tables_grouped_like_a_drawn_world():
    d = district_from_tables(small_tables())
    assert d.street_id.tolist() == ["east", "west"]
    # communities grouped by street, compounds by community, table order within
    assert d.community_id.tolist() == ["e1", "e2", "w1"]
    assert d.street_of_community.tolist() == [0, 0, 1]
    assert d.compound_id.tolist() == ["b", "d", "c", "a", "e"]
    assert d.community_of_compound.tolist() == [0, 0, 1, 2, 2]


def test_given_values_are_taken_and_empty_cells_are_drawn_from_the_type():
    d = district_from_tables(small_tables())
    w = build_world(P_SMALL, np.random.default_rng(1), d)
    assert w.n_streets == 2 and w.n_communities == 3 and w.n_compounds == 5
    assert w.community_type[[0, 2]].tolist() == ["old", "commercial"]
    assert w.community_type[1] in T.COMMUNITY_TYPES
    assert w.compound_type[[0, 1, 3, 4]].tolist() == [
        "old",
        "work_unit",
        "commercial",
        "commercial",
    ]
    assert w.households_of_compound[[0 + 2, 3, 4]].tolist() == [120, 300, 450]
    assert w.build_year[[0, 3, 4]].tolist() == [1985, 2012, 2016]
    lo, hi = T.COMPOUND_TYPES["work_unit"].build_years
    assert lo <= w.build_year[1] <= hi  # drawn from its type
    assert T.MANAGEMENT_MODES[w.management[0]] == "none" and w.firm_of_compound[0] == -1
    assert T.MANAGEMENT_MODES[w.management[3]] == "firm" and w.firm_of_compound[3] >= 0
    assert np.all(w.fee > 0)
    assert np.bincount(w.compound_of_resident).size == 5


def test_existing_owners_committees_are_those_the_table_lists():
    d = district_from_tables(small_tables())
    m = GovernanceModel(rng=2, district=d, **{k: v for k, v in P_SMALL.items()})
    formed = m.compounds.oc_state != OC_NONE
    assert formed[3] and formed[4] and not formed[1]  # a: true, e: 1, d: no
    m.remove_all_agents()


def test_a_drawn_world_written_as_tables_builds_again_into_the_same_world():
    drawn = build_world(P_SMALL, np.random.default_rng(7))
    again = build_world(
        P_SMALL, np.random.default_rng(7), district_from_tables(district_tables(drawn))
    )
    assert_same_world(drawn, again)


def test_partial_tables_written_back_complete_build_the_same_world():
    first = build_world(P_SMALL, np.random.default_rng(3), district_from_tables(small_tables()))
    second = build_world(
        P_SMALL, np.random.default_rng(3), district_from_tables(district_tables(first))
    )
    assert_same_world(first, second)
    assert district_tables(second)["streets"]["name"].tolist() == ["东街道", "西街道"]


def test_a_model_from_the_written_tables_runs_exactly_like_the_drawn_model():
    drawn = GovernanceModel(rng=5, **P_SMALL)
    tables = district_tables(drawn.world, has_oc=drawn.compounds.oc_state != OC_NONE)
    from_tables = GovernanceModel(rng=5, district=district_from_tables(tables), **P_SMALL)
    drawn.run_for(4)
    from_tables.run_for(4)
    pd.testing.assert_frame_equal(
        drawn.datacollector.get_model_vars_dataframe(),
        from_tables.datacollector.get_model_vars_dataframe(),
    )
    pd.testing.assert_frame_equal(drawn.compound_table(), from_tables.compound_table())


def test_the_tables_fix_the_number_of_streets_and_name_their_firms():
    t = small_tables()
    t["compounds"]["firm"] = ["万科物业", "", "", "", "绿城服务"]
    d = district_from_tables(t)
    p = d.params({**P_SMALL, "n_streets": 9, "n_firms": 1})
    assert p["n_streets"] == 2 and p["n_firms"] == 2
    w = build_world(p, np.random.default_rng(1), d)
    assert w.firm_of_compound[[3, 4]].tolist() == [0, 1]
    assert T.MANAGEMENT_MODES[w.management[4]] == "firm"  # a named firm manages it
    written = district_tables(w)["compounds"]["firm"].tolist()
    assert written[3:] == ["万科物业", "绿城服务"]


def test_columns_of_ones_own_are_ignored_and_streets_may_be_left_out():
    t = small_tables()
    del t["streets"]
    t["compounds"]["x_survey_id"] = range(5)
    d = district_from_tables(t)
    assert d.street_id.tolist() == ["east", "west"]  # in order of first appearance


def test_typed_tables_as_parquet_gives_them_are_read_too():
    t = small_tables()
    c = t["compounds"]
    c["households"] = pd.array([300, None, 120, 80, 450], dtype="Int64")
    c["has_oc"] = pd.array([True, None, None, False, True], dtype="boolean")
    c["fee"] = [2.5, np.nan, 1.0, np.nan, 3.0]
    w = build_world(P_SMALL, np.random.default_rng(1), district_from_tables(t))
    assert w.households_of_compound[3] == 300 and w.fee[3] == 2.5


def located_tables() -> dict[str, pd.DataFrame]:
    """The small tables with coordinates for three of the five compounds."""
    t = small_tables()
    t["compounds"]["longitude"] = ["104.05", "", "104.01", "104.02", ""]
    t["compounds"]["latitude"] = ["30.64", "", "30.61", "30.62", ""]
    return t


def test_coordinates_are_kept_where_given_and_unknown_elsewhere():
    w = build_world(P_SMALL, np.random.default_rng(1), district_from_tables(located_tables()))
    # district order: b, d, c, a, e
    expected = [[np.nan, np.nan], [104.02, 30.62], [104.01, 30.61], [104.05, 30.64]]
    expected.append([np.nan, np.nan])
    np.testing.assert_array_equal(w.compound_lonlat, np.array(expected))
    drawn = build_world(P_SMALL, np.random.default_rng(1))
    assert drawn.compound_lonlat.shape == (drawn.n_compounds, 2)
    assert np.isnan(drawn.compound_lonlat).all()


def test_coordinates_change_no_draw_and_are_written_back():
    plain = build_world(P_SMALL, np.random.default_rng(4), district_from_tables(small_tables()))
    located = build_world(P_SMALL, np.random.default_rng(4), district_from_tables(located_tables()))
    assert_same_world(plain, located)
    written = district_tables(located)["compounds"]
    assert written["longitude"].tolist()[1:4] == [104.02, 104.01, 104.05]
    again = build_world(
        P_SMALL, np.random.default_rng(4), district_from_tables(district_tables(located))
    )
    np.testing.assert_array_equal(again.compound_lonlat, located.compound_lonlat)
    assert "longitude" not in district_tables(plain)["compounds"]  # none known: none written


def test_coordinates_count_in_the_fingerprint_only_where_given():
    with_points = district_from_tables(located_tables())
    t = located_tables()
    t["compounds"].loc[0, "longitude"] = "104.06"
    assert district_from_tables(t).fingerprint() != with_points.fingerprint()
    t = small_tables()
    t["compounds"]["longitude"] = ""
    t["compounds"]["latitude"] = ""
    assert (
        district_from_tables(t).fingerprint() == district_from_tables(small_tables()).fingerprint()
    )


def test_a_compound_gives_both_coordinates_or_neither():
    t = located_tables()
    t["compounds"].loc[2, "latitude"] = ""
    with pytest.raises(P.ScenarioError, match="row 3, column latitude is empty while longitude"):
        district_from_tables(t)
    t = located_tables()
    t["compounds"].loc[0, "latitude"] = "95"
    with pytest.raises(P.ScenarioError, match="row 1, column latitude = '95': must be a number"):
        district_from_tables(t)


def bad(table: str, column: str, row: int, value) -> dict[str, pd.DataFrame]:
    t = small_tables()
    t[table][column] = t[table][column].astype(object)
    t[table].loc[row, column] = value
    return t


@pytest.mark.parametrize(
    "tables, words",
    [
        (bad("compounds", "build_year", 2, "1850"), "compounds: row 3, column build_year = '1850'"),
        (
            bad("compounds", "households", 0, "many"),
            "row 1, column households = 'many': is not a number",
        ),
        (
            bad("compounds", "households", 0, "2.5"),
            "row 1, column households = '2.5': must be a whole number",
        ),
        (bad("compounds", "management", 1, "bank"), "column management = 'bank': must be one of"),
        (
            bad("compounds", "has_oc", 1, "perhaps"),
            "column has_oc = 'perhaps': must be true or false",
        ),
        (
            bad("compounds", "community", 4, "nowhere"),
            "row 5, column community = 'nowhere': names no community",
        ),
        (bad("compounds", "compound", 4, "a"), "row 5, column compound = 'a': repeats row 1"),
        (bad("communities", "street", 1, ""), "communities: row 2, column street = '': is empty"),
        (bad("communities", "community_type", 0, "slum"), "community_type = 'slum'"),
    ],
)
def test_bad_cells_name_the_table_row_column_value_and_what_is_allowed(tables, words):
    with pytest.raises(P.ScenarioError, match=words.replace("(", r"\(")):
        district_from_tables(tables)


def test_bad_columns_and_structures_are_named():
    t = small_tables()
    t["compounds"] = t["compounds"].rename(columns={"build_year": "build_yr"})
    with pytest.raises(
        P.ScenarioError,
        match="column 'build_yr' is not part of the schema "
        r"\(did you mean 'build_year'\?\)",
    ):
        district_from_tables(t)
    t = small_tables()
    del t["compounds"]["community"]
    with pytest.raises(P.ScenarioError, match="column 'community' is missing"):
        district_from_tables(t)
    t = small_tables()
    t["streets"] = pd.DataFrame({"street": ["east", "west", "north"]})
    with pytest.raises(
        P.ScenarioError,
        match="streets: row 3, column street = 'north': no row of communities lies in it",
    ):
        district_from_tables(t)
    t = small_tables()
    t["compounds"]["firm"] = ["", "万科物业", "", "", ""]
    with pytest.raises(
        P.ScenarioError,
        match="row 2, column firm = '万科物业': the compound's management is 'none'",
    ):
        district_from_tables(t)
    with pytest.raises(P.ScenarioError, match="the compounds table is missing"):
        district_from_tables({"communities": small_tables()["communities"]})


def test_every_schema_column_has_a_meaning_and_an_allowed_value():
    for table, columns in SCHEMA.items():
        for c in columns:
            assert c.meaning and c.allowed(), (table, c.name)
