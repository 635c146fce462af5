"""Parameters: the one schema of every model parameter, and its validation (ODD §7).

Every number that matters in the model is a named parameter here, with its type, default,
allowed range, unit, one-line meaning and source (or stated assumption). docs/ODD.md explains
how each mechanism uses them; `python -m sim params` prints this table and
`python -m sim params --markdown` regenerates docs/PARAMETERS.md from it. Scenario files
(TOML) are read by `sim.core.scenario`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Param",
    "PARAMS",
    "GROUPS",
    "BY_NAME",
    "ScenarioError",
    "defaults",
    "validate",
]


class ScenarioError(ValueError):
    """Bad input: a scenario or parameter value that the schema does not allow."""


@dataclass(frozen=True)
class Param:
    """One model parameter: its name, type, default, allowed range, unit and meaning."""

    name: str
    default: Any
    low: float | None
    high: float | None
    unit: str
    help: str
    group: str
    source: str = "assumption"
    choices: tuple[str, ...] = ()

    @property
    def type(self) -> type:
        return type(self.default)

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.type is bool:
            return "true or false"
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = "an integer" if self.type is int else "a number"
        return f"{kind} in [{_fmt(self.low)}, {_fmt(self.high)}]"

    def check(self, value: Any) -> Any:
        """Return the value coerced to this parameter's type, or raise ValueError."""
        if self.type is bool:
            if not isinstance(value, bool):
                raise ValueError(f"must be {self.allowed()}")
            return value
        if self.type is str:
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                raise ValueError(f"must be {self.allowed()}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"must be {self.allowed()}")
        if self.type is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"must be {self.allowed()}")
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise ValueError(f"must be {self.allowed()}")
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise ValueError(f"must be {self.allowed()}")
        return value


def _fmt(x: float | None) -> str:
    if x is None:
        return "any"
    return f"{x:g}"


GROUPS: dict[str, str] = {
    "structure": "Sizes of the district and its organisations (world builder, ODD §3)",
    "types": "Community and compound types (world builder, ODD §3, §5)",
    "population": "Residents' attributes at initialisation (ODD §3, §6)",
    "needs": "Monthly needs by category (ODD §7.1)",
    "services": "Residents' committee staff and service delivery (ODD §7.2, §7.4)",
    "devolution": "Budget flow, channels and absorptive capacity (ODD §7.2)",
    "burden": "Administrative tasks, responsibility lists, the street's task decision (ODD §7.3)",
    "people": "People in seats: hours, skill, standing, workload (ODD §2, §7.5)",
    "elections": "Elections of residents' and party committees (ODD §7.13)",
    "cross_appointment": "Cross-appointment pushes and their costs (ODD §7.5, §7.13)",
    "coordination": "Coordination along the network, and checks blunted by shared people (ODD §7.5)",
    "property": "Property management: fees, effort, supervision, renovation (ODD §7.6)",
    "owners_committee": "Owners'-committee formation, members and health (ODD §7.7)",
    "disputes": "Disputes, mediation and escalation (ODD §7.8)",
    "ngo": "NGO ecosystem: bidding, capability, failure, drift (ODD §7.9)",
    "participation": "Resident participation as a public-goods game (ODD §7.10)",
    "assessment": "Assessment of communities and residents' committees' response (ODD §7.11)",
    "departments": "District line departments, access lists, summons, upward rating (ODD §7.14)",
    "cadres": "How the street selects, promotes and replaces community cadres (ODD §7.15)",
    "satisfaction": "Satisfaction and trust updating (ODD §7.12)",
}


def _p(name, default, low, high, unit, help, group, source="assumption", choices=()):
    return Param(name, default, low, high, unit, help, group, source, tuple(choices))


CENSUS = "7th National Population Census 2020 (NBS)"
CIVIL_CODE = "Civil Code of the PRC (2020) Art. 278"
ZHENG_ZHONG = "Zheng & Zhong, Sichuan Daily, 9 Jan 2020 (policy lever)"
CLDS = "CLDS 2014 urban community mix (He Xiaxu 2019, 社会 39(2))"

PARAMS: tuple[Param, ...] = (
    # --- structure -----------------------------------------------------------------------------
    _p("n_streets", 10, 1, 2000, "streets", "street offices in the district", "structure"),
    _p("communities_per_street", 10.0, 1, 100, "communities",
       "mean communities per street (1 + Poisson)", "structure",
       "assumption: urban streets typically hold 5-20 communities"),
    _p("compounds_per_community", 5.0, 1, 50, "compounds",
       "mean residential compounds per community (1 + Poisson)", "structure"),
    _p("households_per_compound", 150.0, 5, 5000, "households",
       "mean households per compound (log-normal)", "structure"),
    _p("size_heterogeneity", 0.5, 0.0, 2.0, "log-sd",
       "log-normal sd of compound sizes (0 = all equal)", "structure"),
    _p("household_size", 2.62, 1.0, 6.0, "persons", "mean persons per household", "structure",
       CENSUS + ": 2.62 persons per family household"),
    _p("n_firms", 25, 1, 20000, "firms", "property-management firms in the district",
       "structure"),
    _p("n_ngos", 20, 0, 20000, "NGOs", "NGO slots (social organisations) in the district",
       "structure"),
    _p("compound_party_branch_share", 0.6, 0.0, 1.0, "share",
       "share of compounds with their own party branch", "structure",
       "assumption: 'party branch in the compound' campaigns cover most large compounds"),
    # --- types ---------------------------------------------------------------------------------
    _p("community_mix_old", 0.247, 0.0, 1.0, "weight",
       "share of communities that are unrenovated old quarters (老旧城区)", "types", CLDS),
    _p("community_mix_work_unit", 0.194, 0.0, 1.0, "weight",
       "share of communities that are work-unit communities (单位社区)", "types", CLDS),
    _p("community_mix_commercial", 0.318, 0.0, 1.0, "weight",
       "share of communities of commercial housing (商品房社区)", "types", CLDS),
    _p("community_mix_village", 0.141, 0.0, 1.0, "weight",
       "share of village-to-residence communities (村改居, mostly resettlement housing)",
       "types", CLDS),
    _p("community_mix_mixed", 0.10, 0.0, 1.0, "weight",
       "share of other, mixed communities", "types", CLDS),
    _p("type_purity", 0.7, 0.0, 1.0, "share",
       "chance a compound has its community's typical compound type (else drawn from the "
       "district mix)", "types"),
    # --- population ----------------------------------------------------------------------------
    _p("share_elderly", 0.187, 0.0, 1.0, "share", "residents aged 60+", "population",
       CENSUS + ": 18.7% aged 60+"),
    _p("share_special", 0.03, 0.0, 0.5, "share",
       "residents in special groups (disability, low income, community corrections)",
       "population"),
    _p("owner_share", 0.75, 0.0, 1.0, "share", "households owning their home", "population",
       "assumption: urban home-ownership rates of 70-80% reported in census tabulations"),
    _p("party_member_share", 0.07, 0.0, 0.5, "share", "residents who are party members",
       "population", "about 98 million members in a population of 1.41 billion (2022)"),
    _p("floor_area_mean", 90.0, 10.0, 1000.0, "m²", "mean floor area of a household's home",
       "population", "assumption: typical urban flat; only relative areas matter (quorum)"),
    _p("floor_area_sd", 0.3, 0.0, 2.0, "log-sd", "log-normal spread of floor areas",
       "population"),
    _p("initial_satisfaction", 0.5, 0.0, 1.0, "index", "residents' satisfaction at the start",
       "population", "assumption: neutral start; results are read after a burn-in"),
    _p("initial_trust", 0.5, 0.0, 1.0, "index",
       "residents' trust in each organisation type at the start", "population",
       "assumption: neutral start; results are read after a burn-in"),
    _p("social_degree", 6, 2, 50, "ties", "mean ties per resident in the social graph",
       "population"),
    _p("social_cross_compound_share", 0.1, 0.0, 1.0, "share",
       "share of social ties that leave the resident's compound", "population"),
    # --- needs ---------------------------------------------------------------------------------
    _p("need_daily", 0.18, 0.0, 10.0, "hours/resident/month",
       "mean monthly need for daily services (certificates, information, help)", "needs"),
    _p("need_care", 0.05, 0.0, 10.0, "hours/resident/month",
       "mean monthly need for care services of a non-vulnerable resident", "needs"),
    _p("need_legal", 0.025, 0.0, 10.0, "hours/resident/month",
       "mean monthly need for legal aid, counselling, mediation help", "needs"),
    _p("vulnerable_need_multiplier", 5.0, 1.0, 20.0, "x",
       "care and legal needs of vulnerable residents relative to others", "needs"),
    _p("need_dispersion", 2.0, 0.2, 100.0, "gamma shape",
       "shape of the gamma distribution of monthly needs (higher = less dispersed)", "needs"),
    _p("backlog_carryover", 0.5, 0.0, 1.0, "share/month",
       "share of unmet need carried into the next month", "needs"),
    # --- services ------------------------------------------------------------------------------
    _p("staff_per_1000", 1.8, 0.2, 20.0, "staff/1000 residents",
       "community workers per 1,000 residents", "services",
       "MCA guideline target of 18 community workers per 10,000 urban residents"),
    _p("staff_hours", 168.0, 80.0, 260.0, "hours/month", "working hours per staff member",
       "services", "21 working days x 8 hours"),
    _p("rc_skill_mean", 0.6, 0.05, 1.5, "productivity", "initial mean skill of RC staff",
       "services"),
    _p("rc_skill_sd", 0.2, 0.0, 1.0, "log-sd",
       "log-normal spread of initial skill across communities", "services"),
    _p("skill_max", 1.2, 0.1, 2.0, "productivity", "ceiling of staff skill", "services"),
    _p("skill_decay", 0.01, 0.0, 0.2, "1/month",
       "monthly loss of skill (turnover of community workers)", "services"),
    _p("grid_workers_per_1000", 1.0, 0.0, 10.0, "staff/1000 residents",
       "grid workers under the community party organisation", "services"),
    _p("grid_service_share", 0.3, 0.0, 1.0, "share",
       "share of grid workers' hours that serve residents' needs directly", "services"),
    _p("vulnerable_priority", 1.0, 0.0, 5.0, "weight",
       "extra allocation weight of vulnerable residents' needs", "services"),
    _p("volunteer_hours", 2.0, 0.0, 40.0, "hours/month",
       "hours a participating resident volunteers for community needs per month", "services",
       "CSS 2021: active volunteers give about 22 hours a quarter to all causes (FACTS); "
       "the community-service part is an assumption below that"),
    _p("volunteer_match_base", 0.3, 0.0, 1.0, "share",
       "share of volunteer hours matched to needs without a platform", "services"),
    _p("volunteer_match_platform", 0.36, 0.0, 1.0, "share",
       "share of volunteer hours matched with the city volunteer platform", "services",
       "assumption, reviewed (docs/VALIDATION.md, lever-effect balance): a platform lowers "
       "search costs; no published estimate of its matching gain, so a fifth more than without"),
    # --- devolution ----------------------------------------------------------------------------
    _p("street_budget_per_resident", 8.0, 0.0, 500.0, "yuan/resident/month",
       "service budget each street receives per resident", "devolution"),
    _p("devolution_share", 0.3, 0.0, 1.0, "share",
       "share of the street budget devolved to communities (lever)", "devolution", ZHENG_ZHONG),
    _p("channel_block_grant", 0.6, 0.0, 1.0, "weight",
       "relative weight of block grants to residents' committees (lever)", "devolution"),
    _p("channel_grid_funds", 0.2, 0.0, 1.0, "weight",
       "relative weight of grid funds under the party organisation (lever)", "devolution"),
    _p("channel_ngo_projects", 0.35, 0.0, 1.0, "weight",
       "relative weight of competitive NGO project contracts (lever)", "devolution",
       "Guangzhou bought social-work services for about 770M yuan in 2008-13 (FACTS), about "
       "10 yuan per resident a year; at this weight the default NGO channel carries about 9"),
    _p("capacity_building_share", 0.0, 0.0, 0.8, "share",
       "share of devolved money invested in capacity building (lever)", "devolution"),
    _p("capacity_build_months", 9.0, 1.0, 60.0, "months",
       "mean delay before capacity investment raises skill", "devolution"),
    _p("training_cost", 80000.0, 100.0, 1e6, "yuan/staff/skill unit",
       "cost to raise one staff member's skill by 1.0 (doubling a typical worker's "
       "productivity)", "devolution",
       "assumption, reviewed (docs/VALIDATION.md, lever-effect balance): a year of "
       "professional training and mentoring per 10% gain"),
    _p("cost_per_service_hour", 60.0, 1.0, 1000.0, "yuan/hour",
       "cost of one hour of bought-in community service", "devolution"),
    _p("spend_per_management_hour", 200.0, 10.0, 20000.0, "yuan/hour",
       "money one staff hour of management can deploy (absorptive capacity)", "devolution"),
    _p("management_time_cap", 0.3, 0.0, 1.0, "share",
       "largest share of free staff hours that may go to managing funds", "devolution"),
    _p("idle_lapse_rate", 0.15, 0.0, 1.0, "share/month",
       "share of idle (unspent) money that lapses each month", "devolution"),
    _p("waste_rate", 0.05, 0.0, 0.5, "share", "share of spent money lost to leakage",
       "devolution"),
    _p("evaluation_waste_cut", 0.5, 0.0, 1.0, "share",
       "reduction of leakage when third-party evaluation is on", "devolution"),
    _p("street_service_efficiency", 0.5, 0.0, 1.0, "x",
       "service value of street-run money relative to community-run money", "devolution"),
    _p("performance_budget_share", 0.2, 0.0, 1.0, "share",
       "share of block grants allocated by assessment score", "devolution"),
    _p("absorption_tilt", 0.5, 0.0, 1.0, "share",
       "how far a street moves block grants toward communities that spent last year's",
       "devolution"),
    # --- burden --------------------------------------------------------------------------------
    _p("admin_task_hours_per_1000", 190.0, 0.0, 2000.0, "hours/1000 residents/month",
       "administrative task hours arriving from district departments", "burden",
       "calibrated: tasks and inspections take 60-80% of RC hours (docs/VALIDATION.md)"),
    _p("responsibility_list", False, None, None, "on/off",
       "power/responsibility lists cap unfunded tasks pushed down (lever)", "burden",
       ZHENG_ZHONG),
    _p("responsibility_list_cap", 0.3, 0.0, 1.0, "share of RC hours",
       "cap on pushed-down task hours when the list is on", "burden"),
    _p("street_task_cost", 40.0, 0.0, 1000.0, "yuan/hour",
       "cost to the street of a task hour it keeps", "burden"),
    _p("inspections_per_month", 3.9, 0.0, 20.0, "inspections",
       "top-down inspections per community per month", "burden",
       "calibrated: tasks and inspections take 60-80% of RC hours (docs/VALIDATION.md)"),
    _p("inspection_hours", 12.0, 0.0, 100.0, "hours", "staff hours per inspection", "burden"),
    _p("street_task_capacity_per_1000", 25.0, 0.0, 2000.0,
       "hours/1000 residents/month", "task hours a street office can do with its own staff",
       "burden"),
    _p("off_list_refusal", 0.8, 0.0, 1.0, "share",
       "share of tasks not on the responsibility list a residents' committee refuses",
       "burden"),
    _p("one_shoulder_deference", 0.5, 0.0, 1.0, "share",
       "how much less a committee led by the party secretary refuses off-list tasks (the "
       "secretary answers to the street's party working committee)", "burden"),
    _p("task_skill_elasticity", 0.5, 0.0, 2.0, "elasticity",
       "how much less time a task takes per unit of staff skill", "burden"),
    # --- people --------------------------------------------------------------------------------
    _p("party_committee_seats", 3, 3, 9, "seats",
       "seats on a community party committee, the secretary included", "people",
       "CPC rules on grassroots organisations: branch committees of 3-5, committees of 5-7; "
       "3 for the default communities, a quarter of the national mean size"),
    _p("rc_seats", 3, 3, 9, "seats",
       "elected seats on a residents' committee, the director included", "people",
       "Organic Law of Urban Residents' Committees (2018) Art. 7: 5-9 members; 3 for the "
       "default communities, a quarter of the national mean size"),
    _p("oc_seats", 5, 3, 11, "seats", "seats on an owners' committee, the chair included",
       "people", "Rules for Owners' Assemblies and Owners' Committees (MOHURD 2009): 5-11 members"),
    _p("pmc_seats", 5, 3, 11, "seats",
       "seats on a community property-management committee (when convened)", "people"),
    _p("pmc_professional_seats", 2, 0, 11, "seats",
       "property-management-committee seats appointed from professionals (lawyers, "
       "engineers)", "people", ZHENG_ZHONG),
    _p("leader_hours", 200.0, 80.0, 400.0, "hours/month",
       "mean hours a full-time cadre can give across all seats", "people"),
    _p("leader_hours_sd", 0.15, 0.0, 1.0, "log-sd",
       "spread across people of the hours they can give", "people"),
    _p("volunteer_leader_hours", 40.0, 0.0, 200.0, "hours/month",
       "mean hours a resident volunteer (branch secretary, OC member) can give", "people"),
    _p("professional_hours", 12.0, 0.0, 100.0, "hours/month",
       "hours an appointed professional gives the property-management committee", "people"),
    _p("leader_skill_sd", 0.25, 0.0, 1.0, "log-sd",
       "spread across people of their skill in a seat (mean 1)", "people"),
    _p("professional_skill", 1.5, 0.1, 3.0, "productivity",
       "skill of an appointed professional relative to a typical resident", "people"),
    _p("standing_mean", 0.5, 0.0, 1.0, "index",
       "mean standing with residents of a new candidate (0-1)", "people"),
    _p("standing_sd", 0.15, 0.01, 0.5, "index", "spread of candidates' standing",
       "people"),
    _p("standing_rate", 0.05, 0.0, 1.0, "1/month",
       "speed at which an office-holder's standing follows residents' satisfaction with "
       "their organisation", "people"),
    _p("rc_member_party_share", 0.5, 0.0, 1.0, "share",
       "chance a residents'-committee candidate who is not a party-committee member is a "
       "party member", "people"),
    _p("resign_rate_cadre", 0.003, 0.0, 0.2, "prob/month",
       "chance a cadre at full-time load leaves all seats in a month", "people"),
    _p("resign_rate_volunteer", 0.01, 0.0, 0.2, "prob/month",
       "chance a volunteer at full load leaves all seats in a month", "people"),
    _p("resign_overload", 2.0, 0.0, 20.0, "x per unit overload",
       "rise of the leaving chance per unit of load above full time", "people"),
    _p("seat_hours_secretary", 120.0, 0.0, 300.0, "hours/month",
       "hours the community party secretary seat asks, in a community of reference size",
       "people"),
    _p("seat_hours_director", 120.0, 0.0, 300.0, "hours/month",
       "hours the RC director seat asks, in a community of reference size", "people"),
    _p("seat_size_elasticity", 0.5, 0.0, 1.5, "elasticity",
       "how leading seats' hours grow with the community's residents (relative to 2,000)",
       "people"),
    _p("seat_hours_party_member", 20.0, 0.0, 200.0, "hours/month",
       "hours a party-committee member seat asks", "people"),
    _p("seat_hours_rc_member", 150.0, 0.0, 300.0, "hours/month",
       "hours an RC member seat asks (community work is a full-time job)", "people"),
    _p("seat_hours_branch", 20.0, 0.0, 200.0, "hours/month",
       "hours a compound party-branch secretary seat asks", "people"),
    _p("seat_hours_oc", 25.0, 0.0, 200.0, "hours/month",
       "hours an owners'-committee chair seat asks", "people"),
    _p("seat_hours_oc_member", 10.0, 0.0, 200.0, "hours/month",
       "hours an owners'-committee member seat asks", "people"),
    _p("seat_hours_pmc", 8.0, 0.0, 200.0, "hours/month",
       "hours a property-management-committee seat asks", "people"),
    _p("seat_overlap_saving", 0.2, 0.0, 1.0, "share",
       "share of each further seat's hours saved by joint meetings", "people"),
    _p("overload_penalty", 1.0, 0.0, 10.0, "1/overload",
       "performance loss per unit of load above full time, in every seat", "people"),
    _p("convening_hours", 6.0, 0.0, 100.0, "hours/month",
       "secretary's hours a standing joint-coordination tie (RC, OC and firm of a compound) "
       "asks each month", "people"),
    _p("convening_max_load", 1.25, 0.5, 3.0, "load",
       "load up to which a party secretary takes on standing joint ties", "people"),
    # --- elections -----------------------------------------------------------------------------
    _p("election_term_months", 60, 12, 120, "months",
       "term of residents' and community party committees", "elections",
       "Organic Law of Urban Residents' Committees as amended in 2018: five-year terms"),
    _p("election_first_month", 12, 1, 120, "month",
       "month of the first election round (the 2021 round when a run starts in 2020)",
       "elections"),
    _p("election_schedule", "synchronised", None, None, "choice",
       "one district-wide round per term, or rounds staggered across communities",
       "elections", "the 2021 national round was synchronised", choices=("synchronised", "staggered")),
    _p("election_household_rule", False, None, None, "on/off",
       "elections by household representatives instead of direct election by all residents "
       "(lever)", "elections", "Organic Law Art. 8: either form is lawful"),
    _p("initial_one_shoulder", 0.8, 0.0, 1.0, "share",
       "communities whose secretary is RC director before the first round", "elections",
       "Taiyuan urban communities 79% before a round (FACTS); national figure not verified"),
    _p("initial_overlap", 0.4, 0.0, 1.0, "share",
       "RC seats held by party-committee members before the first round", "elections"),
    _p("initial_cadre_on_oc", 0.1, 0.0, 1.0, "share",
       "initial owners' committees with a cadre (branch secretary as chair, or a 'two "
       "committees' member)", "elections"),
    _p("contest_base", 0.02, 0.0, 1.0, "prob",
       "chance a rival candidate stands against the party's nominee at full trust",
       "elections"),
    _p("contest_distrust", 0.9, 0.0, 2.0, "prob per unit distrust",
       "rise of that chance per unit of residents' distrust in the party organisation",
       "elections"),
    _p("party_bloc", 0.25, 0.0, 1.0, "share",
       "share of voters who follow the party organisation's recommendation in a direct "
       "election", "elections"),
    _p("household_bloc_boost", 0.25, 0.0, 1.0, "share",
       "extra share of votes following the recommendation when household representatives "
       "vote", "elections"),
    _p("vote_trust_weight", 6.0, 0.0, 30.0, "logit per unit",
       "weight of trust in the party organisation in a free voter's choice of its nominee",
       "elections"),
    _p("vote_standing_weight", 4.0, 0.0, 30.0, "logit per unit",
       "weight of the candidates' difference in standing in a free voter's choice",
       "elections"),
    _p("vote_noise", 0.06, 0.001, 0.5, "vote share",
       "sd of the campaign shock to a candidate's vote share", "elections"),
    _p("trust_neutral", 0.45, 0.0, 1.0, "index",
       "trust in the party organisation at which a free voter is indifferent", "elections"),
    _p("cadre_retirement_at_round", 0.2, 0.0, 1.0, "share",
       "party-committee members who step down at a round (age, rotation)", "elections"),
    # --- cross_appointment ---------------------------------------------------------------------
    _p("xa_one_shoulder", 0.98, 0.0, 1.0, "prob",
       "push: chance the party organisation nominates its secretary for RC director at an "
       "election (lever)", "cross_appointment", "2021 round: 'comprehensively promote' "
       "一肩挑 (Organisation Department); the vote decides (ODD §7.13)"),
    _p("xa_two_committee_overlap", 0.5, 0.0, 1.0, "prob",
       "push: chance the party organisation nominates a party-committee member for an RC "
       "member seat at an election (lever)", "cross_appointment", ZHENG_ZHONG),
    _p("xa_secretary_chairs_oc", 0.2, 0.0, 1.0, "prob",
       "push: chance a compound's party-branch secretary stands for OC chair at an owners' "
       "election (lever)", "cross_appointment", ZHENG_ZHONG),
    _p("xa_two_committee_member_on_oc", 0.2, 0.0, 1.0, "prob",
       "push: chance a 'two committees' member stands for an OC seat at an owners' "
       "election (lever)", "cross_appointment", ZHENG_ZHONG),
    _p("initiative_crowding_out", 0.3, 0.0, 1.0, "share",
       "loss of residents' efficacy in participation at full cross-appointment",
       "cross_appointment"),
    _p("party_capture_protection", 0.5, 0.0, 1.0, "share",
       "reduction of OC capture risk with a cadre on the committee", "cross_appointment"),
    # --- coordination --------------------------------------------------------------------------
    _p("coord_base", 0.35, 0.0, 1.0, "index",
       "coordination of two organisations with no tie and no shared person", "coordination"),
    _p("coord_tie", 0.65, 0.0, 1.0, "index",
       "coordination of two organisations with a standing tie", "coordination"),
    _p("coord_formal", 0.6, 0.0, 1.0, "index",
       "coordination carried by a formal relation (hierarchy, contract, a firm's collaboration "
       "with the RC)", "coordination"),
    _p("coord_shared", 0.95, 0.0, 1.0, "index",
       "coordination of two organisations that share a person (x that person's "
       "performance)", "coordination"),
    _p("conflict_direct", 0.6, 0.0, 1.0, "share",
       "loss of a check's strength per supervising seat held by a person who also sits on "
       "the supervised body", "coordination"),
    _p("conflict_ally", 0.3, 0.0, 1.0, "share",
       "loss of a check's strength per supervising seat held by a person who sits on an ally "
       "of the supervised body", "coordination"),
    _p("oversight_waste_cut", 0.6, 0.0, 1.0, "share",
       "share of leakage of RC-managed money prevented by an independent party committee",
       "coordination"),
    _p("friction_hours", 60.0, 0.0, 500.0, "hours/month",
       "RC hours a month spent reconciling two lines of authority (party committee and RC) "
       "when they do not coordinate at all; less as they coordinate", "coordination"),
    _p("volunteer_coordination_share", 0.5, 0.0, 1.0, "share",
       "share of volunteer matching that needs the party organisation (which mobilises "
       "members) and the RC (which knows the needs) to work together", "coordination"),
    _p("convene_threshold", 3.0, 0.0, 50.0, "per 1000 residents/month",
       "disputes a month in a compound above which the party organisation sets up a "
       "standing joint tie", "coordination"),
    _p("convene_memory_months", 6.0, 1.0, 60.0, "months",
       "months over which the party organisation averages a compound's disputes",
       "coordination"),
    # --- property ------------------------------------------------------------------------------
    _p("firm_capability_mean", 0.75, 0.05, 1.0, "quality", "mean firm capability", "property"),
    _p("firm_capability_sd", 0.1, 0.0, 0.5, "quality", "sd of firm capability", "property"),
    _p("effort_cost", 1.0, 0.05, 10.0, "x fee revenue",
       "quadratic cost of effort relative to fee revenue", "property"),
    _p("firm_fee_responsiveness", 0.84, 0.0, 3.0, "share/quality",
       "firms' belief of how much collection rises per unit quality", "property",
       "calibrated: property-fee collection of 85-95% (docs/VALIDATION.md)"),
    _p("effort_adjust_rate", 0.3, 0.0, 1.0, "1/month", "speed of effort adjustment",
       "property"),
    _p("shirk_threshold", 0.55, 0.0, 1.0, "effort",
       "effort below which the firm is shirking (detectable)", "property"),
    _p("firm_break_even_fee", 0.8, 0.0, 10.0, "yuan/m²/month",
       "fees collected per m² below which a firm loses money in a compound", "property",
       "assumption: basic cleaning, security and greenery; old compounds' listed fees of "
       "0.5-0.9 (FACTS) sit near it"),
    _p("detect_base", 0.05, 0.0, 1.0, "prob/month",
       "chance shirking is noticed without any committee (complaints)", "property"),
    _p("detect_oc", 0.5, 0.0, 1.0, "prob/month",
       "chance a functioning, independent OC detects shirking", "property"),
    _p("detect_professional", 0.3, 0.0, 1.0, "prob/month",
       "chance the professional property committee detects shirking", "property"),
    _p("professional_committee", False, None, None, "on/off",
       "community environment & property-management committee with professionals (lever)",
       "property", ZHENG_ZHONG),
    _p("professional_committee_hours", 20.0, 0.0, 200.0, "hours/month",
       "RC hours the professional committee takes per community", "property"),
    _p("sanction_share", 0.15, 0.0, 1.0, "share of monthly fees",
       "penalty when shirking is detected", "property"),
    _p("retender_strikes", 3.0, 1.0, 24.0, "detections",
       "accumulated detections that trigger re-tendering", "property"),
    _p("strike_decay", 0.1, 0.0, 1.0, "1/month", "monthly decay of accumulated strikes",
       "property"),
    _p("contract_value_months", 24.0, 0.0, 120.0, "months",
       "months of fees a firm stands to lose on re-tender", "property"),
    _p("fee_tolerance_mean", 0.15, 0.0, 1.0, "quality",
       "mean service quality below which an owner withholds fees", "property",
       "calibrated: property-fee collection of 85-95% (docs/VALIDATION.md)"),
    _p("fee_tolerance_sd", 0.08, 0.01, 0.5, "quality", "sd of owners' tolerance", "property"),
    _p("quality_noise", 0.1, 0.0, 0.5, "quality", "sd of owners' perception of quality",
       "property"),
    _p("tender_bidders", 3, 1, 50, "firms",
       "firms invited to bid when a compound re-tenders", "property"),
    _p("exit_patience", 6.0, 1.0, 60.0, "months",
       "months of low collection before a firm exits a compound", "property"),
    _p("firm_effort_cost_sd", 0.3, 0.0, 2.0, "log-sd",
       "spread across firms of their cost of effort", "property"),
    _p("record_rate", 0.1, 0.0, 1.0, "1/month",
       "speed at which a firm's record follows its detected shirking", "property"),
    _p("record_weight", 0.5, 0.0, 2.0, "weight",
       "weight of a firm's record against its capability when a committee picks a firm",
       "property"),
    _p("caretaking_quality", 0.35, 0.0, 1.0, "quality",
       "service quality of caretaking by the street or RC (准物业) where no firm serves",
       "property"),
    _p("unmanaged_quality", 0.15, 0.0, 1.0, "quality",
       "service quality where no one manages a compound", "property"),
    _p("building_quality_loss", 0.08, 0.0, 0.3, "quality/decade",
       "loss of the buildings' base quality per decade of age before 2020", "property"),
    _p("caretaking_hours_per_100", 3.0, 0.0, 50.0,
       "hours/100 households/month", "RC hours caretaking a compound without a firm takes",
       "property"),
    _p("self_management_quality", 0.5, 0.0, 1.0, "quality",
       "quality of self-management by a functioning owners' committee", "property"),
    _p("work_unit_quality", 0.45, 0.0, 1.0, "quality",
       "quality of services kept by the work unit in work-unit compounds", "property"),
    _p("renovation_rate", 0.02, 0.0, 0.5, "share/year",
       "share of a street's old compounds it puts forward for renovation each year",
       "property", "about 280,000 renovations 2019-24 of about 219,000 pre-2000 compounds "
       "planned (MOHURD; FACTS)"),
    _p("renovation_months", 12.0, 1.0, 60.0, "months",
       "months a renovation project takes when its organisations are well coordinated",
       "property"),
    _p("renovation_quality_gain", 0.2, 0.0, 1.0, "quality",
       "rise of an old compound's base quality after renovation", "property"),
    # --- owners_committee ----------------------------------------------------------------------
    _p("oc_initial_share", 0.2, 0.0, 1.0, "share",
       "compounds with an owners' committee at the start", "owners_committee",
       "calibration target: 15-25% of compounds in large cities (docs/VALIDATION.md)"),
    _p("oc_attempt_rate", 0.004, 0.0, 0.5, "prob/month",
       "chance owners attempt an assembly in a compound without a committee", "owners_committee",
       "calibrated: owners' committees in 15-25% of compounds, a minority functioning "
       "(docs/VALIDATION.md)"),
    _p("party_led_formation", 0.0, 0.0, 1.0, "intensity",
       "party organisations help convene owners' assemblies (lever)", "owners_committee",
       ZHENG_ZHONG),
    _p("party_attempt_boost", 10.0, 0.0, 50.0, "x",
       "multiplier of assembly attempts at full party-led formation", "owners_committee"),
    _p("party_turnout_boost", 0.25, 0.0, 1.0, "prob",
       "extra turnout probability from party mobilisation at full strength",
       "owners_committee"),
    _p("assembly_turnout_base", 0.61, 0.0, 1.0, "prob",
       "chance an owner takes part in an assembly", "owners_committee",
       "calibrated: owners' committees in 15-25% of compounds, a minority functioning "
       "(docs/VALIDATION.md)"),
    _p("assembly_turnout_sd", 0.25, 0.0, 0.5, "prob",
       "sd across compounds of owners' readiness to take part (cohesion)", "owners_committee",
       "calibrated: owners' committees in 15-25% of compounds, a minority functioning "
       "(docs/VALIDATION.md)"),
    _p("assembly_turnout_participant", 0.35, 0.0, 1.0, "prob",
       "extra turnout chance for residents who participate", "owners_committee"),
    _p("quorum_share", 2 / 3, 0.0, 1.0, "share",
       "owners (by head and by floor area) who must take part", "owners_committee", CIVIL_CODE),
    _p("approval_share", 0.5, 0.0, 1.0, "share",
       "participants (by head and by area) who must agree", "owners_committee", CIVIL_CODE),
    _p("approval_base", 0.5, 0.0, 1.0, "prob",
       "chance a participating owner approves, at average service", "owners_committee"),
    _p("oc_support_participation", 0.3, 0.01, 1.0, "share",
       "participation share at which an OC has full residents' support", "owners_committee"),
    _p("professional_capture_protection", 0.5, 0.0, 1.0, "share",
       "reduction of OC capture risk with a professional committee", "owners_committee"),
    _p("oc_term_months", 60.0, 6.0, 120.0, "months",
       "term of an OC before it must be re-elected", "owners_committee",
       "Civil Code practice: terms of up to five years"),
    _p("oc_quorum_members", 3, 1, 11, "members",
       "active members an owners' committee needs to meet and act", "owners_committee"),
    _p("oc_coopt_rate", 0.15, 0.0, 1.0, "prob/month",
       "chance a vacant OC seat is filled by co-opting an owner, at full residents' support",
       "owners_committee"),
    _p("collusion_rate", 0.004, 0.0, 0.5, "prob/month",
       "chance an OC member comes to answer to the firm, at no independence and full stakes",
       "owners_committee"),
    _p("oc_monitoring_hours", 12.0, 0.0, 200.0, "hours/month",
       "members' hours an OC needs for full monitoring of the firm", "owners_committee"),
    # --- disputes ------------------------------------------------------------------------------
    _p("dispute_base", 0.3, 0.0, 20.0, "per 1000 residents/month",
       "background dispute rate", "disputes"),
    _p("dispute_quality", 3.0, 0.0, 50.0, "per 1000 residents/month",
       "extra disputes per unit shortfall of property-service quality", "disputes"),
    _p("dispute_arrears", 3.0, 0.0, 50.0, "per 1000 residents/month",
       "extra disputes per unit of fee arrears rate", "disputes"),
    _p("dispute_oc_conflict", 1.0, 0.0, 50.0, "per 1000 residents/month",
       "extra disputes where the OC is captured or in conflict with the firm", "disputes"),
    _p("mediation_base", 0.8, 0.0, 1.0, "prob",
       "mediation success at full coordination, performance and trust", "disputes"),
    _p("mediation_trust_weight", 0.5, 0.0, 1.0, "share",
       "share of mediation success that depends on residents' trust in the RC", "disputes"),
    _p("mediation_hours", 6.0, 0.0, 100.0, "hours/dispute", "RC hours a mediation takes",
       "disputes"),
    _p("unresolved_harm_weight", 0.5, 0.0, 1.0, "weight",
       "harm of an unmediated, unescalated dispute relative to an escalated one", "disputes"),
    _p("dispute_harm_scale", 1.0, 0.01, 50.0, "per 1000 residents/month",
       "unresolved-dispute rate at which compound harmony falls to 1/e", "disputes"),
    _p("escalation_share", 0.5, 0.0, 1.0, "share",
       "unmediated disputes that escalate (petition, lawsuit)", "disputes"),
    # --- ngo -----------------------------------------------------------------------------------
    _p("ngo_capability_mean", 0.5, 0.0, 1.0, "quality", "mean initial NGO capability", "ngo"),
    _p("ngo_capability_sd", 0.15, 0.0, 0.5, "quality", "sd of new NGOs' capability", "ngo"),
    _p("ngo_compliance_mean", 0.5, 0.0, 1.0, "score",
       "mean NGO formal compliance (party organisation, management)", "ngo"),
    _p("ngo_compliance_sd", 0.2, 0.0, 0.5, "score", "sd of new NGOs' compliance", "ngo"),
    _p("ngo_quality_compliance_corr", 0.0, -1.0, 1.0, "correlation",
       "correlation of compliance with capability among NGOs", "ngo"),
    _p("ngo_staff_hours", 800.0, 10.0, 20000.0, "hours/month", "delivery capacity of an NGO",
       "ngo"),
    _p("screening_strictness", 0.2, 0.0, 1.0, "weight",
       "weight of compliance in bids and exclusion threshold (lever)", "ngo", ZHENG_ZHONG),
    _p("screening_bar", 0.6, 0.0, 1.0, "compliance",
       "compliance an NGO needs at full screening strictness", "ngo"),
    _p("ngo_max_contracts", 6, 1, 200, "communities",
       "most community contracts one NGO can hold", "ngo"),
    _p("ngo_care_share", 0.6, 0.0, 1.0, "share",
       "share of NGO service hours in care (the rest legal aid, counselling)", "ngo"),
    _p("ngo_overhead_margin", 0.3, 0.0, 1.0, "share",
       "share of project payments that covers the NGO's running costs", "ngo"),
    _p("ngo_initial_reserve_months", 6.0, 0.0, 60.0, "months",
       "reserve of a new NGO, in months of running cost", "ngo"),
    _p("third_party_evaluation", False, None, None, "on/off",
       "independent evaluation of NGO and community performance (lever)", "ngo",
       ZHENG_ZHONG),
    _p("evaluation_cost_share", 0.02, 0.0, 0.2, "share",
       "share of street budget the third-party evaluation costs", "ngo"),
    _p("quality_noise_bid", 0.3, 0.0, 1.0, "sd", "noise in judging NGO quality in bids",
       "ngo"),
    _p("quality_noise_evaluated", 0.1, 0.0, 1.0, "sd",
       "noise in judging NGO quality with third-party evaluation", "ngo"),
    _p("contract_months", 12.0, 1.0, 60.0, "months", "length of an NGO project contract",
       "ngo"),
    _p("ngo_learning_rate", 0.03, 0.0, 0.5, "1/month",
       "capability gain per month of contract work", "ngo"),
    _p("ngo_fixed_cost", 8000.0, 0.0, 1e6, "yuan/month", "running cost of an NGO", "ngo"),
    _p("ngo_private_income", 6000.0, 0.0, 1e6, "yuan/month",
       "mean non-government income of an NGO", "ngo"),
    _p("ngo_failure_months", 6.0, 1.0, 60.0, "months",
       "months of negative reserves before an NGO fails", "ngo"),
    _p("drift_sensitivity", 0.5, 0.0, 1.0, "share",
       "loss of mission alignment when government money is all of income", "ngo"),
    _p("drift_rate", 0.05, 0.0, 1.0, "1/month", "speed of mission drift", "ngo"),
    _p("evaluation_drift_protection", 0.5, 0.0, 1.0, "share",
       "share of drift prevented by third-party evaluation", "ngo"),
    _p("drift_threshold", 0.75, 0.0, 1.0, "alignment",
       "alignment below which an NGO counts as drifted (outcome definition)", "ngo"),
    _p("ngo_specialisation_rate", 0.05, 0.0, 1.0, "1/month",
       "speed at which an NGO's care/legal focus follows the needs of the communities it "
       "serves", "ngo"),
    _p("ngo_entry_rate", 0.05, 0.0, 1.0, "prob/month",
       "chance a new NGO fills an empty slot each month", "ngo"),
    # --- participation -------------------------------------------------------------------------
    _p("participation_initial", 0.15, 0.0, 1.0, "share",
       "share of residents participating at start", "participation"),
    _p("participation_synergy", 3.0, 0.0, 50.0, "r",
       "multiplication factor of the participation public-goods game", "participation"),
    _p("participation_cost", 1.0, 0.0, 10.0, "c", "time cost of participating",
       "participation"),
    _p("volunteer_platform", False, None, None, "on/off",
       "city volunteer platform matches needs and volunteers (lever)", "participation",
       ZHENG_ZHONG),
    _p("platform_cost_cut", 0.15, 0.0, 1.0, "share",
       "reduction of participation cost with the platform", "participation",
       "assumption, reviewed (docs/VALIDATION.md, lever-effect balance); Shanghai's registered "
       "volunteers rose from 18% to 23% of residents in 2019-21 as its platform grew (FACTS)"),
    _p("platform_cost_per_resident", 0.2, 0.0, 20.0, "yuan/resident/month",
       "running cost of the platform to the street", "participation"),
    _p("civic_motivation", 0.3, 0.0, 10.0, "payoff",
       "mean intrinsic benefit of participating (exponential across residents)",
       "participation"),
    _p("party_member_duty", 1.0, 0.0, 10.0, "payoff",
       "extra benefit of participating for party members (duty to report to community)",
       "participation"),
    _p("revision_share", 0.1, 0.0, 1.0, "share/month",
       "share of residents who reconsider participating each month", "participation"),
    _p("participation_mutation", 0.01, 0.0, 0.5, "prob",
       "chance a reconsidering resident switches at random", "participation"),
    _p("election_mobilisation", 0.88, 0.0, 1.0, "prob",
       "chance a non-participating resident who fully trusts the RC is mobilised to vote in "
       "its election", "participation",
       "calibrated: 40-60% of residents vote in RC elections (docs/VALIDATION.md)"),
    _p("trust_efficacy", 0.5, 0.0, 1.0, "share",
       "share of participation's payoff that depends on trust in local bodies",
       "participation"),
    # --- assessment ----------------------------------------------------------------------------
    _p("resident_assessment_weight", 0.1, 0.0, 1.0, "share",
       "weight of residents' evaluation in the street's assessment (lever)", "assessment",
       ZHENG_ZHONG),
    _p("vocal_bias", 0.5, 0.0, 1.0, "share",
       "how far residents' evaluation tilts service away from vulnerable non-voters",
       "assessment"),
    _p("rc_adaptation_rate", 0.08, 0.0, 1.0, "1/month",
       "speed at which a residents' committee moves its hours toward the uses that pay",
       "assessment"),
    _p("rc_resident_motive", 0.3, 0.0, 2.0, "weight",
       "weight a residents' committee gives residents' satisfaction beside its score",
       "assessment"),
    _p("paperwork_score_weight", 0.5, 0.0, 1.0, "share",
       "weight of paperwork (ledgers, reports) against task completion in the street's "
       "top-down score", "assessment"),
    _p("rc_initial_paperwork", 0.2, 0.0, 0.8, "share",
       "share of free RC hours on scored paperwork at the start", "assessment"),
    _p("paperwork_return_scale", 5000.0, 1.0, 20000.0, "hours",
       "paperwork hours at which half of the paperwork score is reached", "assessment"),
    _p("peer_imitation_rate", 0.1, 0.0, 1.0, "prob/month",
       "chance a residents' committee compares itself with a peer of its street", "assessment"),
    _p("peer_copy_weight", 0.3, 0.0, 1.0, "share",
       "how far it moves toward a better-scoring peer's split of hours", "assessment"),
    # --- departments ---------------------------------------------------------------------------
    _p("n_departments", 5, 0, 40, "departments",
       "district line departments (civil affairs, housing and urban management, public "
       "security, health, ...), each tied to every street", "departments", ZHENG_ZHONG),
    _p("dept_on_list_share", 0.4, 0.0, 1.0, "share",
       "share of departments' task hours that are the streets' own functions (on the access "
       "list); the rest are the departments' own duties", "departments"),
    _p("dept_budget_per_resident", 2.0, 0.0, 200.0, "yuan/resident/month",
       "project money the departments spend through each street", "departments"),
    _p("dept_adaptation_rate", 0.1, 0.0, 1.0, "1/month",
       "speed at which a department moves its pushing and responsiveness toward what its "
       "evaluation rewards", "departments"),
    _p("dept_hour_cost", 1.0, 0.0, 10.0, "evaluation/1000 hours",
       "loss in a department's top-down evaluation per 1,000 hours of work it does itself",
       "departments"),
    _p("dept_choice_noise", 0.2, 0.01, 5.0, "evaluation",
       "spread of a department's judgement of costs and benefits (logistic choice)",
       "departments"),
    _p("dept_rating_weight", 0.0, 0.0, 1.0, "share",
       "weight of the streets' rating in each department's evaluation (lever)", "departments",
       ZHENG_ZHONG),
    _p("access_list", False, None, None, "on/off",
       "street access list (职责准入): the street may refuse departments' tasks not on its "
       "list (lever)", "departments", ZHENG_ZHONG),
    _p("access_refusal", 0.7, 0.0, 1.0, "share",
       "share of off-list tasks a street with an access list refuses", "departments"),
    _p("street_summons", False, None, None, "on/off",
       "'street summons, departments report' (街道吹哨、部门报到): streets call departments to "
       "escalated disputes and renovations (lever)", "departments",
       "Beijing since 2018 (policy lever)"),
    _p("summons_hours", 8.0, 0.0, 200.0, "hours",
       "department hours one answered summons takes", "departments"),
    _p("summons_resolution", 0.6, 0.0, 1.0, "share",
       "share of an escalated dispute's harm removed when the summoned department answers",
       "departments"),
    _p("seconded_hours_per_street", 160.0, 0.0, 2000.0, "hours/month",
       "hours of officers each department seconds to each street (下沉干部)", "departments"),
    _p("seconded_consultation", False, None, None, "on/off",
       "streets are consulted on the appraisal of officers seconded to them (lever)",
       "departments", ZHENG_ZHONG),
    _p("consultation_weight", 0.6, 0.0, 1.0, "share",
       "weight of the street's view in a seconded officer's appraisal when it is consulted",
       "departments"),
    _p("seconded_street_share", 0.2, 0.0, 1.0, "share",
       "share of a seconded officer's hours spent on the street's work when the street has no "
       "say in the appraisal", "departments"),
    _p("mirror_ban", False, None, None, "on/off",
       "departments may not require mirrored offices and name plates in streets and "
       "communities (lever)", "departments", ZHENG_ZHONG),
    _p("mirror_hours", 6.0, 0.0, 100.0, "hours/month",
       "RC hours a mirrored office a department requires costs each community",
       "departments"),
    _p("mirror_visibility", 0.3, 0.0, 5.0, "evaluation",
       "gain in a department's top-down evaluation from mirrored offices in the district",
       "departments"),
    # --- cadres ---------------------------------------------------------------------------------
    _p("cadre_selection_resident_weight", 0.2, 0.0, 1.0, "share",
       "weight of residents' evaluation against the top-down score when the street selects, "
       "promotes and replaces secretaries and directors (lever)", "cadres", ZHENG_ZHONG),
    _p("career_concern", 1.0, 0.0, 5.0, "weight",
       "weight a director gives the criteria of selection beside the committee's own aims",
       "cadres"),
    _p("cadre_replacement_share", 0.2, 0.0, 1.0, "share",
       "share of a street's secretaries, the worst by the selection score, it replaces at a "
       "round", "cadres"),
    _p("promotion_rate", 0.1, 0.0, 1.0, "prob/year",
       "chance a street promotes its best-scoring secretary out of the community in a year",
       "cadres"),
    _p("candidate_pool", 3, 1, 20, "candidates",
       "candidates the street considers when it appoints a secretary", "cadres"),
    # --- satisfaction --------------------------------------------------------------------------
    _p("satisfaction_rate", 0.15, 0.0, 1.0, "1/month",
       "speed at which satisfaction follows experience", "satisfaction"),
    _p("trust_rate", 0.05, 0.0, 1.0, "1/month", "speed at which trust follows experience",
       "satisfaction"),
    _p("weight_needs", 0.5, 0.0, 1.0, "weight", "weight of needs met in satisfaction",
       "satisfaction"),
    _p("weight_property", 0.3, 0.0, 1.0, "weight",
       "weight of property-service quality in satisfaction", "satisfaction"),
    _p("weight_disputes", 0.2, 0.0, 1.0, "weight",
       "weight of dispute outcomes in satisfaction", "satisfaction"),
)

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
assert len(BY_NAME) == len(PARAMS), "duplicate parameter names"
assert all(p.group in GROUPS for p in PARAMS), "unknown parameter group"



def defaults() -> dict[str, Any]:
    """Every parameter at its default value."""
    return {p.name: p.default for p in PARAMS}


def validate(values: dict[str, Any], where: str = "parameters") -> dict[str, Any]:
    """Check names, types and ranges; return a complete parameter dict (defaults filled in).

    Raises ScenarioError naming `where`, the key, the value and what is allowed.
    """
    out = defaults()
    for key, value in values.items():
        param = BY_NAME.get(key)
        if param is None:
            raise ScenarioError(f"{where}: unknown parameter {key!r}{suggest(key)}")
        try:
            out[key] = param.check(value)
        except ValueError as err:
            raise ScenarioError(f"{where}: {key} = {value!r} {err}") from None
    if out["channel_block_grant"] + out["channel_grid_funds"] + out["channel_ngo_projects"] <= 0:
        raise ScenarioError(
            f"{where}: channel_block_grant, channel_grid_funds and channel_ngo_projects "
            "are all 0; at least one channel weight must be positive"
        )
    return out


def suggest(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, BY_NAME, n=1)
    return f" (did you mean {close[0]!r}?)" if close else " (see `python -m sim params`)"
