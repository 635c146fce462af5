"""Experiment definitions: the TOML file of a sweep, read and validated in one pass.

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

    [factors.policy.pilot]         # fields of the scenario's [[policy]] entry labelled
    month = [12, 24]               # "pilot" (or numbered 1, 2, ...): policy.pilot.month
                                   # (sim.experiments.timeline_factors)

    [fixed]                        # parameter overrides on top of the scenario
    n_streets = 3

    [arms.reference]               # kind = "arms": named arms, each a set of overrides
    [arms.full_one_shoulder]
    xa_one_shoulder = 1.0

The base scenario's policy timeline and its `[world]` tables apply to every run. An
experiment may add `[[policy]]` entries of its own (added to the base scenario's, as a
scenario's are to those of the scenario it extends) and name its own `[world]` (replacing
the base scenario's), written as in a scenario file — the browser's Sweep tab saves the
session's timeline and district so:

    [[policy]]                     # month, set, streets, ... as in a scenario
    month = 24
    [policy.set]
    responsibility_list = true

    [world]
    folder = "../districts/example"   # relative to this file

    [uncertainty]                  # optional: run every arm over parameter draws × replicates
    draws = 64                     # (each draw its own seeds, the same in every arm)
    table = "../docs/validation/posterior.parquet"   # first rows of a table of draws
    [uncertainty.ranges]           # and/or plausible ranges sampled by a Latin hypercube
    overload_penalty = [0.5, 3.0]

    [[discover]]                   # optional: under which conditions (needs [uncertainty])
    outcome = "satisfaction_mean"
    where = "effect < 0"           # over effect, value, reference (per draw)
    arm = "full_one_shoulder"      # default: every arm but the reference

`load_sweep` validates the whole file, raising `ScenarioError` naming the file, key, value and
what is allowed, before anything runs. The flow after it is one way: `sim.experiments.design`
builds the arms, `sim.experiments.plan` crosses them with replicate seeds and keys every run,
`sim.experiments.engine` runs what the store lacks through an evaluator
(`sim.experiments.evaluators`), and `sim.experiments.analysis` reports on the store.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

from sim import __version__
from sim.core.district import District
from sim.core.metrics import OUTCOMES
from sim.core.params import BY_NAME, ScenarioError, validate
from sim.core.policy import Timeline
from sim.core.scenario import load_scenario, scenario_dir
from sim.runs import runner as _runner

from . import timeline_factors as TF
from .design import arm_label, design_size, format_level, replicate_seeds
from .discovery import Question, parse_questions
from .plan import MODEL_CODE
from .uncertainty import Uncertainty, parse_uncertainty

__all__ = [
    "DESIGN_KINDS",
    "SAMPLED_KINDS",
    "Factor",
    "SweepDefinition",
    "load_sweep",
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
    "arms": 'table of named arms (kind = "arms")',
    "uncertainty": "table: draws, table, ranges (run every arm over parameter draws)",
    "discover": "list of tables: outcome, where, arm (under which conditions)",
    "policy": "[[policy]] entries added to the base scenario's timeline",
    "world": "table: folder of a district's tables (replaces the base scenario's [world])",
}
DESIGN_KEYS = {
    "kind": DESIGN_KINDS,
    "reference": ("grid", "arms"),
    "n": SAMPLED_KINDS,
    "levels": ("morris",),
    "calc_second_order": ("sobol",),
}
"""Keys of [design] and the design kinds each applies to."""
MAX_RUNS = 1_000_000
"""Most runs one experiment may plan (its plan is held in memory and stored as a table)."""
DEFAULT_SEED = 1
DEFAULT_REPLICATES = 5


@dataclass(frozen=True)
class Factor:
    """One dimension of a design: a parameter, or a named composite setting several
    parameters (`params`) to the same value."""

    name: str
    params: tuple[str, ...]
    levels: tuple[Any, ...] = ()
    bounds: tuple[float, float] | None = None
    kind: type | None = None  # the values' type where it is not a parameter's (timelines)

    @property
    def type(self) -> type:
        return self.kind or BY_NAME[self.params[0]].type

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
    timeline: Timeline = field(default_factory=Timeline)  # the base scenario's
    district: District | None = None  # the base scenario's [world] tables
    uncertainty: Uncertainty | None = None  # parameter draws every arm runs over
    questions: tuple[Question, ...] = ()  # [[discover]]: under which conditions

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
            "timeline": self.timeline.to_list(),
            "world": self.district.fingerprint() if self.district is not None else None,
            "uncertainty": self.uncertainty.to_dict() if self.uncertainty else None,
            "discover": [q.to_dict() for q in self.questions],
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


def _check_level(
    where: str, factor: str, param: str, value: Any, timeline: Timeline = Timeline()
) -> Any:
    try:
        if TF.is_timeline_field(param):
            return TF.check_level(timeline, param, value)
        return BY_NAME[param].check(value)
    except ValueError as err:
        what = f"[factors] {factor}" + (f" (sets {param})" if factor != param else "")
        raise ScenarioError(f"{where}: {what}: level {value!r} {err}") from None


def _factor_params(
    where: str, name: str, spec: Any, timeline: Timeline
) -> tuple[tuple[str, ...], Any, type]:
    """Split a factor entry into (parameters or timeline fields it sets, its
    levels-or-range value, their type)."""
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
            raise _err(
                where, f"[factors.{name}] sets", sets, "must be a non-empty list of parameter names"
            )
        values = spec.get("levels", spec.get("range"))
        if values is None:
            raise ScenarioError(
                f"{where}: [factors.{name}] needs `levels = [...]` (grid) or "
                "`range = [low, high]` (sampled designs)"
            )
        params = tuple(sets)
    else:
        params, values = (name,), spec
    kinds = set()
    for p in params:
        if TF.is_timeline_field(p):
            try:
                kinds.add(TF.field_type(timeline, p))
            except ScenarioError as err:
                raise ScenarioError(f"{where}: {err}") from None
            continue
        if p not in BY_NAME:
            raise ScenarioError(f"{where}: [factors] {p!r} is not a model parameter{_suggest(p)}")
        kinds.add(BY_NAME[p].type)
    if len(kinds) > 1:
        raise ScenarioError(
            f"{where}: [factors.{name}] sets parameters of different types "
            f"({', '.join(params)}); a composite factor needs parameters of one type"
        )
    return params, values, kinds.pop()


def _suggest(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, BY_NAME, n=1)
    return f" (did you mean {close[0]!r}?)" if close else " (see `python -m sim params`)"


def _grid_factor(where: str, name: str, spec: Any, timeline: Timeline) -> Factor:
    params, values, ptype = _factor_params(where, name, spec, timeline)
    if not isinstance(values, list) or not values:
        raise _err(where, f"[factors] {name}", values, "must be a non-empty list of levels")
    levels = []
    for v in values:
        checked = [_check_level(where, name, p, v, timeline) for p in params]  # valid for each
        levels.append(checked[0])
    if len(set(map(repr, levels))) != len(levels):
        raise _err(where, f"[factors] {name}", values, "repeats a level; list each level once")
    return Factor(name, params, levels=tuple(levels), kind=_kind(params, ptype))


def _kind(params: tuple[str, ...], ptype: type) -> type | None:
    return ptype if any(TF.is_timeline_field(p) for p in params) else None


def _sampled_factor(where: str, kind: str, name: str, spec: Any, timeline: Timeline) -> Factor:
    params, values, ptype = _factor_params(where, name, spec, timeline)
    if ptype is str:
        raise ScenarioError(
            f"{where}: [factors] {name}: a text parameter can only be a grid factor, "
            f"not part of a {kind} design"
        )
    if not isinstance(values, list) or len(values) != 2:
        raise _err(
            where, f"[factors] {name}", values, f"must be a range [low, high] for a {kind} design"
        )
    for p in params:
        low, high = (_check_level(where, name, p, v, timeline) for v in values)
    kind_of = _kind(params, ptype)
    if ptype is bool:
        if (low, high) != (False, True):
            raise _err(
                where, f"[factors] {name}", values, "must be [false, true] for an on/off parameter"
            )
        return Factor(name, params, bounds=(0.0, 1.0), kind=kind_of)
    if not low < high:
        raise _err(where, f"[factors] {name}", values, "must have low < high")
    if ptype is int:  # so that rounding gives every integer an equal share of the range
        return Factor(name, params, bounds=(low - 0.5 + 1e-9, high + 0.5 - 1e-9), kind=kind_of)
    return Factor(name, params, bounds=(float(low), float(high)), kind=kind_of)


def load_sweep(
    path: str | Path,
    *,
    replicates: int | None = None,
    steps: int | None = None,
    text: str | None = None,
) -> SweepDefinition:
    """Read and validate an experiment file; `replicates`/`steps` override the file's values.
    With `text`, that TOML text is the definition and `path` only names it (its stem is the
    experiment's name, its folder where a relative `scenario` is looked for).

    Raises ScenarioError (file, key, value, what is allowed) on any problem, before any run.
    """
    from sim.core.scenario import _read_toml  # the same TOML reader and messages as scenarios

    path = Path(path)
    if text is not None:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ScenarioError(f"{path}: not valid TOML ({err})") from None
    else:
        if (
            not path.is_file()
            and not path.suffix
            and (Path("experiments") / f"{path}.toml").is_file()
        ):
            path = Path("experiments") / f"{path}.toml"
        if path.is_dir():
            raise ScenarioError(f"{path}: is a folder, not an experiment file")
        data = _read_toml(path)
        text = path.read_text(encoding="utf-8-sig")
    where = str(path)

    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        raise ScenarioError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(TOP_KEYS)}")

    description = data.get("description", "")
    if not isinstance(description, str):
        raise _err(where, "description", description, "must be a string")

    design = data.get("design", {})
    if not isinstance(design, dict):
        raise _err(where, "design", design, "must be a table ([design])")
    bad = [k for k in design if k not in DESIGN_KEYS]
    if bad:
        raise ScenarioError(
            f"{where}: [design] unknown key {bad[0]!r}; allowed: {', '.join(DESIGN_KEYS)}"
        )
    kind = design.get("kind", "grid")
    if kind not in DESIGN_KINDS:
        raise _err(
            where,
            "[design] kind",
            kind,
            "is not a design; allowed: " + ", ".join(repr(k) for k in DESIGN_KINDS),
        )
    for key, value in design.items():
        if kind not in DESIGN_KEYS[key]:
            kinds = " and ".join(", ".join(DESIGN_KEYS[key]).rsplit(", ", 1))
            raise _err(
                where, f"[design] {key}", value, f"applies to {kinds} designs only, not {kind}"
            )

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
            raise _err(
                where,
                f"[fixed] {key}",
                value,
                "must be a parameter value (write parameters flat in [fixed])",
            )
    fixed = {k: v for k, v in validate(fixed, where=f"{where}: [fixed]").items() if k in fixed}
    scenario = _with_own_timeline_and_world(load_scenario(scenario_file), data, path)
    base = validate({**scenario.params, **fixed}, where=f"{where}: [fixed]")

    # run settings
    n_rep = (
        replicates
        if replicates is not None
        else _int_setting(where, data, "replicates", DEFAULT_REPLICATES, 1)
    )
    if n_rep < 1:
        raise _err("--replicates", "replicates", n_rep, "must be an integer >= 1")
    n_steps = steps if steps is not None else _int_setting(where, data, "steps", scenario.steps, 1)
    if n_steps < 1:
        raise _err("--steps", "steps", n_steps, "must be an integer >= 1")
    seed = _int_setting(where, data, "seed", DEFAULT_SEED, 0)
    window = _int_setting(where, data, "window", min(_runner.SUMMARY_WINDOW, n_steps), 1)
    series_period = _int_setting(where, data, "series_period", None, 1)
    runs_for = (
        "--steps"
        if steps is not None
        else "steps"
        if "steps" in data
        else f"the steps of {scenario_file.name}"
    )
    for key, value in (("window", window), ("series_period", series_period)):
        if value is not None and value > n_steps:
            raise _err(
                where,
                key,
                value,
                f"is longer than the runs ({runs_for}: {n_steps} months); "
                f"{key} must be at most the number of months",
            )
    statistic = data.get("statistic", "mean")
    if statistic not in STATISTICS:
        raise _err(where, "statistic", statistic, "must be 'mean' or 'final'")
    outcomes = data.get("outcomes", list(OUTCOMES))
    if not isinstance(outcomes, list) or not outcomes:
        raise _err(where, "outcomes", outcomes, "must be a non-empty list of outcome names")
    for o in outcomes:
        if not isinstance(o, str) or o not in OUTCOMES:
            import difflib

            close = difflib.get_close_matches(str(o), OUTCOMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ScenarioError(
                f"{where}: outcomes: {o!r} is not an outcome{hint}; allowed: {', '.join(OUTCOMES)}"
            )
    if len(set(outcomes)) != len(outcomes):
        raise _err(where, "outcomes", outcomes, "lists an outcome twice")

    # factors and arms
    factors_raw = data.get("factors", {})
    arms_raw = data.get("arms", {})
    if not isinstance(factors_raw, dict) or not isinstance(arms_raw, dict):
        raise ScenarioError(f"{where}: [factors] and [arms] must be tables")
    factors_raw = TF.flatten(factors_raw)
    n_samples = levels = None
    calc_second = bool(design.get("calc_second_order", False))
    if "calc_second_order" in design and not isinstance(design["calc_second_order"], bool):
        raise _err(
            where,
            "[design] calc_second_order",
            design["calc_second_order"],
            "must be true or false",
        )
    arms: dict[str, dict[str, Any]] = {}
    reference: str | None = None
    factors: list[Factor] = []
    if kind == "arms":
        if factors_raw:
            raise ScenarioError(
                f'{where}: kind = "arms" takes named [arms.<name>] tables, not [factors]'
            )
        if not arms_raw:
            raise ScenarioError(f'{where}: kind = "arms" needs at least one [arms.<name>] table')
        for arm, values in arms_raw.items():
            if not isinstance(values, dict):
                raise _err(
                    where,
                    f"[arms] {arm}",
                    values,
                    "must be a table of parameter values ([arms.<name>])",
                )
            checked = validate({**base, **values}, where=f"{where}: [arms.{arm}]")
            arms[arm] = {k: checked[k] for k in values}
        varied = sorted({k for values in arms.values() for k in values}, key=list(BY_NAME).index)
        factors = [
            Factor(p, (p,), levels=tuple(sorted({arms[a].get(p, base[p]) for a in arms}, key=repr)))
            for p in varied
        ]
        reference = design.get("reference", next(iter(arms)))
        if not isinstance(reference, str) or reference not in arms:
            raise _err(
                where,
                "[design] reference",
                reference,
                "is not an arm; allowed: " + ", ".join(repr(a) for a in arms),
            )
    else:
        if arms_raw:
            raise ScenarioError(f'{where}: [arms] tables need kind = "arms" in [design]')
        if not factors_raw:
            raise ScenarioError(f"{where}: [factors] is empty; a {kind} design needs factors")
        for name, spec in factors_raw.items():
            if kind == "grid":
                factors.append(_grid_factor(where, name, spec, scenario.timeline))
            else:
                factors.append(_sampled_factor(where, kind, name, spec, scenario.timeline))
        seen: dict[str, str] = {}
        for f in factors:
            for p in f.params:
                if p in seen:
                    raise ScenarioError(
                        f"{where}: parameter {p!r} is set by two factors "
                        f"({seen[p]!r} and {f.name!r})"
                    )
                seen[p] = f.name
                if p in fixed:
                    raise ScenarioError(f"{where}: {p!r} is both a factor and in [fixed]; keep one")
        if kind == "grid":
            ref = design.get("reference")
            if ref is None:
                reference = arm_label({f.name: f.levels[0] for f in factors})
            else:
                if not isinstance(ref, dict):
                    raise _err(
                        where,
                        "[design] reference",
                        ref,
                        "must be a table giving one level per factor, e.g. "
                        f"{{ {factors[0].name} = {format_level(factors[0].levels[0])} }}",
                    )
                levels_of = {}
                for f in factors:
                    if f.name not in ref:
                        levels_of[f.name] = f.levels[0]
                        continue
                    value = ref[f.name]
                    match = [lv for lv in f.levels if _same(lv, value)]
                    if not match:
                        raise _err(
                            where,
                            f"[design] reference {f.name}",
                            value,
                            "is not one of its levels: "
                            + ", ".join(format_level(v) for v in f.levels),
                        )
                    levels_of[f.name] = match[0]
                extra = set(ref) - {f.name for f in factors}
                if extra:
                    raise _err(
                        where,
                        "[design] reference",
                        ref,
                        f"names {sorted(extra)[0]!r}, which is not a factor",
                    )
                reference = arm_label(levels_of)
        else:
            default_n = {"lhs": 64, "sobol": 16, "morris": 10}[kind]
            n_samples = _int_setting(where, design, "n", default_n, 1)
            if kind == "sobol" and n_samples & (n_samples - 1):
                raise _err(
                    where,
                    "[design] n",
                    n_samples,
                    "must be a power of 2 for a sobol design (SALib's Saltelli "
                    "sequence), e.g. 8, 16, 32, 64",
                )
            if kind == "morris" and len(factors) < 2:
                raise ScenarioError(f"{where}: a morris design needs at least 2 factors")
            if kind == "sobol" and len(factors) < 2:
                raise ScenarioError(f"{where}: a sobol design needs at least 2 factors")
        levels = _int_setting(where, design, "levels", 4, 2)

    uncertainty = None
    if "uncertainty" in data:
        uncertainty = parse_uncertainty(where, data["uncertainty"], path)
        set_by = {p: f"factor {f.name!r}" for f in factors for p in f.params}
        set_by.update({p: f"arm {a!r}" for a, values in arms.items() for p in values})
        set_by.update({p: "[fixed]" for p in fixed})
        for p in uncertainty.names:
            if p in set_by:
                raise ScenarioError(
                    f"{where}: {p!r} is uncertain ([uncertainty]) and set by {set_by[p]}; keep one"
                )
    questions: tuple[Question, ...] = ()
    if "discover" in data:
        if uncertainty is None or reference is None:
            raise ScenarioError(
                f"{where}: [[discover]] needs [uncertainty] draws and a "
                "reference arm (grid or arms design) to compare against"
            )
        names = (
            list(arms)
            if kind == "arms"
            else [
                arm_label(dict(zip([f.name for f in factors], combo)))
                for combo in product(*(f.levels for f in factors))
            ]
        )
        questions = parse_questions(
            where, data["discover"], tuple(outcomes), [a for a in names if a != reference]
        )

    defn = SweepDefinition(
        name=path.stem,
        path=path,
        text=text,
        description=description,
        scenario=scen_ref,
        scenario_file=scenario_file,
        kind=kind,
        factors=tuple(factors),
        arms=arms,
        reference=reference,
        fixed=fixed,
        base=base,
        replicates=int(n_rep),
        steps=int(n_steps),
        seed=int(seed),
        n=n_samples,
        levels=int(levels or 4),
        calc_second_order=calc_second,
        window=int(window),
        series_period=series_period,
        outcomes=tuple(outcomes),
        statistic=statistic,
        timeline=scenario.timeline,
        district=scenario.district,
        uncertainty=uncertainty,
        questions=questions,
    )
    points = design_size(defn)
    if points * defn.replicates > MAX_RUNS:
        src = "--replicates" if replicates is not None else "replicates"
        raise ScenarioError(
            f"{where}: {src} = {defn.replicates:,} with {points:,} "
            f"{'arms' if kind in ('grid', 'arms') else 'design points'} makes "
            f"{points * defn.replicates:,} runs; at most {MAX_RUNS:,} runs fit one experiment: "
            "use fewer replicates or a smaller design, or split the experiment"
        )
    return defn


def _with_own_timeline_and_world(scenario: Any, data: dict[str, Any], path: Path) -> Any:
    """The base scenario with the experiment's own `[[policy]]` entries added to its
    timeline and its own `[world]` in place of the scenario's (read as a scenario's)."""
    from dataclasses import replace

    from sim.core.policy import parse_timeline
    from sim.core.scenario import _world_folder

    if "policy" in data:
        added = parse_timeline(data["policy"], where=str(path)).changes
        changes = sorted([*scenario.timeline.changes, *added], key=lambda c: c.month)
        scenario = replace(scenario, timeline=Timeline(changes))
    if "world" in data:
        scenario = scenario.with_world(_world_folder(path, data["world"]))
    return scenario


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    try:
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-12)
    except (TypeError, ValueError):
        return a == b


def definition_toml(data: dict[str, Any]) -> str:
    """An experiment given as a dict (as `tomllib` reads a file) written as TOML text that
    reads back as `data`, in its order: top-level values, then one `[table]` per table (tables
    within it inline) and one `[[table]]` per entry of an array of tables."""
    lines = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in data.items() if not _table(v)]
    for key, value in data.items():
        entries = [value] if isinstance(value, dict) else value if _table(value) else []
        for entry in entries:
            brackets = ("[", "]") if isinstance(value, dict) else ("[[", "]]")
            lines += ["", f"{brackets[0]}{_toml_key(key)}{brackets[1]}"]
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines).strip() + "\n"


def _table(value: Any) -> bool:
    """A table or a non-empty array of tables."""
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise ScenarioError(f"{value!r}: a {type(value).__name__} cannot be written in TOML")
