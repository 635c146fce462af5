"""The shipped example district: labelled synthetic, regenerated exactly by its documented
command, and runnable in one command with outputs that carry the types."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd

from sim.core.scenario import load_scenario
from sim.interfaces.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "districts" / "example"


def documented_command() -> list[str]:
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(python -m sim world [^`]*?)\n```", text).group(1)
    return shlex.split(block.replace("\\\n", " "))[3:]  # after `python -m sim`


def test_the_example_is_labelled_synthetic():
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in text.splitlines()[0].lower() and "not a real place" in text
    assert "synthetic" in load_scenario("example_district").description


def test_the_documented_command_writes_exactly_the_shipped_tables(tmp_path):
    args = documented_command()
    args[args.index("--out") + 1] = str(tmp_path / "again")
    assert main(args) == 0
    for name in ("streets", "communities", "compounds"):
        assert (tmp_path / "again" / f"{name}.csv").read_bytes() == (
            EXAMPLE / f"{name}.csv"
        ).read_bytes(), name


def test_the_example_runs_in_one_command_and_its_outputs_carry_types(tmp_path):
    out = tmp_path / "run"
    assert (
        main(
            [
                "run",
                "example_district",
                "--steps",
                "2",
                "--out",
                str(out),
                "--no-figures",
                "--quiet",
            ]
        )
        == 0
    )
    compounds = pd.read_parquet(out / "compounds.parquet")
    given = pd.read_csv(EXAMPLE / "compounds.csv")
    first = compounds[compounds["step"] == 1].reset_index(drop=True)
    assert first["compound_type"].tolist() == given["compound_type"].tolist()
    assert first["build_year"].tolist() == given["build_year"].tolist()
    assert set(pd.read_parquet(out / "communities.parquet")["community_type"]) == set(
        pd.read_csv(EXAMPLE / "communities.csv")["community_type"]
    )
    by_type = pd.read_parquet(out / "by_type.parquet")
    assert set(by_type.loc[by_type["level"] == "compound", "type"]) == set(given["compound_type"])


# --- the real district: Wuhou, Chengdu, from public listings ---------------------------------

WUHOU = ROOT / "districts" / "chengdu_wuhou"
LISTINGS_COMMIT = "83af513fa30de979c0e2d8c54af0c663526b711c"


def wuhou_command() -> list[str]:
    text = (WUHOU / "README.md").read_text(encoding="utf-8")
    line = re.search(r"^python -m sim world --from-listings .*--out DIR$", text, re.M).group(0)
    return shlex.split(line)[3:]  # after `python -m sim`


def test_wuhou_names_its_source_date_coverage_and_what_is_derived():
    text = " ".join((WUHOU / "README.md").read_text(encoding="utf-8").split())
    for words in (
        "anyuhanfei/community_dict",
        "data/链家/成都小区.json",
        LISTINGS_COMMIT,
        "14 September 2020",
        "not a census",
        "1,206,568 residents",
        "observed or derived",
        "**not** the district's real street offices",
    ):
        assert words in text, words
    assert "from public listings" in load_scenario("chengdu_wuhou").description


def test_wuhou_tables_agree_with_their_readme_and_report():
    d = load_scenario("chengdu_wuhou").district
    compounds = pd.read_csv(WUHOU / "compounds.csv", dtype={"compound": str})
    households = int(compounds["households"].sum())
    assert (len(d.street_id), len(d.community_id), len(d.compound_id)) == (11, 43, 373)
    assert households == 293_195
    report = (WUHOU / "listings_report.txt").read_text(encoding="utf-8")
    assert "11 streets, 43 communities, 373 compounds, 293,195 households" in report
    assert compounds["longitude"].notna().all()  # every Wuhou listing has coordinates


def test_wuhou_documented_command_makes_these_tables_from_the_listings(tmp_path):
    """The documented command, on the excerpt of the listings the tests carry: accepted
    as written, and each excerpt compound comes out as it is in the shipped tables."""
    args = wuhou_command()
    args[args.index("--from-listings") + 1] = str(
        ROOT / "tests" / "runs" / "data" / "chengdu_listings_excerpt.json"
    )
    args[args.index("--out") + 1] = str(tmp_path / "again")
    assert main(args) == 0
    again = pd.read_csv(tmp_path / "again" / "compounds.csv", dtype={"compound": str})
    shipped = pd.read_csv(WUHOU / "compounds.csv", dtype={"compound": str})
    shipped = shipped.set_index("compound").loc[again["compound"]].reset_index()
    columns = ["compound", "compound_type", "households", "build_year", "management", "fee"]
    pd.testing.assert_frame_equal(again[columns], shipped[columns])


def test_wuhou_runs_end_to_end_and_its_compounds_carry_their_coordinates(tmp_path):
    out = tmp_path / "run"
    args = ["run", "chengdu_wuhou", "--steps", "2", "--out", str(out)]
    assert main([*args, "--no-figures", "--quiet"]) == 0
    compounds = pd.read_parquet(out / "compounds.parquet")
    given = pd.read_csv(WUHOU / "compounds.csv", dtype={"compound": str})
    world = pd.read_csv(out / "world" / "compounds.csv", dtype={"compound": str})
    first = compounds[compounds["step"] == 1].reset_index(drop=True)
    assert len(first) == 373
    placed = given.set_index("compound").loc[world["compound"]]
    assert first["longitude"].tolist() == placed["longitude"].tolist()
    assert first["build_year"].tolist() == placed["build_year"].tolist()
