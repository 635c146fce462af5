"""The calibration's model runs, through the sweep engine.

Each batch of runs (a history-matching wave, a predictive check) is an ordinary experiment
of `sim.experiments`: an experiment file ``<label>.toml`` with one arm and its parameter
sets as ``[uncertainty]`` draws from the table ``<label>.draws.parquet``, each set with its
own seeds (`sim.experiments.uncertainty.draw_seeds`), stored in the folder ``<label>/``
(`sim.experiments.store`). So the calibration's runs are resumable (a stored run is never
run again), run in parallel in local worker processes or on any cluster the evaluator is
connected to, and each batch can be inspected, reported or re-run on its own with
``python -m sim sweep <results>/<label>.toml --out <results>/<label>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.policy import parse_timeline
from sim.core.scenario import timeline_toml, to_toml
from sim.experiments.definition import load_sweep
from sim.experiments.design import make_design
from sim.experiments.engine import execute
from sim.experiments.plan import plan_runs, plan_table
from sim.experiments.store import RunStore
from sim.runs.files import atomic_path, atomic_write_text
from sim.validation.episodes import EPISODES, Episode

from .history_matching import CalibrationError
from .targets import RunOutputs, Target

__all__ = ["SweepSimulator", "experiment_text", "episode_scenario"]

EPISODE_BY_NAME = {e.name: e for e in EPISODES}


def episode_scenario(episode: Episode) -> str:
    """A scenario file replaying `episode`: the defaults (the baseline) with the episode's
    starting point and its policy timeline."""
    header = (
        f"Historical episode {episode.name}: {episode.title}.\n"
        "Written by python -m sim.validation.calibration from sim.validation.episodes."
    )
    text = to_toml({"description": episode.title, **episode.params}, header, comments=False)
    return text + timeline_toml(parse_timeline(list(episode.timeline), where=episode.name))


def experiment_text(
    label: str,
    n_points: int,
    replicates: int,
    seed: int,
    steps: int,
    world: dict[str, Any],
    series_outcomes: Sequence[str] = (),
    scenario: str = "baseline",
    draws: str | None = None,
) -> str:
    """The experiment file of one batch: one arm over the batch's parameter sets (the
    rows of `draws`, default ``<label>.draws.parquet``) on the base `scenario`."""
    draws = draws or f"{label}.draws.parquet"
    lines = [
        f"# Calibration batch {label}: {n_points} parameter sets × {replicates} seeds.",
        "# Written by python -m sim.validation.calibration; the parameter sets are the rows",
        f"# of {draws}, each run with its own seeds.",
        f'description = "Calibration batch {label}: {n_points} parameter sets"',
        f'scenario = "{scenario}"',
        f"steps = {steps}",
        f"replicates = {replicates}",
        f"seed = {seed}",
    ]
    if series_outcomes:
        lines += [
            "series_period = 1",
            "outcomes = [" + ", ".join(f'"{o}"' for o in series_outcomes) + "]",
        ]
    lines += ["", "[design]", 'kind = "arms"', "", "[arms.calibration]", "", "[fixed]"]
    lines += [f"{k} = {_toml(v)}" for k, v in world.items()]
    lines += ["", "[uncertainty]", f"draws = {n_points}", f'table = "{draws}"', ""]
    return "\n".join(lines)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


class SweepSimulator:
    """Runs parameter sets of the calibration as experiments of the sweep engine, on the
    calibration world (`world`: parameter overrides of the baseline scenario), in the
    folder `root`, with an entered evaluator (`sim.experiments.evaluators`)."""

    def __init__(
        self,
        root: Path,
        targets: Sequence[Target],
        world: dict[str, Any],
        steps: int,
        evaluator: Any,
        *,
        progress: bool = True,
    ) -> None:
        self.root = Path(root)
        self.targets = tuple(targets)
        self.world = dict(world)
        self.steps = steps
        self.evaluator = evaluator
        self.progress = progress
        self.runs = 0  # runs this simulator asked for (stored or run now)

    def simulate(
        self, label: str, points: pd.DataFrame, replicates: int, seed: int
    ) -> pd.DataFrame:
        """Run the parameter sets (rows of `points`) of one batch; see
        `history_matching.Simulator`. The baseline's targets read one experiment
        ``<label>``; each historical episode's target reads its own, ``<label>-<episode>``,
        with the same parameter sets and seeds."""
        self.root.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.root / f"{label}.draws.parquet") as tmp:
            points.reset_index(drop=True).to_parquet(tmp, index=False)
        keys = ["point", "replicate", "seed"]
        table: pd.DataFrame | None = None
        for name, targets in self._by_run().items():
            if name is None:
                part = self._batch(
                    label, "baseline", self.steps, targets, len(points), replicates, seed
                )
            else:
                episode = EPISODE_BY_NAME[name]
                scenario = self.root / f"episode-{name}.toml"
                atomic_write_text(scenario, episode_scenario(episode))
                part = self._batch(
                    f"{label}-{name}",
                    scenario.name,
                    episode.months,
                    targets,
                    len(points),
                    replicates,
                    seed,
                    draws=f"{label}.draws.parquet",
                )
            table = part if table is None else table.merge(part, on=keys, how="outer")
        assert table is not None, "a calibration needs at least one target"
        return table.sort_values(["replicate", "point"]).reset_index(drop=True)

    def _by_run(self) -> dict[str | None, list[Target]]:
        """Targets grouped by the runs they read: None (the baseline) or an episode; episodes
        that replay the same scenario over the same months (two outcomes of one reform)
        share the runs of the first of them."""
        groups: dict[str | None, list[Target]] = {}
        first: dict[str, str] = {}
        for t in self.targets:
            key = t.episode
            if key is not None:
                e = EPISODE_BY_NAME[key]
                key = first.setdefault(repr((sorted(e.params.items()), e.timeline, e.months)), key)
            groups.setdefault(key, []).append(t)
        return groups

    def _batch(
        self,
        label: str,
        scenario: str,
        steps: int,
        targets: list[Target],
        n_points: int,
        replicates: int,
        seed: int,
        draws: str | None = None,
    ) -> pd.DataFrame:
        """Run one experiment of the batch and return its targets' statistics."""
        series_outcomes = sorted({o for t in targets for o in t.series_outcomes})
        path = self.root / f"{label}.toml"
        atomic_write_text(
            path,
            experiment_text(
                label,
                n_points,
                replicates,
                seed,
                steps,
                self.world,
                series_outcomes,
                scenario,
                draws=draws,
            ),
        )
        defn = load_sweep(path)
        design = make_design(defn)
        specs = plan_runs(defn, design)
        store = RunStore.create(self.root / label)
        started = datetime.now(UTC)
        with store.lock():
            store.save_definition(defn.text, defn.to_dict(), design.table, plan_table(specs))
            outcome = execute(
                defn, design, store, self.evaluator, retry_failed=True, progress=self.progress
            )
            store.log_session(
                {
                    "started": started.isoformat(timespec="seconds"),
                    "wall_seconds": round(outcome.elapsed, 3),
                    "evaluator": outcome.evaluator,
                    "workers": self.evaluator.n_workers,
                    "planned": outcome.planned,
                    "already_ok": outcome.stored_ok,
                    "ran": outcome.ok + outcome.failed,
                    "ok": outcome.ok,
                    "failed": outcome.failed,
                    "interrupted": outcome.interrupted,
                }
            )
        if outcome.interrupted:
            raise KeyboardInterrupt
        if outcome.failed or outcome.missing:
            first = outcome.failures[0][1].splitlines()[0] if outcome.failures else ""
            raise CalibrationError(
                f"{label}: {outcome.failed + outcome.missing} of {outcome.unique} runs did not "
                f"finish ({first}); their errors are stored in {store.failures_dir}; run the same "
                "command again to retry them"
            )
        self.runs += len(specs)
        return self._statistics(store, plan_table(specs), targets)

    def _statistics(
        self, store: RunStore, plan: pd.DataFrame, targets: list[Target]
    ) -> pd.DataFrame:
        """Each run's target statistics: point, replicate, seed and one column per target."""
        runs = store.runs().drop(columns=["arm", "point", "replicate", "seed"], errors="ignore")
        table = plan.merge(runs, on="key", how="left")
        series = (
            store.series(list(table["key"])) if any(t.series_outcomes for t in targets) else None
        )
        by_key = dict(tuple(series.groupby("key"))) if series is not None else {}
        summary_cols = [c for c in table.columns if c.startswith(("mean_", "final_"))]
        rows = []
        for row in table.to_dict("records"):
            out = RunOutputs({c: row[c] for c in summary_cols}, by_key.get(row["key"]))
            rows.append(
                {
                    "point": int(row["point"]),
                    "replicate": int(row["replicate"]),
                    "seed": int(row["seed"]),
                    **{t.name: t.statistic(out) for t in targets},
                }
            )
        return pd.DataFrame(rows)
