"""Outcomes: district-wide series and the per-community table, every step (ODD §5 of the
design brief; definitions in docs/ODD.md §8).

`district_outcomes(model)` computes every district series once per step from the model's
arrays; the model's Mesa DataCollector reads them. `CommunityRecorder` appends one row per
community per recorded step, as NumPy columns, and turns them into a tidy DataFrame at the
end. Both read resident state only through `community_sums`: one pass per quantity over the
residents (segment sums), shared by the two collectors within a step; needs come from the
per-community sums the service mechanism already made. No resident array is copied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .residents import HOUR_CATEGORIES, TRUST_TARGETS
from .state import OC_CAPTURED, OC_FUNCTIONING, OC_NONE, OC_STALLED

OUTCOMES: dict[str, str] = {
    "satisfaction_mean": "mean resident satisfaction (0-1)",
    "satisfaction_gini": "Gini of community mean satisfaction across communities",
    "needs_met_daily": "share of daily-service need hours met",
    "needs_met_care": "share of care need hours met",
    "needs_met_legal": "share of legal-aid/counselling need hours met",
    "needs_met_property": "property needs met: mean service quality residents experience",
    "needs_met": "share of all need hours met",
    "needs_met_vulnerable": "share of vulnerable residents' need hours met",
    "needs_met_other": "share of other residents' need hours met",
    "participation_rate": "share of residents participating",
    "volunteer_hours": "matched volunteer hours available next month",
    "election_turnout": "expected share of residents voting in a residents'-committee election",
    "disputes_arising": "disputes arising this month",
    "disputes_mediated": "disputes mediated this month",
    "disputes_escalated": "disputes escalated (petition, lawsuit) this month",
    "mediation_rate": "share of disputes mediated",
    "property_quality": "resident-weighted property-service quality (0-1)",
    "fee_collection": "share of owner households in served compounds paying fees",
    "shirking_share": "share of compounds whose firm shirks",
    "unserved_compounds": "share of compounds without a property firm",
    "oc_formed_share": "share of compounds with an owners' committee (any state)",
    "oc_functioning_share": "share of compounds with a functioning owners' committee",
    "oc_stalled_share": "share of compounds with a stalled owners' committee",
    "oc_captured_share": "share of compounds with a captured owners' committee",
    "firm_turnover": "compounds changing firm this month (re-tender or exit)",
    "firm_turnover_total": "compounds that changed firm since the start",
    "ngos_active": "operating NGOs",
    "ngos_failed_total": "NGOs that failed since the start",
    "ngos_drifted": "operating NGOs whose mission alignment is below drift_threshold",
    "ngo_contracts": "communities with an NGO project contract",
    "budget_allocated": "money devolved to communities this month (yuan)",
    "budget_spent": "money communities turned into services this month (yuan)",
    "budget_services": "spent money that reached services after leakage (yuan)",
    "budget_invested": "money put into capacity building this month (yuan)",
    "budget_idle": "unspent money held by communities (stock, yuan)",
    "budget_lapsed": "idle money lapsing this month (yuan)",
    "budget_wasted": "spent money lost to leakage this month (yuan)",
    "absorption_rate": "share of money available for services that was spent",
    "street_overhead": "street money for kept tasks, platform and evaluation (yuan)",
    "admin_burden_share": "share of RC staff hours taken by tasks and inspections",
    "formalism_share": "share of RC staff hours spent on scored paperwork",
    "coordination_index": "mean coordination index of communities (0-1)",
    "leader_load": "mean workload of community party secretaries (1 = full time)",
    "cadre_load": "mean workload of RC members (1 = full time)",
    "rc_skill": "mean skill of RC staff",
    "assessment_score": "mean assessment score of communities",
    **{f"trust_{k}": f"mean trust in the {k.replace('rc', 'residents committee')}"
       for k in TRUST_TARGETS},
}
"""Every district outcome collected each month, with its meaning."""


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal)."""
    x = np.sort(np.asarray(x, dtype=float))
    n = x.size
    if n == 0 or x.sum() <= 0:
        return 0.0
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))


def _share(num: float, den: float) -> float:
    return float(num / den) if den > 0 else 0.0


def community_sums(model) -> dict[str, np.ndarray]:
    """Per-community sums of resident state at the end of the current step: satisfaction,
    participants, trust (6 × communities, rows in TRUST_TARGETS order), and need hours and
    hours met (communities × 3), all residents and vulnerable ones. Computed once per step
    and shared by `district_outcomes` and `community_snapshot`."""
    f = model.flows
    cached = f.get("_community_sums")
    if cached is not None and cached[0] == model.steps:
        return cached[1]
    res, n = model.residents, model.communities.n
    sums = {
        "satisfaction": res.per_community(res.satisfaction, n),
        "participants": res.per_community(res.participates, n),
        "trust": res.per_community(res.trust.T, n),
    }
    if model.steps > 0 and "delivered_vulnerable" in f:  # made by services this step
        sums["need"], sums["met"] = f["demand"], f["delivered"]
        sums["need_vulnerable"], sums["met_vulnerable"] = f["demand_vulnerable"], f["delivered_vulnerable"]
    else:  # before the first step
        need, met = res.need.T, res.met.T * res.need.T
        sums["need"], sums["met"] = res.per_community(need, n).T, res.per_community(met, n).T
        v = res.vulnerable
        sums["need_vulnerable"] = res.per_community(need * v, n).T
        sums["met_vulnerable"] = res.per_community(met * v, n).T
    f["_community_sums"] = (model.steps, sums)
    return sums


def district_outcomes(model) -> dict[str, float]:
    p, res, cm, cp, ngos, f = (model.p, model.residents, model.communities, model.compounds,
                               model.ngos, model.flows)
    sums = community_sums(model)
    n_res = max(res.n, 1)
    out: dict[str, float] = {}
    out["satisfaction_mean"] = float(sums["satisfaction"].sum() / n_res)
    out["satisfaction_gini"] = gini(sums["satisfaction"] / np.maximum(cm.residents, 1))

    need, met = sums["need"].sum(axis=0), sums["met"].sum(axis=0)
    for k, cat in enumerate(HOUR_CATEGORIES):
        out[f"needs_met_{cat}"] = _share(met[k], need[k])
    out["needs_met_property"] = float((cp.quality * cp.residents).sum() / n_res) if res.n else 0.0
    out["needs_met"] = _share(met.sum(), need.sum())
    need_v, met_v = sums["need_vulnerable"].sum(), sums["met_vulnerable"].sum()
    out["needs_met_vulnerable"] = _share(met_v, need_v)
    out["needs_met_other"] = _share(met.sum() - met_v, need.sum() - need_v)

    out["participation_rate"] = float(sums["participants"].sum() / n_res) if res.n else 0.0
    out["volunteer_hours"] = float(f.get("volunteer_hours", np.zeros(1)).sum())
    # participants vote; each other resident with probability mobilisation × trust in the RC
    rc = TRUST_TARGETS.index("rc")
    trust_participants = float(np.add.reduce(res.trust[:, rc], where=res.participates,
                                             dtype=np.float64))
    mobilised = p["election_mobilisation"] * (sums["trust"][rc].sum() - trust_participants)
    out["election_turnout"] = float((sums["participants"].sum() + mobilised) / n_res)
    out["disputes_arising"] = float(cm.disputes.sum())
    out["disputes_mediated"] = float(cm.mediated.sum())
    out["disputes_escalated"] = float(cm.escalated.sum())
    out["mediation_rate"] = _share(cm.mediated.sum(), cm.disputes.sum())

    served = cp.firm >= 0
    out["property_quality"] = float(np.average(cp.quality, weights=np.maximum(cp.residents, 1)))
    out["fee_collection"] = _share((cp.collection * cp.owners)[served].sum(), cp.owners[served].sum())
    out["shirking_share"] = _share((served & (cp.effort < p["shirk_threshold"])).sum(), cp.n)
    out["unserved_compounds"] = _share((~served).sum(), cp.n)
    out["oc_formed_share"] = _share((cp.oc_state != OC_NONE).sum(), cp.n)
    out["oc_functioning_share"] = _share((cp.oc_state == OC_FUNCTIONING).sum(), cp.n)
    out["oc_stalled_share"] = _share((cp.oc_state == OC_STALLED).sum(), cp.n)
    out["oc_captured_share"] = _share((cp.oc_state == OC_CAPTURED).sum(), cp.n)
    out["firm_turnover"] = float(f.get("firm_turnover", 0))
    out["firm_turnover_total"] = float(model.firms.lost.sum())

    out["ngos_active"] = float(ngos.alive.sum())
    out["ngos_failed_total"] = float(ngos.failed.sum())
    out["ngos_drifted"] = float((ngos.alive & (ngos.alignment < p["drift_threshold"])).sum())
    out["ngo_contracts"] = float((cm.ngo >= 0).sum())

    out["budget_allocated"] = float(cm.inflow.sum())
    out["budget_spent"] = float(cm.spent.sum())
    out["budget_services"] = float(f.get("services_money", np.zeros(1)).sum())
    out["budget_invested"] = float(cm.invested.sum())
    out["budget_idle"] = float((cm.idle_block + cm.idle_grid + cm.idle_ngo).sum())
    out["budget_lapsed"] = float(cm.lapsed.sum())
    out["budget_wasted"] = float(cm.wasted.sum())
    available = cm.inflow.sum() - cm.invested.sum() + f["idle_before"].sum()
    out["absorption_rate"] = _share(cm.spent.sum(), available)
    out["street_overhead"] = float(model.streets.overhead.sum())

    out["admin_burden_share"] = _share(cm.admin_hours.sum(), cm.hours.sum())
    out["formalism_share"] = _share(cm.formalism_hours.sum(), cm.hours.sum())
    out["coordination_index"] = float(cm.coordination.mean())
    out["leader_load"] = float(cm.leader_load.mean())
    out["cadre_load"] = float(f["cadre_load"].mean())
    out["rc_skill"] = float(cm.skill.mean())
    out["assessment_score"] = float(cm.score.mean())
    trust = sums["trust"].sum(axis=1) / n_res
    for k, name in enumerate(TRUST_TARGETS):
        out[f"trust_{name}"] = float(trust[k])
    return out


COMMUNITY_COLUMNS = (
    "street", "residents", "satisfaction", "needs_met", "needs_met_vulnerable",
    "needs_met_daily", "needs_met_care", "needs_met_legal", "participation",
    *(f"trust_{k}" for k in TRUST_TARGETS), "property_quality", "fee_collection",
    "shirking_share", "oc_formed_share", "oc_functioning_share", "oc_captured_share",
    "firm_turnover", "disputes", "mediated", "escalated", "admin_burden_share",
    "formalism_share", "coordination", "leader_load", "cadre_load", "skill", "inflow", "spent",
    "idle", "lapsed", "wasted", "absorption_rate", "score", "one_shoulder", "ngo",
)
"""Columns of the per-community table: the district outcomes that have a per-community
meaning (NGO counts and the Gini are district-level only; `ngo` is the contracted NGO)."""


def community_snapshot(model) -> dict[str, np.ndarray]:
    """One row per community of the current step."""
    cm, cp, f = model.communities, model.compounds, model.flows
    sums = community_sums(model)
    n = cm.n
    pop = np.maximum(cm.residents, 1)
    need_v = sums["need_vulnerable"].sum(axis=1)
    met_v = sums["met_vulnerable"].sum(axis=1)
    comp_pop = np.maximum(np.bincount(cp.community, weights=cp.residents, minlength=n), 1)
    owners = np.bincount(cp.community, weights=cp.owners * (cp.firm >= 0), minlength=n)
    paid = np.bincount(cp.community, weights=cp.collection * cp.owners, minlength=n)
    counts = np.maximum(np.bincount(cp.community, minlength=n), 1)
    trust = sums["trust"]
    need, met = sums["need"], sums["met"]
    by_category = np.where(need > 0, met / np.maximum(need, 1e-12), 1.0)
    changed = f.get("retendered", np.zeros(cp.n, bool)) | f.get("firm_exits", np.zeros(cp.n, bool))
    shirking = (cp.firm >= 0) & (cp.effort < model.p["shirk_threshold"])
    available = cm.inflow - cm.invested + f.get("idle_before", np.zeros(n))

    def share_of_compounds(mask: np.ndarray) -> np.ndarray:
        return np.bincount(cp.community, weights=mask, minlength=n) / counts

    return {
        "street": cm.street,
        "residents": cm.residents,
        "satisfaction": sums["satisfaction"] / pop,
        "needs_met": f["community_needs_met"],
        "needs_met_vulnerable": np.where(need_v > 0, met_v / np.maximum(need_v, 1e-12), 1.0),
        "needs_met_daily": by_category[:, 0],
        "needs_met_care": by_category[:, 1],
        "needs_met_legal": by_category[:, 2],
        "participation": sums["participants"] / pop,
        **{f"trust_{k}": trust[i] / pop for i, k in enumerate(TRUST_TARGETS)},
        "property_quality": np.bincount(cp.community, weights=cp.quality * cp.residents,
                                        minlength=n) / comp_pop,
        "fee_collection": np.where(owners > 0, paid / np.maximum(owners, 1), 0.0),
        "shirking_share": share_of_compounds(shirking),
        "oc_formed_share": share_of_compounds(cp.oc_state != OC_NONE),
        "oc_functioning_share": share_of_compounds(cp.oc_state == OC_FUNCTIONING),
        "oc_captured_share": share_of_compounds(cp.oc_state == OC_CAPTURED),
        "firm_turnover": np.bincount(cp.community, weights=changed, minlength=n),
        "disputes": cm.disputes,
        "mediated": cm.mediated,
        "escalated": cm.escalated,
        "admin_burden_share": cm.admin_hours / np.maximum(cm.hours, 1e-9),
        "formalism_share": cm.formalism_hours / np.maximum(cm.hours, 1e-9),
        "coordination": cm.coordination,
        "leader_load": cm.leader_load,
        "cadre_load": f.get("cadre_load", np.ones(n)),
        "skill": cm.skill,
        "inflow": cm.inflow,
        "spent": cm.spent,
        "idle": cm.idle_block + cm.idle_grid + cm.idle_ngo,
        "lapsed": cm.lapsed,
        "wasted": cm.wasted,
        "absorption_rate": np.where(available > 0, cm.spent / np.maximum(available, 1e-12), 0.0),
        "score": cm.score,
        "one_shoulder": cm.one_shoulder,
        "ngo": cm.ngo,
    }


class CommunityRecorder:
    """Collects `community_snapshot` every `period` steps into a tidy table."""

    def __init__(self, period: int = 1) -> None:
        self.period = max(int(period), 1)
        self._steps: list[int] = []
        self._rows: list[dict[str, np.ndarray]] = []

    def record(self, model) -> None:
        if model.steps % self.period == 0:
            self._steps.append(int(model.steps))
            self._rows.append({k: np.array(v, copy=True) for k, v in community_snapshot(model).items()})

    def frame(self) -> pd.DataFrame:
        """Tidy table: one row per (step, community)."""
        if not self._rows:
            return pd.DataFrame(columns=["step", "community", *COMMUNITY_COLUMNS])
        n = len(self._rows[0]["street"])
        data = {
            "step": np.repeat(self._steps, n),
            "community": np.tile(np.arange(n), len(self._steps)),
        }
        for col in COMMUNITY_COLUMNS:
            data[col] = np.concatenate([row[col] for row in self._rows])
        return pd.DataFrame(data)
