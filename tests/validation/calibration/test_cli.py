"""`python -m sim.validation.calibration`: one command calibrates, checks and reports;
a second call resumes from the stored runs and gives the same posterior; the held-out episode
runs only in the checks, never in a wave; targets out of the model's reach end the
calibration with a report and a diagnosis saying so; bad input is a clear message and exit
code 2. The tests do not depend on what the model makes of the targets: they widen or move
the targets' ranges, and run on a small world."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from sim.validation.calibration import cli
from sim.validation.calibration.cli import DOC_BEGIN, DOC_END, main
from sim.validation.calibration.targets import TARGETS
from tests.conftest import SMALL

TINY = [
    "--waves",
    "1",
    "--points",
    "8",
    "--seeds",
    "2",
    "--steps",
    "12",
    "--candidates",
    "500",
    "--draws",
    "40",
    "--burn",
    "200",
    "--check-draws",
    "2",
    "--world-draws",
    "1",
    "--workers",
    "1",
    "--quiet",
]


@pytest.fixture(autouse=True)
def small_world(monkeypatch):
    """The waves and checks run on the tests' small world instead of the reduced district,
    and the world-size check compares it with a world of two such streets."""
    monkeypatch.setattr(cli, "REDUCED_WORLD", SMALL)
    monkeypatch.setattr(cli, "DEFAULT_WORLD", {**SMALL, "n_streets": 2})


@pytest.fixture
def wide_targets(monkeypatch):
    """The targets with ranges every run meets (so the machinery, not the model, is tested)."""
    monkeypatch.setattr(
        cli, "TARGETS", tuple(dataclasses.replace(t, low=-3.0, high=3.0) for t in cli.TARGETS)
    )


def test_one_command_writes_posterior_report_figures_and_doc_and_resumes(tmp_path, wide_targets):
    doc = tmp_path / "VALIDATION.md"
    doc.write_text(f"intro\n{DOC_BEGIN}\nTO BE REPLACED\n{DOC_END}\nrest\n", encoding="utf-8")
    out, results = tmp_path / "out", tmp_path / "results"
    args = ["--out", str(out), "--results", str(results), "--doc", str(doc), *TINY]
    assert main(args) == 0
    assert {p.name for p in out.iterdir()} == {
        "posterior.parquet",
        "calibration.md",
        "calibration_posterior.png",
        "calibration_checks.png",
    }
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert len(posterior) == 40 and "oc_attempt_rate" in posterior
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("intro\n") and text.endswith("rest\n")
    assert "TO BE REPLACED" not in text
    assert "### Posterior predictive check" in text and "### World-size check" in text
    assert "### Held-out episode (out of sample)" in text and "### Diagnosis" in text
    summary = json.loads((results / "calibration.json").read_text())
    batches = 1 + len(cli.TARGETS) - len(TARGETS)  # the baseline and each fitted episode
    assert summary["runs"] == (8 * 2 + 2 * 2 + 1 * 2) * batches + 2 * 2
    # the held-out episode (one reform, two outcomes: one set of runs) only in the check
    stores = {p.name for p in results.iterdir() if p.is_dir()}
    assert {s for s in stores if "beijing_drive" in s} == {"check-beijing_drive_coverage"}

    assert main(args) == 0  # resumes: every run is stored, the result is the same
    sessions = json.loads((results / "wave-1" / "sessions.json").read_text())
    assert [s["ran"] for s in sessions] == [16, 0]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "posterior.parquet"), posterior)


def test_an_interrupted_calibration_resumes_where_it_stopped(tmp_path, wide_targets, monkeypatch):
    """Interrupted after the first wave's baseline runs are stored, the same command runs
    only what is missing and gives the posterior of an uninterrupted calibration."""
    from sim.validation.calibration import runs as runs_module

    out, results = tmp_path / "out", tmp_path / "results"
    tiny = [*TINY, "--world-draws", "0"]
    args = ["--out", str(out), "--results", str(results), *tiny]
    real = runs_module.SweepSimulator._batch
    calls = []

    def interrupted(self, label, *rest, **kw):
        calls.append(label)
        if len(calls) == 2:  # the first episode of wave 1
            raise KeyboardInterrupt
        return real(self, label, *rest, **kw)

    monkeypatch.setattr(runs_module.SweepSimulator, "_batch", interrupted)
    assert main(args) == 130
    monkeypatch.setattr(runs_module.SweepSimulator, "_batch", real)
    assert main(args) == 0
    sessions = json.loads((results / "wave-1" / "sessions.json").read_text())
    assert [s["ran"] for s in sessions] == [16, 0]  # the stored wave is not run again
    again = tmp_path / "again"
    assert main(["--out", str(again), "--results", str(tmp_path / "fresh"), *tiny]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "posterior.parquet"), pd.read_parquet(again / "posterior.parquet")
    )


def test_a_target_out_of_reach_can_be_left_out_and_the_report_names_it(tmp_path, monkeypatch):
    """One target no parameter set can meet stops the calibration; left out with
    --without, the others calibrate and the report says which was left out."""
    reachable = tuple(dataclasses.replace(t, low=-3.0, high=3.0) for t in TARGETS[1:])
    monkeypatch.setattr(
        cli, "TARGETS", (dataclasses.replace(TARGETS[0], low=5.0, high=6.0), *reachable)
    )
    out = tmp_path / "out"
    results = ["--results", str(tmp_path / "r")]
    assert main(["--out", str(out), *results, *TINY]) == 1
    assert main(["--out", str(out), *results, "--without", TARGETS[0].name, *TINY]) == 0
    report = (out / "calibration.md").read_text(encoding="utf-8")
    assert f"**Targets left out** (`--without`): `{TARGETS[0].name}`" in report
    assert f"`{TARGETS[0].name}` |" not in report.split("### Waves")[0]


def test_the_held_out_episode_cannot_be_left_out_for_it_is_never_in(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--out", str(tmp_path), "--without", "episode_beijing_drive_coverage"])
    assert exit_.value.code == 2
    assert "held out of the calibration, never a target" in capsys.readouterr().err


def test_runs_too_short_for_an_election_round_are_exit_code_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--out", str(tmp_path), "--steps", "11"])
    assert exit_.value.code == 2
    assert "--steps 11: the turnout targets read an election round" in capsys.readouterr().err


def test_leaving_out_an_unknown_target_is_exit_code_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--out", str(tmp_path), "--without", "no_such_target"])
    assert exit_.value.code == 2
    assert "--without no_such_target: not a target" in capsys.readouterr().err


def test_targets_out_of_reach_end_with_a_report_that_says_so_and_exit_code_1(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(
        cli, "TARGETS", tuple(dataclasses.replace(t, low=5.0, high=6.0) for t in TARGETS)
    )
    out = tmp_path / "out"
    assert main(["--out", str(out), "--results", str(tmp_path / "r"), *TINY]) == 1
    assert "calibration incomplete: after wave 1 no parameter set" in capsys.readouterr().err
    report = (out / "calibration.md").read_text(encoding="utf-8")
    assert "**The calibration stopped" in report and "### Waves" in report
    assert "### Diagnosis" in report and "| **no** |" in report.split("### Diagnosis")[1]
    assert not (out / "posterior.parquet").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--doc", "missing.md"], "--doc missing.md: no such file"),
        (["--seeds", "1"], "--seeds must be at least 2"),
        (["--world-draws", "5", "--check-draws", "2"], "--world-draws 5: must be between 0"),
        (["--waves", "0"], "argument --waves: 0 must be a positive integer"),
    ],
)
def test_bad_arguments_exit_with_code_2_and_say_why(tmp_path, capsys, extra, message):
    with pytest.raises(SystemExit) as exit_:
        main(["--out", str(tmp_path), *extra])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unreachable_scheduler_is_one_line_and_exit_code_2(tmp_path, capsys, monkeypatch):
    import sim.experiments.evaluators as evaluators

    monkeypatch.setattr(
        evaluators,
        "make_evaluator",  # give up after 1 s, not 30
        lambda workers, scheduler: evaluators.DaskEvaluator(address=scheduler, connect_timeout=1.0),
    )
    code = main(
        [
            "--out",
            str(tmp_path),
            "--results",
            str(tmp_path / "r"),
            "--scheduler",
            "tcp://127.0.0.1:1",
            *TINY[:-3],
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --scheduler tcp://127.0.0.1:1") and err.count("\n") == 1
