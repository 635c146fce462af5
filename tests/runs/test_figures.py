"""Figure helpers (sim/runs/figures.py): panel titles that neither overlap nor lose
Chinese terms to empty boxes."""

from __future__ import annotations

import io
import warnings

import pytest
from matplotlib.figure import Figure

from sim.runs import figures
from sim.runs.figures import panel_title

TITLE = "episode: 一肩挑 in one election round (Taiyuan urban communities) (change)"


def _titled(text: str, width: int = 40) -> Figure:
    fig = Figure(figsize=(4, 3))
    panel_title(fig.subplots(), text, width=width)
    return fig


def test_long_titles_are_wrapped_to_the_width():
    fig = _titled(TITLE, width=40)
    lines = fig.axes[0].get_title().splitlines()
    assert len(lines) > 1 and all(len(line) <= 40 for line in lines)


@pytest.mark.skipif(figures.chinese_font() is None, reason="no Chinese font installed")
def test_chinese_terms_are_drawn_with_a_chinese_font_without_missing_glyphs():
    fig = _titled(TITLE)
    assert "一肩挑" in fig.axes[0].get_title()
    assert figures.chinese_font() in fig.axes[0].title.get_fontfamily()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of each glyph it cannot draw
        fig.savefig(io.BytesIO(), format="png")


def test_without_a_chinese_font_the_term_is_left_out_not_drawn_as_boxes(monkeypatch):
    monkeypatch.setattr(figures, "chinese_font", lambda: None)
    fig = _titled("owners' committees (业委会) formed", width=80)
    assert fig.axes[0].get_title() == "owners' committees formed"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(io.BytesIO(), format="png")
