"""No outcome restates a lever (ODD §9): every lever is moved over three values (two for an
on/off lever) on a tiny world — two streets of communities of the default size, so that no
capacity is idle by construction — with three seeds (two can agree by chance on a small
count), and an outcome that is an exact function of the lever alone — the same for every
seed at every value of the lever while differing between values (outcome = lever, a constant × the lever, or a fixed value per lever value) — fails
the scan unless it is a lever's own manipulation check, named as such in
sim.core.metrics.MANIPULATION_CHECKS."""

from __future__ import annotations

import math
from functools import cache

import pytest

from sim.core.metrics import MANIPULATION_CHECKS, OUTCOMES
from sim.core.params import BY_NAME, branchable_share, validate
from sim.core.policy import LEVER_SCOPE
from sim.runs.runner import run

TINY = dict(
    n_streets=2,
    communities_per_street=4.0,
    compounds_per_community=2.0,
    households_per_compound=230.0,
    n_firms=3,
    n_ngos=3,
    n_departments=3,
    election_first_month=3,
    election_term_months=12,
    oc_term_months=6.0,
    oc_initial_share=0.5,
)
SEEDS = (1, 2, 3)
STEPS = 7


def values(lever: str) -> list:
    p = BY_NAME[lever]
    if p.type is bool:
        return [False, True]
    low, high = p.low, p.high
    if lever == "branch_building":  # no higher than the world's party members allow
        high = min(high, branchable_share(validate(TINY)))
    return [low, (low + high) / 2, high] if p.type is float else [int(low), int(high)]


@cache
def summary(lever: str, value, seed: int) -> dict:
    return run({**TINY, lever: value}, seed, STEPS, series_period=None).summary


def same(a: float, b: float) -> bool:
    """Equal up to rounding (a sum taken in another order may differ in its last bit)."""
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) or (math.isnan(a) and math.isnan(b))


def restated(lever: str) -> list[str]:
    """Outcomes (their means over the run's last months) that are an exact function of
    `lever` alone."""
    runs = {(v, s): summary(lever, v, s) for v in values(lever) for s in SEEDS}
    first = runs[(values(lever)[0], SEEDS[0])]
    keys = [k for k in first if k.startswith("mean_") and k.split("_", 1)[1] in OUTCOMES]
    found = []
    for key in keys:
        per_value = []
        for v in values(lever):
            seen = [runs[(v, s)][key] for s in SEEDS]
            if not all(same(x, seen[0]) for x in seen[1:]):
                break  # it varies with the seed: more than the lever sets it
            per_value.append(seen[0])
        else:
            if any(not same(x, per_value[0]) for x in per_value[1:]):
                found.append(key)
    return found


@pytest.mark.parametrize("lever", sorted(LEVER_SCOPE))
def test_no_outcome_is_a_function_of_one_lever_alone(lever):
    allowed = {k for k, levers in MANIPULATION_CHECKS.items() if lever in levers}
    flagged = [k for k in restated(lever) if k.split("_", 1)[1] not in allowed]
    assert not flagged, f"{lever} alone sets {flagged}"


def test_the_exceptions_are_few_and_each_names_its_lever():
    assert len(MANIPULATION_CHECKS) <= 5
    for outcome, levers in MANIPULATION_CHECKS.items():
        assert outcome in OUTCOMES and levers and all(lv in LEVER_SCOPE for lv in levers)
