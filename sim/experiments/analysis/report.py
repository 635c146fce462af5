"""The Markdown report of a sweep (`report.md` with its PNG figures), and the document that
assembles several reports (docs/RESULTS.md). Every sentence with a number is generated
from the statistics."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sim.core.metrics import OUTCOMES
from sim.core.params import ScenarioError
from sim.runs.files import atomic_path, atomic_write_csv, atomic_write_text, remove_stale_partials

from ..design import format_level
from .channels import conditions_paragraph, conditions_section
from .conditions import Answer, question_answers, sentence
from .estimates import arm_estimates, interaction_contrasts, paired_differences
from .figures import make_figures
from .results import SweepResults, load_results
from .sensitivity import (
    BOOTSTRAP_RESAMPLES,
    incomplete_design,
    morris_indices,
    rank_correlations,
    sobol_indices,
)
from .text import fmt_ci, fmt_num, fmt_p, md_escape, md_table, shorten
from .uncertainty_report import (
    across_draws_findings,
    across_draws_sections,
    uncertainty_design_line,
)

__all__ = [
    "render_report",
    "write_report",
    "write_experiments_doc",
    "findings",
    "EXPERIMENTS_INTRO",
]

DZ_NOTE = (
    "Cohen's d_z is the mean paired difference divided by the standard deviation of "
    "the paired differences (seed by seed). Because arms share seeds, it measures how "
    "consistently an arm differs from the reference across seeds; it is larger than "
    "Cohen's d computed from the spread of outcomes."
)

_table = md_table
_md_escape = md_escape


def _last_session(res: SweepResults) -> dict[str, Any]:
    """The latest sweep session that ran anything (its wall time is what the sweep took)."""
    ran = [s for s in res.sessions if int(s.get("ran", 0) or 0) > 0]
    return ran[-1] if ran else {}


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def findings(res: SweepResults) -> list[str]:
    """Plain-language statements generated from the statistics (no hand-written numbers)."""
    if res.uncertain:
        return across_draws_findings(res)
    out = []
    diffs = paired_differences(res)
    if not diffs.empty:
        for o in res.outcomes:
            g = diffs[diffs["outcome"] == o]
            if g.empty:
                continue
            sig = g[(g["low"] > 0) | (g["high"] < 0)]
            line = (
                f"**{o}**: {len(sig)} of {len(g)} arms differ from the reference with a "
                "95% CI that excludes zero"
            )
            if len(sig):
                top = sig.loc[sig["diff"].abs().idxmax()]
                line += (
                    f"; the largest difference is {shorten(str(top['arm']), 70)}: "
                    f"{fmt_ci(top['diff'], top['low'], top['high'])} "
                    f"(d_z = {fmt_num(top['d_z'])})"
                )
            out.append(line + ".")
    out += conditions_paragraph(res)
    inter = interaction_contrasts(res)
    for _, r in inter.iterrows():
        if r["low"] > 0:
            verdict = (
                "positive interaction: with both factors high the outcome is higher "
                "than the two separate effects add up to"
            )
        elif r["high"] < 0:
            verdict = (
                "negative interaction: with both factors high the outcome is lower "
                "than the two separate effects add up to"
            )
        elif r["low"] == r["high"] == 0:
            verdict = "exactly additive in every seed"
        else:
            verdict = "no interaction is detectable at this number of replicates"
        out.append(
            f"**{r['outcome']}** interaction of {r['factor_a']} × {r['factor_b']} "
            f"(corner contrast): {fmt_ci(r['contrast'], r['low'], r['high'])} — {verdict}."
        )
    si = sobol_indices(res)
    for o in dict.fromkeys(si["outcome"]) if not si.empty else []:
        g = si[si["outcome"] == o].sort_values("ST", ascending=False).head(3)
        items = ", ".join(
            f"{r['factor']} (ST {fmt_num(r['ST'])} ± {fmt_num(r['ST_conf'])})"
            for _, r in g.iterrows()
        )
        out.append(f"**{o}**: largest total Sobol' indices: {items}.")
    mi = morris_indices(res)
    for o in dict.fromkeys(mi["outcome"]) if not mi.empty else []:
        g = mi[mi["outcome"] == o].sort_values("mu_star", ascending=False).head(3)
        items = ", ".join(
            f"{r['factor']} (mu* {fmt_num(r['mu_star'])} ± {fmt_num(r['mu_star_conf'])})"
            for _, r in g.iterrows()
        )
        out.append(f"**{o}**: most influential by Morris mu*: {items}.")
    return out


def render_report(
    res: SweepResults,
    figures: list[str],
    *,
    fig_prefix: str = "",
    level: int = 1,
    command: str | None = None,
    answers: list[Answer] | None = None,
) -> str:
    """The Markdown report; `figures` are file stems present, linked as
    `<fig_prefix><stem>.png`; `level` is the heading level of the title; `answers`: the
    answered ``[[discover]]`` questions (default: computed)."""
    h = "#" * level
    info = res.info
    counts = res.counts()
    session = _last_session(res)
    n_arms = len(res.design)
    stat_text = (
        f"mean of the last {info.get('window')} months of each run"
        if res.statistic == "mean"
        else "value in the last month of each run"
    )
    lines = [f"{h} {res.name}", ""]
    if info.get("description"):
        lines += [_md_escape(str(info["description"])), ""]
    fixed = ", ".join(f"{k} = {format_level(v)}" for k, v in (info.get("fixed") or {}).items())
    unit = "point" if info["kind"] in ("lhs", "sobol", "morris") else "arm"
    design_line = (
        f"{info['kind']} design, {n_arms} {unit}{'s' if n_arms != 1 else ''} × "
        f"{info['replicates']} replicates = {n_arms * info['replicates']} runs of "
        f"{info['steps']} months"
    )
    if info["kind"] in ("lhs", "sobol", "morris"):
        design_line += f" (SALib {info['kind']}, N = {info.get('n')}"
        design_line += f", {info.get('levels')} levels)" if info["kind"] == "morris" else ")"
    seeds_line = f"replicate seeds shared by every {unit} (common random numbers)"
    if res.uncertain:
        design_line, seeds_line = uncertainty_design_line(res)
    lines += [
        f"- Design: {design_line}; master seed {info['seed']}, {seeds_line}.",
        f"- Base scenario: `{info['scenario']}`" + (f"; fixed: {fixed}." if fixed else "."),
        f"- Distinct runs stored: {counts['ok']} ok, {counts['failed']} failed, "
        f"{counts['missing']} not run; model version {info.get('model_version')}, code "
        f"`{info.get('model_code', '?')}`.",
        f"- Compared statistic: {stat_text} (`{res.statistic}_<outcome>`)"
        + (
            "; intervals are 95% t-intervals over replicates."
            if unit == "arm" and not res.uncertain
            else "."
        ),
    ]
    if session:
        resumed = (
            f", {session['already_ok']} were already stored" if session.get("already_ok") else ""
        )
        lines.append(
            f"- Sweep wall time: {_duration(float(session['wall_seconds']))} for "
            f"{session['ran']} runs{resumed} ({session.get('evaluator', '')}, "
            f"{str(session.get('started', ''))[:10]})."
        )
    if command:
        lines.append(f"- Reproduce: `{command}`")
    if res.kind == "arms":
        lines.append("- Arms (on top of the base scenario and the fixed values):")
        for arm, values in (info.get("arms") or {}).items():
            sets = ", ".join(f"{k} = {format_level(v)}" for k, v in values.items()) or "nothing"
            lines.append(f"  - `{arm}`: {sets}")
    if info["kind"] == "grid":
        for f in info["factors"]:
            sets = f" (sets {', '.join(f['params'])})" if f["params"] != [f["name"]] else ""
            lines.append(
                f"- Factor `{f['name']}`{sets}: "
                + ", ".join(format_level(v) for v in f.get("levels", []))
            )
    lines.append("")

    if res.uncertain:
        lines += across_draws_sections(res, figures, fig_prefix, h, answers)
    elif res.kind in ("grid", "arms"):
        lines += _arm_sections(res, figures, fig_prefix, h)
    else:
        lines += _sampled_sections(res, figures, fig_prefix, h)
    if "series" in figures:
        lines += [f"{h}# Monthly series", "", f"![series]({fig_prefix}series.png)", ""]
    notes = findings(res)
    if notes:
        lines += [f"{h}# What the numbers show", ""]
        lines += [f"- {n}" for n in notes]
        lines.append("")
    failed = res.table[res.table["status"] == "failed"].drop_duplicates("key")
    if len(failed):
        lines += [
            f"{h}# Failed runs",
            "",
            _table(
                ["arm", "replicate", "seed", "error"],
                [
                    [
                        _md_escape(shorten(str(r["arm"]), 60)),
                        str(r["replicate"]),
                        str(r["seed"]),
                        _md_escape(str(r["error"]).splitlines()[0][:120]),
                    ]
                    for _, r in failed.head(20).iterrows()
                ],
            ),
            "",
        ]
    return "\n".join(lines)


def _arm_sections(res: SweepResults, figures: list[str], prefix: str, h: str) -> list[str]:
    est = arm_estimates(res)
    lines = [
        f"{h}# Outcomes by arm",
        "",
        "Mean over replicates and 95% CI; n = replicates with an OK run.",
        "",
    ]
    arms = list(dict.fromkeys(est["arm"]))
    rows = []
    for arm in arms:
        g = est[est["arm"] == arm].set_index("outcome")
        ref = " (reference)" if arm == res.reference else ""
        rows.append(
            [_md_escape(arm) + ref, str(int(g["n"].min()))]
            + [fmt_ci(g.loc[o, "mean"], g.loc[o, "low"], g.loc[o, "high"]) for o in res.outcomes]
        )
    lines += [_table(["arm", "n", *res.outcomes], rows), ""]
    for stem, caption in (("effects", "Effects"), ("heatmaps", "Interaction heatmaps")):
        if stem in figures:
            lines += [f"![{caption}]({prefix}{stem}.png)", ""]

    diffs = paired_differences(res)
    if not diffs.empty:
        lines += [
            f"{h}# Differences from the reference arm",
            "",
            f"Reference: **{_md_escape(str(res.reference))}**. Each arm minus the "
            "reference, paired by seed (replicate i of every arm has the same seed): "
            "mean difference with 95% t-interval, Cohen's d_z and the paired t-test "
            "p-value. " + DZ_NOTE,
            "",
        ]
        for o in res.outcomes:
            g = diffs[diffs["outcome"] == o]
            if g.empty:
                continue
            rows = [
                [
                    _md_escape(str(r["arm"])),
                    str(int(r["n"])),
                    fmt_ci(r["diff"], r["low"], r["high"]),
                    fmt_num(r["d_z"]),
                    fmt_p(r["p"]),
                ]
                for _, r in g.iterrows()
            ]
            lines += [
                f"**{o}** — {OUTCOMES.get(o, '')}",
                "",
                _table(["arm", "pairs", "difference [95% CI]", "d_z", "p"], rows),
                "",
            ]
        if "differences" in figures:
            lines += [f"![Differences]({prefix}differences.png)", ""]
    lines += conditions_section(res, h)
    inter = interaction_contrasts(res)
    if not inter.empty:
        r0 = inter.iloc[0]
        lines += [
            f"{h}# Interaction",
            "",
            f"Corner contrast per seed: y({r0['factor_a']}={format_level(r0['a_high'])}, "
            f"{r0['factor_b']}={format_level(r0['b_high'])}) − y({r0['factor_a']}="
            f"{format_level(r0['a_high'])}, {r0['factor_b']}={format_level(r0['b_low'])}) − "
            f"y({r0['factor_a']}={format_level(r0['a_low'])}, {r0['factor_b']}="
            f"{format_level(r0['b_high'])}) + y(both low); zero means the effect of one factor "
            "does not depend on the other.",
            "",
            _table(
                ["outcome", "pairs", "contrast [95% CI]"],
                [
                    [r["outcome"], str(int(r["n"])), fmt_ci(r["contrast"], r["low"], r["high"])]
                    for _, r in inter.iterrows()
                ],
            ),
            "",
        ]
    return lines


def _sampled_sections(res: SweepResults, figures: list[str], prefix: str, h: str) -> list[str]:
    lines: list[str] = []
    problem = incomplete_design(res)
    reps = res.info["replicates"]
    avg = (
        f"Each design point's output is the mean over its {reps} replicate"
        f"{'s' if reps != 1 else ''} (the same seeds at every point), which removes "
        "part of the run-to-run noise before the indices are computed."
    )
    if problem:
        lines += [f"Sensitivity indices not computed: {problem}.", ""]
    if res.kind == "sobol":
        si = sobol_indices(res)
        if not si.empty:
            lines += [
                f"{h}# Sobol' indices",
                "",
                "First-order (S1) and total (ST) indices from SALib "
                "`sobol.analyze`, with 95% bootstrap confidence half-widths "
                f"({BOOTSTRAP_RESAMPLES} resamples). " + avg,
                "",
            ]
            for o in dict.fromkeys(si["outcome"]):
                g = si[si["outcome"] == o].sort_values("ST", ascending=False)
                rows = [
                    [
                        r["factor"],
                        f"{fmt_num(r['S1'])} ± {fmt_num(r['S1_conf'])}",
                        f"{fmt_num(r['ST'])} ± {fmt_num(r['ST_conf'])}",
                    ]
                    for _, r in g.iterrows()
                ]
                lines += [f"**{o}**", "", _table(["factor", "S1", "ST"], rows), ""]
    if res.kind == "morris":
        mi = morris_indices(res)
        if not mi.empty:
            lines += [
                f"{h}# Morris screening",
                "",
                "mu* (mean absolute elementary effect, with SALib's 95% bootstrap "
                "half-width), mu (signed mean) and sigma (spread of elementary effects: "
                "interactions or non-linearity, with a 95% percentile bootstrap "
                "interval over trajectories); effects per unit of the factor's "
                "range scaled as in SALib. " + avg,
                "",
            ]
            for o in dict.fromkeys(mi["outcome"]):
                g = mi[mi["outcome"] == o].sort_values("mu_star", ascending=False)
                rows = [
                    [
                        r["factor"],
                        f"{fmt_num(r['mu_star'])} ± {fmt_num(r['mu_star_conf'])}",
                        fmt_num(r["mu"]),
                        fmt_ci(r["sigma"], r["sigma_low"], r["sigma_high"]),
                    ]
                    for _, r in g.iterrows()
                ]
                lines += [
                    f"**{o}**",
                    "",
                    _table(["factor", "mu*", "mu", "sigma [95% CI]"], rows),
                    "",
                ]
    rc = rank_correlations(res)
    if res.kind == "lhs" and not rc.empty:
        lines += [
            f"{h}# Rank correlations",
            "",
            "Spearman rho of each factor with each outcome over design points (point "
            "means over replicates), with p-values.",
            "",
        ]
        rows = [
            [r["factor"], r["outcome"], fmt_num(r["rho"]), fmt_p(r["p"])] for _, r in rc.iterrows()
        ]
        lines += [_table(["factor", "outcome", "rho", "p"], rows), ""]
    for stem, caption in (
        ("sobol", "Sobol indices"),
        ("morris", "Morris screening"),
        ("correlations", "Rank correlations"),
    ):
        if stem in figures:
            lines += [f"![{caption}]({prefix}{stem}.png)", ""]
    return lines


FORMATS = ("png", "pdf", "svg")
"""Figure formats `write_report` can write; PNG is raster (at `dpi`), PDF and SVG vector."""
DEFAULT_FORMATS = ("png", "pdf")
DPI = 300
"""Resolution of PNG figures: print quality."""


def write_outputs(
    res: SweepResults,
    out: Path,
    answers: list[Answer],
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    dpi: int = DPI,
) -> list[str]:
    """Draw every figure into `out` in each of `formats` and write every estimate table as
    `<name>.csv` (SweepResults.tables); return the figures' stems."""
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ScenarioError(
            f"format {bad[0] if bad else '(none)'!r}: not a figure format; allowed: "
            + ", ".join(FORMATS)
        )
    figs = make_figures(res, answers)
    for stem, fig in figs.items():
        for fmt in formats:
            with atomic_path(out / f"{stem}.{fmt}") as tmp, open(tmp, "xb") as fh:
                fig.savefig(fh, format=fmt, dpi=dpi if fmt == "png" else "figure")
    for name, table in res.tables().items():
        atomic_write_csv(out / f"{name}.csv", table)
    return list(figs)


def write_report(
    root: str | Path,
    out: str | Path | None = None,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    dpi: int = DPI,
) -> Path:
    """Write `report.md`, its figures (PNG at `dpi`, and PDF or SVG as `formats` say) and
    every estimate table as CSV into `out` (default: <root>/report); return the report's
    path."""
    res = load_results(root, finished=True)
    out = Path(out) if out is not None else Path(root) / "report"
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(out)
    answers = question_answers(res) if res.uncertain else []
    figs = write_outputs(res, out, answers, formats, dpi)
    text = render_report(res, figs, command=res.info.get("command") or None, answers=answers)
    path = out / "report.md"
    atomic_write_text(path, text + "\n")
    return path


EXPERIMENTS_INTRO = """\
# Experiments

Reports of the experiments in `experiments/`, assembled from their stored results by
`python -m sim report ... --doc`.
"""
"""The document's opening when no introduction file is given."""

CONDITIONS_INTRO = (
    "Generated from the experiments across parameter uncertainty below: for each question "
    "an experiment asks (its `[[discover]]` entries), the share of parameter draws in which "
    "the condition holds and the PRIM box of parameter values where it concentrates, with "
    "its coverage and density. Each experiment's report shows the box's quasi-p values and "
    "the discovery figure."
)


def write_experiments_doc(
    roots: list[str | Path],
    out_dir: str | Path,
    doc: str | Path,
    intro: str | None = None,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    dpi: int = DPI,
) -> Path:
    """Write each sweep's report into `out_dir/<name>/` and assemble all of them into `doc`
    after `intro` (Markdown), with figure links relative to the document. Experiments with
    questions under parameter uncertainty also feed a section "Under which conditions"."""
    doc = Path(doc)
    out_dir = Path(out_dir)
    parts = [intro if intro is not None else EXPERIMENTS_INTRO]
    toc = [
        "## Results",
        "",
        "Generated from the stored runs of each experiment at its default size.",
        "",
    ]
    bodies = []
    conditions: list[str] = []
    for root in roots:
        res = load_results(root, finished=True)
        folder = out_dir / res.name
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(folder)
        answers = question_answers(res) if res.uncertain else []
        figs = write_outputs(res, folder, answers, formats, dpi)
        definition = res.info.get("definition_file", f"{res.name}.toml")
        command = f"python -m sim sweep experiments/{definition}"
        atomic_write_text(
            folder / "report.md",
            render_report(res, figs, command=command, answers=answers) + "\n",
        )
        rel = _relative(folder, doc.parent)
        body = render_report(
            res, figs, fig_prefix=f"{rel}/", level=2, command=command, answers=answers
        )
        bodies.append(body)
        toc.append(f"- [{res.name}](#{_anchor(res.name)})")
        if answers:
            conditions += [
                f"**[{res.name}](#{_anchor(res.name)})** — "
                f"{md_escape(str(res.info.get('description', '')))}",
                "",
            ]
            conditions += [f"- {sentence(res, a)}" for a in answers] + [""]
    if conditions:
        toc.append(f"- [Under which conditions](#{_anchor('Under which conditions')})")
        bodies.insert(
            0, "\n".join(["## Under which conditions", "", CONDITIONS_INTRO, "", *conditions])
        )
    parts += ["\n".join(toc), *bodies]
    atomic_write_text(doc, "\n\n".join(p.rstrip() for p in parts) + "\n")
    return doc


def _relative(path: Path, start: Path) -> str:
    import os

    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9_\- ]", "", title.lower()).replace(" ", "-")
