"""Sweeps: experiment definitions, designs, run plans, and the engine that runs them.

An experiment is a TOML file (see docs/EXPERIMENTS.md and `experiments/`)::

    description = "..."
    scenario = "baseline"          # base scenario: beside this file, or in scenarios/
    steps = 120                    # months per run
    replicates = 10                # seeds per arm (common random numbers across arms)
    seed = 1                       # master seed; replicate seeds derive from it
    window = 12                    # months averaged into the mean_<outcome> summaries
    series_period = 3              # optional: keep every 3rd month of the kept outcomes
    outcomes = ["satisfaction_mean", "needs_met"]   # kept outcomes (sim.core.metrics.OUTCOMES)
    statistic = "mean"             # summary the report compares: "mean" or "final"

    [design]
    kind = "grid"                  # grid | arms | lhs | sobol | morris
    reference = { devolution_share = 0.3 }   # grid: a level per factor; arms: an arm name
    # n = 64                       # sampled designs: base sample size (SALib's N)
    # levels = 4                   # morris: grid levels
    # calc_second_order = false    # sobol: also second-order indices (N(2D+2) points)

    [factors]                      # grid: levels; sampled designs: [low, high]
    devolution_share = [0.1, 0.3, 0.6]
    responsibility_list = [false, true]
    [factors.xa_intensity]         # a composite factor setting several parameters at once
    levels = [0.2, 0.6, 1.0]       # (`range = [low, high]` in sampled designs)
    sets = ["xa_one_shoulder", "xa_two_committee_overlap"]

    [fixed]                        # parameter overrides on top of the scenario
    n_streets = 3

    [arms.reference]               # kind = "arms": named arms, each a set of overrides
    [arms.full_one_shoulder]
    xa_one_shoulder = 1.0

The flow is one way: `load_sweep` validates the whole file (raising `ScenarioError` naming the
file, key, value and what is allowed) → `make_design` builds the arms (grid, named arms, or a
SALib sample) → `plan_runs` crosses arms with replicate seeds and gives every run a content
key → `execute` runs what the store does not hold yet through an evaluator (in-process, or a
Dask cluster) and appends results to a `sim.experiments.store.RunStore`. As in EMA Workbench, the model
(`sim.runs.runner.run`) is kept apart from the evaluator that runs it; as in SALib, sampling
(`make_design`) and analysis (`sim.experiments.analysis`) are symmetric modules over the same `problem`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.core.metrics import OUTCOMES
from sim.core.params import BY_NAME, ScenarioError, validate
from sim.core.scenario import load_scenario, scenario_dir
from sim.runs import runner as _runner

__all__ = [
    "DESIGN_KINDS",
    "SAMPLED_KINDS",
    "Factor",
    "SweepDefinition",
    "Design",
    "RunSpec",
    "SweepOutcome",
    "load_sweep",
    "make_design",
    "plan_runs",
    "replicate_seeds",
    "run_key",
    "run_batch",
    "InProcessEvaluator",
    "DaskEvaluator",
    "make_evaluator",
    "execute",
]

DESIGN_KINDS = ("grid", "arms", "lhs", "sobol", "morris")
SAMPLED_KINDS = ("lhs", "sobol", "morris")
STATISTICS = ("mean", "final")

TOP_KEYS = {
    "description": "one line saying what the experiment asks",
    "scenario": "base scenario file (name in scenarios/ or path relative to this file)",
    "steps": "months per run",
    "replicates": "seeds per arm",
    "seed": "master seed",
    "window": "months averaged into mean_<outcome>",
    "series_period": "keep every n-th month of the kept outcomes (omit: no series)",
    "outcomes": "kept outcomes",
    "statistic": "summary compared by the report",
    "design": "table: kind, reference, n, levels, calc_second_order",
    "factors": "table: factor levels or ranges",
    "fixed": "table: parameter overrides",
    "arms": "table of named arms (kind = \"arms\")",
}
DESIGN_KEYS = ("kind", "reference", "n", "levels", "calc_second_order")
DEFAULT_SEED = 1
DEFAULT_REPLICATES = 5


# --- definitions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """One dimension of a design: a parameter, or a named composite setting several
    parameters (`params`) to the same value."""

    name: str
    params: tuple[str, ...]
    levels: tuple[Any, ...] = ()
    bounds: tuple[float, float] | None = None

    @property
    def type(self) -> type:
        return BY_NAME[self.params[0]].type

    def value(self, x: float) -> Any:
        """Typed value for a sampled number `x` within `bounds` (bool: x >= 0.5)."""
        kind = self.type
        if kind is bool:
            return bool(x >= 0.5)
        if kind is int:
            return int(round(x))
        return float(x)

    def assign(self, value: Any) -> dict[str, Any]:
        """Parameter values that this factor at `value` sets."""
        return {p: value for p in self.params}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "params": list(self.params)}
        if self.levels:
            out["levels"] = list(self.levels)
        if self.bounds is not None:
            out["bounds"] = list(self.bounds)
        return out


@dataclass
class SweepDefinition:
    """A validated experiment: everything needed to build its design and run plan."""

    name: str
    path: Path
    text: str
    description: str
    scenario: str
    scenario_file: Path
    kind: str
    factors: tuple[Factor, ...]
    arms: dict[str, dict[str, Any]]
    reference: str | None
    fixed: dict[str, Any]
    base: dict[str, Any]
    replicates: int
    steps: int
    seed: int
    n: int | None
    levels: int
    calc_second_order: bool
    window: int
    series_period: int | None
    outcomes: tuple[str, ...]
    statistic: str = "mean"

    def seeds(self) -> list[int]:
        return replicate_seeds(self.seed, self.replicates)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description, stored beside the results (no machine paths)."""
        return {
            "name": self.name,
            "description": self.description,
            "definition_file": self.path.name,
            "scenario": self.scenario,
            "kind": self.kind,
            "factors": [f.to_dict() for f in self.factors],
            "arms": self.arms,
            "reference": self.reference,
            "fixed": self.fixed,
            "replicates": self.replicates,
            "seeds": self.seeds(),
            "steps": self.steps,
            "seed": self.seed,
            "n": self.n,
            "levels": self.levels,
            "calc_second_order": self.calc_second_order,
            "window": self.window,
            "series_period": self.series_period,
            "outcomes": list(self.outcomes),
            "statistic": self.statistic,
            "model_version": __version__,
            "model_code": MODEL_CODE,
            "base_params": self.base,
        }


def _err(where: str, key: str, value: Any, problem: str) -> ScenarioError:
    return ScenarioError(f"{where}: {key} = {value!r} {problem}")


def _int_setting(where: str, data: dict, key: str, default: Any, low: int) -> Any:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise _err(where, key, value, f"must be an integer >= {low}")
    return value


def _resolve_scenario(ref: str, definition: Path) -> Path:
    name = ref if ref.endswith(".toml") else f"{ref}.toml"
    candidates = [definition.parent / name, scenario_dir() / name]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    raise ScenarioError(
        f"{definition}: scenario = {ref!r}: scenario file not found (looked beside the "
        f"experiment file and in scenarios/; available: {', '.join(_scenario_names())})"
    )


def _scenario_names() -> list[str]:
    return sorted(p.stem for p in scenario_dir().glob("*.toml"))


def _check_level(where: str, factor: str, param: str, value: Any) -> Any:
    try:
        return BY_NAME[param].check(value)
    except ValueError as err:
        what = f"[factors] {factor}" + (f" (sets {param})" if factor != param else "")
        raise ScenarioError(f"{where}: {what}: level {value!r} {err}") from None


def _factor_params(where: str, name: str, spec: Any) -> tuple[tuple[str, ...], Any]:
    """Split a factor entry into (parameters it sets, its levels-or-range value)."""
    if isinstance(spec, dict):
        unknown = set(spec) - {"levels", "range", "sets"}
        if unknown:
            raise ScenarioError(
                f"{where}: [factors.{name}] unknown key {sorted(unknown)[0]!r}; "
                "allowed: levels (grid), range (sampled designs), sets"
            )
        sets = spec.get("sets", [name])
        if isinstance(sets, str):
            sets = [sets]
        if not isinstance(sets, list) or not sets or not all(isinstance(s, str) for s in sets):
            raise _err(where, f"[factors.{name}] sets", sets,
                       "must be a non-empty list of parameter names")
        values = spec.get("levels", spec.get("range"))
        if values is None:
            raise ScenarioError(
                f"{where}: [factors.{name}] needs `levels = [...]` (grid) or "
                "`range = [low, high]` (sampled designs)")
        params = tuple(sets)
    else:
        params, values = (name,), spec
    for p in params:
        if p not in BY_NAME:
            raise ScenarioError(
                f"{where}: [factors] {p!r} is not a model parameter{_suggest(p)}")
    kinds = {BY_NAME[p].type for p in params}
    if len(kinds) > 1:
        raise ScenarioError(
            f"{where}: [factors.{name}] sets parameters of different types "
            f"({', '.join(params)}); a composite factor needs parameters of one type")
    return params, values


def _suggest(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, BY_NAME, n=1)
    return f" (did you mean {close[0]!r}?)" if close else " (see `python -m sim params`)"


def _grid_factor(where: str, name: str, spec: Any) -> Factor:
    params, values = _factor_params(where, name, spec)
    if not isinstance(values, list) or not values:
        raise _err(where, f"[factors] {name}", values, "must be a non-empty list of levels")
    levels = []
    for v in values:
        checked = [_check_level(where, name, p, v) for p in params]  # valid for each
        levels.append(checked[0])
    if len(set(map(repr, levels))) != len(levels):
        raise _err(where, f"[factors] {name}", values, "repeats a level; list each level once")
    return Factor(name, params, levels=tuple(levels))


def _sampled_factor(where: str, kind: str, name: str, spec: Any) -> Factor:
    params, values = _factor_params(where, name, spec)
    ptype = BY_NAME[params[0]].type
    if ptype is str:
        raise ScenarioError(
            f"{where}: [factors] {name}: a text parameter can only be a grid factor, "
            f"not part of a {kind} design")
    if not isinstance(values, list) or len(values) != 2:
        raise _err(where, f"[factors] {name}", values,
                   f"must be a range [low, high] for a {kind} design")
    for p in params:
        low, high = (_check_level(where, name, p, v) for v in values)
    if ptype is bool:
        if (low, high) != (False, True):
            raise _err(where, f"[factors] {name}", values,
                       "must be [false, true] for an on/off parameter")
        return Factor(name, params, bounds=(0.0, 1.0))
    if not low < high:
        raise _err(where, f"[factors] {name}", values, "must have low < high")
    if ptype is int:  # so that rounding gives every integer an equal share of the range
        return Factor(name, params, bounds=(low - 0.5 + 1e-9, high + 0.5 - 1e-9))
    return Factor(name, params, bounds=(float(low), float(high)))


def load_sweep(
    path: str | Path,
    *,
    replicates: int | None = None,
    steps: int | None = None,
) -> SweepDefinition:
    """Read and validate an experiment file; `replicates`/`steps` override the file's values.

    Raises ScenarioError (file, key, value, what is allowed) on any problem, before any run.
    """
    from sim.core.scenario import _read_toml  # the same TOML reader and messages as scenarios

    path = Path(path)
    if not path.is_file() and not path.suffix and (Path("experiments") / f"{path}.toml").is_file():
        path = Path("experiments") / f"{path}.toml"
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder, not an experiment file")
    data = _read_toml(path)
    text = path.read_text(encoding="utf-8")
    where = str(path)

    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(TOP_KEYS)}")

    description = data.get("description", "")
    if not isinstance(description, str):
        raise _err(where, "description", description, "must be a string")

    design = data.get("design", {})
    if not isinstance(design, dict):
        raise _err(where, "design", design, "must be a table ([design])")
    bad = [k for k in design if k not in DESIGN_KEYS]
    if bad:
        raise ScenarioError(
            f"{where}: [design] unknown key {bad[0]!r}; allowed: {', '.join(DESIGN_KEYS)}")
    kind = design.get("kind", "grid")
    if kind not in DESIGN_KINDS:
        raise _err(where, "[design] kind", kind,
                   "is not a design; allowed: " + ", ".join(repr(k) for k in DESIGN_KINDS))

    # scenario and fixed parameters
    scen_ref = data.get("scenario", "baseline")
    if not isinstance(scen_ref, str) or not scen_ref:
        raise _err(where, "scenario", scen_ref, "must be a scenario name or file")
    scenario_file = _resolve_scenario(scen_ref, path)
    fixed = data.get("fixed", {})
    if not isinstance(fixed, dict):
        raise _err(where, "fixed", fixed, "must be a table ([fixed]) of parameter values")
    for key, value in fixed.items():
        if isinstance(value, dict):
            raise _err(where, f"[fixed] {key}", value,
                       "must be a parameter value (write parameters flat in [fixed])")
    fixed = {k: v for k, v in validate(fixed, where=f"{where}: [fixed]").items() if k in fixed}
    scenario = load_scenario(scenario_file)
    base = validate({**scenario.params, **fixed}, where=f"{where}: [fixed]")

    # run settings
    n_rep = replicates if replicates is not None else _int_setting(
        where, data, "replicates", DEFAULT_REPLICATES, 1)
    if n_rep < 1:
        raise _err("--replicates", "replicates", n_rep, "must be an integer >= 1")
    n_steps = steps if steps is not None else _int_setting(where, data, "steps", scenario.steps, 1)
    if n_steps < 1:
        raise _err("--steps", "steps", n_steps, "must be an integer >= 1")
    seed = _int_setting(where, data, "seed", DEFAULT_SEED, 0)
    window = _int_setting(where, data, "window", _runner.SUMMARY_WINDOW, 1)
    series_period = _int_setting(where, data, "series_period", None, 1)
    statistic = data.get("statistic", "mean")
    if statistic not in STATISTICS:
        raise _err(where, "statistic", statistic, "must be 'mean' or 'final'")
    outcomes = data.get("outcomes", list(OUTCOMES))
    if not isinstance(outcomes, list) or not outcomes:
        raise _err(where, "outcomes", outcomes, "must be a non-empty list of outcome names")
    for o in outcomes:
        if o not in OUTCOMES:
            import difflib

            close = difflib.get_close_matches(str(o), OUTCOMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ScenarioError(
                f"{where}: outcomes: {o!r} is not an outcome{hint}; allowed: "
                f"{', '.join(OUTCOMES)}")
    if len(set(outcomes)) != len(outcomes):
        raise _err(where, "outcomes", outcomes, "lists an outcome twice")

    # factors and arms
    factors_raw = data.get("factors", {})
    arms_raw = data.get("arms", {})
    if not isinstance(factors_raw, dict) or not isinstance(arms_raw, dict):
        raise ScenarioError(f"{where}: [factors] and [arms] must be tables")
    n_samples = levels = None
    calc_second = bool(design.get("calc_second_order", False))
    if "calc_second_order" in design and not isinstance(design["calc_second_order"], bool):
        raise _err(where, "[design] calc_second_order", design["calc_second_order"],
                   "must be true or false")
    arms: dict[str, dict[str, Any]] = {}
    reference: str | None = None
    factors: list[Factor] = []
    if kind == "arms":
        if factors_raw:
            raise ScenarioError(
                f"{where}: kind = \"arms\" takes named [arms.<name>] tables, not [factors]")
        if not arms_raw:
            raise ScenarioError(f"{where}: kind = \"arms\" needs at least one [arms.<name>] table")
        for arm, values in arms_raw.items():
            if not isinstance(values, dict):
                raise _err(where, f"[arms] {arm}", values,
                           "must be a table of parameter values ([arms.<name>])")
            checked = validate({**base, **values}, where=f"{where}: [arms.{arm}]")
            arms[arm] = {k: checked[k] for k in values}
        varied = sorted({k for values in arms.values() for k in values},
                        key=list(BY_NAME).index)
        factors = [Factor(p, (p,), levels=tuple(sorted(
            {arms[a].get(p, base[p]) for a in arms}, key=repr))) for p in varied]
        reference = design.get("reference", next(iter(arms)))
        if reference not in arms:
            raise _err(where, "[design] reference", reference,
                       "is not an arm; allowed: " + ", ".join(repr(a) for a in arms))
    else:
        if arms_raw:
            raise ScenarioError(f"{where}: [arms] tables need kind = \"arms\" in [design]")
        if not factors_raw:
            raise ScenarioError(f"{where}: [factors] is empty; a {kind} design needs factors")
        for name, spec in factors_raw.items():
            if kind == "grid":
                factors.append(_grid_factor(where, name, spec))
            else:
                factors.append(_sampled_factor(where, kind, name, spec))
        seen: dict[str, str] = {}
        for f in factors:
            for p in f.params:
                if p in seen:
                    raise ScenarioError(
                        f"{where}: parameter {p!r} is set by two factors "
                        f"({seen[p]!r} and {f.name!r})")
                seen[p] = f.name
                if p in fixed:
                    raise ScenarioError(
                        f"{where}: {p!r} is both a factor and in [fixed]; keep one")
        if kind == "grid":
            ref = design.get("reference")
            if ref is None:
                reference = arm_label({f.name: f.levels[0] for f in factors})
            else:
                if not isinstance(ref, dict):
                    raise _err(where, "[design] reference", ref,
                               "must be a table giving one level per factor, e.g. "
                               f"{{ {factors[0].name} = {_fmt(factors[0].levels[0])} }}")
                levels_of = {}
                for f in factors:
                    if f.name not in ref:
                        levels_of[f.name] = f.levels[0]
                        continue
                    value = ref[f.name]
                    match = [lv for lv in f.levels if _same(lv, value)]
                    if not match:
                        raise _err(where, f"[design] reference {f.name}", value,
                                   "is not one of its levels: "
                                   + ", ".join(_fmt(v) for v in f.levels))
                    levels_of[f.name] = match[0]
                extra = set(ref) - {f.name for f in factors}
                if extra:
                    raise _err(where, "[design] reference", ref,
                               f"names {sorted(extra)[0]!r}, which is not a factor")
                reference = arm_label(levels_of)
        else:
            if "reference" in design:
                raise ScenarioError(
                    f"{where}: [design] reference applies to grid and arms designs, "
                    f"not {kind}")
            default_n = {"lhs": 64, "sobol": 16, "morris": 10}[kind]
            n_samples = _int_setting(where, design, "n", default_n, 1)
            if kind == "sobol" and n_samples & (n_samples - 1):
                raise _err(where, "[design] n", n_samples,
                           "must be a power of 2 for a sobol design (SALib's Saltelli "
                           "sequence), e.g. 8, 16, 32, 64")
            if kind == "morris" and len(factors) < 2:
                raise ScenarioError(f"{where}: a morris design needs at least 2 factors")
            if kind == "sobol" and len(factors) < 2:
                raise ScenarioError(f"{where}: a sobol design needs at least 2 factors")
        levels = _int_setting(where, design, "levels", 4, 2)
        if kind != "morris" and "levels" in design:
            raise ScenarioError(f"{where}: [design] levels applies to morris designs only")

    return SweepDefinition(
        name=path.stem, path=path, text=text, description=description,
        scenario=scen_ref, scenario_file=scenario_file, kind=kind, factors=tuple(factors),
        arms=arms, reference=reference, fixed=fixed, base=base, replicates=int(n_rep),
        steps=int(n_steps), seed=int(seed), n=n_samples, levels=int(levels or 4),
        calc_second_order=calc_second, window=int(window), series_period=series_period,
        outcomes=tuple(outcomes), statistic=statistic,
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    try:
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-12)
    except (TypeError, ValueError):
        return a == b


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def arm_label(values: dict[str, Any]) -> str:
    """A grid arm's id: `factor=level` joined by commas, in factor order."""
    return ", ".join(f"{k}={_fmt(v)}" for k, v in values.items())


# --- designs and run plans -----------------------------------------------------------------


@dataclass
class Design:
    """The arms (points) of an experiment.

    `table` has one row per arm: `arm` (id), `point` (0-based index in design order) and one
    column per factor (typed value); sampled designs add `x_<factor>`, the raw SALib sample.
    `overrides[i]` are the parameter values arm i sets on top of the base parameters.
    `problem` is the SALib problem of sampled designs (None otherwise).
    """

    table: pd.DataFrame
    overrides: list[dict[str, Any]]
    problem: dict[str, Any] | None = None


def salib_problem(defn: SweepDefinition) -> dict[str, Any]:
    """SALib's problem dict: factor names and [low, high] bounds (bools: [0, 1])."""
    return {
        "num_vars": len(defn.factors),
        "names": [f.name for f in defn.factors],
        "bounds": [list(f.bounds) for f in defn.factors],
    }


def make_design(defn: SweepDefinition) -> Design:
    """Arms of the experiment: the full grid, the named arms, or a SALib sample."""
    names = [f.name for f in defn.factors]
    rows: list[dict[str, Any]] = []
    overrides: list[dict[str, Any]] = []
    problem = None
    if defn.kind == "grid":
        for combo in product(*(f.levels for f in defn.factors)):
            values = dict(zip(names, combo))
            rows.append({"arm": arm_label(values), **values})
            over: dict[str, Any] = {}
            for f, v in zip(defn.factors, combo):
                over.update(f.assign(v))
            overrides.append(over)
    elif defn.kind == "arms":
        for arm, values in defn.arms.items():
            resolved = {f.name: values.get(f.name, defn.base[f.name]) for f in defn.factors}
            rows.append({"arm": arm, **resolved})
            overrides.append(dict(values))
    else:
        problem = salib_problem(defn)
        x = _salib_sample(defn, problem)
        for i, point in enumerate(x):
            values = {f.name: f.value(xi) for f, xi in zip(defn.factors, point)}
            raw = {f"x_{f.name}": float(xi) for f, xi in zip(defn.factors, point)}
            rows.append({"arm": f"p{i:05d}", **values, **raw})
            over = {}
            for f in defn.factors:
                over.update(f.assign(values[f.name]))
            overrides.append(over)
    table = pd.DataFrame(rows)
    table.insert(1, "point", np.arange(len(table)))
    for i, over in enumerate(overrides):  # every arm must be a valid parameter set
        validate({**defn.base, **over}, where=f"{defn.path}: arm {table['arm'].iloc[i]!r}")
    return Design(table=table, overrides=overrides, problem=problem)


def _salib_sample(defn: SweepDefinition, problem: dict[str, Any]) -> np.ndarray:
    import warnings

    from SALib.sample import latin, morris, sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if defn.kind == "lhs":
            return latin.sample(problem, defn.n, seed=defn.seed)
        if defn.kind == "sobol":
            return sobol.sample(problem, defn.n, calc_second_order=defn.calc_second_order,
                                seed=defn.seed)
        return morris.sample(problem, defn.n, num_levels=defn.levels, seed=defn.seed)


def replicate_seeds(master: int, replicates: int) -> list[int]:
    """Seed of each replicate: the i-th child of SeedSequence(master), as a 32-bit integer.

    The same list is used in every arm (common random numbers), and a longer list extends a
    shorter one (adding replicates keeps the existing ones)."""
    children = np.random.SeedSequence(int(master)).spawn(int(replicates))
    return [int(c.generate_state(1)[0]) for c in children]


MODEL_PARTS = ("core", "runs/runner.py")
"""Parts of the package that decide what a run computes (hashed into every run key): the
model core and the unit of work that runs it. Experiment machinery, interfaces and
validation are left out, so editing a report does not invalidate stored runs."""


def _model_code_hash() -> str:
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for part in MODEL_PARTS:
        root = package / part
        paths = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in paths:
            rel = path.relative_to(package)
            digest.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


MODEL_CODE = _model_code_hash()
"""Hash of the model's source files as imported by this process: part of every run key, so
results of changed model code are never mixed with earlier ones, and recorded by the worker
that ran each run (a mismatch means the files changed during the sweep)."""


def run_key(params: dict[str, Any], seed: int, steps: int, window: int,
            series_period: int | None, version: str = __version__,
            code: str = MODEL_CODE) -> str:
    """Content key of a run: a hash of model version and code, resolved parameters, seed,
    steps, summary window and series period. Equal keys mean equal results."""
    blob = json.dumps(
        {"version": version, "code": code, "params": {k: params[k] for k in sorted(params)},
         "seed": int(seed), "steps": int(steps), "window": int(window),
         "series_period": series_period},
        sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class RunSpec:
    """One planned run: arm × replicate, with its seed and content key."""

    key: str
    arm: str
    point: int
    replicate: int
    seed: int
    overrides: dict[str, Any]


def plan_runs(defn: SweepDefinition, design: Design) -> list[RunSpec]:
    """Every run of the experiment, replicate-major (all arms of replicate 0 first), so an
    interrupted sweep holds complete replicate sets. Replicate i has the same seed in every
    arm."""
    specs = []
    seeds = defn.seeds()
    for rep, seed in enumerate(seeds):
        for i, arm in enumerate(design.table["arm"]):
            params = {**defn.base, **design.overrides[i]}
            key = run_key(params, seed, defn.steps, defn.window, defn.series_period)
            specs.append(RunSpec(key, str(arm), i, rep, seed, design.overrides[i]))
    return specs


def plan_table(specs: list[RunSpec]) -> pd.DataFrame:
    """The plan as a table: key, arm, point, replicate, seed."""
    return pd.DataFrame(
        {"key": [s.key for s in specs], "arm": [s.arm for s in specs],
         "point": [s.point for s in specs], "replicate": [s.replicate for s in specs],
         "seed": [s.seed for s in specs]}
    )


# --- the unit of work on a worker ----------------------------------------------------------


def run_batch(
    base: dict[str, Any],
    items: list[tuple[str, int, dict[str, Any]]],
    steps: int,
    window: int,
    series_period: int | None,
    series_outcomes: tuple[str, ...] = (),
) -> tuple[list[dict[str, Any]], pd.DataFrame | None]:
    """Run several runs (key, seed, overrides) with `sim.runs.runner.run`; never raises for a run.

    Returns one row per run (key, seed, status "ok"/"failed", error, traceback, elapsed,
    summary outcomes) and the kept series (key, step, outcomes) or None. Everything returned
    is a fresh object (safe to ship between processes)."""
    rows: list[dict[str, Any]] = []
    frames: list[pd.DataFrame] = []
    for key, seed, overrides in items:
        start = time.perf_counter()
        row: dict[str, Any] = {"key": key, "seed": int(seed), "model_code": MODEL_CODE}
        try:
            result = _runner.run({**base, **overrides}, int(seed), steps, window=window,
                                 series_period=series_period)
        except Exception as err:  # a failing run is recorded, the sweep goes on
            row.update(status="failed", error=f"{type(err).__name__}: {err}",
                       traceback=traceback.format_exc(),
                       elapsed=time.perf_counter() - start)
        else:
            row.update(status="ok", error=None, traceback=None, elapsed=float(result.elapsed))
            row.update({k: float(v) for k, v in result.summary.items()})
            if series_period and series_outcomes:
                cols = ["step", *[o for o in series_outcomes if o in result.series]]
                s = result.series[cols].copy()
                s.insert(0, "key", key)
                frames.append(s)
        rows.append(row)
    series = pd.concat(frames, ignore_index=True) if frames else None
    return rows, series


# --- evaluators ----------------------------------------------------------------------------


class InProcessEvaluator:
    """Runs batches one after another in this process (no Dask): for debugging and
    `--workers 1`; an exception inside a batch is raised here, with its full traceback."""

    n_workers = 1
    description = "in-process (1 worker, no Dask)"

    def __init__(self) -> None:
        self._queue: deque[tuple[Any, Callable[..., Any], tuple]] = deque()

    def __enter__(self) -> InProcessEvaluator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._queue.clear()

    @property
    def capacity(self) -> int:
        return 1

    @property
    def in_flight(self) -> int:
        return len(self._queue)

    def submit(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        self._queue.append((tag, fn, args))

    def next_done(self) -> tuple[Any, Any, BaseException | None]:
        tag, fn, args = self._queue.popleft()
        try:
            return tag, fn(*args), None
        except Exception as err:
            return tag, None, err

    def cancel(self) -> None:
        self._queue.clear()


TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
"""Dask's nanny sets glibc's MALLOC_TRIM_THRESHOLD_=65536 in its workers by default, which
makes this model's large short-lived NumPy temporaries 2-3x slower (memory returned to and
taken back from the kernel every month); the local cluster leaves glibc's default."""


class DaskEvaluator:
    """Runs batches on a Dask distributed cluster: an existing scheduler (`address`), or a
    LocalCluster of `workers` single-threaded processes started here and closed after."""

    def __init__(self, workers: int | None = None, address: str | None = None,
                 timeout: str = "30s") -> None:
        self.workers = workers
        self.address = address
        self.timeout = timeout
        self.client: Any = None
        self.cluster: Any = None
        self._futures: dict[Any, Any] = {}
        self._done: Any = None
        self.n_workers = 0
        self.description = ""

    def __enter__(self) -> DaskEvaluator:
        import logging

        import dask
        from distributed import Client, LocalCluster, as_completed

        try:
            if self.address:
                self.client = Client(self.address, timeout=self.timeout)
                self.description = f"Dask scheduler at {self.address}"
            else:
                n = self.workers or os.cpu_count() or 1
                with dask.config.set({TRIM_KEY: None}):
                    self.cluster = LocalCluster(
                        n_workers=n, threads_per_worker=1, processes=True,
                        dashboard_address=None, silence_logs=logging.ERROR,
                    )
                self.client = Client(self.cluster)
                self.description = f"Dask LocalCluster ({n} worker processes)"
        except OSError as err:
            raise ScenarioError(
                f"--scheduler {self.address}: cannot connect to the Dask scheduler ({err})"
            ) from None
        self.n_workers = max(1, sum(self.client.nthreads().values()))
        self._done = as_completed()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cancel()
        with contextlib.suppress(Exception):
            self.client.close(timeout=10)
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close(timeout=10)

    @property
    def capacity(self) -> int:
        return 2 * self.n_workers + 2

    @property
    def in_flight(self) -> int:
        return len(self._futures)

    def submit(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        future = self.client.submit(fn, *args, pure=False)
        self._futures[future.key] = (tag, future)
        self._done.add(future)

    def next_done(self) -> tuple[Any, Any, BaseException | None]:
        future = next(self._done)
        tag, _ = self._futures.pop(future.key)
        try:
            return tag, future.result(), None
        except Exception as err:
            return tag, None, err
        finally:
            future.release()

    def cancel(self) -> None:
        futures = [f for _, f in self._futures.values()]
        self._futures.clear()
        if futures and self.client is not None:
            with contextlib.suppress(Exception):
                self.client.cancel(futures)


def make_evaluator(workers: int | None = None, scheduler: str | None = None
                   ) -> InProcessEvaluator | DaskEvaluator:
    """`scheduler` (or DASK_SCHEDULER_ADDRESS when `workers` is not given) → that cluster;
    workers == 1 → in-process; otherwise a LocalCluster of `workers` (default: all cores)."""
    if scheduler:
        return DaskEvaluator(address=scheduler)
    if workers == 1:
        return InProcessEvaluator()
    env = os.environ.get("DASK_SCHEDULER_ADDRESS")
    if workers is None and env:
        return DaskEvaluator(address=env)
    return DaskEvaluator(workers=workers)


def _is_killed_worker(err: BaseException) -> bool:
    try:
        from distributed.scheduler import KilledWorker
    except ImportError:  # pragma: no cover - dask is a dependency
        return False
    return isinstance(err, KilledWorker)


# --- the engine ----------------------------------------------------------------------------


@dataclass
class SweepOutcome:
    """Counts of one `execute` call."""

    planned: int = 0          # runs in the plan (arms × replicates)
    unique: int = 0           # distinct keys among them
    stored_ok: int = 0        # already stored OK before this call (skipped)
    stored_failed: int = 0    # already stored as failed before this call
    to_run: int = 0           # runs this call set out to do
    ok: int = 0               # finished OK in this call
    failed: int = 0           # failed in this call
    resubmitted: int = 0      # runs re-submitted alone after a worker died
    interrupted: bool = False
    elapsed: float = 0.0
    evaluator: str = ""
    failures: list[tuple[str, str]] = field(default_factory=list)  # (arm, error)

    @property
    def missing(self) -> int:
        """Runs of the plan with no OK result stored after this call."""
        return self.unique - self.stored_ok - self.ok


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def auto_batch_size(n_runs: int, n_workers: int) -> int:
    """Runs per task: about ten tasks per worker, between 1 and 25 runs each."""
    return int(min(25, max(1, math.ceil(n_runs / max(1, 10 * n_workers)))))


def execute(
    defn: SweepDefinition,
    design: Design,
    store: Any,
    evaluator: InProcessEvaluator | DaskEvaluator,
    *,
    retry_failed: bool = False,
    batch_size: int | None = None,
    progress: bool = True,
    on_batch: Callable[[int], None] | None = None,
) -> SweepOutcome:
    """Run the runs of the plan that `store` does not hold yet and append their results.

    Skips keys stored OK; keys stored as failed are re-run only with `retry_failed`. Results
    are written one Parquet part per finished batch. A batch lost with a dying worker is
    re-submitted one run per task, once. Ctrl-C stops cleanly: everything finished so far
    stays stored, and running the same command again resumes. The evaluator must be entered
    (`with evaluator:`)."""
    start = time.perf_counter()
    specs = plan_runs(defn, design)
    spec_by_key: dict[str, RunSpec] = {}
    for s in specs:
        spec_by_key.setdefault(s.key, s)
    status = store.statuses()
    out = SweepOutcome(planned=len(specs), unique=len(spec_by_key),
                       evaluator=getattr(evaluator, "description", ""))
    todo: list[RunSpec] = []
    for key, spec in spec_by_key.items():
        st = status.get(key)
        if st == "ok":
            out.stored_ok += 1
        elif st == "failed":
            out.stored_failed += 1
            if retry_failed:
                todo.append(spec)
        else:
            todo.append(spec)
    out.to_run = len(todo)
    if not todo:
        out.elapsed = time.perf_counter() - start
        return out

    factor_values = design.table.set_index("point")[[f.name for f in defn.factors]]
    size = batch_size or auto_batch_size(len(todo), evaluator.n_workers)
    pending: deque[tuple[list[RunSpec], bool]] = deque((c, False) for c in _chunks(todo, size))
    args = (defn.steps, defn.window, defn.series_period,
            defn.outcomes if defn.series_period else ())

    bar = _progress_bar(out, progress)
    try:
        while pending or evaluator.in_flight:
            while pending and evaluator.in_flight < evaluator.capacity:
                chunk, alone = pending.popleft()
                items = [(s.key, s.seed, s.overrides) for s in chunk]
                evaluator.submit((chunk, alone), run_batch, defn.base, items, *args)
            (chunk, alone), result, err = evaluator.next_done()
            if err is not None:
                if _is_killed_worker(err) and not alone:
                    out.resubmitted += len(chunk)
                    pending.extend(([s], True) for s in chunk)
                    continue
                rows = [_failure_row(s, err) for s in chunk]
                series = None
            else:
                rows, series = result
                rows = [_check_code(r) for r in rows]
            _store_rows(store, rows, series, spec_by_key, factor_values)
            n_ok = sum(r["status"] == "ok" for r in rows)
            out.ok += n_ok
            out.failed += len(rows) - n_ok
            out.failures.extend(
                (spec_by_key[r["key"]].arm, str(r["error"])) for r in rows if r["status"] != "ok")
            if bar is not None:
                bar.set_postfix_str(_postfix(out), refresh=False)
                bar.update(len(rows))
            if on_batch is not None:
                on_batch(len(rows))
    except KeyboardInterrupt:
        out.interrupted = True
        evaluator.cancel()
    finally:
        if bar is not None:
            bar.close()
        out.elapsed = time.perf_counter() - start
    return out


def _check_code(row: dict[str, Any]) -> dict[str, Any]:
    """A run computed by different model code than this process's is not what its key says:
    record it as failed (it is re-run with --retry-failed once the files are settled)."""
    if row.get("model_code") == MODEL_CODE or row["status"] != "ok":
        return row
    return {**{k: v for k, v in row.items() if not k.startswith(("final_", "mean_"))},
            "status": "failed",
            "error": (f"ModelCodeMismatch: the worker ran model code {row.get('model_code')} "
                      f"but this sweep expects {MODEL_CODE}; the model's files changed while "
                      "the sweep ran, or the cluster's workers run another version of sim"),
            "traceback": None}


def _failure_row(spec: RunSpec, err: BaseException) -> dict[str, Any]:
    if _is_killed_worker(err):
        message = (f"KilledWorker: the worker process died while running this run, twice "
                   f"(alone the second time): {err}")
    else:
        message = f"{type(err).__name__}: {err}"
    tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    return {"key": spec.key, "seed": spec.seed, "model_code": None, "status": "failed",
            "error": message, "traceback": tb, "elapsed": float("nan")}


def _store_rows(store: Any, rows: list[dict[str, Any]], series: pd.DataFrame | None,
                spec_by_key: dict[str, RunSpec], factor_values: pd.DataFrame) -> None:
    records = []
    for r in rows:
        spec = spec_by_key[r["key"]]
        meta = {"key": r["key"], "arm": spec.arm, "point": spec.point,
                "replicate": spec.replicate, "seed": spec.seed}
        factors = factor_values.loc[spec.point].to_dict()
        records.append({**meta, **factors, **{k: v for k, v in r.items() if k not in meta}})
    store.append(records, series)


def _progress_bar(out: SweepOutcome, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    bar = tqdm(total=out.unique, initial=out.unique - out.to_run, unit="run",
               desc="sweep", dynamic_ncols=True, mininterval=0.5, smoothing=0.1)
    bar.set_postfix_str(_postfix(out), refresh=False)
    return bar


def _postfix(out: SweepOutcome) -> str:
    skipped = out.unique - out.to_run
    return f"done={out.ok} failed={out.failed} skipped={skipped}"


def describe_plan(defn: SweepDefinition, design: Design) -> str:
    """One line: design kind, arms, replicates, runs."""
    n_arms = len(design.table)
    return (f"{defn.kind} design: {n_arms} arm{'s' if n_arms != 1 else ''} × "
            f"{defn.replicates} replicate{'s' if defn.replicates != 1 else ''} = "
            f"{n_arms * defn.replicates} runs of {defn.steps} months")

