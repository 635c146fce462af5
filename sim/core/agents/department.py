"""District line department (县/区职能部门, the 条 of 条块): pushes tasks down through the
streets, answers their summons, seconds officers and may require mirrored offices
(ODD §7.14).

What it senses: its monthly task load (`admin_task_hours_per_1000` of the district's residents
shared among the departments; `dept_on_list_share` of it is the streets' own work, the rest
its own duties), the streets it is tied to (a `hierarchy` edge: it cannot push through a
street it is not tied to), how much of what it pushed each street accepted (a moving
average: it learns where pushing works), the summons it received, and the ratings the streets
gave it.
What it wants: a good evaluation — (1 − ρ) × its top-down standing (doing less of its own
work itself, `dept_hour_cost` per share of its load; visible structures, `mirror_visibility`)
+ ρ × the streets' mean rating, ρ = `dept_rating_weight` (a lever).
What it chooses: (1) how much of its own duties to push down (`push_intensity`), spread over
its streets by residents × their acceptance, so a street that refuses sends the work to
others (spill-over); (2) how readily it answers a summons (`responsiveness`; response time is
1/responsiveness months); (3) whether to insist on mirrored offices in the streets that allow
them (`mirrors`). Each month it moves each choice `dept_adaptation_rate` of the way toward a
logistic best response (spread `dept_choice_noise`) to the costs and benefits it perceived.
Its seconded officers (`seconded_hours_per_street`) work for the street a share
`consultation_weight` of their hours where the street is consulted on their appraisal, else
`seconded_street_share`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from .base import GovernanceAgent, column


class Department(GovernanceAgent):
    """`index` = department."""

    table = "departments"
    kind = "department"

    push_intensity = column()
    responsiveness = column()
    mirrors = column()
    rating = column()

    def streets(self) -> np.ndarray:
        """Streets it is tied to (hierarchy edges of the network; looked up again when
        ties change)."""
        m = self.model
        cached = getattr(self, "_streets", None)
        if cached is None or cached[0] != m.dept_version:
            found = np.array(
                sorted(m.index_of(v) for v in self.ties("hierarchy", "street_office")),
                dtype=np.int64,
            )
            self._streets = cached = (m.dept_version, found)
        return cached[1]

    def load(self) -> float:
        """Task hours a month it must see done."""
        m = self.model
        share = 1.0 / max(m.departments.n, 1)
        return m.p["admin_task_hours_per_1000"] * float(m.streets.residents.sum()) / 1000 * share

    def push(self) -> None:
        """Push the streets' own work to them by residents, and its own duties by residents ×
        acceptance, at its push intensity."""
        m, p, dp = self.model, self.model.p, self.model.departments
        d = self.index
        dp.on_list[d] = 0.0
        dp.off_list[d] = 0.0
        streets = self.streets()
        if streets.size == 0:
            return
        residents = m.streets.residents[streets].astype(float)
        load = self.load()
        on = load * p["dept_on_list_share"] * residents / m.streets.residents.sum()
        off_total = load * (1 - p["dept_on_list_share"]) * self.push_intensity
        weight = residents * dp.acceptance[d, streets]
        off = off_total * weight / weight.sum() if weight.sum() > 0 else 0 * weight
        dp.on_list[d, streets] = on
        dp.off_list[d, streets] = off

    def answer(self, summons: int, rng: np.random.Generator) -> int:
        """How many of `summons` problems it answers this month."""
        return int(rng.binomial(summons, self.responsiveness)) if summons > 0 else 0

    def seconded_hours(self, street: int) -> float:
        """Hours its seconded officers give the street's own work."""
        p, lv = self.model.p, self.model.levers
        share = (
            p["consultation_weight"]
            if lv.street("seconded_consultation")[street]
            else p["seconded_street_share"]
        )
        return p["seconded_hours_per_street"] * share

    def adapt(self) -> None:
        """Move pushing, responsiveness and mirrors toward a logistic best response to what
        its evaluation rewards, at `dept_adaptation_rate`; learn where pushing is accepted."""
        m, p, dp = self.model, self.model.p, self.model.departments
        d = self.index
        streets = self.streets()
        if streets.size == 0:
            return
        rho = p["dept_rating_weight"]
        noise = p["dept_choice_noise"]
        rate = p["dept_adaptation_rate"]
        pushed = dp.off_list[d, streets]
        accepted = pushed - dp.refused[d, streets]
        seen = pushed > 0
        dp.acceptance[d, streets[seen]] += rate * (
            accepted[seen] / pushed[seen] - dp.acceptance[d, streets[seen]]
        )
        # pushing all its own duties rather than none: saves its own hours where accepted,
        # costs rating where streets count the burden
        acceptance = float(
            np.average(dp.acceptance[d, streets], weights=m.streets.residents[streets])
        )
        saving = p["dept_hour_cost"] * (1 - p["dept_on_list_share"]) * acceptance
        burden = float(dp.burden_if_all[d, streets].mean())
        target = expit(((1 - rho) * saving - rho * 0.5 * burden) / noise)
        self.push_intensity += rate * (target - self.push_intensity)
        # answering every summons rather than none
        summons = int(dp.summons[d].sum())
        if summons:
            cost = p["dept_hour_cost"] * summons * p["summons_hours"] / max(self.load(), 1e-9)
            gain = 0.5 * float(np.mean(dp.summons[d, streets] > 0))
            target = expit((rho * gain - (1 - rho) * cost) / noise)
            self.responsiveness += rate * (target - self.responsiveness)
        # mirrored offices: visible to the top, a burden the streets count
        allowed = ~m.levers.street("mirror_ban")[streets].astype(bool)
        if allowed.any():
            loss = 0.5 * float(dp.mirror_burden[d, streets][allowed].mean())
            target = expit(((1 - rho) * p["mirror_visibility"] - rho * loss) / noise)
            self.mirrors += rate * (target - self.mirrors)
        ratings = dp.ratings[d, streets]
        self.rating = float(ratings.mean())
