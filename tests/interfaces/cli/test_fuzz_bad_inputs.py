"""Generated bad input (hypothesis) for every command that reads a user's input: scenario
files and `run`, experiments and `sweep`, results folders and `report`, `world`, `pilot`,
`discover`, `serve`, district tables and output places. Every case exits with code 2,
prints one line and no traceback, names the key, flag, file or column at fault, builds no
world, starts no run or server and writes nothing.

Each case is built to be wrong by construction (a value outside the schema, a key that does
not exist or does not apply, a damaged results folder or table, a place that cannot be
written, a world too large, ...), so an exit other than 2 is a defect, not a flaky test.
Values are drawn from every parameter, every table column and every flag that takes a value
(`test_the_cases_draw_from_every_flag_that_takes_a_value` keeps it so). Examples are
derandomized: CI runs the same cases every time, EXAMPLES per test (`FUZZ_EXAMPLES=1000`
draws that many fresh ones per test instead).
"""

from __future__ import annotations

import argparse
import ast
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

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.district import FALSE_WORDS, SCHEMA, TABLES, TRUE_WORDS, Column
from sim.core.metrics import OUTCOMES
from sim.core.params import BY_NAME, GROUPS, PARAMS, Param
from sim.core.scenario import RUN_KEYS
from sim.core.types import COMMUNITY_TYPES, COMPOUND_TYPES_ORDER
from sim.experiments.definition import DESIGN_KEYS, DESIGN_KINDS, TOP_KEYS
from sim.experiments.store import INFO_KEYS, INFO_OPTIONAL
from sim.interfaces.cli.main import build_parser, main
from tests.experiments.test_across_draws import stand_in
from tests.helpers import TINY_EXPERIMENT, read_only, read_only_works, tiny_experiment

HUNT = os.environ.get("FUZZ_EXAMPLES")
"""`FUZZ_EXAMPLES=N pytest ...`: N fresh random examples per test, for a longer hunt."""
EXAMPLES = int(HUNT or 55)
"""Examples per test; ten tests make 550 generated inputs."""
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
    damage: str | None = None  # how a copy of a finished results folder is damaged
    results: str = "grid"  # which one: a grid sweep, or a sweep over parameter draws
    folders: tuple[str, ...] = ()  # empty folders the case makes
    read_only: tuple[str, ...] = ()  # folders made read-only while the command runs


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
                ("--figures", draw(st.sampled_from(["some", "All", "", "png"])), ["--figures"]),
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
    elif kind == "part-folder":
        part = sorted((root / "runs").glob("part-*.parquet"))[0]
        part.unlink()
        part.mkdir()
    elif kind == "part-columns":
        part = sorted((root / "runs").glob("part-*.parquet"))[0]
        pd.read_parquet(part).drop(columns=["status"]).to_parquet(part)


# --- what every command shares: a tiny world and a pilot scenario ----------------------------

TINY_SCENARIO = 'description = "tiny"\n' + TINY_WORLD
PILOT = """description = "a pilot in street 0 from month 4"
[structure]
n_streets = 3
communities_per_street = 2
compounds_per_community = 2
households_per_compound = 20
[[policy]]
month = 4
label = "pilot"
{target}
[policy.set]
professional_committee = true
"""
BIG_WORLD = st.tuples(st.integers(200, 2000), st.floats(20.0, 100.0), st.floats(20.0, 50.0)).map(
    lambda t: [
        *("--set", f"n_streets={t[0]}", "--set", f"communities_per_street={t[1]}"),
        *("--set", f"compounds_per_community={t[2]}", "--set", "households_per_compound=500"),
    ]
)
"""A world of a billion residents or more: every command must refuse it before building."""


def bad_text(allowed: tuple[str, ...] | set[str] = ()) -> st.SearchStrategy[str]:
    """Printable text (no control characters), not blank, not one of `allowed`."""
    return st.text(
        alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12
    ).filter(lambda t: t.strip() != "" and t.strip() not in allowed and not t.startswith("-"))


def set_case(draw) -> tuple[list[str], list[str]]:
    """`--set` with a value any parameter of the schema must refuse."""
    p = draw(params)
    return ["--set", f"{p.name}={toml(draw(bad_value(p)))}"], ["--set", p.name]


# --- `world` ---------------------------------------------------------------------------------

WORLD_FLAGS: dict[str, list[tuple[str, list[str]]]] = {
    "--seed": [("-1", ["--seed"]), ("x", ["--seed"]), ("0.5", ["--seed"])],
    "--format": [("xlsx", ["--format"]), ("CSV", ["--format"]), ("", ["--format"])],
    "--columns": [
        (",,,", ["--columns ',,,'", "names no column"]),
        (" ", ["--columns", "names no column"]),
        ("colour", ["--columns", "'colour' is not a compound column"]),
        ("fee,,Fee", ["--columns", "'Fee' is not a compound column"]),
    ],
    "--world": [("{dir}/missing", ["{dir}/missing", "no such folder"])],
    "--max-memory": [
        ("lots", ["--max-memory"]),
        ("0", ["--max-memory"]),
        ("1KB", ["--max-memory"]),
    ],
    "--max-hours": [("0", ["--max-hours"]), ("never", ["--max-hours"]), ("inf", ["--max-hours"])],
    # listings flags: with a scenario given, --from-listings is refused whatever the file
    "--from-listings": [
        ("{dir}/missing.json", ["--from-listings", "takes no scenario"]),
        ("{dir}/tiny.toml", ["--from-listings", "takes no scenario"]),
    ],
    "--district": [("武侯", ["--district belongs to --from-listings"])],
    "--streets": [("0", ["--streets"]), ("x", ["--streets"]), ("-3", ["--streets"])],
    "--community-households": [
        ("0", ["--community-households"]),
        ("many", ["--community-households"]),
        ("nan", ["--community-households"]),
        ("inf", ["--community-households"]),
    ],
}


@st.composite
def world_cases(draw) -> Case:
    kind = draw(st.sampled_from(["flag", "set", "big", "scenario"]))
    argv, needles = ["world", "{dir}/tiny.toml", "--out", "{dir}/out"], []
    files: dict[str, str | bytes] = {"tiny.toml": TINY_SCENARIO}
    if kind == "flag":
        flag = draw(st.sampled_from(sorted(WORLD_FLAGS)))
        value, needles = draw(st.sampled_from(WORLD_FLAGS[flag]))
        argv += [flag, value]
    elif kind == "set":
        extra, needles = set_case(draw)
        argv += extra
    elif kind == "big":
        argv += draw(BIG_WORLD)
        needles = ["the world would need about", "--max-memory"]
    else:
        scenario = draw(scenario_cases())
        name = next(iter(scenario.files))
        argv[1] = f"{{dir}}/{name}"
        files, needles = scenario.files, scenario.needles
    return Case(argv, needles, files)


# --- `pilot` ---------------------------------------------------------------------------------

PILOT_FLAGS: dict[str, list[tuple[str, list[str]]]] = {
    "--reform": [("rollout", ["--reform 'rollout' labels no"]), ("", ["--reform"])],
    "--select": [("best", ["--select"]), ("As-Written", ["--select"])],
    "--pilots": [("3", ["--pilots 3", "leave at least one street"]), ("0", ["--pilots"])],
    "--rank-by": [("happiness", ["'happiness' is not a per-community outcome"])],
    "--outcome": [("needs", ["'needs' is not a per-community outcome"]), ("", ["outcome"])],
    "--replicates": [("1", ["--replicates 1", "at least 2 seeds"]), ("0", ["--replicates"])],
    "--seed": [("-1", ["--seed"]), ("seven", ["--seed"])],
    "--steps": [("0", ["--steps"]), ("2", ["--until", "between the reform's start"])],
    "--until": [("2", ["--until 2", "between"]), ("500", ["--until 500", "between"])],
    "--before": [
        ("4", ["--before 4", "3 or fewer"]),
        ("100", ["--before 100"]),
        ("0", ["--before"]),
    ],
    "--world": [("{dir}/missing", ["{dir}/missing", "no such folder"])],
    "--workers": [("0", ["--workers"]), ("all", ["--workers"])],
    "--scheduler": [("not-an-address", ["--scheduler"]), ("tcp://", ["--scheduler"])],
    "--max-memory": [("1XB", ["--max-memory"]), ("1KB", ["--max-memory"])],
    "--max-hours": [("-2", ["--max-hours"]), ("0.000001", ["--max-hours"])],
}


@st.composite
def pilot_cases(draw) -> Case:
    kind = draw(st.sampled_from(["flag", "set", "big", "types", "untargeted", "scenario"]))
    target = "streets = [0]"
    argv = ["pilot", "{dir}/pilot.toml", "--out", "{dir}/out", "--workers", "1"]
    needles: list[str] = []
    if kind == "flag":
        flag = draw(st.sampled_from(sorted(PILOT_FLAGS)))
        value, needles = draw(st.sampled_from(PILOT_FLAGS[flag]))
        if flag == "--pilots":
            argv += ["--select", "strongest"]
        if flag == "--workers":
            argv = argv[:-2]
        argv += [flag, value]
    elif kind == "set":
        extra, needles = set_case(draw)
        argv += extra
    elif kind == "big":
        argv += draw(BIG_WORLD)
        needles = ["the pilot would need about"]
    elif kind == "types":
        key, names = draw(
            st.sampled_from(
                [("community_types", COMMUNITY_TYPES), ("compound_types", COMPOUND_TYPES_ORDER)]
            )
        )
        bad = draw(bad_text(names))
        target = f"{key} = [{toml(bad)}]"
        needles = [key, "is not a", "type; allowed:"]
    elif kind == "untargeted":
        target = ""
        needles = ["applies everywhere" if draw(st.booleans()) else "no reform to evaluate"]
        if needles[0] == "applies everywhere":
            argv += ["--reform", "pilot"]
    else:
        scenario = draw(scenario_cases())
        name = next(iter(scenario.files))
        argv[1] = f"{{dir}}/{name}"
        return Case(argv, scenario.needles, scenario.files)
    return Case(argv, needles, {"pilot.toml": PILOT.format(target=target)})


# --- `discover` ------------------------------------------------------------------------------

DRAWS_EXPERIMENT = """description = "stand-in draws"
steps = 3
replicates = 2
seed = 3
outcomes = ["satisfaction_mean", "needs_met"]
[design]
kind = "arms"
reference = "low"
[arms.low]
xa_one_shoulder = 0.15
[arms.high]
xa_one_shoulder = 1.0
[uncertainty]
draws = 12
[uncertainty.ranges]
overload_penalty = [0.5, 2.5]
waste_rate = [0.0, 0.3]
[fixed]
n_streets = 1
"""
NAMES = ("effect", "value", "reference")


def _parses(text: str) -> bool:
    try:
        ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


CONDITIONS = st.one_of(
    bad_text().filter(lambda t: not _parses(t)),
    st.from_regex(r"\A[a-z_]{1,10}\Z").filter(lambda n: n not in NAMES).map(lambda n: f"{n} < 0"),
    st.integers(51, 400).map(lambda n: "not " * n + "effect < 0"),
    st.integers(1001, 40_000).map(lambda n: "effect < 0 or " + " " * n + "value > 0"),
    st.sampled_from(
        [
            "0 / 0 < 1",
            "1 < 2",
            "effect",
            "effect + 1",
            "effect <",
            "__import__('os').system('true')",
            "effect.real < 0",
            "effect in [1]",
            "2 ** 10 < effect",
            "lambda: effect",
            "effect < 0 if value else 1",
        ]
    ),
)
"""Conditions a `--where` must refuse: not an expression, an unknown name, nested or long
beyond the limits, saying the same for every case, or using what is not allowed."""


@st.composite
def discover_cases(draw) -> Case:
    kind = draw(st.sampled_from(["outcome", "where", "arm", "box", "results", "grid", "none"]))
    outcome, where, extra = "satisfaction_mean", "effect < 0", []
    needles: list[str] = []
    damaged, results = "none", "draws"
    if kind == "outcome":
        outcome = draw(bad_text({"satisfaction_mean", "needs_met"}))
        needles = ["--outcome", "not an outcome of"]
    elif kind == "where":
        where = draw(CONDITIONS)
        needles = ["--where"]
    elif kind == "arm":
        extra, needles = ["--arm", draw(bad_text({"high"}))], ["--arm", "allowed: high"]
    elif kind == "box":
        step = draw(st.integers(1000, 10**9))
        extra, needles = ["--box", str(step)], [f"--box {step}", "the trajectory has steps"]
    elif kind == "results":
        damaged = draw(st.sampled_from(["part-folder", "part-columns", "part:0.5", "no runs"]))
        needles = ["{dir}/res"]
    elif kind == "grid":
        results, outcome, where = "grid", "needs_met", "value < 0"
        needles = ["has no cases to discover conditions in"]
    else:
        argv = ["discover", "{dir}/none", "--outcome", outcome, "--where", where]
        return Case(argv, ["{dir}/none", "no such results folder"])
    argv = ["discover", "{dir}/res", "--outcome", outcome, "--where", where, *extra]
    return Case(argv, needles, damage=damaged, results=results)


# --- `serve` ---------------------------------------------------------------------------------

SERVE_FLAGS: dict[str, list[tuple[str, list[str]]]] = {
    "--port": [("-1", ["--port -1"]), ("65536", ["--port 65536"]), ("http", ["--port"])],
    "--host": [
        ("999.1.1.1", ["--host '999.1.1.1'", "not an address"]),
        ("256.0.0.1", ["--host '256.0.0.1'"]),
        ("1.2.3.4.5", ["--host '1.2.3.4.5'"]),
        ("::g", ["--host '::g'"]),
        ("8.8.8.8", ["--host '8.8.8.8'", "cannot listen"]),
    ],
    "--scenario": [("no_such_scenario_anywhere", ["no_such_scenario_anywhere", "not found"])],
    "--lang": [("fr", ["--lang"]), ("EN", ["--lang"])],
    "--view": [
        ("street:10", ["--view 'street:10'", "streets 0..9"]),
        ("street:x", ["--view 'street:x'"]),
        ("street:-1", ["--view 'street:-1'"]),
        ("street:١", ["--view 'street:١'"]),
        ("streets", ["--view 'streets'"]),
        ("", ["--view ''"]),
    ],
    "--scenario-dir": [("{dir}/missing", ["--scenario-dir", "no such folder"])],
    "--runs-dir": [("{dir}/missing", ["--runs-dir", "no such folder"])],
    "--session-memory-mb": [("0", ["--session-memory-mb"]), ("nan", ["--session-memory-mb"])],
    "--server-memory-mb": [("-5", ["--server-memory-mb"]), ("inf", ["--server-memory-mb"])],
    "--max-sessions": [("0", ["--max-sessions"]), ("many", ["--max-sessions"])],
    "--session-month-seconds": [
        ("0", ["--session-month-seconds"]),
        ("-1", ["--session-month-seconds"]),
        ("0.0001", ["the starting world", "too slow"]),
    ],
    "--cull-seconds": [("0", ["--cull-seconds"]), ("soon", ["--cull-seconds"])],
    "--max-jobs": [("0", ["--max-jobs"]), ("-2", ["--max-jobs"]), ("two", ["--max-jobs"])],
}


@st.composite
def serve_cases(draw) -> Case:
    kind = draw(st.sampled_from(["flag", "set", "big", "scenario"]))
    argv, needles, files = ["serve", "--port", "0"], [], {}
    if kind == "flag":
        flag = draw(st.sampled_from(sorted(SERVE_FLAGS)))
        value, needles = draw(st.sampled_from(SERVE_FLAGS[flag]))
        argv += [flag, value]
    elif kind == "set":
        extra, needles = set_case(draw)
        argv += extra
    elif kind == "big":
        argv += draw(BIG_WORLD)
        needles = ["the starting world", "World too large"]
    else:
        scenario = draw(scenario_cases())
        name = next(iter(scenario.files))
        argv += ["--scenario", f"{{dir}}/{name}"]
        files, needles = scenario.files, scenario.needles
    return Case(argv, needles, files)


# --- district tables -------------------------------------------------------------------------


def district_files(n_streets: int = 2, per_street: int = 2, per_community: int = 2) -> dict:
    """Valid tables with every column of the schema filled: {table: {column: [cells]}}."""
    streets = [f"s{i}" for i in range(n_streets)]
    communities = [f"c{i}" for i in range(n_streets * per_street)]
    compounds = [f"k{i}" for i in range(len(communities) * per_community)]
    n = len(compounds)
    return {
        "streets": {"street": streets, "name": [f"街道{i}" for i in range(n_streets)]},
        "communities": {
            "community": communities,
            "street": [streets[i % n_streets] for i in range(len(communities))],
            "community_type": ["old"] * len(communities),
            "name": [f"社区{i}" for i in range(len(communities))],
        },
        "compounds": {
            "compound": compounds,
            "community": [communities[i % len(communities)] for i in range(n)],
            "compound_type": ["commercial"] * n,
            "households": ["40"] * n,
            "build_year": ["2005"] * n,
            "management": ["firm"] * n,
            "fee": ["1.5"] * n,
            "firm": [f"F{i % 2}" for i in range(n)],
            "has_branch": ["true"] * n,
            "has_oc": ["no"] * n,
            "owner_share": ["0.7"] * n,
            "elderly_share": ["0.2"] * n,
            "floor_area": ["85"] * n,
            "name": [f"小区{i}" for i in range(n)],
        },
    }


def csv_text(columns: dict[str, list[str]]) -> str:
    frame = pd.DataFrame(columns)
    return frame.to_csv(index=False)


def _not_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return True
    return False


@st.composite
def bad_cell(draw, column: Column, cells: list[str]) -> tuple[int, str, list[str]]:
    """(row, a value the column must refuse there, what the message names)."""
    row = draw(st.integers(1 if column.kind == "id" else 0, len(cells) - 1))
    if column.kind == "id":
        value = draw(st.sampled_from(["", "  ", cells[draw(st.integers(0, row - 1))]]))
        return row, value, ["column " + column.name]
    if column.kind == "ref":
        value = draw(st.one_of(st.just(""), bad_text(set(cells)).map(lambda t: "no-" + t)))
        return row, value, ["column " + column.name]
    if column.kind == "choice":
        return row, draw(bad_text(set(column.choices))), [f"column {column.name}", "one of"]
    if column.kind == "bool":
        words = {w for w in (*TRUE_WORDS, *FALSE_WORDS)}
        value = draw(bad_text(words).filter(lambda t: t.strip().lower() not in words))
        return row, value, [f"column {column.name}"]
    if column.kind in ("int", "float"):
        options = [
            bad_text().filter(_not_number),
            st.floats(1e-3, 1e6).map(lambda x: repr(column.high + x)),
            st.floats(1e-3, 1e6).map(lambda x: repr(column.low - x)),
            st.sampled_from(["nan", "inf", "-inf", "١٠", "1_0"]),
        ]
        if column.kind == "int":
            options.append(
                st.integers(int(column.low), int(column.high) - 1).map(lambda i: f"{i}.5")
            )
        return row, draw(st.one_of(options)), [f"row {row + 1}", f"column {column.name}"]
    raise ValueError(column.kind)  # text and firm columns take any text


@st.composite
def table_cases(draw) -> Case:
    tables = district_files()
    kind = draw(st.sampled_from(["cell", "firm", "unknown column", "missing column", "empty"]))
    name = draw(st.sampled_from(TABLES))
    columns = tables[name]
    fmt = draw(st.sampled_from(["csv", "csv", "parquet"]))
    file = f"{{dir}}/district/{name}.{fmt}"
    needles = [file]
    if kind == "cell":
        checked = [c for c in SCHEMA[name] if c.kind not in ("text", "firm")]
        column = draw(st.sampled_from(checked))
        row, value, named = draw(bad_cell(column, columns[column.name]))
        columns[column.name][row] = value
        needles += named
    elif kind == "firm":
        name, file = "compounds", f"{{dir}}/district/compounds.{fmt}"
        columns = tables[name]
        row = draw(st.integers(0, len(columns["firm"]) - 1))
        columns["management"][row] = draw(st.sampled_from(["none", "self", "caretaking"]))
        needles = [file, f"row {row + 1}, column firm", "management = firm"]
    elif kind == "unknown column":
        known = {c.name for c in SCHEMA[name]}
        extra = draw(
            st.from_regex(r"\A[a-z][a-z_]{0,12}\Z").filter(
                lambda k: k not in known and not k.startswith("x_")
            )
        )
        columns[extra] = ["1"] * len(next(iter(columns.values())))
        needles += [f"column {extra!r} is not part of the schema"]
    elif kind == "missing column":
        required = [c.name for c in SCHEMA[name] if c.required]
        dropped = draw(st.sampled_from(required))
        del columns[dropped]
        needles += [f"column {dropped!r} is missing"]
    else:
        for cells in columns.values():
            del cells[:]
        needles += ["the table has no rows"]
    files: dict[str, str | bytes] = {
        "tiny.toml": TINY_SCENARIO,
        "pilot.toml": PILOT.format(target="streets = [0]"),
    }
    for table, cols in tables.items():
        if fmt == "parquet" and table == name:
            buffer = io.BytesIO()
            pd.DataFrame(cols, dtype=object).astype("string").to_parquet(buffer, index=False)
            files[f"district/{table}.parquet"] = buffer.getvalue()
        else:
            files[f"district/{table}.csv"] = csv_text(cols)
    files["filed.toml"] = '[world]\nfolder = "district"\n'
    command = draw(
        st.sampled_from(
            [
                ["run", "{dir}/tiny.toml", "--world", "{dir}/district", "--out", "{dir}/out"],
                ["run", "{dir}/filed.toml", "--out", "{dir}/out"],
                ["world", "{dir}/tiny.toml", "--world", "{dir}/district", "--out", "{dir}/out"],
                ["pilot", "{dir}/pilot.toml", "--world", "{dir}/district", "--workers", "1"],
                ["serve", "--port", "0", "--scenario", "{dir}/filed.toml"],
            ]
        )
    )
    return Case(command, needles, files)


# --- output places -----------------------------------------------------------------------------

WRITERS: dict[str, tuple[list[str], str | None]] = {
    "run": (["run", "{dir}/tiny.toml"], None),
    "world": (["world", "{dir}/tiny.toml"], None),
    "pilot": (["pilot", "{dir}/pilot.toml", "--workers", "1"], None),
    "sweep": (["sweep", "{dir}/tiny_exp.toml", "--workers", "1", "--quiet"], None),
    "report": (["report", "{dir}/res"], "grid"),
    "discover": (
        ["discover", "{dir}/res", "--outcome", "satisfaction_mean", "--where", "effect < 0"],
        "draws",
    ),
}
"""Every command that writes, with what it reads (and the results folder it needs)."""
READ_ONLY_WORKS = read_only_works()


@st.composite
def output_cases(draw) -> Case:
    command = draw(st.sampled_from(sorted(WRITERS)))
    argv, results = WRITERS[command]
    places = ["file in the way", "a file", "too long"]
    if command in ("run", "world", "pilot", "sweep"):
        places.append("not empty")
    if READ_ONLY_WORKS:
        places += ["read-only", "inside read-only"]
    if command == "report":
        places += ["doc folder missing", "doc is a folder"]
    place = draw(st.sampled_from(places))
    flag, read_only_folders = "--out", ()
    extra: list[str] = []
    if place == "file in the way":
        out, needles = "{dir}/file/x", ["cannot create the folder", "file is a file"]
    elif place == "a file":
        out, needles = "{dir}/file", ["{dir}/file", "is a file"]
    elif place == "too long":
        out = "{dir}/" + "x" * draw(st.integers(256, 5000))
        needles = ["File name too long"]
    elif place == "not empty":
        out, needles = "{dir}/full", ["{dir}/full"]
    elif place == "read-only":
        out, needles, read_only_folders = "{dir}/ro", ["{dir}/ro"], ("ro",)
    elif place == "inside read-only":
        out, needles, read_only_folders = "{dir}/ro/out", ["{dir}/ro/out"], ("ro",)
    elif place == "doc folder missing":
        out, flag = "{dir}/docs", "--doc"
        extra, needles = ["--doc", "{dir}/no/such/doc.md"], ["does not exist"]
    else:
        out, flag = "{dir}/docs", "--doc"
        extra, needles = ["--doc", "{dir}/full"], ["is a folder"]
    files: dict[str, str | bytes] = {
        "tiny.toml": TINY_SCENARIO,
        "pilot.toml": PILOT.format(target="streets = [0]"),
        "tiny_exp.toml": TINY_EXPERIMENT.format(steps=3, replicates=2),
        "file": "x",
        "full/notes.txt": "mine",
    }
    return Case(
        [*argv, "--out", out, *extra],
        [flag, *needles],
        files,
        damage=None if results is None else "none",
        results=results or "grid",
        folders=("ro",),
        read_only=read_only_folders,
    )


FUZZED: dict[str, dict[str, list]] = {
    "run": {
        **{
            f: []
            for f in (
                "--seed",
                "--steps",
                "--community-period",
                "--figures",
                "--max-memory",
                "--max-hours",
            )
        },
        "--set": [],
        "--out": [],
        "--world": [],
    },
    "world": {**WORLD_FLAGS, "--set": [], "--out": []},
    "pilot": {**PILOT_FLAGS, "--set": [], "--out": []},
    "sweep": {
        f: []
        for f in (
            "--scheduler",
            "--replicates",
            "--steps",
            "--batch-size",
            "--workers",
            "--connect-timeout",
            "--no-workers-timeout",
            "--max-memory",
            "--max-hours",
            "--out",
        )
    },
    "discover": {f: [] for f in ("--outcome", "--where", "--arm", "--box", "--out")},
    "serve": {**SERVE_FLAGS, "--set": [], "--seed": []},
}
"""The flags with a value that the cases above give bad values, by command (`--seed` of
serve takes any text: a seed is hashed from it)."""


# --- the check -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, Path]:
    """Finished results folders: a grid sweep of the model, and a sweep over parameter
    draws of a stand-in (for `discover`)."""
    folder = tmp_path_factory.mktemp("finished")
    grid = folder / "res"
    args = ["sweep", str(tiny_experiment(folder)), "--out", str(grid), "--workers", "1"]
    assert main([*args, "--quiet"]) == 0
    (folder / "draws.toml").write_text(DRAWS_EXPERIMENT, encoding="utf-8")
    draws = folder / "draws"
    with mock.patch("sim.runs.runner.run", stand_in):
        args = ["sweep", str(folder / "draws.toml"), "--out", str(draws), "--workers", "1"]
        assert main([*args, "--quiet"]) == 0
    return {"grid": grid, "draws": draws}


def must_not_run(*args, **kwargs):
    raise AssertionError("a world was built, a run or a server started for bad input")


NEVER = (
    "sim.core.model.GovernanceModel.__init__",
    "sim.runs.runner.run",
    "sim.interfaces.cli.run.run",
    "sim.experiments.pilot.run",
    "sim.interfaces.cli.serve.subprocess.Popen",
)
"""What bad input must never reach: building a world, a run, the browser's server."""


def tree(folder: Path) -> set[tuple[str, int]]:
    """Every file and folder under `folder`, with the size of each file."""
    return {
        (str(p.relative_to(folder)), p.stat().st_size if p.is_file() else -1)
        for p in folder.rglob("*")
    }


def check(case: Case, results: dict[str, Path] | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, content in case.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        for name in case.folders:
            (folder / name).mkdir(parents=True, exist_ok=True)
        if case.damage is not None:
            shutil.copytree(results[case.results], folder / "res")
            damage(folder / "res", case.damage)
        argv = [a.replace("{dir}", tmp) for a in case.argv]
        before = tree(folder)
        stderr, stdout = io.StringIO(), io.StringIO()
        with contextlib.ExitStack() as stack:
            for name in case.read_only:
                stack.enter_context(read_only(folder / name, skip=False))
            for target in NEVER:
                stack.enter_context(mock.patch(target, must_not_run))
            stack.enter_context(contextlib.redirect_stderr(stderr))
            stack.enter_context(contextlib.redirect_stdout(stdout))
            code = main(argv)
        err = stderr.getvalue()
        assert code == 2, (argv, case.files, code, err, stdout.getvalue())
        assert "Traceback" not in err + stdout.getvalue(), err
        message = err.strip().splitlines()[-1] if err.strip() else ""
        assert message.startswith("error: ") or ": error: " in message, (argv, err)
        if message.startswith("error: "):  # argparse's own errors print the usage above
            assert err.strip() == message, ("more than one line", argv, err)
        for needle in case.needles:
            assert needle.replace("{dir}", tmp) in message, (needle, message, case.files)
        assert tree(folder) == before, ("bad input wrote or removed files", argv, message)


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
def test_bad_results_folders_exit_2_naming_the_file(case, results):
    check(case, results)


@SETTINGS
@given(case=world_cases())
def test_bad_world_command_lines_exit_2_before_building(case):
    check(case)


@SETTINGS
@given(case=pilot_cases())
def test_bad_pilots_exit_2_before_any_run(case):
    check(case)


@SETTINGS
@given(case=discover_cases())
def test_bad_discoveries_exit_2_naming_the_flag_or_file(case, results):
    check(case, results)


@SETTINGS
@given(case=serve_cases())
def test_bad_serve_options_exit_2_before_the_server_starts(case):
    check(case)


@SETTINGS
@given(case=table_cases())
def test_bad_district_tables_exit_2_naming_the_file_row_and_column(case):
    check(case)


@SETTINGS
@given(case=output_cases())
def test_places_that_cannot_be_written_exit_2_before_anything_is_computed(case, results):
    check(case, results)


def test_the_cases_draw_from_every_flag_that_takes_a_value():
    """A flag added to one of these commands needs bad values here before it is fuzzed."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for command, flags in FUZZED.items():
        taking = {
            option
            for action in sub.choices[command]._actions
            if action.nargs != 0
            for option in action.option_strings
            if option.startswith("--")
        }
        assert taking == set(flags), (command, taking ^ set(flags))
