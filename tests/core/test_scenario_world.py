"""A scenario's `[world]` table: the district's tables read from a folder beside the file,
inherited through `extends`, and one clear message for every kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.core.params import ScenarioError
from sim.core.scenario import load_district, load_scenario

COMMUNITIES = "community,street,community_type\nc1,s1,old\nc2,s1,commercial\n"
COMPOUNDS = "compound,community,households\nk1,c1,100\nk2,c2,\nk3,c2,250\n"


@pytest.fixture
def district(tmp_path) -> Path:
    folder = tmp_path / "district"
    folder.mkdir()
    (folder / "communities.csv").write_text(COMMUNITIES, encoding="utf-8")
    (folder / "compounds.csv").write_text(COMPOUNDS, encoding="utf-8")
    return folder


def test_a_world_table_reads_the_folder_relative_to_the_scenario(tmp_path, district):
    (tmp_path / "mine.toml").write_text('[world]\nfolder = "district"\n', encoding="utf-8")
    s = load_scenario(tmp_path / "mine.toml")
    assert s.world == district.resolve()
    assert s.district.compound_id.tolist() == ["k1", "k2", "k3"]


def test_a_scenario_inherits_the_world_of_the_one_it_extends(tmp_path, district):
    (tmp_path / "base.toml").write_text('[world]\nfolder = "district"\n', encoding="utf-8")
    (tmp_path / "child.toml").write_text(
        'extends = "base"\n[burden]\nresponsibility_list = true\n', encoding="utf-8"
    )
    assert load_scenario(tmp_path / "child.toml").world == district.resolve()


def test_with_world_replaces_the_scenarios_world(tmp_path, district):
    s = load_scenario("baseline").with_world(district)
    assert s.world == district.resolve() and s.district.n_streets == 1


def test_parquet_tables_are_read_like_csv(tmp_path, district):
    folder = tmp_path / "pq"
    folder.mkdir()
    for name in ("communities", "compounds"):
        pd.read_csv(district / f"{name}.csv", dtype=str, keep_default_na=False).to_parquet(
            folder / f"{name}.parquet"
        )
    assert load_district(folder).fingerprint() == load_district(district).fingerprint()


@pytest.mark.parametrize(
    "text, words",
    [
        ('world = "district"\n', "world must be a table"),
        ('[world]\nfolder = "district"\nformat = "csv"\n', "unknown key 'format'"),
        ("[world]\n", "folder = None must be the path of a folder"),
        ('[world]\nfolder = "nowhere"\n', "nowhere: no such folder"),
    ],
)
def test_bad_world_tables_are_named(tmp_path, district, text, words):
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=words):
        load_scenario(tmp_path / "bad.toml")


def test_a_bad_cell_names_the_file_row_and_column(tmp_path, district):
    (district / "compounds.csv").write_text(COMPOUNDS.replace("250", "-3"), encoding="utf-8")
    with pytest.raises(
        ScenarioError,
        match=r"compounds\.csv: row 3, column households = '-3'"
        r": must be a whole number in \[1, 100000\]",
    ):
        load_district(district)


def test_two_files_of_one_table_or_an_unreadable_file_are_refused(tmp_path, district):
    (district / "compounds.parquet").write_bytes(b"not parquet")
    with pytest.raises(ScenarioError, match="both compounds.csv and compounds.parquet"):
        load_district(district)
    (district / "compounds.csv").unlink()
    with pytest.raises(ScenarioError, match=r"compounds\.parquet: cannot read the table"):
        load_district(district)
