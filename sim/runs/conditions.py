"""Conditions a researcher can measure in a district, read off a run's communities.

A policy's effect depends on parameters nobody observes (a cadre's hours, an overload
penalty); what a researcher can observe is what those parameters make of a district: how
many hours a week a community party secretary's seats ask, how many seats one leader holds,
how many residents one residents'-committee (RC) worker serves, how far residents trust the
RC. `community_conditions` measures each such quantity per community from the same state the
per-community table is made of (`sim.core.metrics.community_snapshot`, plus the hours of the
people in seats and the RC's staff); `district_conditions` averages them over the district
(one value per community, or weighted by residents where the quantity is about residents);
`ConditionMeter` averages the district values over the last months of a run, as the run's
`mean_<outcome>` summaries are. A run asked for them (`sim.runs.runner.run(...,
conditions=True)`) reports them as `cond_<name>` beside its outcomes.

Every quantity is measured, never a parameter restated: a secretary's hours on seats come
from the seats that person holds this month (after elections, resignations and convening),
residents per RC worker from the residents and staff of each community.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.metrics import community_snapshot
from sim.core.people import SECRETARY

__all__ = [
    "Condition",
    "CONDITIONS",
    "WEEKS_PER_MONTH",
    "community_conditions",
    "district_conditions",
    "ConditionMeter",
]

WEEKS_PER_MONTH = 52.0 / 12.0
"""Weeks in a month: monthly hours are reported per week, as time-use surveys ask."""


@dataclass(frozen=True)
class Condition:
    """A measurable condition: its unit, what it is, and whether its district value weighs
    communities by their residents (`by_residents`) or counts each community once."""

    name: str
    unit: str
    meaning: str
    by_residents: bool = False


CONDITIONS: tuple[Condition, ...] = (
    Condition(
        "secretary_seat_hours_week",
        "hours/week",
        "hours a week the community party secretary's seats ask (all seats held, convening "
        "included)",
    ),
    Condition(
        "secretary_spare_hours_week",
        "hours/week",
        "hours a week the community party secretary has left after all seats (negative: "
        "asked more than they can give)",
    ),
    Condition("secretary_seats", "seats", "seats the community party secretary holds"),
    Condition(
        "seats_per_leader",
        "seats",
        "seats per office-holder of the community (party committee, RC, branches, owners' "
        "and property committees)",
    ),
    Condition(
        "residents_per_rc_worker",
        "residents",
        "residents per residents'-committee worker (full-time equivalent)",
    ),
    Condition(
        "rc_task_hours_week",
        "hours/week",
        "hours a week an RC worker spends on tasks pushed down and inspections",
    ),
    Condition(
        "rc_paperwork_hours_week",
        "hours/week",
        "hours a week an RC worker spends on scored paperwork (ledgers, reports)",
    ),
    Condition(
        "rc_service_hours_week",
        "hours/week",
        "hours a week an RC worker spends serving residents directly",
    ),
    Condition("trust_rc", "0-1", "residents' trust in the residents' committee", True),
    Condition("trust_party", "0-1", "residents' trust in the party organisation", True),
    Condition(
        "participation", "share", "share of residents taking part in community affairs", True
    ),
    Condition(
        "functioning_oc_share",
        "share",
        "share of the community's compounds with a functioning owners' committee",
    ),
    Condition(
        "devolved_yuan_per_resident_year",
        "yuan/resident/year",
        "money devolved to the community a year, per resident",
        True,
    ),
    Condition(
        "idle_money_months",
        "months",
        "unspent money the community holds, in months of what it receives",
    ),
    Condition(
        "disputes_per_1000_month",
        "per 1,000 residents/month",
        "disputes arising a month per 1,000 residents",
        True,
    ),
)
"""The measurable conditions, in the order reports list them."""

BY_NAME = {c.name: c for c in CONDITIONS}


def _seats_per_leader(model) -> np.ndarray:
    """Per community: filled seats over the distinct people holding them."""
    seats, n = model.seats, model.communities.n
    filled = seats.holder >= 0
    community, holder = seats.community[filled], seats.holder[filled]
    n_seats = np.bincount(community, minlength=n).astype(float)
    pairs = np.unique(np.stack([community, holder]), axis=1)
    n_people = np.bincount(pairs[0], minlength=n).astype(float)
    return np.where(n_people > 0, n_seats / np.maximum(n_people, 1), np.nan)


def community_conditions(model) -> dict[str, np.ndarray]:
    """Every condition of `CONDITIONS`, one value per community, for the current month
    (NaN where a community has nothing to measure, e.g. no secretary in office)."""
    table = community_snapshot(model)
    cm, people, seats = model.communities, model.people, model.seats
    residents = np.asarray(table["residents"], dtype=float)
    secretary = model.holders_of_role(SECRETARY)
    present = secretary >= 0
    s = np.maximum(secretary, 0)
    hours = people.hours[s]
    asked = people.load[s] * hours  # every seat's hours and convening, over hours available
    held = np.bincount(seats.holder[seats.holder >= 0], minlength=people.n)
    staff = np.asarray(cm.staff, dtype=float)
    per_worker = np.where(staff > 0, 1.0 / np.maximum(staff, 1e-9), np.nan) / WEEKS_PER_MONTH
    inflow = np.asarray(table["inflow"], dtype=float)
    return {
        "secretary_seat_hours_week": np.where(present, asked / WEEKS_PER_MONTH, np.nan),
        "secretary_spare_hours_week": np.where(present, (hours - asked) / WEEKS_PER_MONTH, np.nan),
        "secretary_seats": np.where(present, held[s], np.nan).astype(float),
        "seats_per_leader": _seats_per_leader(model),
        "residents_per_rc_worker": np.where(staff > 0, residents / np.maximum(staff, 1e-9), np.nan),
        "rc_task_hours_week": cm.admin_hours * per_worker,
        "rc_paperwork_hours_week": cm.formalism_hours * per_worker,
        "rc_service_hours_week": cm.service_hours * per_worker,
        "trust_rc": np.asarray(table["trust_rc"], dtype=float),
        "trust_party": np.asarray(table["trust_party"], dtype=float),
        "participation": np.asarray(table["participation"], dtype=float),
        "functioning_oc_share": np.asarray(table["oc_functioning_share"], dtype=float),
        "devolved_yuan_per_resident_year": 12.0 * inflow / np.maximum(residents, 1.0),
        "idle_money_months": np.where(
            inflow > 0, np.asarray(table["idle"], dtype=float) / np.maximum(inflow, 1e-9), np.nan
        ),
        "disputes_per_1000_month": 1000.0
        * np.asarray(table["disputes"], dtype=float)
        / np.maximum(residents, 1.0),
    }


def district_conditions(values: dict[str, np.ndarray], residents: np.ndarray) -> dict[str, float]:
    """The district's value of each condition: the mean over communities that have one,
    weighted by residents for the conditions `by_residents` (NaN if no community has one)."""
    residents = np.asarray(residents, dtype=float)
    out: dict[str, float] = {}
    for c in CONDITIONS:
        v = np.asarray(values[c.name], dtype=float)
        ok = np.isfinite(v)
        w = residents[ok] if c.by_residents else np.ones(int(ok.sum()))
        out[c.name] = float(np.average(v[ok], weights=w)) if ok.any() and w.sum() > 0 else np.nan
    return out


class ConditionMeter:
    """Averages the district's conditions over the months it is asked to measure (months
    where a condition is undefined are left out, as in the runs' `mean_` summaries)."""

    def __init__(self) -> None:
        self._sums: dict[str, float] = {c.name: 0.0 for c in CONDITIONS}
        self._counts: dict[str, int] = {c.name: 0 for c in CONDITIONS}

    def measure(self, model) -> None:
        """Add this month's district conditions of `model`."""
        values = district_conditions(community_conditions(model), model.communities.residents)
        for name, v in values.items():
            if np.isfinite(v):
                self._sums[name] += v
                self._counts[name] += 1

    def means(self, prefix: str = "cond_") -> dict[str, float]:
        """`<prefix><name>` → mean over the measured months (NaN if never defined)."""
        return {
            f"{prefix}{name}": self._sums[name] / self._counts[name]
            if self._counts[name]
            else float("nan")
            for name in self._sums
        }
