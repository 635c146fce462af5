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
