"""The report's figures (sim.experiments.analysis.figures): arms have short names with a key,
marker colours and the Morris diagonal are explained, axes carry units, confidence bands stay
inside the outcome's range and Morris mu* intervals do not go below 0."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.runs.runner
from sim.experiments.analysis import load_results, paired_differences, series_bands
from sim.experiments.analysis.estimates import arm_estimates
from sim.experiments.analysis.figures import (
    arm_names,
    fig_differences,
    fig_effects,
    fig_heatmaps,
    fig_morris,
    fig_series,
)
from sim.interfaces.cli.main import build_parser, main
from sim.runs.runner import RunResult

build_parser()  # import every command module before the runner is replaced

GRID = """steps = 12
replicates = 4
series_period = 3
outcomes = ["satisfaction_mean", "budget_idle"]
[design]
reference = { devolution_share = 0.3, capacity_building_share = 0.0 }
[factors]
devolution_share = [0.1, 0.3, 0.6]
capacity_building_share = [0.0, 0.4]
"""
ARMS = """steps = 12
replicates = 3
outcomes = ["satisfaction_mean"]
[design]
kind = "arms"
[arms.status_quo_with_a_long_descriptive_name]
[arms.full_devolution_with_capacity_building_programme]
devolution_share = 0.9
capacity_building_share = 0.3
"""


def near_one(params, seed, steps=120, **kwargs):
    """A stand-in run: satisfaction close to 1 with wide seed noise (its 95% CIs cross 1),
    idle money close to 0 (its CI crosses 0)."""
    rng = np.random.default_rng(seed)
    level = 0.96 + 0.03 * params["devolution_share"] + rng.normal(0, 0.03, steps)
    series = pd.DataFrame(
        {
            "step": np.arange(1, steps + 1),
            "satisfaction_mean": np.minimum(level, 1.0),
            "budget_idle": np.abs(rng.normal(0, 50, steps)),
        }
    )
    summary = {
        f"{stat}_{o}": float(series[o].iloc[-1])
        for stat in ("mean", "final")
        for o in ("satisfaction_mean", "budget_idle")
    }
    summary["mean_satisfaction_mean"] = 1.0 if seed % 2 else 0.9  # seeds of both parities
    return RunResult(dict(params), seed, steps, summary, series)


def results(tmp_path: Path, monkeypatch, body: str):
    monkeypatch.setattr(sim.runs.runner, "run", near_one)
    path = tmp_path / "exp.toml"
    path.write_text(body + "[fixed]\nn_streets = 1\n")
    out = tmp_path / "res"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    return load_results(out)


@pytest.fixture
def grid(tmp_path, monkeypatch):
    return results(tmp_path, monkeypatch, GRID)


def legend_texts(fig) -> tuple[list[str], str]:
    legend = fig.legends[0]
    return [t.get_text() for t in legend.get_texts()], legend.get_title().get_text()


def test_long_grid_arm_names_become_levels_under_abbreviated_factors(grid):
    names, key = arm_names(grid)
    assert names["devolution_share=0.6, capacity_building_share=0.4"] == "ds=0.6, cbs=0.4"
    assert key == "ds = devolution_share, cbs = capacity_building_share"


def test_long_arm_names_become_numbered_with_each_spelled_out(tmp_path, monkeypatch):
    names, key = arm_names(results(tmp_path, monkeypatch, ARMS))
    assert list(names.values()) == ["A1", "A2"]
    assert key.splitlines() == [
        "A1 = status_quo_with_a_long_descriptive_name",
        "A2 = full_devolution_with_capacity_building_programme",
    ]


def test_differences_name_arms_briefly_explain_the_marker_colours_and_show_units(grid):
    fig = fig_differences(grid, paired_differences(grid))
    names, key = arm_names(grid)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert set(ticks) == set(names.values()) - {names[grid.reference]}
    assert not any("…" in t for t in ticks)
    labels, title = legend_texts(fig)
    assert title == key
    assert any("excludes 0" in t for t in labels) and any("includes 0" in t for t in labels)
    assert fig.axes[0].get_xlabel() == "difference (0–1)"
    assert fig.axes[1].get_xlabel() == "difference (yuan)"


def band_values(ax) -> np.ndarray:
    return np.concatenate([c.get_paths()[0].vertices[:, 1] for c in ax.collections])


def test_series_name_arms_briefly_and_keep_bands_inside_the_outcomes_range(grid):
    bands = series_bands(grid)
    sat = bands[bands["outcome"] == "satisfaction_mean"]
    assert sat["high"].max() > 1  # the t-interval itself crosses 1 ...
    fig = fig_series(grid, bands)
    share, money = fig.axes[:2]
    assert band_values(share).max() <= 1.0  # ... the band drawn does not
    assert band_values(money).min() >= 0.0
    assert (share.get_ylabel(), money.get_ylabel()) == ("0–1", "yuan")
    labels, title = legend_texts(fig)
    assert title == arm_names(grid)[1]
    assert "ds=0.3, cbs=0 (reference, dashed)" in labels


def test_effect_bands_of_shares_stay_within_0_and_1_and_heatmaps_name_the_unit(grid):
    est = arm_estimates(grid)
    assert est[est["outcome"] == "satisfaction_mean"]["high"].max() > 1
    fig = fig_effects(grid, est)
    assert band_values(fig.axes[0]).max() <= 1.0
    assert fig.axes[0].get_ylabel() == "0–1"
    heat = fig_heatmaps(grid, est)
    assert [ax.get_ylabel() for ax in heat.axes[-2:]] == ["0–1", "yuan"]  # colour bars


def test_morris_mu_star_intervals_stop_at_zero_and_the_diagonal_is_explained():
    mi = pd.DataFrame(
        {
            "outcome": ["needs_met"] * 2,
            "factor": ["a", "b"],
            "mu": [0.0, 0.2],
            "mu_star": [0.01, 0.2],
            "mu_star_conf": [0.05, 0.03],
            "sigma": [0.02, 0.1],
            "sigma_low": [0.0, 0.05],
            "sigma_high": [0.04, 0.15],
            "trajectories": [8, 8],
        }
    )
    fig = fig_morris(None, mi)
    ax = fig.axes[0]
    xs = np.concatenate([seg[:, 0] for c in ax.collections for seg in c.get_segments()])
    assert xs.min() == pytest.approx(0.0)  # a's interval 0.01 ± 0.05 is drawn from 0
    assert xs.max() == pytest.approx(0.23)
    labels, _ = legend_texts(fig)
    assert labels[0].startswith("sigma = mu*") and "dotted line" in labels[0]
    assert "share, 0–1 per factor range" in ax.get_xlabel()


# --- layout for any number of arms, and Chinese text --------------------------------------------


def arms_experiment(names: list[str]) -> str:
    body = 'steps = 12\nreplicates = 3\noutcomes = ["satisfaction_mean", "budget_idle"]\n'
    body += '[design]\nkind = "arms"\n'
    for i, name in enumerate(names):
        body += f'[arms."{name}"]\ndevolution_share = {0.1 + 0.8 * i / max(1, len(names) - 1)}\n'
    return body


def text_boxes(fig) -> list:
    """Window extents of the figure's titles and legends (drawn first)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [fig._suptitle.get_window_extent(renderer)] if fig._suptitle else []
    boxes += [ax.title.get_window_extent(renderer) for ax in fig.axes if ax.get_visible()]
    boxes += [legend.get_window_extent(renderer) for legend in fig.legends]
    return boxes


@pytest.mark.parametrize("n_arms", [2, 3, 7, 16])
def test_the_differences_figure_is_laid_out_for_any_number_of_arms(n_arms, tmp_path, monkeypatch):
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    res = results(tmp_path, monkeypatch, arms_experiment([f"arm{i}" for i in range(n_arms)]))
    fig = fig_differences(res, paired_differences(res))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # constrained layout that collapses an axes warns
        FigureCanvasAgg(fig).draw()
    boxes = text_boxes(fig)
    for i, a in enumerate(boxes):  # titles and the legend never run into each other
        assert not any(a.overlaps(b) for b in boxes[i + 1 :])
    legend = fig.legends[0].get_window_extent()
    for ax in fig.axes:
        panel = ax.get_window_extent()
        assert panel.height >= 1.0 * fig.dpi  # at least an inch of plot, however few arms
        assert not legend.overlaps(panel)


def test_chinese_arm_names_are_drawn_with_an_installed_chinese_font(tmp_path, monkeypatch):
    import warnings

    from sim.experiments.analysis.figures import make_figures
    from sim.runs.figures import chinese_font

    if chinese_font() is None:
        pytest.skip("no Chinese font installed (scripts/setup.sh --browser installs one)")
    res = results(tmp_path, monkeypatch, arms_experiment(["现状", "一肩挑"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a warning
        for fig in make_figures(res).values():
            fig.savefig(tmp_path / "f.svg", format="svg")
            fig.savefig(tmp_path / "f.pdf", format="pdf")
    ticks = [t.get_text() for t in make_figures(res)["differences"].axes[0].get_yticklabels()]
    assert ticks == ["一肩挑"]
