"""The policy screen's definition: which contrasts, over which parameters and ranges.

"What sets the sign" asks, for each policy contrast a researcher cares about, which of the
model's assumptions decide the sign of its paired effect (policy arm minus reference arm at
the same parameter values and the same seed). A screen definition (`experiments/screen.toml`,
read by `load_screen`) names the contrasts, one line each::

    [contrasts]
    devolution_no_capacity = { policy = "devolution_no_capacity", outcomes = ["absorption_rate"] }
    both_lists = { policy = { responsibility_list = true, access_list = true } }
    xa_oc_push = { policy = { xa_secretary_chairs_oc = 1.0 }, reference = "pre_reform" }

A policy or reference is a scenario (its arm sets what the scenario changes from the base
scenario) or a table of parameter values (set on top of the reference); the reference is the
base scenario unless named. Every contrast is measured on needs met and satisfaction and on
the outcomes it lists (the outcomes the policy targets).

The parameters screened are read from the schema (`sim.core.params.PARAMS`) when the screen
runs, so a parameter added to the model is screened without editing anything: every
parameter is screened except the levers (`levers`: `sim.core.policy.LEVER_SCOPE`, and every
parameter the schema marks as a lever), the parameters the definition excludes by name
(``[exclude]``) or by schema group (``[exclude_groups]``), each with its reason, and those
its reduced world fixes (``[world]``). Each screened parameter varies over its plausible range:
the range given in ``[ranges]`` (the format of `sim.experiments.uncertainty.parse_prior`),
else its schema range narrowed to at most `band` times its default either way (the schema's
bounds say what the model accepts, not what is plausible; `band = 0` keeps them).
Parameters that are one assumption in several numbers form a group (``[groups]``): its
members move together, each over its own range, as one factor of the design; a member
written with a leading minus (``"-exit_patience"``) runs from the high to the low end of its
range as the group moves up, so that every group moves in one direction (e.g. "firms are
disciplined more": more detection, fewer strikes before a re-tender).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.core.district import District
from sim.core.metrics import OUTCOMES
from sim.core.params import BY_NAME, GROUPS, PARAMS, Param, ScenarioError, validate
from sim.core.policy import LEVER_SCOPE, Timeline
from sim.core.scenario import load_scenario, scenario_dir

from .uncertainty import Uncertain, parse_prior

__all__ = [
    "Contrast",
    "ScreenFactor",
    "ScreenDefinition",
    "PRIMARY_OUTCOMES",
    "levers",
    "plausible_range",
    "load_screen",
]

PRIMARY_OUTCOMES = ("needs_met", "satisfaction_mean")
"""Outcomes every contrast is measured on, first."""

TOP_KEYS = {
    "extends": "another screen definition this one changes (a file beside it)",
    "description": "one line saying what the screen asks",
    "scenario": "base scenario (name in scenarios/ or path relative to this file)",
    "steps": "months per run",
    "seed": "master seed",
    "window": "months averaged into each run's summaries",
    "world": "table: parameter values every run of the screen sets (a reduced world)",
    "reference": "table: steps and world of the check that the reduced settings keep the sign",
    "design": "table: trajectories, levels, seeds, candidates, band",
    "contrasts": "table: one contrast per line",
    "groups": "table: parameters that move together",
    "exclude": "table: parameters not screened, with the reason",
    "exclude_groups": "table: schema groups not screened, with the reason",
    "ranges": "table: plausible ranges (uncertainty format)",
}
DESIGN_KEYS = {
    "trajectories": "Morris trajectories (r)",
    "levels": "Morris grid levels",
    "seeds": "paired seeds at the default point, the range ends and the maps",
    "candidates": "factors per contrast whose range ends are run",
    "band": "largest factor between a parameter's default and the ends of its range",
}
DEFAULTS = {"trajectories": 4, "levels": 4, "seeds": 6, "candidates": 4, "band": 4.0}
CONTRAST_KEYS = ("policy", "reference", "outcomes", "label")
BASE_ARM = "baseline"
MAX_RUNS = 1_000_000


def levers() -> tuple[str, ...]:
    """Every lever of the schema, in schema order: the parameters `sim.core.policy` places
    (LEVER_SCOPE) and those whose meaning or source says they are a lever."""
    return tuple(
        p.name
        for p in PARAMS
        if p.name in LEVER_SCOPE or "(lever)" in p.help or "policy lever" in p.source
    )


def plausible_range(param: Param, band: float) -> Uncertain:
    """The schema range of `param`, narrowed to [default / band, default × band] where the
    schema allows more (a bound of 0 stays: 'none' is a plausible amount); `band = 0` keeps
    the schema range. Integers keep integer ends."""
    low, high = float(param.low), float(param.high)
    d = float(param.default)
    if band and d > 0:
        high = min(high, d * band)
        if low > 0:
            low = max(low, d / band)
        if param.type is int:
            low, high = float(math.floor(low)), float(math.ceil(high))
    return Uncertain(param.name, low, high)


@dataclass(frozen=True)
class ScreenFactor:
    """One factor of the design: a parameter, or a group of parameters moving together.

    A factor is at position `u` in [0, 1]: every member is at the same position of its own
    plausible range (`ranges`), so u = 0 puts each at the low end of its range and u = 1 at
    the high end — or, for a member whose `signs` entry is −1, at the high and low end."""

    name: str
    params: tuple[str, ...]
    ranges: tuple[Uncertain | None, ...]  # None: a parameter without a numeric range
    signs: tuple[int, ...] = ()  # +1 or −1 per member (empty: all +1)

    def sign(self, param: str) -> int:
        return self.signs[self.params.index(param)] if self.signs else 1

    @property
    def is_group(self) -> bool:
        return len(self.params) > 1 or self.params[0] != self.name

    def value(self, param: str, u: float) -> Any:
        """The typed value of member `param` at position `u`."""
        i = self.params.index(param)
        p, r = BY_NAME[param], self.ranges[i]
        u = min(max(float(u), 0.0), 1.0)
        if self.sign(param) < 0:
            u = 1.0 - u
        if p.type is bool:
            return bool(u >= 0.5)
        if p.type is str:
            choices = p.choices
            return choices[min(int(u * len(choices)), len(choices) - 1)]
        assert r is not None
        if p.type is int:  # every integer of the range takes an equal share of [0, 1]
            lo, hi = int(r.low), int(r.high)
            return int(min(hi, lo + math.floor(u * (hi - lo + 1))))
        return float(r.from_unit(np.array(u)))

    def assign(self, u: float) -> dict[str, Any]:
        """Parameter values of every member at position `u`."""
        return {p: self.value(p, u) for p in self.params}

    def default_position(self, base: dict[str, Any]) -> float:
        """Where the base values sit in the ranges (mean over members, clipped to [0, 1])."""
        positions = []
        for p, r in zip(self.params, self.ranges):
            v = base[p]
            if r is None:
                kind = BY_NAME[p].type
                if kind is bool:
                    positions.append(1.0 if v else 0.0)
                else:
                    choices = BY_NAME[p].choices
                    positions.append((choices.index(v) + 0.5) / len(choices))
            else:
                positions.append(float(r.to_unit(np.array(float(v)))))
            if self.sign(p) < 0:
                positions[-1] = 1.0 - positions[-1]
        return float(np.clip(np.mean(positions), 0.0, 1.0))

    def describe(self, param: str) -> str:
        """The member's range as text, with its unit."""
        i = self.params.index(param)
        p, r = BY_NAME[param], self.ranges[i]
        if r is None:
            return "false … true" if p.type is bool else " … ".join(p.choices)
        lo, hi = (int(r.low), int(r.high)) if p.type is int else (r.low, r.high)
        if self.sign(param) < 0:
            lo, hi = hi, lo
        scale = ", log scale" if r.scale == "log" else ""
        return f"{lo:g} … {hi:g} {p.unit}{scale}".rstrip()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "params": list(self.params),
            "signs": [self.sign(p) for p in self.params],
            "ranges": [None if r is None else [r.low, r.high, r.scale] for r in self.ranges],
        }


@dataclass(frozen=True)
class Contrast:
    """A policy contrast: the arm with the policy against its reference arm, and the
    outcomes it is measured on (the primary ones first)."""

    name: str
    label: str
    reference: str  # arm name
    policy: str  # arm name
    outcomes: tuple[str, ...]
    sets: tuple[str, ...]  # parameters its arms set (never screened for it)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "reference": self.reference,
            "policy": self.policy,
            "outcomes": list(self.outcomes),
            "sets": list(self.sets),
        }


@dataclass
class ScreenDefinition:
    """A validated screen: contrasts and their arms, factors and exclusions, settings."""

    name: str
    path: Path
    text: str
    description: str
    scenario: str
    base: dict[str, Any]  # the base scenario with the screen's world
    world: dict[str, Any]
    steps: int
    seed: int
    window: int
    reference_steps: int
    reference_world: dict[str, Any]
    reference_base: dict[str, Any]
    trajectories: int
    levels: int
    seeds: int
    candidates: int
    band: float
    contrasts: tuple[Contrast, ...]
    arms: dict[str, dict[str, Any]]  # arm name -> parameter values on top of `base`
    factors: tuple[ScreenFactor, ...]
    excluded: dict[str, str]  # parameter -> why it is not screened
    timeline: Timeline = field(default_factory=Timeline)
    district: District | None = None

    @property
    def screened(self) -> list[str]:
        return [p for f in self.factors for p in f.params]

    @property
    def morris_points(self) -> int:
        """Points of the Morris design: r (k + 1) for k factors and the noise factor."""
        return self.trajectories * (len(self.factors) + 2)

    def factor(self, name: str) -> ScreenFactor:
        return next(f for f in self.factors if f.name == name)

    def contrast(self, name: str) -> Contrast:
        return next(c for c in self.contrasts if c.name == name)

    def code(self) -> str:
        """A short hash of what decides the screen's runs and analysis (definition and the
        resolved factors), recorded in its results folder."""
        blob = self.text + repr([f.to_dict() for f in self.factors])
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (no machine paths)."""
        return {
            "name": self.name,
            "description": self.description,
            "definition_file": self.path.name,
            "scenario": self.scenario,
            "world": self.world,
            "steps": self.steps,
            "seed": self.seed,
            "window": self.window,
            "reference": {"steps": self.reference_steps, "world": self.reference_world},
            "trajectories": self.trajectories,
            "levels": self.levels,
            "seeds": self.seeds,
            "candidates": self.candidates,
            "band": self.band,
            "contrasts": [c.to_dict() for c in self.contrasts],
            "arms": self.arms,
            "factors": [f.to_dict() for f in self.factors],
            "excluded": self.excluded,
            "levers": list(levers()),
            "code": self.code(),
        }


def _err(where: str, key: str, value: Any, problem: str) -> ScenarioError:
    return ScenarioError(f"{where}: {key} = {value!r} {problem}")


def _table(where: str, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _err(where, key, value, f"must be a table ([{key}])")
    return value


def _positive_int(where: str, table: dict[str, Any], key: str, default: int, low: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise _err(where, key, value, f"must be an integer >= {low}")
    return int(value)


def _param_name(where: str, key: str, name: Any) -> str:
    if not isinstance(name, str) or name not in BY_NAME:
        import difflib

        close = difflib.get_close_matches(str(name), BY_NAME, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else " (see `python -m sim params`)"
        raise ScenarioError(f"{where}: {key}: {name!r} is not a model parameter{hint}")
    return name


def _resolve_scenario(where: str, key: str, ref: str, definition: Path) -> Path:
    """A scenario named in the definition: in scenarios/ first (experiment files beside the
    definition may share a scenario's name), then beside the definition."""
    name = ref if ref.endswith(".toml") else f"{ref}.toml"
    for candidate in (scenario_dir() / name, definition.parent / name):
        if candidate.is_file():
            return candidate.resolve()
    names = ", ".join(sorted(p.stem for p in scenario_dir().glob("*.toml")))
    raise ScenarioError(f"{where}: {key} = {ref!r}: no such scenario (available: {names})")


def _arm_values(
    where: str, key: str, spec: Any, definition: Path, base_scenario: dict[str, Any]
) -> tuple[str | None, dict[str, Any]]:
    """A policy or reference: (scenario name or None, the parameter values it sets)."""
    if isinstance(spec, str) and spec:
        path = _resolve_scenario(where, key, spec, definition)
        scenario = load_scenario(path)
        if scenario.timeline.changes or scenario.district is not None:
            raise ScenarioError(
                f"{where}: {key} = {spec!r}: a scenario with a policy timeline or a [world] "
                "cannot be screened; give the lever values it sets instead, e.g. "
                f"{key} = {{ responsibility_list = true }}"
            )
        values = {k: v for k, v in scenario.params.items() if v != base_scenario[k]}
        return Path(spec).stem, values
    if isinstance(spec, dict) and spec:
        for name in spec:
            _param_name(where, key, name)
        checked = validate({**base_scenario, **spec}, where=f"{where}: {key}")
        return None, {k: checked[k] for k in spec}
    raise _err(
        where,
        key,
        spec,
        "must be a scenario name or a table of parameter values, e.g. "
        '"devolution_capacity" or { responsibility_list = true }',
    )


def _contrasts(
    where: str, table: dict[str, Any], definition: Path, base_scenario: dict[str, Any]
) -> tuple[tuple[Contrast, ...], dict[str, dict[str, Any]]]:
    if not table:
        raise ScenarioError(f"{where}: [contrasts] is empty; name at least one policy contrast")
    arms: dict[str, dict[str, Any]] = {BASE_ARM: {}}
    contrasts = []
    for name, spec in table.items():
        here = f"{where}: [contrasts] {name}"
        if not isinstance(spec, dict):
            raise ScenarioError(
                f"{here} = {spec!r} must be a table, e.g. "
                f'{name} = {{ policy = "{name}", outcomes = ["needs_met"] }}'
            )
        unknown = sorted(set(spec) - set(CONTRAST_KEYS))
        if unknown:
            raise ScenarioError(
                f"{here}: unknown key {unknown[0]!r}; allowed: {', '.join(CONTRAST_KEYS)}"
            )
        if "policy" not in spec:
            raise ScenarioError(f"{here}: needs policy = <scenario> or a table of lever values")
        if name == BASE_ARM or (name in arms and name != BASE_ARM):
            raise ScenarioError(f"{here}: the name {name!r} is taken by an arm; rename it")
        ref_name, ref_values = BASE_ARM, {}
        if "reference" in spec:
            scen, ref_values = _arm_values(
                here, "reference", spec["reference"], definition, base_scenario
            )
            ref_name = scen or f"{name}_reference"
        if ref_name in arms and arms[ref_name] != ref_values:
            raise ScenarioError(f"{here}: reference arm {ref_name!r} differs from its first use")
        arms[ref_name] = ref_values
        _, policy_values = _arm_values(here, "policy", spec["policy"], definition, base_scenario)
        arms[name] = {**ref_values, **policy_values}
        if arms[name] == ref_values:
            raise ScenarioError(f"{here}: the policy changes nothing from its reference")
        outcomes = spec.get("outcomes", [])
        if not isinstance(outcomes, list) or not all(isinstance(o, str) for o in outcomes):
            raise _err(here, "outcomes", outcomes, "must be a list of outcome names")
        for o in outcomes:
            if o not in OUTCOMES:
                import difflib

                close = difflib.get_close_matches(o, OUTCOMES, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ScenarioError(f"{here}: outcomes: {o!r} is not an outcome{hint}")
        label = spec.get("label", name.replace("_", " "))
        if not isinstance(label, str):
            raise _err(here, "label", label, "must be a string")
        ordered = tuple(dict.fromkeys([*PRIMARY_OUTCOMES, *outcomes]))
        sets = tuple(sorted(set(ref_values) | set(arms[name]), key=list(BY_NAME).index))
        contrasts.append(Contrast(name, label, ref_name, name, ordered, sets))
    return tuple(contrasts), arms


def _excluded(where: str, data: dict[str, Any], world: dict[str, Any]) -> dict[str, str]:
    """Every parameter not screened, with why: levers, [exclude], [exclude_groups], [world]."""
    by_name = _table(where, data, "exclude")
    by_group = _table(where, data, "exclude_groups")
    for group, reason in by_group.items():
        if group not in GROUPS:
            raise ScenarioError(
                f"{where}: [exclude_groups] {group!r} is not a schema group; allowed: "
                + ", ".join(GROUPS)
            )
        if not isinstance(reason, str) or not reason.strip():
            raise _err(where, f"[exclude_groups] {group}", reason, "must give the reason")
    for name, reason in by_name.items():
        _param_name(where, "[exclude]", name)
        if not isinstance(reason, str) or not reason.strip():
            raise _err(where, f"[exclude] {name}", reason, "must give the reason")
    lever = set(levers())
    out: dict[str, str] = {}
    for p in PARAMS:
        if p.name in lever:
            out[p.name] = "a lever: set by the contrasts, at the base scenario's value otherwise"
        elif p.name in by_name:
            out[p.name] = by_name[p.name]
        elif p.group in by_group:
            out[p.name] = by_group[p.group]
        elif p.name in world:
            out[p.name] = "fixed by the screen's reduced world ([world])"
    return out


def _factors(
    where: str, data: dict[str, Any], excluded: dict[str, str], band: float
) -> tuple[ScreenFactor, ...]:
    ranges_table = _table(where, data, "ranges")
    for name in ranges_table:
        _param_name(where, "[ranges]", name)
    # a range or group member for a parameter that is not screened (say, a parameter the
    # model has since made a lever) is left out rather than refused
    ranges_table = {k: v for k, v in ranges_table.items() if k not in excluded}
    prior = parse_prior(f"{where}: [ranges]", ranges_table) if ranges_table else None
    given = {u.name: u for u in prior.params} if prior is not None else {}
    groups = _table(where, data, "groups")
    member_of: dict[str, str] = {}
    sign_of: dict[str, int] = {}
    for group, members in groups.items():
        here = f"{where}: [groups] {group}"
        if not isinstance(members, list) or len(members) < 2:
            raise _err(here, "members", members, "must list two or more parameters")
        if not all(isinstance(m, str) for m in members):
            raise _err(here, "members", members, "must be parameter names")
        if group in BY_NAME and group not in [m.lstrip("-") for m in members]:
            raise ScenarioError(f"{here}: a group may not be named after another parameter")
        for signed in members:
            m = signed.removeprefix("-")
            sign_of[m] = -1 if signed.startswith("-") else 1
            _param_name(here, "members", m)
            if m in excluded:
                continue
            if BY_NAME[m].type not in (int, float):
                raise ScenarioError(f"{here}: {m!r} is not numeric; only numbers form groups")
            if m in member_of:
                raise ScenarioError(
                    f"{here}: {m!r} is already in group {member_of[m]!r}; a parameter "
                    "belongs to one group"
                )
            member_of[m] = group

    def range_of(name: str) -> Uncertain | None:
        p = BY_NAME[name]
        if p.type not in (int, float):
            return None
        return given.get(name) or plausible_range(p, band)

    factors: list[ScreenFactor] = []
    seen: set[str] = set()
    for p in PARAMS:
        if p.name in excluded or p.name in seen:
            continue
        members = ()
        if p.name in member_of:
            group = member_of[p.name]
            members = tuple(m for m in (q.name for q in PARAMS) if member_of.get(m) == group)
        if len(members) > 1:
            seen.update(members)
            factors.append(
                ScreenFactor(
                    group,
                    members,
                    tuple(range_of(m) for m in members),
                    tuple(sign_of[m] for m in members),
                )
            )
        else:
            seen.add(p.name)
            factors.append(ScreenFactor(p.name, (p.name,), (range_of(p.name),)))
    if len(factors) < 2:
        raise ScenarioError(f"{where}: fewer than two factors left to screen")
    return tuple(factors)


def _read_extended(path: Path, read: Any, seen: tuple[Path, ...] = ()) -> tuple[dict, str]:
    """The definition's values, with those of the file it `extends` underneath (tables
    merged key by key, other values replaced), and the text of every file in the chain."""
    data = read(path)
    text = path.read_text(encoding="utf-8-sig")
    parent = data.pop("extends", None)
    if parent is None:
        return data, text
    if not isinstance(parent, str) or not parent:
        raise _err(str(path), "extends", parent, "must name a screen definition beside it")
    base_path = (path.parent / (parent if parent.endswith(".toml") else f"{parent}.toml")).resolve()
    if base_path in seen or base_path == path.resolve():
        raise _err(str(path), "extends", parent, "makes a cycle of definitions")
    if not base_path.is_file():
        raise _err(str(path), "extends", parent, f"names no file ({base_path.name} beside it)")
    base, base_text = _read_extended(base_path, read, (*seen, path.resolve()))
    merged = dict(base)
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = {**base[key], **value}
        else:
            merged[key] = value
    return merged, base_text + "\n" + text


def load_screen(path: str | Path, **settings: Any) -> ScreenDefinition:
    """Read and validate a screen definition. `settings` override [design] values
    (trajectories, levels, seeds, candidates) and `steps`. Raises ScenarioError naming the
    file, key, value and what is allowed, before anything runs."""
    from sim.core.scenario import _read_toml  # the scenarios' TOML reader and messages

    settings = {k: v for k, v in settings.items() if v is not None}
    path = Path(path)
    if not path.is_file() and not path.suffix and (Path("experiments") / f"{path}.toml").is_file():
        path = Path("experiments") / f"{path}.toml"
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder, not a screen definition")
    data, text = _read_extended(path, _read_toml)
    where = str(path)
    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        raise ScenarioError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(TOP_KEYS)}")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise _err(where, "description", description, "must be a string")

    scen_ref = data.get("scenario", "baseline")
    if not isinstance(scen_ref, str) or not scen_ref:
        raise _err(where, "scenario", scen_ref, "must be a scenario name or file")
    scenario = load_scenario(_resolve_scenario(where, "scenario", scen_ref, path))
    world = _table(where, data, "world")
    base = validate({**scenario.params, **world}, where=f"{where}: [world]")
    world = {k: base[k] for k in world}

    design = _table(where, data, "design")
    bad = [k for k in design if k not in DESIGN_KEYS]
    if bad:
        raise ScenarioError(
            f"{where}: [design] unknown key {bad[0]!r}; allowed: {', '.join(DESIGN_KEYS)}"
        )
    values = {**DEFAULTS, **design, **settings}
    trajectories = _positive_int(where, values, "trajectories", 4, 2)
    levels = _positive_int(where, values, "levels", 4, 2)
    n_seeds = _positive_int(where, values, "seeds", 6, 2)
    candidates = _positive_int(where, values, "candidates", 4, 1)
    band = values["band"]
    if isinstance(band, bool) or not isinstance(band, (int, float)) or not (band == 0 or band > 1):
        raise _err(where, "[design] band", band, "must be 0 (schema ranges) or a number > 1")
    steps = _positive_int(where, {**data, **settings}, "steps", scenario.steps, 1)
    window = _positive_int(where, data, "window", min(12, steps), 1)
    if window > steps:
        raise _err(where, "window", window, f"is longer than the runs ({steps} months)")
    seed = _positive_int(where, data, "seed", 1, 0)

    reference = _table(where, data, "reference")
    bad = sorted(set(reference) - {"steps", "world"})
    if bad:
        raise ScenarioError(f"{where}: [reference] unknown key {bad[0]!r}; allowed: steps, world")
    ref_steps = _positive_int(where, reference, "steps", scenario.steps, 1)
    if ref_steps < window:
        raise _err(where, "[reference] steps", ref_steps, f"is shorter than window = {window}")
    ref_world = reference.get("world", {})
    if not isinstance(ref_world, dict):
        raise _err(where, "[reference] world", ref_world, "must be a table of parameter values")
    ref_base = validate({**scenario.params, **ref_world}, where=f"{where}: [reference] world")

    contrasts, arms = _contrasts(where, _table(where, data, "contrasts"), path, scenario.params)
    excluded = _excluded(where, data, world)
    factors = _factors(where, data, excluded, float(band))
    defn = ScreenDefinition(
        name=path.stem,
        path=path,
        text=text,
        description=description,
        scenario=scen_ref,
        base=base,
        world=world,
        steps=steps,
        seed=seed,
        window=window,
        reference_steps=ref_steps,
        reference_world={k: ref_base[k] for k in ref_world},
        reference_base=ref_base,
        trajectories=trajectories,
        levels=levels,
        seeds=n_seeds,
        candidates=candidates,
        band=float(band),
        contrasts=contrasts,
        arms=arms,
        factors=factors,
        excluded=excluded,
        timeline=scenario.timeline,
        district=scenario.district,
    )
    runs = defn.morris_points * len(arms)
    if runs > MAX_RUNS:
        raise ScenarioError(
            f"{where}: trajectories = {trajectories} with {len(factors)} factors and "
            f"{len(arms)} arms makes {runs:,} Morris runs; at most {MAX_RUNS:,} fit one screen"
        )
    return defn
