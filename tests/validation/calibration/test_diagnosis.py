"""Specification of the diagnosis (sim.validation.calibration.diagnosis) on a constructed case
whose answer is known: a target no parameter set can meet, two targets that each can be met
but not together, and a target met only at one end of a parameter's range — and the report
that names the mechanisms they point to."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiments.uncertainty import Prior, Uncertain, draw_seeds
from sim.validation.calibration.diagnosis import diagnose
from sim.validation.calibration.history_matching import Settings, history_match
from sim.validation.calibration.report import CalibrationResult, markdown_report
from sim.validation.calibration.targets import RunOutputs, Target, target_values

from .conftest import TOY_SAMPLER

NOISE = 0.3
PRIOR = Prior((Uncertain("theta1", -5.0, 5.0), Uncertain("theta2", -5.0, 5.0)))


def _target(name: str, value: float, sd: float, reads: str, mechanism: str) -> Target:
    t = Target.measured(name, name, value, sd, "constructed", lambda run: run.summary[reads])
    return Target(**{**t.__dict__, "mechanism": mechanism})


TARGETS = (
    _target("high", 2.0, 0.1, "a", "mechanism A (ODD §1)"),  # theta1 = 2
    _target("low", -2.0, 0.1, "a", "mechanism A (ODD §1)"),  # theta1 = -2: not with "high"
    _target("edge", 4.75, 0.1, "b", "mechanism B (ODD §2)"),  # theta2 near its upper end
    _target("far", 30.0, 0.5, "sum", "mechanism C (ODD §3)"),  # theta1 + theta2 ≤ 10
)


class Simulator:
    """a = theta1, b = theta2, sum = theta1 + theta2, each with run noise."""

    def simulate(self, label, points: pd.DataFrame, replicates: int, seed: int) -> pd.DataFrame:
        rows = []
        for i, (t1, t2) in enumerate(points[["theta1", "theta2"]].to_numpy()):
            for r, run_seed in enumerate(draw_seeds(seed, i, replicates)):
                e = np.random.default_rng(run_seed).normal(0.0, NOISE, 3)
                out = RunOutputs({"a": t1 + e[0], "b": t2 + e[1], "sum": t1 + t2 + e[2]})
                rows.append(
                    {"point": i, "replicate": r, "seed": run_seed, **target_values(out, TARGETS)}
                )
        return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def diagnosed():
    settings = Settings(waves=2, points=60, seeds=2, candidates=20_000, seed=11)
    hm = history_match(Simulator(), PRIOR, TARGETS, settings)
    return hm, diagnose(hm)


def test_a_target_no_parameter_set_meets_is_out_of_reach(diagnosed):
    hm, diag = diagnosed
    assert hm.stopped is not None  # nothing meets every target: the match stops
    table = diag.targets.set_index("target")
    assert diag.out_of_reach == ["far"]
    assert table.loc["far", "runs_min"] > 3 and table.loc["far", "emulated_min"] > 3
    assert table.loc["far", "mechanism"] == "mechanism C (ODD §3)"
    for name in ("high", "low", "edge"):
        assert table.loc[name, "reachable"], name
    # the run that came closest to "far" is near the largest sum the prior allows
    assert 5 < table.loc["far", "closest_run_mean"] <= 10 + 3 * NOISE


def test_two_targets_each_within_reach_but_never_together_are_a_conflict(diagnosed):
    _, diag = diagnosed
    pairs = {tuple(sorted(p)) for p in diag.conflicts[["target_a", "target_b"]].to_numpy()}
    assert pairs == {("high", "low")}
    row = diag.conflicts.iloc[0]
    assert row["runs_min"] > 3 and row["emulated_min"] > 3


def test_a_target_met_only_at_one_end_of_a_range_pushes_that_parameter_there(diagnosed):
    _, diag = diagnosed
    edges = {(r.target, r.parameter, r.end) for r in diag.edges.itertuples()}
    assert ("edge", "theta2", "upper") in edges
    assert not {e for e in edges if e[0] in ("edge", "high", "low") and e[1] == "theta1"}
    assert not {e for e in edges if e[0] in ("high", "low") and e[1] == "theta2"}


def test_the_report_names_what_the_misses_point_to(diagnosed):
    hm, diag = diagnosed
    text = markdown_report(
        CalibrationResult(
            match=hm, posterior=None, sampler=TOY_SAMPLER, world={}, steps=1, diagnosis=diag
        )
    )
    section = text.split("### Diagnosis")[1]
    assert "| `far` |" in section and "**no** | mechanism C (ODD §3) |" in section
    assert "| `high` | `low` |" in section
    assert "- `edge`: `theta2` at its upper end" in section
    summary = text.split("### Targets")[0]
    assert "There is no posterior, so no target is met" in summary
    assert (
        "`far` (mechanism C (ODD §3))" in summary
        and "1 pair of targets, each within reach, is never met" in summary
    )
