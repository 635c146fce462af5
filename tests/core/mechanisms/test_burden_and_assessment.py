"""Administrative burden (ODD §7.3) and assessment (ODD §7.11)."""

from __future__ import annotations

import numpy as np

from sim.core.mechanisms import assessment, burden
from tests.conftest import small_model
from tests.helpers import effect


def test_tasks_and_inspections_come_first():
    m = small_model(1, admin_task_hours_per_1000=100.0, task_pushdown_share=0.5,
                    inspections_per_month=2.0, inspection_hours=5.0)
    burden.step(m)
    cm = m.communities
    pushed = 0.5 * 100.0 * cm.residents / 1000
    assert np.allclose(cm.admin_hours, np.minimum(cm.hours, pushed + 10.0))
    assert np.isclose(m.streets.kept_task_hours.sum(), pushed.sum())


def test_responsibility_list_caps_pushed_tasks_and_the_street_keeps_the_rest():
    m = small_model(2, responsibility_list=True, responsibility_list_cap=0.2,
                    admin_task_hours_per_1000=1000.0, inspections_per_month=0.0)
    burden.step(m)
    cm = m.communities
    assert np.allclose(cm.admin_hours, 0.2 * cm.hours)
    arriving = 1000.0 * cm.residents.sum() / 1000
    assert np.isclose(m.streets.kept_task_hours.sum(), arriving - 0.2 * cm.hours.sum())


def test_lists_free_committee_hours_for_residents_at_a_cost_to_the_street():
    assert effect("admin_burden_share", {"responsibility_list": True}).high < 0
    assert effect("needs_met", {"responsibility_list": True}).low > 0
    assert effect("street_overhead", {"responsibility_list": True}).low > 0


def test_formalism_follows_the_weight_of_top_down_scoring():
    m = small_model(3, formalism_propensity=0.4, resident_assessment_weight=0.25)
    m.step()
    cm = m.communities
    free = cm.hours - cm.admin_hours - cm.mediation_hours - cm.committee_hours
    assert np.allclose(cm.formalism_hours, 0.4 * 0.75 * free)


def test_score_mixes_top_down_and_residents_evaluation():
    m = small_model(4, resident_assessment_weight=1.0)
    m.step()
    res, cm = m.residents, m.communities
    voters = res.participates & (res.community == 0)
    assert np.isclose(cm.score[0], res.satisfaction[voters].mean(), atol=1e-6)


def test_vocal_bias_lowers_priority_of_vulnerable_residents():
    p = {"vulnerable_priority": 2.0, "vocal_bias": 0.5, "resident_assessment_weight": 0.5}
    assert assessment.vulnerable_priority(p) == 2.0 * (1 - 0.25)


def test_residents_weight_cuts_paperwork_and_raises_needs_met():
    change = {"resident_assessment_weight": 0.8}
    assert effect("formalism_share", change).high < 0
    assert effect("needs_met_other", change).low > 0
