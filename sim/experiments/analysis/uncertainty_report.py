"""The report's sections for an experiment across parameter uncertainty: where its draws
come from, the arms' outcomes and effects across draws, seed noise and parameter
uncertainty apart (`across_draws`), and the answers to its "under which conditions"
questions (`conditions`). Every number is computed from the stored runs."""

from __future__ import annotations

from sim.core.metrics import OUTCOMES

from .across_draws import arm_values, effect_summary
from .conditions import Answer, question_answers, sentence
from .results import SweepResults
from .text import fmt_ci, fmt_num, fmt_p, md_escape, md_table

__all__ = [
    "uncertainty_design_line",
    "across_draws_sections",
    "across_draws_findings",
    "conditions_lines",
]


def uncertainty_design_line(res: SweepResults) -> tuple[str, str]:
    """The report's design line and seed line for an experiment with parameter draws."""
    info = res.info
    draws = int(info["uncertainty"]["draws"])
    n_arms = res.design["arm"].nunique()
    reps = int(info["replicates"])
    design = (
        f"{info['kind']} design, {n_arms} arm{'s' if n_arms != 1 else ''} × {draws} "
        f"parameter draws × {reps} replicate{'s' if reps != 1 else ''} = "
        f"{n_arms * draws * reps} runs of {info['steps']} months"
    )
    return design, (
        "each draw has its own replicate seeds, the same in every arm (effects "
        "are paired by draw and seed)"
    )


def _sources(res: SweepResults) -> list[str]:
    u = res.info["uncertainty"]
    ranges = u.get("ranges") or {}
    table = [p for p in u["params"] if p not in ranges]
    lines = []
    if u.get("table"):
        lines.append(
            f"- From the table `{u['table']}` (its first {u['draws']} rows): "
            + ", ".join(f"`{p}`" for p in table)
            + "."
        )
    if ranges:
        lines.append(
            "- Latin hypercube over plausible ranges: "
            + "; ".join(f"`{p}` {d}" for p, d in ranges.items())
            + "."
        )
    return lines


def across_draws_sections(
    res: SweepResults, figures: list[str], prefix: str, h: str, answers: list[Answer] | None = None
) -> list[str]:
    """Sections: uncertain parameters, outcomes by arm, effects across draws, conditions."""
    lines = [
        f"{h}# Uncertain parameters",
        "",
        "Every arm runs in every draw; a draw sets these parameters:",
        "",
        *_sources(res),
        "",
    ]
    values = arm_values(res)
    rows = []
    for arm in dict.fromkeys(values["arm"]):
        g = values[values["arm"] == arm].set_index("outcome")
        ref = " (reference)" if arm == res.reference else ""
        rows.append(
            [md_escape(str(arm)) + ref, str(int(g["draws"].min()))]
            + [fmt_ci(g.loc[o, "mean"], g.loc[o, "low"], g.loc[o, "high"]) for o in res.outcomes]
        )
    lines += [
        f"{h}# Outcomes by arm across draws",
        "",
        "Mean over draws of each draw's mean over its replicates, with a 95% "
        "t-interval over draws.",
        "",
        md_table(["arm", "draws", *res.outcomes], rows),
        "",
    ]

    summary = effect_summary(res)
    if not summary.empty:
        lines += [
            f"{h}# Effects across parameter uncertainty",
            "",
            f"Each arm minus the reference **{md_escape(str(res.reference))}**, paired by "
            "draw and seed. *Mean effect*: over the draws' mean effects, with a 95% interval "
            "over draws. *P(> 0)*: share of draws whose mean effect is positive (and of "
            "single paired runs). *Draws*: median and 5–95% range of the draws' mean "
            "effects. *Sign flips*: share of draws whose mean effect has the sign opposite "
            "to the overall mean (in brackets: those whose own 95% interval over seeds lies "
            "wholly on that side). *Seed sd* and *parameter sd*: the paired effect's spread "
            "between seeds within a draw and between draws (one-way random-effects "
            "ANOVA), with the parameters' share of the variance and the F test's p-value.",
            "",
        ]
        for o in res.outcomes:
            g = summary[summary["outcome"] == o]
            if g.empty:
                continue
            rows = [
                [
                    md_escape(str(r["arm"])),
                    str(int(r["draws"])),
                    fmt_ci(r["mean"], r["low"], r["high"]),
                    f"{r['p_positive']:.0%} ({r['p_positive_runs']:.0%} of runs)",
                    f"{fmt_num(r['median'])} [{fmt_num(r['q05'])}, {fmt_num(r['q95'])}]",
                    f"{r['flips']:.0%} ({r['confirmed_flips']:.0%})",
                    fmt_num(r["seed_sd"]),
                    fmt_num(r["param_sd"]),
                    _share(r["param_share"]) + f" (p {fmt_p(r['p_param'])})",
                ]
                for _, r in g.iterrows()
            ]
            lines += [
                f"**{o}** — {OUTCOMES.get(o, '')}",
                "",
                md_table(
                    [
                        "arm",
                        "draws",
                        "mean effect [95% CI]",
                        "P(> 0)",
                        "draws: median [5%, 95%]",
                        "sign flips",
                        "seed sd",
                        "parameter sd",
                        "parameter share",
                    ],
                    rows,
                ),
                "",
            ]
        if "across_draws" in figures:
            lines += [f"![Effects across draws]({prefix}across_draws.png)", ""]
    lines += conditions_lines(res, figures, prefix, h, answers)
    return lines


def conditions_lines(
    res: SweepResults, figures: list[str], prefix: str, h: str, answers: list[Answer] | None = None
) -> list[str]:
    """The answers to the experiment's questions: a sentence, the box's restrictions with
    their quasi-p values, and the discovery figure."""
    answers = question_answers(res) if answers is None else answers
    if not answers:
        return []
    lines = [
        f"{h}# Under which conditions",
        "",
        "Scenario discovery over the parameter draws (PRIM, EMA Workbench): the box of "
        "parameter values in which the condition holds, with its coverage (share of the "
        "draws where it holds that lie in the box) and density (share of the box's "
        "draws where it holds); restrictions with a quasi-p value above 0.05 are "
        "dropped. Feature scores: extra trees.",
        "",
    ]
    for i, a in enumerate(answers, start=1):
        lines += [f"- {sentence(res, a)}", ""]
        if a.found is not None and len(a.found.limits):
            rows = [
                [
                    f"`{name}`",
                    fmt_num(r["low"]),
                    fmt_num(r["high"]),
                    fmt_p(r["qp_low"]) if r["qp_low"] == r["qp_low"] else "–",
                    fmt_p(r["qp_high"]) if r["qp_high"] == r["qp_high"] else "–",
                ]
                for name, r in a.found.limits.iterrows()
            ]
            lines += [
                md_table(["parameter", "box low", "box high", "qp (low)", "qp (high)"], rows),
                "",
            ]
        if f"conditions-{i}" in figures:
            lines += [f"![Conditions {i}]({prefix}conditions-{i}.png)", ""]
    return lines


def _share(x: float) -> str:
    return "–" if x != x else f"{x:.0%}"


def across_draws_findings(res: SweepResults) -> list[str]:
    """Plain-language statements per outcome and arm, generated from the statistics."""
    out = []
    summary = effect_summary(res)
    for _, r in summary.iterrows():
        share = r["param_share"]
        source = (
            f"parameter uncertainty accounts for {share:.0%} of the variance of the "
            f"paired effect (p {fmt_p(r['p_param'])}), seed noise for the rest"
            if share == share
            else "seed noise and parameter uncertainty cannot be "
            "told apart with one replicate per draw"
        )
        out.append(
            f"**{r['outcome']}**, `{r['arm']}` vs `{res.reference}`: mean effect "
            f"{fmt_ci(r['mean'], r['low'], r['high'])}; positive in "
            f"{r['p_positive']:.0%} of draws; opposite in sign to the mean in "
            f"{r['flips']:.0%} of draws ({r['confirmed_flips']:.0%} confirmed by the "
            f"draw's own seeds); {source}."
        )
    return out
