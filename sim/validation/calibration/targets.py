"""Calibration targets: what the calibrated model must reproduce, and where each comes from.

A target is a named statistic of one run's outputs with an observed value and its
uncertainty, written as a range that holds the truth with about 95% probability (so the
observation's standard deviation is a quarter of the range's width), the published figures
it rests on, their source, and the mechanism of the model it tests (its ODD section). The
calibration compares the observation with the model's runs through `statistic`, a function
of a run's `RunOutputs`: its summaries (`mean_<outcome>` over the last months,
`final_<outcome>`) and, for targets that need them (`series_outcomes`), its monthly series.

Every target is a cited figure (docs/SOURCES.md §3, the published figures collected for the
model). Figures that were considered and are not targets — because their definition does
not match any outcome of the model, or because no source measures them — are listed in
`NOT_USED` with the reason, and the report prints them.

To add a target, append a `Target` to `TARGETS` with a statistic reading what it needs and
the figures and source it rests on; nothing else changes. The historical episodes of
`sim.validation.episodes` are targets too (`EPISODE_TARGETS`): such a target names its
episode, and its runs replay that episode (its starting point and policy timeline on the
calibration world, over the episode's months) instead of the baseline; its statistic is the
change of the episode's outcome from its 'before' to its 'after' months, and its observed
range is the recorded change ± `EPISODE_HALF_WIDTH`. An episode marked `held_out` is never a
target: it is read the same way (`HELD_OUT_TARGETS`) but only on posterior draws, after the
calibration, as its out-of-sample check. A statistic that cannot be computed for a run (a
ratio with nothing below the line, a turnout before any election round) returns nan; such
runs are left out of that target's seed means.
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
    "NotUsed",
    "TARGETS",
    "EPISODE_TARGETS",
    "HELD_OUT_TARGETS",
    "ALL_TARGETS",
    "NOT_USED",
    "EPISODE_HALF_WIDTH",
    "SURVEY_HALF_WIDTH",
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
    [low, high] (about 95% sure to hold the truth), the published figures it rests on and
    their source, and the mechanism of the model it tests."""

    name: str
    label: str
    low: float
    high: float
    source: str
    statistic: Statistic = field(repr=False)
    series_outcomes: tuple[str, ...] = ()
    episode: str | None = None  # runs replay this episode (sim.validation.episodes)
    figures: tuple[float, ...] = ()  # the published figures (shares) the range rests on
    mechanism: str = ""  # the model's mechanism the target tests (its ODD section)

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
        mechanism: str = "",
    ) -> Target:
        """A target observed as a value with a standard error: the range value ± 2 sd."""
        return cls(
            name,
            label,
            value - 2 * sd,
            value + 2 * sd,
            source,
            statistic,
            series_outcomes,
            figures=(value,),
            mechanism=mechanism,
        )

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


@dataclass(frozen=True)
class NotUsed:
    """A figure considered as a target and not used: what it is, its source, and why."""

    name: str
    figure: str
    source: str
    reason: str


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


SURVEY_HALF_WIDTH = 0.08
"""Half-width (about 2 sd) of a target resting on one survey figure (RC-election voting by
age). An assumption: the survey's own sampling error is small (N ≈ 6,581: about ±0.012 on
the overall share, ±0.03 in an age band), but the figure is self-reported voting in one city
around 2015, set against the model's generic large-city district, and self-reports of voting
run above the count; ±0.08 is the width docs/SOURCES.md §3 keeps for the overall share
(0.40-0.60) around the figure itself."""

_OWNERS = "owners' committees: formation by the owners, the quorum, lapses and revivals (ODD §7.7)"
_EFFORT = "owners' committees: members' effort, dormancy and capture (ODD §7.7)"
_TURNOUT = "elections: who votes — mobilisation, building heads, availability by age (ODD §7.13)"
_SURVEY = (
    "Shanghai survey of about 6,581 residents (around 2015), 《嬗变中的上海：民生发展与社会治理》 "
    "ch. 5 (FACTS; docs/SOURCES.md §2.6, §3)"
)

TARGETS: tuple[Target, ...] = (
    Target(
        "oc_formed_share",
        "owners' committees formed under bottom-up formation (share of compounds)",
        0.11,
        0.30,
        "large cities without a formation drive: Beijing 11.9% before its 2020 drive (Beijing "
        "Youth Daily, 2021-04-28) and 'long below 30%' (Xinhua, 2020-12-08), 23% in 2012, "
        "Guangzhou 11.5% in 2020 (Xiong & Zhu 2022); about 30% nationally around 2018 (Li & "
        "Sun 2019) and in 2023 (Chen Peng, Guangming Daily, 2023-11-13). The range spans these "
        "figures (docs/SOURCES.md §2.5, §3; FACTS); cities reported higher lie above it: "
        "Shenzhen about 41% (Xiong & Zhu 2022; about 30% in a reprinted housing-bureau "
        "estimate), Hangzhou over 50%, Taizhou about 50%, Shanghai 83-92.5% under its drive",
        mean_of("oc_formed_share"),
        figures=(0.115, 0.119, 0.23, 0.30),
        mechanism=_OWNERS,
    ),
    Target(
        "oc_functioning_ratio",
        "functioning / formed owners' committees",
        0.15,
        0.30,
        "about 15% of formed committees well-functioning (China Property Management "
        "Institute, cited by 本刊评论员, fx361, 2020-05-18; FACTS); Taizhou 2017, 'only 20% "
        "really operate and play a role' (Zhejiang Online, 2018-01-02); Shenzhen, 'only three "
        "in ten run well' (30%, industry experts citing the housing bureau, reprint). The "
        "range spans the three (docs/SOURCES.md §2.5, §3); the model's committee functions "
        "while it has acted within the last six months (Shanghai's test for an early "
        "re-election)",
        ratio_of("oc_elected_functioning_share", "oc_formed_share"),
        figures=(0.15, 0.20, 0.30),
        mechanism=_EFFORT,
    ),
    Target.measured(
        "round_turnout",
        "residents voting in person at an RC election round (all adults)",
        0.479,
        SURVEY_HALF_WIDTH / 2,
        f"47.9% voted in residents'-committee elections: {_SURVEY}",
        mean_of("round_turnout"),
        mechanism=_TURNOUT,
    ),
    Target.measured(
        "round_turnout_age_18_29",
        "residents aged 18-29 voting at an RC election round",
        0.138,
        SURVEY_HALF_WIDTH / 2,
        f"13.8% of residents aged 18-29 voted: {_SURVEY}",
        mean_of("round_turnout_age_18_29"),
        mechanism=_TURNOUT,
    ),
    Target.measured(
        "round_turnout_age_50_59",
        "residents aged 50-59 voting at an RC election round",
        0.557,
        SURVEY_HALF_WIDTH / 2,
        f"55.7% of residents aged 50-59 voted: {_SURVEY}",
        mean_of("round_turnout_age_50_59"),
        mechanism=_TURNOUT,
    ),
    Target.measured(
        "round_turnout_age_70_plus",
        "residents aged 70 and over voting at an RC election round",
        0.777,
        SURVEY_HALF_WIDTH / 2,
        f"77.7% of residents aged 70-79 voted: {_SURVEY}; the model's band is 70 and over "
        "(the survey's 80+ is not in the published table)",
        mean_of("round_turnout_age_70_plus"),
        mechanism=_TURNOUT,
    ),
)
"""The cited levels, read from baseline runs (means over the last 12 months; the turnout
targets read the last election round before them), in the order of the report."""

NOT_USED: tuple[NotUsed, ...] = (
    NotUsed(
        "fee_collection",
        "0.85-0.95 (the earlier target), and 6.7% of owner-occupiers ever behind on fees",
        "the earlier range: no source ('commonly reported'); 6.7%: Shanghai large affordable "
        "estates, 2014, N = 1,108 (Shanghai Government Development Research Center and "
        "Shanghai University; FACTS)",
        "the 0.85-0.95 range cites no source; the 6.7% counts owners who were ever behind, "
        "while `fee_collection` is the share paying in a month, so it bounds current arrears "
        "from above at most, and only in one kind of estate (relocation and affordable "
        "housing, a third of adults over 60), not in the model's mix of compounds. "
        "`fee_tolerance_mean` and `firm_fee_responsiveness` leave the prior with it",
    ),
    NotUsed(
        "admin_burden_share",
        "0.6-0.8 of RC staff hours on tasks and inspections (the earlier target)",
        "none: the range was a judgement (docs/SOURCES.md §3, §4)",
        "no source measures the share of RC time on tasks and inspections; the only time "
        "share found is paperwork ≈ 0.5 for 'many' cadres in one Shanghai street (Jiefang "
        "Daily, 2019-11-14), neither a district mean nor the same quantity. "
        "`admin_task_hours_per_1000` and `inspections_per_month` leave the prior with it",
    ),
    NotUsed(
        "election_turnout",
        "about half of residents voting (the earlier target)",
        "none ('a central judgement')",
        "replaced by `round_turnout` and its age gradient, read from the election rounds "
        "the runs hold, against the Shanghai survey's figures",
    ),
    NotUsed(
        "participation_rate",
        "registered volunteers 18.0% (Shanghai 2019) to 23% (2021); about 30% of people aged "
        "18-69 volunteered in the last three months (CSS 2021)",
        "city reports; Social Blue Book 2022 (FACTS)",
        "the definitions differ: registration is not activity, and the CSS share counts "
        "volunteering for any cause over three months among 18-69-year-olds, while "
        "`participation_rate` is the share of all residents taking part in their "
        "community's public goods in a month; 0.30 bounds it from above at most",
    ),
    NotUsed(
        "round_turnout_official",
        "94.5% of registered voters (Jiangxi 2014-15 round)",
        "China Daily, Chinese edition, 2015-04-15 (FACTS)",
        "an official count under household and proxy voting; the baseline's rounds are "
        "direct, so the comparable model figure exists only under `election_household_rule`, "
        "which no baseline community uses",
    ),
    NotUsed(
        "one_shoulder_share",
        "14.9% of secretaries also directors (Jiangxi 2014-15 round, before the push)",
        "China Daily, Chinese edition, 2015-04-15 (FACTS)",
        "villages and communities together, and the share before that round is not "
        "recorded, while the model's share after a round depends on it (incumbents stand "
        "again); `one_shoulder_norm` is constrained by Taiyuan's round instead",
    ),
)
"""Figures considered as targets and not used, with the reason (printed in the report)."""

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
        figures=episode.record,
        mechanism=episode.mechanism,
    )


EPISODE_TARGETS: tuple[Target, ...] = tuple(_episode_target(e) for e in EPISODES if not e.held_out)
"""The historical episodes as targets: the recorded change of each (held-out ones aside)."""

HELD_OUT_TARGETS: tuple[Target, ...] = tuple(_episode_target(e) for e in EPISODES if e.held_out)
"""The held-out episodes, read like targets but only in the out-of-sample check."""

ALL_TARGETS: tuple[Target, ...] = TARGETS + EPISODE_TARGETS
"""What the calibration matches: the cited levels and the historical episodes."""


def target_values(run: RunOutputs, targets: tuple[Target, ...] = TARGETS) -> dict[str, float]:
    """Every target's statistic for one run."""
    return {t.name: t.statistic(run) for t in targets}
