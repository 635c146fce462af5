"""The policy screen ("what sets the sign"): its definition covers every parameter, its
verdicts need measured effects, and it runs end to end and resumes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.core.params import BY_NAME, GROUPS, PARAMS, Param
from sim.experiments import screen as S
from sim.experiments import screen_analysis as SA
from sim.experiments import screen_report as SR
from sim.experiments.evaluators import InProcessEvaluator
from sim.experiments.screen_pipeline import read_screen, run_screen
from sim.experiments.screen_runs import (
    DEFAULT_POINT,
    NOISE,
    ScreenIncomplete,
    default_stage,
    morris_sample,
    morris_stage,
    point_id,
    run_stage,
)
from sim.experiments.stats import Estimate
from sim.experiments.store import RunStore

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "experiments" / "screen.toml"

TINY_WORLD = """n_streets = 1
communities_per_street = 3.0
compounds_per_community = 2.0
households_per_compound = 40.0
n_firms = 2
n_ngos = 2
"""


def tiny_screen(folder: Path, screened_group: str = "participation", extra: str = "") -> Path:
    """A screen of two contrasts over the parameters of one schema group, on a tiny world
    (the group `returns` takes two participation parameters when that group is screened)."""
    others = "\n".join(f'{g} = "not in this test"' for g in GROUPS if g != screened_group)
    text = f"""description = "tiny screen"
steps = 8
seed = 3
window = 4
[world]
{TINY_WORLD}
[reference]
steps = 10
[reference.world]
{TINY_WORLD}
[design]
trajectories = 2
seeds = 3
candidates = 2
[contrasts]
volunteer_platform = {{ policy = "volunteer_platform", outcomes = ["participation_rate"] }}
devolve = {{ policy = {{ devolution_share = 0.9 }}, outcomes = ["absorption_rate"] }}
[groups]
returns = ["participation_synergy", "-participation_cost"]
[exclude_groups]
{others}
{extra}"""
    path = folder / "screen_tiny.toml"
    path.write_text(text, encoding="utf-8")
    return path


def screen_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`python -m sim screen ARGS` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "sim", "screen", *args], capture_output=True, text=True, cwd=cwd
    )


# --- the definition ------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SHIPPED.parent.glob("screen*.toml")), ids=lambda p: p.stem)
def test_every_shipped_screen_is_valid_on_the_current_model(path):
    defn = S.load_screen(path)
    assert defn.contrasts and len(defn.factors) >= 2


def test_every_non_lever_parameter_is_screened_or_named_with_a_reason():
    defn = S.load_screen(SHIPPED)
    screened = defn.screened
    assert len(screened) == len(set(screened))
    levers = set(S.levers())
    for p in PARAMS:
        if p.name in screened:
            assert p.name not in defn.excluded and p.name not in levers, p.name
        else:
            assert defn.excluded.get(p.name, "").strip(), f"{p.name} neither screened nor excused"
    assert levers <= set(defn.excluded)
    assert len(screened) + len(defn.excluded) == len(PARAMS)


def test_a_parameter_new_to_the_schema_is_screened_without_editing_the_definition(
    monkeypatch,
):
    new = Param("new_assumption", 2.0, 0.0, 100.0, "x", "an assumption added later", "needs")
    monkeypatch.setattr(S, "PARAMS", (*PARAMS, new))
    monkeypatch.setitem(BY_NAME, "new_assumption", new)
    defn = S.load_screen(SHIPPED)
    factor = defn.factor("new_assumption")
    assert factor.params == ("new_assumption",)
    rng = factor.ranges[0]
    assert (rng.low, rng.high) == (0.0, 8.0)  # the schema's range narrowed to 4 × the default


def test_a_lever_new_to_the_policy_module_is_never_screened(monkeypatch):
    from sim.core import policy

    monkeypatch.setitem(policy.LEVER_SCOPE, "overload_penalty", "community")
    defn = S.load_screen(SHIPPED)
    assert "overload_penalty" not in defn.screened
    assert "lever" in defn.excluded["overload_penalty"]


def test_ranges_the_calibration_defines_are_the_screens_ranges():
    from sim.validation.calibration.prior import PRIOR

    defn = S.load_screen(SHIPPED)
    for u in PRIOR.params:
        if u.name not in defn.screened:
            continue
        factor = next(f for f in defn.factors if u.name in f.params)
        r = factor.ranges[factor.params.index(u.name)]
        assert (r.low, r.high, r.scale) == (u.low, u.high, u.scale), u.name


def test_each_factor_s_basis_comes_from_the_schema_s_sources_and_a_group_is_sourced_only_whole():
    defn = S.load_screen(ROOT / "experiments" / "screen.toml")
    assert SR.basis(defn, "leader_hours") == "A"  # no measurement: assumption, wide range
    assert SR.basis(defn, "voters_available") == "C"  # calibrated to a cited survey
    assert SR.basis(defn, "nomination_caution") == "C+A"  # one member calibrated
    assert "S" in SR.basis(defn, "rc_capacity") and "A" in SR.basis(defn, "rc_capacity")


def test_band_narrows_wide_schema_ranges_but_keeps_zero_and_narrow_ones():
    budget = BY_NAME["street_budget_per_resident"]  # default 8, schema 0 … 500
    assert (S.plausible_range(budget, 4).low, S.plausible_range(budget, 4).high) == (0.0, 32.0)
    training = BY_NAME["training_cost"]  # default 80,000, schema 100 … 1,000,000
    r = S.plausible_range(training, 4)
    assert (r.low, r.high) == (20000.0, 320000.0)
    share = BY_NAME["conflict_ally"]  # a share: the schema's 0 … 1 is narrower than the band
    assert (S.plausible_range(share, 4).low, S.plausible_range(share, 4).high) == (0.0, 1.0)
    assert S.plausible_range(budget, 0).high == 500.0


def test_group_members_move_together_and_a_minus_runs_from_the_high_end(tmp_path):
    defn = S.load_screen(tiny_screen(tmp_path))
    returns = defn.factor("returns")
    low, high = returns.assign(0.0), returns.assign(1.0)
    synergy, cost = returns.ranges
    assert low["participation_synergy"] == synergy.low and high["participation_synergy"] == (
        synergy.high
    )
    assert low["participation_cost"] == cost.high and high["participation_cost"] == cost.low


def test_every_morris_point_moves_one_factor_from_the_point_before_and_stays_in_range(tmp_path):
    defn = S.load_screen(tiny_screen(tmp_path))
    x, names = morris_sample(defn)
    assert names[-1] == NOISE and len(x) == defn.morris_points
    steps = x.reshape(defn.trajectories, len(names) + 1, len(names))
    changed = (np.abs(np.diff(steps, axis=1)) > 0).sum(axis=2)
    assert (changed == 1).all()
    for point in morris_stage(defn).points.values():
        for name, u in point.items():
            f = defn.factor(name)
            for p, r in zip(f.params, f.ranges):
                assert r.low - 1e-9 <= f.value(p, u) <= r.high + 1e-9


def test_the_noise_factor_changes_only_the_seed_and_every_other_step_keeps_it(tmp_path):
    defn = S.load_screen(tiny_screen(tmp_path))
    x, names = morris_sample(defn)
    stage = morris_stage(defn)
    ids = list(stage.points)
    per_trajectory = len(names) + 1
    for i in range(1, len(ids)):
        if i % per_trajectory == 0:
            continue  # a new trajectory
        a, b = ids[i - 1], ids[i]
        noise_moved = x[i, -1] != x[i - 1, -1]
        assert (stage.seeds[a] != stage.seeds[b]) == noise_moved
        if noise_moved:
            assert stage.points[a] == stage.points[b]


@pytest.mark.parametrize(
    "extra, words",
    [
        ('[exclude]\nno_such_parameter = "why"\n', ["no_such_parameter", "not a model parameter"]),
        ('[exclude]\nneed_daily = ""\n', ["need_daily", "reason"]),
        ("[ranges]\ncivic_motivation = [0.0, 99.0]\n", ["civic_motivation", "99"]),
    ],
)
def test_bad_definition_exits_2_with_one_line_naming_file_and_key(tmp_path, extra, words):
    path = tiny_screen(tmp_path, extra=extra)
    proc = screen_cli(str(path), "--dry-run", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(path) in err and all(w in err for w in words)


def test_the_sharp_definition_changes_only_the_world_horizon_and_design():
    shipped, sharp = S.load_screen(SHIPPED), S.load_screen(SHIPPED.with_name("screen_sharp.toml"))
    assert sharp.contrasts == shipped.contrasts and sharp.arms == shipped.arms
    assert sharp.factors == shipped.factors and sharp.excluded == shipped.excluded
    assert (sharp.steps, sharp.trajectories, sharp.seeds) == (120, 10, 20)
    assert sharp.world["n_streets"] > shipped.world["n_streets"]


def test_a_definition_extending_itself_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b"\n')
    (tmp_path / "b.toml").write_text('extends = "a"\n')
    with pytest.raises(S.ScenarioError, match="cycle"):
        S.load_screen(tmp_path / "a.toml")


def test_a_contrast_naming_no_scenario_is_refused(tmp_path):
    path = tiny_screen(tmp_path)
    text = path.read_text().replace('policy = "volunteer_platform"', 'policy = "no_such_one"')
    path.write_text(text)
    with pytest.raises(S.ScenarioError, match="no_such_one"):
        S.load_screen(path)


# --- verdicts -------------------------------------------------------------------------------


def test_a_flip_needs_both_ends_clear_of_zero_with_opposite_signs():
    clear_up, clear_down = Estimate(0.05, 0.02, 0.08, 6), Estimate(-0.04, -0.07, -0.01, 6)
    unclear_down = Estimate(-0.04, -0.09, 0.01, 6)
    assert SA.classify(clear_up, clear_down) == SA.FLIPS
    assert SA.classify(clear_down, clear_up) == SA.FLIPS
    assert SA.classify(clear_up, unclear_down) == SA.ONE_END
    assert SA.classify(clear_up, Estimate(0.01, 0.005, 0.02, 6)) == SA.SAME_SIGN
    assert SA.classify(unclear_down, Estimate(0.01, -0.01, 0.03, 6)) == SA.NEITHER


def _constructed_effects(defn, factor, low_effects, high_effects):
    """Paired effects of the first contrast at its default point and both ends of `factor`."""
    rows = []
    for point, values in (
        (DEFAULT_POINT, [0.0] * len(low_effects)),
        (point_id({factor: 0.0}), low_effects),
        (point_id({factor: 1.0}), high_effects),
    ):
        for rep, v in enumerate(values):
            rows.append(
                {
                    "contrast": defn.contrasts[0].name,
                    "screen_point": point,
                    "replicate": rep,
                    "seed": rep,
                    **{f"effect_{o}": v for o in defn.contrasts[0].outcomes},
                }
            )
    return pd.DataFrame(rows)


def test_range_ends_report_a_flip_only_where_the_measured_ends_say_so(tmp_path):
    defn = S.load_screen(tiny_screen(tmp_path))
    c = defn.contrasts[0].name
    sel = {
        c: SA.Selection(c, ("civic_motivation",), ()),
        defn.contrasts[1].name: SA.Selection(defn.contrasts[1].name, (), ()),
    }
    flips = _constructed_effects(
        defn, "civic_motivation", [0.05, 0.06, 0.04, 0.05], [-0.03, -0.02, -0.04, -0.03]
    )
    ends = SA.range_ends(defn, flips, sel)
    assert (ends["verdict"] == SA.FLIPS).all()
    # the same means, but the high end too noisy to exclude zero: no flip
    noisy = _constructed_effects(
        defn, "civic_motivation", [0.05, 0.06, 0.04, 0.05], [0.05, -0.15, 0.08, -0.1]
    )
    ends = SA.range_ends(defn, noisy, sel)
    assert (ends["verdict"] == SA.ONE_END).all()
    assert np.isclose(ends["high_end"].iloc[0], -0.03)


def test_fidelity_names_an_effect_the_reduced_settings_reverse():
    reduced = pd.DataFrame(
        [{"contrast": "a", "outcome": "needs_met", "mean": 0.02, "low": 0.01, "high": 0.03, "n": 6}]
    )
    reference = reduced.assign(mean=-0.02, low=-0.03, high=-0.01)
    f = SA.fidelity(reduced, reference)
    assert f["agreement"].tolist() == ["opposite signs"]
    f = SA.fidelity(reduced, reduced.assign(low=-0.01))
    assert f["agreement"].tolist() == ["reduced only"]


# --- end to end -----------------------------------------------------------------------------


def test_a_tiny_screen_runs_end_to_end_and_writes_its_report_into_a_document(tmp_path):
    path = tiny_screen(tmp_path, "satisfaction")
    doc = tmp_path / "doc.md"
    doc.write_text(
        "# Doc\n\nbefore\n<!-- screen:begin (written by python -m sim screen) -->\n"
        "PLACEHOLDER\n<!-- screen:end -->\nafter\n",
        encoding="utf-8",
    )
    guide = tmp_path / "guide.md"
    guide.write_text(f"# Guide\n{SR.SUMMARY_BEGIN}\nOLD\n{SR.SUMMARY_END}\nend\n", encoding="utf-8")
    proc = screen_cli(
        str(path),
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(tmp_path / "out"),
        "--report",
        str(tmp_path / "report"),
        "--doc",
        str(doc),
        "--summary-doc",
        str(guide),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    defn = S.load_screen(path)
    res = read_screen(defn, tmp_path / "out")
    # every factor and the noise factor ranked for every contrast and outcome
    for c in defn.contrasts:
        for o in c.outcomes:
            m = res.morris[(res.morris["contrast"] == c.name) & (res.morris["outcome"] == o)]
            assert set(m["factor"]) == {f.name for f in defn.factors} | {NOISE}
    # candidates measured at both ends with as many seeds as asked
    assert set(res.ends["n"]) == {defn.seeds}
    for c in defn.contrasts:
        assert set(res.ends[res.ends["contrast"] == c.name]["factor"]) == set(
            res.selection[c.name].candidates
        )
    assert res.maps.groupby(["contrast", "outcome"]).size().eq(9).all()
    # conditions measured in the runs, in the district without the policy
    assert res.shifts["low_end"].notna().any()
    text = doc.read_text(encoding="utf-8")
    assert (
        "PLACEHOLDER" not in text
        and text.startswith("# Doc\n\nbefore")
        and text.endswith("after\n")
    )
    assert "## Summary: what can flip each policy's sign" in text
    for c in defn.contrasts:
        assert (tmp_path / "report" / f"{c.name}.png").is_file()
        assert f"](report/{c.name}.png)" in text
    # the guide's summary: a row per policy with its most decisive factors and their basis,
    # linking to the full report
    summary = guide.read_text(encoding="utf-8")
    assert "OLD" not in summary and summary.endswith("end\n")
    assert "](doc.md)" in summary
    for c in defn.contrasts:
        row = next(line for line in summary.splitlines() if line.startswith(f"| `{c.name}` |"))
        m = res.morris[
            (res.morris["contrast"] == c.name)
            & (res.morris["outcome"] == c.outcomes[0])
            & (res.morris["factor"] != NOISE)
        ].sort_values("mu_star", ascending=False)
        top = m["factor"].iloc[0]
        assert f"`{top}` {SR.basis(defn, top)}" in row


def test_a_tiny_screen_resumes_after_an_interruption_and_runs_nothing_twice(tmp_path):
    defn = S.load_screen(tiny_screen(tmp_path, "satisfaction"))
    root = tmp_path / "out"

    class Interrupting(InProcessEvaluator):
        calls = 0

        def next_done(self):
            Interrupting.calls += 1
            if Interrupting.calls == 5:
                raise KeyboardInterrupt
            return super().next_done()

    with Interrupting() as ev, pytest.raises(ScreenIncomplete) as info:
        run_screen(defn, root, ev, progress=False)
    assert info.value.interrupted
    with InProcessEvaluator() as ev:
        run_screen(defn, root, ev, progress=False)
    with InProcessEvaluator() as ev:
        again = run_screen(defn, root, ev, progress=False)
    for stage in ("default", "reference", "morris", "ends"):
        sessions = RunStore(root / stage).sessions()
        ran = sum(s["ran"] for s in sessions)
        distinct = json.loads((root / stage / "sweep.json").read_text())
        assert sessions[-1]["ran"] == 0, stage  # the third call found everything stored
        assert ran == len(RunStore(root / stage).runs()), stage  # no run computed twice
        assert distinct["stage"] == stage
    assert not again.ends.empty


def test_a_range_end_where_the_model_fails_stops_the_screen_before_the_design_runs(
    tmp_path, monkeypatch
):
    from sim.runs import runner

    real = runner.run

    def fails_without_motivation(params, *args, **kwargs):
        if params["civic_motivation"] == 0.0:
            raise ZeroDivisionError("float division by zero")
        return real(params, *args, **kwargs)

    monkeypatch.setattr(runner, "run", fails_without_motivation)
    defn = S.load_screen(tiny_screen(tmp_path))
    with InProcessEvaluator() as ev, pytest.raises(ScreenIncomplete) as info:
        run_screen(defn, tmp_path / "out", ev, progress=False)
    message = str(info.value)
    assert "civic_motivation = 0 (ZeroDivisionError" in message and "[ranges]" in message
    assert not (tmp_path / "out" / "morris").exists()


def test_report_only_refuses_an_unfinished_screen_with_one_line(tmp_path):
    path = tiny_screen(tmp_path, "satisfaction")
    defn = S.load_screen(path)
    with InProcessEvaluator() as ev:
        run_stage(defn, default_stage(defn), tmp_path / "out", ev, progress=False)
    proc = screen_cli(str(path), "--report-only", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "morris stage" in err and "not stored yet" in err


def test_paired_effects_subtract_the_reference_arm_at_the_same_point_and_seed(tmp_path):
    defn = S.load_screen(tiny_screen(tmp_path))
    c = defn.contrasts[0]
    outcomes = {o for k in defn.contrasts for o in k.outcomes}
    rows = []
    for point in ("p1", "p2"):
        for rep in range(2):
            for arm, value in ((c.reference, 0.5 + rep), (c.policy, 0.7 + rep + (point == "p2"))):
                rows.append(
                    {
                        "screen_point": point,
                        "screen_arm": arm,
                        "replicate": rep,
                        "seed": 10 + rep,
                        **{f"mean_{o}": value for o in outcomes},
                    }
                )
    effects = SA.paired_effects(defn, pd.DataFrame(rows))
    mine = effects[effects["contrast"] == c.name].set_index(["screen_point", "replicate"])
    assert math.isclose(mine.loc[("p1", 0), "effect_needs_met"], 0.2)
    assert math.isclose(mine.loc[("p2", 1), "effect_needs_met"], 1.2)


def test_a_flip_is_located_only_by_a_condition_that_moves_clearly_and_by_a_tenth():
    from types import SimpleNamespace

    def shift(condition, low, high, t):
        return {
            "contrast": "c",
            "factor": "f",
            "condition": condition,
            "arm": "ref",
            "low_end": low,
            "high_end": high,
            "shift": high - low,
            "shift_low": (high - low) * 0.5,
            "shift_high": (high - low) * 1.5,
            "t": t,
        }

    # hours on tasks move very clearly (t = 40) but by 1%: they cannot locate a district
    res = SimpleNamespace(shifts=pd.DataFrame([shift("rc_task_hours_week", 21.5, 21.7, 40.0)]))
    assert SR.measured_axis(res, "c", "f") is None
    # trust moves less clearly (t = 3) but from 0.36 to 0.85: it does
    res.shifts = pd.concat(
        [res.shifts, pd.DataFrame([shift("trust_rc", 0.36, 0.85, 3.0)])], ignore_index=True
    )
    assert SR.measured_axis(res, "c", "f") == "trust_rc"
    # a large move that is not clear over the seeds does not count either
    res.shifts = pd.DataFrame([shift("trust_rc", 0.36, 0.85, 1.5)])
    assert SR.measured_axis(res, "c", "f") is None
