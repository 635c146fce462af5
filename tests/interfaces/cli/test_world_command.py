"""`python -m sim world` and `run --world`: a district written as tables, edited, run; a
timeline and a world that the run folder reproduces; bad tables stop with exit 2 naming the
file, row and column."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.core.scenario import load_scenario
from sim.interfaces.cli.main import main
from tests.helpers import read_only
from tests.interfaces.cli.test_cli import assert_clean_error

SMALL = [
    "--set",
    "n_streets=2",
    "--set",
    "communities_per_street=3",
    "--set",
    "compounds_per_community=3",
    "--set",
    "households_per_compound=40",
]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world") / "district"
    assert main(["world", "baseline", "--seed", "4", "--out", str(folder), *SMALL]) == 0
    return folder


def run_folder(tmp_path, name, *extra):
    out = tmp_path / name
    assert (
        main(
            [
                "run",
                "baseline",
                "--seed",
                "4",
                "--steps",
                "5",
                "--out",
                str(out),
                "--no-figures",
                "--quiet",
                *SMALL,
                *extra,
            ]
        )
        == 0
    )
    return out


def test_world_writes_the_three_tables_with_every_column(written):
    compounds = pd.read_csv(written / "compounds.csv")
    assert {
        "compound_type",
        "households",
        "build_year",
        "management",
        "fee",
        "has_oc",
        "has_branch",
        "owner_share",
    } <= set(compounds.columns)
    communities = pd.read_csv(written / "communities.csv")
    assert len(pd.read_csv(written / "streets.csv")) == 2
    assert set(compounds["community"]) == set(communities["community"])


def test_a_run_from_the_written_tables_equals_the_run_that_drew_them(tmp_path, written):
    drawn = run_folder(tmp_path, "drawn")
    read = run_folder(tmp_path, "read", "--world", str(written))
    for table in ("series", "communities", "compounds"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(drawn / f"{table}.parquet"), pd.read_parquet(read / f"{table}.parquet")
        )
    record = json.loads((read / "run.json").read_text())
    assert record["world_from"] == "command line"
    assert (read / "world" / "compounds.csv").is_file()


def test_the_run_folder_reproduces_a_run_with_a_world_and_a_timeline(tmp_path, written):
    scenario = tmp_path / "timed.toml"
    scenario.write_text(
        f'[world]\nfolder = "{written}"\n\n[[policy]]\nmonth = 3\n'
        "streets = [1]\n[policy.set]\ndevolution_share = 0.9\n",
        encoding="utf-8",
    )
    first = tmp_path / "first"
    assert (
        main(["run", str(scenario), "--steps", "5", "--out", str(first), "--quiet", "--no-figures"])
        == 0
    )
    loaded = load_scenario(first / "params.toml")
    assert loaded.world == (first / "world").resolve()
    assert [c.to_dict() for c in loaded.timeline.changes] == [
        {"month": 3, "set": {"devolution_share": 0.9}, "streets": [1]}
    ]
    again = tmp_path / "again"
    assert (
        main(["run", str(first / "params.toml"), "--out", str(again), "--quiet", "--no-figures"])
        == 0
    )
    for table in ("series", "compounds"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(first / f"{table}.parquet"), pd.read_parquet(again / f"{table}.parquet")
        )


def test_some_columns_only_leave_the_rest_to_be_drawn(tmp_path):
    out = tmp_path / "few"
    assert (
        main(["world", "baseline", "--out", str(out), "--columns", "compound_type,fee", *SMALL])
        == 0
    )
    assert list(pd.read_csv(out / "compounds.csv").columns) == [
        "compound",
        "community",
        "compound_type",
        "fee",
    ]


def test_a_bad_cell_exits_2_naming_the_file_row_column_and_value(tmp_path, written, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("streets", "communities"):
        (broken / f"{name}.csv").write_bytes((written / f"{name}.csv").read_bytes())
    compounds = pd.read_csv(written / "compounds.csv")
    compounds["management"] = compounds["management"].astype(object)
    compounds.loc[3, "management"] = "landlord"
    compounds.to_csv(broken / "compounds.csv", index=False)
    code = main(["run", "baseline", "--world", str(broken), "--out", str(tmp_path / "o")])
    assert_clean_error(
        capsys,
        code,
        "compounds.csv: row 4, column management = 'landlord'",
        "must be one of none, caretaking, self, work_unit, firm",
    )
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["world", "baseline"], "--out"),
        (
            ["world", "baseline", "--out", "X", "--columns", "colour"],
            "'colour' is not a compound column",
        ),
        (["run", "baseline", "--world", "no/such/folder"], "no such folder"),
        (["world", "baseline", "--out", "X", "--columns", ",,,"], "--columns ',,,': names no"),
        (["world", "baseline", "--out", "X", "--columns", " "], "names no column"),
        (["world", "baseline", "--out", "X/" + "x" * 5000], "File name too long"),
    ],
)
def test_bad_world_commands_exit_2(tmp_path, capsys, args, needle):
    args = [a.replace("X", str(tmp_path / "x"), 1) if a.startswith("X") else a for a in args]
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2 and needle in captured.err and "Traceback" not in captured.err


def test_world_into_a_read_only_folder_exits_2_before_building(tmp_path, capsys, monkeypatch):
    def must_not_build(*args, **kwargs):
        raise AssertionError("the world was built although its folder was refused")

    monkeypatch.setattr("sim.interfaces.cli.world.GovernanceModel", must_not_build)
    (tmp_path / "ro").mkdir()
    with read_only(tmp_path / "ro") as ro:
        code = main(["world", "baseline", "--out", str(ro / "district"), *SMALL])
        assert_clean_error(capsys, code, "--out", "cannot create the folder")
        code = main(["world", "baseline", "--out", str(ro), *SMALL])
        assert_clean_error(capsys, code, "--out", "cannot write in this folder")


# --- a district from public listings ---------------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]
LISTINGS = ROOT / "tests" / "runs" / "data" / "chengdu_listings_excerpt.json"


def test_world_from_listings_writes_the_tables_and_the_report(tmp_path, capsys):
    out = tmp_path / "wuhou"
    code = main(
        [
            "world",
            "--from-listings",
            str(LISTINGS),
            "--district",
            "武侯",
            "--streets",
            "3",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "30 compounds" in captured.err and "records not used: 2" in captured.err
    report = (out / "listings_report.txt").read_text(encoding="utf-8")
    assert report.splitlines()[0].startswith("listings: chengdu_listings_excerpt.json")
    assert str(tmp_path) not in report  # only the file's name: the report is reproducible
    assert len(pd.read_csv(out / "streets.csv")) == 3
    run = tmp_path / "run"
    args = ["run", "baseline", "--world", str(out), "--steps", "2", "--out", str(run)]
    assert main([*args, "--no-figures", "--quiet"]) == 0
    compounds = pd.read_parquet(run / "compounds.parquet")
    assert compounds["longitude"].notna().all() and compounds["latitude"].between(30, 31).all()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--district", "武侯"], "--district belongs to --from-listings"),
        (["--from-listings", "LISTINGS"], "--from-listings needs --district NAME"),
        (["baseline", "--from-listings", "LISTINGS", "--district", "武侯"], "takes no scenario"),
        (
            ["--from-listings", "LISTINGS", "--district", "锦江"],
            "no listing lies in district '锦江'",
        ),
        (["--from-listings", "nowhere.json", "--district", "武侯"], "nowhere.json: no such file"),
        (
            ["--from-listings", "LISTINGS", "--district", "武侯", "--streets", "40"],
            "--streets = 40: must be between 1 and the 21 business areas",
        ),
        ([], "give a scenario (or --from-listings FILE --district NAME)"),
    ],
)
def test_bad_listings_requests_are_one_line_exit_2_and_write_nothing(tmp_path, capsys, args, words):
    args = [str(LISTINGS) if a == "LISTINGS" else a for a in args]
    out = tmp_path / "out"
    code = main(["world", *args, "--out", str(out)])
    assert_clean_error(capsys, code, words)
    assert not out.exists()
