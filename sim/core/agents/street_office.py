"""Street office (街道办): decides which tasks to push down, how to split devolved money
among its communities, and how to score them (ODD §7.2, §7.3, §7.11).

What it senses: its budget and the task hours arriving from the district, its own staff
capacity, the responsibility list (a lever), and for each of its communities the residents,
last month's absorption of money, the assessment score and the task hours refused.
What it wants: tasks done without paying for them, money spent rather than lapsed, and
communities that score well in its own assessment.
What it chooses: (1) it keeps tasks up to its own capacity and pushes the rest down, by
population; tasks a committee refuses under the list come back and it pays for them;
(2) devolved money goes first to capacity building, then to channels by the channel
weights; block grants follow population, the assessment score (`performance_budget_share`)
and last year's absorption (`absorption_tilt`: money moves toward communities that spent);
(3) each month it scores its communities (assess).
"""

from __future__ import annotations

import numpy as np

from ..state import OC_NONE
from .base import GovernanceAgent, column


class StreetOffice(GovernanceAgent):
    """One per street (`index` = street)."""

    table = "streets"
    kind = "street_office"

    budget = column()
    retained = column()
    devolved = column()
    task_hours = column()
    kept_task_hours = column()
    overhead = column()

    def __init__(self, model, index: int, node: int) -> None:
        super().__init__(model, index, node)
        self.communities = np.flatnonzero(model.communities.street == index)

    # --- tasks (§7.3) --------------------------------------------------------------------
    def push_tasks(self) -> None:
        """Keep tasks up to its own capacity; push the rest down in proportion to residents."""
        m, p, st, cm = self.model, self.model.p, self.model.streets, self.model.communities
        c = self.communities
        residents = cm.residents[c]
        arriving = m.task_inflow(self.index)
        capacity = p["street_task_capacity_per_1000"] * st.residents[self.index] / 1000.0
        keep = min(arriving, capacity)
        pushed = arriving - keep
        share = residents / max(residents.sum(), 1)
        cm.tasks_pushed[c] = pushed * share
        st.task_hours[self.index] = arriving
        st.pushed_hours[self.index] = pushed
        st.kept_task_hours[self.index] = keep

    def take_back_refused(self) -> None:
        """Tasks its committees refused under the list: it does them and pays for them."""
        m, st, cm = self.model, self.model.streets, self.model.communities
        refused = float((cm.tasks_pushed[self.communities]
                         - cm.tasks_accepted[self.communities]).sum())
        st.refused_hours[self.index] = refused
        st.kept_task_hours[self.index] += refused
        st.overhead[self.index] = refused * m.p["street_task_cost"]

    # --- money (§7.2) --------------------------------------------------------------------
    def devolve(self) -> None:
        """Pay overheads, devolve a share of the rest and split it among communities."""
        p, st, cm, lv = (self.model.p, self.model.streets, self.model.communities,
                         self.model.levers)
        s, c = self.index, self.communities
        st.budget[s] = p["street_budget_per_resident"] * st.residents[s]
        overhead = st.overhead[s]  # kept tasks, already booked this month
        if lv.street("volunteer_platform")[s]:
            overhead += p["platform_cost_per_resident"] * st.residents[s]
        if lv.street("third_party_evaluation")[s]:
            overhead += p["evaluation_cost_share"] * st.budget[s]
        st.overhead[s] = min(overhead, st.budget[s])
        net = st.budget[s] - st.overhead[s]
        st.devolved[s] = lv.street("devolution_share")[s] * net
        st.retained[s] = net - st.devolved[s]

        residents = cm.residents[c].astype(float)
        pop_share = residents / max(residents.sum(), 1.0)
        inflow = st.devolved[s] * pop_share
        cm.invested[c] = lv.street("capacity_building_share")[s] * inflow
        rest_total = float((inflow - cm.invested[c]).sum())
        w = np.array([lv.street(k)[s] for k in
                      ("channel_block_grant", "channel_grid_funds", "channel_ngo_projects")])
        w = w / w.sum()
        rest = inflow - cm.invested[c]
        cm.in_block[c] = w[0] * rest_total * self.block_weights()
        cm.in_grid[c] = w[1] * rest
        cm.in_ngo[c] = w[2] * rest
        cm.inflow[c] = cm.invested[c] + cm.in_block[c] + cm.in_grid[c] + cm.in_ngo[c]
        street_hours = st.retained[s] * p["street_service_efficiency"] / p["cost_per_service_hour"]
        cm.street_hours[c] = street_hours * pop_share

    def block_weights(self) -> np.ndarray:
        """Shares of the street's block grant: by population, by score, by absorption."""
        p, cm = self.model.p, self.model.communities
        c = self.communities
        residents = cm.residents[c].astype(float)
        pop = residents / max(residents.sum(), 1.0)
        scored = cm.score[c] * residents
        by_score = scored / scored.sum() if scored.sum() > 0 else pop
        perf = p["performance_budget_share"]
        w = (1 - perf) * pop + perf * by_score
        w = w * (1 - p["absorption_tilt"] * (1 - cm.absorption[c]))
        return w / w.sum() if w.sum() > 0 else pop

    # --- assessment (§7.11) --------------------------------------------------------------
    def assess(self) -> None:
        """Score each community: top-down indicators and residents' evaluation, weighted by
        the residents' weight (a lever); third-party evaluation measures needs met instead
        of task completion and paperwork."""
        m, p, cm, lv = self.model, self.model.p, self.model.communities, self.model.levers
        s, c = self.index, self.communities
        pushed = cm.tasks_pushed[c]
        done = np.where(pushed > 0, cm.tasks_accepted[c] / np.maximum(pushed, 1e-9), 1.0)
        paper = cm.formalism_hours[c] / (cm.formalism_hours[c] + p["paperwork_return_scale"])
        cm.score_paper[c] = paper
        wp = p["paperwork_score_weight"]
        topdown = (1 - wp) * done + wp * paper
        if lv.street("third_party_evaluation")[s]:
            topdown = cm.needs_met[c]
        w = lv.street("resident_assessment_weight")[s]
        cm.score[c] = (1 - w) * topdown + w * m.residents_evaluation()[c]

    # --- renovation (§7.6) ---------------------------------------------------------------
    def put_forward_renovations(self) -> np.ndarray:
        """The old compounds it puts forward for renovation this month: the worst-served
        unrenovated pre-2000 compounds of the street, at `renovation_rate` a year."""
        p, cp = self.model.p, self.model.compounds
        in_street = self.model.communities.street[cp.community] == self.index
        old = in_street & (cp.build_year < 2000) & ~cp.renovated & (cp.renovation_left <= 0)
        candidates = np.flatnonzero(old)
        self.model.streets.renovation_budget[self.index] += (
            p["renovation_rate"] / 12 * np.count_nonzero(in_street & (cp.build_year < 2000)))
        k = int(np.floor(self.model.streets.renovation_budget[self.index]))
        if k <= 0 or candidates.size == 0:
            return np.zeros(0, dtype=np.int64)
        chosen = candidates[np.argsort(cp.quality[candidates], kind="stable")[:k]]
        self.model.streets.renovation_budget[self.index] -= chosen.size
        return chosen

    def compounds_with_committee(self) -> int:
        cp = self.model.compounds
        in_street = self.model.communities.street[cp.community] == self.index
        return int(np.count_nonzero(in_street & (cp.oc_state != OC_NONE)))
