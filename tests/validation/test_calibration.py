"""Specification of the calibrated baseline (docs/VALIDATION.md, sim.validation.calibration).

The baseline scenario reproduces the calibration targets: owners' committees in 15-25% of
compounds with a minority of them functioning, property-fee collection of 85-95%, most
residents'-committee hours on administrative tasks, about half of residents voting in
committee elections. Each target is judged on the mean over several seeds of the reduced
world (`REDUCED_WORLD`: the default district scaled to 4 streets, firms and NGO slots scaled
alike; the verification in docs/VALIDATION.md shows the targets do not depend on world
size): the mean must lie in the target range and its 95% confidence interval in the range
widened by a fifth of its width on each side. 一肩挑 is an input: the realised share of
communities follows the lever in the baseline and the pre-reform scenario.

The calibration procedure's building blocks are specified on small synthetic inputs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.core.model import GovernanceModel
from sim.core.params import BY_NAME, defaults
from sim.core.scenario import load_scenario, scenario_dir
from sim.experiments.stats import mean_ci
from sim.runs.runner import run
from sim.validation import calibration as cal

SEEDS = (101, 102, 103, 104, 105, 106, 107, 108)
WIDEN = 0.2  # share of a target range's width added on each side for the CI check


@pytest.fixture(scope="module")
def baseline_targets() -> pd.DataFrame:
    """Target values of the baseline on the reduced world, one row per seed."""
    rows = []
    for seed in SEEDS:
        summary = run({**defaults(), **cal.REDUCED_WORLD}, seed, 120, series_period=None).summary
        rows.append(cal.target_values(summary))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("target", cal.TARGETS, ids=[t.name for t in cal.TARGETS])
def test_baseline_meets_the_calibration_target(baseline_targets, target):
    est = mean_ci(baseline_targets[target.name])
    assert target.low <= est.mean <= target.high, (target.name, est)
    margin = WIDEN * (target.high - target.low)
    assert target.low - margin <= est.low and est.high <= target.high + margin, (
        target.name, est)


def one_shoulder_counts(params: dict) -> tuple[int, int]:
    """Communities with 一肩挑 and communities in all, summed over the seeds."""
    with_both, total = 0, 0
    for seed in SEEDS:
        model = GovernanceModel(rng=seed, **{**params, **cal.REDUCED_WORLD})
        with_both += int(model.communities.one_shoulder.sum())
        total += model.communities.n
        model.remove_all_agents()
    return with_both, total


@pytest.mark.parametrize(
    ("scenario", "lever_ok"),
    [("pre_reform", lambda x: x == pytest.approx(0.15)), ("baseline", lambda x: x >= 0.95)],
)
def test_one_shoulder_share_follows_the_lever(scenario, lever_ok):
    params = load_scenario(scenario_dir() / f"{scenario}.toml").params
    lever = params["xa_one_shoulder"]
    assert lever_ok(lever)
    count, total = one_shoulder_counts(params)
    # Each community compares a fixed uniform number with the lever: a binomial share,
    # within 3.3 standard errors (two-sided 0.1%) of the lever.
    se = math.sqrt(lever * (1 - lever) / total)
    assert abs(count / total - lever) <= 3.3 * se, (count, total)


# --- the procedure's building blocks ------------------------------------------------------


def summary_of(**values: float) -> dict[str, float]:
    base = {"oc_formed_share": 0.2, "oc_functioning_share": 0.06, "fee_collection": 0.9,
            "admin_burden_share": 0.7, "election_turnout": 0.5}
    return {f"mean_{k}": v for k, v in {**base, **values}.items()}


def test_target_values_read_the_summary_and_form_the_functioning_ratio():
    values = cal.target_values(summary_of())
    assert values["oc_formed_share"] == 0.2
    assert values["oc_functioning_ratio"] == pytest.approx(0.3)
    assert values["fee_collection"] == 0.9
    assert math.isnan(cal.target_values(summary_of(oc_formed_share=0.0))["oc_functioning_ratio"])


def test_a_point_is_accepted_only_when_every_target_is_in_range():
    inside = cal.target_values(summary_of())
    assert cal.accept(inside)
    assert not cal.accept({**inside, "fee_collection": 0.97})
    assert not cal.accept({**inside, "oc_functioning_ratio": math.nan})


def test_distance_is_zero_at_the_centres_and_one_on_the_edges():
    centres = {t.name: t.centre for t in cal.TARGETS}
    edges = {t.name: t.high for t in cal.TARGETS}
    assert cal.distance(centres) == pytest.approx(0.0)
    assert cal.distance(edges) == pytest.approx(1.0)


def test_search_box_lies_inside_the_schema_and_every_factor_has_a_target():
    blocks = {t.block for t in cal.TARGETS}
    for f in cal.FACTORS:
        p = BY_NAME[f.name]
        assert p.low <= f.low < f.high <= p.high, f.name
        assert f.block in blocks and f.block in cal.BLOCKS, f.name
    assert set(cal.FIRST_GUESS) == {f.name for f in cal.FACTORS}


def test_reduced_world_keeps_the_per_capita_ratios_of_the_default_district():
    base = defaults()
    share = cal.REDUCED_WORLD["n_streets"] / base["n_streets"]
    for key in ("n_firms", "n_ngos"):
        assert cal.REDUCED_WORLD[key] == pytest.approx(base[key] * share)


def test_latin_hypercube_puts_one_point_in_every_stratum_of_every_factor():
    n = 16
    design = cal.latin_hypercube(cal.FACTORS, n, seed=3)
    assert list(design.columns) == [f.name for f in cal.FACTORS]
    for f in cal.FACTORS:
        u = f.unit(design[f.name].to_numpy())  # log factors are stratified on the log scale
        assert np.all((u >= 0) & (u <= 1))
        assert sorted(np.floor(u * n).astype(int)) == list(range(n))


def candidate_points() -> pd.DataFrame:
    """Three points at the middle of the box except for fee tolerance; two meet the fee
    target (collection 0.9, the centre, and 0.88), one misses it; all meet the others."""
    rows = []
    for tol, fee in ((0.1, 0.9), (0.2, 0.88), (0.3, 0.7)):
        rows.append({**{f.name: (f.low + f.high) / 2 for f in cal.FACTORS},
                     "fee_tolerance_mean": tol,
                     **{t.name: t.centre for t in cal.TARGETS}, "fee_collection": fee})
    return pd.DataFrame(rows)


def sensitivity_with(links: dict[tuple[str, str], float]) -> pd.DataFrame:
    """A sensitivity table with every parameter driving its own block's targets (0.5) and
    the given (parameter, target) coefficients."""
    table = pd.DataFrame(0.0, index=[f.name for f in cal.FACTORS],
                         columns=[t.name for t in cal.TARGETS])
    for f in cal.FACTORS:
        for t in cal.TARGETS:
            if f.block == t.block:
                table.loc[f.name, t.name] = 0.5
    for (name, target), value in links.items():
        table.loc[name, target] = value
    return table


def test_blocks_are_searched_apart_unless_a_strong_cross_effect_links_them():
    apart = cal.linked_groups(sensitivity_with({}))
    assert sorted(apart) == sorted((b,) for b in cal.BLOCKS)
    weak = cal.linked_groups(sensitivity_with({("admin_task_hours_per_1000", "election_turnout"):
                                               cal.LINK / 2}))
    assert len(weak) == len(cal.BLOCKS)
    linked = cal.linked_groups(sensitivity_with({("admin_task_hours_per_1000",
                                                  "election_turnout"): -0.7}))
    assert ("property",) in linked
    assert any(set(g) == {"burden", "participation"} for g in linked)


def test_group_acceptance_looks_only_at_the_groups_own_targets():
    points = candidate_points()
    fee = cal.group_accepted(points, ("property",))
    assert list(fee["fee_tolerance_mean"]) == [0.1, 0.2]  # nearest the centre first
    assert len(cal.group_accepted(points, ("owners_committee",))) == 3


def test_recombination_starts_with_the_choice_and_joins_group_accepted_points():
    points = candidate_points()
    points.loc[1, "oc_attempt_rate"] = 0.02  # tell the points apart in another group
    groups = [("owners_committee",), ("property",), ("burden", "participation")]
    design = cal.recombine(points, groups, n=20, seed=1)
    assert list(design.columns) == [f.name for f in cal.FACTORS]
    assert len(design) == 20
    assert design.iloc[0].to_dict() == cal.choose(points, groups)
    assert set(design["fee_tolerance_mean"][1:]) <= {0.1, 0.2}  # never the point missing fees
    assert design["oc_attempt_rate"][1:].nunique() == 2  # drawn independently of the fee group
    with pytest.raises(ValueError):
        cal.recombine(points.assign(fee_collection=0.5), groups, n=5, seed=1)


def fee_candidates() -> pd.DataFrame:
    """Points meeting the fee target, by fee tolerance: the best fit (0.90 at tolerance 0.06)
    lies on the edge of the accepted region, the fit at tolerance 0.20 is nearly as good and
    central; 0.30 fits worst; 0.32 misses the target."""
    rows = []
    for tol, fee in ((0.06, 0.90), (0.14, 0.93), (0.20, 0.89), (0.26, 0.92), (0.30, 0.94),
                     (0.32, 0.97)):
        rows.append({**{f.name: (f.low + f.high) / 2 for f in cal.FACTORS},
                     "fee_tolerance_mean": tol, "firm_fee_responsiveness": 0.75,
                     **{t.name: t.centre for t in cal.TARGETS}, "fee_collection": fee})
    return pd.DataFrame(rows)


def test_a_group_chooses_a_good_fit_in_the_middle_of_its_accepted_points():
    choice = cal.choose_in_group(fee_candidates(), ("property",))
    # accepted: 0.06, 0.14, 0.20, 0.26, 0.30 (median 0.20); squared fit distance plus squared
    # distance from the median in unit coordinates: 0.22, 0.40, 0.04, 0.20, 0.75
    assert choice["fee_tolerance_mean"] == 0.20
    assert list(choice.index) == ["fee_tolerance_mean", "firm_fee_responsiveness"]


def test_the_calibrated_set_joins_the_groups_choices_rounded():
    groups = [("owners_committee",), ("property",), ("burden", "participation")]
    chosen = cal.choose(fee_candidates(), groups)
    assert set(chosen) == {f.name for f in cal.FACTORS}
    assert chosen["fee_tolerance_mean"] == 0.2
    same_everywhere = fee_candidates()["oc_attempt_rate"][0]  # other groups: all points alike
    assert chosen["oc_attempt_rate"] == cal.round_significant(same_everywhere)
    with pytest.raises(ValueError):
        cal.choose(fee_candidates().assign(fee_collection=0.5), groups)


def test_round_significant_keeps_two_digits():
    assert cal.round_significant(0.0073456) == 0.0073
    assert cal.round_significant(233.7) == 230.0


def test_update_doc_replaces_only_the_block_between_the_markers(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(f"before\n{cal.DOC_BEGIN}\nold\n{cal.DOC_END}\nafter\n", encoding="utf-8")
    cal.update_doc(doc, "new\n")
    assert doc.read_text(encoding="utf-8") == (
        f"before\n{cal.DOC_BEGIN}\nnew\n{cal.DOC_END}\nafter\n")
