"""The figures to download: SVG, and PNG at twice the layout's resolution, in both
languages."""

from __future__ import annotations

import struct

import pandas as pd

from sim.interfaces.browser import figures

BANDS = {
    "satisfaction_mean": pd.DataFrame(
        {
            "month": [1, 2, 1, 2],
            "arm": ["A: x", "A: x", "B: y", "B: y"],
            "mean": [0.5, 0.52, 0.5, 0.55],
            "low": [0.48, 0.5, 0.47, 0.52],
            "high": [0.52, 0.54, 0.53, 0.58],
        }
    )
}


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_a_comparison_figure_is_svg_or_png_at_twice_the_resolution():
    svg = figures.compare_figure(BANDS, ("A: x", "B: y"), "title", "en", "svg")
    assert b"<svg" in svg[:400]
    png = figures.compare_figure(BANDS, ("A: x", "B: y"), "title", "en", "png")
    width, height = _png_size(png)
    fig, _ = figures._figure(1, "en")
    w_in, h_in = fig.get_size_inches()
    assert abs(width - w_in * figures.BASE_DPI * figures.PNG_SCALE) <= 2
    assert abs(height - h_in * figures.BASE_DPI * figures.PNG_SCALE) <= 2


def test_a_sweep_figure_draws_levels_or_paired_differences_in_chinese_too():
    effects = pd.DataFrame(
        {
            "value": [0.0, 1.0],
            "outcome": ["one_shoulder_share"] * 2,
            "mean": [0.2, 0.9],
            "low": [0.1, 0.8],
            "high": [0.3, 1.0],
            "diff": [0.0, 0.7],
            "diff_low": [None, 0.6],
            "diff_high": [None, 0.8],
        }
    )
    for relative in (False, True):
        svg = figures.sweep_figure(effects, "一肩挑", "标题", "zh", "svg", relative)
        assert b"<svg" in svg[:400]
