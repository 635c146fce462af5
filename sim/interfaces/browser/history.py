"""What a browser session records month by month, so any recorded month can be shown again.

The model itself keeps the district series (its DataCollector) and the per-community table
(`community_table()`), one row per community and month. What it does not keep is how its
network and organisations looked in earlier months. `History` records after every month:

* the ties that appeared or disappeared (a log of changes, not a copy of the network);
* a snapshot of every organisation agent's scalar attributes — those cheap enough to read
  every month (`AttributePlan`); the rest are read when someone clicks the organisation.

`History.edges_at(t)`, `History.agents_at(t)` and `History.communities_at(t)` give month t
back to the views; `History.node_series(node)` gives one organisation's recorded values by
month (the drill-down).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from mesa.discrete_space import FixedAgent

IGNORED: frozenset[str] = frozenset(dir(FixedAgent)) | {
    "node",
    "index",
    "table",
    "kind",
    "level",
    "unique_id",
    "pos",
    "model",
    "cell",
}
"""Attributes that are Mesa's or the network's bookkeeping, not an organisation's state."""

MONTHLY_BUDGET_MS = 2.0
"""An attribute is recorded every month only if reading it for all agents of its type
takes at most this long (timed once per model); a costlier one is read on click."""

SCALARS = (bool, int, float, str, np.bool_, np.integer, np.floating, np.str_)

EdgeKey = tuple[int, int, Any]


def scalar(value: Any) -> bool:
    """A value shown as one number or word (not an array, list or object)."""
    return isinstance(value, SCALARS)


def plain(value: Any) -> Any:
    """A numpy scalar as a Python one."""
    return value.item() if isinstance(value, np.generic) else value


def attribute_names(agent: Any) -> list[str]:
    """Public attribute names of an agent that may hold its state: its own fields, and the
    properties and field descriptors its classes declare (Mesa's bookkeeping left out)."""
    names = {n for n in vars(agent) if not n.startswith("_")}
    for cls in type(agent).__mro__:
        if cls.__module__.startswith(("mesa", "builtins")):
            continue
        for n, attr in vars(cls).items():
            descriptor = not callable(attr) and hasattr(type(attr), "__get__")
            if not n.startswith("_") and (isinstance(attr, property) or descriptor):
                names.add(n)
    return sorted(names - IGNORED)


def read_scalars(agent: Any, names: list[str] | None = None) -> dict[str, Any]:
    """An agent's scalar attributes (all of them, or `names`); unreadable ones are left
    out."""
    out: dict[str, Any] = {}
    for n in attribute_names(agent) if names is None else names:
        try:
            value = getattr(agent, n)
        except Exception:  # noqa: BLE001 - a failing property is not the app's concern
            continue
        if scalar(value):
            out[n] = plain(value)
    return out


def describe(agent: Any) -> dict[str, Any]:
    """What an agent says about itself through a `describe()` method, if it has one."""
    method = getattr(agent, "describe", None)
    if not callable(method):
        return {}
    try:
        found = method()
    except Exception:  # noqa: BLE001
        return {}
    return dict(found) if isinstance(found, dict) else {}


@dataclass
class AttributePlan:
    """Which attributes of one agent type are recorded every month, and how they are stored
    as numbers (a word as its position in `words`)."""

    names: list[str]
    examples: dict[str, Any] = field(default_factory=dict)  # attribute -> a value it took
    words: dict[str, list[str]] = field(default_factory=dict)  # text attribute -> words seen

    def encode(self, values: dict[str, Any]) -> list[float]:
        out = []
        for n in self.names:
            v = values.get(n)
            if v is None:
                out.append(np.nan)
            elif n in self.words:
                seen = self.words[n]
                if v not in seen:
                    seen.append(v)
                out.append(float(seen.index(v)))
            else:
                out.append(float(v))
        return out

    def decode(self, row: np.ndarray) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n, x in zip(self.names, row.tolist()):
            if x != x:
                continue
            example = self.examples.get(n)
            if n in self.words:
                out[n] = self.words[n][int(x)]
            elif isinstance(example, bool):
                out[n] = bool(x)
            elif isinstance(example, int):
                out[n] = int(x)
            else:
                out[n] = x
        return out


def plan_for(agents: list[Any], budget_ms: float = MONTHLY_BUDGET_MS) -> AttributePlan:
    """Time each scalar attribute on a few agents of one type; keep those whose monthly
    read of all `agents` fits the budget."""
    sample = agents[:3]
    plan = AttributePlan([])
    for n in attribute_names(sample[0]):
        times, value = [], None
        try:
            for a in sample:
                t = time.perf_counter()
                value = getattr(a, n)
                times.append(time.perf_counter() - t)
        except Exception:  # noqa: BLE001
            continue
        if not scalar(value):
            continue
        if statistics.median(times) * len(agents) * 1000 > budget_ms:
            continue
        plan.names.append(n)
        plan.examples[n] = value = plain(value)
        if isinstance(value, str):
            plan.words[n] = []
    return plan


@dataclass
class Snapshot:
    """The recorded attributes of every organisation agent in one month."""

    nodes: np.ndarray  # node id of each agent, sorted
    type_of: np.ndarray  # agent type name of each row
    values: list[np.ndarray]  # one float32 row per agent (its type's plan)

    def row(self, node: int) -> int:
        i = int(np.searchsorted(self.nodes, node))
        return i if i < len(self.nodes) and self.nodes[i] == node else -1


class History:
    """A session's record of its model, month by month (see the module docstring)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.plans: dict[str, AttributePlan] = {}
        self._edges: dict[EdgeKey, str] = self._read_edges()
        self._log: list[tuple[list[tuple[EdgeKey, str]], list[tuple[EdgeKey, str]]]] = []
        self._snapshots: list[Snapshot] = []
        self._cache: tuple[int, dict[EdgeKey, str]] | None = None
        self._communities: tuple[int, pd.DataFrame] | None = None
        self._compounds: tuple[int, pd.DataFrame] | None = None
        self._first = int(getattr(model, "steps", 0))
        self._snapshots.append(self._snapshot())

    # ------------------------------------------------------------------ recording
    @property
    def first(self) -> int:
        """The month recording started (the model's month when the session built it)."""
        return self._first

    @property
    def latest(self) -> int:
        """The last recorded month."""
        return self._first + len(self._log)

    def record(self) -> None:
        """Record the month the model has just finished."""
        now = self._read_edges()
        added = [(k, kind) for k, kind in now.items() if k not in self._edges]
        removed = [(k, kind) for k, kind in self._edges.items() if k not in now]
        self._log.append((added, removed))
        self._edges = now
        self._cache = None
        self._snapshots.append(self._snapshot())

    def _read_edges(self) -> dict[EdgeKey, str]:
        out = {}
        for u, v, key, kind in self.model.network.edges(keys=True, data="kind"):
            a, b = (u, v) if u <= v else (v, u)
            out[(int(a), int(b), key)] = str(kind if kind is not None else key)
        return out

    def _snapshot(self) -> Snapshot:
        by_type: dict[str, list[Any]] = {}
        for agent in self.model.agents:
            if getattr(agent, "node", None) is None:
                continue
            by_type.setdefault(type(agent).__name__, []).append(agent)
        nodes, types, rows = [], [], []
        for name in sorted(by_type):
            agents = by_type[name]
            plan = self.plans.get(name)
            if plan is None:
                plan = self.plans[name] = plan_for(agents)
            for agent in agents:
                nodes.append(int(agent.node))
                types.append(name)
                rows.append(
                    np.array(plan.encode(read_scalars(agent, plan.names)), dtype=np.float32)
                )
        order = np.argsort(np.array(nodes, dtype=np.int64), kind="stable")
        return Snapshot(
            np.array(nodes, dtype=np.int64)[order],
            np.array(types, dtype=object)[order],
            [rows[i] for i in order],
        )

    # ------------------------------------------------------------------ reading
    def clamp(self, month: int | None) -> int:
        """A month that has been recorded (None: the latest)."""
        if month is None:
            return self.latest
        return int(min(max(month, self._first), self.latest))

    def edges_at(self, month: int | None = None) -> dict[EdgeKey, str]:
        """Ties of month t: (u, v, key) -> kind, u <= v."""
        t = self.clamp(month)
        if t == self.latest:
            return self._edges
        if self._cache is not None and self._cache[0] == t:
            return self._cache[1]
        edges = dict(self._edges)
        for added, removed in reversed(self._log[t - self._first :]):
            for k, _ in added:
                edges.pop(k, None)
            for k, kind in removed:
                edges[k] = kind
        self._cache = (t, edges)
        return edges

    def agents_at(self, month: int | None = None) -> Snapshot:
        return self._snapshots[self.clamp(month) - self._first]

    def values_at(self, node: int, month: int | None = None) -> tuple[str, dict[str, Any]] | None:
        """(agent type, recorded attributes) of the agent on `node` in month t, or None."""
        snap = self.agents_at(month)
        i = snap.row(node)
        if i < 0:
            return None
        kind = str(snap.type_of[i])
        return kind, self.plans[kind].decode(snap.values[i])

    def communities_at(self, month: int | None = None) -> pd.DataFrame:
        """The per-community table's rows of month t, indexed by community (empty before
        the first month)."""
        rows = _rows_of(self.community_table(), self.clamp(month))
        return rows.set_index("community", drop=False) if "community" in rows else rows

    def community_table(self) -> pd.DataFrame:
        """The model's per-community table, read at most once per month."""
        month = int(self.model.steps)
        if self._communities is None or self._communities[0] != month:
            self._communities = (month, self.model.community_table())
        return self._communities[1]

    def compound_table(self) -> pd.DataFrame:
        """The model's per-compound table (if it keeps one), read at most once per month."""
        month = int(self.model.steps)
        if self._compounds is None or self._compounds[0] != month:
            read = getattr(self.model, "compound_table", None)
            self._compounds = (month, read() if callable(read) else pd.DataFrame())
        return self._compounds[1]

    def compounds_at(self, month: int | None = None) -> pd.DataFrame:
        """The per-compound table's rows of month t (empty before the first month)."""
        return _rows_of(self.compound_table(), self.clamp(month))

    def node_series(self, node: int) -> pd.DataFrame:
        """One organisation's recorded attributes by month (numeric ones), from the month
        recording started; months without an agent on the node are left out."""
        rows = []
        for offset, snap in enumerate(self._snapshots):
            i = snap.row(node)
            if i < 0:
                continue
            values = self.plans[str(snap.type_of[i])].decode(snap.values[i])
            numbers = {
                k: float(v)
                for k, v in values.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool)
            }
            rows.append({"month": self._first + offset, **numbers})
        return pd.DataFrame(rows)


def _rows_of(table: pd.DataFrame, month: int) -> pd.DataFrame:
    """The rows of a table sorted by `step` that belong to one month."""
    if table.empty or "step" not in table:
        return table
    steps = table["step"].to_numpy()
    lo, hi = np.searchsorted(steps, month, "left"), np.searchsorted(steps, month, "right")
    return table.iloc[lo:hi]
