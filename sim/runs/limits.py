"""Size guards: a run's memory and time estimated from its parameters before anything is
built, and refusal of what would not fit.

The model itself never refuses a size; every way in that builds a world asks here first
(`python -m sim run`, `world`, `pilot` and `sweep` with the flags `--max-memory` and
`--max-hours`, `serve` and the browser with their per-session cap), so a mistyped world or
month count ends with one line naming the sizes and the estimate instead of a `MemoryError`
after minutes. The estimates come from the counts of what will be built
(`sim.core.world.expected_counts`: drawn from the parameters, or counted in a district's
tables) times constants measured by `benchmarks/bench_limits.py`; they are rough (within a
factor of about two) and are meant to catch requests that are off by orders of magnitude.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from typing import Any

from sim.core.district import District
from sim.core.params import ScenarioError
from sim.core.world import estimate_memory, expected_counts

__all__ = [
    "RunEstimate",
    "LimitError",
    "estimate_run",
    "check_run",
    "check_memory",
    "check_hours",
    "default_memory_limit",
    "parse_size",
    "format_bytes",
    "format_duration",
    "DEFAULT_MAX_HOURS",
]

SECONDS_PER_MONTH = 2.7e-3
"""CPU seconds of one month's fixed cost (collectors, Mesa's step), whatever the size."""
SECONDS_PER_RESIDENT_MONTH = 5.2e-8
"""CPU seconds per resident and month."""
SECONDS_PER_COMMUNITY_MONTH = 8.6e-6
"""CPU seconds per community and month (its organisations' decisions)."""
SECONDS_PER_COMPOUND_MONTH = 1.5e-5
"""CPU seconds per compound and month (owners' committees, branches, and the paths through
firms that serve many compounds)."""
SECONDS_PER_ORGANISATION_MONTH = 5.1e-8
"""CPU seconds per property firm or NGO and month (their decisions)."""
BUILD_SECONDS = 5.6e-3
"""CPU seconds of building any world (its schema, collectors, network)."""
BUILD_SECONDS_PER_RESIDENT = 4.3e-7
"""CPU seconds of building per resident beyond their social ties (households, attributes
and the residents' arrays)."""
BUILD_SECONDS_PER_TIE_END = 8.5e-8
"""CPU seconds of building per end of a social tie (the residents' graph)."""
BUILD_SECONDS_PER_COMMUNITY = 1.6e-4
"""CPU seconds of building per community (its organisations, agents and ties)."""
BUILD_SECONDS_PER_COMPOUND = 8.4e-5
"""CPU seconds of building per compound (its owners' committee, branch and ties)."""
BUILD_SECONDS_PER_ORGANISATION = 8.2e-6
"""CPU seconds of building per property firm or NGO."""
BYTES_PER_RECORDED_MONTH = 5_900
"""Memory the district outcomes of one month take while a run keeps them."""
BYTES_PER_COMMUNITY_TABLE_MONTH = 10_300
"""Memory of one month of the per-community table, whatever the number of communities."""
BYTES_PER_COMMUNITY_ROW = 4_800
"""Memory of one community's row of the per-community table."""
# Constants measured by `python benchmarks/bench_limits.py --fit` (benchmarks/README.md).

DEFAULT_MAX_HOURS = 24.0
"""Estimated wall time above which a run or sweep is refused unless `--max-hours` allows it."""
MEMORY_SHARE = 0.8
"""Share of this machine's physical memory one run may use by default."""


class LimitError(ScenarioError):
    """A run or sweep whose estimated memory or time exceeds the allowed limit."""


@dataclass(frozen=True)
class RunEstimate:
    """Expected sizes, peak memory (bytes) and CPU time of one run (building its world,
    then `steps` months)."""

    counts: dict[str, float]
    steps: int
    memory: int
    seconds_per_month: float
    build_seconds: float = 0.0

    @property
    def seconds(self) -> float:
        return self.build_seconds + self.steps * self.seconds_per_month

    def sizes(self) -> str:
        """The world in words: residents, communities and compounds expected."""
        c = self.counts
        return (
            f"about {_count(c['residents'])} residents in {_count(c['communities'])} "
            f"communities and {_count(c['compounds'])} compounds"
        )


def estimate_run(
    params: dict[str, Any],
    steps: int,
    *,
    communities: bool = False,
    district: District | None = None,
) -> RunEstimate:
    """Estimate a run of `steps` months of validated `params` on the world it builds: drawn
    from the parameters, or `district` (tables read by `sim.core.scenario.load_district`),
    counted before anything is built. `communities`: the run keeps the per-community table
    every month (as `python -m sim run` does). `steps=0` estimates building the world alone."""
    if district is not None:
        params = district.params(params)
    counts = expected_counts(params, district)
    memory = estimate_memory(params, district) + steps * BYTES_PER_RECORDED_MONTH
    if communities:
        memory += steps * (
            BYTES_PER_COMMUNITY_TABLE_MONTH + BYTES_PER_COMMUNITY_ROW * counts["communities"]
        )
    per_month = (
        SECONDS_PER_MONTH
        + SECONDS_PER_RESIDENT_MONTH * counts["residents"]
        + SECONDS_PER_COMMUNITY_MONTH * counts["communities"]
        + SECONDS_PER_COMPOUND_MONTH * counts["compounds"]
        + SECONDS_PER_ORGANISATION_MONTH * counts["organisations"]
    )
    build = (
        BUILD_SECONDS
        + BUILD_SECONDS_PER_RESIDENT * counts["residents"]
        + BUILD_SECONDS_PER_TIE_END * counts["tie_ends"]
        + BUILD_SECONDS_PER_COMMUNITY * counts["communities"]
        + BUILD_SECONDS_PER_COMPOUND * counts["compounds"]
        + BUILD_SECONDS_PER_ORGANISATION * counts["organisations"]
    )
    return RunEstimate(counts, int(steps), int(memory), per_month, build)


def check_run(
    est: RunEstimate,
    max_memory: int | None,
    max_hours: float,
    what: str,
    copies: int = 1,
    runs: int = 1,
) -> None:
    """Refuse (LimitError) `runs` runs like `est`, `copies` of them at once, whose memory
    exceeds `max_memory` (None: `default_memory_limit()`) or whose computing time exceeds
    `max_hours`; `what` names them at the start of the message (e.g. the scenario file)."""
    check_memory(est, max_memory or default_memory_limit(), what=what, copies=copies)
    if est.steps:
        months = f"{runs:,} runs of " if runs > 1 else ""
        months += f"{est.steps:,} months"
        detail = f"{what}: {months} of {est.sizes()}"
    else:
        detail = f"{what}: building {est.sizes()}"
    check_hours(est.seconds * runs / max(copies, 1), max_hours, detail)


def check_memory(
    est: RunEstimate,
    limit: int,
    flag: str = "--max-memory",
    what: str = "this run",
    copies: int = 1,
) -> None:
    """Raise LimitError if `copies` runs like `est` at once need more than `limit` bytes."""
    need = est.memory * copies
    if need > limit:
        each = f", {copies} at once" if copies > 1 else ""
        fewer = " or fewer workers" if copies > 1 else ""
        months = f", {est.steps:,} months" if est.steps else ""
        smaller = f"a smaller world, fewer months{fewer}" if est.steps else "a smaller world"
        raise LimitError(
            f"{what} would need about {format_bytes(need)} of memory "
            f"({est.sizes()}{months}{each}), more than the limit of "
            f"{format_bytes(limit)}; use {smaller}, or raise the "
            f"limit with {flag} {format_bytes(need * 1.5, exact=True)} if the machine has it"
        )


def check_hours(seconds: float, limit_hours: float, detail: str, flag: str = "--max-hours") -> None:
    """Raise LimitError if an estimated wall time of `seconds` exceeds `limit_hours`."""
    if seconds > limit_hours * 3600:
        raise LimitError(
            f"{detail} would take about {format_duration(seconds)} of computing, more than "
            f"the limit of {format_duration(limit_hours * 3600)}; check the numbers, or give "
            f"{flag} {math.ceil(seconds / 3600 * 1.5)} to run it anyway"
        )


def default_memory_limit() -> int:
    """MEMORY_SHARE of this machine's physical memory (8 GiB if it cannot be read)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 10 * 2**30
    return int(MEMORY_SHARE * total)


_UNITS = {
    "": 1,
    "b": 1,
    "k": 2**10,
    "kb": 2**10,
    "m": 2**20,
    "mb": 2**20,
    "g": 2**30,
    "gb": 2**30,
    "t": 2**40,
    "tb": 2**40,
}


def parse_size(text: str) -> int:
    """`"16GB"`, `"512 MB"`, `"2.5g"` → bytes (binary units: 1 GB = 2**30 bytes)."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([a-zA-Z]*)\s*", str(text))
    unit = m.group(2).lower() if m else None
    if m is None or unit not in _UNITS or float(m.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a memory size; write e.g. 16GB, 512MB or 2.5TB")
    return int(float(m.group(1)) * _UNITS[unit])


def format_bytes(n: float, exact: bool = False) -> str:
    """Bytes for people: `1.4 GB`, `310 MB` (binary units); `exact` rounds up to a whole
    number of the unit, fit for a command-line flag (`3GB`)."""
    for unit, size in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            if exact:
                return f"{math.ceil(n / size)}{unit}"
            return f"{n / size:.1f} {unit}"
    return f"{math.ceil(n)}B" if exact else f"{n:.0f} B"


def format_duration(seconds: float) -> str:
    """A duration for people: `40 s`, `12 min`, `3.5 h`, `18 days`, `2,300 years`."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    if seconds < 2 * 365 * 86400:
        return f"{seconds / 86400:,.0f} days"
    return f"{seconds / (365 * 86400):,.0f} years"


def _count(x: float) -> str:
    if x >= 1e9:
        return f"{x / 1e9:,.1f} billion"
    if x >= 1e6:
        return f"{x / 1e6:,.1f} million"
    return f"{round(x):,}"
