"""Disputes arise from poor service, arrears and committee conflict; are mediated along the
network or escalate (ODD §7.8)."""

from __future__ import annotations

import numpy as np

from sim.core.mechanisms import disputes
from tests.conftest import small_model
from tests.helpers import effect


def test_arrival_rate_follows_quality_and_arrears():
    m = small_model(
        1,
        dispute_base=1.0,
        dispute_quality=10.0,
        dispute_arrears=5.0,
        dispute_oc_conflict=0.0,
        households_per_compound=400.0,
    )
    m.step()
    cp = m.compounds
    cp.quality[:] = 0.5
    cp.collection[:] = 0.8
    cp.detected[:] = False
    served = cp.firm >= 0
    counts = []
    for _ in range(200):
        disputes.step(m)
        counts.append(cp.disputes.sum())
    per_k = cp.residents / 1000
    expected = ((1.0 + 10.0 * 0.5 + 5.0 * 0.2 * served) * per_k).sum()
    assert abs(np.mean(counts) - expected) < 4 * np.sqrt(expected / 200)


def test_perfect_mediation_leaves_nothing_to_escalate():
    m = small_model(2, mediation_base=1.0, mediation_trust_weight=0.0, overload_penalty=0.0)
    m.step()
    m.communities.mediation_hours[:] = 1e9
    m.compounds.mediation_coordination[:] = 1.0
    m.communities.leader_performance[:] = 1.0
    disputes.step(m)
    assert m.communities.escalated.sum() == 0
    assert m.communities.mediated.sum() == m.communities.disputes.sum()


def test_no_escalation_when_escalation_share_is_zero():
    m = small_model(3, escalation_share=0.0, mediation_base=0.0)
    m.run_for(3)
    assert m.communities.escalated.sum() == 0 and m.communities.disputes.sum() > 0


def test_trust_and_coordination_raise_mediation_success():
    many = {"dispute_base": 4.0}
    seeds = range(11, 23)  # mediation outcomes are noisy: 12 paired seeds
    coordination = effect("mediation_rate", {"coord_formal": 0.3, "coord_tie": 0.4}, many, seeds)
    assert coordination.high < 0, coordination
    trust = effect("mediation_rate", {"mediation_trust_weight": 0.0}, base=many, seeds=seeds)
    assert trust.low > 0, trust


def test_a_lawsuit_counts_as_an_escalated_dispute():
    m = small_model(4, escalation_share=0.0)
    m.step()
    disputes.sue_firm(m, 0)
    disputes.step(m)
    c = int(m.compounds.community[0])
    assert m.communities.escalated[c] >= 1
