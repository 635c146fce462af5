"""The Compare tab's runs: two settings, each run on the same N replicate seeds.

An *arm* is either the current controls or a scenario file; both arms run on the session's
world — the world size set in the controls, or the district read from files the session
runs (a scenario's `[world]`) — and on the same seeds (common random numbers: replicate i of
A and of B share the world and random streams, so their difference is the settings'
effect). A scenario arm that names a district of its own is run on the session's world as
well, and `set_aside_world` says so, since two worlds would confound the comparison. The
replicate seeds derive from the seed box as in a sweep (`sim.experiments.design.replicate_seeds`),
and every run is the command line's unit of work (`sim.runs.runner.run`). The result gives,
per outcome, each arm's mean with a 95% confidence interval and the paired difference B − A
with its 95% CI (`sim.experiments.stats`), and per community the paired difference of the
per-community table's columns (the difference map).

In the app a comparison runs as a background job (`jobs`) in its own process
(`worker`, which calls `run_comparison`); `write_spec` and `read_result` are the two ends of
that hand-over. The tables a researcher takes away are `replicate_table` (one row per arm
and replicate) and `differences_table` (one row per outcome).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.district import District
from sim.core.scenario import load_scenario
from sim.experiments.design import replicate_seeds
from sim.experiments.stats import Estimate, mean_ci, paired_difference
from sim.runs.runner import run

from .i18n import WORLD_SIZE

CURRENT = "__current__"
"""The arm choice that means 'the parameters set in the controls'."""

DEFAULT_REPLICATES = 5
SUMMARY_MONTHS = 12
"""Each replicate is summarised by its mean over the last this many months (all of them in
a shorter run: `window_of`)."""


def window_of(months: int) -> int:
    """The months a replicate's summary averages: the last 12, or all of a shorter run."""
    return max(1, min(SUMMARY_MONTHS, int(months)))


class Cancelled(Exception):
    """The comparison was stopped (its page closed)."""


def arm_params(choice: str, current: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """Parameters of an arm: the current controls, or a scenario with the current world
    size. Raises ScenarioError for a bad scenario file."""
    if choice == CURRENT:
        return dict(current)
    params = dict(load_scenario(folder / f"{choice}.toml").params)
    for name in WORLD_SIZE:
        params[name] = current[name]
    return params


def set_aside_world(choice: str, current: Path | None, folder: Path) -> Path | None:
    """The district folder an arm's scenario names (`[world]`) where it is not the session's
    world — the comparison runs that arm on the session's world — else None."""
    if choice == CURRENT:
        return None
    own = load_scenario(folder / f"{choice}.toml").world
    if own is None or (current is not None and own.resolve() == current.resolve()):
        return None
    return own


def arm_timeline(choice: str, current: list[dict[str, Any]], folder: Path) -> list[dict[str, Any]]:
    """Policy timeline of an arm: the session's (with its scheduled reforms), or a
    scenario's `[[policy]]` entries."""
    if choice == CURRENT:
        return list(current)
    return load_scenario(folder / f"{choice}.toml").timeline.to_list()


@dataclass
class Comparison:
    """Replicate runs of two arms on the same seeds."""

    names: tuple[str, str]
    seeds: list[int]
    months: int
    a: list[pd.DataFrame] = field(default_factory=list)  # district series of each replicate
    b: list[pd.DataFrame] = field(default_factory=list)
    window: int = 0  # months each replicate's summary averages (0: `window_of(months)`)
    communities: pd.DataFrame | None = None  # per-community window means: arm, replicate, ...
    params: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    timelines: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])

    def __post_init__(self) -> None:
        if not self.window:
            self.window = window_of(self.months)

    @property
    def n(self) -> int:
        return min(len(self.a), len(self.b))


def run_comparison(
    params_a: Mapping[str, Any],
    params_b: Mapping[str, Any],
    seed: int,
    replicates: int,
    months: int,
    names: tuple[str, str] = ("A", "B"),
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    timelines: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], []),
    district: District | None = None,
    communities: bool = False,
    seeds: Sequence[int] | None = None,
) -> Comparison:
    """Run both arms (with their policy `timelines`, on the district read from files if
    given) on `replicates` seeds derived from `seed` (or on `seeds`), replicate by replicate
    (so an interrupted comparison holds complete pairs). progress(done, total) counts months.
    `communities`: also keep each community's means over the summary window."""
    seeds = list(seeds) if seeds is not None else replicate_seeds(seed, replicates)
    out = Comparison(
        names,
        seeds,
        months,
        params=(dict(params_a), dict(params_b)),
        timelines=(list(timelines[0]), list(timelines[1])),
    )
    total = 2 * len(seeds) * months
    done = 0
    kept: list[pd.DataFrame] = []

    def tick(month: int, _steps: int) -> None:
        if cancelled is not None and cancelled():
            raise Cancelled
        if progress is not None:
            progress(done + month, total)

    for r, s in enumerate(seeds):
        for arm, params, policy, frames in (
            ("A", params_a, timelines[0], out.a),
            ("B", params_b, timelines[1], out.b),
        ):
            result = run(
                dict(params),
                s,
                months,
                window=out.window,
                progress=tick,
                timeline=list(policy),
                district=district,
                communities=communities,
            )
            frames.append(result.series)
            if communities:
                c = community_means(result.communities, out.window)
                c.insert(0, "seed", s)
                c.insert(0, "replicate", r)
                c.insert(0, "arm", arm)
                kept.append(c)
            done += months
    if communities:
        out.communities = pd.concat(kept, ignore_index=True)
    return out


def community_means(table: pd.DataFrame | None, window: int) -> pd.DataFrame:
    """Each community's mean of every numeric column of the per-community table over the
    last `window` months."""
    if table is None or table.empty:
        return pd.DataFrame()
    last = int(table["step"].max())
    recent = table[table["step"] > last - max(int(window), 1)]
    numeric = [
        c
        for c in recent.columns
        if c not in ("step", "community", "street")
        and pd.api.types.is_numeric_dtype(recent[c])
        and not pd.api.types.is_bool_dtype(recent[c])
    ]
    keys = ["community", "street"] if "street" in recent else ["community"]
    return recent.groupby(keys, sort=True)[numeric].mean().reset_index()


# ------------------------------------------------------------------------------ the job
SPEC_FILE = "compare.json"


def write_spec(comp: Comparison, folder: Path, world: Path | None = None) -> Path:
    """The worker's specification of a comparison not yet run (`comp` without runs): both
    arms, the seeds, months and window, the world and where to write."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "names": list(comp.names),
        "params": {"A": comp.params[0], "B": comp.params[1]},
        "timelines": {"A": comp.timelines[0], "B": comp.timelines[1]},
        "world": None if world is None else str(Path(world).resolve()),
        "seeds": [int(s) for s in comp.seeds],
        "months": int(comp.months),
        "window": int(comp.window),
        "out": str(folder),
    }
    path = folder / SPEC_FILE
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    return path


def read_result(folder: Path) -> Comparison:
    """The comparison the worker wrote into `folder`."""
    spec = json.loads((folder / SPEC_FILE).read_text(encoding="utf-8"))
    series = pd.read_parquet(folder / "series.parquet")
    comm = pd.read_parquet(folder / "communities.parquet")
    comp = Comparison(
        tuple(spec["names"]),
        [int(s) for s in spec["seeds"]],
        int(spec["months"]),
        window=int(spec["window"]),
        communities=comm,
        params=(spec["params"]["A"], spec["params"]["B"]),
        timelines=(spec["timelines"]["A"], spec["timelines"]["B"]),
    )
    for arm, frames in (("A", comp.a), ("B", comp.b)):
        mine = series[series["arm"] == arm]
        for r in range(len(comp.seeds)):
            rows = mine[mine["replicate"] == r]
            if len(rows):
                frames.append(
                    rows.drop(columns=["arm", "replicate", "seed"]).reset_index(drop=True)
                )
    return comp


# ------------------------------------------------------------------------------ estimates
@dataclass(frozen=True)
class Difference:
    """One outcome of a comparison: each arm's mean and B − A, each with a 95% CI."""

    outcome: str
    a: Estimate
    b: Estimate
    diff: Estimate
    dz: float  # Cohen's d_z of the paired differences


def summary_values(
    frames: Sequence[pd.DataFrame], outcome: str, window: int = SUMMARY_MONTHS
) -> np.ndarray:
    """Each replicate's mean of `outcome` over its last `window` months (months where it is
    undefined left out, as `sim.runs.runner.summarise` does)."""
    out = []
    for f in frames:
        x = f[outcome].to_numpy(dtype=float)[-window:] if outcome in f else np.array([np.nan])
        seen = x[~np.isnan(x)]
        out.append(float(seen.mean()) if seen.size else float("nan"))
    return np.array(out)


def differences(
    comp: Comparison, outcomes: Sequence[str], window: int | None = None
) -> list[Difference]:
    """Per outcome: means of A and B and the paired difference B − A over the replicates."""
    out = []
    n = comp.n
    w = window or comp.window
    for o in outcomes:
        a = summary_values(comp.a[:n], o, w)
        b = summary_values(comp.b[:n], o, w)
        diff, dz = paired_difference(b, a)
        out.append(Difference(o, mean_ci(a), mean_ci(b), diff, dz))
    return out


def replicate_table(comp: Comparison, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per arm and replicate: arm, its name, replicate, seed, the summary window and
    each outcome's mean over it (`mean_<outcome>`, as in a sweep's runs table)."""
    names = list(outcomes) if outcomes is not None else _outcomes_of(comp)
    rows = []
    for arm, label, frames in (("A", comp.names[0], comp.a), ("B", comp.names[1], comp.b)):
        for r, frame in enumerate(frames[: comp.n]):
            row: dict[str, Any] = {
                "arm": arm,
                "name": label,
                "replicate": r,
                "seed": int(comp.seeds[r]),
                "months": comp.months,
                "window": comp.window,
            }
            for o in names:
                row[f"mean_{o}"] = float(summary_values([frame], o, comp.window)[0])
            rows.append(row)
    return pd.DataFrame(rows)


def differences_table(comp: Comparison, outcomes: Sequence[str]) -> pd.DataFrame:
    """One row per outcome: each arm's mean with its 95% CI, and the paired difference
    B − A with its 95% CI, Cohen's d_z and whether the interval excludes 0."""
    rows = []
    for d in differences(comp, outcomes):
        rows.append(
            {
                "outcome": d.outcome,
                "n": d.diff.n,
                "window": comp.window,
                "mean_a": d.a.mean,
                "low_a": d.a.low,
                "high_a": d.a.high,
                "mean_b": d.b.mean,
                "low_b": d.b.low,
                "high_b": d.b.high,
                "diff": d.diff.mean,
                "low": d.diff.low,
                "high": d.diff.high,
                "d_z": d.dz,
                "excludes_zero": bool(d.diff.n >= 2 and d.diff.excludes_zero()),
            }
        )
    return pd.DataFrame(rows)


def _outcomes_of(comp: Comparison) -> list[str]:
    from sim.core.metrics import OUTCOMES

    first = comp.a[0] if comp.a else pd.DataFrame()
    return [o for o in OUTCOMES if o in first]


def community_columns(comp: Comparison) -> list[str]:
    """Numeric columns of the per-community table kept for the difference map."""
    t = comp.communities
    if t is None or t.empty:
        return []
    return [c for c in t.columns if c not in ("arm", "replicate", "seed", "community", "street")]


def same_communities(comp: Comparison) -> bool:
    """Whether both arms ran on the same communities in every replicate (the difference per
    community needs it: an arm that changes the world's structure has other communities)."""
    t = comp.communities
    if t is None or t.empty:
        return False
    keys = ["replicate", "community"] + (["street"] if "street" in t else [])
    a = t[t["arm"] == "A"][keys].sort_values(keys).reset_index(drop=True)
    b = t[t["arm"] == "B"][keys].sort_values(keys).reset_index(drop=True)
    return a.equals(b)


def community_differences(
    comp: Comparison, column: str, replicate: int | None = None
) -> pd.DataFrame:
    """Per community: the mean of `column` (over the summary window) in A and in B, and the
    paired difference B − A over the replicates with its 95% CI — or in one `replicate` only
    (a synthetic world is drawn anew for every replicate, so its communities are other
    communities in each). Empty if the arms' worlds differ (`same_communities`)."""
    t = comp.communities
    if t is None or column not in t or not same_communities(comp):
        return pd.DataFrame()
    if replicate is not None:
        t = t[t["replicate"] == replicate]
    street = (
        t.drop_duplicates("community").set_index("community")["street"]
        if "street" in t
        else pd.Series(dtype=int)
    )
    wide = t.pivot_table(index=["community", "replicate"], columns="arm", values=column)
    rows = []
    for c, g in wide.groupby(level=0):
        a, b = g["A"].to_numpy(dtype=float), g["B"].to_numpy(dtype=float)
        est, _ = paired_difference(b, a)
        rows.append(
            {
                "community": int(c),
                "street": int(street.get(c, -1)),
                "n": est.n,
                "a": float(np.nanmean(a)) if np.isfinite(a).any() else float("nan"),
                "b": float(np.nanmean(b)) if np.isfinite(b).any() else float("nan"),
                "diff": est.mean,
                "low": est.low,
                "high": est.high,
            }
        )
    return pd.DataFrame(rows)
