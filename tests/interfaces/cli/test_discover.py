"""`python -m sim discover`: under which conditions, from a finished sweep's runs; bad input
is one line and exit code 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim.runs.runner
from sim.interfaces.cli.discover import slug
from sim.interfaces.cli.main import main
from tests.experiments.test_across_draws import EXPERIMENT, stand_in


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
