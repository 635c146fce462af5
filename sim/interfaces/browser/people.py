"""Who holds which seats, month by month: the people panel of the drill-down.

The model's people layer (sim.core.people) keeps one row per seat — its organisation's
network node, its role and its holder — and one row per person. `SeatLog` notes the seats
whose holder changed each month (elections, owners' committees formed or dissolved,
vacancies), so a month on the slider shows who sat where then. `holdings` turns the seats of
some organisations into one `Holding` per person: every seat that person holds, in these
organisations and elsewhere, so cross-appointment (交叉任职) is visible at a glance.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.core.people import KIND_NAMES, ROLE_NAMES


@dataclass
class SeatLog:
    """The seats' holders as built, and after each month the seats whose holder changed."""

    first: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    months: list[int] = field(default_factory=list)
    changes: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # seats, holders
    last: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    version: int = -1

    @classmethod
    def start(cls, model: Any) -> SeatLog | None:
        """A log of a model's seats, or None for a model without a people layer."""
        if getattr(model, "seats", None) is None or getattr(model, "people", None) is None:
            return None
        holder = np.array(model.seats.holder, dtype=np.int64, copy=True)
        return cls(
            first=holder, last=holder.copy(), version=int(getattr(model, "seats_version", -1))
        )

    def record(self, model: Any, month: int) -> None:
        """Note the seats whose holder changed in `month`."""
        version = int(getattr(model, "seats_version", -2))
        if version == self.version:
            return
        self.version = version
        now = np.asarray(model.seats.holder, dtype=np.int64)
        moved = np.flatnonzero(now != self.last)
        if moved.size:
            self.months.append(int(month))
            self.changes.append((moved, now[moved].copy()))
            self.last[moved] = now[moved]

    def holders_at(self, month: int) -> np.ndarray:
        """Each seat's holder (−1: vacant) at the end of `month`."""
        out = self.first.copy()
        for k in range(bisect_right(self.months, int(month))):
            seats, holders = self.changes[k]
            out[seats] = holders
        return out


@dataclass(frozen=True)
class Holding:
    """One person and the seats they hold: (network node, role name) pairs, first those in
    the organisations asked about, then those elsewhere."""

    person: int
    kind: str  # cadre, volunteer, professional
    party_member: bool
    here: tuple[tuple[int, str], ...]
    elsewhere: tuple[tuple[int, str], ...]
    load: float | None  # hours asked / hours available, at the live month only

    @property
    def seats(self) -> int:
        return len(self.here) + len(self.elsewhere)


@dataclass(frozen=True)
class SeatSummary:
    """The people of some organisations in one month."""

    holdings: list[Holding]  # people holding more than one seat first
    seats: int  # seats of these organisations
    vacant: dict[str, int]  # vacant seats by role

    @property
    def filled(self) -> int:
        return sum(len(h.here) for h in self.holdings)

    @property
    def cross_appointed(self) -> int:
        return sum(1 for h in self.holdings if h.seats > 1)


def holdings(model: Any, log: SeatLog, nodes: Iterable[int], month: int, live: bool) -> SeatSummary:
    """The people holding seats of the organisations at `nodes` in `month`; `live` adds
    their current workload (recorded months have none)."""
    seats, people = model.seats, model.people
    holder = log.holders_at(month)
    n = min(len(holder), seats.n)
    node, role, holder = np.asarray(seats.node[:n]), np.asarray(seats.role[:n]), holder[:n]
    mine = np.isin(node, np.fromiter(nodes, dtype=np.int64))
    vacant: dict[str, int] = {}
    for r in role[mine & (holder < 0)].tolist():
        vacant[ROLE_NAMES[r]] = vacant.get(ROLE_NAMES[r], 0) + 1
    who = np.unique(holder[mine & (holder >= 0)])
    out = []
    for p in who.tolist():
        held = np.flatnonzero(holder == p)
        pairs = [(int(node[s]), ROLE_NAMES[int(role[s])]) for s in held.tolist()]
        here = tuple(x for x, s in zip(pairs, held.tolist()) if mine[s])
        away = tuple(x for x, s in zip(pairs, held.tolist()) if not mine[s])
        out.append(
            Holding(
                p,
                KIND_NAMES[int(people.kind[p])],
                bool(people.party_member[p]),
                here,
                away,
                float(people.load[p]) if live else None,
            )
        )
    out.sort(key=lambda h: (-h.seats, h.here[0][0], h.person))
    return SeatSummary(out, int(mine.sum()), vacant)
