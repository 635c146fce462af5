"""The residents' committee decides which tasks to accept and how to split its hours, and
learns what pays (ODD §7.3, §7.11)."""

from __future__ import annotations

import numpy as np

from sim.core.agents.residents_committee import PAPERWORK
from sim.core.network import set_edge
from sim.core.people import DIRECTOR
from tests.conftest import MEDIUM, small_model
from tests.helpers import effect

LEARN = dict(peer_imitation_rate=0.0, rc_initial_paperwork=0.1, rc_adaptation_rate=0.1)


def paperwork_shares(months: int, **params) -> np.ndarray:
    m = small_model(1, **MEDIUM, **LEARN, **params)
    out = []
    for _ in range(months):
        m.step()
        out.append(m.communities.allocation[:, PAPERWORK].copy())
    return np.array(out)  # months × communities


def test_hours_drift_toward_paperwork_when_it_is_scored_and_back_when_it_is_not():
    rewarded = dict(
        paperwork_score_weight=1.0,
        resident_assessment_weight=0.0,
        rc_resident_motive=0.0,
        paperwork_return_scale=200.0,
    )
    shares = paperwork_shares(
        48, **rewarded, timeline=[{"month": 25, "set": {"paperwork_score_weight": 0.0}}]
    )
    assert np.all(shares[23] > shares[0] + 0.2), "paperwork grows while it is scored"
    assert np.all(shares[47] < shares[24] / 2), "and shrinks once it is not"
    # the documented rate: with nothing to gain from paperwork its best response is none, and
    # each month the committee closes rc_adaptation_rate of the gap
    eta = LEARN["rc_adaptation_rate"]
    assert np.allclose(shares[25:] / shares[24:-1], 1 - eta)


def test_third_party_evaluation_takes_the_reward_out_of_paperwork():
    shares = paperwork_shares(24, third_party_evaluation=True)
    assert np.all(shares[-1] < shares[0])


def test_without_a_list_every_pushed_task_is_accepted():
    m = small_model(2)
    m.step()
    assert np.allclose(m.communities.tasks_accepted, m.communities.tasks_pushed)


def test_with_a_list_it_refuses_off_list_tasks_less_when_led_by_the_secretary():
    list_on = dict(responsibility_list=True, responsibility_list_cap=0.01, initial_one_shoulder=1.0)
    m = small_model(3, **list_on)
    m.step()
    cm = m.communities
    refused = cm.tasks_pushed - cm.tasks_accepted
    assert np.all(refused > 0)
    led_by_secretary = refused.copy()
    for c in range(cm.n):
        m.give_seat(DIRECTOR, c)  # a director who is not the party secretary
    m.step()
    assert np.all((cm.tasks_pushed - cm.tasks_accepted) > led_by_secretary * 0.99)


def test_a_list_cuts_task_hours_at_a_cost_to_the_street_and_part_of_the_burden_returns():
    """Under a list the committees refuse tasks beyond it and spend fewer hours on tasks; the
    street pays for the refused work, re-issues part of it as list items, and the refusals
    ask ledgers — so the administrative burden falls by less than the task hours do."""
    lists = {"responsibility_list": True}
    heavy = {"admin_task_hours_per_1000": 400.0}  # tasks beyond the list's cap
    tasks = effect("task_hours_share", lists, base=heavy)
    burden = effect("admin_burden_share", lists, base=heavy)
    assert effect("tasks_refused_share", lists, base=heavy).low > 0
    assert effect("street_overhead", lists, base=heavy).low > 0
    assert effect("tasks_relabelled_share", lists, base=heavy).low > 0
    assert effect("ledger_hours_share", lists, base=heavy).low > 0
    assert tasks.high < 0 and burden.mean > tasks.mean, (burden, tasks)


def test_without_any_return_the_freed_hours_go_to_residents():
    lists = {"responsibility_list": True}
    heavy = {"admin_task_hours_per_1000": 400.0, "relabel_rate": 0.0}
    heavy["ledger_hours_per_refused_hour"] = 0.0
    assert effect("service_share", lists, base=heavy).low > 0


def test_service_hours_serve_residents_and_paperwork_does_not():
    """The same month with the committees' free hours split toward service or toward
    paperwork: service meets more of residents' needs, paperwork scores better on paper."""
    for seed in (4, 5, 6):
        arms = {}
        for arm, split in (("service", [0.1, 0.1, 0.8]), ("paperwork", [0.8, 0.1, 0.1])):
            m = small_model(seed)
            m.communities.allocation[:] = split
            m.step()
            arms[arm] = m.communities
        served, paper = arms["service"], arms["paperwork"]
        assert served.service_hours.sum() > paper.service_hours.sum()
        assert served.needs_met.mean() > paper.needs_met.mean()
        assert paper.score_paper.mean() > served.score_paper.mean()


def test_a_committee_compares_itself_with_the_communities_it_has_peer_ties_to():
    """Its peers are read off the network's `peer` edges, and a new or cut tie changes them
    (the cached list follows the edges)."""
    m = small_model(3, **MEDIUM)
    rc = m.residents_committees[0]
    off = m.world.node_offset["residents_committee"]
    tied = sorted(m.index_of(v) for v in rc.ties("peer"))
    assert sorted(rc.peers()) == tied
    stranger = next(c for c in range(1, m.communities.n) if c not in tied)
    set_edge(m, rc.node, off + stranger, "peer", True)
    assert sorted(rc.peers()) == sorted([*tied, stranger])
    for c in tied:
        set_edge(m, rc.node, off + c, "peer", False)
    assert rc.peers() == [stranger]
