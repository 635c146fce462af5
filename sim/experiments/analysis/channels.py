"""Effects under conditions, and the channels that carry them (docs/EXPERIMENTS.md).

For a grid whose first factor is the policy and whose other factors are conditions, the
report gives the policy's paired effect under each condition (`conditional_effects`) and a
paragraph generated from those numbers: where the policy raises or lowers the first outcome,
and, where it helps most and harms most, which of the other outcomes (the channels) move
with it, each named with the decisions that set it (`sim.core.metrics.DECIDED_BY`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.metrics import DECIDED_BY, OUTCOMES

from .estimates import conditional_effects, grid_levels
from .results import SweepResults
from .text import fmt_ci, fmt_num, md_escape, md_table

__all__ = ["conditions_section", "conditions_paragraph"]

MAX_CHANNELS = 4
"""Channels named per condition in the paragraph (largest |d_z| first)."""


def _policy(res: SweepResults) -> str:
    a = res.factors[0]
    levels = grid_levels(res)[a]
    return f"{a} {levels[0]} → {levels[-1]}"


def conditions_section(res: SweepResults, h: str) -> list[str]:
    """A table per outcome of the first factor's effect under each condition."""
    eff = conditional_effects(res)
    if eff.empty:
        return []
    lines = [
        f"{h}# Effect of {res.factors[0]} under each condition",
        "",
        f"{_policy(res)}, paired by seed, under each combination of the other factors: "
        "mean difference with 95% t-interval and Cohen's d_z.",
        "",
    ]
    for o in res.outcomes:
        g = eff[eff["outcome"] == o]
        if g.empty:
            continue
        rows = [
            [
                md_escape(str(r["condition"])),
                str(int(r["n"])),
                fmt_ci(r["diff"], r["low"], r["high"]),
                fmt_num(r["d_z"]),
            ]
            for _, r in g.iterrows()
        ]
        lines += [
            f"**{o}** — {OUTCOMES.get(o, '')}",
            "",
            md_table(["condition", "pairs", "effect [95% CI]", "d_z"], rows),
            "",
        ]
    return lines


def _sign(row: pd.Series) -> int:
    return 1 if row["low"] > 0 else -1 if row["high"] < 0 else 0


def _channels(eff: pd.DataFrame, condition: str, main: str) -> list[str]:
    g = eff[(eff["condition"] == condition) & (eff["outcome"] != main)]
    g = g[(g["low"] > 0) | (g["high"] < 0)]
    g = g.reindex(g["d_z"].abs().sort_values(ascending=False).index).head(MAX_CHANNELS)
    out = []
    for _, r in g.iterrows():
        text = f"{r['outcome']} {fmt_ci(r['diff'], r['low'], r['high'])}"
        if r["outcome"] in DECIDED_BY:
            text += f" (set by {DECIDED_BY[r['outcome']]})"
        out.append(text)
    return out


def conditions_paragraph(res: SweepResults) -> list[str]:
    """Plain-language statements, generated from `conditional_effects`, on where the
    policy helps or harms the first outcome and through which channels."""
    eff = conditional_effects(res)
    if eff.empty:
        return []
    main = res.outcomes[0]
    m = eff[eff["outcome"] == main].copy()
    m["sign"] = [_sign(r) for _, r in m.iterrows()]
    policy = _policy(res)

    def listing(sign: int) -> str:
        g = m[m["sign"] == sign]
        return (
            "; ".join(
                f"{r['condition']} ({fmt_ci(r['diff'], r['low'], r['high'])})"
                for _, r in g.iterrows()
            )
            or "none"
        )

    out = [
        f"**Under which conditions {policy} changes {main}**: it raises it under "
        f"{int((m['sign'] > 0).sum())} of {len(m)} conditions ({listing(1)}), lowers it "
        f"under {int((m['sign'] < 0).sum())} ({listing(-1)}), and the 95% CI includes zero "
        f"under {int((m['sign'] == 0).sum())} ({listing(0)})."
    ]
    extremes = []
    if (m["diff"] < 0).any():
        extremes.append(("lowers it most", m.loc[m["diff"].idxmin()]))
    if (m["diff"] > 0).any():
        extremes.append(("raises it most", m.loc[m["diff"].idxmax()]))
    for what, r in extremes:
        ch = _channels(eff, r["condition"], main)
        text = "; ".join(ch) if ch else "no other outcome moves with a CI that excludes zero"
        out.append(f"**What carries it** where it {what} ({r['condition']}): {text}.")
    flips = []
    for o in res.outcomes:
        if o == main:
            continue
        signs = {_sign(r) for _, r in eff[eff["outcome"] == o].iterrows()}
        if {1, -1} <= signs:
            flips.append(o)
    if flips:
        out.append(
            f"**Channels whose sign depends on the condition**: {', '.join(flips)} "
            "rise under some conditions and fall under others (95% CIs excluding "
            "zero)."
        )
    sizes = (
        eff[eff["outcome"] != main]
        .groupby("outcome")["d_z"]
        .apply(lambda s: float(np.nanmax(np.abs(s))) if s.notna().any() else float("nan"))
    )
    if sizes.notna().any():
        top = sizes.dropna().sort_values(ascending=False).head(3)
        out.append(
            "**Largest channel effects** (|d_z| under any condition): "
            + ", ".join(f"{o} ({fmt_num(v)})" for o, v in top.items())
            + "."
        )
    return out
