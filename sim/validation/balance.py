"""Lever-effect balance: how large each policy lever's effect is, next to the published sizes
of the supplies that carry some of them (docs/VALIDATION.md, "Lever-effect balance").

Each lever is moved on its own from the baseline (`REFORMS`), over paired seeds on a reduced
district; the table gives the paired effect on needs met, vulnerable residents' needs met and
satisfaction with 95% CIs, sorted by size, so that no single assumed number silently
dominates the model's answers. Beside it, the baseline's shares of service hours supplied by
NGOs and by matched volunteers, and the money per resident the NGO channel carries, against
the published figures they are sized by (FACTS: Guangzhou's purchases of social-work
services; CSS 2021 volunteering).

    python -m sim.validation.balance --out docs/validation --doc docs/VALIDATION.md
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.params import defaults
from sim.experiments.stats import paired_difference
from sim.interfaces.cli import positive_int
from sim.runs.runner import run
from sim.validation import check_doc, replace_block

WORLD = {"n_streets": 3}
STEPS = 72
OUTCOMES = ("needs_met", "needs_met_vulnerable", "satisfaction_mean")
DOC_BEGIN = "<!-- balance:begin -->"
DOC_END = "<!-- balance:end -->"

REFORMS: dict[str, dict[str, Any]] = {
    "devolution 0.3 → 0.8": {"devolution_share": 0.8},
    "capacity building 0 → 0.3 (devolution 0.8)": {
        "devolution_share": 0.8,
        "capacity_building_share": 0.3,
    },
    "responsibility list": {"responsibility_list": True},
    "residents' weight in assessment 0.1 → 0.5": {"resident_assessment_weight": 0.5},
    "third-party evaluation": {"third_party_evaluation": True},
    "NGO screening 0 → 0.6": {"screening_strictness": 0.6},
    "property-management committee": {"professional_committee": True},
    "volunteer platform": {"volunteer_platform": True},
    "party-led OC formation 0 → 1": {"party_led_formation": 1.0},
    "streets convene committees where owners have none": {"street_convened_committees": 1.0},
    "support for sitting owners' committees": {"oc_support": 1.0},
    "re-election drives for owners' committees": {"reelection_support": 1.0},
    "branches built in 90% of compounds": {"branch_building": 0.9},
    "cross-appointment pushes off (all four → 0)": {
        "xa_one_shoulder": 0.0,
        "xa_two_committee_overlap": 0.0,
        "xa_secretary_chairs_oc": 0.0,
        "xa_two_committee_member_on_oc": 0.0,
    },
    "household-representative elections": {"election_household_rule": True},
    "access list": {"access_list": True},
    "street summons": {"street_summons": True},
    "departments' rating weight 0 → 0.5": {"dept_rating_weight": 0.5},
    "consultation on seconded officers": {"seconded_consultation": True},
    "mirror-office ban": {"mirror_ban": True},
    "residents' weight in cadre selection 0.2 → 0.8": {"cadre_selection_resident_weight": 0.8},
}
"""Each lever moved on its own from the baseline."""

FIGURES = {
    "ngo_money": (
        10.0,
        "yuan per resident a year the NGO channel carries; Guangzhou bought "
        "social-work services for about 770M yuan in 2008-13 (FACTS), about 10 "
        "yuan per resident a year",
    ),
    "volunteer": (
        None,
        "matched volunteer hours; CSS 2021: about 30% of people aged 18-69 "
        "volunteered in three months, active volunteers about 22 hours a quarter "
        "to all causes (FACTS)",
    ),
}


def _one(args: tuple[dict[str, Any], int]) -> dict[str, float]:
    params, seed = args
    return run({**WORLD, **params}, seed, STEPS, series_period=None).summary


def measure(seeds: Sequence[int], workers: int = 1) -> tuple[pd.DataFrame, dict[str, float]]:
    """Paired effects of every reform, and the baseline's supply shares."""
    arms = {"baseline": {}, **REFORMS}
    tasks = [(params, s) for params in arms.values() for s in seeds]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_one, tasks))
    else:
        results = [_one(t) for t in tasks]
    by_arm = {name: results[i * len(seeds) : (i + 1) * len(seeds)] for i, name in enumerate(arms)}
    base = by_arm["baseline"]
    rows = []
    for name in REFORMS:
        row: dict[str, Any] = {"reform": name}
        for o in OUTCOMES:
            est, _ = paired_difference(
                [r[f"mean_{o}"] for r in by_arm[name]], [r[f"mean_{o}"] for r in base]
            )
            row.update({f"{o}": est.mean, f"{o}_low": est.low, f"{o}_high": est.high})
        rows.append(row)
    table = pd.DataFrame(rows).sort_values("needs_met", key=np.abs, ascending=False)
    p = defaults()
    weights = np.array(
        [p["channel_block_grant"], p["channel_grid_funds"], p["channel_ngo_projects"]]
    )
    ngo_money = (
        12 * p["street_budget_per_resident"] * p["devolution_share"] * weights[2] / weights.sum()
    )
    supply = {
        "ngo_hours_share": float(np.mean([r["mean_ngo_hours_share"] for r in base])),
        "volunteer_hours_share": float(np.mean([r["mean_volunteer_hours_share"] for r in base])),
        "participation_rate": float(np.mean([r["mean_participation_rate"] for r in base])),
        "ngo_money_per_resident_year": float(ngo_money),
    }
    return table, supply


def markdown(table: pd.DataFrame, supply: dict[str, float], seeds: int) -> str:
    lines = [
        f"Each lever moved on its own from the baseline, {seeds} paired seeds, {STEPS} months "
        f"on a reduced district ({WORLD}); means of the last 12 months, differences from the "
        "baseline with 95% CIs, sorted by the size of the effect on needs met.",
        "",
        "| reform | needs met | vulnerable residents' needs met | satisfaction |",
        "|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        cells = [f"{r[o]:+.4f} [{r[o + '_low']:+.4f}, {r[o + '_high']:+.4f}]" for o in OUTCOMES]
        lines.append(f"| {r['reform']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Supplies at the baseline, against the figures that size them:",
        "",
        f"- NGO channel: {supply['ngo_money_per_resident_year']:.1f} yuan per resident a year "
        f"({FIGURES['ngo_money'][1]}); NGOs supply "
        f"{100 * supply['ngo_hours_share']:.1f}% of service hours.",
        f"- Volunteers: {100 * supply['participation_rate']:.1f}% of residents participate and "
        f"matched volunteers supply {100 * supply['volunteer_hours_share']:.1f}% of service "
        f"hours ({FIGURES['volunteer'][1]}).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.validation.balance",
        description="Each policy lever's effect alone, and the supplies that carry them.",
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seeds", type=positive_int, default=6, help="paired seeds")
    parser.add_argument("--workers", type=positive_int, default=2, help="worker processes")
    parser.add_argument(
        "--doc",
        type=Path,
        default=None,
        help="also write the table into this Markdown file between its markers",
    )
    args = parser.parse_args(argv)
    check_doc(parser, args.doc, DOC_BEGIN, DOC_END)
    table, supply = measure(list(range(1, args.seeds + 1)), args.workers)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "balance.csv", index=False)
    report = markdown(table, supply, args.seeds)
    (args.out / "balance.md").write_text(report, encoding="utf-8")
    if args.doc is not None:
        replace_block(args.doc, DOC_BEGIN, DOC_END, report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
