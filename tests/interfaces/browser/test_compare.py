"""Compare: two settings on the same replicate seeds; each outcome's difference with a 95%
confidence interval from the paired replicates."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.params import defaults
from sim.core.scenario import list_scenarios, load_scenario, scenario_dir
from sim.experiments.design import replicate_seeds
from sim.interfaces.browser import compare as cmp
from sim.interfaces.browser.i18n import WORLD_SIZE
from sim.runs.runner import run
from tests.conftest import SMALL

CURRENT = {**defaults(), **SMALL}


def test_arms_share_the_world_size_of_the_controls(tmp_path):
    (tmp_path / "beta.toml").write_text("[burden]\nresponsibility_list = true\n", encoding="utf-8")
    pa = cmp.arm_params(cmp.CURRENT, CURRENT, tmp_path)
    pb = cmp.arm_params("beta", CURRENT, tmp_path)
    assert pb["responsibility_list"] and not pa["responsibility_list"]
    for name in WORLD_SIZE:
        assert pa[name] == pb[name] == CURRENT[name]


def test_each_arm_runs_with_its_own_policy_timeline(tmp_path):
    (tmp_path / "timed.toml").write_text(
        "[[policy]]\nmonth = 2\nstreets = [0]\n[policy.set]\ndevolution_share = 0.9\n",
        encoding="utf-8",
    )
    mine = [{"month": 3, "set": {"xa_one_shoulder": 0.0}}]
    assert cmp.arm_timeline(cmp.CURRENT, mine, tmp_path) == mine
    timed = cmp.arm_timeline("timed", mine, tmp_path)
    assert timed == [{"month": 2, "set": {"devolution_share": 0.9}, "streets": [0]}]
    comp = cmp.run_comparison(
        CURRENT, CURRENT, seed=9, replicates=2, months=4, timelines=([], timed)
    )
    again = run(dict(CURRENT), comp.seeds[0], 4, timeline=timed).series
    assert comp.b[0].equals(again)
    assert comp.a[0].equals(run(dict(CURRENT), comp.seeds[0], 4).series)
    assert not comp.a[0].equals(comp.b[0])  # the reform shows within the months run


def test_replicates_use_the_sweep_s_seeds_and_are_the_command_line_s_runs():
    pb = {**CURRENT, "responsibility_list": True}
    comp = cmp.run_comparison(CURRENT, pb, seed=9, replicates=3, months=4)
    assert comp.seeds == replicate_seeds(9, 3) and comp.n == 3
    again = run(dict(CURRENT), comp.seeds[1], 4).series
    assert comp.a[1].equals(again)
    assert not comp.a[0].equals(comp.a[1])  # replicates differ
    progress = []
    cmp.run_comparison(CURRENT, pb, 9, 1, 3, progress=lambda d, t: progress.append((d, t)))
    assert progress[-1] == (6, 6)


def test_differences_are_paired_with_a_95_ci():
    pb = {**CURRENT, "xa_one_shoulder": 0.0}
    comp = cmp.run_comparison(CURRENT, pb, seed=2, replicates=4, months=12)
    rows = cmp.differences(comp, ["satisfaction_mean", "needs_met"])
    for d in rows:
        a = cmp.summary_values(comp.a, d.outcome)
        b = cmp.summary_values(comp.b, d.outcome)
        assert np.isclose(d.diff.mean, np.mean(b - a))
        assert d.diff.n == 4 and d.diff.low <= d.diff.mean <= d.diff.high
        assert np.isclose(d.a.mean, a.mean())


def test_one_replicate_gives_no_interval():
    comp = cmp.run_comparison(CURRENT, CURRENT, seed=1, replicates=1, months=3)
    (d,) = cmp.differences(comp, ["satisfaction_mean"])
    assert d.diff.n == 1 and d.diff.low != d.diff.low  # nan: no interval from one pair
    assert d.diff.mean == 0.0  # the same settings on the same seed


def test_a_comparison_stops_when_its_page_closes():
    with pytest.raises(cmp.Cancelled):
        cmp.run_comparison(CURRENT, CURRENT, 1, 2, 5, cancelled=lambda: True)


def test_every_shipped_scenario_can_be_an_arm():
    found = list_scenarios()
    assert found, "no scenario files in scenarios/"
    for name, _ in found:
        params = cmp.arm_params(name, CURRENT, scenario_dir())
        assert params["n_streets"] == CURRENT["n_streets"]


def test_both_arms_run_on_the_district_the_session_read_from_files():
    sc = load_scenario(scenario_dir() / "example_district.toml")
    pb = {**sc.params, "responsibility_list": True}
    comp = cmp.run_comparison(sc.params, pb, seed=3, replicates=1, months=2, district=sc.district)
    on_district = run(dict(sc.params), comp.seeds[0], 2, district=sc.district).series
    assert comp.a[0].equals(on_district)
    assert not comp.a[0].equals(run(dict(sc.params), comp.seeds[0], 2).series)


def test_a_scenario_s_own_district_is_set_aside_and_said_so(tmp_path):
    own = scenario_dir() / "example_district.toml"
    (tmp_path / "elsewhere.toml").write_text(f'extends = "{own.as_posix()}"\n', encoding="utf-8")
    (tmp_path / "plain.toml").write_text("[burden]\nresponsibility_list = true\n", encoding="utf-8")
    district = load_scenario(own).world
    assert cmp.set_aside_world("elsewhere", None, tmp_path) == district
    assert cmp.set_aside_world("elsewhere", district, tmp_path) is None  # the same world
    assert cmp.set_aside_world("plain", district, tmp_path) is None
    assert cmp.set_aside_world(cmp.CURRENT, None, tmp_path) is None


def test_the_summary_window_is_the_last_12_months_or_the_whole_of_a_shorter_run():
    assert cmp.window_of(60) == 12 and cmp.window_of(5) == 5 and cmp.window_of(1) == 1
    comp = cmp.run_comparison(CURRENT, CURRENT, seed=4, replicates=2, months=3)
    assert comp.window == 3
    table = cmp.replicate_table(comp, ["satisfaction_mean"])
    again = [float(f["satisfaction_mean"].mean()) for f in comp.a]  # all three months
    assert table[table["arm"] == "A"]["mean_satisfaction_mean"].tolist() == again
    assert set(table["window"]) == {3}


def test_the_tables_to_take_away_hold_each_replicate_and_each_difference():
    pb = {**CURRENT, "xa_one_shoulder": 0.0}
    comp = cmp.run_comparison(CURRENT, pb, seed=2, replicates=3, months=14)
    reps = cmp.replicate_table(comp)
    assert len(reps) == 6 and list(reps["seed"][:3]) == comp.seeds
    assert {"arm", "name", "replicate", "seed", "window", "mean_satisfaction_mean"} <= set(reps)
    diffs = cmp.differences_table(comp, ["satisfaction_mean", "one_shoulder_share"])
    for _, row in diffs.iterrows():
        a = reps[reps["arm"] == "A"][f"mean_{row['outcome']}"].to_numpy()
        b = reps[reps["arm"] == "B"][f"mean_{row['outcome']}"].to_numpy()
        assert np.isclose(row["diff"], np.mean(b - a)) and row["n"] == 3
        assert row["low"] <= row["diff"] <= row["high"]
        assert row["excludes_zero"] == (row["low"] > 0 or row["high"] < 0)


def test_a_comparison_run_by_the_worker_process_equals_one_run_here(tmp_path):
    from sim.interfaces.browser import worker

    pb = {**CURRENT, "responsibility_list": True}
    here = cmp.run_comparison(CURRENT, pb, seed=6, replicates=2, months=4, communities=True)
    skeleton = cmp.Comparison(("A: x", "B: y"), here.seeds, 4, params=(CURRENT, pb))
    spec = cmp.write_spec(skeleton, tmp_path)
    lines = []
    worker.run_spec(__import__("json").loads(spec.read_text()), lambda *a, **k: lines.append(a))
    back = cmp.read_result(tmp_path)
    assert back.names == ("A: x", "B: y") and back.seeds == here.seeds and back.n == 2
    for mine, theirs in zip(here.a + here.b, back.a + back.b):
        assert mine.reset_index(drop=True).equals(theirs)
    key = ["arm", "replicate", "community"]
    assert (
        here.communities.sort_values(key)
        .reset_index(drop=True)
        .equals(back.communities.sort_values(key).reset_index(drop=True))
    )
    assert lines[-1] == ("progress 16 16",)


def test_a_bad_worker_specification_ends_with_one_line_and_exit_code_2(tmp_path, capsys):
    from sim.interfaces.browser import worker

    bad = tmp_path / "spec.json"
    bad.write_text('{"params": {}}', encoding="utf-8")
    assert worker.main([str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bad) in err[0]


def test_the_difference_per_community_is_paired_within_each_replicate():
    sc = load_scenario(scenario_dir() / "example_district.toml")
    pb = {**sc.params, "devolution_share": 0.9}
    comp = cmp.run_comparison(
        sc.params, pb, seed=3, replicates=3, months=6, district=sc.district, communities=True
    )
    assert cmp.same_communities(comp)
    diffs = cmp.community_differences(comp, "satisfaction")
    t = comp.communities
    c = int(diffs["community"].iloc[0])
    mine = t[t["community"] == c].pivot_table(
        index="replicate", columns="arm", values="satisfaction"
    )
    assert np.isclose(diffs["diff"].iloc[0], (mine["B"] - mine["A"]).mean())
    assert diffs["n"].iloc[0] == 3 and len(diffs) == t["community"].nunique()
    one = cmp.community_differences(comp, "satisfaction", replicate=1)
    assert np.isclose(one["diff"].iloc[0], mine["B"][1] - mine["A"][1]) and one["n"].iloc[0] == 1


def test_arms_on_different_communities_have_no_difference_per_community():
    comp = cmp.run_comparison(CURRENT, CURRENT, seed=3, replicates=1, months=2, communities=True)
    t = comp.communities
    comp.communities = t[~((t["arm"] == "B") & (t["community"] == t["community"].max()))]
    assert not cmp.same_communities(comp)
    assert cmp.community_differences(comp, "satisfaction").empty
