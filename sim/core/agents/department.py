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

from ..rows import row_means, row_sums
from .base import GovernanceAgent, column


class Ties:
    """Who is tied to whom between departments and streets (hierarchy edges), as arrays:
    `tied[d, s]` whether department d reaches street s; `order[s, k]` the k-th department
    of street s in the order the street lists them (StreetOffice.departments), where
    `listed[s, k]`; `count[s]` how many it lists."""

    def __init__(self, model) -> None:
        n_dept, n_streets = model.departments.n, model.streets.n
        self.tied = np.zeros((n_dept, n_streets), dtype=bool)
        for dept in model.department_agents:
            self.tied[dept.index, dept.streets()] = True
        lists = [[d.index for d in office.departments()] for office in model.street_offices]
        self.count = np.array([len(x) for x in lists], dtype=np.int64)
        width = int(self.count.max()) if self.count.size else 0
        self.order = np.zeros((n_streets, width), dtype=np.int64)
        self.listed = np.arange(width) < self.count[:, None]
        for s, x in enumerate(lists):
            self.order[s, : len(x)] = x

    @staticmethod
    def of(model) -> Ties:
        """The model's ties, built again when a tie touching a department changed."""
        hit = model.cache.get("dept_ties")
        if hit is None or hit[0] != model.dept_version:
            hit = model.cache["dept_ties"] = (model.dept_version, Ties(model))
        return hit[1]


class Department(GovernanceAgent):
    """`index` = department."""

    table = "departments"
    kind = "department"
    BATCHED = {"push": "push_all", "adapt": "adapt_all"}

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
        return Department.load_of(self.model)

    @staticmethod
    def load_of(model) -> float:
        """Task hours a month each department must see done (the same for all)."""
        share = 1.0 / max(model.departments.n, 1)
        residents = float(model.streets.residents.sum())
        return model.p["admin_task_hours_per_1000"] * residents / 1000 * share

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

    @staticmethod
    def push_all(model) -> None:
        """`push` of every department at once, deciding as each in turn (each writes only
        its own rows); a department's sum over its streets is NumPy's sum of that row
        (`row_sums`)."""
        p, st, dp = model.p, model.streets, model.departments
        tied = Ties.of(model).tied
        residents = st.residents.astype(float)
        load = Department.load_of(model)
        on = load * p["dept_on_list_share"] * residents / st.residents.sum()
        off_total = load * (1 - p["dept_on_list_share"]) * dp.push_intensity
        weight = residents * dp.acceptance
        total = row_sums(weight, tied)[:, None]
        off = np.divide(off_total[:, None] * weight, total, out=0 * weight, where=total > 0)
        dp.on_list[:] = np.where(tied, on, 0.0)
        dp.off_list[:] = np.where(tied, off, 0.0)

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

    @staticmethod
    def adapt_all(model) -> None:
        """`adapt` of every department at once, deciding as each in turn (each reads and
        writes only its own rows): its sums and means over its streets are NumPy's of that
        row (`row_sums`, `row_means`); a department tied to no street keeps its choices."""
        p, st, dp = model.p, model.streets, model.departments
        tied = Ties.of(model).tied
        some = tied.any(axis=1)
        rho = p["dept_rating_weight"]
        noise = p["dept_choice_noise"]
        rate = p["dept_adaptation_rate"]
        pushed = dp.off_list
        seen = tied & (pushed > 0)
        accepted = np.divide(pushed - dp.refused, pushed, out=np.zeros_like(pushed), where=seen)
        dp.acceptance[:] = np.where(
            seen, dp.acceptance + rate * (accepted - dp.acceptance), dp.acceptance
        )
        # np.average(acceptance, weights=residents): (acceptance * residents).sum() / the
        # residents' sum (whole numbers, so exact in any order)
        residents = st.residents.astype(float)
        weights = np.where(tied, residents, 0.0).sum(axis=1)
        acceptance = np.divide(
            row_sums(dp.acceptance * residents, tied), weights, out=np.zeros(dp.n), where=some
        )
        saving = p["dept_hour_cost"] * (1 - p["dept_on_list_share"]) * acceptance
        burden = row_means(dp.burden_if_all, tied)
        target = expit(((1 - rho) * saving - rho * 0.5 * burden) / noise)
        dp.push_intensity[:] = np.where(
            some, dp.push_intensity + rate * (target - dp.push_intensity), dp.push_intensity
        )
        summons = row_sums(dp.summons, np.ones_like(tied)).astype(np.int64)
        cost = (
            p["dept_hour_cost"]
            * summons.astype(float)
            * p["summons_hours"]
            / max(Department.load_of(model), 1e-9)
        )
        gain = 0.5 * row_means((dp.summons > 0).astype(float), tied)
        target = expit((rho * gain - (1 - rho) * cost) / noise)
        answer = some & (summons != 0)
        dp.responsiveness[:] = np.where(
            answer, dp.responsiveness + rate * (target - dp.responsiveness), dp.responsiveness
        )
        allowed = tied & ~model.levers.street("mirror_ban").astype(bool)
        loss = 0.5 * row_means(dp.mirror_burden, allowed)
        target = expit(((1 - rho) * p["mirror_visibility"] - rho * loss) / noise)
        insist = some & allowed.any(axis=1)
        dp.mirrors[:] = np.where(insist, dp.mirrors + rate * (target - dp.mirrors), dp.mirrors)
        dp.rating[:] = np.where(some, row_means(dp.ratings, tied), dp.rating)
