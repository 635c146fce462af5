"""Historical episodes: documented reforms with before/after figures, replayed as policy
timelines, model against record (docs/VALIDATION.md, "Historical episodes").

Each `Episode` names its source, the district it starts from (parameters), the timeline of the
reform, the outcome the record measures, the months the model reads before and after, and
the recorded values. `run_episode` replays it over paired seeds on a reduced world and returns
the model's means with 95% confidence intervals beside the record; `markdown` writes the
table and a line per episode saying what matches and what does not.

    python -m sim.validation.episodes --out docs/validation --doc docs/VALIDATION.md

The episodes are also calibration targets (sim.validation.calibration): the same definitions
are read there, except the episodes marked `held_out`, which the calibration never fits and
runs only afterwards, on posterior draws, as an out-of-sample check (`HELD_OUT`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.model import GovernanceModel
from sim.experiments.stats import mean_ci
from sim.interfaces.cli import positive_int
from sim.validation import check_doc, replace_block

WORLD = {"n_streets": 3}
"""A reduced district (about 50,000 residents): episodes are about shares, not sizes."""

DOC_BEGIN = "<!-- episodes:begin -->"
DOC_END = "<!-- episodes:end -->"


@dataclass(frozen=True)
class Episode:
    """A documented reform: where it started, what changed when, what was recorded."""

    name: str
    title: str
    source: str
    outcome: str  # a district outcome (sim.core.metrics.OUTCOMES)
    before: tuple[int, int]  # months averaged for the model's 'before'
    after: tuple[int, int]  # months averaged for the model's 'after'
    record: tuple[float, float]  # recorded before and after
    params: dict[str, Any] = field(default_factory=dict)
    timeline: tuple[dict[str, Any], ...] = ()
    note: str = ""
    mechanism: str = ""  # the mechanism the episode tests (its ODD section)
    held_out: bool = False  # never a calibration target: the out-of-sample check

    @property
    def months(self) -> int:
        return max(self.before[1], self.after[1])


BEIJING_DRIVE_START = {"oc_initial_share": 0.119, "compound_party_branch_share": 0.252}
"""Beijing before its 2020-21 drive: committees in 11.9% of compounds, party organisations in
25.2% (Beijing Youth Daily, 2021-04-28)."""

BEIJING_DRIVE = (
    {
        "month": 2,
        "set": {
            "street_convened_committees": 1.0,
            "branch_building": 1.0,
            "party_led_formation": 1.0,
        },
    },
)
"""The drive as the three levers at full strength from the month after the starting point."""

EPISODES: tuple[Episode, ...] = (
    Episode(
        name="taiyuan_one_shoulder",
        title="一肩挑 in one election round (Taiyuan urban communities)",
        source="Taiyuan, 515 communities, fifth RC election round: 79% with the secretary as "
        "director before the round, 86.2% after (report of the city's community election "
        "steering group; year not stated in the copy read, which has no recorded address: "
        "docs/SOURCES.md §2.2; FACTS)",
        outcome="one_shoulder_share",
        before=(5, 5),
        after=(7, 7),
        record=(0.79, 0.862),
        params={"initial_one_shoulder": 0.79, "election_first_month": 6, "xa_one_shoulder": 0.5},
        note="the strength of Taiyuan's push is not recorded; city plans of that period asked "
        "the share to rise above the previous term's (Hefei 2015, docs/SOURCES.md §2.2), a "
        "moderate push, read as 0.5 — half way between none and the national push of 2021",
        mechanism="elections: nominations and votes under a push (ODD §7.13)",
    ),
    Episode(
        name="beijing_summons",
        title="'Street summons, departments report' and answering every call (Beijing 2019-2021)",
        source="Beijing 12345 hotline under 接诉即办: share of requests resolved 53% (2019) → "
        "89% (2021), with districts, streets and departments ranked monthly on it "
        "(Beijing government annual report 2020; press reports, December 2021)",
        outcome="summons_answered_share",
        before=(7, 12),
        after=(31, 36),
        record=(0.53, 0.89),
        params={"street_summons": True},
        timeline=({"month": 13, "set": {"dept_rating_weight": 0.6}},),
        note="the model's summons are escalated disputes and renovations, the hotline's every "
        "request; the ranking is read as a rating weight of 0.6",
        mechanism="line departments learning from their rating (ODD §7.14)",
    ),
    Episode(
        name="shanghai_oc_push",
        title="Owners' committees under a government and party push (Shanghai 2012-2019)",
        source="Shanghai: owners' committees in 83% of compounds (2012) and 92.5% (2019) "
        "(Xiong & Zhu 2022)",
        outcome="oc_formed_share",
        before=(1, 1),
        after=(80, 85),
        record=(0.83, 0.925),
        params={"oc_initial_share": 0.83},
        timeline=({"month": 2, "set": {"party_led_formation": 1.0, "reelection_support": 1.0}},),
        note="Shanghai's streets and branches organise owners' elections and re-elections "
        "(its re-election guidance: an early re-election when a committee has done no work "
        "for 6 months, docs/SOURCES.md §2.5), read as full party-led formation and full "
        "re-election support",
        mechanism="owners' committees under party-led formation and re-election drives (ODD §7.7)",
    ),
    Episode(
        name="beijing_oc_bottom_up",
        title="Owners' committees formed bottom-up (Beijing 2005-2012)",
        source="Beijing: owners' committees in 14.5% of compounds (2005) and 23% (2012), "
        "without a formation push (Xiong & Zhu 2022; FACTS)",
        outcome="oc_formed_share",
        before=(1, 6),
        after=(79, 84),
        record=(0.145, 0.23),
        params={"oc_initial_share": 0.145},
        mechanism="owners' committees formed by the owners (ODD §7.7)",
    ),
    Episode(
        name="beijing_drive_coverage",
        title="A city-wide drive convenes committees (Beijing 2020-2021)",
        source="Beijing, one year after its Property Management Regulation (May 2020): owners' "
        "committees or property-management committees in 11.9% of compounds before, 90.1% by "
        "April 2021 (Beijing Youth Daily, 2021-04-28; docs/SOURCES.md §2.5)",
        outcome="oc_coverage_share",
        before=(1, 1),
        after=(13, 13),
        record=(0.119, 0.901),
        params=BEIJING_DRIVE_START,
        timeline=BEIJING_DRIVE,
        note="the drive is read as the three levers at full strength from the month after "
        "the starting point; the record does not split elected from convened committees",
        mechanism="street-convened committees and branch building under a drive (ODD §7.7)",
        held_out=True,
    ),
    Episode(
        name="beijing_drive_branches",
        title="Party branches built in compounds in the same drive (Beijing 2020-2021)",
        source="Beijing, same report: party-organisation coverage of compounds 25.2% before, "
        "98.1% by April 2021 (Beijing Youth Daily, 2021-04-28; docs/SOURCES.md §2.5)",
        outcome="branch_coverage",
        before=(1, 1),
        after=(13, 13),
        record=(0.252, 0.981),
        params=BEIJING_DRIVE_START,
        timeline=BEIJING_DRIVE,
        note="the record counts party organisations covering compounds, joint branches "
        "included; the model builds one branch per compound where three members live",
        mechanism="street-convened committees and branch building under a drive (ODD §7.7)",
        held_out=True,
    ),
)
"""The shipped episodes."""

HELD_OUT: tuple[str, ...] = tuple(e.name for e in EPISODES if e.held_out)
"""Episodes the calibration never fits: Beijing's 2020-21 drive (its coverage and its
branches), the newest episode and the only one whose levers (street-convened committees,
branch building) no other episode moves, so its record is a test of the calibrated model
out of sample (docs/VALIDATION.md, "Calibration with uncertainty")."""


def run_episode(
    episode: Episode, seeds: Sequence[int], world: dict | None = None
) -> dict[str, Any]:
    """Replay `episode` once per seed; model means before and after with 95% CIs."""
    before, after, change = [], [], []
    for seed in seeds:
        model = GovernanceModel(
            rng=int(seed), timeline=list(episode.timeline), **{**(world or WORLD), **episode.params}
        )
        model.run_for(episode.months)
        series = model.datacollector.get_model_vars_dataframe()[episode.outcome].to_numpy()
        model.remove_all_agents()
        b = float(np.nanmean(series[episode.before[0] - 1 : episode.before[1]]))
        a = float(np.nanmean(series[episode.after[0] - 1 : episode.after[1]]))
        before.append(b)
        after.append(a)
        change.append(a - b)
    return {
        "episode": episode.name,
        "before": mean_ci(before),
        "after": mean_ci(after),
        "change": mean_ci(change),
        "record_before": episode.record[0],
        "record_after": episode.record[1],
    }


def verdict(result: dict[str, Any]) -> str:
    """Does the recorded change lie within the model's 95% interval of the change?"""
    change, record = result["change"], result["record_after"] - result["record_before"]
    if change.low <= record <= change.high:
        return "matches"
    return "model higher" if change.mean > record else "model lower"


def markdown(results: list[dict[str, Any]], seeds: int) -> str:
    """The episodes table and one line per episode."""
    by_name = {e.name: e for e in EPISODES}
    lines = [
        f"Model: {seeds} seeds per episode on a reduced district ({WORLD}); means with 95% "
        "confidence intervals. *Change* is after − before; the verdict says whether the "
        "recorded change lies within the model's interval.",
        "",
        "| episode | outcome | record before → after | model before | model after | "
        "model change | recorded change | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        e = by_name[r["episode"]]
        fmt = lambda est: f"{est.mean:.3f} [{est.low:.3f}, {est.high:.3f}]"  # noqa: E731
        lines.append(
            f"| {e.title} | `{e.outcome}` | {e.record[0]:.3f} → {e.record[1]:.3f} | "
            f"{fmt(r['before'])} | {fmt(r['after'])} | {fmt(r['change'])} | "
            f"{e.record[1] - e.record[0]:+.3f} | {verdict(r)} |"
        )
    lines.append("")
    for r in results:
        e = by_name[r["episode"]]
        lines.append(
            f"- **{e.title}.** Source: {e.source}. Timeline: "
            f"{list(e.timeline) or 'none'}; starting point {e.params}. "
            f"Verdict: {verdict(r)}."
            + (f" Note: {e.note}." if e.note else "")
            + (
                " Held out of the calibration: its check against the calibrated model is in "
                "'Calibration with uncertainty'."
                if e.held_out
                else " A calibration target."
            )
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.validation.episodes",
        description="Replay documented reforms as policy timelines; model against record.",
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seeds", type=positive_int, default=8, help="seeds per episode")
    parser.add_argument(
        "--doc",
        type=Path,
        default=None,
        help="also write the table into this Markdown file between its markers",
    )
    args = parser.parse_args(argv)
    check_doc(parser, args.doc, DOC_BEGIN, DOC_END)
    seeds = list(range(1, args.seeds + 1))
    results = []
    for episode in EPISODES:
        print(f"episode {episode.name} ...", file=sys.stderr)
        results.append(run_episode(episode, seeds))
    args.out.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "episode": r["episode"],
            **{
                f"{k}_{s}": getattr(r[k], s)
                for k in ("before", "after", "change")
                for s in ("mean", "low", "high")
            },
            "record_before": r["record_before"],
            "record_after": r["record_after"],
            "verdict": verdict(r),
        }
        for r in results
    ]
    pd.DataFrame(rows).to_csv(args.out / "episodes.csv", index=False)
    report = markdown(results, len(seeds))
    (args.out / "episodes.md").write_text(report, encoding="utf-8")
    if args.doc is not None:
        replace_block(args.doc, DOC_BEGIN, DOC_END, report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
