"""The command line (`python -m sim ...`): what a researcher types and what they get back.

Runs use a tiny world so the whole file takes seconds; one real subprocess proves the
module entry point works and reproduces the in-process tables.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from sim.core.metrics import COMMUNITY_COLUMNS, COMPOUND_COLUMNS, OUTCOMES
from sim.core.params import GROUPS, PARAMS, defaults, validate
from sim.core.scenario import load_scenario
from sim.interfaces.cli.main import main
from tests.helpers import read_only, tiny_experiment

REPO = Path(__file__).resolve().parents[3]
STEPS = 6
TINY = """description = "tiny test world"

[structure]
n_streets = 2
communities_per_street = 3
compounds_per_community = 3
households_per_compound = 40
"""
FIGURES = {
    "overview",
    "satisfaction",
    "needs_met",
    "disputes",
    "budget",
    "owners_committees",
    "trust",
    "participation",
    "community_satisfaction",
    "by_type",
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


def run_args(scenario: Path, out: Path, *extra: str) -> list[str]:
    return ["run", str(scenario), "--seed", "5", "--steps", str(STEPS), "--out", str(out), *extra]


@pytest.fixture(scope="module")
def first_run(tiny, tmp_path_factory):
    """One in-process run with CSV output; (folder, stdout, stderr, exit code).
    (capsys is per test, so this module-wide run captures its output by hand.)"""
    out = tmp_path_factory.mktemp("runs") / "first"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(run_args(tiny, out, "--csv"))
    return out, stdout.getvalue(), stderr.getvalue(), code


def tables(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        pd.read_parquet(folder / "series.parquet"),
        pd.read_parquet(folder / "communities.parquet"),
    )


# --- run: the run folder ---------------------------------------------------------------------


def test_run_writes_a_complete_run_folder(first_run, tiny):
    out, stdout, _, code = first_run
    assert code == 0
    expected = {
        f"{t}.{ext}"
        for t in ("series", "communities", "compounds", "by_type")
        for ext in ("parquet", "csv")
    } | {"summary.json", "params.toml", "run.json"}
    assert expected <= {p.name for p in out.iterdir()}
    assert {p.stem for p in (out / "figures").glob("*.png")} == {"overview"}  # the default
    for png in (out / "figures").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in out.rglob("*") if p.name.endswith(".partial")]

    record = json.loads((out / "run.json").read_text())
    series, communities = tables(out)
    assert list(series.columns) == ["step", *OUTCOMES]
    assert series["step"].tolist() == list(range(1, STEPS + 1))
    n = record["world"]["communities"]
    assert n >= 2
    assert len(communities) == STEPS * n
    assert set(COMMUNITY_COLUMNS) <= set(communities.columns)
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "series.csv"), series, check_dtype=False, rtol=1e-12
    )
    assert len(pd.read_csv(out / "communities.csv")) == STEPS * n
    compounds = pd.read_parquet(out / "compounds.parquet")
    assert list(compounds.columns) == ["step", "compound", *COMPOUND_COLUMNS]
    assert len(compounds) == STEPS * record["world"]["compounds"]

    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == {f"{k}_{o}" for o in OUTCOMES for k in ("final", "mean")}
    assert summary["final_satisfaction_mean"] == pytest.approx(series["satisfaction_mean"].iloc[-1])


def test_figures_all_draws_every_figure_and_none_draws_none(tiny, tmp_path):
    assert main(run_args(tiny, tmp_path / "all", "--figures", "all", "-q")) == 0
    assert {p.stem for p in (tmp_path / "all" / "figures").glob("*.png")} == FIGURES
    assert main(run_args(tiny, tmp_path / "none", "--figures", "none", "-q")) == 0
    assert not (tmp_path / "none" / "figures").exists()


def test_run_json_records_seed_steps_provenance_and_versions(first_run, tiny):
    import mesa

    import sim

    record = json.loads((first_run[0] / "run.json").read_text())
    assert record["seed"] == 5 and record["seed_from"] == "command line"
    assert record["steps"] == STEPS
    assert record["scenario"] == "tiny" and record["files"] == [str(tiny.resolve())]
    assert record["versions"]["sim"] == sim.__version__
    assert record["versions"]["mesa"] == mesa.__version__
    assert record["versions"]["python"].startswith(f"{sys.version_info[0]}.")
    assert {"numpy", "platform", "started", "elapsed_seconds"} <= set(record) | set(
        record["versions"]
    )
    assert record["world"]["residents"] > 0
    lock = REPO / "requirements.lock"
    assert record["lock"] == hashlib.sha256(lock.read_bytes()).hexdigest()
    assert isinstance(record["environment_from_lock"], bool)


def test_params_toml_reloads_to_the_same_parameters_seed_and_steps(first_run, tiny):
    loaded = load_scenario(first_run[0] / "params.toml")
    assert loaded.params == load_scenario(tiny).params
    assert (loaded.seed, loaded.steps) == (5, STEPS)
    assert "tiny.toml" in (first_run[0] / "params.toml").read_text().split("\n\n")[0]


def test_run_prints_where_it_wrote_and_the_key_outcomes(first_run):
    out, stdout, stderr, _ = first_run
    assert str(out) in stdout
    for name in (
        "satisfaction_mean",
        "needs_met_vulnerable",
        "participation_rate",
        "disputes_escalated",
        "fee_collection",
        "oc_functioning_share",
        "absorption_rate",
        "admin_burden_share",
    ):
        assert name in stdout
    assert f"{STEPS} months" in stderr  # the final line, even without a terminal


def test_same_scenario_and_seed_give_identical_tables_in_process_and_in_a_new_process(
    first_run, tiny, tmp_path
):
    assert main(run_args(tiny, tmp_path / "again", "--no-figures", "--quiet")) == 0
    proc = subprocess.run(
        [sys.executable, "-m", "sim", *run_args(tiny, tmp_path / "sub", "--no-figures", "-q")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(tmp_path / "sub")
    assert (tmp_path / "sub" / "run.json").is_file()

    reference = tables(first_run[0])
    for folder in (tmp_path / "again", tmp_path / "sub"):
        for got, want in zip(tables(folder), reference):
            pd.testing.assert_frame_equal(got, want)


def test_another_seed_gives_other_tables(first_run, tiny, tmp_path):
    args = run_args(tiny, tmp_path / "other", "--no-figures", "--quiet")
    args[args.index("--seed") + 1] = "6"
    assert main(args) == 0
    assert not tables(tmp_path / "other")[1].equals(tables(first_run[0])[1])


def test_seed_and_steps_come_from_the_scenario_when_not_given(tmp_path, capsys):
    scenario = tmp_path / "seeded.toml"
    scenario.write_text("seed = 11\nsteps = 3\n" + TINY)
    assert main(["run", str(scenario), "--out", str(tmp_path / "a"), "--no-figures"]) == 0
    record = json.loads((tmp_path / "a" / "run.json").read_text())
    assert (record["seed"], record["seed_from"]) == (11, "scenario")
    assert (record["steps"], record["steps_from"]) == (3, "scenario")
    assert len(pd.read_parquet(tmp_path / "a" / "series.parquet")) == 3


def test_steps_come_from_a_scenario_saved_with_a_byte_order_mark(tmp_path):
    scenario = tmp_path / "bom.toml"
    scenario.write_text("steps = 3\n" + TINY, encoding="utf-8-sig")
    assert main(["run", str(scenario), "--out", str(tmp_path / "a"), "--no-figures"]) == 0
    record = json.loads((tmp_path / "a" / "run.json").read_text())
    assert (record["steps"], record["steps_from"]) == (3, "scenario")


def test_seed_defaults_to_zero_and_the_folder_to_runs(tiny, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(tiny), "--steps", "2", "--no-figures", "--quiet"]) == 0
    (folder,) = (tmp_path / "runs").iterdir()
    assert folder.name.startswith("tiny-seed0-")
    assert capsys.readouterr().out.strip() == str(Path("runs") / folder.name)
    record = json.loads((folder / "run.json").read_text())
    assert (record["seed"], record["seed_from"]) == (0, "default")
    assert record["steps_from"] == "command line"


def test_steps_default_to_120(tiny, tmp_path, monkeypatch):
    seen = {}

    def fake_run(params, seed, steps, **kwargs):
        seen["steps"] = steps
        raise KeyboardInterrupt  # stop before the 120 months are spent

    monkeypatch.setattr("sim.interfaces.cli.run.run", fake_run)
    main(["run", str(tiny), "--out", str(tmp_path / "x")])
    assert seen["steps"] == 120


def test_set_overrides_a_parameter_and_is_recorded(tiny, tmp_path):
    out = tmp_path / "o"
    assert (
        main(
            [
                "run",
                str(tiny),
                "--steps",
                "2",
                "--out",
                str(out),
                "--no-figures",
                "-q",
                "--set",
                "devolution_share=0.8",
                "--set",
                "volunteer_platform=true",
            ]
        )
        == 0
    )
    params = load_scenario(out / "params.toml").params
    assert params["devolution_share"] == 0.8 and params["volunteer_platform"] is True
    record = json.loads((out / "run.json").read_text())
    assert record["overrides"] == {"devolution_share": 0.8, "volunteer_platform": True}
    assert (
        "--set devolution_share=0.8 --set volunteer_platform=true"
        in (out / "params.toml").read_text()
    )


def test_community_period_keeps_every_nth_month_and_the_last(tiny, tmp_path):
    out = tmp_path / "p"
    assert (
        main(
            [
                "run",
                str(tiny),
                "--steps",
                "7",
                "--out",
                str(out),
                "--no-figures",
                "-q",
                "--community-period",
                "3",
            ]
        )
        == 0
    )
    series, communities = tables(out)
    assert len(series) == 7
    assert sorted(communities["step"].unique()) == [3, 6, 7]


# --- bad input: exit code 2, one clear line, nothing written ---------------------------------


BAD_SCENARIOS = {
    "unknown parameter": ("devolution_shar = 0.5\n", ["devolution_shar", "devolution_share"]),
    "wrong type": ('devolution_share = "high"\n', ["devolution_share", "'high'", "[0, 1]"]),
    "out of range": ("devolution_share = 1.5\n", ["devolution_share", "1.5", "[0, 1]"]),
    "broken TOML": ("devolution_share = = 0.5\n", ["not valid TOML"]),
    "unknown table": ("[devolutions]\ndevolution_share = 0.5\n", ["[devolutions]"]),
}


def assert_clean_error(capsys, code: int, *needles: str) -> str:
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


@pytest.mark.parametrize("case", list(BAD_SCENARIOS))
def test_bad_scenario_file_exits_2_naming_file_key_and_allowed_values(case, tmp_path, capsys):
    text, needles = BAD_SCENARIOS[case]
    scenario = tmp_path / "bad.toml"
    scenario.write_text(text)
    code = main(["run", str(scenario), "--out", str(tmp_path / "out")])
    assert_clean_error(capsys, code, "bad.toml", *needles)
    assert not (tmp_path / "out").exists()


def test_missing_scenario_file_exits_2(tmp_path, capsys):
    code = main(["run", str(tmp_path / "nowhere.toml"), "--out", str(tmp_path / "out")])
    assert_clean_error(capsys, code, "nowhere.toml", "not found")


def test_extends_cycle_exits_2_naming_the_cycle(tmp_path, capsys):
    (tmp_path / "a.toml").write_text('extends = "b"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    code = main(["run", str(tmp_path / "a.toml"), "--out", str(tmp_path / "out")])
    assert_clean_error(capsys, code, "cycle", "a.toml -> b.toml -> a.toml")


@pytest.mark.parametrize(
    "override, needles",
    [
        ("no_such_key=1", ["--set", "no_such_key"]),
        ("devolution_share=lots", ["--set", "devolution_share", "'lots'", "[0, 1]"]),
        ("devolution_share=2", ["--set", "devolution_share", "2", "[0, 1]"]),
        ("devolution_share", ["--set", "key=value"]),
        ("devolution_share=0.3\nwaste_rate=0.4", ["--set", "line break", "one key=value"]),
    ],
)
def test_bad_set_exits_2(override, needles, tiny, tmp_path, capsys):
    code = main(["run", str(tiny), "--set", override, "--out", str(tmp_path / "out")])
    assert_clean_error(capsys, code, *needles)
    assert not (tmp_path / "out").exists()


def test_existing_non_empty_out_is_refused_before_running_and_left_untouched(
    tiny, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "results"
    out.mkdir()
    (out / "precious.csv").write_text("1,2,3\n")

    def must_not_run(*args, **kwargs):
        raise AssertionError("the model ran although the output folder was refused")

    monkeypatch.setattr("sim.interfaces.cli.run.run", must_not_run)
    code = main(["run", str(tiny), "--out", str(out)])
    assert_clean_error(capsys, code, str(out), "not empty")
    assert [p.name for p in out.iterdir()] == ["precious.csv"]


def test_out_that_cannot_be_created_is_refused_before_running(tiny, tmp_path, capsys):
    (tmp_path / "a_file").write_text("x")
    code = main(["run", str(tiny), "--out", str(tmp_path / "a_file" / "run")])
    assert_clean_error(capsys, code, "a_file", "cannot create the folder")


def must_not_run(*args, **kwargs):
    raise AssertionError("the model ran although the output folder was refused")


@pytest.mark.parametrize("name", ["", " "])
def test_an_empty_scenario_name_exits_2(name, capsys):
    assert_clean_error(capsys, main(["run", name]), "not a scenario; give a scenario file")


def test_out_too_long_a_name_or_read_only_is_refused_before_running(
    tiny, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr("sim.interfaces.cli.run.run", must_not_run)
    code = main(["run", str(tiny), "--out", str(tmp_path / ("x" * 5000))])
    line = assert_clean_error(capsys, code, "--out", "File name too long")
    assert len(line) < 300
    (tmp_path / "ro").mkdir()
    with read_only(tmp_path / "ro") as ro:
        code = main(["run", str(tiny), "--out", str(ro / "run")])
        assert_clean_error(capsys, code, "--out", "cannot create the folder")
    assert list((tmp_path / "ro").iterdir()) == []


def test_a_folder_left_incomplete_by_a_kill_is_named_as_such_on_rerun(tiny, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "series.parquet").write_bytes(b"a table, but no run.json")
    code = main(run_args(tiny, out))
    assert_clean_error(capsys, code, str(out), "incomplete run", "delete the folder")


@pytest.mark.parametrize(
    "flag, value",
    [("--seed", "-1"), ("--steps", "0"), ("--steps", "many"), ("--community-period", "0")],
)
def test_bad_numeric_flag_is_a_usage_error(flag, value, tiny, tmp_path, capsys):
    code = main(["run", str(tiny), flag, value, "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    assert f"argument {flag}" in captured.err.strip().splitlines()[-1]
    assert not (tmp_path / "out").exists()


def test_ctrl_c_during_a_run_exits_130_and_writes_nothing(tiny, tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.interfaces.cli.run.run", interrupted)
    assert main(["run", str(tiny), "--out", str(tmp_path / "out")]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_command_that_cannot_be_loaded_fails_alone(monkeypatch, capsys):
    import importlib

    real = importlib.import_module

    def import_module(name, *args):
        if name == "sim.interfaces.cli.scenarios":
            raise ImportError("broken on purpose")
        return real(name, *args)

    monkeypatch.setattr("sim.interfaces.cli.main.importlib.import_module", import_module)
    assert main(["scenarios"]) == 1
    assert "broken on purpose" in capsys.readouterr().err
    assert main(["params", "--group", "ngo"]) == 0


# --- scenarios -------------------------------------------------------------------------------


def test_scenarios_lists_baseline_with_its_description(capsys):
    description = tomllib.loads((REPO / "scenarios" / "baseline.toml").read_text())["description"]
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    (row,) = [line for line in lines if line.split(maxsplit=1)[:1] == ["baseline"]]
    assert row.split(maxsplit=1)[1] == description


def test_scenarios_lists_another_folder_aligned(tmp_path, capsys):
    (tmp_path / "short.toml").write_text('description = "first one"\n')
    (tmp_path / "a_longer_name.toml").write_text('description = "second one"\n')
    (tmp_path / "notes.txt").write_text("not a scenario")
    assert main(["scenarios", "--dir", str(tmp_path)]) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert [r.split()[0] for r in rows] == ["a_longer_name", "short"]
    assert rows[0].index("second one") == rows[1].index("first one")


def test_scenarios_in_a_missing_folder_exits_2(tmp_path, capsys):
    assert_clean_error(
        capsys, main(["scenarios", "--dir", str(tmp_path / "none")]), "no such folder"
    )


# --- params ----------------------------------------------------------------------------------


def test_params_lists_every_parameter_under_its_group_title(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    names = {line.split()[0] for line in out.splitlines() if line and line[0].isalpha()}
    assert {p.name for p in PARAMS} <= names
    for group, title in GROUPS.items():
        assert f"[{group}] {title}" in out


def test_params_group_shows_only_that_group(capsys):
    assert main(["params", "--group", "ngo"]) == 0
    out = capsys.readouterr().out
    assert all(p.name in out for p in PARAMS if p.group == "ngo")
    assert not any(f"\n{p.name} " in out for p in PARAMS if p.group != "ngo")


def test_params_markdown_is_exactly_docs_parameters_md(capsys):
    assert main(["params", "--markdown"]) == 0
    doc = (REPO / "docs" / "PARAMETERS.md").read_text(encoding="utf-8")
    assert capsys.readouterr().out == doc, (
        "docs/PARAMETERS.md is stale: regenerate it with "
        "`python -m sim params --markdown > docs/PARAMETERS.md`"
    )
    assert "Generated by `python -m sim params --markdown`; do not edit by hand" in doc
    assert all(f"`{p.name}`" in doc for p in PARAMS)


def test_params_toml_is_a_scenario_of_every_default(capsys):
    assert main(["params", "--toml"]) == 0
    data = tomllib.loads(capsys.readouterr().out)
    flat = {k: v for table in data.values() for k, v in table.items()}
    assert validate(flat, "--toml") == defaults()
    assert set(flat) == {p.name for p in PARAMS}


def test_params_outcomes_lists_every_outcome(capsys):
    assert main(["params", "--outcomes"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in OUTCOMES)


def test_unknown_group_is_a_usage_error(capsys):
    assert main(["params", "--group", "nonsense"]) == 2
    assert "invalid choice" in capsys.readouterr().err


# --- docs ------------------------------------------------------------------------------------


def test_cli_doc_covers_every_command_and_every_community_column():
    doc = (REPO / "docs" / "CLI.md").read_text(encoding="utf-8")
    for command in ("python -m sim run", "python -m sim scenarios", "python -m sim params"):
        assert command in doc
    for name in (
        "series.parquet",
        "communities.parquet",
        "summary.json",
        "params.toml",
        "run.json",
        *(f"figures/{f}.png" for f in FIGURES),
    ):
        assert name in doc
    for column in COMMUNITY_COLUMNS:
        assert f"`{column}`" in doc, f"docs/CLI.md does not describe community column {column}"
    compounds = doc.split("Columns of `compounds.parquet`", 1)[1].split("\n\n", 2)[1]
    for column in COMPOUND_COLUMNS:
        assert f"| `{column}` |" in compounds, f"docs/CLI.md lacks compound column {column}"
    for command in ("python -m sim world", "python -m sim pilot"):
        assert command in doc


# --- report: where it writes is checked before anything is computed --------------------


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("finished")
    out = folder / "res"
    args = ["sweep", str(tiny_experiment(folder)), "--out", str(out), "--workers", "1"]
    assert main([*args, "--quiet"]) == 0
    return out


def no_report(*args, **kwargs):
    raise AssertionError("a report was computed although its output was refused")


@pytest.mark.parametrize(
    "extra, needles",
    [
        (["--intro", "{dir}/intro.md"], ["--intro", "--doc FILE"]),
        (["--out", "{dir}/file/x"], ["--out", "cannot create the folder", "file is a file"]),
        (["--out", "{dir}/file"], ["--out", "exists and is a file"]),
        (["--out", "{dir}/" + "x" * 5000], ["--out", "File name too long"]),
        (
            ["--doc", "{dir}/no/such/dir/doc.md", "--out", "{dir}/docs"],
            ["--doc", "no/such/dir", "does not exist"],
        ),
        (["--doc", "{dir}", "--out", "{dir}/docs"], ["--doc", "is a folder"]),
    ],
)
def test_report_outputs_that_cannot_be_written_exit_2_before_any_report(
    finished, tmp_path, capsys, monkeypatch, extra, needles
):
    monkeypatch.setattr("sim.experiments.analysis.report.make_figures", no_report)
    (tmp_path / "file").write_text("x")
    (tmp_path / "intro.md").write_text("# Intro\n")
    argv = ["report", str(finished), *(a.replace("{dir}", str(tmp_path)) for a in extra)]
    assert_clean_error(capsys, main(argv), *needles)
    assert not (finished / "report").exists() and not (tmp_path / "docs").exists()


def test_report_into_a_read_only_folder_exits_2_before_any_report(
    finished, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr("sim.experiments.analysis.report.make_figures", no_report)
    res = tmp_path / "res"
    shutil.copytree(finished, res)
    (tmp_path / "ro").mkdir()
    with read_only(res):  # its report/ cannot be made
        assert_clean_error(capsys, main(["report", str(res)]), "--out", "report")
    with read_only(tmp_path / "ro") as ro:
        code = main(["report", str(res), "--out", str(ro)])
        assert_clean_error(capsys, code, "--out", "cannot write in this folder")
        code = main(["report", str(res), "--doc", str(ro / "d.md"), "--out", str(tmp_path / "o")])
        assert_clean_error(capsys, code, "--doc", "cannot write in this folder")
