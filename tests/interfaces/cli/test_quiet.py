"""-q/--quiet is the same on every command: only the result is printed (a folder, a path, a
list of names), nothing on stderr when all goes well."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sim.interfaces.cli.main import COMMANDS, main

AVAILABLE = [c for c in COMMANDS if importlib.util.find_spec(f"sim.interfaces.cli.{c}") is not None]

TINY = """description = "tiny test world"
steps = 3

[structure]
n_streets = 1
communities_per_street = 2
compounds_per_community = 2
households_per_compound = 30
"""
EXPERIMENT = """description = "tiny"
scenario = "{scenario}"
steps = 3
replicates = 2
outcomes = ["needs_met"]

[design]
kind = "arms"

[arms.low]
devolution_share = 0.1

[arms.high]
devolution_share = 0.6
"""


@pytest.mark.parametrize("command", AVAILABLE)
def test_every_command_takes_q_and_quiet(command, capsys):
    assert main([command, "--help"]) == 0
    help_text = capsys.readouterr().out
    assert "-q, --quiet" in help_text


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_run_quiet_prints_the_run_folder_and_nothing_else(tiny, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(tiny), "--out", str(out), "--no-figures", "-q"]) == 0
    printed = capsys.readouterr()
    assert printed.out == f"{out}\n" and printed.err == ""


def test_world_quiet_prints_the_tables_written(tiny, tmp_path, capsys):
    out = tmp_path / "world"
    assert main(["world", str(tiny), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr()
    assert printed.err == ""
    assert all(Path(line).is_file() for line in printed.out.splitlines())


def test_scenarios_quiet_prints_names_one_a_line(tiny, capsys):
    assert main(["scenarios", "--dir", str(tiny.parent), "-q"]) == 0
    assert capsys.readouterr().out == "tiny\n"


def test_sweep_and_report_quiet_print_only_their_folder_and_report(tiny, tmp_path, capsys):
    exp = tmp_path / "exp.toml"
    exp.write_text(EXPERIMENT.format(scenario=tiny.as_posix()), encoding="utf-8")
    out = tmp_path / "results"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "1", "-q"]) == 0
    printed = capsys.readouterr()
    assert printed.out == f"{out}\n" and printed.err == ""
    assert main(["report", str(out), "-q", "--format", "png"]) == 0
    printed = capsys.readouterr()
    assert printed.out == f"{out / 'report' / 'report.md'}\n" and printed.err == ""
