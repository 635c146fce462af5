"""Fields of a scenario's policy timeline as factors of an experiment.

A factor named `policy.<entry>.<field>` varies one field of one `[[policy]]` entry of the
base scenario: `<entry>` is the entry's `label`, or its position (1, 2, ...) in the
scenario's timeline in month order; `<field>` is `month`, `share`, `seed`, or a parameter
its `set` table sets. In an experiment file::

    [factors]
    policy.pilot.month = [12, 24, 36]            # when the pilot starts
    policy.pilot.share = [0.1, 0.3]              # the random share of units it reaches
    policy.pilot.responsibility_list_cap = [0.2, 0.4]

(TOML reads the dotted key as nested tables; `flatten` turns them back into one name.) An
arm's overrides then hold both parameter values and timeline fields; `split` separates
them and `apply` returns the timeline with the fields set, validated like a scenario's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sim.core.params import BY_NAME, ScenarioError
from sim.core.policy import PolicyChange, Timeline, parse_timeline

__all__ = [
    "PREFIX",
    "FIELDS",
    "is_timeline_field",
    "flatten",
    "field_type",
    "check_level",
    "split",
    "apply",
]

PREFIX = "policy."
FIELDS = {"month": int, "share": float, "seed": int}
"""Fields of an entry (besides the parameters of its `set`) and their types."""
FACTOR_KEYS = {"levels", "range", "sets"}


def is_timeline_field(name: str) -> bool:
    return name.startswith(PREFIX)


def flatten(factors: dict[str, Any]) -> dict[str, Any]:
    """`[factors]` with a nested `policy` table turned into `policy.<entry>.<field>` names
    (a composite factor's table, with levels/range/sets, is kept as it is)."""
    out: dict[str, Any] = {}
    for key, value in factors.items():
        if key == "policy" and isinstance(value, dict) and not set(value) & FACTOR_KEYS:
            for entry, fields in value.items():
                if not isinstance(fields, dict) or set(fields) & FACTOR_KEYS:
                    out[f"{PREFIX}{entry}"] = fields
                    continue
                for name, spec in fields.items():
                    out[f"{PREFIX}{entry}.{name}"] = spec
        else:
            out[key] = value
    return out


def _locate(timeline: Timeline, name: str) -> tuple[int, str]:
    """(index of the entry in `timeline.changes`, field) named by `name`."""
    parts = name[len(PREFIX) :].split(".")
    changes = timeline.changes
    entries = (
        ", ".join(
            [
                *(f"{i + 1}" for i in range(len(changes))),
                *(repr(c.label) for c in changes if c.label),
            ]
        )
        or "none"
    )
    if len(parts) != 2 or not all(parts):
        raise ScenarioError(
            f"[factors] {name!r}: a timeline factor is named "
            "policy.<entry>.<field>, the entry by its label or position"
        )
    entry, field = parts
    found = [i for i, c in enumerate(changes) if c.label == entry]
    if not found and entry.isdigit() and 1 <= int(entry) <= len(changes):
        found = [int(entry) - 1]
    if len(found) != 1:
        problem = "names two entries" if found else "names no [[policy]] entry"
        raise ScenarioError(
            f"[factors] {name!r}: {entry!r} {problem} of the scenario's "
            f"timeline; entries: {entries}"
        )
    change = changes[found[0]]
    if field not in FIELDS and field not in change.values:
        raise ScenarioError(
            f"[factors] {name!r}: {field!r} is not a field of that entry; "
            f"allowed: {', '.join([*FIELDS, *change.values])}"
        )
    return found[0], field


def field_type(timeline: Timeline, name: str) -> type:
    """The type of a timeline field's values."""
    index, field = _locate(timeline, name)
    return FIELDS.get(field) or BY_NAME[field].type


def _set(change: PolicyChange, field: str, value: Any) -> PolicyChange:
    if field in FIELDS:
        return replace(change, **{field: value})
    return replace(change, values={**change.values, field: value})


def check_level(timeline: Timeline, name: str, value: Any) -> Any:
    """The level as its field's type, or ValueError saying what is allowed."""
    try:
        apply(timeline, {name: value})
    except ScenarioError as err:
        raise ValueError(f"is not allowed: {err}") from None
    kind = field_type(timeline, name)
    return kind(value)


def split(overrides: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(parameter values, timeline fields) of an arm's overrides."""
    params = {k: v for k, v in overrides.items() if not is_timeline_field(k)}
    fields = {k: v for k, v in overrides.items() if is_timeline_field(k)}
    return params, fields


def apply(timeline: Timeline, fields: dict[str, Any]) -> Timeline:
    """`timeline` with the named fields set, validated as a scenario's `[[policy]]`."""
    if not fields:
        return timeline
    changes = list(timeline.changes)
    for name, value in fields.items():
        index, field = _locate(timeline, name)
        changes[index] = _set(changes[index], field, value)
    return parse_timeline([c.to_dict() for c in changes], where="the timeline")
