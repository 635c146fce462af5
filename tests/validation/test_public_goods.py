"""Specification of the public-goods reproduction (ODD §7.10, sim.validation.public_goods).

A small, short version of Santos, Santos & Pacheco (2008): the enhancement needed for
cooperation is lower on scale-free graphs than on regular ones, and lower still when the cost
is per individual. Judged over many independent runs (new graph, new strategies), with
confidence intervals, never on one run.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.validation import public_goods as pg

SMALL = pg.Config(
    n=300, runs=16, transient=500, generations=250, seed=7, eta_min=0.3, eta_max=1.0, eta_step=0.1
)


@pytest.fixture(scope="module")
def small_runs() -> pd.DataFrame:
    return pg.run_experiment(SMALL, workers=1)


def runs_at(runs: pd.DataFrame, case: str, eta: float) -> np.ndarray:
    part = runs[(runs["case"] == case) & np.isclose(runs["eta"], eta)]
    return part["mean_cooperation"].to_numpy()


def more_cooperation(runs: pd.DataFrame, better: str, worse: str, eta: float) -> float:
    """One-sided Welch t-test p-value of 'better has more cooperators than worse at eta'."""
    return stats.ttest_ind(
        runs_at(runs, better, eta),
        runs_at(runs, worse, eta),
        equal_var=False,
        alternative="greater",
    ).pvalue


def bootstrap_critical_eta(runs: pd.DataFrame, case: str, draws: int = 400) -> np.ndarray:
    """Critical eta (mean reaches 0.5) of resampled experiments: runs drawn with replacement."""
    rng = np.random.default_rng(0)
    part = runs[runs["case"] == case].sort_values(["eta", "run"])
    etas = np.sort(part["eta"].unique())
    table = part["mean_cooperation"].to_numpy().reshape(len(etas), -1)  # eta x run
    picks = rng.integers(0, table.shape[1], size=(draws, *table.shape))
    means = np.take_along_axis(table[None, :, :], picks, axis=2).mean(axis=2)
    out = []
    for curve in means:
        summary = pd.DataFrame({"case": case, "eta": etas, "mean": curve})
        out.append(pg.critical_eta(summary)[case])
    return np.array(out)


def test_every_run_is_recorded(small_runs):
    assert len(small_runs) == len(pg.CASES) * len(SMALL.etas()) * SMALL.runs
    assert small_runs["mean_cooperation"].between(0, 1).all()
    # Paired design: run j of a graph family uses one graph at every eta and cost rule.
    ba = small_runs[small_runs["graph"] == "scale_free"]
    assert (ba.groupby("run")["graph_seed"].nunique() == 1).all()
    assert small_runs.groupby("case")["graph_seed"].nunique().eq(SMALL.runs).all()


def test_no_cooperation_at_low_eta_and_much_at_high_eta(small_runs):
    summary = pg.summarise(small_runs).set_index(["case", "eta"])["mean"]
    for case in pg.CASES:
        assert summary[(case.name, 0.3)] < 0.05
        assert summary[(case.name, 1.0)] > 0.6


def test_scale_free_per_individual_cooperates_where_per_game_does_not(small_runs):
    assert more_cooperation(small_runs, "ba_per_individual", "ba_per_game", 0.5) < 1e-3


def test_scale_free_per_game_cooperates_where_regular_does_not(small_runs):
    assert more_cooperation(small_runs, "ba_per_game", "regular_per_game", 0.7) < 1e-3


def test_critical_eta_ordering_holds_across_resampled_experiments(small_runs):
    per_individual = bootstrap_critical_eta(small_runs, "ba_per_individual")
    per_game = bootstrap_critical_eta(small_runs, "ba_per_game")
    regular = bootstrap_critical_eta(small_runs, "regular_per_game")
    assert not np.isnan(np.concatenate([per_individual, per_game, regular])).any()
    # 95% bootstrap intervals do not overlap.
    assert np.quantile(per_individual, 0.975) < np.quantile(per_game, 0.025)
    assert np.quantile(per_game, 0.975) < np.quantile(regular, 0.025)


def test_summary_interval_contains_the_mean():
    runs = pd.DataFrame(
        {
            "case": ["a"] * 4 + ["b"] * 4,
            "eta": [0.5] * 8,
            "mean_cooperation": [0.1, 0.2, 0.3, 0.4, 1.0, 1.0, 1.0, 1.0],
            "fixated": [False] * 4 + [True] * 4,
        }
    )
    s = pg.summarise(runs).set_index("case")
    assert s.loc["a", "mean"] == pytest.approx(0.25)
    half = stats.t.ppf(0.975, 3) * np.std([0.1, 0.2, 0.3, 0.4], ddof=1) / 2
    assert s.loc["a", "ci_low"] == pytest.approx(0.25 - half)
    assert s.loc["b", ["ci_low", "ci_high"]].tolist() == [1.0, 1.0]
    assert s.loc["b", "fixated_share"] == 1.0


def test_critical_eta_interpolates_the_first_crossing():
    summary = pd.DataFrame({"case": "a", "eta": [0.2, 0.4, 0.6, 0.8], "mean": [0.0, 0.2, 0.6, 0.4]})
    assert pg.critical_eta(summary, 0.5)["a"] == pytest.approx(0.55)
    assert np.isnan(pg.critical_eta(summary, 0.7)["a"])
    assert pg.critical_eta(summary, 0.0)["a"] == pytest.approx(0.2)


def test_results_do_not_depend_on_grid_or_workers():
    tiny = pg.Config(
        n=60, runs=3, transient=20, generations=10, seed=3, eta_min=0.6, eta_max=0.8, eta_step=0.1
    )
    serial = pg.run_experiment(tiny, workers=1)
    parallel = pg.run_experiment(tiny, workers=2)
    pd.testing.assert_frame_equal(serial, parallel)
    alone = pg.run_experiment(replace(tiny, eta_min=0.7, eta_max=0.7))
    key = ["case", "eta", "run"]
    merged = serial.merge(alone, on=key, suffixes=("", "_alone"))
    assert len(merged) == len(alone)
    assert (merged["mean_cooperation"] == merged["mean_cooperation_alone"]).all()


def test_command_writes_csv_figure_and_table(tmp_path):
    doc = tmp_path / "VALIDATION.md"
    doc.write_text(f"# V\n\nbefore\n{pg.DOC_BEGIN}\nold table\n{pg.DOC_END}\nafter\n")
    code = pg.main(
        [
            "--out",
            str(tmp_path / "out"),
            "--runs",
            "2",
            "--n",
            "40",
            "--generations",
            "5",
            "--transient",
            "5",
            "--workers",
            "1",
            "--eta-min",
            "0.4",
            "--eta-max",
            "0.6",
            "--eta-step",
            "0.2",
            "--doc",
            str(doc),
        ]
    )
    assert code == 0
    runs = pd.read_csv(tmp_path / "out" / "public_goods_runs.csv")
    assert len(runs) == 3 * 2 * 2
    assert {
        "case",
        "eta",
        "run",
        "graph_seed",
        "mean_cooperation",
        "fixated",
        "hub_degree",
        "hub_cooperates",
    } <= set(runs)
    png = (tmp_path / "out" / "public_goods.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    table = (tmp_path / "out" / "public_goods.md").read_text()
    assert "| 0.40 |" in table and "| 0.60 |" in table and "η at 0.5" in table
    assert "hub cooperates" not in table  # no eta >= 0.8 in this grid
    text = doc.read_text()
    assert "old table" not in text and table in text
    assert text.startswith("# V\n\nbefore\n") and text.endswith(f"{pg.DOC_END}\nafter\n")


@pytest.mark.parametrize(
    "argv",
    [
        ["--runs", "1"],  # --out missing
        ["--out", "x", "--runs", "0"],
        ["--out", "x", "--transient", "-1"],
        ["--out", "x", "--eta-step", "0"],
        ["--out", "x", "--eta-min", "1.0", "--eta-max", "0.5"],
        ["--out", "x", "--n", "many"],
        ["--out", "x", "--doc", "no/such/file.md"],
    ],
)
def test_bad_arguments_exit_with_code_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        pg.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("python -m sim.validation.public_goods: error:")


def test_report_splits_high_eta_scale_free_runs_by_the_hub_strategy():
    rows = []
    for case in pg.CASES:
        for eta in (0.6, 0.8):
            for run, hub_c in enumerate((True, True, False)):
                rows.append(
                    {
                        "case": case.name,
                        "graph": case.graph,
                        "eta": eta,
                        "run": run,
                        "mean_cooperation": 0.9 if hub_c else 0.6,
                        "fixated": False,
                        "hub_cooperates": hub_c,
                    }
                )
    runs = pd.DataFrame(rows)
    config = pg.Config(runs=3, eta_min=0.6, eta_max=0.8, eta_step=0.2)
    report = pg.markdown_report(pg.summarise(runs), config, runs)
    assert "| Scale-free (BA), cost per game | 2 | 0.900 | 1 | 0.600 |" in report
    assert "| Scale-free (BA), cost per individual | 2 | 0.900 | 1 | 0.600 |" in report
    assert "| Regular graph, cost per game | 2 |" not in report  # no hubs on regular graphs
