"""Scenario files: TOML scenarios with `extends`, tables by group and overrides (ODD §1).

Scenario files are TOML. Top-level keys: `description` (one line), `extends` (another
scenario's name in the same folder, or a relative path), `steps`, `seed`, and parameters,
either at top level or inside a table named after the parameter's group
(`[cross_appointment]`, ...), and `[[policy]]` entries: changes scheduled at a month and
targeted at streets, community or compound types, or a random share (sim.core.policy). A
scenario's `[[policy]]` entries are added to those of the scenario it extends. A `[world]`
table (`folder = "..."`, relative to the file) builds the world from a district's tables
(`load_district`: CSV or Parquet files read here and validated by sim.core.district); a
scenario inherits the `[world]` of the one it extends unless it sets its own. Validation
errors name the file, the key (or the table's row and column), the value and what is
allowed, and raise `ScenarioError` (the CLI turns it into exit code 2). The parameters
themselves, their ranges and meanings are the schema in `sim.core.params`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .district import TABLES, District, district_from_tables
from .params import BY_NAME, GROUPS, PARAMS, ScenarioError, defaults, suggest, validate
from .policy import Timeline, parse_timeline

__all__ = [
    "RUN_KEYS",
    "DEFAULT_STEPS",
    "Scenario",
    "load_scenario",
    "parse_override",
    "scenario_dir",
    "list_scenarios",
    "to_toml",
    "baseline_toml",
    "load_district",
    "timeline_toml",
]

RUN_KEYS = {"description": str, "extends": str, "steps": int, "seed": int}
DEFAULT_STEPS = 120


@dataclass
class Scenario:
    """A resolved scenario: validated parameters plus run settings and provenance."""

    name: str
    description: str
    params: dict[str, Any]
    steps: int = DEFAULT_STEPS
    seed: int | None = None
    files: list[str] = field(default_factory=list)
    overrides: dict[str, Any] = field(default_factory=dict)
    timeline: Timeline = field(default_factory=Timeline)
    world: Path | None = None  # folder of the district's tables ([world] or --world)
    district: District | None = None  # those tables, read and validated

    def with_world(self, folder: str | Path | None) -> Scenario:
        """This scenario with its world read from `folder` (None: unchanged)."""
        if folder is None:
            return self
        folder = Path(folder)
        return replace(self, world=folder.resolve(), district=load_district(folder))


def scenario_dir() -> Path:
    """The folder of shipped scenarios (`scenarios/` beside the package)."""
    return Path(__file__).resolve().parents[2] / "scenarios"


MAX_FILE_BYTES = 4 * 2**20
"""Largest scenario or experiment file read (4 MB; the baseline, every parameter with its
comment, is about 30 KB): a larger one is refused before it is read."""
MAX_NESTING = 50
"""Deepest nesting of tables and arrays in a scenario or experiment file (the schema needs
four)."""


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a UTF-8 byte-order mark (some editors write one) is accepted."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"{path}: {path.stat().st_size:,} bytes, more than a scenario or experiment "
                f"file may hold ({MAX_FILE_BYTES // 2**20} MB)"
            )
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{path}: cannot read file ({err})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML ({err})") from None
    except RecursionError:
        data = None
    if data is None or _depth(data) > MAX_NESTING:
        raise ScenarioError(
            f"{path}: tables or arrays nested more than {MAX_NESTING} deep; a scenario or "
            "experiment needs a few levels at most"
        )
    return data


def _depth(value: Any) -> int:
    """How deeply tables and arrays nest in `value` (a scalar: 0), without recursion."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            todo += [(v, depth) for v in (item.values() if isinstance(item, dict) else item)]
    return deepest


def _flatten(path: Path, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a scenario file into (run settings, parameter values)."""
    run: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "policy":
            run["policy"] = value
        elif key == "world":
            run["world"] = _world_folder(path, value)
        elif key in RUN_KEYS:
            kind = RUN_KEYS[key]
            ok = isinstance(value, kind) and not isinstance(value, bool)
            if ok and kind is int and (value < (1 if key == "steps" else 0)):
                ok = False
            if not ok:
                allowed = {
                    str: "a string",
                    int: "a positive integer" if key == "steps" else "a non-negative integer",
                }[kind]
                raise ScenarioError(f"{path}: {key} = {value!r} must be {allowed}")
            if key == "extends" and not value.strip():
                raise ScenarioError(
                    f"{path}: extends = {value!r} must name a scenario (a file name in the "
                    "same folder, or a relative path); remove the line to extend nothing"
                )
            run[key] = value
        elif isinstance(value, dict):
            if key not in GROUPS:
                raise ScenarioError(
                    f"{path}: unknown table [{key}]; allowed tables: {', '.join(GROUPS)}"
                )
            for sub, subvalue in value.items():
                param = BY_NAME.get(sub)
                if param is not None and param.group != key:
                    raise ScenarioError(
                        f"{path}: {sub} belongs in table [{param.group}], not [{key}]"
                    )
                if sub in data:
                    raise ScenarioError(
                        f"{path}: {sub} is given both at top level and in table [{key}]; keep one"
                    )
                values[sub] = subvalue
        else:
            values[key] = value
    return run, values


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load a scenario file, following `extends`, and validate it with any overrides."""
    if not str(path).strip():
        raise ScenarioError(
            f"{str(path)!r}: not a scenario; give a scenario file (TOML) or the name of one "
            "in scenarios/"
        )
    path = _resolve(Path(path), None)
    chain: list[Path] = []
    layers: list[tuple[Path, dict[str, Any], dict[str, Any]]] = []
    current: Path | None = path
    while current is not None:
        if current in chain:
            cycle = " -> ".join(p.name for p in [*chain, current])
            raise ScenarioError(f"{current}: extends forms a cycle ({cycle})")
        chain.append(current)
        run, values = _flatten(current, _read_toml(current))
        layers.append((current, run, values))
        parent = run.get("extends")
        current = _resolve(Path(parent), current) if parent else None

    merged_run: dict[str, Any] = {}
    params = defaults()
    changes = []
    for file, run, values in reversed(layers):  # base first, each layer's own keys on top
        checked = validate(values, where=str(file))
        params.update({k: checked[k] for k in values})
        merged_run.update({k: v for k, v in run.items() if k not in ("extends", "policy")})
        if "world" in run:  # an [world] table of its own replaces the inherited one
            merged_run["world"] = run["world"]
        if "policy" in run:
            changes += parse_timeline(run["policy"], where=str(file)).changes
    overrides = dict(overrides or {})
    if overrides:
        checked = validate({**params, **overrides}, where="--set")
        params.update({k: checked[k] for k in overrides})
    validate(params, where=str(path))
    world = merged_run.pop("world", None)
    return Scenario(
        name=path.stem,
        description=str(layers[0][1].get("description", merged_run.get("description", ""))),
        params=params,
        steps=int(merged_run.get("steps", DEFAULT_STEPS)),
        seed=merged_run.get("seed"),
        files=[str(p) for p in chain],
        overrides=overrides,
        timeline=Timeline(sorted(changes, key=lambda c: c.month)),
        world=world,
        district=load_district(world) if world is not None else None,
    )


WORLD_KEYS = {"folder": "the folder holding the district's tables, relative to this file"}


def _world_folder(path: Path, table: Any) -> Path:
    """The folder a scenario's `[world]` table names, resolved against the file."""
    if not isinstance(table, dict):
        raise ScenarioError(f'{path}: world must be a table: [world] with folder = "..."')
    unknown = set(table) - set(WORLD_KEYS)
    if unknown:
        raise ScenarioError(
            f"{path}: [world] unknown key {sorted(unknown)[0]!r}; allowed: " + ", ".join(WORLD_KEYS)
        )
    folder = table.get("folder")
    if not isinstance(folder, str) or not folder.strip():
        raise ScenarioError(
            f"{path}: [world] folder = {folder!r} must be the path of a "
            "folder of district tables (docs/DATA.md)"
        )
    return (path.parent / folder).resolve()


def load_district(folder: str | Path) -> District:
    """Read a district's tables from `folder` (`streets`, `communities`, `compounds`, each
    `.csv` or `.parquet`; streets optional) and validate them (sim.core.district)."""
    folder = Path(folder)
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "no such folder"
        raise ScenarioError(
            f"{folder}: {what}; a district is a folder of tables "
            "(streets, communities, compounds as .csv or .parquet)"
        )
    tables, sources = {}, {}
    for name in TABLES:
        found = [
            folder / f"{name}{ext}"
            for ext in (".csv", ".parquet")
            if (folder / f"{name}{ext}").is_file()
        ]
        if len(found) > 1:
            raise ScenarioError(f"{folder}: both {found[0].name} and {found[1].name}; keep one")
        if found:
            sources[name] = str(found[0])
            tables[name] = _read_table(found[0])
    return district_from_tables(tables, sources, source=str(folder))


def _read_table(path: Path):
    """A CSV file (every cell as text) or a Parquet file, as a DataFrame."""
    import pandas as pd

    try:
        if path.suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        return pd.read_parquet(path)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ScenarioError(f"{path}: cannot read the table ({first})") from None


def timeline_toml(timeline: Timeline) -> str:
    """A timeline as `[[policy]]` tables of a scenario file."""
    lines = []
    for entry in timeline.to_list():
        lines += ["", "[[policy]]"]
        for key, value in entry.items():
            if key == "set":
                continue
            if isinstance(value, list):
                lines.append(f"{key} = [{', '.join(_toml_value(v) for v in value)}]")
            else:
                lines.append(f"{key} = {_toml_value(value)}")
        lines.append("[policy.set]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in entry["set"].items()]
    return "\n".join(lines) + ("\n" if lines else "")


def _resolve(ref: Path, relative_to: Path | None) -> Path:
    """Find a scenario file: a path, or a bare name looked up beside the referring file."""
    if ref.name in ("", ".", ".."):
        where = f"{relative_to}: extends = {str(ref)!r}" if relative_to else str(ref)
        raise ScenarioError(f"{where}: is a folder, not a scenario file")
    candidates = []
    base = relative_to.parent if relative_to is not None else Path.cwd()
    name = ref if ref.suffix == ".toml" else ref.with_suffix(".toml")
    candidates.append(base / name)
    if relative_to is None:
        candidates.append(scenario_dir() / name)
    for c in candidates:
        if c.is_file():
            return c.resolve()
    if ref.is_dir():
        raise ScenarioError(f"{ref}: is a folder, not a scenario file")
    where = f"{relative_to}: extends = {str(ref)!r}" if relative_to else f"{ref}"
    raise ScenarioError(f"{where}: scenario file not found (looked for {candidates[0]})")


def parse_override(text: str) -> tuple[str, Any]:
    """Parse a `--set key=value` string; the value is read as TOML (numbers, true/false)."""
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected key=value")
    if any(c in text for c in "\n\r"):
        raise ScenarioError(f"--set {text!r}: holds a line break; give one key=value per --set")
    key, raw = (s.strip() for s in text.split("=", 1))
    if key not in BY_NAME:
        raise ScenarioError(f"--set: unknown parameter {key!r}{suggest(key)}")
    try:
        return key, tomllib.loads(f"v = {raw}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return key, raw


def list_scenarios(folder: Path | None = None) -> list[tuple[str, str]]:
    """(name, description) of every scenario in the folder, sorted by name."""
    folder = folder or scenario_dir()
    out = []
    for f in sorted(folder.glob("*.toml")):
        try:
            desc = str(_read_toml(f).get("description", ""))
        except ScenarioError as err:
            desc = f"(unreadable: {err})"
        out.append((f.stem, desc))
    return out


def to_toml(values: dict[str, Any], header: str = "", comments: bool = True) -> str:
    """Write parameter values as a TOML scenario, grouped in tables, one comment per line
    giving meaning, unit, allowed range and source."""
    lines = [f"# {h}" if h else "#" for h in header.splitlines()] if header else []
    top = {k: v for k, v in values.items() if k in RUN_KEYS}
    for key, value in top.items():
        lines.append(f"{key} = {_toml_value(value)}")
    for group, title in GROUPS.items():
        members = [p for p in PARAMS if p.group == group and p.name in values]
        if not members:
            continue
        lines += ["", f"[{group}]  # {title}" if comments else f"[{group}]"]
        for p in members:
            text = f"{p.name} = {_toml_value(values[p.name])}"
            if comments:
                note = f"{p.help} [{p.unit}; {p.allowed()}]"
                if p.source != "assumption":
                    note += f" — {p.source}"
                text = f"{text:<40} # {note}"
            lines.append(text)
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float):
        return repr(value)
    return str(value)


BASELINE_HEADER = """Baseline: the status quo of a large-city district after the 2021 community elections.
Every parameter of the model at its default value, one line each: meaning, unit, allowed
range and source (or 'assumption': see docs/ODD.md). Other scenarios `extends` this file
and override only what their policy package changes. This file is generated by
`python -m sim params --baseline > scenarios/baseline.toml`; a test checks it is current."""
BASELINE_DESCRIPTION = (
    "Status quo after the 2021 elections: 一肩挑 widespread, modest devolution, "
    "no responsibility lists"
)


def baseline_toml() -> str:
    """The text of scenarios/baseline.toml: every default, commented line by line."""
    return to_toml({"description": BASELINE_DESCRIPTION, **defaults()}, BASELINE_HEADER)
