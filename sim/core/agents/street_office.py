"""Street office (街道办): decides which tasks to push down, how to split devolved money
among its communities, and how to score them (ODD §7.2, §7.3, §7.11).

What it senses: its budget, the task hours the district's line departments push to it (and
which of them are on its access list), its own staff capacity and the hours of officers
seconded to it, the responsibility list (a lever), and for each of its communities the
residents, last month's absorption of money, the assessment score, the task hours refused,
residents' evaluation and escalated disputes.
What it wants: tasks done without paying for them, money spent rather than lapsed, communities
that score well in its own assessment, and departments that carry their share.
What it chooses: (1) with an access list it refuses the departments' duties that are not its
own as far as it could not do them itself, at most `access_refusal` of them (receive_tasks,
refusal_share); (2) it keeps tasks up to its own capacity and
pushes the rest down, by population; tasks a committee refuses under the list come back and it
pays for them, re-issuing part of them the next month as list items under another name
(`relabel_rate`, less what a third-party evaluator strikes off); (3) devolved money goes first to capacity building, then to channels by the
channel weights; block grants follow population, the assessment score
(`performance_budget_share`) and last year's absorption (`absorption_tilt`: money moves
toward communities that spent); (4) with `street_summons` it calls departments to its
escalated disputes and renovations (summon); (5) it rates the departments (rate_departments)
and scores its communities (assess); (6) it selects, replaces and promotes secretaries
(select_secretaries, promote), weighing residents' evaluation by
`cadre_selection_resident_weight` against its top-down score; (7) its work for owners'
organisations (plan_owners_work): under a drive (`street_convened_committees`) it convenes
property-management committees where owners have none, worst-served compounds first; it
backs sitting committees (`oc_support`) and mobilises owners for re-elections, early ones for
dormant committees included (`reelection_support`). This work takes its own staff's hours —
at most `drive_capacity_share` × the strongest of these pushes × its capacity — which it then
cannot spend on tasks, so a drive sends more tasks down to the residents' committees.
"""

from __future__ import annotations

import numpy as np

from ..mechanisms import coordination, owners_assembly
from ..people import BRANCH_SECRETARY, DIRECTOR, OC, OC_CHAIR, RC, RC_MEMBER, VOLUNTEER
from ..rows import among, row_sums, segment_sums
from ..state import OC_CONVENED, OC_DORMANT, OC_ELECTED, OC_KIND_NONE, OC_NONE
from .base import GovernanceAgent, column
from .department import Department, Ties

OLD_BEFORE = 2000
"""Compounds built before this year are old compounds that the renovation programme covers
(ODD §7.6: the national programme's pre-2000 compounds)."""


class SelectionRecord:
    """The streets' appointments of secretaries, measured against residents' own ranking of
    the candidates (§7.15): how often the street picked the candidate residents rate highest,
    and the rank correlation of its ranking with theirs."""

    def __init__(self) -> None:
        self.appointments = 0
        self.top_rated = 0
        self.correlations: list[float] = []
        self._mean = (0, float("nan"))  # (correlations averaged, their mean)

    def record(self, top_rated: bool, street_value: np.ndarray, standing: np.ndarray) -> None:
        self.appointments += 1
        self.top_rated += bool(top_rated)
        if len(standing) > 1:
            a = np.argsort(np.argsort(street_value)).astype(float)
            b = np.argsort(np.argsort(standing)).astype(float)
            self.correlations.append(float(np.corrcoef(a, b)[0, 1]))

    def top_rated_share(self) -> float:
        return self.top_rated / self.appointments if self.appointments else float("nan")

    def rank_correlation(self) -> float:
        """NumPy's mean of the rank correlations recorded (NaN before any), averaged again
        only once one more has been recorded."""
        n = len(self.correlations)
        if self._mean[0] != n:
            self._mean = (n, float(np.mean(self.correlations)))
        return self._mean[1]


class StreetOffice(GovernanceAgent):
    """One per street (`index` = street)."""

    table = "streets"
    kind = "street_office"
    BATCHED = {
        "receive_tasks": "receive_all",
        "push_tasks": "push_tasks_all",
        "devolve": "devolve_all",
        "summon": "summon_all",
        "assess": "assess_all",
        "rate_departments": "rate_all",
    }

    budget = column()
    retained = column()
    devolved = column()
    task_hours = column()
    kept_task_hours = column()
    overhead = column()

    def __init__(self, model, index: int, node: int) -> None:
        super().__init__(model, index, node)
        self.communities = np.flatnonzero(model.communities.street == index)
        self.compounds = np.flatnonzero(np.isin(model.compounds.community, self.communities))

    # --- tasks (§7.3, §7.14) -------------------------------------------------------------
    def departments(self) -> list:
        """The department agents tied to this street (looked up again when ties change)."""
        m = self.model
        cached = getattr(self, "_departments", None)
        if cached is None or cached[0] != m.dept_version:
            found = [
                m.department_agents[m.index_of(v)] for v in self.ties("hierarchy", "department")
            ]
            self._departments = cached = (m.dept_version, found)
        return cached[1]

    def receive_tasks(self) -> None:
        """Accept the departments' tasks; with an access list refuse part of their own
        duties (`refusal_share`). Its capacity is its own staff plus the officers seconded
        to it."""
        p, st, dp = self.model.p, self.model.streets, self.model.departments
        s = self.index
        seconded = sum(d.seconded_hours(s) for d in self.departments())
        st.own_capacity[s] = (
            p["street_task_capacity_per_1000"] * st.residents[s] / 1000.0 + seconded
        )
        dp.refused[:, s] = self.refusal_share() * dp.off_list[:, s]
        st.task_hours[s] = float(
            dp.on_list[:, s].sum() + dp.off_list[:, s].sum() - dp.refused[:, s].sum()
        )
        if dp.n == 0:
            st.task_hours[s] = self.task_inflow()

    @staticmethod
    def receive_all(model) -> None:
        """`receive_tasks` of every street office at once, deciding as each in turn (each
        writes only its own column of the departments' matrices): the seconded hours it
        adds up one department after the other, its sums over the departments are NumPy's
        of that column."""
        p, st, dp, lv = model.p, model.streets, model.departments, model.levers
        count = Ties.of(model).count
        share = np.where(
            lv.street("seconded_consultation") != 0,
            p["consultation_weight"],
            p["seconded_street_share"],
        )
        hours = p["seconded_hours_per_street"] * share
        # 0 + hours + hours + ..., once for each of its departments (a running sum: NumPy's
        # accumulate adds left to right, as Python's sum)
        width = int(count.max()) if count.size else 0
        terms = np.zeros((st.n, width + 1))
        terms[:, 1:] = hours[:, None]
        seconded = np.cumsum(terms, axis=1)[np.arange(st.n), count]
        st.own_capacity[:] = p["street_task_capacity_per_1000"] * st.residents / 1000.0 + seconded
        on, off = _per_street(dp.on_list), _per_street(dp.off_list)
        dp.refused[:] = StreetOffice._refusal(model, on, off) * dp.off_list
        st.task_hours[:] = on + off - _per_street(dp.refused)
        if dp.n == 0:
            st.task_hours[:] = p["admin_task_hours_per_1000"] * st.residents.astype(float) / 1000

    def task_inflow(self) -> float:
        """Administrative task hours arriving at the office this month without line
        departments to send them (`admin_task_hours_per_1000` per 1,000 residents)."""
        residents = float(self.model.streets.residents[self.index])
        return self.model.p["admin_task_hours_per_1000"] * residents / 1000

    def refusal_share(self) -> float:
        """Share of the departments' own duties it refuses this month: none without an
        access list; with one, as much of them as it could not do with its own staff
        (the arriving tasks beyond its capacity, as a share of those duties), at most
        `access_refusal` — a street refuses the work it would otherwise push down."""
        m, p, st, dp = self.model, self.model.p, self.model.streets, self.model.departments
        s = self.index
        if not m.levers.street("access_list")[s]:
            return 0.0
        off = float(dp.off_list[:, s].sum())
        if off <= 0:
            return 0.0
        beyond = float(dp.on_list[:, s].sum()) + off - float(st.own_capacity[s])
        return p["access_refusal"] * min(max(beyond / off, 0.0), 1.0)

    @staticmethod
    def refusal_shares(model) -> np.ndarray:
        """`refusal_share` of every street office."""
        dp = model.departments
        return StreetOffice._refusal(model, _per_street(dp.on_list), _per_street(dp.off_list))

    @staticmethod
    def _refusal(model, on: np.ndarray, off: np.ndarray) -> np.ndarray:
        """`refusal_share` of every street office, given the hours on and off the list
        that arrive at each."""
        p = model.p
        beyond = on + off - model.streets.own_capacity
        ratio = np.divide(beyond, off, out=np.zeros_like(off), where=off > 0)
        ratio = np.where(0.0 > ratio, 0.0, ratio)  # Python's max(ratio, 0.0) ...
        ratio = np.where(1.0 < ratio, 1.0, ratio)  # ... and min(..., 1.0)
        listed = (model.levers.street("access_list") != 0) & (off > 0)
        return np.where(listed, p["access_refusal"] * ratio, 0.0)

    def push_tasks(self) -> None:
        """Keep tasks up to its own capacity (less the hours its owners' work takes this
        month); push the rest down in proportion to residents."""
        st, cm = self.model.streets, self.model.communities
        c = self.communities
        residents = cm.residents[c]
        arriving = st.task_hours[self.index]
        capacity = max(st.own_capacity[self.index] - st.owners_hours[self.index], 0.0)
        keep = min(arriving, capacity)
        pushed = arriving - keep
        share = residents / max(residents.sum(), 1)
        relabelled = st.relabel_due[self.index]
        cm.tasks_relabelled[c] = relabelled * share
        cm.tasks_pushed[c] = (pushed + relabelled) * share
        st.relabelled_hours[self.index] = relabelled
        st.pushed_hours[self.index] = pushed + relabelled
        st.kept_task_hours[self.index] = keep

    @staticmethod
    def push_tasks_all(model) -> None:
        """`push_tasks` of every street office at once: each keeps and pushes only its own
        tasks, to its own communities, so the order does not matter (head counts are whole
        numbers, so their sums are exact)."""
        st, cm = model.streets, model.communities
        total = np.bincount(cm.street, weights=cm.residents, minlength=st.n)
        share = cm.residents / np.maximum(total, 1)[cm.street]
        arriving = st.task_hours.copy()
        capacity = st.own_capacity - st.owners_hours
        capacity = np.where(0.0 > capacity, 0.0, capacity)  # Python's max(capacity, 0.0)
        keep = np.where(capacity < arriving, capacity, arriving)  # min(arriving, capacity)
        pushed = arriving - keep
        relabelled = st.relabel_due.copy()
        cm.tasks_relabelled[:] = relabelled[cm.street] * share
        cm.tasks_pushed[:] = (pushed + relabelled)[cm.street] * share
        st.relabelled_hours[:] = relabelled
        st.pushed_hours[:] = pushed + relabelled
        st.kept_task_hours[:] = keep

    def take_back_refused(self) -> None:
        """Tasks its committees refused under the list: it does them and pays for them, and
        re-issues part of them the next month as list items (`relabel_share`)."""
        m, st, cm = self.model, self.model.streets, self.model.communities
        refused = float(
            (cm.tasks_pushed[self.communities] - cm.tasks_accepted[self.communities]).sum()
        )
        st.refused_hours[self.index] = refused
        st.kept_task_hours[self.index] += refused
        st.overhead[self.index] = refused * m.p["street_task_cost"]
        st.relabel_due[self.index] = refused * self.relabel_share()

    def relabel_share(self) -> float:
        """Share of its communities' refusals it re-issues next month under another name
        (assisting duties on the list), rather than doing and paying for that work itself
        again: `relabel_rate`, less what a third-party evaluator would strike off
        (`evaluation_relabel_detection`, where the street has one)."""
        m, p = self.model, self.model.p
        spotted = p["evaluation_relabel_detection"] * bool(
            m.levers.street("third_party_evaluation")[self.index]
        )
        return p["relabel_rate"] * (1 - spotted)

    # --- money (§7.2) --------------------------------------------------------------------
    def devolve(self) -> None:
        """Pay overheads, devolve a share of the rest and split it among communities."""
        self._devolve(self.model, np.array([self.index]))

    @staticmethod
    def devolve_all(model) -> None:
        """`devolve` of every street office at once: each splits only its own money among
        its own communities, so the order does not matter."""
        street = model.communities.street
        c = np.argsort(street, kind="stable")  # street after street, each street's in order
        StreetOffice._devolve(model, np.arange(model.streets.n), c, street[c])

    @staticmethod
    def _devolve(
        model, s: np.ndarray, c: np.ndarray | None = None, at: np.ndarray | None = None
    ) -> None:
        """`devolve` of the street offices `s`, whose communities are `c` (street after
        street, each street's in order; found when not given) and `at` each one's street as
        a position in `s`. Sums over a street's communities are those of each street on
        its own (`segment_sums`; head counts are whole numbers, so their sums are exact in
        any order)."""
        p, st, cm, lv = model.p, model.streets, model.communities, model.levers
        st.budget[s] = p["street_budget_per_resident"] * st.residents[s]
        overhead = st.overhead[s]  # kept tasks, already booked this month
        overhead = np.where(
            lv.street("volunteer_platform")[s] != 0,
            overhead + p["platform_cost_per_resident"] * st.residents[s],
            overhead,
        )
        overhead = np.where(
            lv.street("third_party_evaluation")[s] != 0,
            overhead + p["evaluation_cost_share"] * st.budget[s],
            overhead,
        )
        st.overhead[s] = np.minimum(overhead, st.budget[s])
        net = st.budget[s] - st.overhead[s]
        st.devolved[s] = lv.street("devolution_share")[s] * net
        st.retained[s] = net - st.devolved[s]

        if c is None:  # the streets' communities, street after street, each street's in order
            c = np.flatnonzero(among(cm.street, s))
            c = c[np.argsort(cm.street[c], kind="stable")]
            at = np.repeat(np.arange(s.size), np.bincount(cm.street[c], minlength=st.n)[s])
        count = np.bincount(at, minlength=s.size)
        residents = cm.residents[c].astype(float)
        pop_share = residents / np.maximum(np.bincount(at, residents, s.size), 1.0)[at]
        inflow = st.devolved[s][at] * pop_share
        cm.invested[c] = lv.street("capacity_building_share")[s][at] * inflow
        rest = inflow - cm.invested[c]
        rest_total = segment_sums(rest, count)
        w = np.stack(
            [
                lv.street(k)[s]
                for k in ("channel_block_grant", "channel_grid_funds", "channel_ngo_projects")
            ]
        )
        w = w / (w[0] + w[1] + w[2])
        block = StreetOffice._block_shares(model, c, count, pop_share, at)
        cm.in_block[c] = (w[0] * rest_total)[at] * block
        cm.in_grid[c] = w[1][at] * rest
        cm.in_ngo[c] = w[2][at] * rest
        cm.inflow[c] = cm.invested[c] + cm.in_block[c] + cm.in_grid[c] + cm.in_ngo[c]
        has_departments = Ties.of(model).count[s] > 0
        projects = p["dept_budget_per_resident"] * st.residents[s] * has_departments
        street_hours = (
            (st.retained[s] + projects)
            * p["street_service_efficiency"]
            / p["cost_per_service_hour"]
        )
        cm.street_hours[c] = street_hours[at] * pop_share

    def block_weights(self) -> np.ndarray:
        """Shares of the street's block grant: by population, by score, by absorption."""
        c = self.communities
        residents = self.model.communities.residents[c].astype(float)
        pop_share = residents / max(residents.sum(), 1.0)
        return self._block_shares(self.model, c, np.array([c.size]), pop_share)

    @staticmethod
    def _block_shares(
        model,
        c: np.ndarray,
        count: np.ndarray,
        pop_share: np.ndarray,
        at: np.ndarray | None = None,
    ) -> np.ndarray:
        """`block_weights` of consecutive runs of communities `c` (`count` per street, `at`
        each community's run), given each community's share of its street's residents."""
        p, cm = model.p, model.communities
        if at is None:
            at = np.repeat(np.arange(count.size), count)
        scored = cm.score[c] * cm.residents[c].astype(float)
        total = segment_sums(scored, count)[at]
        # a street without scores takes the population share
        by_score = np.divide(scored, total, out=pop_share.copy(), where=total > 0)
        perf = p["performance_budget_share"]
        w = (1 - perf) * pop_share + perf * by_score
        w = w * (1 - p["absorption_tilt"] * (1 - cm.absorption[c]))
        total = segment_sums(w, count)[at]
        return np.divide(w, total, out=pop_share.copy(), where=total > 0)

    # --- assessment (§7.11) --------------------------------------------------------------
    def assess(self) -> None:
        """Score each community: top-down indicators and residents' evaluation, weighted by
        the residents' weight (a lever); third-party evaluation measures needs met instead
        of task completion and paperwork. It scores the committees it supervises (its
        `supervision` ties); a committee it is not tied to keeps its last score."""
        self._score(self.model, self.communities)

    @staticmethod
    def assess_all(model) -> None:
        """`assess` of every street office at once: each scores only its own communities,
        with its own levers, so the order does not matter."""
        StreetOffice._score(model, np.arange(model.communities.n))

    @staticmethod
    def _score(model, c: np.ndarray) -> None:
        """Scores of communities `c`, each by its street's office."""
        m, p, cm, lv = model, model.p, model.communities, model.levers
        c = c[StreetOffice.supervising(m)[c]]
        s = cm.street[c]
        pushed = cm.tasks_pushed[c]
        done = np.where(pushed > 0, cm.tasks_accepted[c] / np.maximum(pushed, 1e-9), 1.0)
        paper = cm.formalism_hours[c] / (cm.formalism_hours[c] + p["paperwork_return_scale"])
        cm.score_paper[c] = paper
        wp = p["paperwork_score_weight"]
        topdown = (1 - wp) * done + wp * paper
        topdown = np.where(lv.street("third_party_evaluation")[s] != 0, cm.needs_met[c], topdown)
        w = lv.street("resident_assessment_weight")[s]
        cm.score[c] = (1 - w) * topdown + w * m.residents_evaluation()[c]

    @staticmethod
    def supervising(model) -> np.ndarray:
        """Per community: does its street's office hold a `supervision` tie to its RC
        (cached until a supervision edge changes)."""
        version = model.edge_versions.get("supervision", 0)
        hit = model.cache.get("street_supervision")
        if hit is None or hit[0] != version:
            cm, off = model.communities, model.world.node_offset
            office = off["street_office"] + cm.street
            rc = off["residents_committee"] + np.arange(cm.n)
            hit = (version, coordination.has_edges(model, "supervision", office, rc))
            model.cache["street_supervision"] = hit
        return hit[1]

    # --- summons and ratings (§7.14) -----------------------------------------------------
    def summon(self) -> None:
        """Call its departments to this month's escalated disputes and running renovations,
        one department per problem; the answered share relieves the problems."""
        m, st, dp, cp = self.model, self.model.streets, self.model.departments, self.model.compounds
        s = self.index
        dp.summons[:, s] = 0
        dp.answered[:, s] = 0
        st.summons[s] = st.answered_share[s] = 0.0
        departments = self.departments()
        if not m.levers.street("street_summons")[s] or not departments:
            return
        mine = m.communities.street[cp.community] == s
        problems = int(cp.escalated[mine].sum() + np.count_nonzero(cp.renovation_left[mine] > 0))
        if problems == 0:
            return
        rng = m.streams["organisations"]
        who = rng.integers(len(departments), size=problems)
        answered = 0
        for k, dept in enumerate(departments):
            n = int(np.count_nonzero(who == k))
            a = dept.answer(n, rng)
            dp.summons[dept.index, s] = n
            dp.answered[dept.index, s] = a
            answered += a
        st.summons[s] = problems
        st.answered_share[s] = answered / problems

    @staticmethod
    def summon_all(model) -> None:
        """`summon` of every street office: the problems of all streets counted at once,
        then each street that summons, in turn, draws who is called and who answers as on
        its own (the same draws in the same order)."""
        m, st, dp, cp = model, model.streets, model.departments, model.compounds
        dp.summons[:] = 0
        dp.answered[:] = 0
        st.summons[:] = 0.0
        st.answered_share[:] = 0.0
        ties = Ties.of(m)
        calling = (m.levers.street("street_summons") != 0) & (ties.count > 0)
        if not calling.any():
            return
        street = m.communities.street[cp.community]
        problems = np.zeros(st.n, dtype=np.int64)
        np.add.at(problems, street, cp.escalated + (cp.renovation_left > 0))
        rng = m.streams["organisations"]
        agents = m.department_agents
        for s in np.flatnonzero(calling & (problems > 0)).tolist():
            listed = ties.order[s, : ties.count[s]].tolist()
            who = rng.integers(len(listed), size=int(problems[s]))
            answered = 0
            for k, d in enumerate(listed):
                n = int(np.count_nonzero(who == k))
                a = agents[d].answer(n, rng)
                dp.summons[d, s] = n
                dp.answered[d, s] = a
                answered += a
            st.summons[s] = problems[s]
            st.answered_share[s] = answered / int(problems[s])

    def rate_departments(self) -> None:
        """Rate each tied department (0-1): lower for the burden of its duties the street
        carries, for mirrored offices, and for summons it left unanswered."""
        m, p, st, dp = self.model, self.model.p, self.model.streets, self.model.departments
        s = self.index
        fair = max(st.own_capacity[s] / max(dp.n, 1), 1.0)
        refuse = self.refusal_share()
        share = st.residents[s] / max(st.residents.sum(), 1)
        n_comm = len(self.communities)
        ban = bool(m.levers.street("mirror_ban")[s])
        for dept in self.departments():
            d = dept.index
            carried = dp.off_list[d, s] - dp.refused[d, s]
            burden = min(1.0, carried / fair)
            full = dept.load() * (1 - p["dept_on_list_share"]) * share * (1 - refuse)
            dp.burden_if_all[d, s] = min(1.0, full / fair)
            mirror = min(1.0, p["mirror_hours"] * n_comm / fair)
            dp.mirror_burden[d, s] = mirror
            mirrored = 0.0 if ban else dept.mirrors * mirror
            summoned = dp.summons[d, s]
            unanswered = 1 - dp.answered[d, s] / summoned if summoned else 0.0
            dp.ratings[d, s] = 1.0 - (burden + mirrored + unanswered) / 3.0

    @staticmethod
    def rate_all(model) -> None:
        """`rate_departments` of every street office at once, deciding as each in turn
        (each writes only its own column of the departments' matrices, and only where it is
        tied to the department)."""
        p, st, dp, cm = model.p, model.streets, model.departments, model.communities
        tied = Ties.of(model).tied
        fair = st.own_capacity / max(dp.n, 1)
        fair = np.where(1.0 > fair, 1.0, fair)  # Python's max(fair, 1.0)
        refuse = StreetOffice.refusal_shares(model)
        share = st.residents / max(st.residents.sum(), 1)
        n_comm = np.bincount(cm.street, minlength=st.n)
        ban = model.levers.street("mirror_ban") != 0
        burden = (dp.off_list - dp.refused) / fair
        burden = np.where(burden < 1.0, burden, 1.0)  # Python's min(1.0, burden)
        load = Department.load_of(model)
        full = load * (1 - p["dept_on_list_share"]) * share * (1 - refuse) / fair
        full = np.where(full < 1.0, full, 1.0)
        mirror = p["mirror_hours"] * n_comm / fair
        mirror = np.where(mirror < 1.0, mirror, 1.0)
        mirrored = np.where(ban, 0.0, dp.mirrors[:, None] * mirror)
        summoned = dp.summons
        asked = summoned != 0
        unanswered = np.where(
            asked,
            1 - np.divide(dp.answered, summoned, out=np.zeros_like(summoned), where=asked),
            0.0,
        )
        rating = 1.0 - (burden + mirrored + unanswered) / 3.0
        dp.burden_if_all[:] = np.where(tied, full, dp.burden_if_all)
        dp.mirror_burden[:] = np.where(tied, mirror, dp.mirror_burden)
        dp.ratings[:] = np.where(tied, rating, dp.ratings)

    def mirror_hours(self) -> float:
        """RC hours a month each of its communities spends on departments' mirrored offices."""
        if self.model.levers.street("mirror_ban")[self.index]:
            return 0.0
        dp = self.model.departments
        tied = [d.index for d in self.departments()]
        return self.model.p["mirror_hours"] * float(dp.mirrors[tied].sum())

    @staticmethod
    def mirror_hours_all(model) -> np.ndarray:
        """`mirror_hours` of every street office: its departments' insistence summed in the
        order it lists them, as NumPy's sum of each street's on its own (`row_sums`)."""
        ties = Ties.of(model)
        total = row_sums(model.departments.mirrors[ties.order], ties.listed)
        ban = model.levers.street("mirror_ban") != 0
        return np.where(ban, 0.0, model.p["mirror_hours"] * total)

    # --- cadres (§7.15) -----------------------------------------------------------------
    def selection_scores(self) -> np.ndarray:
        """Per community of the street: (1 − λ) × its assessment score + λ × residents'
        evaluation, λ = `cadre_selection_resident_weight`."""
        m, cm = self.model, self.model.communities
        lam = m.levers.street("cadre_selection_resident_weight")[self.index]
        c = self.communities
        return (1 - lam) * cm.score[c] + lam * m.residents_evaluation()[c]

    def select_secretaries(self, due: np.ndarray) -> None:
        """At an election round, replace the secretaries of the communities in `due` whose
        selection score is among the worst `cadre_replacement_share` of the street; where
        it is pushed toward 一肩挑 it appoints one who lives in the community, so that the
        new secretary can stand for director."""
        m, p = self.model, self.model.p
        c = self.communities
        mine = among(c, due)
        if not mine.any():
            return
        score = self.selection_scores()
        cutoff = np.quantile(score, p["cadre_replacement_share"]) if c.size > 1 else -np.inf
        push = m.levers.community("xa_one_shoulder")
        for k in np.flatnonzero(mine & (score <= cutoff) & (p["cadre_replacement_share"] > 0)):
            community = int(c[k])
            local = True if push[community] > 0 else None
            m.replace_secretary(community, self.appoint(community, resident=local))

    def promote(self) -> None:
        """Once a year, with probability `promotion_rate`, promote its best-scoring secretary
        to a post outside the community; a new secretary is appointed."""
        m, p = self.model, self.model.p
        if m.steps % 12 != 0 or self.communities.size == 0:
            return
        if m.streams["organisations"].random() >= p["promotion_rate"]:
            return
        best = int(self.communities[int(np.argmax(self.selection_scores()))])
        m.replace_secretary(best, self.appoint(best), promoted=True)

    def appoint(self, community: int, resident: bool | None = None) -> int:
        """A new secretary: the best of `candidate_pool` cadres by (1 − λ) × skill + λ ×
        standing as the street reads it (with error of sd `selection_noise`) — those who know
        residents well, λ = `cadre_selection_resident_weight`. Candidates live outside the
        community with probability `outside_cadre_share` (`resident`: all do, or none).
        Each appointment is recorded against residents' own ranking of the candidates
        (their true standing): whether the street picked the one they rate highest, and the
        rank correlation of its ranking with theirs."""
        m, p = self.model, self.model.p
        rng = m.streams["organisations"]
        lam = m.levers.street("cadre_selection_resident_weight")[self.index]
        k = int(p["candidate_pool"])
        lives_here = (
            rng.random(k) >= p["outside_cadre_share"] if resident is None else np.full(k, resident)
        )
        pool = m.new_people(k, 0, community, party=True, resident=lives_here)
        standing = m.people.standing[pool]
        read = standing + p["selection_noise"] * rng.standard_normal(k)
        skill = m.people.skill[pool] / max(m.people.skill[pool].max(), 1e-9)
        value = (1 - lam) * skill + lam * read
        pick = int(np.argmax(value))
        chosen = int(pool[pick])
        m.people.active[pool] = False
        m.people.selection_weight[chosen] = lam
        m.people.appointed_month[chosen] = m.steps
        m.selections.record(pick == int(np.argmax(standing)), value, standing)
        return chosen

    def send_cadres(self, due: np.ndarray) -> None:
        """At a round, under a push for 一肩挑: in each of its communities of `due` whose
        secretary cannot stand for director (the round's rules, or a load they would
        decline), send a cadre who can (PartyCommittee.can_stand) as the new secretary —
        while the push outweighs `cadre_move_cost` and its pool of cadres for the round
        lasts (`street_cadre_share` of its communities, rounded to the nearest cadre)."""
        m, p = self.model, self.model.p
        left = int(round(p["street_cadre_share"] * self.communities.size))
        for c in self.communities[np.isin(self.communities, due)].tolist():
            if left <= 0:
                break
            if m.levers.community("xa_one_shoulder")[c] <= p["cadre_move_cost"]:
                continue
            party = m.party_committees[c]
            director_seat = int(m.seats_of(RC, c, DIRECTOR)[0])
            secretary = party.secretary
            if secretary >= 0 and party.can_stand(secretary, director_seat):
                continue
            m.replace_secretary(c, self.appoint(c, resident=True))
            left -= 1
            m.month.cadres_sent += 1

    # --- renovation (§7.6) ---------------------------------------------------------------
    def put_forward_renovations(self) -> np.ndarray:
        """The old compounds it puts forward for renovation this month: the worst-served
        unrenovated pre-2000 compounds of the street, at `renovation_rate` a year."""
        p, cp = self.model.p, self.model.compounds
        in_street = self.model.communities.street[cp.community] == self.index
        old = in_street & (cp.build_year < OLD_BEFORE) & ~cp.renovated & (cp.renovation_left <= 0)
        candidates = np.flatnonzero(old)
        self.model.streets.renovation_budget[self.index] += (
            p["renovation_rate"] / 12 * np.count_nonzero(in_street & (cp.build_year < OLD_BEFORE))
        )
        k = int(np.floor(self.model.streets.renovation_budget[self.index]))
        if k <= 0 or candidates.size == 0:
            return np.zeros(0, dtype=np.int64)
        chosen = candidates[np.argsort(cp.quality[candidates], kind="stable")[:k]]
        self.model.streets.renovation_budget[self.index] -= chosen.size
        return chosen

    @staticmethod
    def put_forward_renovations_all(model) -> np.ndarray:
        """`put_forward_renovations` of every street office, deciding as each in turn (each
        reads and writes only its own compounds and budget): all budgets grow at once, and
        only the streets whose budget allows a project choose theirs. Returns the compounds
        put forward, street by street."""
        p, cp, st = model.p, model.compounds, model.streets
        offices = np.array([office.index for office in model.street_offices], dtype=np.int64)
        street = model.communities.street[cp.community]
        pre = cp.build_year < OLD_BEFORE
        old = pre & ~cp.renovated & (cp.renovation_left <= 0)
        count = np.bincount(street[pre], minlength=st.n)
        st.renovation_budget[offices] += p["renovation_rate"] / 12 * count[offices]
        waiting = np.bincount(street[old], minlength=st.n)
        able = offices[(np.floor(st.renovation_budget[offices]) > 0) & (waiting[offices] > 0)]
        chosen = []
        for s in able.tolist():
            candidates = np.flatnonzero(old & (street == s))
            k = int(np.floor(st.renovation_budget[s]))
            picked = candidates[np.argsort(cp.quality[candidates], kind="stable")[:k]]
            st.renovation_budget[s] -= picked.size
            chosen.append(picked)
        return np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)

    # --- owners' organisations (§7.7) ------------------------------------------------------
    def plan_owners_work(self) -> None:
        """This month's work for owners' organisations, in order of obligation, as far as
        the hours it gives them allow: (1) guiding the committees it convened
        (`convened_upkeep_hours` each) and, at the end of a term in which owners elected no
        committee, convening anew (under a drive) or letting the committee go; (2)
        mobilising owners for the re-elections due this month, and calling early
        re-elections of dormant committees, longest dormant first (`reelection_drive_hours`
        × the push each); (3) backing sitting elected committees, those with the most
        disputes first (`oc_support_hours` × the push each); (4) under a drive, convening
        committees in compounds with none, worst-served first (`convene_setup_hours` each).
        The hours it may give are `drive_capacity_share` × the strongest push × its own
        capacity (never less than the guidance its convened committees need, never more
        than its capacity)."""
        m, p, st, cp = self.model, self.model.p, self.model.streets, self.model.compounds
        s, lv, month = self.index, self.model.levers, self.model.steps
        drive = float(lv.street("street_convened_committees")[s])
        support = float(lv.street("oc_support")[s])
        reelect = float(lv.street("reelection_support")[s])
        mine = self.compounds
        cp.oc_backing[mine] = 0.0
        convened = mine[cp.oc_kind[mine] == OC_CONVENED]
        st.owners_hours[s] = 0.0
        if max(drive, support, reelect) <= 0 and convened.size == 0:
            return
        capacity = st.own_capacity[s]
        upkeep = convened.size * p["convened_upkeep_hours"]
        budget = min(
            max(p["drive_capacity_share"] * max(drive, support, reelect) * capacity, upkeep),
            capacity,
        )
        used = min(upkeep, budget)

        def afford(hours: float) -> bool:
            nonlocal used
            if used + hours > budget + 1e-9:
                return False
            used += hours
            return True

        # (1) convened committees whose term ended: convene anew, or let go
        for c in convened[cp.oc_age[convened] >= p["convened_term_months"]].tolist():
            if drive > 0 and afford(p["convene_setup_hours"]):
                owners_assembly.set_owners_committee(m, c, OC_KIND_NONE)
                self.convene(c)
            else:
                owners_assembly.set_owners_committee(m, c, OC_KIND_NONE)
                m.month.convened_ended += 1
        # (2) re-elections due, then early re-elections of dormant committees
        if reelect > 0:
            elected = mine[cp.oc_kind[mine] == OC_ELECTED]
            due = elected[cp.oc_age[elected] + 1 >= p["oc_term_months"]]
            dormant = elected[
                (cp.oc_state[elected] == OC_DORMANT)
                & (cp.oc_age[elected] + 1 < p["oc_term_months"])
                & (month - cp.oc_early_call[elected] >= p["oc_dormancy_months"])
            ]
            dormant = dormant[np.argsort(cp.oc_last_active[dormant], kind="stable")]
            cost = p["reelection_drive_hours"] * reelect
            for c in due.tolist():
                if afford(cost):
                    m.reelection_mobilised[c] = reelect
            for c in dormant.tolist():
                if afford(cost):
                    m.reelection_mobilised[c] = reelect
                    m.early_reelection[c] = True
                    cp.oc_early_call[c] = month
        # (3) backing sitting elected committees, most disputes first
        if support > 0:
            elected = mine[cp.oc_kind[mine] == OC_ELECTED]
            elected = elected[np.argsort(-cp.dispute_rate[elected], kind="stable")]
            cost = p["oc_support_hours"] * support
            for c in elected.tolist():
                if not afford(cost):
                    break
                cp.oc_backing[c] = support
        # (4) convening committees where owners have none, worst-served first
        if drive > 0:
            none = mine[cp.oc_kind[mine] == OC_KIND_NONE]
            none = none[np.lexsort((-cp.dispute_rate[none], cp.quality[none]))]
            for c in none.tolist():
                if not afford(p["convene_setup_hours"]):
                    break
                self.convene(c)
        st.owners_hours[s] = used

    def convene(self, compound: int) -> None:
        """Convene a property-management committee in `compound`: its branch secretary (or,
        without a branch, a member of the residents' committee) chairs; one member of the
        residents' committee and owners the street appoints take the other seats."""
        m, cp = self.model, self.model.compounds
        rng = m.streams["organisations"]
        community = int(cp.community[compound])
        owners_assembly.set_owners_committee(m, compound, OC_CONVENED)
        rc_members = [h for h in m.holders(RC_MEMBER, community) if h >= 0]
        rng.shuffle(rc_members)
        branch_secretary = m.holder(BRANCH_SECRETARY, compound)
        holders = []
        for s in m.seats_of(OC, compound).tolist():
            if m.seats.role[s] == OC_CHAIR and branch_secretary >= 0:
                holder = branch_secretary
            elif rc_members:
                holder = int(rc_members.pop())
            else:
                party = bool(rng.random() < m.p["party_member_share"])
                holder = int(m.new_people(1, VOLUNTEER, community, compound, party=party)[0])
            holders.append(holder)
            if len(holders) == 2:  # the chair and one committee member come from above
                rc_members = []
        m.fill(m.seats_of(OC, compound), np.array(holders))
        cp.oc_last_active[compound] = m.steps
        cp.oc_convened_month[compound] = m.steps
        m.month.oc_convened_new += 1
        m.owners_committees[compound].take_stock()
        m.sync_shared_edges()

    def compounds_with_committee(self) -> int:
        cp = self.model.compounds
        in_street = self.model.communities.street[cp.community] == self.index
        return int(np.count_nonzero(in_street & (cp.oc_state != OC_NONE)))


def _per_street(matrix: np.ndarray) -> np.ndarray:
    """Sum over departments of each street's column of a departments × streets matrix, as
    NumPy's sum of that column on its own (the rows of the transposed matrix, C-ordered:
    `row_sums` with every entry counted)."""
    return np.ascontiguousarray(matrix.T).sum(axis=1)
