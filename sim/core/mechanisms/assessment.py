"""Assessment: what is measured is what gets done (ODD §7.11).

Splitting hours. After administrative tasks, a residents' committee reserves hours for the
mediations it expects (last month's disputes × `mediation_hours`) and for the professional
committee, then spends `formalism_propensity × (1 − resident_assessment_weight)` of the
rest on scored paperwork (reduced by `evaluation_formalism_cut` when third-party
evaluation measures outcomes instead of paperwork).

Scoring. The street scores each community as
`(1 − w) × top-down + w × residents' evaluation`, w = `resident_assessment_weight`;
top-down = mean of task completion and paperwork relative to the street's best (or, with
third-party evaluation, the measured share of needs met); residents' evaluation = mean
satisfaction of participating residents (those who take part in evaluations). The score
moves block grants through `performance_budget_share`.
"""

from __future__ import annotations

import numpy as np


def split_hours(model) -> None:
    p, cm = model.p, model.communities
    free = np.maximum(cm.hours - cm.admin_hours, 0.0)
    cm.mediation_hours = np.minimum(free, cm.disputes * p["mediation_hours"])
    free = free - cm.mediation_hours
    committee = p["professional_committee_hours"] if p["professional_committee"] else 0.0
    cm.committee_hours = np.minimum(free, committee)
    free = free - cm.committee_hours
    cut = p["evaluation_formalism_cut"] if p["third_party_evaluation"] else 0.0
    share = p["formalism_propensity"] * (1 - p["resident_assessment_weight"]) * (1 - cut)
    cm.formalism_hours = share * free


def vulnerable_priority(p: dict) -> float:
    """Effective priority of vulnerable residents: residents' evaluation comes from those
    who participate, which tilts service toward them (`vocal_bias`)."""
    return p["vulnerable_priority"] * (1 - p["vocal_bias"] * p["resident_assessment_weight"])


def score(model) -> None:
    p, cm, res, f = model.p, model.communities, model.residents, model.flows
    done = f["tasks_done"] / np.maximum(f["tasks_pushed"], 1e-9)
    done = np.where(f["tasks_pushed"] > 0, np.minimum(done, 1.0), 1.0)
    best = np.zeros(model.streets.n)
    np.maximum.at(best, cm.street, cm.formalism_hours)
    paper = cm.formalism_hours / np.maximum(best[cm.street], 1e-9)
    topdown = 0.5 * done + 0.5 * paper
    if p["third_party_evaluation"]:
        topdown = f["community_needs_met"]
    part = res.participates.astype(float)
    voice = res.per_community(part * res.satisfaction, cm.n)
    voters = res.per_community(part, cm.n)
    mean_sat = res.per_community(res.satisfaction.astype(float), cm.n) / np.maximum(
        cm.residents, 1
    )
    evaluation = np.where(voters > 0, voice / np.maximum(voters, 1e-9), mean_sat)
    w = p["resident_assessment_weight"]
    cm.score = (1 - w) * topdown + w * evaluation
