"""Manipulation checks: for a policy lever, the district outcomes that show whether the lever
took hold in the model, measured from what the model did (never the lever's own value).

The Compare and Sweep tabs offer them first in their outcome lists: before asking what a
lever did to satisfaction, a researcher checks that the lever moved what it is meant to move
(a 'four pushes' setting that leaves the realised 一肩挑 share where it was is a finding about
the push, not about 一肩挑). Each entry names outcomes of `sim.core.metrics.OUTCOMES` that
the lever's mechanism sets (ODD §7.0 for the levers):

* the cross-appointment pushes — the realised shares, read off the seats every month;
* devolution and capacity building — the money devolved and invested per month;
* the NGO-project channel — communities holding an NGO contract;
* responsibility and access lists — the task hours refused under the list;
* household elections — the turnout of the last election round;
* party-led formation — compounds with an owners' committee; committees the street
  convenes — compounds with a convened committee; support of sitting committees — their
  members' effort; branch building — compounds with a party branch of their own;
* the volunteer platform — matched volunteer hours;
* street summons — the problems summoned; the mirror ban — the hours spent on mirrored
  offices; cadre selection — how closely the streets' ranking of the candidates they appointed
  agreed with residents' own.

Levers without an entry (the block-grant and grid-fund channel weights, screening strictness,
third-party evaluation, the assessment weights, seconded consultation, the professional
committee, re-election support: its lapses avoided are too rare in a few years of a small
district to measure it every time) have no district outcome that measures them alone; the tabs then say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sim.core.metrics import OUTCOMES
from sim.core.params import BY_NAME

CHECKS: dict[str, tuple[str, ...]] = {
    "xa_one_shoulder": ("one_shoulder_share",),
    "xa_two_committee_overlap": ("overlap_share",),
    "xa_secretary_chairs_oc": ("secretary_chairs_oc_share",),
    "xa_two_committee_member_on_oc": ("member_on_oc_share",),
    "devolution_share": ("budget_allocated",),
    "capacity_building_share": ("budget_invested",),
    "channel_ngo_projects": ("ngo_contracts",),
    "responsibility_list": ("tasks_refused_share",),
    "election_household_rule": ("round_turnout",),
    "party_led_formation": ("oc_formed_share",),
    "street_convened_committees": ("oc_convened_share",),
    "oc_support": ("oc_member_effort",),
    "branch_building": ("branch_coverage",),
    "volunteer_platform": ("volunteer_hours",),
    "access_list": ("dept_tasks_refused",),
    "street_summons": ("summons",),
    "mirror_ban": ("mirror_hours",),
    "cadre_selection_resident_weight": ("selection_rank_correlation",),
}
"""Lever -> the outcomes that check it took hold (those the model collects)."""


def checks_of(levers: Iterable[str]) -> list[tuple[str, str]]:
    """(outcome, lever) for every manipulation check of these levers, in lever order, each
    outcome once; outcomes the model does not collect are left out."""
    out: dict[str, str] = {}
    for lever in levers:
        for o in CHECKS.get(lever, ()):
            if o in OUTCOMES:
                out.setdefault(o, lever)
    return list(out.items())


def changed_levers(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Levers (schema order) whose value differs between two parameter sets."""
    return [
        name for name, p in BY_NAME.items() if "(lever)" in p.help and a.get(name) != b.get(name)
    ]


def timeline_levers(*timelines: Iterable[Mapping[str, Any]]) -> list[str]:
    """Levers a policy timeline sets (`[[policy]]` entries' `set` tables)."""
    out: dict[str, None] = {}
    for timeline in timelines:
        for entry in timeline:
            for name in entry.get("set", {}):
                if name in BY_NAME and "(lever)" in BY_NAME[name].help:
                    out.setdefault(name)
    return list(out)


def ordered_outcomes(levers: Iterable[str]) -> list[str]:
    """Every outcome, the manipulation checks of `levers` first."""
    first = [o for o, _ in checks_of(levers)]
    return first + [o for o in OUTCOMES if o not in first]
