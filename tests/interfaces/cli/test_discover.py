"""`python -m sim discover`: under which conditions, from a finished sweep's runs; bad input
is one line and exit code 2, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import sim.runs.runner
from sim.interfaces.cli.discover import slug
from sim.interfaces.cli.main import main
from tests.experiments.test_across_draws import EXPERIMENT, stand_in
from tests.helpers import read_only


def run_sweep(folder: Path, body: str, run=stand_in) -> Path:
    path = folder / "exp.toml"
    path.write_text(body, encoding="utf-8")
    out = folder / "results"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim.runs.runner, "run", run)
        main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
    return out


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    return run_sweep(tmp_path_factory.mktemp("discover"), EXPERIMENT)


def test_discover_prints_the_box_and_writes_report_figure_and_cases(results, capsys):
    assert (
        main(["discover", str(results), "--outcome", "satisfaction_mean", "--where", "effect < 0"])
        == 0
    )
    out = capsys.readouterr().out
    assert "PRIM box: `overload_penalty` ≥" in out and "coverage" in out and "density" in out
    folder = results / "discovery" / "satisfaction_mean-high-effect-lt-0"
    assert {p.name for p in folder.iterdir()} == {"discovery.md", "discovery.png", "cases.parquet"}
    cases = pd.read_parquet(folder / "cases.parquet")
    assert len(cases) == 60
    assert {
        "overload_penalty",
        "waste_rate",
        "effect",
        "value",
        "reference",
        "holds",
        "in_box",
    } <= set(cases.columns)
    assert cases["holds"].tolist() == (cases["effect"] < 0).tolist()


def test_a_step_of_the_trajectory_can_be_chosen(results, tmp_path, capsys):
    assert (
        main(
            [
                "discover",
                str(results),
                "--outcome",
                "satisfaction_mean",
                "--where",
                "effect < 0",
                "--box",
                "0",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert "anywhere (no restriction) (coverage 1.00" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--outcome", "satisfaction", "--where", "effect < 0"],
            "--outcome 'satisfaction': not an outcome of exp; "
            "allowed: satisfaction_mean, needs_met",
        ),
        (["--outcome", "satisfaction_mean", "--where", "effect <"], "not an expression"),
        (["--outcome", "satisfaction_mean", "--where", "gain < 0"], "unknown name 'gain'"),
        (["--outcome", "satisfaction_mean", "--where", "effect"], "does not say yes or no"),
        (
            ["--outcome", "satisfaction_mean", "--where", "effect < 0", "--arm", "low"],
            "--arm 'low': not an arm compared with the reference 'low'; allowed: high",
        ),
        (
            ["--outcome", "satisfaction_mean", "--where", "effect < 0", "--box", "9999"],
            "--box 9999: the trajectory has steps",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(results, capsys, args, message):
    assert main(["discover", str(results), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_a_folder_that_is_not_a_sweep_or_holds_no_runs_is_refused(tmp_path, capsys):
    assert (
        main(["discover", str(tmp_path / "none"), "--outcome", "x", "--where", "effect < 0"]) == 2
    )
    assert "no such results folder" in capsys.readouterr().err

    def failing(*args, **kwargs):
        raise RuntimeError("no model today")

    empty = run_sweep(tmp_path, EXPERIMENT, run=failing)
    assert (
        main(["discover", str(empty), "--outcome", "satisfaction_mean", "--where", "effect < 0"])
        == 2
    )
    assert "holds no finished runs" in capsys.readouterr().err


def test_a_sampled_design_is_discovered_over_its_points(tmp_path, capsys):
    body = """
steps = 3
replicates = 2
outcomes = ["satisfaction_mean"]
[design]
kind = "lhs"
n = 80
[factors]
overload_penalty = [0.5, 2.5]
waste_rate = [0.0, 0.3]
[fixed]
n_streets = 1
xa_one_shoulder = 1.0
"""
    out = run_sweep(tmp_path, body)
    assert (
        main(
            [
                "discover",
                str(out),
                "--outcome",
                "satisfaction_mean",
                "--where",
                "value < 0",
                "--out",
                str(tmp_path / "d"),
            ]
        )
        == 0
    )
    assert "design points" in capsys.readouterr().out
    assert (
        main(["discover", str(out), "--outcome", "satisfaction_mean", "--where", "effect < 0"]) == 2
    )
    assert "unknown name 'effect'; allowed: value" in capsys.readouterr().err


def test_a_grid_without_draws_has_no_cases(tmp_path, capsys):
    body = """
steps = 3
replicates = 2
outcomes = ["satisfaction_mean"]
[design]
kind = "grid"
[factors]
devolution_share = [0.1, 0.6]
[fixed]
n_streets = 1
overload_penalty = 1.0
"""
    out = run_sweep(tmp_path, body)
    assert (
        main(["discover", str(out), "--outcome", "satisfaction_mean", "--where", "value < 0"]) == 2
    )
    assert "has no cases to discover conditions in" in capsys.readouterr().err


def test_conditions_become_readable_folder_names():
    assert slug("effect < 0") == "effect-lt-0"
    assert (
        slug("effect <= -0.01 and reference > 0.5") == "effect-le-minus-0.01-and-reference-gt-0.5"
    )


def no_discovery(*args, **kwargs):
    raise AssertionError("a discovery was computed although its output was refused")


@pytest.mark.parametrize(
    "out, needles",
    [
        ("{dir}/file/x", ["--out", "cannot create the folder", "file is a file"]),
        ("{dir}/" + "x" * 5000, ["--out", "File name too long"]),
    ],
)
def test_an_output_that_cannot_be_written_exits_2_before_the_discovery(
    results, tmp_path, capsys, monkeypatch, out, needles
):
    monkeypatch.setattr("sim.experiments.analysis.conditions.answer", no_discovery)
    (tmp_path / "file").write_text("x")
    out = out.replace("{dir}", str(tmp_path))
    args = ["--outcome", "satisfaction_mean", "--where", "effect < 0", "--out", out]
    assert main(["discover", str(results), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and len(err) < 300
    assert all(n in err for n in needles), err


def test_a_read_only_results_folder_exits_2_before_the_discovery(
    results, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr("sim.experiments.analysis.conditions.answer", no_discovery)
    copy = tmp_path / "res"
    shutil.copytree(results, copy, ignore=shutil.ignore_patterns("discovery"))
    with read_only(copy):
        args = ["--outcome", "satisfaction_mean", "--where", "effect < 0"]
        assert main(["discover", str(copy), *args]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "discovery" in err and "cannot create the folder" in err


@pytest.mark.parametrize("damage", ["folder", "columns"])
def test_a_damaged_part_file_is_named_not_read_as_no_runs(results, tmp_path, capsys, damage):
    copy = tmp_path / "res"
    shutil.copytree(results, copy, ignore=shutil.ignore_patterns("discovery"))
    part = sorted((copy / "runs").glob("part-*.parquet"))[0]
    if damage == "folder":
        part.unlink()
        part.mkdir()
    else:
        pd.read_parquet(part).drop(columns=["status"]).to_parquet(part)
    args = ["--outcome", "satisfaction_mean", "--where", "effect < 0"]
    assert main(["discover", str(copy), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {part}: ") and "re-run the sweep" in err


def test_a_long_condition_makes_a_folder_name_the_file_system_takes(results, tmp_path):
    where = " or ".join(f"effect < {-i / 1000}" for i in range(40))
    out = results / "discovery" / f"satisfaction_mean-high-{slug(where)}"
    assert len(where) > 600 and len(out.name) < 128  # a file name may have 255 bytes
    args = ["--outcome", "satisfaction_mean", "--where", where]
    assert main(["discover", str(results), *args]) == 0
    assert (out / "discovery.md").is_file()
