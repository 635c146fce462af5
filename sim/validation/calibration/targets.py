"""Calibration targets: what the calibrated model must reproduce, and where each comes from.

A target is a named statistic of one run's outputs with an observed value and its
uncertainty, written as a range that holds the truth with about 95% probability (so the
observation's standard deviation is a quarter of the range's width), and its source. The
calibration compares the observation with the model's runs through `statistic`, a function
of a run's `RunOutputs`: its summaries (`mean_<outcome>` over the last months,
`final_<outcome>`) and, for targets that need them (`series_outcomes`), its monthly series.

To add a target — a further stylised fact — append a `Target` to `TARGETS` with a statistic
reading what it needs; nothing else changes. The historical episodes of
`sim.validation.episodes` are targets too (`EPISODE_TARGETS`): such a target names its
episode, and its runs replay that episode (its starting point and policy timeline on the
calibration world, over the episode's months) instead of the baseline; its statistic is the
change of the episode's outcome from its 'before' to its 'after' months, and its observed
range is the recorded change ± `EPISODE_HALF_WIDTH`. A statistic that
cannot be computed for a run (a ratio with nothing below the line) returns nan; such runs
are left out of that target's seed means.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.validation.episodes import EPISODES, Episode

__all__ = [
    "RunOutputs",
    "Target",
    "TARGETS",
    "EPISODE_TARGETS",
    "ALL_TARGETS",
    "EPISODE_HALF_WIDTH",
    "mean_of",
    "ratio_of",
    "episode_change",
    "target_values",
]


@dataclass(frozen=True)
class RunOutputs:
    """What a target may read of one run."""

    summary: Mapping[str, float]
    series: pd.DataFrame | None = None


Statistic = Callable[[RunOutputs], float]


@dataclass(frozen=True)
class Target:
    """An observed fact: the statistic of a run that corresponds to it, the observed range
    [low, high] (about 95% sure to hold the truth), and its source."""

    name: str
    label: str
    low: float
    high: float
    source: str
    statistic: Statistic = field(repr=False)
    series_outcomes: tuple[str, ...] = ()
    episode: str | None = None  # runs replay this episode (sim.validation.episodes)

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"target {self.name}: needs low < high")

    @classmethod
    def measured(
        cls,
        name: str,
        label: str,
        value: float,
        sd: float,
        source: str,
        statistic: Statistic,
        series_outcomes: tuple[str, ...] = (),
    ) -> Target:
        """A target observed as a value with a standard error: the range value ± 2 sd."""
        return cls(name, label, value - 2 * sd, value + 2 * sd, source, statistic, series_outcomes)

    @property
    def observed(self) -> float:
        """The observation: the centre of the range."""
        return (self.low + self.high) / 2

    @property
    def sd(self) -> float:
        """Standard deviation of the observation (and of the model's discrepancy from
        reality): a quarter of the range's width."""
        return (self.high - self.low) / 4

    def contains(self, value: float) -> bool:
        return bool(self.low <= value <= self.high)


def mean_of(outcome: str) -> Statistic:
    """The run's mean of `outcome` over its last months (the sweep's summary window)."""

    def statistic(run: RunOutputs) -> float:
        return float(run.summary[f"mean_{outcome}"])

    statistic.__name__ = f"mean_{outcome}"
    return statistic


def ratio_of(numerator: str, denominator: str) -> Statistic:
    """Ratio of two outcomes' means over the last months; nan when the denominator is 0."""

    def statistic(run: RunOutputs) -> float:
        below = float(run.summary[f"mean_{denominator}"])
        return float(run.summary[f"mean_{numerator}"]) / below if below > 0 else math.nan

    statistic.__name__ = f"mean_{numerator}/mean_{denominator}"
    return statistic


TARGETS: tuple[Target, ...] = (
    Target(
        "oc_formed_share",
        "owners' committees formed (share of compounds)",
        0.15,
        0.25,
        "stylised fact: reports and surveys of owners' committees in large Chinese cities "
        "under bottom-up formation put committees in roughly a fifth of compounds "
        "(generic description of that literature; no single survey table is cited)",
        mean_of("oc_formed_share"),
    ),
    Target(
        "oc_functioning_ratio",
        "functioning / formed owners' committees",
        0.0,
        0.5,
        "stylised fact: case studies and surveys describe many formed committees as "
        "inactive, stalled or captured, so only a minority function well (generic)",
        ratio_of("oc_functioning_share", "oc_formed_share"),
    ),
    Target(
        "fee_collection",
        "property-fee collection (share of owner households)",
        0.85,
        0.95,
        "stylised fact: collection rates of about 85-95% are commonly reported by "
        "property-management firms and industry surveys (generic; not checked against one "
        "published table)",
        mean_of("fee_collection"),
    ),
    Target(
        "admin_burden_share",
        "RC staff hours on tasks and inspections",
        0.6,
        0.8,
        "stylised fact: studies of the administrative burden (行政化) of residents' "
        "committees report most committee time going to tasks assigned from above where "
        "there is no burden reduction; the range 0.6-0.8 is a judgement, not a measured share",
        mean_of("admin_burden_share"),
    ),
    Target(
        "election_turnout",
        "residents voting in an RC election",
        0.4,
        0.6,
        "stylised fact: reported turnout in residents'-committee elections varies with the "
        "election method and mobilisation; about half of residents is a central judgement "
        "(generic)",
        mean_of("election_turnout"),
    ),
)
"""The stylised facts, read from baseline runs, in the order of the report."""

EPISODE_HALF_WIDTH = 0.05
"""Half-width of an episode target's range around the recorded change (about 2 sd). An
assumption: the recorded figures are city aggregates whose definitions differ from the
model's outcome (hotline requests against escalated disputes; a city's compounds against a
reduced district's), and the reform's strength and date are known only roughly; ±0.05 is
about the size of those definitional gaps, and of the smallest recorded change (+0.072)."""


def episode_change(episode: Episode) -> Statistic:
    """Change of the episode's outcome: mean over its 'after' months minus mean over its
    'before' months, read from the run's monthly series exactly as
    `sim.validation.episodes.run_episode` reads the model's."""

    def statistic(run: RunOutputs) -> float:
        if run.series is None or episode.outcome not in run.series:
            return math.nan
        values = run.series.sort_values("step")[episode.outcome].to_numpy(dtype=float)
        before = values[episode.before[0] - 1 : episode.before[1]]
        after = values[episode.after[0] - 1 : episode.after[1]]
        if not len(before) or not len(after):
            return math.nan
        return float(np.nanmean(after) - np.nanmean(before))

    statistic.__name__ = f"change_{episode.outcome}"
    return statistic


def _episode_target(episode: Episode) -> Target:
    change = episode.record[1] - episode.record[0]
    return Target(
        f"episode_{episode.name}",
        f"episode: {episode.title} (change)",
        change - EPISODE_HALF_WIDTH,
        change + EPISODE_HALF_WIDTH,
        f"{episode.source}; recorded change {change:+.3f}",
        episode_change(episode),
        (episode.outcome,),
        episode=episode.name,
    )


EPISODE_TARGETS: tuple[Target, ...] = tuple(_episode_target(e) for e in EPISODES)
"""The historical episodes as targets: the recorded change of each."""

ALL_TARGETS: tuple[Target, ...] = TARGETS + EPISODE_TARGETS
"""What the calibration matches: the stylised facts and the historical episodes."""


def target_values(run: RunOutputs, targets: tuple[Target, ...] = TARGETS) -> dict[str, float]:
    """Every target's statistic for one run."""
    return {t.name: t.statistic(run) for t in targets}
