"""Memory guard of the browser server: estimate a world's memory before building it, cap it
per session, and admit new sessions only while the server has room.

All sessions of one server share one Python process, so one visitor typing `1e3` streets
(about 7 GB) could take the server down for everyone. Before a model is built,
`estimate_mb(params)` predicts its memory from the expected number of residents and
network nodes (and what the session records while it plays), counted in the district's
tables when the world is read from files; a world above the per-session cap is refused
with a message saying why, and so is a world whose months would take longer to compute
than the server allows (`sim.runs.limits` estimates the time). `Admission` keeps the live sessions
of the process and their estimates: a new session is turned away with a clear message
when the server already holds `max_sessions` sessions or its memory budget is spent.

The coefficients are measured (tracemalloc peak while building a world and running it for
24 months, least squares over worlds of different shapes):

    python -m sim.interfaces.browser.guard            # prints the fit and the estimate's error

Limits come from the environment (set by `python -m sim serve`): SIM_VIZ_SESSION_MB,
SIM_VIZ_SERVER_MB, SIM_VIZ_MAX_SESSIONS and SIM_VIZ_MONTH_SECONDS.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.core.params import ScenarioError, defaults

if TYPE_CHECKING:  # the world builder and the tables' reader load only when used
    from sim.core.district import District

BYTES_PER_RESIDENT = 300.0
"""Peak bytes per resident of a model (arrays of the vectorised population, the social
graph, and the temporaries of a step), measured by `main`."""
BYTES_PER_NODE = 10_000.0
"""Peak bytes per node of the governance network (organisation state, agents, their seats
and the people in them, the networkx graph and Mesa's cells), measured by `main`."""
BASE_MB = 2.0
"""Fixed part of a model (schema, collectors, random streams)."""
BYTES_PER_COMMUNITY_MONTH = 400.0
"""What one community adds per recorded month: its row of the per-community table (about
40 numbers) and the session's record of its organisations for the replay slider."""
HORIZON_MONTHS = 240
"""Months of play a session's estimate provisions for (20 years)."""
SESSION_OVERHEAD_MB = 25.0
"""Memory of a session besides its model: widgets, plot data, the network picture."""

JOB_BASE_MB = 300.0
"""Resident memory of a background job's process (`jobs`) before it builds a world: Python
with NumPy, pandas, pyarrow, Mesa and the model imported (240 MB measured, rounded up); a
world large enough to run the compiled loops adds their runtime
(`sim.core.world.MEMORY_BYTES["compiled_loops"]`)."""

DEFAULT_CULL_SECONDS = 60
"""How long a session whose page has gone (closed laptop, lost network) keeps its model
before Solara culls it and its memory returns; its play loop stops at once."""
DEFAULT_SESSION_MB = 1500
DEFAULT_MAX_SESSIONS = 20
DEFAULT_MONTH_SECONDS = 30.0
"""Longest estimated computing time of one month of a session's world (seconds); building
the world may take ten times as long. A page that waits longer for each month is of no
use, and its thread holds a core the other sessions share."""
BUILD_MONTHS = 10
"""How many months' worth of time building a session's world may take."""
ENV_SESSION_MB = "SIM_VIZ_SESSION_MB"
ENV_SERVER_MB = "SIM_VIZ_SERVER_MB"
ENV_MAX_SESSIONS = "SIM_VIZ_MAX_SESSIONS"
ENV_MONTH_SECONDS = "SIM_VIZ_MONTH_SECONDS"


@dataclass(frozen=True)
class World:
    """Expected size of the world a parameter set builds."""

    streets: int
    communities: float
    compounds: float
    residents: float
    nodes: float


def expected_world(params: dict[str, Any], district: District | None = None) -> World:
    """Expected counts from the structure parameters (their means multiply: each level's
    count is drawn around the mean the parameter gives), or counted in `district`'s tables
    (`sim.core.world.expected_counts`)."""
    from sim.core.world import expected_counts

    p = {**defaults(), **params}
    if district is not None:
        p = district.params(p)
    n = expected_counts(p, district)
    streets = int(p["n_streets"])
    communities, compounds = n["communities"], n["compounds"]
    branches = compounds  # a node for every compound's branch, built or not
    # per community: its party organisation, residents' committee and property-management
    # committee; per compound: its owners' committee seat and party branch; district-wide:
    # firms, NGO slots and line departments
    nodes = (
        streets
        + 3 * communities
        + compounds
        + branches
        + n["organisations"]
        + float(p.get("n_departments", 0))
    )
    return World(streets, communities, compounds, n["residents"], nodes)


def district_of(world: str | Path | None) -> District | None:
    """The district read from the tables in folder `world` (None: a drawn world, or tables
    that cannot be read, which building the world then reports)."""
    if world is None:
        return None
    from sim.core.scenario import load_district

    try:
        return load_district(world)
    except ScenarioError:
        return None


def model_mb(world: World) -> float:
    """Expected peak memory of a freshly built model stepping (MB)."""
    return BASE_MB + (BYTES_PER_RESIDENT * world.residents + BYTES_PER_NODE * world.nodes) / 2**20


def estimate_mb(
    params: dict[str, Any], months: int = HORIZON_MONTHS, district: District | None = None
) -> float:
    """Memory a browser session with this world (drawn from `params`, or `district`'s
    tables) needs over `months` months of play (MB)."""
    world = expected_world(params, district)
    growth = BYTES_PER_COMMUNITY_MONTH * world.communities * months / 2**20
    return model_mb(world) + growth + SESSION_OVERHEAD_MB


def job_estimate_mb(params: dict[str, Any], months: int, district: District | None = None) -> float:
    """Memory a background job needs (MB): its process, and one model of the world (drawn
    from `params`, or `district`'s tables) at a time with its per-community table over
    `months` months (a comparison or a sweep runs its runs one after another)."""
    from sim.core import kernels
    from sim.core.world import MEMORY_BYTES

    world = expected_world(params, district)
    growth = BYTES_PER_COMMUNITY_MONTH * world.communities * months / 2**20
    # a world this large runs the compiled loops, whose runtime the job's process loads
    compiled = MEMORY_BYTES["compiled_loops"] * kernels.would_compile(int(world.residents))
    return JOB_BASE_MB + model_mb(world) + growth + compiled / 2**20


def _env_number(env: dict[str, str], name: str, default: float | None) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value > 0 else default


def total_memory_mb() -> float:
    """Physical memory of this machine (MB)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (ValueError, OSError, AttributeError):
        return 8192.0


@dataclass(frozen=True)
class Limits:
    """How much one session and the whole server may use."""

    session_mb: float = DEFAULT_SESSION_MB
    server_mb: float = 0.6 * 8192
    max_sessions: int = DEFAULT_MAX_SESSIONS
    month_seconds: float = DEFAULT_MONTH_SECONDS

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Limits set by `python -m sim serve`; the server budget defaults to 60% of the
        machine's memory."""
        env = os.environ if environ is None else environ
        session = _env_number(env, ENV_SESSION_MB, DEFAULT_SESSION_MB)
        server = _env_number(env, ENV_SERVER_MB, 0.6 * total_memory_mb())
        sessions = _env_number(env, ENV_MAX_SESSIONS, DEFAULT_MAX_SESSIONS)
        month = _env_number(env, ENV_MONTH_SECONDS, DEFAULT_MONTH_SECONDS)
        return cls(float(session), float(server), max(int(sessions), 1), float(month))


def world_refusal(
    params: dict[str, Any], limits: Limits, lang: str = "en", district: District | None = None
) -> str:
    """Why this world (drawn from `params`, or `district`'s tables) is too large or too slow
    for one session, or '' if it fits."""
    need = estimate_mb(params, district=district)
    if need <= limits.session_mb:
        return _time_refusal(params, limits, lang, district)
    w = expected_world(params, district)
    if lang == "zh":
        return (
            f"区域规模过大：预计需要约 {need:,.0f} MB 内存（约 {w.residents:,.0f} 名居民、"
            f"{w.nodes:,.0f} 个网络节点），超过本服务器每个会话 {limits.session_mb:,.0f} MB "
            f"的上限（python -m sim serve --session-memory-mb）。请缩小区域规模。"
        )
    return (
        f"World too large for one session: it would need about {need:,.0f} MB "
        f"(about {w.residents:,.0f} residents and {w.nodes:,.0f} network nodes), above this "
        f"server's cap of {limits.session_mb:,.0f} MB per session "
        f"(python -m sim serve --session-memory-mb). Reduce the world size."
    )


def _time_refusal(
    params: dict[str, Any], limits: Limits, lang: str, district: District | None
) -> str:
    """Why this world's months (or its building) would take too long for a session."""
    from sim.runs.limits import estimate_run, format_duration

    est = estimate_run({**defaults(), **params}, 1, district=district)
    month, build = est.seconds_per_month, est.build_seconds
    if month <= limits.month_seconds and build <= BUILD_MONTHS * limits.month_seconds:
        return ""
    if lang == "zh":
        return (
            f"区域规模过大：每个月预计需要约 {format_duration(month)} 的计算（建立区域约 "
            f"{format_duration(build)}），超过本服务器每月 {limits.month_seconds:,.0f} 秒的上限"
            f"（python -m sim serve --session-month-seconds）。请缩小区域规模。"
        )
    return (
        f"World too slow for one session: each month would take about {format_duration(month)} "
        f"of computing (building it about {format_duration(build)}; {est.sizes()}), above "
        f"this server's limit of {limits.month_seconds:,.0f} s per month "
        f"(python -m sim serve --session-month-seconds). Reduce the world size."
    )


class Admission:
    """The live sessions of this server process and the memory each is estimated to use.

    Thread-safe: Solara serves every session in its own thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, float] = {}

    def admit(self, session: str, mb: float, limits: Limits, lang: str = "en") -> str:
        """Reserve `mb` for `session` (replacing what it held); '' if admitted, else why
        not."""
        with self._lock:
            others = {k: v for k, v in self._sessions.items() if k != session}
            if session not in self._sessions and len(others) >= limits.max_sessions:
                return busy_message(len(others), limits, "sessions", lang)
            if sum(others.values()) + mb > limits.server_mb:
                return busy_message(
                    len(others), limits, "memory", lang, used=sum(others.values()), need=mb
                )
            self._sessions[session] = mb
            return ""

    def release(self, session: str) -> None:
        """Forget a closed session."""
        with self._lock:
            self._sessions.pop(session, None)

    def count(self) -> int:
        with self._lock:
            return len(self._sessions)

    def reserved_mb(self) -> float:
        with self._lock:
            return sum(self._sessions.values())


def busy_message(
    live: int, limits: Limits, reason: str, lang: str = "en", used: float = 0.0, need: float = 0.0
) -> str:
    """The message a visitor sees when the server has no room for them."""
    if reason == "sessions":
        if lang == "zh":
            return (
                f"服务器繁忙：已有 {live} 个会话在运行（上限 {limits.max_sessions}）。"
                "请稍后再试；关闭的页面会在一分钟内释放名额。"
            )
        return (
            f"The server is busy: {live} sessions are running, its limit is "
            f"{limits.max_sessions}. Please try again in a few minutes; closed pages free "
            "their place within a minute."
        )
    if lang == "zh":
        return (
            f"服务器繁忙：现有会话已占用约 {used:,.0f} MB，本会话还需约 {need:,.0f} MB，"
            f"超过服务器 {limits.server_mb:,.0f} MB 的内存预算。请稍后再试或缩小区域规模。"
        )
    return (
        f"The server is busy: running sessions hold about {used:,.0f} MB and this one "
        f"needs about {need:,.0f} MB, more than the server's budget of "
        f"{limits.server_mb:,.0f} MB. Please try again later, or use a smaller world."
    )


ADMISSION = Admission()
"""The one admission register of this server process."""


def release_memory() -> None:
    """Collect a closed session's garbage and hand the freed memory back to the system.

    The C allocator keeps memory that a model's large arrays used in its arenas (one per
    thread) instead of returning it, so without this the server's resident memory stays near
    its peak after sessions close. `malloc_trim` (glibc) returns it; elsewhere this only
    collects garbage."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


# ------------------------------------------------------------------------- calibration
CALIBRATION_WORLDS: tuple[dict[str, Any], ...] = (
    {"n_streets": 1},
    {"n_streets": 3},
    {"n_streets": 10},
    {"n_streets": 10, "households_per_compound": 30.0},
    {"n_streets": 10, "compounds_per_community": 20.0, "households_per_compound": 20.0},
    {"n_streets": 30},
    {"n_streets": 60, "households_per_compound": 10.0},
)
"""Worlds of different shapes (residents-heavy, node-heavy) the coefficients are fitted on."""


def measure(params: dict[str, Any], months: int = 24, seed: int = 1) -> dict[str, float]:
    """Peak traced memory (MB) of building `params` and running it `months` months, with
    the world's actual counts."""
    import gc
    import tracemalloc

    from sim.core.model import GovernanceModel

    gc.collect()
    tracemalloc.start()
    try:
        model = GovernanceModel(rng=seed, **params)
        model.run_for(months)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    counts = {
        "residents": float(getattr(getattr(model, "residents", None), "n", 0)),
        "nodes": float(model.network.number_of_nodes()),
        "peak_mb": peak / 2**20,
    }
    model.remove_all_agents()
    return counts


def main(argv: list[str] | None = None) -> int:
    """Fit bytes per resident and per node on `CALIBRATION_WORLDS`; print the fit and how
    far the module's estimate is from each measurement."""
    import argparse

    import numpy as np

    parser = argparse.ArgumentParser(
        prog="python -m sim.interfaces.browser.guard", description=main.__doc__
    )
    parser.add_argument("--months", type=int, default=24, help="months run in each world")
    args = parser.parse_args(argv)
    rows = []
    for params in CALIBRATION_WORLDS:
        m = measure(params, args.months)
        est = model_mb(expected_world(params))
        rows.append((params, m, est))
        print(
            f"{params}: {m['residents']:>9,.0f} residents {m['nodes']:>6,.0f} nodes  "
            f"peak {m['peak_mb']:7.1f} MB  estimate {est:7.1f} MB "
            f"({est / m['peak_mb']:.2f}x)"
        )
    a = np.array([[m["residents"], m["nodes"]] for _, m, _ in rows])
    y = np.array([(m["peak_mb"] - BASE_MB) * 2**20 for _, m, _ in rows])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    print(
        f"fit: {coef[0]:.0f} bytes per resident, {coef[1]:.0f} bytes per node "
        f"(module uses {BYTES_PER_RESIDENT:.0f} and {BYTES_PER_NODE:.0f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
