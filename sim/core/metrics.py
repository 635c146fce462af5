"""Outcomes: district-wide series and the per-community and per-compound tables, every step
(ODD §8).

`district_outcomes(model)` computes every district series once per step from the model's
arrays; the model's Mesa DataCollector reads them. `CommunityRecorder` appends one row per
community per recorded step, as NumPy columns, and turns them into a tidy DataFrame at the
end; `CompoundRecorder` does the same per compound, with its type and attributes, from the
compounds' state arrays. The district series and the community table read resident state
only through `community_sums`: one pass per quantity over the
residents (segment sums), shared by the two collectors within a step; needs come from the
per-community sums the service mechanism already made. Realised cross-appointment is read
off the seats every month (people.realised_shares): it is measured, never a lever's value.
"""

from __future__ import annotations

from copy import deepcopy
from functools import partial

import mesa
import numpy as np
import pandas as pd

from . import types as T
from .agents.street_office import StreetOffice
from .mechanisms import elections
from .people import (
    BRANCH_SECRETARY,
    CADRE,
    OC,
    OC_CHAIR,
    SECRETARY,
    realised_shares,
    seats_per_person,
)
from .residents import HOUR_CATEGORIES, TRUST_TARGETS
from .state import (
    OC_CAPTURED,
    OC_CONVENED,
    OC_DORMANT,
    OC_ELECTED,
    OC_FUNCTIONING,
    OC_KINDS,
    OC_NONE,
    OC_STATES,
)

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
    "election_turnout": "expected share of adults who would vote in person in a residents'-"
    "committee election this month (mobilisation, availability, household rule)",
    "round_turnout": "adults who voted in person at the last election round (share)",
    "round_turnout_official": "turnout of the last round as officially counted (share of "
    "adults; under the household rule every adult of a voting household)",
    **{
        f"round_turnout_{g}": f"turnout of the last round among {g.replace('_', ' ')}"
        for g in elections.TURNOUT_GROUPS
    },
    "round_contested_share": "share of seats contested at the last election round",
    "round_nominee_wins": "share of the party's nominees elected at the last round",
    "round_nominee_defeats": "share of contested seats the party's nominee lost at the last round",
    "round_secretaries_nominated": "share of communities whose party secretary stood for "
    "director at the last round",
    "round_nominations_declined": "nominations declined per community at the last round "
    "(a secretary or member unwilling to take the load)",
    "cadres_sent": "cadres streets sent to communities to stand for director this month",
    "disputes_arising": "disputes arising this month",
    "disputes_mediated": "disputes mediated this month",
    "disputes_escalated": "disputes escalated (petition, lawsuit) this month",
    "mediation_rate": "share of disputes mediated",
    "property_quality": "resident-weighted property-service quality (0-1)",
    "fee_collection": "share of owner households in firm-served compounds paying fees",
    "shirking_share": "share of firm-served compounds where the firm shirks",
    "unserved_compounds": "share of compounds without a property firm",
    "unmanaged_compounds": "share of compounds that no one manages",
    "renovations_done_total": "old compounds renovated since the start",
    "oc_formed_share": "share of compounds with an elected owners' committee (any state)",
    "oc_coverage_share": "share of compounds with an owners' committee or a committee the "
    "street convened",
    "oc_convened_share": "share of compounds with a committee the street convened",
    "oc_functioning_share": "share of compounds whose committee (elected or convened) acted "
    "within the last oc_dormancy_months",
    "oc_elected_functioning_share": "share of compounds with a functioning elected owners' "
    "committee",
    "oc_convened_functioning_share": "share of compounds with a functioning convened committee",
    "oc_dormant_share": "share of compounds whose committee has not acted for "
    "oc_dormancy_months (formed, not functioning)",
    "oc_captured_share": "share of compounds whose committee's members mostly answer to the firm",
    "oc_member_effort": "mean effort of the members of sitting committees (share of their "
    "seats' hours)",
    "oc_lapsed_12m": "compounds whose elected committee lapsed in the last 12 months",
    "oc_lapsed_total": "elected committees that lapsed since the start (failed re-elections)",
    "oc_revived_12m": "compounds that elected a committee again in the last 12 months after "
    "one had lapsed",
    "oc_convened_12m": "committees the streets convened in the last 12 months",
    "branch_coverage": "share of compounds with a party branch of their own",
    "street_owners_hours": "street staff hours given to owners' organisations this month "
    "(convening, guidance, backing, re-election drives)",
    "oc_independence": "mean independence of formed owners' committees' check on their firm",
    "firm_turnover": "compounds changing firm this month (re-tender or exit)",
    "firm_turnover_total": "compounds that changed firm since the start",
    "ngos_active": "operating NGOs",
    "ngos_failed_total": "NGOs that failed since the start",
    "ngos_drifted": "operating NGOs whose mission alignment is below drift_threshold",
    "ngo_contracts": "communities with an NGO project contract",
    "ngo_hours_share": "share of service hours supplied by NGOs",
    "volunteer_hours_share": "share of service hours supplied by matched volunteers",
    "budget_allocated": "money devolved to communities this month (yuan)",
    "budget_spent": "money communities turned into services this month (yuan)",
    "budget_services": "spent money that reached services after leakage (yuan)",
    "budget_invested": "money put into capacity building this month (yuan)",
    "budget_idle": "unspent money held by communities (stock, yuan)",
    "budget_lapsed": "idle money lapsing this month (yuan)",
    "budget_wasted": "spent money lost to leakage this month (yuan)",
    "absorption_rate": "share of money available for services that was spent",
    "street_overhead": "street money for kept tasks, platform and evaluation (yuan)",
    "tasks_refused_share": "share of pushed task hours residents' committees refused",
    "admin_burden_share": "share of RC staff hours taken by tasks, inspections, mirrored "
    "offices and ledgers",
    "tasks_pushed_per_1000": "task hours pushed down to residents' committees a month per "
    "1,000 residents (re-issued list items included)",
    "tasks_relabelled_share": "share of the task hours pushed down that streets re-issued as "
    "list items after committees refused them",
    "task_hours_share": "share of RC staff hours spent on accepted tasks",
    "ledger_hours_share": "share of RC staff hours spent on ledgers kept for the list and its "
    "refusals",
    "formalism_share": "share of RC staff hours spent on scored paperwork",
    "service_share": "share of RC staff hours serving residents directly",
    "coordination_index": "mean coordination of party committee and RC (0-1)",
    "mediation_coordination": "mean coordination of mediators with disputing parties (0-1)",
    "party_oversight": "mean independence of party committees' check on their RC (0-1)",
    "convened_ties": "standing joint RC-OC-firm ties the party organisations keep",
    "one_shoulder_share": "share of communities whose secretary is also RC director (realised)",
    "overlap_share": "share of RC seats held by party-committee members (realised)",
    "secretary_chairs_oc_share": "share of formed OCs in compounds with a branch chaired by "
    "the branch secretary (realised)",
    "member_on_oc_share": "share of formed OCs with a 'two committees' member (realised)",
    "multi_seat_people": "office-holders holding two or more seats",
    "seats_per_leader": "mean seats per office-holder",
    "leader_load": "mean workload of community party secretaries (1 = full time)",
    "leader_load_max": "highest workload of any office-holder (1 = full time)",
    "office_load": "mean workload of office-holders (1 = full time)",
    "vacancies": "vacant seats in party committees, RCs and formed OCs",
    "dept_tasks_pushed": "task hours the line departments pushed to streets this month",
    "dept_duties_pushed": "of those, the departments' own duties (not the streets' functions)",
    "dept_tasks_refused": "departments' task hours streets refused under access lists",
    "dept_push_intensity": "mean share of their own duties departments push down (0-1)",
    "summons": "problems streets summoned departments to this month",
    "summons_answered_share": "share of summons the departments answered within the month",
    "response_time": "mean months a department takes to answer a summons (1/responsiveness)",
    "dept_rating": "mean rating streets give departments (0-1)",
    "mirror_hours": "RC hours a month per community on departments' mirrored offices",
    "cadre_changes": "secretaries and directors the street replaced or promoted this month",
    "promotions": "secretaries promoted out of their community this month",
    "selection_top_rated_share": "share of the secretaries the streets appointed during the run "
    "who were the candidate residents rated highest",
    "selection_rank_correlation": "mean rank correlation of the streets' ranking of candidates "
    "with residents' own, over appointments during the run",
    "appointee_service_hours": "RC hours serving residents per 1,000 residents a month in "
    "communities led by a secretary the street appointed during the run",
    "rc_skill": "mean skill of RC staff",
    "assessment_score": "mean assessment score of communities",
    **{
        f"trust_{k}": f"mean trust in the {k.replace('rc', 'residents committee')}"
        for k in TRUST_TARGETS
    },
}
"""Every district outcome collected each month, with its meaning."""

DECIDED_BY: dict[str, str] = {
    "coordination_index": "the party committee's convening of standing joint ties "
    "(PartyCommittee.convene), bounded by its secretary's spare hours, "
    "and shared people on the governance network (coordination paths)",
    "leader_load": "who holds which seats: the party's nominations "
    "(PartyCommittee.nominate_director, nominate_member) and the residents' "
    "votes (mechanisms.elections)",
    "budget_wasted": "the party committee's check on the RC's spending, weaker when the same "
    "person sits on both (mechanisms.coordination.checks, "
    "mechanisms.devolution)",
    "oc_independence": "owners' committees' members drifting toward the firm "
    "(OwnersCommittee.drift_to_firm) and cadres standing for their seats "
    "(PartyBranch.stands_for_chair)",
    "participation_rate": "residents' choices to take part, whose efficacy cross-appointment "
    "crowds out (mechanisms.resident_participation)",
    "volunteer_hours": "volunteer matching, which needs the party organisation and the RC to "
    "work together (mechanisms.resident_participation)",
    "mediation_rate": "the RC's split of its hours (ResidentsCommittee.best_response) after "
    "reconciling its work with the party committee (friction hours)",
    "needs_met": "every service supplier's hours against residents' needs (mechanisms.services)",
}
"""For outcomes that carry a policy's effect: the decisions (agent methods) and mechanisms
that set them, named in reports that explain an effect through its channels."""


def read_outcome(model, name: str) -> float:
    """Model reporter: one outcome computed once this step by `district_outcomes`."""
    return model.outcomes.get(name, float("nan"))


class OutcomeCollector(mesa.DataCollector):
    """Mesa's DataCollector with one model reporter per district outcome (`read_outcome`).
    Each step it appends every outcome of `model.outcomes` (NaN where absent) to its series
    in one loop: what Mesa's `collect` appends after calling each reporter and copying its
    value (a float, which the copy leaves as it is). Reporters of any other kind, or added
    after construction, are collected by Mesa's own `collect`."""

    def __init__(self, names: tuple[str, ...] | list[str]) -> None:
        super().__init__(model_reporters={k: partial(read_outcome, name=k) for k in names})
        self._names = tuple(names)
        self._outcomes_only = True

    def _new_model_reporter(self, name, reporter) -> None:
        self._outcomes_only = False  # set again at the end of __init__
        super()._new_model_reporter(name, reporter)

    def collect(self, model) -> None:
        """Append this step's outcomes to their series (as Mesa's `collect`)."""
        if not (self._outcomes_only and self._validated) or (
            self.agent_reporters or self.agenttype_reporters
        ):
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        series, outcomes, nan = self.model_vars, model.outcomes, float("nan")
        for name in self._names:
            value = outcomes.get(name, nan)
            series[name].append(value if type(value) is float else deepcopy(value))


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal)."""
    x = np.sort(np.asarray(x, dtype=float))
    n = x.size
    if n == 0 or x.sum() <= 0:
        return 0.0
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))


def _share(num: float, den: float) -> float:
    return float(num / den) if den > 0 else 0.0


def _nanshare(num: float, den: float) -> float:
    return float(num / den) if den > 0 else float("nan")


def community_sums(model) -> dict[str, np.ndarray]:
    """Per-community sums of resident state at the end of the current step: satisfaction,
    participants, trust (6 × communities, rows in TRUST_TARGETS order), and need hours and
    hours met (communities × 3), all residents and vulnerable ones. Computed once per step
    and shared by `district_outcomes` and `community_snapshot`."""

    def make() -> dict[str, np.ndarray]:
        res, cm = model.residents, model.communities
        n = cm.n
        sums = {
            "satisfaction": res.per_community(res.satisfaction, n),
            "trust": res.per_community(res.trust.T, n),
        }
        if model.steps > 0:  # made by participation and services this step
            # participants are whole numbers: the participation step's count is exact
            sums["participants"] = cm.participants
            sums["need"], sums["met"] = cm.demand, cm.delivered
            sums["need_vulnerable"], sums["met_vulnerable"] = (
                cm.demand_vulnerable,
                cm.delivered_vulnerable,
            )
        else:  # before the first step
            sums["participants"] = res.per_community(res.participates, n)
            need, met = res.need.T, res.met.T * res.need.T
            sums["need"], sums["met"] = res.per_community(need, n).T, res.per_community(met, n).T
            v = res.vulnerable
            sums["need_vulnerable"] = res.per_community(need * v, n).T
            sums["met_vulnerable"] = res.per_community(met * v, n).T
        return sums

    return model.cache_month("community_sums", make)


def measure_cross_appointment(model) -> None:
    """Cross-appointment intensity around each compound (`compounds.xa_intensity`), read off
    the seats: the mean of 一肩挑, the RC overlap share, a cadre chairing and a cadre sitting
    on its OC."""
    cp, seats, people = model.compounds, model.seats, model.people
    shares = cross_appointment(model)
    formed = cp.oc_state != OC_NONE
    chair = np.full(cp.n, -1, dtype=np.int64)
    chair_seats = seats.of(OC_CHAIR)
    chair[seats.org_index[chair_seats]] = seats.holder[chair_seats]
    branch = np.full(cp.n, -1, dtype=np.int64)
    bs = seats.of(BRANCH_SECRETARY)
    branch[seats.org_index[bs]] = seats.holder[bs]
    chaired = formed & (chair >= 0) & (chair == branch)
    on_oc = (seats.org == OC) & (seats.holder >= 0)
    cadre = people.kind[seats.holder[on_oc]] == CADRE
    member = formed & (np.bincount(seats.org_index[on_oc][cadre], minlength=cp.n) > 0)
    c = cp.community
    cp.xa_intensity = (shares["one_shoulder"][c] + shares["overlap"][c] + chaired + member) / 4


def cross_appointment(model) -> dict[str, np.ndarray]:
    """Realised cross-appointment per community, measured from the seats."""
    cp, cm = model.compounds, model.communities
    return model.cache_month(
        "shares",
        lambda: realised_shares(
            model.seats, cm.n, cp.community, cp.oc_state != OC_NONE, cp.has_branch
        ),
    )


def _totals(rows: dict[str, np.ndarray]) -> dict[str, float]:
    """The sum of each of `rows` (arrays of one length), equal to NumPy's sum of each on its
    own: the rows of one C-ordered matrix of floats summed along its rows (integer counts,
    as floats, add up exactly)."""
    matrix = np.array(list(rows.values()), dtype=float)
    return dict(zip(rows, matrix.sum(axis=1).tolist()))


def _mean(total: float, n: int) -> float:
    """NumPy's mean of `n` values from their sum (NaN for none)."""
    return total / n if n else float("nan")


def _months_within(months: np.ndarray, year: int) -> np.ndarray:
    """Per row of `months` (months of events, −1 for none): the events after month `year`,
    counted as `(months >= 0) & (months > year)` would count them."""
    return np.count_nonzero(months >= 0 if year < 0 else months > year, axis=1)


def _nan_as_zero(values: np.ndarray) -> np.ndarray:
    """`values` with NaN as 0.0: what `np.nansum` sums."""
    return np.where(np.isnan(values), 0.0, values)


def district_outcomes(model) -> dict[str, float]:
    """Every outcome of `OUTCOMES` for the current step, from the model's arrays."""
    p, res, cm, cp, ngos = (
        model.p,
        model.residents,
        model.communities,
        model.compounds,
        model.ngos,
    )
    sums = community_sums(model)
    n_res = max(res.n, 1)
    shares = cross_appointment(model)
    formed = cp.oc_state != OC_NONE
    eligible = formed & cp.has_branch
    chairs = _nan_as_zero(shares["secretary_chairs_oc"] * _count(cp, eligible, cm.n))
    on_oc = _nan_as_zero(shares["member_on_oc"] * _count(cp, formed, cm.n))
    total = _totals(
        {
            "participants": sums["participants"],
            "volunteer_hours": cm.volunteer_hours,
            "disputes": cm.disputes,
            "mediated": cm.mediated,
            "escalated": cm.escalated,
            "supply_hours": cm.supply_hours,
            "ngo_hours": cm.ngo_hours,
            "inflow": cm.inflow,
            "spent": cm.spent,
            "services": cm.spent - cm.wasted,
            "invested": cm.invested,
            "idle": cm.idle_block + cm.idle_grid + cm.idle_ngo,
            "lapsed": cm.lapsed,
            "wasted": cm.wasted,
            "idle_before": cm.idle_before,
            "tasks_pushed": cm.tasks_pushed,
            "tasks_refused": cm.tasks_pushed - cm.tasks_accepted,
            "tasks_relabelled": cm.tasks_relabelled,
            "admin_hours": cm.admin_hours,
            "task_hours": cm.task_hours,
            "ledger_hours": cm.ledger_hours,
            "formalism_hours": cm.formalism_hours,
            "service_hours": cm.service_hours,
            "hours": cm.hours,
            "coordination": cm.coordination,
            "oversight": cm.oversight,
            "one_shoulder": shares["one_shoulder"],
            "overlap": shares["overlap"],
            "chairs": chairs,
            "on_oc": on_oc,
            "skill": cm.skill,
            "score": cm.score,
        }
    )
    out: dict[str, float] = {}
    out["satisfaction_mean"] = float(sums["satisfaction"].sum() / n_res)
    out["satisfaction_gini"] = gini(sums["satisfaction"] / np.maximum(cm.residents, 1))

    need, met = sums["need"].sum(axis=0), sums["met"].sum(axis=0)
    for k, cat in enumerate(HOUR_CATEGORIES):
        out[f"needs_met_{cat}"] = _share(met[k], need[k])
    out["needs_met_property"] = float((cp.quality * cp.residents).sum() / n_res) if res.n else 0.0
    need_all, met_all = need.sum(), met.sum()
    out["needs_met"] = _share(met_all, need_all)
    need_v, met_v = sums["need_vulnerable"].sum(), sums["met_vulnerable"].sum()
    out["needs_met_vulnerable"] = _share(met_v, need_v)
    out["needs_met_other"] = _share(met_all - met_v, need_all - need_v)

    out["participation_rate"] = total["participants"] / n_res if res.n else 0.0
    out["volunteer_hours"] = total["volunteer_hours"]
    turnout, _, _ = elections.expected_turnout(model)
    adults = np.maximum(res.adults_per_community, 1)
    out["election_turnout"] = float((turnout * adults).sum() / adults.sum())  # np.average
    mo = model.month
    last = model.last_round
    out["round_turnout"] = last.get("turnout", float("nan"))
    out["round_turnout_official"] = last.get("turnout_official", float("nan"))
    for g in elections.TURNOUT_GROUPS:
        out[f"round_turnout_{g}"] = last.get(f"turnout_{g}", float("nan"))
    out["round_contested_share"] = last.get("contested", float("nan"))
    out["round_nominee_wins"] = last.get("wins", float("nan"))
    out["round_nominee_defeats"] = last.get("defeats", float("nan"))
    out["round_secretaries_nominated"] = last.get("secretaries_nominated", float("nan"))
    out["round_nominations_declined"] = last.get("declined", float("nan"))
    out["cadres_sent"] = float(mo.cadres_sent)
    out["disputes_arising"] = total["disputes"]
    out["disputes_mediated"] = total["mediated"]
    out["disputes_escalated"] = total["escalated"]
    out["mediation_rate"] = _share(total["mediated"], total["disputes"])

    served = cp.firm >= 0
    n_served = np.count_nonzero(served)
    weight = np.maximum(cp.residents, 1)  # np.average's weights, summed as floats
    weighted = (np.array([cp.quality, cp.mediation_coordination]) * weight).sum(axis=1)
    quality, mediation = (weighted / float(weight.sum())).tolist()
    out["property_quality"] = quality
    out["fee_collection"] = _share(
        (cp.collection * cp.owners)[served].sum(), cp.owners[served].sum()
    )
    out["shirking_share"] = _share(
        np.count_nonzero(served & (cp.effort < p["shirk_threshold"])), n_served
    )
    out["unserved_compounds"] = _share(cp.n - n_served, cp.n)
    out["unmanaged_compounds"] = _share(np.count_nonzero(~served & (cp.management == T.NONE)), cp.n)
    out["renovations_done_total"] = float(np.count_nonzero(cp.renovated))
    # compounds by committee kind (rows) and state (columns)
    kinds, states = len(OC_KINDS), len(OC_STATES)
    oc = np.bincount(
        cp.oc_kind.astype(np.intp) * states + cp.oc_state, minlength=kinds * states
    ).reshape(kinds, states)
    by_kind, by_state = oc.sum(axis=1).tolist(), oc.sum(axis=0).tolist()
    n_formed = cp.n - by_state[OC_NONE]
    out["oc_formed_share"] = _share(by_kind[OC_ELECTED], cp.n)
    out["oc_coverage_share"] = _share(n_formed, cp.n)
    out["oc_convened_share"] = _share(by_kind[OC_CONVENED], cp.n)
    out["oc_functioning_share"] = _share(by_state[OC_FUNCTIONING], cp.n)
    out["oc_elected_functioning_share"] = _share(int(oc[OC_ELECTED, OC_FUNCTIONING]), cp.n)
    out["oc_convened_functioning_share"] = _share(int(oc[OC_CONVENED, OC_FUNCTIONING]), cp.n)
    out["oc_dormant_share"] = _share(by_state[OC_DORMANT], cp.n)
    out["oc_captured_share"] = _share(by_state[OC_CAPTURED], cp.n)
    out["oc_member_effort"] = float(cp.oc_effort[formed].mean()) if n_formed else float("nan")
    lapsed, revived, convened = _months_within(
        np.array([cp.oc_lapsed_month, cp.oc_revived_month, cp.oc_convened_month]),
        model.steps - 12,
    ).tolist()
    out["oc_lapsed_12m"] = float(lapsed)
    out["oc_lapsed_total"] = float(cp.oc_lapses.sum())
    out["oc_revived_12m"] = float(revived)
    out["oc_convened_12m"] = float(convened)
    out["branch_coverage"] = _share(np.count_nonzero(cp.has_branch), cp.n)
    out["street_owners_hours"] = float(model.streets.owners_hours.sum())
    watched = formed & served
    out["oc_independence"] = (
        float(cp.independence[watched].mean()) if watched.any() else float("nan")
    )
    out["firm_turnover"] = float(mo.retendered + mo.firm_exits)
    out["firm_turnover_total"] = float(model.firms.lost.sum())

    out["ngos_active"] = float(np.count_nonzero(ngos.alive))
    out["ngos_failed_total"] = float(ngos.failed.sum())
    out["ngos_drifted"] = float(
        np.count_nonzero(ngos.alive & (ngos.alignment < p["drift_threshold"]))
    )
    out["ngo_contracts"] = float(np.count_nonzero(cm.ngo >= 0))
    supply = total["supply_hours"]
    out["ngo_hours_share"] = _share(total["ngo_hours"], supply)
    out["volunteer_hours_share"] = _share(total["volunteer_hours"], supply)

    out["budget_allocated"] = total["inflow"]
    out["budget_spent"] = total["spent"]
    out["budget_services"] = total["services"]
    out["budget_invested"] = total["invested"]
    out["budget_idle"] = total["idle"]
    out["budget_lapsed"] = total["lapsed"]
    out["budget_wasted"] = total["wasted"]
    available = total["inflow"] - total["invested"] + total["idle_before"]
    out["absorption_rate"] = _share(total["spent"], available)
    out["street_overhead"] = float(model.streets.overhead.sum())

    pushed, hours = total["tasks_pushed"], total["hours"]
    out["tasks_refused_share"] = _share(total["tasks_refused"], pushed)
    out["admin_burden_share"] = _share(total["admin_hours"], hours)
    out["tasks_pushed_per_1000"] = pushed / max(res.n, 1) * 1000
    out["tasks_relabelled_share"] = _share(total["tasks_relabelled"], pushed)
    out["task_hours_share"] = _share(total["task_hours"], hours)
    out["ledger_hours_share"] = _share(total["ledger_hours"], hours)
    out["formalism_share"] = _share(total["formalism_hours"], hours)
    out["service_share"] = _share(total["service_hours"], hours)
    out["coordination_index"] = _mean(total["coordination"], cm.n)
    out["mediation_coordination"] = mediation
    out["party_oversight"] = _mean(total["oversight"], cm.n)
    out["convened_ties"] = float(np.count_nonzero(cp.convened))

    out["one_shoulder_share"] = _mean(total["one_shoulder"], cm.n)
    out["overlap_share"] = _mean(total["overlap"], cm.n)
    out["secretary_chairs_oc_share"] = _nanshare(total["chairs"], np.count_nonzero(eligible))
    out["member_on_oc_share"] = _nanshare(total["on_oc"], n_formed)
    people, seats = model.people, model.seats
    per = seats_per_person(seats, people.n)
    holding = per > 0
    n_holding = np.count_nonzero(holding)
    out["multi_seat_people"] = float(np.count_nonzero(per >= 2))
    # the mean of whole numbers: their sum over their count, both exact
    out["seats_per_leader"] = int(per.sum()) / n_holding if n_holding else 0.0
    sec = model.holders_of_role(SECRETARY)
    in_office = sec >= 0
    out["leader_load"] = float(people.load[sec[in_office]].mean()) if in_office.any() else 0.0
    load = people.load[: people.n][holding]
    out["leader_load_max"] = float(load.max()) if n_holding else 0.0
    out["office_load"] = float(load.mean()) if n_holding else 0.0
    out["vacancies"] = float(model.vacant_seats())
    dp, st = model.departments, model.streets
    duties = float(dp.off_list.sum())
    out["dept_tasks_pushed"] = float(dp.on_list.sum() + duties)
    out["dept_duties_pushed"] = duties
    out["dept_tasks_refused"] = float(dp.refused.sum())
    out["dept_push_intensity"] = float(dp.push_intensity.mean()) if dp.n else float("nan")
    out["summons"] = float(st.summons.sum())
    out["summons_answered_share"] = _nanshare(float(dp.answered.sum()), float(dp.summons.sum()))
    out["response_time"] = (
        float(np.mean(1.0 / np.maximum(dp.responsiveness, 1e-3))) if dp.n else float("nan")
    )
    out["dept_rating"] = float(dp.rating.mean()) if dp.n else float("nan")
    out["mirror_hours"] = float(np.mean(mirror_hours(model)))
    out["cadre_changes"] = float(mo.cadre_changes)
    out["promotions"] = float(mo.promotions)
    out["selection_top_rated_share"] = model.selections.top_rated_share()
    out["selection_rank_correlation"] = model.selections.rank_correlation()
    appointed = np.flatnonzero(in_office & (people.appointed_month[np.maximum(sec, 0)] >= 0))
    out["appointee_service_hours"] = (
        float(np.mean(cm.service_hours[appointed] / np.maximum(cm.residents[appointed], 1))) * 1000
        if appointed.size
        else float("nan")
    )
    out["rc_skill"] = _mean(total["skill"], cm.n)
    out["assessment_score"] = _mean(total["score"], cm.n)
    trust = (sums["trust"].sum(axis=1) / n_res).tolist()
    for k, name in enumerate(TRUST_TARGETS):
        out[f"trust_{name}"] = trust[k]
    return out


def mirror_hours(model) -> np.ndarray:
    """Per street: RC hours a month per community on departments' mirrored offices as the
    month ends (`StreetOffice.mirror_hours_all`), computed once for the district series and
    the street table."""
    return model.cache_month("mirror_hours_read", lambda: StreetOffice.mirror_hours_all(model))


def _count(cp, mask: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(cp.community, weights=mask, minlength=n)


COMMUNITY_COLUMNS = (
    "street",
    "community_type",
    "residents",
    "satisfaction",
    "needs_met",
    "needs_met_vulnerable",
    "needs_met_daily",
    "needs_met_care",
    "needs_met_legal",
    "participation",
    *(f"trust_{k}" for k in TRUST_TARGETS),
    "property_quality",
    "fee_collection",
    "shirking_share",
    "oc_formed_share",
    "oc_coverage_share",
    "oc_convened_share",
    "oc_functioning_share",
    "oc_dormant_share",
    "oc_captured_share",
    "branch_coverage",
    "firm_turnover",
    "disputes",
    "mediated",
    "escalated",
    "tasks_refused_share",
    "admin_burden_share",
    "formalism_share",
    "service_share",
    "coordination",
    "mediation_coordination",
    "party_oversight",
    "convened_ties",
    "round_turnout",
    "round_contested",
    "round_defeats",
    "one_shoulder",
    "overlap",
    "secretary_chairs_oc",
    "member_on_oc",
    "leader_load",
    "director_performance",
    "skill",
    "inflow",
    "spent",
    "idle",
    "lapsed",
    "wasted",
    "absorption_rate",
    "score",
    "ngo",
)
"""Columns of the per-community table: the district outcomes that have a per-community
meaning (NGO counts and the Gini are district-level only; `ngo` is the contracted NGO)."""


def _counts_per_community(model, rows: list[np.ndarray]) -> np.ndarray:
    """Per row of compound values that are whole numbers (counts, masks), its sum over each
    community's compounds (rows × communities): `np.bincount` of every row at once, exact
    in any order of adding."""
    cp, n = model.compounds, model.communities.n
    k = len(rows)
    hit = model.cache.get("community_bins")
    if hit is None or hit[0] is not cp.community or hit[1].size != k * cp.n:
        bins = (cp.community + n * np.arange(k)[:, None]).ravel()
        hit = model.cache["community_bins"] = (cp.community, bins)
    values = np.array(rows, dtype=float).ravel()
    return np.bincount(hit[1], weights=values, minlength=k * n).reshape(k, n)


def community_snapshot(model) -> dict[str, np.ndarray]:
    """One row per community of the current step."""
    cm, cp, people = model.communities, model.compounds, model.people
    sums = community_sums(model)
    n = cm.n
    pop = np.maximum(cm.residents, 1)
    need_v = sums["need_vulnerable"].sum(axis=1)
    met_v = sums["met_vulnerable"].sum(axis=1)
    served = cp.firm >= 0
    state, kind = cp.oc_state, cp.oc_kind
    (
        comp_pop,
        owners,
        counts,
        shirking,
        elected,
        formed,
        convened,
        functioning,
        dormant,
        captured,
        branch,
        turnover,
        ties,
    ) = _counts_per_community(
        model,
        [
            cp.residents,
            cp.owners * served,
            np.ones(cp.n),
            served & (cp.effort < model.p["shirk_threshold"]),
            kind == OC_ELECTED,
            state != OC_NONE,
            kind == OC_CONVENED,
            state == OC_FUNCTIONING,
            state == OC_DORMANT,
            state == OC_CAPTURED,
            cp.has_branch,
            cp.changed_firm,
            cp.convened,
        ],
    )
    comp_pop, counts = np.maximum(comp_pop, 1), np.maximum(counts, 1)
    paid = np.bincount(cp.community, weights=cp.collection * cp.owners, minlength=n)
    trust = sums["trust"]
    need, met = sums["need"], sums["met"]
    by_category = np.where(need > 0, met / np.maximum(need, 1e-12), 1.0)
    available = cm.inflow - cm.invested + cm.idle_before
    shares = cross_appointment(model)
    sec = model.holders_of_role(SECRETARY)
    hours = np.maximum(cm.hours, 1e-9)

    return {
        "street": cm.street,
        "community_type": model.world.community_type,
        "residents": cm.residents,
        "satisfaction": sums["satisfaction"] / pop,
        "needs_met": cm.needs_met,
        "needs_met_vulnerable": np.where(need_v > 0, met_v / np.maximum(need_v, 1e-12), 1.0),
        "needs_met_daily": by_category[:, 0],
        "needs_met_care": by_category[:, 1],
        "needs_met_legal": by_category[:, 2],
        "participation": sums["participants"] / pop,
        **{f"trust_{k}": trust[i] / pop for i, k in enumerate(TRUST_TARGETS)},
        "property_quality": np.bincount(
            cp.community, weights=cp.quality * cp.residents, minlength=n
        )
        / comp_pop,
        "fee_collection": np.where(owners > 0, paid / np.maximum(owners, 1), 0.0),
        "shirking_share": shirking / counts,
        "oc_formed_share": elected / counts,
        "oc_coverage_share": formed / counts,
        "oc_convened_share": convened / counts,
        "oc_functioning_share": functioning / counts,
        "oc_dormant_share": dormant / counts,
        "oc_captured_share": captured / counts,
        "branch_coverage": branch / counts,
        "firm_turnover": turnover,
        "disputes": cm.disputes,
        "mediated": cm.mediated,
        "escalated": cm.escalated,
        "tasks_refused_share": np.where(
            cm.tasks_pushed > 0, 1 - cm.tasks_accepted / np.maximum(cm.tasks_pushed, 1e-9), 0.0
        ),
        "admin_burden_share": cm.admin_hours / hours,
        "formalism_share": cm.formalism_hours / hours,
        "service_share": cm.service_hours / hours,
        "coordination": cm.coordination,
        "mediation_coordination": np.bincount(
            cp.community, weights=cp.mediation_coordination * cp.residents, minlength=n
        )
        / comp_pop,
        "party_oversight": cm.oversight,
        "convened_ties": ties,
        "round_turnout": cm.round_turnout,
        "round_contested": cm.round_contested,
        "round_defeats": cm.round_defeats,
        "one_shoulder": shares["one_shoulder"],
        "overlap": shares["overlap"],
        "secretary_chairs_oc": shares["secretary_chairs_oc"],
        "member_on_oc": shares["member_on_oc"],
        "leader_load": np.where(sec >= 0, people.load[np.maximum(sec, 0)], np.nan),
        "director_performance": cm.director_performance,
        "skill": cm.skill,
        "inflow": cm.inflow,
        "spent": cm.spent,
        "idle": cm.idle_block + cm.idle_grid + cm.idle_ngo,
        "lapsed": cm.lapsed,
        "wasted": cm.wasted,
        "absorption_rate": np.where(available > 0, cm.spent / np.maximum(available, 1e-12), 0.0),
        "score": cm.score,
        "ngo": cm.ngo,
    }


STREET_COLUMNS = (
    "residents",
    "tasks_received",
    "tasks_refused",
    "tasks_pushed_down",
    "own_capacity",
    "summons",
    "summons_answered_share",
    "dept_rating_given",
    "mirror_hours",
    "cadre_changes",
    "promotions",
    "owners_hours",
    "budget",
    "devolved",
)
"""Columns of the per-street table (one row per street and recorded month)."""

DEPARTMENT_COLUMNS = (
    "tasks_pushed",
    "duties_pushed",
    "duties_refused",
    "push_intensity",
    "responsiveness",
    "response_time",
    "summons",
    "summons_answered",
    "rating",
    "mirrors",
)
"""Columns of the per-department table (one row per department and recorded month)."""


def street_snapshot(model) -> dict[str, np.ndarray]:
    """One row per street of the current step."""
    st, dp = model.streets, model.departments
    rated = dp.ratings.sum(axis=0) / max(dp.n, 1)
    return {
        "residents": st.residents,
        "tasks_received": st.task_hours,
        "tasks_refused": dp.refused.sum(axis=0),
        "tasks_pushed_down": st.pushed_hours,
        "own_capacity": st.own_capacity,
        "summons": st.summons,
        "summons_answered_share": np.where(st.summons > 0, st.answered_share, np.nan),
        "dept_rating_given": rated,
        "mirror_hours": mirror_hours(model),
        "cadre_changes": st.cadre_changes,
        "promotions": st.promotions,
        "owners_hours": st.owners_hours,
        "budget": st.budget,
        "devolved": st.devolved,
    }


def department_snapshot(model) -> dict[str, np.ndarray]:
    """One row per department of the current step."""
    dp = model.departments
    return {
        "tasks_pushed": dp.on_list.sum(axis=1) + dp.off_list.sum(axis=1),
        "duties_pushed": dp.off_list.sum(axis=1),
        "duties_refused": dp.refused.sum(axis=1),
        "push_intensity": dp.push_intensity,
        "responsiveness": dp.responsiveness,
        "response_time": 1.0 / np.maximum(dp.responsiveness, 1e-3),
        "summons": dp.summons.sum(axis=1),
        "summons_answered": dp.answered.sum(axis=1),
        "rating": dp.rating,
        "mirrors": dp.mirrors,
    }


def _kept(value: np.ndarray, last: np.ndarray | None) -> np.ndarray:
    """A copy of this month's column, or last recorded month's array when the two are the
    same bit for bit (most columns of the long tables — types, sizes, build years — do not
    change, and a city's monthly copies of them would fill the memory)."""
    value = np.asarray(value)
    if (
        last is not None
        and last.dtype == value.dtype
        and last.shape == value.shape
        and value.dtype.kind in "biuf"
        and value.tobytes() == last.tobytes()  # bit for bit (NaNs included)
    ):
        return last
    return np.array(value, copy=True)


class TableRecorder:
    """Collects a snapshot function's rows every `period` steps into a tidy table."""

    def __init__(
        self,
        snapshot,
        columns: tuple[str, ...],
        key: str,
        period: int = 1,
        names: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.snapshot, self.columns, self.key = snapshot, columns, key
        self.names = names or {}  # columns recorded as codes, and the names they stand for
        self.period = max(int(period), 1)
        self._steps: list[int] = []
        self._rows: list[dict[str, np.ndarray]] = []

    def record(self, model) -> None:
        if model.steps % self.period == 0:
            self._steps.append(int(model.steps))
            last = self._rows[-1] if self._rows else {}
            self._rows.append({k: _kept(v, last.get(k)) for k, v in self.snapshot(model).items()})

    def nbytes(self) -> int:
        """Bytes of the recorded months' arrays, each counted once however many months keep
        it (a column unchanged since the last recorded month is kept once)."""
        arrays = {id(a): a for row in self._rows for a in row.values()}
        return int(sum(a.nbytes for a in arrays.values()))

    def frame(self) -> pd.DataFrame:
        """Tidy table: one row per (step, unit)."""
        if not self._rows:
            return pd.DataFrame(columns=["step", self.key, *self.columns])
        n = len(next(iter(self._rows[0].values())))
        data = {
            "step": np.repeat(self._steps, n),
            self.key: np.tile(np.arange(n), len(self._steps)),
        }
        for col in self.columns:
            data[col] = np.concatenate([row[col] for row in self._rows])
            if col in self.names:
                data[col] = np.array(self.names[col])[data[col]]
        return pd.DataFrame(data)


class CommunityRecorder(TableRecorder):
    """Collects `community_snapshot` every `period` steps into a tidy table."""

    def __init__(self, period: int = 1) -> None:
        super().__init__(community_snapshot, COMMUNITY_COLUMNS, "community", period)


COMPOUND_COLUMNS = (
    "community",
    "street",
    "compound_type",
    "community_type",
    "management",
    "build_year",
    "fee",
    "households",
    "residents",
    "owners",
    "firm",
    "effort",
    "shirking",
    "quality",
    "base_quality",
    "collection",
    "oc_kind",
    "oc_state",
    "oc_effort",
    "oc_backing",
    "independence",
    "xa_intensity",
    "convened",
    "disputes",
    "mediated",
    "dispute_rate",
    "satisfaction",
    "participation",
    "renovating",
    "renovated",
    "has_branch",
)
"""Columns of the per-compound table: the compound's type and attributes (its management
mode and firm as they are that month), property service, owners' committee, disputes and
residents (meanings in docs/CLI.md)."""


COMPOUND_NAMES = {
    "compound_type": T.COMPOUND_TYPES_ORDER,
    "community_type": T.COMMUNITY_TYPES,
    "management": T.MANAGEMENT_MODES,
    "oc_kind": OC_KINDS,
    "oc_state": OC_STATES,
}
"""Compound columns kept as codes while the run records them (names in the table)."""


def _codes(names: np.ndarray, order: tuple[str, ...]) -> np.ndarray:
    index = {name: i for i, name in enumerate(order)}
    return np.array([index[x] for x in names.tolist()], dtype=np.int8)


def compound_snapshot(model) -> dict[str, np.ndarray]:
    """One row per compound of the current step (the named columns as codes into
    COMPOUND_NAMES)."""
    cp, w = model.compounds, model.world
    types = model.cache.get("compound_type_codes")
    if types is None:  # the types do not change during a run
        types = model.cache["compound_type_codes"] = (
            _codes(w.compound_type, T.COMPOUND_TYPES_ORDER),
            _codes(w.community_type[cp.community], T.COMMUNITY_TYPES),
        )
    return {
        "community": cp.community,
        "street": model.communities.street[cp.community],
        "compound_type": types[0],
        "community_type": types[1],
        "management": cp.management,
        "build_year": cp.build_year,
        "fee": cp.fee,
        "households": cp.households,
        "residents": cp.residents,
        "owners": cp.owners,
        "firm": cp.firm,
        "effort": np.where(cp.firm >= 0, cp.effort, np.nan),
        "shirking": (cp.firm >= 0) & (cp.effort < model.p["shirk_threshold"]),
        "quality": cp.quality,
        "base_quality": cp.base_quality,
        "collection": np.where(cp.firm >= 0, cp.collection, np.nan),
        "oc_kind": cp.oc_kind,
        "oc_state": cp.oc_state,
        "oc_effort": np.where(cp.oc_state != OC_NONE, cp.oc_effort, np.nan),
        "oc_backing": cp.oc_backing,
        "independence": np.where(cp.oc_state != OC_NONE, cp.independence, np.nan),
        "xa_intensity": cp.xa_intensity,
        "convened": cp.convened,
        "disputes": cp.disputes,
        "mediated": cp.mediated,
        "dispute_rate": cp.dispute_rate,
        "satisfaction": cp.satisfaction,
        "participation": cp.participation,
        "renovating": cp.renovation_left > 0,
        "renovated": cp.renovated,
        "has_branch": cp.has_branch,
    }


class CompoundRecorder(TableRecorder):
    """Collects `compound_snapshot` every `period` steps into a tidy table."""

    def __init__(self, period: int = 1) -> None:
        super().__init__(
            compound_snapshot, COMPOUND_COLUMNS, "compound", period, names=COMPOUND_NAMES
        )


MANIPULATION_CHECKS: dict[str, tuple[str, ...]] = {
    "mirror_hours": ("mirror_ban",),
}
"""Outcomes that are, by what they measure, a lever's own manipulation check: they show that
the lever was applied and may be set by it alone. The identity scan
(tests/core/test_identity_scan.py) allows exactly these; every other outcome must follow
from decisions and so vary with the seed."""
