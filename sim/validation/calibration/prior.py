"""The calibration's prior: the plausible ranges of the free behavioural parameters, and
the reduced world on which the calibration runs.

Each range lies inside the parameter's schema range and spans the values a modeller could
defend; rates that span an order of magnitude are log-uniform, the others uniform:
assemblies attempted every 3 to 40 years in a poorly served compound; owners' turnout at an
assembly of 30-70%; a vacant committee seat filled by co-opting an owner within 2 to 30
months at full residents' support; a committee member coming to answer to the firm within
2 to 80 years at no independence and full stakes (so committees lose their quorum or their
independence at rates that span "rarely" to "within a term"); fee
tolerance well below and up to near the typical quality; firms' fee responsiveness up to
1.0, so that a firm's unconstrained effort (responsiveness / (2 × `effort_cost`) ≤ 0.5)
stays below the shirking threshold (`shirk_threshold` = 0.55) — above it no firm would ever
shirk and supervision by committees would have nothing to act on (ODD §7.6); task hours from
a third to more than all of a committee's staff hours; up to six inspections a month;
election mobilisation from 40% to all of the trusting non-participants. For the historical
episodes: party-led formation multiplying assembly attempts 2 to 40 times (log-uniform); a
party bloc of 10-50% of voters following the party's recommendation; a rival candidate
standing at full trust in 0.5% to 20% of elections (log-uniform); departments moving
toward what their evaluation rewards within 2 to 50 months (rate 0.02-0.5, log-uniform).

To calibrate another parameter, add it here with its plausible range (and, if the targets
do not constrain it, expect its posterior to return the prior).
"""

from __future__ import annotations

from typing import Any

from sim.experiments.uncertainty import Prior, Uncertain

__all__ = ["PRIOR", "REDUCED_WORLD"]

PRIOR = Prior(
    (
        Uncertain("oc_attempt_rate", 0.002, 0.03, scale="log"),
        Uncertain("assembly_turnout_base", 0.3, 0.7),
        Uncertain("assembly_turnout_sd", 0.05, 0.35),
        Uncertain("oc_coopt_rate", 0.03, 0.5, scale="log"),
        Uncertain("collusion_rate", 0.001, 0.05, scale="log"),
        Uncertain("fee_tolerance_mean", 0.05, 0.35),
        Uncertain("firm_fee_responsiveness", 0.5, 1.0),
        Uncertain("admin_task_hours_per_1000", 100.0, 400.0),
        Uncertain("inspections_per_month", 0.5, 6.0),
        Uncertain("building_head_reach", 0.4, 1.0),
        Uncertain("party_attempt_boost", 2.0, 40.0, scale="log"),
        Uncertain("oc_time_cost", 1.0, 8.0, scale="log"),
        Uncertain("contest_base", 0.005, 0.2, scale="log"),
        Uncertain("dept_adaptation_rate", 0.02, 0.5, scale="log"),
    )
)
"""Independent uniform or log-uniform priors over the plausible ranges."""

REDUCED_WORLD: dict[str, Any] = {"n_streets": 4, "n_firms": 10, "n_ngos": 8}
"""The calibration world: 4 of the default 10 streets, with firms and NGO slots scaled
alike (25 → 10, 20 → 8), so that every per-capita and per-organisation ratio is the
default's. The posterior predictive check runs posterior draws on it and on the default
world with the same seeds, which shows whether the targets depend on the size."""
