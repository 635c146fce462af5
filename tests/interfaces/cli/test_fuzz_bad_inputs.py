"""Generated bad input (hypothesis) for `run`, `sweep`, `report` and scenario files: every
case exits with code 2, prints no traceback, names the key, flag or file at fault, starts no
model run and writes nothing.

Each case is built to be wrong by construction (a value outside the schema, a key that does
not exist or does not apply, a damaged results folder, ...), so an exit other than 2 is a
defect, not a flaky test. Examples are derandomized: CI runs the same cases every time
(`FUZZ_EXAMPLES=1000` draws that many fresh ones per test instead).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.metrics import OUTCOMES
from sim.core.params import BY_NAME, GROUPS, PARAMS, Param
from sim.core.scenario import RUN_KEYS
from sim.experiments.definition import DESIGN_KEYS, DESIGN_KINDS, TOP_KEYS
from sim.experiments.store import INFO_KEYS, INFO_OPTIONAL
from sim.interfaces.cli.main import main
from tests.helpers import TINY_EXPERIMENT, tiny_experiment

HUNT = os.environ.get("FUZZ_EXAMPLES")
"""`FUZZ_EXAMPLES=N pytest ...`: N fresh random examples per test, for a longer hunt."""
EXAMPLES = int(HUNT or 60)
"""Examples per test; four tests make at least 200 generated inputs."""
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not HUNT,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

TINY_WORLD = """
[structure]
n_streets = 1
communities_per_street = 2
compounds_per_community = 2
households_per_compound = 20
"""


@dataclass
class Case:
    """One bad input: files to write (name → text or bytes), the command line (`{dir}` is
    the case's folder) and the words the one-line message must contain."""

    argv: list[str]
    needles: list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)
    damage: str | None = None  # report cases: how the stored results folder is damaged


# --- values a parameter must refuse -----------------------------------------------------------


def texts(**kwargs) -> st.SearchStrategy[str]:
    """Text that can be written to a UTF-8 file (no lone surrogates)."""
    return st.text(alphabet=st.characters(exclude_categories=("Cs",)), **kwargs)


def toml(value: object) -> str:
    """A value written as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, str):
        escaped = "".join(
            f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F or c in '"\\' else c
            for c in value
        )
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + " }"
    return str(value)


@st.composite
def bad_value(draw, param: Param) -> object:
    """A value `param` must refuse: the wrong type, outside its range, or not finite."""
    wrong_type = [texts(max_size=8), st.lists(st.integers(0, 3), max_size=2), st.just({"a": 1})]
    if param.type is bool:
        wrong_type += [st.integers(-5, 5), st.floats(allow_nan=False)]
        return draw(st.one_of(wrong_type))
    wrong_type.append(st.booleans())
    options = [st.one_of(wrong_type)]
    if param.high is not None:
        options.append(st.floats(1e-3, 1e6).map(lambda x: param.high + x))
    if param.low is not None:
        options.append(st.floats(1e-3, 1e6).map(lambda x: param.low - x))
    if param.type is float:
        options.append(st.sampled_from([math.nan, math.inf, -math.inf]))
    if param.type is int:
        low = param.low if param.low is not None else 0
        options.append(st.integers(int(low), int(low) + 50).map(lambda i: i + 0.5))
    return draw(st.one_of(options))


params = st.sampled_from(PARAMS)
identifiers = st.from_regex(r"\A[a-z][a-z0-9_]{0,20}\Z").filter(
    lambda k: (
        k not in BY_NAME
        and k not in RUN_KEYS
        and k not in GROUPS
        and k not in TOP_KEYS
        and k not in DESIGN_KEYS
        and k not in OUTCOMES
    )
)
WORLD_KEYS = (
    "n_streets",
    "communities_per_street",
    "compounds_per_community",
    "households_per_compound",
)
"""Parameters the templates set in [fixed] (a mutation must not set them a second time)."""


@st.composite
def broken_toml(draw) -> str:
    text = draw(
        st.one_of(
            st.sampled_from(
                [
                    "x = = 1",
                    "[unclosed",
                    "a = [1, 2",
                    'b = "open',
                    "= 3",
                    "c = 1\nc = 2",
                    "d = 01",
                    "[[x]]\n[x]",
                ]
            ),
            texts(min_size=1, max_size=30),
        )
    )
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return text
    return text + "\n= broken"


# --- scenario files and `run` --------------------------------------------------------------


@st.composite
def scenario_cases(draw) -> Case:
    p = draw(params)
    value = toml(draw(bad_value(p)))
    other_group = draw(st.sampled_from([g for g in GROUPS if g != p.group]))
    key = draw(identifiers)
    kind = draw(
        st.sampled_from(
            [
                "top",
                "table",
                "unknown key",
                "unknown table",
                "wrong table",
                "twice",
                "run key",
                "extends",
                "broken",
                "not utf-8",
            ]
        )
    )
    text, needles = {
        "top": (f"{p.name} = {value}\n", [p.name]),
        "table": (f"[{p.group}]\n{p.name} = {value}\n", [p.name]),
        "unknown key": (f"{key} = 1\n", [key]),
        "unknown table": (f"[{key}]\nx = 1\n", [f"[{key}]"]),
        "wrong table": (
            f"[{other_group}]\n{p.name} = {toml(p.default)}\n",
            [p.name, f"[{p.group}]"],
        ),
        "twice": (
            f"{p.name} = {toml(p.default)}\n[{p.group}]\n{p.name} = {toml(p.default)}\n",
            [p.name, f"[{p.group}]"],
        ),
    }.get(kind, ("", []))
    if kind == "run key":
        run_key, bad = draw(
            st.sampled_from(
                [
                    ("steps", "0"),
                    ("steps", "-4"),
                    ("steps", "2.5"),
                    ("steps", '"ten"'),
                    ("steps", "true"),
                    ("seed", "-1"),
                    ("seed", '"x"'),
                    ("seed", "1.5"),
                    ("description", "1"),
                    ("description", "[1]"),
                    ("extends", "3"),
                    ("extends", '""'),
                    ("extends", '"no_such_scenario_anywhere"'),
                ]
            )
        )
        text, needles = f"{run_key} = {bad}\n", [run_key]
    if kind == "extends":
        text, needles = f'extends = "{key}_missing"\n', ["extends", f"{key}_missing"]
    content: str | bytes = text
    if kind == "broken":
        content, needles = draw(broken_toml()), ["not valid TOML"]
    if kind == "not utf-8":
        content, needles = b'description = "\xff\xfe"\n', ["cannot read file"]
    name = draw(st.sampled_from(["bad.toml", "my scenario.toml", "场景.toml"]))
    if isinstance(content, str) and kind not in ("broken",):
        content = content + (TINY_WORLD if "[structure]" not in content else "")
    return Case(
        ["run", f"{{dir}}/{name}", "--out", "{dir}/out"],
        [f"{{dir}}/{name}", *needles],
        {name: content},
    )


@st.composite
def run_flag_cases(draw) -> Case:
    p = draw(params)
    value = toml(draw(bad_value(p)))
    flag, arg, needles = draw(
        st.sampled_from(
            [
                ("--set", f"{p.name}={value}", ["--set", p.name]),
                ("--set", f"{p.name}", ["--set"]),
                ("--set", "no_such_parameter_xyz=1", ["--set", "no_such_parameter_xyz"]),
                ("--steps", draw(st.sampled_from(["0", "-1", "ten", "1.5", ""])), ["--steps"]),
                ("--seed", draw(st.sampled_from(["-1", "x", "0.5"])), ["--seed"]),
                ("--community-period", "0", ["--community-period"]),
                (
                    "--max-memory",
                    draw(st.sampled_from(["lots", "-1GB", "0", "12XB"])),
                    ["--max-memory"],
                ),
                (
                    "--max-hours",
                    draw(st.sampled_from(["0", "-2", "never", "inf"])),
                    ["--max-hours"],
                ),
            ]
        )
    )
    return Case(
        ["run", "{dir}/tiny.toml", flag, arg, "--out", "{dir}/out"],
        needles,
        {"tiny.toml": 'description = "tiny"\n' + TINY_WORLD},
    )


# --- experiment files and `sweep` ------------------------------------------------------------

EXPERIMENT = """description = "fuzz"
steps = 6
replicates = 2
{top}
[design]
kind = "{kind}"
{design}
{body}
[fixed]
n_streets = 1
communities_per_street = 2
compounds_per_community = 2
households_per_compound = 20
{fixed}
"""
BODIES = {
    "grid": "[factors]\ndevolution_share = [0.1, 0.6]\n",
    "arms": "[arms.a]\ndevolution_share = 0.1\n[arms.b]\ndevolution_share = 0.6\n",
    "lhs": "[factors]\ndevolution_share = [0.1, 0.6]\nsocial_degree = [2, 9]\n",
    "sobol": "[factors]\ndevolution_share = [0.1, 0.6]\nsocial_degree = [2, 9]\n",
    "morris": "[factors]\ndevolution_share = [0.1, 0.6]\nsocial_degree = [2, 9]\n",
}
DESIGN_VALUES = {"reference": '"a"', "n": "8", "levels": "4", "calc_second_order": "true"}


@st.composite
def experiment_cases(draw) -> Case:
    kind = draw(st.sampled_from(DESIGN_KINDS))
    parts = {"top": "", "kind": kind, "design": "", "body": BODIES[kind], "fixed": ""}
    p = draw(params)
    value = toml(draw(bad_value(p)))
    key = draw(identifiers)
    mutation = draw(
        st.sampled_from(
            [
                "unknown top key",
                "setting",
                "window",
                "outcomes",
                "statistic",
                "kind",
                "design key",
                "design unknown",
                "factor",
                "level",
                "fixed",
                "replicates",
                "scenario",
                "reference",
                "shape",
                "broken",
            ]
        )
    )
    needles: list[str]
    if mutation == "unknown top key":
        parts["top"], needles = f"{key} = 1", [key]
    elif mutation == "setting":
        setting, bad = draw(
            st.sampled_from(
                [
                    (s, v)
                    for s in ("steps", "replicates", "seed", "window", "series_period")
                    for v in ("-1", "1.5", '"x"', "true", "[1]")
                ]
                + [(s, "0") for s in ("steps", "replicates", "window", "series_period")]
            )
        )
        parts["top"], needles = f"{setting} = {bad}", [setting]
    elif mutation == "window":
        setting = draw(st.sampled_from(["window", "series_period"]))
        parts["top"], needles = f"{setting} = {draw(st.integers(7, 10**6))}", [setting]
    elif mutation == "outcomes":
        bad = draw(
            st.sampled_from(
                ['"needs_met"', "[]", f'["{key}"]', '["needs_met", "needs_met"]', "[1]"]
            )
        )
        parts["top"], needles = f"outcomes = {bad}", ["outcomes"]
    elif mutation == "statistic":
        bad = draw(texts(max_size=6).filter(lambda s: s not in ("mean", "final")))
        parts["top"], needles = f"statistic = {toml(bad)}", ["statistic"]
    elif mutation == "kind":
        bad = draw(texts(max_size=8).filter(lambda k: k not in DESIGN_KINDS))
        parts["kind"], needles = toml(bad)[1:-1], ["kind"]
    elif mutation == "design key":
        design_key = draw(st.sampled_from([k for k in DESIGN_VALUES if kind not in DESIGN_KEYS[k]]))
        parts["design"], needles = f"{design_key} = {DESIGN_VALUES[design_key]}", [design_key]
    elif mutation == "design unknown":
        parts["design"], needles = f"{key} = 1", [key]
    elif mutation == "factor":
        parts["body"] = (
            f"[factors]\n{key} = [0.1, 0.2]\n" if kind != "arms" else f"[arms.a]\n{key} = 0.1\n"
        )
        needles = [key]
    elif mutation == "level":
        if kind == "arms":
            parts["body"] = f"[arms.a]\n{p.name} = {value}\n"
        elif kind == "grid":
            parts["body"] = f"[factors]\n{p.name} = [{value}]\n"
        else:
            second = (
                "devolution_share = [0.1, 0.6]"
                if p.name == "social_degree"
                else "social_degree = [2, 9]"
            )
            parts["body"] = f"[factors]\n{p.name} = [{value}, {value}]\n{second}\n"
        needles = [p.name]
    elif mutation == "fixed":
        name = p.name if p.name not in WORLD_KEYS else "devolution_share"
        value = value if name == p.name else toml(draw(bad_value(BY_NAME[name])))
        parts["fixed"], needles = f"{name} = {value}", [name]
    elif mutation == "replicates":
        parts["top"] = f"replicates = {draw(st.integers(10**6, 10**12))}"
        needles = ["replicates"]
    elif mutation == "reference":
        design_kind = draw(st.sampled_from(["grid", "arms"]))
        parts["kind"], parts["body"] = design_kind, BODIES[design_kind]
        bad = draw(
            st.sampled_from(
                [
                    "[1]",
                    "3",
                    "{ a = 1 }",
                    '"nope"',
                    "true",
                    "{ devolution_share = 0.3 }",
                    "{ devolution_share = [1] }",
                ]
            )
        )
        parts["design"], needles = f"reference = {bad}", ["reference"]
    elif mutation == "shape":
        where, bad = draw(
            st.sampled_from(
                [
                    ("outcomes", "[[1]]"),
                    ("outcomes", "[{ a = 1 }]"),
                    ("factors", "3"),
                    ("arms", "[1]"),
                    ("fixed", "3"),
                    ("design", '"grid"'),
                    ("description", "[1]"),
                ]
            )
        )
        if where in ("factors", "arms", "fixed", "design"):
            parts["body"] = parts["fixed"] = ""
            parts["kind"] = "grid"
            text = f"{where} = {bad}\nsteps = 6\n" + (
                "" if where == "factors" else "[factors]\ndevolution_share = [0.1]\n"
            )
            return Case(
                ["sweep", "{dir}/exp.toml", "--out", "{dir}/out", "--workers", "1", "--quiet"],
                ["{dir}/exp.toml", where],
                {"exp.toml": text},
            )
        parts["top"], needles = f"{where} = {bad}", [where]
    elif mutation == "scenario":
        parts["top"], needles = f'scenario = "{key}_missing"', ["scenario", f"{key}_missing"]
    if mutation == "broken":
        text, needles = draw(broken_toml()), ["not valid TOML"]
    else:
        text = _drop_repeated_settings(EXPERIMENT.format(**parts))
    return Case(
        ["sweep", "{dir}/exp.toml", "--out", "{dir}/out", "--workers", "1", "--quiet"],
        ["{dir}/exp.toml", *needles],
        {"exp.toml": text},
    )


def _drop_repeated_settings(text: str) -> str:
    """The template sets steps and replicates; a mutation that sets one again wins."""
    lines = text.splitlines()
    for setting in ("steps", "replicates"):
        mine = [i for i, line in enumerate(lines) if line.startswith(f"{setting} =")]
        if len(mine) > 1:
            del lines[mine[0]]
    return "\n".join(lines) + "\n"


@st.composite
def sweep_flag_cases(draw) -> Case:
    flag, arg = draw(
        st.sampled_from(
            [
                (
                    "--scheduler",
                    draw(
                        st.sampled_from(
                            [
                                "not-an-address",
                                "tcp://",
                                "tcp://host",
                                "http://host:80",
                                "host:99999",
                                " ",
                            ]
                        )
                    ),
                ),
                ("--scheduler", draw(st.from_regex(r"\A[a-z]{1,12}\Z"))),
                ("--replicates", draw(st.sampled_from(["0", "-3", "many", "100000000"]))),
                ("--steps", draw(st.sampled_from(["0", "-1", "x"]))),
                ("--batch-size", draw(st.sampled_from(["0", "big"]))),
                ("--workers", draw(st.sampled_from(["0", "-2", "all"]))),
                ("--connect-timeout", draw(st.sampled_from(["0", "-1", "soon"]))),
                ("--no-workers-timeout", draw(st.sampled_from(["0", "never"]))),
                ("--max-memory", draw(st.sampled_from(["1XB", "none"]))),
            ]
        )
    )
    return Case(
        ["sweep", "{dir}/tiny.toml", "--out", "{dir}/out", "--quiet", flag, arg],
        [flag],
        {"tiny.toml": TINY_EXPERIMENT.format(steps=3, replicates=2)},
    )


# --- results folders and `report` ----------------------------------------------------------


@st.composite
def report_cases(draw) -> Case:
    target = draw(
        st.sampled_from(
            [
                "sweep.json",
                "design.parquet",
                "plan.parquet",
                "run part",
                "no runs",
                "no folder",
                "a file",
                "doc without out",
                "missing intro",
            ]
        )
    )
    argv = ["report", "{dir}/res"]
    if target == "sweep.json":
        kinds = {**INFO_KEYS, **INFO_OPTIONAL}
        info_key = draw(st.sampled_from(sorted(kinds)))
        wrong = draw(
            st.one_of(
                st.none(),
                st.booleans(),
                st.lists(st.integers(), max_size=2),
                st.integers(),
                texts(max_size=5),
                st.just({"a": 1}),
            ).filter(
                lambda v: (
                    not isinstance(v, kinds[info_key])
                    or (isinstance(v, bool) and kinds[info_key] is not bool)
                )
            )
        )
        odd = draw(
            st.sampled_from(
                [
                    {"kind": "factorial"},
                    {"statistic": "median"},
                    {"factors": [{"name": "x"}]},
                    {"factors": [1]},
                    {"outcomes": []},
                    {"outcomes": [1]},
                    {"kind": "sobol"},
                ]
            )
        )
        damage = draw(
            st.sampled_from(
                [
                    "text:" + draw(texts(max_size=20).filter(_not_json_object)),
                    "drop:" + draw(st.sampled_from(list(INFO_KEYS))),
                    "set:" + json.dumps({info_key: wrong}),
                    "set:" + json.dumps(odd),
                ]
            )
        )
        return Case(argv, ["{dir}/res/sweep.json"], damage=damage)
    if target in ("design.parquet", "plan.parquet"):
        how = draw(st.sampled_from(["missing", "truncate"]))
        return Case(
            argv, [f"{{dir}}/res/{target}"], damage=f"{how}:{target}:{draw(st.floats(0, 0.99))}"
        )
    if target == "run part":
        return Case(argv, ["{dir}/res/runs/part-"], damage=f"part:{draw(st.floats(0, 0.99))}")
    if target == "no runs":
        return Case(argv, ["{dir}/res", "no finished runs"], damage="no runs")
    if target == "no folder":
        return Case(["report", "{dir}/absent"], ["{dir}/absent"])
    if target == "a file":
        return Case(["report", "{dir}/file.txt"], ["{dir}/file.txt"], {"file.txt": "x"})
    if target == "doc without out":
        return Case([*argv, "--doc", "{dir}/doc.md"], ["--doc", "--out"], damage="none")
    return Case(
        [*argv, "--doc", "{dir}/doc.md", "--out", "{dir}/docs", "--intro", "{dir}/missing.md"],
        ["--intro", "{dir}/missing.md"],
        damage="none",
    )


def _not_json_object(text: str) -> bool:
    try:
        return not isinstance(json.loads(text), dict)
    except ValueError:
        return True


def damage(root: Path, how: str) -> None:
    """Damage a copy of a finished results folder as `how` says."""
    kind, _, rest = how.partition(":")
    info_path = root / "sweep.json"
    if kind == "text":
        info_path.write_text(rest)
    elif kind == "drop":
        info = json.loads(info_path.read_text())
        del info[rest]
        info_path.write_text(json.dumps(info))
    elif kind == "set":
        info_path.write_text(json.dumps({**json.loads(info_path.read_text()), **json.loads(rest)}))
    elif kind in ("missing", "truncate"):
        name, share = rest.split(":")
        path = root / name
        if kind == "missing":
            path.unlink()
        else:
            path.write_bytes(path.read_bytes()[: int(float(share) * path.stat().st_size)])
    elif kind == "part":
        part = sorted((root / "runs").glob("part-*.parquet"))[0]
        part.write_bytes(part.read_bytes()[: int(float(rest) * part.stat().st_size)])
    elif kind == "no runs":
        for part in (root / "runs").glob("part-*.parquet"):
            part.unlink()


# --- the check -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished_results(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("finished")
    out = folder / "res"
    assert (
        main(
            ["sweep", str(tiny_experiment(folder)), "--out", str(out), "--workers", "1", "--quiet"]
        )
        == 0
    )
    return out


def must_not_run(*args, **kwargs):
    raise AssertionError("a model run started for bad input")


def check(case: Case, results: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, content in case.files.items():
            if isinstance(content, bytes):
                (folder / name).write_bytes(content)
            else:
                (folder / name).write_text(content, encoding="utf-8")
        if case.damage is not None:
            shutil.copytree(results, folder / "res")
            damage(folder / "res", case.damage)
        argv = [a.replace("{dir}", tmp) for a in case.argv]
        stderr, stdout = io.StringIO(), io.StringIO()
        with (
            mock.patch("sim.runs.runner.run", must_not_run),
            mock.patch("sim.interfaces.cli.run.run", must_not_run),
            contextlib.redirect_stderr(stderr),
            contextlib.redirect_stdout(stdout),
        ):
            code = main(argv)
        err = stderr.getvalue()
        assert code == 2, (argv, case.files, code, err, stdout.getvalue())
        assert "Traceback" not in err + stdout.getvalue(), err
        message = err.strip().splitlines()[-1] if err.strip() else ""
        assert message.startswith("error: ") or ": error: " in message, (argv, err)
        for needle in case.needles:
            assert needle.replace("{dir}", tmp) in message, (needle, message, case.files)
        assert not (folder / "out").exists(), "bad input left an output folder"
        if case.damage is not None:
            assert not (folder / "res" / "report" / "report.md").exists()


@SETTINGS
@given(case=scenario_cases())
def test_bad_scenario_files_exit_2_naming_the_file_and_key(case):
    check(case)


@SETTINGS
@given(case=st.one_of(run_flag_cases(), scenario_cases()))
def test_bad_run_command_lines_exit_2_naming_the_flag(case):
    check(case)


@SETTINGS
@given(case=st.one_of(experiment_cases(), sweep_flag_cases()))
def test_bad_experiments_and_sweep_command_lines_exit_2_naming_the_key(case):
    check(case)


@SETTINGS
@given(case=report_cases())
def test_bad_results_folders_exit_2_naming_the_file(case, finished_results):
    check(case, finished_results)
