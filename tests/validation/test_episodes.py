"""Historical episodes replay documented reforms as policy timelines (docs/VALIDATION.md)."""

from __future__ import annotations

from sim.core.metrics import OUTCOMES
from sim.core.policy import parse_timeline
from sim.experiments.stats import Estimate
from sim.validation import episodes as E
from tests.conftest import SMALL


def test_every_episode_measures_an_outcome_and_its_timeline_is_valid():
    assert len(E.EPISODES) >= 3
    for e in E.EPISODES:
        assert e.outcome in OUTCOMES
        parse_timeline(list(e.timeline))
        assert e.before[1] < e.after[0] <= e.after[1] and e.source


def test_an_episode_is_replayed_over_paired_seeds_with_intervals():
    e = E.EPISODES[0]
    result = E.run_episode(e, seeds=[1, 2, 3], world=SMALL)
    assert result["before"].n == 3 and result["change"].n == 3
    assert 0 <= result["after"].mean <= 1


def test_the_verdict_says_whether_the_recorded_change_lies_within_the_models_interval():
    base = {"record_before": 0.5, "record_after": 0.6}
    assert E.verdict({**base, "change": Estimate(0.1, 0.05, 0.15, 5)}) == "matches"
    assert E.verdict({**base, "change": Estimate(0.3, 0.25, 0.35, 5)}) == "model higher"
    assert E.verdict({**base, "change": Estimate(0.0, -0.05, 0.05, 5)}) == "model lower"
