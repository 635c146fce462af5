"""The pilot evaluation's report: a Markdown page and a figure (sim.experiments.pilot).

`render_report(plan, summary, per_seed)` writes what a researcher reads first — for every
outcome the true effect on the pilot communities, the naive pilot-vs-rest difference and
the difference-in-differences with their 95% intervals, and why the evaluations miss (the
selection gap, the trend gap and the spill-over); `figure(plan, trajectories, summary)`
draws the pilots' and the rest's months in the pilot run and the twin beside the estimates.
Every number comes from the runs.
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .analysis.text import fmt_ci
from .design import format_level
from .pilot import ESTIMATES, PilotPlan

__all__ = ["render_report", "figure", "KEY_ESTIMATES"]

KEY_ESTIMATES = ("true_effect", "naive", "did", "spillover")
"""The estimates shown side by side in tables and the figure."""


def _cell(summary: pd.DataFrame, outcome: str, name: str) -> str:
    row = summary[(summary["outcome"] == outcome) & (summary["estimate"] == name)]
    if row.empty or not math.isfinite(float(row["mean"].iloc[0])):
        return "–"
    r = row.iloc[0]
    return fmt_ci(r["mean"], r["low"], r["high"])


def _verdict(summary: pd.DataFrame, outcome: str, name: str) -> str:
    """Whether an evaluation's interval for its bias excludes zero."""
    row = summary[(summary["outcome"] == outcome) & (summary["estimate"] == f"{name}_bias")]
    if row.empty or not math.isfinite(float(row["low"].iloc[0])):
        return "–"
    r = row.iloc[0]
    return "misleads" if r["low"] > 0 or r["high"] < 0 else "no bias detected"


def render_report(
    plan: PilotPlan, summary: pd.DataFrame, per_seed: pd.DataFrame, command: str = ""
) -> str:
    """The report as Markdown."""
    reform = [plan.timeline.changes[i] for i in plan.reform]
    what = "; ".join(
        f"month {c.month}: " + ", ".join(f"{k} = {format_level(v)}" for k, v in c.values.items())
        for c in reform
    )
    pilots = per_seed.drop_duplicates("seed")
    chosen = {
        "as-written": "as the scenario targets them",
        "strongest": f"the {plan.pilots} streets whose communities scored highest on "
        f"`{plan.rank_by}` in month {plan.start - 1}",
        "weakest": f"the {plan.pilots} streets whose communities scored lowest on "
        f"`{plan.rank_by}` in month {plan.start - 1}",
        "random": f"{plan.pilots} streets drawn at random (per seed)",
    }[plan.select]
    lines = [
        f"# Pilot evaluation: {plan.name}",
        "",
        f"Reform: {what}. Pilots: {chosen}; "
        f"{pilots['pilot_communities'].min()}–{pilots['pilot_communities'].max()} pilot "
        f"communities and {pilots['rest_communities'].min()}–"
        f"{pilots['rest_communities'].max()} others per seed. Each of {len(plan.seeds)} "
        "seeds runs the pilot scenario and its twin without the reform (same seed, same "
        f"world). Evaluated: months {plan.start}–{plan.until} after the start, against "
        f"months {max(1, plan.start - plan.before)}–{plan.start - 1} before it. Means over "
        "seeds with 95% t-intervals; communities are weighted equally.",
        "",
    ]
    if command:
        lines += [f"Command: `{command}`", ""]
    lines += [
        "| outcome | true effect | naive (pilots − rest) | difference-in-differences "
        "| spill-over on the rest | naive | DiD |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in plan.outcomes:
        lines.append(
            f"| `{o}` | "
            + " | ".join(_cell(summary, o, n) for n in KEY_ESTIMATES)
            + f" | {_verdict(summary, o, 'naive')} | {_verdict(summary, o, 'did')} |"
        )
    lines += [
        "",
        "The last two columns say whether the evaluation's bias (its estimate − the true "
        "effect, per seed) has an interval that excludes zero.",
        "",
        "## Why an evaluation misses",
        "",
        "Per seed, exactly: naive − true = selection gap − spill-over, and DiD − true = "
        "trend gap − spill-over. The selection gap is how the pilot communities differ from "
        "the rest without the reform (in the twin); the trend gap is the DiD computed in the "
        "twin, where the reform never happened; the spill-over is what the reform did to "
        "the communities it did not target, split into those in a pilot street (peers of "
        "pilot communities on the network) and the others.",
        "",
        "| outcome | selection gap | trend gap | spill-over: neighbours | spill-over: others |",
        "|---|---|---|---|---|",
    ]
    for o in plan.outcomes:
        lines.append(
            f"| `{o}` | "
            + " | ".join(
                _cell(summary, o, n)
                for n in ("selection_gap", "trend_gap", "spillover_neighbours", "spillover_others")
            )
            + " |"
        )
    lines += [
        "",
        "## Every estimate",
        "",
        "| outcome | estimate | mean [95% CI] | seeds | meaning |",
        "|---|---|---|---|---|",
    ]
    for _, r in summary.iterrows():
        lines.append(
            f"| `{r['outcome']}` | `{r['estimate']}` | "
            f"{_cell(summary, r['outcome'], r['estimate'])} | {r['n']} | "
            f"{ESTIMATES[r['estimate']]} |"
        )
    return "\n".join(lines) + "\n"


def figure(plan: PilotPlan, trajectories: pd.DataFrame, summary: pd.DataFrame) -> Figure:
    """Per outcome: the months of pilots and rest in the pilot run and the twin (mean over
    seeds), and the four key estimates with their intervals."""
    outcomes = list(plan.outcomes)
    fig = Figure(figsize=(11, 2.9 * len(outcomes) + 0.6), dpi=120, layout="constrained")
    axes = fig.subplots(len(outcomes), 2, squeeze=False, width_ratios=[2.2, 1])
    fig.suptitle(
        f"Pilot evaluation: {plan.name} ({len(plan.seeds)} seeds, pilots {plan.select})",
        fontsize=12,
        fontweight="bold",
    )
    styles = {
        ("pilot run", "pilot communities"): ("tab:red", "-"),
        ("twin", "pilot communities"): ("tab:red", ":"),
        ("pilot run", "rest"): ("tab:blue", "-"),
        ("twin", "rest"): ("tab:blue", ":"),
    }
    for row, o in enumerate(outcomes):
        ax = axes[row, 0]
        for (run_name, group), (color, ls) in styles.items():
            t = trajectories[
                (trajectories["outcome"] == o)
                & (trajectories["run"] == run_name)
                & (trajectories["group"] == group)
            ]
            ax.plot(t["step"], t["value"], color=color, ls=ls, lw=1.5, label=f"{group}, {run_name}")
        ax.axvline(plan.start, color="0.3", lw=1)
        ax.axvspan(plan.start, plan.until, color="0.9", zorder=0)
        ax.set_title(f"{o}: pilots and rest (solid: pilot run; dotted: twin)", fontsize=9.5)
        ax.grid(True, alpha=0.3)
        if row == 0:
            ax.legend(fontsize=7.5, loc="best")
        ax2 = axes[row, 1]
        for y, name in enumerate(reversed(KEY_ESTIMATES)):
            r = summary[(summary["outcome"] == o) & (summary["estimate"] == name)].iloc[0]
            if math.isfinite(r["low"]):
                ax2.errorbar(
                    [r["mean"]],
                    [y],
                    xerr=[[r["mean"] - r["low"]], [r["high"] - r["mean"]]],
                    fmt="o",
                    color="tab:red" if name == "true_effect" else "0.2",
                    capsize=3,
                )
            else:
                ax2.plot([r["mean"]], [y], "o", color="0.2")
        ax2.axvline(0, color="0.5", lw=0.8)
        ax2.set_yticks(
            range(len(KEY_ESTIMATES)), ["spill-over", "DiD", "naive", "true effect"], fontsize=8.5
        )
        ax2.set_title("estimates, 95% CI over seeds", fontsize=9.5)
        ax2.xaxis.set_major_locator(MaxNLocator(4))
        ax2.grid(True, axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel("month (shaded: evaluated months)")
    return fig
