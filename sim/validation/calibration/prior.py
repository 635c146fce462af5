"""The calibration's prior: the plausible ranges of the parameters the targets speak to, why
each is in, why others that touch the same mechanisms are out, and the reduced world on
which the calibration runs.

A parameter is in the prior when a target (`targets.py`) depends on it directly and no
published figure fixes it (docs/SOURCES.md): the owners' organisations behind the formed and
functioning shares and the Beijing and Shanghai episodes, the turnout rule behind the
Shanghai survey's voting by age, the nominations behind Taiyuan's round, and the departments
behind Beijing's summons. Each range lies inside the parameter's schema range; where no
source bounds a parameter the range is the schema's own or a stated plausible span, and
rates that span an order of magnitude are log-uniform, the others uniform. `WHY` gives the
reason for every parameter in the prior, `LEFT_OUT` the reason for each parameter of the
same mechanisms that is not; the report prints both.

To calibrate another parameter, add it here with its range and its reason (and, if no
target depends on it, expect its posterior to return the prior).
"""

from __future__ import annotations

from typing import Any

from sim.experiments.uncertainty import Prior, Uncertain

__all__ = ["PRIOR", "WHY", "LEFT_OUT", "REDUCED_WORLD"]

PRIOR = Prior(
    (
        Uncertain("oc_attempt_rate", 0.002, 0.03, scale="log"),
        Uncertain("assembly_turnout_base", 0.3, 0.8),
        Uncertain("assembly_turnout_sd", 0.05, 0.35),
        Uncertain("oc_coopt_rate", 0.03, 0.5, scale="log"),
        Uncertain("oc_time_cost", 1.0, 10.0, scale="log"),
        Uncertain("collusion_rate", 0.001, 0.05, scale="log"),
        Uncertain("party_attempt_boost", 2.0, 40.0, scale="log"),
        Uncertain("party_turnout_boost", 0.0, 1.0),
        Uncertain("building_head_reach", 0.4, 1.0),
        Uncertain("availability_18_29", 0.0, 1.0),
        Uncertain("availability_30_49", 0.0, 1.0),
        Uncertain("availability_50_59", 0.0, 1.0),
        Uncertain("availability_60_plus", 0.0, 1.0),
        Uncertain("turnout_participant", 0.0, 1.0),
        Uncertain("one_shoulder_norm", 0.0, 2.0),
        Uncertain("contest_base", 0.005, 0.2, scale="log"),
        Uncertain("dept_adaptation_rate", 0.02, 0.5, scale="log"),
    )
)
"""Independent uniform or log-uniform priors over the plausible ranges."""

WHY: dict[str, str] = {
    "oc_attempt_rate": "sets bottom-up formation (formed share, Beijing 2005-2012; set on that "
    "record, ODD §7.7); assemblies attempted every 3 to 40 years in a poorly served compound",
    "assembly_turnout_base": "decides whether an assembly reaches the two-thirds quorum (formed "
    "share, both owners' episodes); owners' assembly turnout was searched for and not found "
    "(docs/SOURCES.md §2.5): from under a third to four in five, around the quorum",
    "assembly_turnout_sd": "spread of owners' readiness across compounds, which decides how "
    "many compounds can reach the quorum at all (formed share); not found: 0.05-0.35",
    "oc_coopt_rate": "refills vacant seats and so keeps the quorum of members (functioning "
    "share, lapses); a vacancy filled within 2 to 30 months at full support",
    "oc_time_cost": "members' cost of effort, which decides whether committees act "
    "(functioning / formed; set on that record, ODD §7.7); members' hours were not found "
    "(docs/SOURCES.md §2.5): log-uniform over an order of magnitude up to the schema's end",
    "collusion_rate": "members coming to answer to the firm: captured committees are formed, "
    "not functioning (functioning / formed); not found: within 20 months to 80 years at no "
    "independence",
    "party_attempt_boost": "how much more often assemblies are convened under party-led "
    "formation (Shanghai episode); 2 to 40 times, log-uniform",
    "party_turnout_boost": "owners' turnout when a branch or the street mobilises them "
    "(Shanghai episode; set on that record, ODD §7.7); no source: the schema's whole range",
    "building_head_reach": "mobilisation by building heads, the main route to the vote "
    "(turnout, all ages); no source: from 40% to all who trust the RC and are at home",
    "availability_18_29": "who can be reached at home by age (turnout at 18-29; set on the "
    "Shanghai survey, ODD §7.13); no time-use source: the schema's whole range, so the survey "
    "alone decides",
    "availability_30_49": "as availability_18_29, for 30-49 (overall turnout only)",
    "availability_50_59": "as availability_18_29, for 50-59 (turnout at 50-59)",
    "availability_60_plus": "as availability_18_29, for 60 and over (turnout at 70 and over)",
    "turnout_participant": "residents active in community life voting of their own accord "
    "(turnout); no source: the schema's whole range",
    "one_shoulder_norm": "what a party committee weighs against putting its secretary up for "
    "director (Taiyuan's round; set on Jiangxi's 15% before the push, ODD §7.13); the schema's "
    "whole range",
    "contest_base": "rivals standing against the party's nominee, so votes that can defeat "
    "a push (Taiyuan's round); real contests are rare (docs/SOURCES.md §2.6): 0.5% to 20% of "
    "seats at full trust, log-uniform",
    "dept_adaptation_rate": "how fast departments learn to answer summons from their rating "
    "(Beijing's summons); within 2 to 50 months, log-uniform",
}
"""Why each parameter is in the prior: the targets it moves, and where its range comes from."""

LEFT_OUT: dict[str, str] = {
    "fee_tolerance_mean": "its target, fee collection, cites no figure and is dropped "
    "(targets.NOT_USED)",
    "firm_fee_responsiveness": "as fee_tolerance_mean",
    "admin_task_hours_per_1000": "its target, the RC hours on tasks, has no source measuring "
    "it and is dropped (targets.NOT_USED)",
    "inspections_per_month": "as admin_task_hours_per_1000",
    "nomination_standing_weight": "acts on the same nominations as one_shoulder_norm; "
    "Taiyuan's one round cannot tell them apart, so only the norm is calibrated",
    "incumbency_value": "as nomination_standing_weight",
    "defeat_aversion": "as nomination_standing_weight",
    "oc_value_base": "members' effort follows worth / cost: with oc_time_cost in the prior, "
    "the worth terms would only trade off against it",
    "assembly_turnout_participant": "acts on the assembly's turnout as assembly_turnout_base "
    "does; the formed share cannot tell them apart",
    "approval_base": "the vote after the quorum; rarely binding where the quorum is met, and "
    "not separable from the turnout terms by the targets",
    "branch_mobilisation": "mobilises party members only; no target measures their turnout "
    "(docs/SOURCES.md §2.6: not found)",
    "committee_mobilisation": "as branch_mobilisation",
    "tenant_attachment": "no target measures turnout by tenure",
    "reelection_drive_hours": "street hours per mobilised re-election: Shanghai's episode is "
    "one target, read through party_turnout_boost and party_attempt_boost",
    "street_convened_committees": "a lever of the held-out Beijing drive only: calibrating "
    "what only the held-out episode moves would fit it in sample",
    "convene_setup_hours": "moved only by the held-out Beijing drive (as "
    "street_convened_committees)",
    "branch_setup_hours": "moved only by the held-out Beijing drive (as "
    "street_convened_committees)",
    "civic_motivation": "no target measures participation (the volunteering figures do not "
    "match its definition, targets.NOT_USED)",
}
"""Parameters of the targets' mechanisms that are not in the prior, and why (they stay at
their schema defaults in the calibration; experiments across uncertainty can vary them)."""

REDUCED_WORLD: dict[str, Any] = {"n_streets": 4, "n_firms": 10, "n_ngos": 8}
"""The calibration world: 4 of the default 10 streets, with firms and NGO slots scaled
alike (25 → 10, 20 → 8), so that every per-capita and per-organisation ratio is the
default's. The posterior predictive check runs posterior draws on it and on the default
world with the same seeds, which shows whether the targets depend on the size."""
