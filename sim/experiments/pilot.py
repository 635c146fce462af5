"""Pilot evaluation: a pilot and its counterfactual twin, and what an evaluation of the
pilot would conclude (`python -m sim pilot`, docs/CLI.md).

A pilot scenario schedules a reform — `[[policy]]` entries targeted at streets, community or
compound types, or a random share — in a district. Its **twin** is the same scenario, same
seed, without the reform's entries. Because a change at month t leaves every earlier month
identical, the two runs share their history up to the reform, and their difference
afterwards is the reform's effect. For every replicate seed and every outcome of the
per-community table, with P the pilot communities (those where a reform entry applies), R
the rest, `after` the evaluated months from the start of the reform and `before` the months
just before it, `y` the pilot run and `y⁰` the twin:

    true effect    mean over P × after of (y − y⁰)
    naive          mean over P × after of y − mean over R × after of y
    DiD            (P after − P before) − (R after − R before), in y
    spill-over     mean over R × after of (y − y⁰); split into neighbours (R communities in
                   a pilot street, peers of pilot communities) and others
    selection gap  P after − R after in y⁰: how the pilots differ without the reform
    trend gap      the DiD computed in y⁰: how the pilots' trend differs without the reform

Per seed, exactly: naive − true = selection gap − spill-over, and DiD − true = trend gap −
spill-over. Each is reported as a mean over seeds with a 95% t-interval, so a researcher sees
when a pilot evaluation misleads: when pilots are chosen among strong communities
(`select="strongest"`: the streets whose communities score highest on `rank_by` in the
month before the reform, read off the twin, which is the pilot run up to then), or when the
reform's effects spill over to neighbours along the network. Means over communities are
unweighted (the average pilot community).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from sim.core.district import District
from sim.core.metrics import COMMUNITY_COLUMNS
from sim.core.params import ScenarioError
from sim.core.policy import LEVER_SCOPE, Levers, PolicyChange, Timeline
from sim.core.scenario import Scenario
from sim.runs.runner import run

from .design import replicate_seeds
from .stats import mean_ci

__all__ = [
    "SELECTIONS",
    "ESTIMATES",
    "DEFAULT_OUTCOMES",
    "PilotPlan",
    "PairResult",
    "pilot_plan",
    "run_pair",
    "pair_estimates",
    "summarise",
    "evaluate",
]

SELECTIONS = ("as-written", "strongest", "weakest", "random")
"""How pilot streets are chosen: the scenario's own targeting, or `pilots` streets ranked
by `rank_by` in the month before the reform (highest, lowest, or at random)."""

ESTIMATES = {
    "true_effect": "true effect on the pilot communities (pilot run − twin)",
    "naive": "naive evaluation: pilot communities − the rest, after the start",
    "did": "difference-in-differences: (pilots after − before) − (rest after − before)",
    "spillover": "spill-over on the rest (pilot run − twin)",
    "spillover_neighbours": "spill-over on the rest in pilot streets (their peers)",
    "spillover_others": "spill-over on the rest in other streets",
    "selection_gap": "pilots − rest in the twin, after the start (naive − true + spill-over)",
    "trend_gap": "difference-in-differences in the twin (DiD − true + spill-over)",
    "naive_bias": "naive − true effect",
    "did_bias": "DiD − true effect",
}
"""Every estimate, in report order, with its meaning."""

DEFAULT_OUTCOMES = ("satisfaction", "needs_met", "service_share", "admin_burden_share")
DEFAULT_BEFORE = 12
"""Months before the reform the DiD compares with, unless fewer come before it."""
NUMERIC_COLUMNS = tuple(
    c for c in COMMUNITY_COLUMNS if c not in ("street", "community_type", "ngo")
)
"""Per-community outcomes a pilot can be evaluated on."""


@dataclass(frozen=True)
class PilotPlan:
    """A validated pilot evaluation: the scenario's parameters, world and timeline, which of
    its entries are the reform, the months compared, how pilots are chosen, and the seeds."""

    name: str
    params: dict[str, Any]
    timeline: Timeline
    reform: tuple[int, ...]  # indices into timeline.changes
    steps: int
    start: int  # first month of the reform
    until: int  # last month evaluated
    before: int  # months before the start used by the DiD
    select: str
    pilots: int  # streets chosen when select != "as-written"
    rank_by: str
    outcomes: tuple[str, ...]
    seeds: tuple[int, ...]
    district: District | None = field(default=None, repr=False)

    def twin_timeline(self) -> Timeline:
        return Timeline([c for i, c in enumerate(self.timeline.changes) if i not in self.reform])

    def pilot_timeline(self, streets: tuple[int, ...] | None) -> Timeline:
        """The scenario's timeline, the reform targeted at `streets` if given."""
        changes = [
            replace(c, streets=streets) if i in self.reform and streets is not None else c
            for i, c in enumerate(self.timeline.changes)
        ]
        return Timeline(sorted(changes, key=lambda c: c.month))

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.name,
            "steps": self.steps,
            "start": self.start,
            "until": self.until,
            "before": self.before,
            "select": self.select,
            "pilots": self.pilots if self.select != "as-written" else None,
            "rank_by": self.rank_by if self.select in ("strongest", "weakest") else None,
            "outcomes": list(self.outcomes),
            "seeds": list(self.seeds),
            "reform": [self.timeline.changes[i].to_dict() for i in self.reform],
            "timeline": self.timeline.to_list(),
        }


def pilot_plan(
    scenario: Scenario,
    *,
    labels: tuple[str, ...] = (),
    steps: int | None = None,
    until: int | None = None,
    before: int | None = None,
    select: str = "as-written",
    pilots: int = 2,
    rank_by: str = "satisfaction",
    outcomes: tuple[str, ...] = DEFAULT_OUTCOMES,
    replicates: int = 10,
    seed: int = 1,
) -> PilotPlan:
    """Validate a pilot evaluation of `scenario`. The reform is its `[[policy]]` entries
    labelled `labels`, or by default every targeted entry. Runs last `steps` months, by
    default the scenario's steps but no longer than the last month evaluated (`until`).
    The DiD compares with the `before` months before the reform (default: 12, or all of
    them if fewer come before it). Raises ScenarioError naming what is wrong and what is
    allowed."""
    where = f"pilot {scenario.name}"
    changes = scenario.timeline.changes
    if labels:
        known = sorted({c.label for c in changes if c.label})
        for label in labels:
            if label not in known:
                raise ScenarioError(
                    f"{where}: --reform {label!r} labels no [[policy]] entry; "
                    f"labels: {', '.join(known) or '(none)'}"
                )
        reform = tuple(i for i, c in enumerate(changes) if c.label in labels)
    else:
        reform = tuple(i for i, c in enumerate(changes) if c.targeted)
    if not reform:
        raise ScenarioError(
            f"{where}: no reform to evaluate: a pilot needs [[policy]] entries "
            "targeted at streets, community_types, compound_types or a share "
            "(or --reform LABEL)"
        )
    if select not in SELECTIONS:
        raise ScenarioError(f"{where}: --select {select!r}; allowed: {', '.join(SELECTIONS)}")
    for i in reform:
        c = changes[i]
        untargeted = [k for k in c.values if k not in LEVER_SCOPE]
        if untargeted:
            raise ScenarioError(
                f"{where}: the reform entry at month {c.month} sets "
                f"{untargeted[0]}, which applies district-wide; a pilot sets "
                "levers only"
            )
        if not c.targeted and select == "as-written":
            raise ScenarioError(
                f"{where}: the reform entry at month {c.month} applies "
                "everywhere, so there is no rest to compare with; target it "
                "or use --select strongest|weakest|random"
            )
    runs_to = int(steps or scenario.steps)
    start = min(changes[i].month for i in reform)
    later = [c.month for i, c in enumerate(changes) if i not in reform and c.month > start]
    if until is None:
        until = min([runs_to, *[m - 1 for m in later]])
    steps = runs_to if steps else min(runs_to, until)  # months after `until` are not compared
    if not start <= until <= steps:
        raise ScenarioError(
            f"{where}: --until {until} must be between the reform's start "
            f"(month {start}) and the last month ({steps})"
        )
    if start < 2:
        raise ScenarioError(
            f"{where}: the reform starts in month {start}; a before-and-after "
            "comparison needs it to start in month 2 or later"
        )
    if before is None:
        before = min(DEFAULT_BEFORE, start - 1)
    if before < 1:
        raise ScenarioError(f"{where}: --before {before} must be at least 1 month")
    if before > start - 1:
        raise ScenarioError(
            f"{where}: --before {before}: the reform starts in month {start}, so "
            f"{start - 1} month{'s' if start > 2 else ''} come before it; give --before "
            f"{start - 1} or fewer"
        )
    for o in (*outcomes, rank_by):
        if o not in NUMERIC_COLUMNS:
            raise ScenarioError(
                f"{where}: outcome {o!r} is not a per-community outcome; "
                f"allowed: {', '.join(NUMERIC_COLUMNS)}"
            )
    n_streets = scenario.district.n_streets if scenario.district else scenario.params["n_streets"]
    if select != "as-written" and not 1 <= pilots < n_streets:
        raise ScenarioError(
            f"{where}: --pilots {pilots} must leave at least one street out of {n_streets}"
        )
    if replicates < 2:
        raise ScenarioError(
            f"{where}: --replicates {replicates}: at least 2 seeds are "
            "needed for confidence intervals"
        )
    return PilotPlan(
        name=scenario.name,
        params=dict(scenario.params),
        timeline=scenario.timeline,
        reform=reform,
        steps=steps,
        start=start,
        until=int(until),
        before=int(before),
        select=select,
        pilots=int(pilots),
        rank_by=rank_by,
        outcomes=tuple(outcomes),
        seeds=tuple(replicate_seeds(seed, replicates)),
        district=scenario.district,
    )


@dataclass
class PairResult:
    """One seed's pilot and twin: per outcome, months × communities arrays of the pilot run
    and the twin, which communities are pilots, and the pilot streets chosen (if chosen)."""

    seed: int
    months: np.ndarray
    pilot: dict[str, np.ndarray]
    twin: dict[str, np.ndarray]
    treated: np.ndarray
    street: np.ndarray
    community_type: np.ndarray
    streets: tuple[int, ...] | None


def _matrices(table: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    n = int(table["community"].max()) + 1
    return {c: table[c].to_numpy(dtype=float).reshape(-1, n) for c in columns}


def run_pair(plan: PilotPlan, seed: int) -> PairResult:
    """Run the twin, choose the pilot streets if asked, run the pilot (same seed)."""
    columns = tuple(dict.fromkeys((*plan.outcomes, plan.rank_by)))
    twin = run(
        plan.params,
        seed,
        plan.steps,
        communities=True,
        timeline=plan.twin_timeline(),
        district=plan.district,
    )
    streets = choose_streets(plan, twin.communities, seed)
    pilot = run(
        plan.params,
        seed,
        plan.steps,
        communities=True,
        timeline=plan.pilot_timeline(streets),
        district=plan.district,
    )
    first_c = pilot.communities[pilot.communities["step"] == 1]
    first_k = pilot.compounds[pilot.compounds["step"] == 1]
    treated = pilot_communities(plan, streets, first_c, first_k)
    return PairResult(
        seed=int(seed),
        months=np.sort(pilot.communities["step"].unique()),
        pilot=_matrices(pilot.communities, columns),
        twin=_matrices(twin.communities, columns),
        treated=treated,
        street=first_c["street"].to_numpy(),
        community_type=first_c["community_type"].to_numpy(dtype=object),
        streets=streets,
    )


def choose_streets(plan: PilotPlan, twin: pd.DataFrame, seed: int) -> tuple[int, ...] | None:
    """The pilot streets: None (as written), or `plan.pilots` streets ranked by the mean of
    `rank_by` over their communities in the month before the reform."""
    if plan.select == "as-written":
        return None
    month = twin[twin["step"] == plan.start - 1]
    score = month.groupby("street")[plan.rank_by].mean()
    if plan.select == "random":
        order = np.random.default_rng(seed).permutation(score.index.to_numpy())
    else:
        ranked = score.sort_values(ascending=plan.select == "weakest", kind="stable")
        order = ranked.index.to_numpy()
    return tuple(sorted(int(s) for s in order[: plan.pilots]))


def pilot_communities(
    plan: PilotPlan,
    streets: tuple[int, ...] | None,
    communities: pd.DataFrame,
    compounds: pd.DataFrame,
) -> np.ndarray:
    """Communities where a reform entry applies: for a street lever its streets'
    communities, for a community lever the community, for a compound lever any compound."""
    street = communities["street"].to_numpy()
    comm_of_comp = compounds["community"].to_numpy()
    levers = Levers(
        plan.params,
        street,
        comm_of_comp,
        communities["community_type"].to_numpy(),
        compounds["compound_type"].to_numpy(),
    )
    n_streets = int(street.max()) + 1
    treated = np.zeros(len(street), dtype=bool)
    for i in plan.reform:
        change: PolicyChange = plan.timeline.changes[i]
        if streets is not None:
            change = replace(change, streets=streets)
        for name in change.values:
            scope = LEVER_SCOPE[name]
            mask = levers.units(change, scope, n_streets)
            if scope == "street":
                treated |= mask[street]
            elif scope == "community":
                treated |= mask
            else:
                treated |= np.bincount(comm_of_comp, weights=mask, minlength=len(street)) > 0
    return treated


def _mean(y: np.ndarray, months: np.ndarray, units: np.ndarray) -> float:
    """Mean of y over the given months (rows) and communities (columns)."""
    block = y[np.ix_(months, units)]
    return float(block.mean()) if block.size else float("nan")


def pair_estimates(pair: PairResult, plan: PilotPlan) -> dict[str, dict[str, float]]:
    """Per outcome, every estimate of ESTIMATES for one seed."""
    index = {int(m): i for i, m in enumerate(pair.months)}
    after = np.array([index[m] for m in range(plan.start, plan.until + 1) if m in index])
    before = np.array(
        [index[m] for m in range(max(1, plan.start - plan.before), plan.start) if m in index]
    )
    p = np.flatnonzero(pair.treated)
    r = np.flatnonzero(~pair.treated)
    in_pilot_street = np.isin(pair.street, np.unique(pair.street[p]))
    neighbours = np.flatnonzero(~pair.treated & in_pilot_street)
    others = np.flatnonzero(~pair.treated & ~in_pilot_street)
    out = {}
    for o in plan.outcomes:
        y, y0 = pair.pilot[o], pair.twin[o]
        true = _mean(y - y0, after, p)
        spill = _mean(y - y0, after, r)
        naive = _mean(y, after, p) - _mean(y, after, r)
        did = (_mean(y, after, p) - _mean(y, before, p)) - (
            _mean(y, after, r) - _mean(y, before, r)
        )
        selection = _mean(y0, after, p) - _mean(y0, after, r)
        trend = (_mean(y0, after, p) - _mean(y0, before, p)) - (
            _mean(y0, after, r) - _mean(y0, before, r)
        )
        out[o] = {
            "true_effect": true,
            "naive": naive,
            "did": did,
            "spillover": spill,
            "spillover_neighbours": _mean(y - y0, after, neighbours),
            "spillover_others": _mean(y - y0, after, others),
            "selection_gap": selection,
            "trend_gap": trend,
            "naive_bias": naive - true,
            "did_bias": did - true,
        }
    return out


def per_seed_table(pairs: list[PairResult], plan: PilotPlan) -> pd.DataFrame:
    """One row per seed and outcome: the seed, pilot counts and every estimate."""
    rows = []
    for pair in pairs:
        for outcome, values in pair_estimates(pair, plan).items():
            rows.append(
                {
                    "seed": pair.seed,
                    "outcome": outcome,
                    "pilot_communities": int(pair.treated.sum()),
                    "rest_communities": int((~pair.treated).sum()),
                    "pilot_streets": ",".join(map(str, pair.streets)) if pair.streets else "",
                    **values,
                }
            )
    return pd.DataFrame(rows)


def summarise(per_seed: pd.DataFrame) -> pd.DataFrame:
    """Per outcome and estimate: the mean over seeds with its 95% t-interval."""
    rows = []
    for outcome, g in per_seed.groupby("outcome", sort=False):
        for name, meaning in ESTIMATES.items():
            est = mean_ci(g[name].to_numpy(dtype=float))
            rows.append(
                {
                    "outcome": outcome,
                    "estimate": name,
                    "mean": est.mean,
                    "low": est.low,
                    "high": est.high,
                    "n": est.n,
                    "meaning": meaning,
                }
            )
    return pd.DataFrame(rows)


def trajectories(pairs: list[PairResult], plan: PilotPlan) -> pd.DataFrame:
    """Mean over seeds, per month: each outcome for pilots and rest, pilot run and twin."""
    rows = []
    for pair in pairs:
        p, r = pair.treated, ~pair.treated
        for o in plan.outcomes:
            for run_name, y in (("pilot run", pair.pilot[o]), ("twin", pair.twin[o])):
                for group, units in (("pilot communities", p), ("rest", r)):
                    rows.append(
                        pd.DataFrame(
                            {
                                "seed": pair.seed,
                                "outcome": o,
                                "run": run_name,
                                "group": group,
                                "step": pair.months,
                                "value": y[:, units].mean(axis=1),
                            }
                        )
                    )
    frame = pd.concat(rows, ignore_index=True)
    return (
        frame.groupby(["outcome", "run", "group", "step"], sort=False)["value"].mean().reset_index()
    )


def evaluate(
    plan: PilotPlan, evaluator: Any = None, progress: Any = None
) -> tuple[list[PairResult], pd.DataFrame, pd.DataFrame]:
    """Run every seed's pair (in this process, or on an entered evaluator of
    sim.experiments.evaluators) and return the pairs, the per-seed table and the summary."""
    pairs: list[PairResult] = []
    if evaluator is None:
        for seed in plan.seeds:
            pairs.append(run_pair(plan, seed))
            if progress is not None:
                progress(len(pairs), len(plan.seeds))
    else:
        for seed in plan.seeds:
            evaluator.submit(seed, run_pair, plan, seed)
        while evaluator.in_flight:
            _, result, err = evaluator.next_done()
            if err is not None:
                raise err
            pairs.append(result)
            if progress is not None:
                progress(len(pairs), len(plan.seeds))
        pairs.sort(key=lambda pair: plan.seeds.index(pair.seed))
    per_seed = per_seed_table(pairs, plan)
    return pairs, per_seed, summarise(per_seed)
