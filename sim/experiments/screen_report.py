"""The report "What sets the sign": Markdown and figures from a screen's results.

`render` writes the Markdown block (the report's body, for a file of its own or between the
markers of a document) and `write_report` writes it with one figure per contrast: the
factors ranked by their Morris mu* on the contrast's first two outcomes against the noise
factor, and the maps of the effect over the contrast's two most decisive factors, with each
axis labelled by the parameter values and by the condition measured in the district at
them. Every number comes from the screen's stores (`sim.experiments.screen_pipeline`).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.core.params import BY_NAME
from sim.runs.conditions import BY_NAME as CONDITION
from sim.runs.conditions import CONDITIONS

from .analysis.text import fmt_ci, fmt_num, md_escape, md_table
from .plan import MODEL_CODE
from .screen import ScreenDefinition, plausible_range
from .screen_analysis import FLIPS
from .screen_pipeline import ScreenResults
from .screen_runs import NOISE

__all__ = [
    "DOC_BEGIN",
    "DOC_END",
    "SUMMARY_BEGIN",
    "SUMMARY_END",
    "render",
    "render_summary",
    "write_report",
    "measured_axis",
    "basis",
]

DOC_BEGIN = "<!-- screen:begin (written by python -m sim screen) -->"
DOC_END = "<!-- screen:end -->"
SUMMARY_BEGIN = "<!-- screen-summary:begin (written by python -m sim screen --summary-doc) -->"
SUMMARY_END = "<!-- screen-summary:end -->"
TOP = 8
"""Factors listed per contrast in the ranking."""
SUMMARY_TOP = 5
"""Factors listed per policy in the summary (each with its basis)."""
BASIS = {
    "S": "sourced (a published figure; the schema names it)",
    "C": "calibrated to a cited figure (docs/VALIDATION.md)",
    "A": "assumption, wide range (no measurement found; screened over the range listed in "
    "the report)",
}
"""What each basis mark means."""
SHORT_BASIS = {"S": "sourced", "C": "calibrated", "A": "assumption, wide range"}
"""BASIS in a word or three, for the guide's summary."""
CLEAR_T = 2.0
"""|t| above which a condition counts as moved by a factor (paired over seeds)."""
MATERIAL_SHIFT = 0.10
"""Least change of a condition between a factor's range ends, relative to the larger of its
two values, for the condition to locate a district on the factor: a survey tells apart
districts whose secretaries' hours or trust differ by a tenth, not by one percent. A shift
that is clear (|t| >= CLEAR_T) but smaller does not say where a district stands."""


def _cost_line(res: ScreenResults) -> str:
    c = res.cost
    total = float(c["run_seconds"].sum())
    per_stage = ", ".join(
        f"{r.stage} {int(r.runs):,} runs of {int(r.months)} months" for r in c.itertuples()
    )
    kind = "CPU" if bool(c["cpu_measured"].all()) else "CPU (wall where not recorded)"
    return (
        f"{int(c['runs'].sum()):,} distinct runs ({per_stage}); the runs took "
        f"{total / 3600:.2f} hours of computing ({total:,.0f} {kind} seconds, as timed by "
        "the workers that ran them)."
    )


def _fmt_signed(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:+.3g}"


def _est(mean: float, low: float, high: float) -> str:
    if not math.isfinite(mean):
        return "–"
    if not math.isfinite(low):
        return _fmt_signed(mean)
    return f"{_fmt_signed(mean)} [{_fmt_signed(low)}, {_fmt_signed(high)}]"


def _factor_label(defn: ScreenDefinition, name: str) -> str:
    if name == NOISE:
        return "(noise: another seed)"
    f = defn.factor(name)
    if f.is_group:
        return f"`{name}` ({', '.join(f.params)})"
    return f"`{name}`"


def _param_basis(name: str) -> str:
    """S, C or A (see BASIS) from the schema's source text of parameter `name`."""
    source = BY_NAME[name].source.strip().lower()
    if source.startswith("assumption"):
        return "A"
    return "C" if source.startswith("calibrat") else "S"


def basis(defn: ScreenDefinition, name: str) -> str:
    """The basis of a factor (BASIS): its parameter's, or for a group its members' in the
    order S, C, A joined by '+' (a group is sourced only when every member is)."""
    if name == NOISE:
        return "–"
    marks = {_param_basis(p) for p in defn.factor(name).params}
    return "+".join(m for m in "SCA" if m in marks)


def _range_text(defn: ScreenDefinition, name: str) -> str:
    f = defn.factor(name)
    return "; ".join((f"{p}: " if f.is_group else "") + md_escape(f.describe(p)) for p in f.params)


def _condition_text(name: str, value: float) -> str:
    c = CONDITION[name]
    return f"{c.meaning}: {fmt_num(value)} {c.unit}"


def _clear_shifts(res: ScreenResults, contrast: str, factor: str) -> pd.DataFrame:
    """The conditions the factor moves clearly and materially in the district without the
    policy (|t| >= CLEAR_T, 95% interval excluding zero, a change of at least MATERIAL_SHIFT
    of the larger end), the clearest first."""
    s = res.shifts
    mine = s[(s["contrast"] == contrast) & (s["factor"] == factor) & (s["arm"] == "ref")]
    scale = np.maximum(mine["low_end"].abs(), mine["high_end"].abs())
    clear = mine[
        (mine["t"].abs() >= CLEAR_T)
        & ((mine["shift_low"] > 0) | (mine["shift_high"] < 0))
        & ((mine["high_end"] - mine["low_end"]).abs() >= MATERIAL_SHIFT * scale)
    ]
    return clear.reindex(clear["t"].abs().sort_values(ascending=False).index)


def measured_axis(res: ScreenResults, contrast: str, factor: str) -> str | None:
    """The condition that shows the factor most clearly in the district without the policy
    (the largest |t| among `_clear_shifts`), or None if no measured condition moves so."""
    clear = _clear_shifts(res, contrast, factor)
    return None if clear.empty else str(clear["condition"].iloc[0])


def _moved_conditions(res: ScreenResults, contrast: str, factor: str, n: int = 3) -> list[str]:
    return [
        f"{CONDITION[r.condition].meaning} {fmt_num(r.low_end)} → {fmt_num(r.high_end)} "
        f"{CONDITION[r.condition].unit}"
        for r in _clear_shifts(res, contrast, factor).head(n).itertuples()
    ]


def _settings(res: ScreenResults, command: str) -> list[str]:
    d = res.defn
    world = ", ".join(f"{k} = {v}" for k, v in d.world.items()) or "the base scenario's"
    ref_world = ", ".join(f"{k} = {v}" for k, v in d.reference_world.items()) or "the base's"
    n_params = len(d.screened)
    return [
        "## How it was run",
        "",
        f"Generated by `{command}` from `{d.path.name}` on the model version {__version__} "
        f"(model code {MODEL_CODE}; definition {d.code()}). Base scenario `{d.scenario}` on a "
        f"reduced world ({world}), {d.steps} months per run, effects averaged over the last "
        f"{d.window} months; the reference check runs {d.reference_steps} months on "
        f"{ref_world}. {len(d.contrasts)} contrasts over {len(d.arms)} arms; {n_params} "
        f"parameters screened as {len(d.factors)} factors, {len(d.excluded)} not screened "
        "(listed below).",
        "",
        f"- **Morris design** (SALib): {d.trajectories} trajectories × ({len(d.factors)} "
        f"factors + 1 noise factor + 1) = {d.morris_points} points, {d.levels} levels, every "
        "arm at every point with the same seed (common random numbers). mu* is the mean "
        "absolute elementary effect of moving a factor over its whole plausible range, in the "
        "outcome's units, with SALib's bootstrap 95% interval. The noise factor sets only "
        "the seed (each of its levels is another seed; every other step keeps the seed), so "
        "its mu* is what a change of seed alone does to the paired effect.",
        f"- **Range ends**: for each contrast, {d.candidates} factors — its two most decisive "
        "(largest swing of the effect over their range on its first outcome) and those whose "
        "swing is largest against the effect at the default values — run at both ends of "
        f"their range with {d.seeds} paired seeds. A factor **flips the sign** only when the "
        "effect at both ends has a 95% interval that excludes zero and the two means have "
        "opposite signs.",
        f"- **Maps**: the effect over a 3 × 3 grid (low end, base value, high end) of the "
        f"two most decisive factors, {d.seeds} paired seeds per cell.",
        f"- **Cost**: {_cost_line(res)}",
        "",
        *_spread(res),
    ]


def _spread_note(res: ScreenResults) -> str:
    """The first outcome's median over the design's points against its default, for the
    guide's summary ('' when the spread is not known)."""
    t = res.spread
    if t is None or t.empty:
        return ""
    r = t.iloc[0]
    return (
        f"; over the design's points `{r.outcome}` without a policy has a median of "
        f"{fmt_num(r.q50)} against {fmt_num(r.default)} at the defaults"
    )


def _spread(res: ScreenResults) -> list[str]:
    """Where the Morris design's points put the world without a policy, against the defaults."""
    t = res.spread
    if t is None or t.empty:
        return []
    rows = [
        [
            f"`{r.outcome}`",
            fmt_num(r.default),
            str(r.points),
            f"{fmt_num(r.q05)} / {fmt_num(r.q25)} / {fmt_num(r.q50)} / {fmt_num(r.q75)} / "
            f"{fmt_num(r.q95)}",
        ]
        for r in t.itertuples()
    ]
    return [
        f"**Where the design's points lie.** The base arm (`{t['arm'].iloc[0]}`, no policy) at "
        "the default values and over the Morris points, which move every factor over its whole "
        "range at once. Where most points lie far from the default (an outcome at its bound, "
        "such as needs met near 0 where need far exceeds the hours to meet it), the elementary "
        "effects describe worlds unlike the default, and a policy's effect there is small for "
        "every factor; the range ends, which move one factor from the defaults, do not share "
        "this.",
        "",
        md_table(["outcome", "at the defaults", "points", "5% / 25% / 50% / 75% / 95%"], rows),
        "",
    ]


def _coverage(res: ScreenResults) -> list[str]:
    d = res.defn
    lines = [
        "## What is screened",
        "",
        f"Every parameter of the schema except those below is screened over its plausible "
        "range (the table at the end): the range the definition gives, else the schema's "
        f"range narrowed to at most {d.band:g} times its default either way"
        + (" (band = 0: the schema's ranges)" if not d.band else "")
        + ". Parameters that are one assumption in several numbers move together as one "
        "factor:",
        "",
    ]
    groups = [f for f in d.factors if f.is_group]
    if groups:
        lines += [f"- `{f.name}`: {', '.join(f.params)}" for f in groups]
    else:
        lines.append("- (no groups)")
    by_reason: dict[str, list[str]] = {}
    for p, why in d.excluded.items():
        by_reason.setdefault(why, []).append(p)
    lines += ["", "Not screened, and why:", ""]
    rows = [[md_escape(why), ", ".join(f"`{p}`" for p in ps)] for why, ps in by_reason.items()]
    lines += [md_table(["reason", "parameters"], rows), ""]
    return lines


def _fidelity(res: ScreenResults) -> list[str]:
    f = res.fidelity
    d = res.defn
    counts = f["agreement"].value_counts()
    rows = [
        [
            md_escape(d.contrast(r.contrast).label),
            f"`{r.outcome}`",
            _est(r.reduced, r.reduced_low, r.reduced_high),
            _est(r.reference, r.reference_low, r.reference_high),
            r.agreement,
        ]
        for r in f.itertuples()
    ]
    bad = f[f["agreement"].isin(["opposite signs", "reference only"])]
    lines = [
        "## Do the reduced world and horizon keep the sign?",
        "",
        f"The effect at the default values on the screen's reduced world and {d.steps} "
        f"months, against the reference settings ({d.reference_steps} months), "
        f"{d.seeds} paired seeds each: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + ".",
        "",
    ]
    if bad.empty:
        lines.append(
            "No effect the reference settings find is missing or reversed in the reduced settings."
        )
    else:
        items = "; ".join(
            f"{d.contrast(r.contrast).label} on `{r.outcome}` ({r.agreement})"
            for r in bad.itertuples()
        )
        lines.append(
            f"**Where the reduced settings differ from the reference:** {items}. The "
            "screen's ranking and flips for these are about the reduced world and horizon; "
            "run the sharper settings below before relying on them."
        )
    lines += ["", md_table(["contrast", "outcome", "screen", "reference", "signs"], rows), ""]
    return lines


def _verdicts(
    res: ScreenResults, contrast: str, outcome: str
) -> tuple[str, list[str], list[str], set[str]]:
    """For one contrast and outcome: the effect at the default values (text with its 95%
    interval), the factors measured to flip it, the factors ranked by Morris mu*, and those
    whose mu* interval lies above the noise factor's (they move the effect more than a
    change of seed does)."""
    d0 = res.defaults[(res.defaults["contrast"] == contrast) & (res.defaults["outcome"] == outcome)]
    effect = _est(d0["mean"].iloc[0], d0["low"].iloc[0], d0["high"].iloc[0]) if len(d0) else "–"
    flips = res.ends[
        (res.ends["contrast"] == contrast)
        & (res.ends["outcome"] == outcome)
        & (res.ends["verdict"] == FLIPS)
    ]["factor"]
    m = res.morris[
        (res.morris["contrast"] == contrast)
        & (res.morris["outcome"] == outcome)
        & (res.morris["factor"] != NOISE)
    ].sort_values("mu_star", ascending=False)
    above = set(m[m["mu_star"] - m["mu_star_conf"] > m["noise"]]["factor"])
    return effect, list(flips), list(m["factor"]), above


def _summary(res: ScreenResults) -> list[str]:
    d = res.defn
    lines = [
        "## Summary: what can flip each policy's sign",
        "",
        "For each contrast and outcome: the effect at the default values, the factors "
        "measured to flip it within their plausible range (both ends' 95% intervals exclude "
        "zero, opposite signs), and the three factors with the largest Morris mu* (▲: above "
        "the noise factor's, so distinguishable from a change of seed).",
        "",
    ]
    rows = []
    for c in d.contrasts:
        for o in c.outcomes:
            effect, flips, ranked, above = _verdicts(res, c.name, o)
            rows.append(
                [
                    md_escape(c.label),
                    f"`{o}`",
                    effect,
                    ", ".join(f"`{f}`" for f in flips) or "none measured",
                    ", ".join(f"`{f}`" + (" ▲" if f in above else "") for f in ranked[:3]),
                ]
            )
    lines += [md_table(["contrast", "outcome", "effect at default", "flips it", "top mu*"], rows)]
    return lines + [""]


def _ranking(res: ScreenResults, contrast: Any) -> list[str]:
    m = res.morris[res.morris["contrast"] == contrast.name]
    shown = [o for o in contrast.outcomes if o in set(m["outcome"])][:2]
    if not shown:
        return ["No outcome of this contrast is defined at every point of the design.", ""]
    first = m[m["outcome"] == shown[0]].sort_values("mu_star", ascending=False)
    top = [f for f in first["factor"] if f != NOISE][:TOP] + [NOISE]
    headers = (
        ["factor", "basis"] + [f"`{o}` mu* [95%]" for o in shown] + [f"`{shown[0]}` mu, sigma"]
    )
    rows = []
    for f in top:
        row = [_factor_label(res.defn, f), basis(res.defn, f)]
        for o in shown:
            r = m[(m["outcome"] == o) & (m["factor"] == f)].iloc[0]
            lo, hi = r.mu_star - r.mu_star_conf, r.mu_star + r.mu_star_conf
            mark = " ▲" if f != NOISE and lo > r.noise else ""
            row.append(fmt_ci(r.mu_star, lo, hi) + mark)
        r0 = m[(m["outcome"] == shown[0]) & (m["factor"] == f)].iloc[0]
        row.append(f"{_fmt_signed(r0.mu)}, {fmt_num(r0.sigma)}")
        rows.append(row)
    return [
        "Factors ranked by mu* on the first outcome (▲: the interval lies above the noise "
        "factor's mu*, i.e. the factor moves the effect more than a change of seed does; "
        "basis: " + "; ".join(f"{k} {v}" for k, v in BASIS.items()) + "):",
        "",
        md_table(headers, rows),
        "",
    ]


def _ends(res: ScreenResults, contrast: Any) -> list[str]:
    e = res.ends[res.ends["contrast"] == contrast.name]
    if e.empty:
        return []
    rows = []
    for r in e.itertuples():
        verdict = f"**{r.verdict}**" if r.verdict == FLIPS else r.verdict
        rows.append(
            [
                f"`{r.factor}`",
                _range_text(res.defn, r.factor),
                f"`{r.outcome}`",
                _est(r.low_end, r.low_end_low, r.low_end_high),
                _est(r.high_end, r.high_end_low, r.high_end_high),
                verdict,
            ]
        )
    return [
        f"At the ends of the candidates' ranges ({res.defn.seeds} paired seeds, 95% intervals):",
        "",
        md_table(["factor", "range", "outcome", "low end", "high end", "verdict"], rows),
        "",
    ]


def _measurable(res: ScreenResults, contrast: Any) -> list[str]:
    sel = res.selection[contrast.name]
    lines = ["In measurable units (conditions measured in the district without the policy):", ""]
    flips = res.ends[(res.ends["contrast"] == contrast.name) & (res.ends["verdict"] == FLIPS)]
    for f in sel.candidates:
        moved = _moved_conditions(res, contrast.name, f)
        text = (
            "; ".join(moved)
            if moved
            else "no measured condition moves clearly and by a tenth with it"
        )
        lines.append(f"- `{f}` from the low to the high end of its range: {text}.")
        for r in flips[flips["factor"] == f].itertuples():
            axis = measured_axis(res, contrast.name, f)
            if axis is None:
                lines.append(
                    f"  - It flips the effect on `{r.outcome}` from {_est(r.low_end, r.low_end_low, r.low_end_high)} "
                    f"to {_est(r.high_end, r.high_end_low, r.high_end_high)}, but no measured "
                    "condition shows where a district stands on it: the flip rests on an "
                    "assumption a district survey cannot check."
                )
                continue
            s = res.shifts
            row = s[
                (s["contrast"] == contrast.name)
                & (s["factor"] == f)
                & (s["condition"] == axis)
                & (s["arm"] == "ref")
            ].iloc[0]
            lines.append(
                f"  - **Flip, in measurable units:** the effect on `{r.outcome}` is "
                f"{_est(r.low_end, r.low_end_low, r.low_end_high)} where "
                f"{_condition_text(axis, row.low_end)}, and "
                f"{_est(r.high_end, r.high_end_low, r.high_end_high)} where it is "
                f"{fmt_num(row.high_end)} {CONDITION[axis].unit}."
            )
    if not sel.candidates:
        lines.append("- no candidates (every factor is set by the contrast)")
    return lines + [""]


def _contrast_section(res: ScreenResults, contrast: Any, figure: str | None) -> list[str]:
    d0 = res.defaults[res.defaults["contrast"] == contrast.name]
    effects = "; ".join(f"`{r.outcome}` {_est(r.mean, r.low, r.high)}" for r in d0.itertuples())
    arms = res.defn.arms
    policy = ", ".join(f"{k} = {v}" for k, v in arms[contrast.policy].items())
    ref = contrast.reference
    lines = [
        f"### {contrast.label}",
        "",
        f"`{contrast.policy}` ({policy}) against `{ref}`"
        + (f" ({', '.join(f'{k} = {v}' for k, v in arms[ref].items())})" if arms[ref] else "")
        + f". Effect at the default values: {effects}.",
        "",
    ]
    lines += _ranking(res, contrast)
    lines += _ends(res, contrast)
    lines += _measurable(res, contrast)
    if figure is not None:
        maps = res.selection[contrast.name].maps
        lines += [
            f"![{contrast.label}: factors ranked by mu*, and the effect over "
            f"{' and '.join(maps)}]({figure})",
            "",
        ]
    return lines


def _ranges(res: ScreenResults) -> list[str]:
    d = res.defn
    rows = []
    for f in d.factors:
        for p in f.params:
            param = BY_NAME[p]
            r = f.ranges[f.params.index(p)]
            source = "—"
            if r is not None and param.type in (int, float):
                auto = plausible_range(param, d.band)
                given = (r.low, r.high, r.scale) != (auto.low, auto.high, auto.scale)
                source = (
                    "definition"
                    if given
                    else (
                        "schema"
                        if (auto.low, auto.high) == (float(param.low), float(param.high))
                        else f"band ×{d.band:g}"
                    )
                )
            rows.append(
                [
                    f"`{p}`",
                    "" if not f.is_group else f"`{f.name}`",
                    md_escape(f.describe(p)),
                    md_escape(str(param.default)),
                    source,
                ]
            )
    return [
        "## Plausible ranges",
        "",
        "Every screened parameter, its factor (if grouped), the range it was screened over, "
        "its default, and where the range comes from (definition: `[ranges]` of the screen "
        "definition; schema: the schema's range; band: the schema's range narrowed around the "
        "default).",
        "",
        md_table(["parameter", "group", "range", "default", "range from"], rows),
        "",
    ]


def render(res: ScreenResults, figures: dict[str, str], command: str) -> str:
    """The report's Markdown (figures: contrast → link to its figure)."""
    lines = [
        "What sets the sign of each policy's effect: every parameter that is not a lever, "
        "screened against every contrast; the ones that can flip the sign measured at the "
        "ends of their range; and where a flip happens, in quantities a district survey can "
        "measure. Conditions measured in the runs: "
        + "; ".join(f"{c.meaning} ({c.unit})" for c in CONDITIONS)
        + ".",
        "",
    ]
    lines += _settings(res, command)
    lines += _fidelity(res)
    lines += _summary(res)
    lines += ["## By contrast", ""]
    for c in res.defn.contrasts:
        lines += _contrast_section(res, c, figures.get(c.name))
    lines += _coverage(res)
    lines += _ranges(res)
    return "\n".join(lines).rstrip() + "\n"


def render_summary(res: ScreenResults, report_link: str) -> str:
    """A short block for a guide: one row per policy contrast with its effect on its first
    outcome at the default values, the factors measured to flip that effect, and its
    SUMMARY_TOP most decisive factors (Morris mu*) each with its basis (BASIS), marked ▲
    where the factor moves the effect more than a change of seed does."""
    d = res.defn
    rows = []
    distinct = 0
    for c in d.contrasts:
        effect, flips, ranked, above = _verdicts(res, c.name, c.outcomes[0])
        distinct += bool(above)
        rows.append(
            [
                f"`{c.name}`",
                effect,
                ", ".join(f"`{f}`" for f in flips) or "none measured",
                ", ".join(
                    f"`{f}` {basis(d, f)}" + (" ▲" if f in above else "")
                    for f in ranked[:SUMMARY_TOP]
                ),
            ]
        )
    outcomes = sorted({c.outcomes[0] for c in d.contrasts})
    return "\n".join(
        [
            f"Per policy: the paired effect on {', '.join(f'`{o}`' for o in outcomes)} at the "
            f"defaults and the factors that flip its sign at their range ends ({d.seeds} "
            f"paired seeds, 95% intervals); its {SUMMARY_TOP} most decisive factors by Morris "
            "mu*, with their basis ("
            + ", ".join(f"{k} {v}" for k, v in SHORT_BASIS.items())
            + ") and ▲ where a factor moves the effect more than a change of seed does "
            f"({distinct} of {len(d.contrasts)} policies have one; elsewhere the order is "
            f"within seed noise at {d.trajectories} trajectories){_spread_note(res)}. "
            f"Model code {MODEL_CODE}; "
            f"tables, ranges and method: [What sets the sign]({report_link}).",
            "",
            md_table(
                ["policy", "effect at defaults", "flips the sign", f"top {SUMMARY_TOP} (basis)"],
                rows,
            ),
            "",
        ]
    )


# --- figures --------------------------------------------------------------------------------


def _axis_labels(
    res: ScreenResults, contrast: str, factor: str, cells: pd.DataFrame, by: str
) -> tuple[list[str], str]:
    """Tick labels of a map axis — the parameter's value (a group's position: low end, base,
    high end) and the condition measured there — and the axis title."""
    defn = res.defn
    f = defn.factor(factor)
    axis = measured_axis(res, contrast, factor)
    labels = []
    for i in range(3):
        sub = cells[cells[by] == i]
        u = float(sub[by.replace("i", "u")].iloc[0])
        if f.is_group:
            text = (
                "base" if not np.isfinite(u) else {0.0: "low end", 1.0: "high end"}.get(u, "middle")
            )
        else:
            p = f.params[0]
            value = f.value(p, u) if np.isfinite(u) else defn.base[p]
            text = fmt_num(value) + ("" if np.isfinite(u) else " (base)")
        if axis is not None:
            text += f"\n{fmt_num(sub[f'ref_{axis}'].mean())}"
        labels.append(text)
    title = factor if not f.is_group else f"{factor} (group)"
    if axis is not None:
        title += f"\nmeasured: {CONDITION[axis].meaning} ({CONDITION[axis].unit})"
    return labels, title


def _map_panel(ax: Any, res: ScreenResults, contrast: str, outcome: str) -> None:
    from matplotlib.colors import TwoSlopeNorm

    m = res.maps[(res.maps["contrast"] == contrast) & (res.maps["outcome"] == outcome)]
    if m.empty:
        ax.set_axis_off()
        return
    a, b = m["a"].iloc[0], m["b"].iloc[0]
    z = np.full((3, 3), np.nan)
    for r in m.itertuples():
        z[int(r.ib), int(r.ia)] = r.mean
    span = float(np.nanmax(np.abs(z))) or 1e-9
    img = ax.imshow(z, origin="lower", cmap="RdBu", norm=TwoSlopeNorm(0.0, -span, span))
    for r in m.itertuples():
        clear = (r.low > 0) or (r.high < 0)
        ax.text(
            int(r.ia),
            int(r.ib),
            _fmt_signed(r.mean) + ("*" if clear else ""),
            ha="center",
            va="center",
            fontsize=8,
        )
    xl, xt = _axis_labels(res, contrast, a, m, "ia")
    yl, yt = _axis_labels(res, contrast, b, m, "ib")
    ax.set_xticks(range(3), xl, fontsize=7)
    ax.set_yticks(range(3), yl, fontsize=7)
    ax.set_xlabel(xt, fontsize=8)
    ax.set_ylabel(yt, fontsize=8)
    ax.set_title(f"effect on {outcome} (* 95% interval excludes 0)", fontsize=9)
    ax.figure.colorbar(img, ax=ax, shrink=0.8)


def _ranking_panel(ax: Any, res: ScreenResults, contrast: Any) -> None:
    m = res.morris[res.morris["contrast"] == contrast.name]
    shown = [o for o in contrast.outcomes if o in set(m["outcome"])][:2]
    if not shown:
        ax.set_axis_off()
        return
    first = m[(m["outcome"] == shown[0]) & (m["factor"] != NOISE)]
    top = list(first.sort_values("mu_star", ascending=False)["factor"].head(10))[::-1]
    y = np.arange(len(top))
    for k, o in enumerate(shown):
        mo = m[m["outcome"] == o].set_index("factor")
        vals = mo.loc[top, "mu_star"].to_numpy(float)
        err = mo.loc[top, "mu_star_conf"].to_numpy(float)
        ax.barh(y + (k - 0.5) * 0.4, vals, height=0.4, xerr=err, label=o, alpha=0.8)
        ax.axvline(float(mo.loc[NOISE, "mu_star"]), ls="--", lw=1, color=f"C{k}")
    ax.set_yticks(y, top, fontsize=7)
    ax.set_xlabel("mu* (outcome units over the whole range); dashed: noise", fontsize=8)
    ax.legend(fontsize=7)
    ax.set_title("what moves the effect", fontsize=9)


def _figure(res: ScreenResults, contrast: Any) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.8), layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[1.1, 1, 1])
    _ranking_panel(axes[0], res, contrast)
    for ax, o in zip(axes[1:], contrast.outcomes[:2]):
        _map_panel(ax, res, contrast.name, o)
    fig.suptitle(contrast.label, fontsize=11)
    return fig


def write_report(
    res: ScreenResults, out: Path, command: str, doc: Path | None = None
) -> tuple[Path, str | None]:
    """Write `report.md`, one figure per contrast and the tables behind them (fidelity,
    morris, ends, shifts, maps and cost, as CSV) into `out`. Returns the report's path
    and, with `doc`, the same report with figure links relative to `doc`'s folder, for the
    block between DOC_BEGIN and DOC_END of that file."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for c in res.defn.contrasts:
        fig = _figure(res, c)
        path = out / f"{c.name}.png"
        fig.savefig(path, dpi=110)
        paths[c.name] = path
    for name in ("fidelity", "morris", "ends", "shifts", "maps", "cost"):
        getattr(res, name).to_csv(out / f"{name}.csv", index=False)
    report = render(res, {k: p.name for k, p in paths.items()}, command)
    target = out / "report.md"
    target.write_text("# What sets the sign\n\n" + report, encoding="utf-8")
    block = None
    if doc is not None:
        links = {
            k: os.path.relpath(p.resolve(), Path(doc).resolve().parent).replace(os.sep, "/")
            for k, p in paths.items()
        }
        block = render(res, links, command)
    return target, block
