"""NGO ecosystem: tendering with screening and evaluation, delivery, failure, drift (ODD §7.9)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.agents import NGO
from sim.core.mechanisms import devolution, ngo_market
from tests.conftest import MEDIUM, small_model
from tests.helpers import effect


def market(**kw):
    m = small_model(1, n_ngos=4, quality_noise_bid=0.0, ngo_max_contracts=50, **kw)
    m.step()  # budgets flow, so NGO pots hold money
    for c in range(m.communities.n):
        ngo_market.set_ngo_contract(m, c, -1)
    ngos = m.ngos
    ngos.alive[:] = True
    ngos.capability[:] = [0.9, 0.5, 0.3, 0.2]
    ngos.alignment[:] = 1.0
    ngos.compliance[:] = [0.1, 0.5, 0.9, 0.95]
    ngos.contracts[:] = 0
    demand = m.communities.demand
    ngos.care_focus[:] = demand[:, 1].sum() / (demand[:, 1].sum() + demand[:, 2].sum())
    return m


def test_without_screening_the_most_capable_wins():
    m = market(screening_strictness=0.0)
    ngo_market.tender(m)
    assert np.all(m.communities.ngo == 0)
    assert m.ngos.contracts[0] == m.communities.n
    assert np.all(m.communities.ngo_months_left == m.p["contract_months"])


def test_strict_screening_excludes_the_non_compliant_and_rewards_compliance():
    m = market(screening_strictness=1.0, screening_bar=0.6)
    ngo_market.tender(m)
    assert np.all(m.communities.ngo == 3)


def evolve(m) -> None:
    m.do(NGO, "evolve")
    ngo_market.fail_and_enter(m)


def test_an_ngo_fails_after_months_in_deficit_and_its_contracts_end():
    m = market(
        ngo_failure_months=2.0, ngo_fixed_cost=1e6, ngo_private_income=0.0, ngo_entry_rate=0.0
    )
    ngo_market.tender(m)
    failed_before = m.ngos.failed.sum()
    m.ngos.reserve[:] = -1.0
    m.ngos.deficit_months[:] = 0
    evolve(m)
    assert m.ngos.alive.all()
    evolve(m)
    assert not m.ngos.alive.any() and np.all(m.communities.ngo == -1)
    assert m.ngos.failed.sum() - failed_before == 4


def test_government_money_pulls_alignment_down_unless_evaluated():
    for evaluated, expected in ((False, 0.5), (True, 0.75)):
        m = market(
            drift_sensitivity=0.5,
            drift_rate=1.0,
            ngo_private_income=0.0,
            third_party_evaluation=evaluated,
            evaluation_drift_protection=0.5,
        )
        ngo_market.tender(m)  # every NGO must serve someone for evaluation to reach it
        m.ngos.income[:] = 1000.0
        m.ngos.gov_share[:] = 0.0
        m.ngos.alignment[:] = 1.0
        served = m.ngos.contracts > 0
        m.do(NGO, "evolve")
        assert np.allclose(m.ngos.alignment[served], expected)


def test_delivery_is_capped_by_capacity_and_scaled_by_quality():
    m = market(screening_strictness=0.0, ngo_staff_hours=10.0, cost_per_service_hour=50.0)
    ngo_market.tender(m)
    absorbed = ngo_market.deliver(m)
    per_contract = 10.0 * 50.0 / m.communities.n
    assert np.all(absorbed <= per_contract + 1e-9)
    waste = devolution.waste_share(m)
    cm = m.communities
    fit = 1 - np.abs(m.ngos.care_focus[0] - cm.demand[:, 1] / cm.demand[:, 1:].sum(axis=1))
    expected = (1 - waste) * absorbed / 50.0 * 0.9 * fit * cm.ngo_coordination
    assert np.allclose(cm.ngo_hours, expected)


def test_ngos_bid_where_their_specialisation_fits():
    m = market()
    agent = m.ngo_agents[0]
    demand = m.communities.demand
    care = demand[0, 1] / (demand[0, 1] + demand[0, 2])
    m.ngos.care_focus[0] = care
    good = agent.bid_value(0)
    m.ngos.care_focus[0] = 1.0 - care if care < 0.5 else 0.0
    assert agent.bid_value(0) < good


def test_evaluation_limits_drift_where_ngo_money_is_large():
    base = {"channel_ngo_projects": 1.0, "devolution_share": 0.9, "drift_rate": 0.2}
    est = effect("ngos_drifted", {"third_party_evaluation": True}, base=base)
    assert est.high < 0, est


def _tender_one_by_one(model) -> None:
    """The tender as each open community asks every NGO on its own (`NGO.bid_values`)."""
    p, cm, ngos, lv = model.p, model.communities, model.ngos, model.levers
    rng = model.streams["ngo"]
    cm.ngo_months_left = np.maximum(cm.ngo_months_left - 1, 0)
    for c in np.flatnonzero((cm.ngo >= 0) & (cm.ngo_months_left <= 0)):
        ngo_market.set_ngo_contract(model, int(c), -1)
    open_ = np.flatnonzero((cm.ngo < 0) & (cm.in_ngo + cm.idle_ngo > 0))
    if open_.size == 0:
        return
    strict = lv.community("screening_strictness")
    evaluated = lv.community("third_party_evaluation").astype(bool)
    for c in rng.permutation(open_):
        interest = NGO.bid_values(model, int(c))
        s = strict[c]
        bidders = np.flatnonzero((interest > 0) & (ngos.compliance >= s * p["screening_bar"]))
        if bidders.size == 0:
            continue
        noise = p["quality_noise_evaluated"] if evaluated[c] else p["quality_noise_bid"]
        observed = ngos.capability[bidders] * ngos.alignment[bidders] * interest[bidders]
        observed = observed + noise * rng.standard_normal(bidders.size)
        score = (1 - s) * observed + s * ngos.compliance[bidders]
        ngo_market.set_ngo_contract(model, int(c), int(bidders[np.argmax(score)]))
        cm.ngo_months_left[c] = p["contract_months"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"screening_strictness": 0.6, "third_party_evaluation": True},
        {"ngo_max_contracts": 1, "screening_strictness": 0.3},
    ],
)
def test_tenders_decided_together_are_each_decided_in_turn(params):
    """The tender reads every NGO's fit and screening for all open tenders at once, and who
    still has a free place tender by tender: the same winners, draws and contract edges as
    each tender asking every NGO on its own, also where places run out mid-month."""
    one, all_ = (small_model(4, **MEDIUM, channel_ngo_projects=0.5, **params) for _ in range(2))
    for m in (one, all_):
        m.run_for(2)
        m.ngos.alive[1] = False
        m.communities.ngo_months_left[::2] = 1  # half the contracts end this month
    _tender_one_by_one(one)
    ngo_market.tender(all_)
    for field in ("ngo", "ngo_months_left"):
        assert np.array_equal(getattr(one.communities, field), getattr(all_.communities, field))
    assert np.array_equal(one.ngos.contracts, all_.ngos.contracts)
    assert sorted(one.edge_index) == sorted(all_.edge_index)
    assert one.streams["ngo"].random() == all_.streams["ngo"].random()
    assert (one.communities.ngo >= 0).sum() > 0


def test_entry_draws_once_per_empty_slot_and_nothing_without_one():
    """Entry draws one number per empty slot and, for the NGOs that enter, their traits;
    with every slot taken (or no NGO entering) no traits are drawn and the stream is as
    it was."""
    m = small_model(1, ngo_entry_rate=0.5)
    m.step()
    m.ngos.deficit_months[:] = 0
    rng = m.streams["ngo"]
    before = rng.bit_generator.state
    ngo_market.fail_and_enter(m)
    ngo_market.new_ngos(m, np.zeros(0, dtype=np.int64))
    assert rng.bit_generator.state == before
    m.ngos.alive[[0, 2]] = False
    generation = m.ngos.generation.copy()
    ref = np.random.Generator(type(rng.bit_generator)())
    ref.bit_generator.state = before
    entering = np.array([0, 2])[ref.random(2) < 0.5]
    ref.standard_normal(entering.size), ref.standard_normal(entering.size)
    ref.random(entering.size)
    ngo_market.fail_and_enter(m)
    assert rng.bit_generator.state == ref.bit_generator.state
    assert np.flatnonzero(m.ngos.generation != generation).tolist() == entering.tolist()
    assert entering.size == 1
