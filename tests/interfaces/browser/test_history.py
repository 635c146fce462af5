"""A session's record of its model: any recorded month's ties and organisations come back
exactly as they were."""

from __future__ import annotations

import time

import numpy as np

from sim.interfaces.browser.history import (
    History,
    attribute_names,
    describe,
    plan_for,
    read_scalars,
)
from sim.interfaces.browser.session import start_run

from .conftest import TWO_STREETS


def _edges(model):
    return {
        (min(u, v), max(u, v), k): kind
        for u, v, k, kind in model.network.edges(keys=True, data="kind")
    }


def _values(model, history):
    out = {}
    for agent in model.agents:
        plan = history.plans[type(agent).__name__]
        out[agent.node] = read_scalars(agent, plan.names)
    return out


def test_a_recorded_month_gives_back_its_ties_and_organisations():
    run = start_run(TWO_STREETS, "5")
    seen_edges, seen_values = {0: _edges(run.model)}, {0: _values(run.model, run.history)}
    for month in range(1, 7):
        run.step()
        seen_edges[month] = _edges(run.model)
        seen_values[month] = _values(run.model, run.history)
    assert run.history.latest == 6
    assert any(seen_edges[m] != seen_edges[0] for m in seen_edges), "no tie changed: weak test"
    for month in (6, 2, 0, 4):
        assert run.history.edges_at(month) == seen_edges[month]
        for node, values in seen_values[month].items():
            _, recorded = run.history.values_at(node, month)
            for name, v in values.items():
                if isinstance(v, float):
                    assert np.isclose(recorded[name], v, rtol=1e-6, atol=1e-6), name
                else:
                    assert recorded[name] == v, name
    run.close()


def test_an_organisation_s_series_has_one_row_per_recorded_month(run):
    node = next(a.node for a in run.model.agents if type(a).__name__ == "ResidentsCommittee")
    series = run.history.node_series(node)
    assert series["month"].tolist() == [0, 1, 2, 3, 4]
    assert "skill" in series


def test_the_per_community_rows_of_a_month_are_that_month_s(run):
    table = run.model.community_table()
    rows = run.history.communities_at(2)
    assert (rows["step"] == 2).all() and len(rows) == (table["step"] == 2).sum()
    assert run.history.communities_at(0).empty


class Office:
    """A stand-in agent: a field, a cheap property, a costly property, an array, and a
    description of itself."""

    kind = "office"

    def __init__(self, node):
        self.node = node
        self.index = node
        self.staff = 3
        self._secret = 1

    @property
    def load(self) -> float:
        return 0.5

    @property
    def costly(self) -> float:
        time.sleep(0.002)
        return 1.0

    @property
    def rooms(self):
        return np.arange(3)

    def describe(self):
        return {"motto": "serve the people"}


def test_agent_attributes_are_its_state_not_bookkeeping():
    names = attribute_names(Office(1))
    assert {"staff", "load", "costly", "rooms"} <= set(names)
    assert not {"node", "index", "kind", "_secret", "describe"} & set(names)
    assert read_scalars(Office(1)) == {"staff": 3, "load": 0.5, "costly": 1.0}
    assert describe(Office(1)) == {"motto": "serve the people"}


def test_a_costly_attribute_is_read_on_click_not_every_month():
    agents = [Office(i) for i in range(10)]
    plan = plan_for(agents, budget_ms=5.0)
    assert "load" in plan.names and "staff" in plan.names
    assert "costly" not in plan.names  # 10 agents x 2 ms > 5 ms
    assert "rooms" not in plan.names  # not a scalar


def test_history_starts_at_the_model_s_month():
    run = start_run(TWO_STREETS, "1")
    run.model.step()
    history = History(run.model)
    assert history.first == history.latest == 1
    assert history.clamp(0) == 1 and history.clamp(None) == 1
    run.close()
