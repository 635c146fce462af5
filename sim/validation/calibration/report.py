"""The calibration's report: Markdown tables and two figures, from a finished calibration.

    calibration.md                the block written into docs/VALIDATION.md: which targets the
                                  calibrated model meets, method and size, targets and the
                                  figures not used, the prior, waves, diagnosis, posterior
                                  (ArviZ R̂ and ESS), predictive, held-out and world-size checks
    calibration_posterior.png     each parameter's posterior draws over its prior density
    calibration_checks.png        each target's range, the waves' design points and the
                                  posterior predictive runs

Every number comes from the calibration's objects; nothing is typed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.core.params import defaults
from sim.runs.figures import panel_title
from sim.runs.files import atomic_path

from .diagnosis import EDGE_BAND, Diagnosis
from .history_matching import HistoryMatch
from .posterior import ESS_OK, RHAT_OK, Posterior, SamplerSettings
from .targets import NotUsed, Target

__all__ = [
    "CalibrationResult",
    "markdown_report",
    "posterior_figure",
    "checks_figure",
    "save",
    "TRADE_OFF",
]

TRADE_OFF = 0.4
"""Posterior correlations at least this strong (in absolute value) are reported as
trade-offs the targets leave open."""

EDGE = 0.02
"""A posterior whose 90% interval lies within this share of the range from one of its ends
(on the unit scale), and covers less than half of it, presses against that end."""

MEETS = 0.5
"""A target counts as met when at least this share of the posterior predictive runs lies in
its range."""


@dataclass
class CalibrationResult:
    """Everything a calibration produced, for its report."""

    match: HistoryMatch
    posterior: Posterior | None
    sampler: SamplerSettings
    world: dict[str, Any]
    steps: int
    checks: pd.DataFrame | None = None  # predictive runs: draw, replicate, seed, targets
    check_table: pd.DataFrame | None = None  # `checks.predictive_table`
    world_table: pd.DataFrame | None = None  # `checks.world_size_table`
    check_seeds: int = 0
    elapsed: dict[str, float] = field(default_factory=dict)  # wall seconds by stage
    runs: int = 0  # model runs in all
    left_out: tuple[str, ...] = ()  # targets left out (--without)
    diagnosis: Diagnosis | None = None
    held_out: tuple[Target, ...] = ()  # the held-out episode's outcomes, read as targets
    held_out_runs: pd.DataFrame | None = None  # their runs at the checked draws
    held_out_table: pd.DataFrame | None = None  # `checks.predictive_table` of them
    not_used: tuple[NotUsed, ...] = ()  # figures considered and not used as targets
    why: dict[str, str] = field(default_factory=dict)  # why each prior parameter is in
    left_out_params: dict[str, str] = field(default_factory=dict)  # why others are out


def _f(x: float, digits: int = 3) -> str:
    return "nan" if not np.isfinite(x) else f"{x:.{digits}g}"


def _world_text(world: dict[str, Any]) -> str:
    base = defaults()
    return ", ".join(f"`{k}` = {v} instead of {base[k]}" for k, v in world.items())


def markdown_report(result: CalibrationResult) -> str:
    """The report's Markdown (the block between the calibration markers of
    docs/VALIDATION.md)."""
    hm, post, s = result.match, result.posterior, result.match.settings
    wave_runs = sum(len(w.runs) for w in hm.waves)
    lines = [
        f"History matching in {len(hm.waves)} waves (at most {s.waves}) of {s.points} "
        f"parameter sets × {s.seeds} seeds ({wave_runs} runs of {result.steps} months, each "
        f"set also replaying the episodes) on the reduced world "
        f"({_world_text(result.world)}), screening {s.candidates:,} prior draws after each "
        f"wave with cut-off {s.cutoff:g}; master seed {s.seed}. {result.runs} model runs in "
        f"all{_elapsed_text(result.elapsed)}.",
    ]
    if hm.settled:
        lines += ["", f"The waves {hm.settled}."]
    if hm.stopped:
        lines += [
            "",
            f"**The calibration stopped: {hm.stopped}.** There is no posterior; the waves "
            "and the diagnosis below show how close the explored parameter sets came and "
            "which mechanisms the misses point to.",
        ]
    if result.left_out:
        lines += [
            "",
            "**Targets left out** (`--without`): "
            + ", ".join(f"`{t}`" for t in result.left_out)
            + ".",
        ]
    lines += _verdict(result)
    lines += _targets_section(result)
    lines += _prior_section(result)
    lines += [
        "",
        "### Waves",
        "",
        "Each wave's design points run with their own seeds; the emulator fitted after "
        "the wave learns from every point the earlier waves left non-implausible. "
        "*Check*: the previous emulator's standardised errors on the wave's new runs "
        "(RMS, about 1 when its variance is honest; share within ±3).",
        "",
        "| wave | points × seeds | emulator learnt from | points meeting every range "
        "| prior left non-implausible | check of the previous emulator |",
        "|---:|---|---:|---:|---:|---|",
    ]
    points = hm.points()
    for w in hm.waves:
        meet = int(points.loc[points["wave"] == w.number, "in_ranges"].sum())
        check = "–"
        if w.validation is not None:
            check = "; ".join(
                f"`{r.target}` {r.rms:.2f} ({r.within_3:.0%})" for r in w.validation.itertuples()
            )
        lines.append(
            f"| {w.number} | {len(w.design)} × {s.seeds} | {w.trained_on} | "
            f"{meet} of {len(w.design)} | {_share(w.nroy_share, s.candidates)} | "
            f"{check} |"
        )
    if hm.waves and hm.waves[-1].emulator is not None:
        rv = hm.waves[-1].emulator.run_variance
        lines += [
            "",
            "Run-to-run standard deviation of each statistic (pooled over the last "
            "emulator's points), beside the observation's: "
            + "; ".join(f"`{t.name}` {math.sqrt(rv[t.name]):.3f} vs {t.sd:.3f}" for t in hm.targets)
            + ".",
        ]
    if result.diagnosis is not None:
        lines += _diagnosis_section(result)
    if post is None:
        return "\n".join(lines) + "\n"

    lines += _posterior_section(result)
    if result.check_table is not None:
        lines += _check_section(result)
    if result.held_out_table is not None:
        lines += _held_out_section(result)
    if result.world_table is not None:
        lines += _world_section(result)
    return "\n".join(lines) + "\n"


def _met(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Targets met (at least `MEETS` of the runs in range) and missed, in table order."""
    met = [r.target for r in table.itertuples() if r.in_range >= MEETS]
    missed = [r.target for r in table.itertuples() if not r.in_range >= MEETS]
    return met, missed


def _verdict(result: CalibrationResult) -> list[str]:
    """What the calibration shows, in two or three sentences, from its own tables."""
    hm, table, diag = result.match, result.check_table, result.diagnosis
    mechanism = {t.name: t.mechanism for t in (*hm.targets, *result.held_out)}
    lines = ["", "**What this calibration shows.**"]
    if table is not None:
        met, missed = _met(table)
        share = dict(zip(table["target"], table["in_range"]))
        text = (
            f"In the posterior predictive check the calibrated model meets {len(met)} of "
            f"{len(table)} targets (at least {MEETS:.0%} of its runs in the target's range)"
        )
        text += ": " + ", ".join(f"`{t}`" for t in met) if met else ""
        text += "."
        if missed:
            text += " It misses " + "; ".join(
                f"`{t}` ({share[t]:.0%} of runs in range; {mechanism.get(t) or 'no mechanism named'})"
                for t in missed
            )
            text += "."
        lines.append(text)
    else:
        lines.append("There is no posterior, so no target is met by a calibrated model.")
    if diag is not None:
        out = diag.out_of_reach
        if out:
            lines.append(
                "No explored parameter set comes within the cut-off of "
                + ", ".join(f"`{t}` ({mechanism.get(t) or 'no mechanism named'})" for t in out)
                + "."
            )
        if len(diag.conflicts):
            n = len(diag.conflicts)
            lines.append(
                f"{n} {'pair' if n == 1 else 'pairs'} of targets, each within reach, "
                f'{"is" if n == 1 else "are"} never met together ("Diagnosis" below).'
            )
    if result.held_out_table is not None:
        met, missed = _met(result.held_out_table)
        lines.append(
            "The held-out episode (never fitted): "
            + "; ".join(
                f"`{r.target}` {r.in_range:.0%} of runs in range"
                for r in result.held_out_table.itertuples()
            )
            + (
                " — reproduced out of sample."
                if not missed
                else " — not reproduced out of sample on "
                + ", ".join(f"`{t}`" for t in missed)
                + "."
            )
        )
    return ["", " ".join(lines[1:])]


def _targets_section(result: CalibrationResult) -> list[str]:
    hm = result.match
    lines = [
        "",
        "### Targets",
        "",
        "Every target is a published figure with its source (docs/SOURCES.md); *mechanism* is "
        "what in the model it tests.",
        "",
        "| target | statistic | observed range (≈ ±2 sd) | source | mechanism |",
        "|---|---|---|---|---|",
    ]
    for t in hm.targets:
        lines.append(
            f"| {t.label} | `{t.name}` | {t.low:g}–{t.high:g} | {t.source} | {t.mechanism or '–'} |"
        )
    if result.held_out:
        lines += [
            "",
            "Held out (never a target; checked on the posterior below): "
            + "; ".join(f"{t.label} (`{t.name}`, {t.low:g}–{t.high:g})" for t in result.held_out)
            + ".",
        ]
    if result.not_used:
        lines += [
            "",
            "Figures considered and not used as targets:",
            "",
            "| outcome | figure | source | why not |",
            "|---|---|---|---|",
        ]
        lines += [f"| `{n.name}` | {n.figure} | {n.source} | {n.reason} |" for n in result.not_used]
    return lines


def _prior_section(result: CalibrationResult) -> list[str]:
    prior = result.match.prior
    lines = [
        "",
        "### Prior",
        "",
        "| parameter | prior | why it is calibrated, and its range |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{p.name}` | {p.describe()} | {result.why.get(p.name, '–')} |" for p in prior.params
    ]
    if result.left_out_params:
        lines += [
            "",
            "Parameters of the same mechanisms left at their defaults: "
            + "; ".join(f"`{k}` ({v})" for k, v in result.left_out_params.items())
            + ".",
        ]
    return lines


def _diagnosis_section(result: CalibrationResult) -> list[str]:
    diag = result.diagnosis
    assert diag is not None
    lines = [
        "",
        "### Diagnosis",
        "",
        "Smallest implausibility of each target over the explored space: over every design "
        "point's runs (seed means), and over "
        f"{diag.sample:,} prior draws under the first wave's emulator (cut-off "
        f"{diag.cutoff:g}); *closest run* is the seed mean of the design point that came "
        "closest.",
        "",
        "| target | range | closest run | smallest implausibility: runs | emulated "
        "| within reach | mechanism |",
        "|---|---|---:|---:|---:|:---:|---|",
    ]
    for r in diag.targets.itertuples():
        lines.append(
            f"| `{r.target}` | {r.low:g}–{r.high:g} | {_f(r.closest_run_mean)} | "
            f"{_f(r.runs_min, 2)} | {_f(r.emulated_min, 2)} | "
            f"{'yes' if r.reachable else '**no**'} | {r.mechanism or '–'} |"
        )
    if len(diag.conflicts):
        lines += [
            "",
            "Pairs of targets, each within reach alone, that no explored point meets together "
            "(smallest of the larger of the two implausibilities):",
            "",
            "| target | target | runs | emulated |",
            "|---|---|---:|---:|",
        ]
        lines += [
            f"| `{r.target_a}` | `{r.target_b}` | {_f(r.runs_min, 2)} | {_f(r.emulated_min, 2)} |"
            for r in diag.conflicts.itertuples()
        ]
    else:
        lines += ["", "Every pair of targets within reach is met together at some explored point."]
    if len(diag.edges):
        lines += [
            "",
            f"Parameters a target pushes to an end of its range (share of the emulated draws "
            f"closest to the target in the outer {EDGE_BAND:.0%} of the range; the prior puts "
            f"{EDGE_BAND:.0%} there):",
            "",
        ]
        lines += [
            f"- `{r.target}`: `{r.parameter}` at its {r.end} end ({r.share:.0%} of {r.draws} draws)"
            if r.target != "all targets"
            else f"- every target at once: `{r.parameter}` at its {r.end} end ({r.share:.0%} "
            f"of {r.draws} draws)"
            for r in diag.edges.itertuples()
        ]
    else:
        lines += ["", "No target pushes a parameter to an end of its range."]
    return lines


def _share(share: float, n: int) -> str:
    if not np.isfinite(share):
        return "–"
    if share >= 0.01:
        return f"{share:.1%}"
    return f"{round(share * n):,} of {n:,} draws"


def _elapsed_text(elapsed: dict[str, float]) -> str:
    if not elapsed:
        return ""
    parts = [f"{k} {v / 60:.1f} min" for k, v in elapsed.items()]
    return " (wall time: " + ", ".join(parts) + ")"


def _posterior_section(result: CalibrationResult) -> list[str]:
    hm, post = result.match, result.posterior
    assert post is not None
    draws = post.draws
    base = defaults()
    prior_sample = hm.prior.sample(20_000, 0)
    lines = [
        "",
        "### Posterior",
        "",
        f"{len(draws)} draws from the last wave's emulator (random-walk Metropolis"
        + (
            f" with a jump proposed from the weighted pool every {result.sampler.jump_every}th step"
            if result.sampler.jump_every
            else ""
        )
        + f", {result.sampler.chains} chains, {post.steps} steps each of which "
        f"{result.sampler.burn} burn-in, every {result.sampler.thin}th step kept; acceptance "
        f"{post.acceptance:.0%}), saved as `posterior.parquet`. *Narrowing*: posterior sd / "
        "prior sd (1: the targets say nothing about the parameter). *R̂*, *ESS*: ArviZ's "
        "rank-normalised split-R̂ and bulk / tail effective sample sizes of the kept draws "
        f"(mixed when R̂ ≤ {RHAT_OK} and both ESS ≥ {ESS_OK}).",
        "",
        "| parameter | prior | posterior median [90% interval] | narrowing | R̂ | ESS bulk / tail "
        "| schema default | default in the interval |",
        "|---|---|---|---:|---:|---:|---:|:---:|",
    ]
    for p in hm.prior.params:
        v = draws[p.name].to_numpy()
        lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95])
        if p.scale == "log":
            narrowing = np.std(np.log(v)) / np.std(np.log(prior_sample[p.name]))
        else:
            narrowing = np.std(v) / np.std(prior_sample[p.name])
        default = float(base.get(p.name, math.nan))
        inside = "–" if not np.isfinite(default) else "yes" if lo <= default <= hi else "**no**"
        lines.append(
            f"| `{p.name}` | {p.describe()} | {_f(med)} [{_f(lo)}, {_f(hi)}] | "
            f"{narrowing:.2f} | {post.rhat.get(p.name, math.nan):.3f} | "
            f"{post.ess_bulk.get(p.name, math.nan):.0f} / "
            f"{post.ess_tail.get(p.name, math.nan):.0f} | {_f(default)} | {inside} |"
        )
    lines += _sampler_warnings(post, result.sampler)
    edges = []
    for p in hm.prior.params:
        lo, hi = np.quantile(p.to_unit(draws[p.name].to_numpy()), [0.05, 0.95])
        if hi - lo < 0.5 and (lo <= EDGE or hi >= 1 - EDGE):
            edges.append(f"`{p.name}` ({'lower' if lo <= EDGE else 'upper'} end)")
    if edges:
        lines += [
            "",
            "**The posterior presses against the end of a plausible range** for "
            + ", ".join(edges)
            + ": the targets ask for values beyond what the prior "
            "allows. Widen the range where that is defensible; otherwise the model "
            "reproduces the targets only at the edge of what is plausible (see the "
            "predictive check).",
        ]
    rho = draws[hm.prior.names].corr(method="spearman")
    pairs = [
        (abs(rho.iloc[i, j]), hm.prior.names[i], hm.prior.names[j], rho.iloc[i, j])
        for i in range(len(rho))
        for j in range(i + 1, len(rho))
    ]
    strong = sorted([p for p in pairs if p[0] >= TRADE_OFF], reverse=True)
    if strong:
        lines += [
            "",
            "The targets identify combinations more than single values: "
            + "; ".join(f"`{a}` and `{b}` (ρ = {r:+.2f})" for _, a, b, r in strong)
            + f" trade off in the posterior (Spearman correlations of at least "
            f"{TRADE_OFF:g} in absolute value). Experiments that take their parameters "
            "from the posterior table keep these dependencies.",
        ]
    else:
        lines += ["", f"No two parameters correlate at {TRADE_OFF:g} or more in the posterior."]
    lines += [
        "",
        "![Posterior draws of each parameter over its prior](validation/calibration_posterior.png)",
    ]
    return lines


def _sampler_warnings(post: Posterior, sampler: SamplerSettings) -> list[str]:
    worst = max(post.rhat, key=lambda k: post.rhat[k])
    fewest = min(post.ess_bulk, key=lambda k: post.ess_bulk[k]) if post.ess_bulk else None
    tail = min(post.ess_tail, key=lambda k: post.ess_tail[k]) if post.ess_tail else None
    problems = []
    if post.rhat[worst] > RHAT_OK:
        problems.append(f"R̂ of `{worst}` {post.rhat[worst]:.2f} > {RHAT_OK}")
    if fewest is not None and post.ess_bulk[fewest] < ESS_OK:
        problems.append(f"bulk ESS of `{fewest}` {post.ess_bulk[fewest]:.0f} < {ESS_OK}")
    if tail is not None and post.ess_tail[tail] < ESS_OK:
        problems.append(f"tail ESS of `{tail}` {post.ess_tail[tail]:.0f} < {ESS_OK}")
    if not problems:
        return []
    return [
        "",
        f"**The chains have not mixed** ({'; '.join(problems)}): the posterior's quantiles "
        f"are rough. Run again with more burn-in (`--burn`, now {sampler.burn}); the runs "
        "are reused.",
    ]


def _check_section(result: CalibrationResult) -> list[str]:
    table = result.check_table
    assert table is not None and result.checks is not None
    n_draws = int(result.checks["draw"].nunique())
    lines = [
        "",
        "### Posterior predictive check",
        "",
        f"The first {n_draws} posterior draws, {result.check_seeds} fresh seeds each, on the "
        "reduced world: each target's observed range against the calibrated model's runs. "
        f"*Met*: at least {MEETS:.0%} of the runs in the range. *Below*: share of runs below "
        "the observation (near 0 or 1: the model misses it). *Emulator*: RMS standardised "
        "error of the emulator at these draws.",
        "",
        "| target | observed range | runs: median [5%, 95%] | runs in range | met | below "
        "| emulator |",
        "|---|---|---|---:|:---:|---:|---:|",
    ]
    for r in table.itertuples():
        emulator = _f(getattr(r, "emulator_rms", math.nan), 2)
        lines.append(
            f"| `{r.target}` | {r.low:g}–{r.high:g} | {_f(r.median)} "
            f"[{_f(r.q05)}, {_f(r.q95)}] | {r.in_range:.0%} | "
            f"{'yes' if r.in_range >= MEETS else '**no**'} | {r.below:.0%} | {emulator} |"
        )
    worst = table.loc[(table["below"] - 0.5).abs().idxmax()]
    lines += [
        "",
        f"The target the calibrated model fits least centrally is `{worst.target}` "
        f"({worst.below:.0%} of runs below the observation, {worst.in_range:.0%} of "
        "runs inside its range).",
    ]
    lines += [
        "",
        "![Targets, waves and posterior predictive runs](validation/calibration_checks.png)",
    ]
    return lines


def _held_out_section(result: CalibrationResult) -> list[str]:
    table = result.held_out_table
    assert table is not None and result.held_out_runs is not None
    n_draws = int(result.held_out_runs["draw"].nunique())
    by_name = {t.name: t for t in result.held_out}
    lines = [
        "",
        "### Held-out episode (out of sample)",
        "",
        f"The episode no wave ever ran, replayed at the same {n_draws} posterior draws and "
        "fresh seeds as the predictive check: the recorded change against the calibrated "
        "model's runs. Nothing of it was fitted, so this is the calibration's test out of "
        "sample.",
        "",
        "| outcome | record | recorded change ± half-width | runs: median [5%, 95%] | runs in "
        "range | met | below |",
        "|---|---|---|---|---:|:---:|---:|",
    ]
    for r in table.itertuples():
        t = by_name.get(r.target)
        record = " → ".join(f"{x:g}" for x in t.figures) if t is not None and t.figures else "–"
        lines.append(
            f"| `{r.target}` | {record} | {r.low:g}–{r.high:g} | {_f(r.median)} "
            f"[{_f(r.q05)}, {_f(r.q95)}] | {r.in_range:.0%} | "
            f"{'yes' if r.in_range >= MEETS else '**no**'} | {r.below:.0%} |"
        )
    return lines


def _world_section(result: CalibrationResult) -> list[str]:
    table = result.world_table
    assert table is not None
    pairs = int(table["pairs"].max())
    lines = [
        "",
        "### World-size check",
        "",
        f"The same posterior draws and seeds ({pairs} pairs) on the default district and on "
        "the reduced world: the paired difference default − reduced of each target with its "
        "95% interval, and the difference in units of the target's standard deviation.",
        "",
        "| target | default − reduced [95% CI] | in target sds |",
        "|---|---|---:|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| `{r.target}` | {r.difference:+.4f} [{r.low:+.4f}, {r.high:+.4f}] | {r.in_sd:+.2f} |"
        )
    worst = table.loc[table["in_sd"].abs().idxmax()]
    excluding = [r.target for r in table.itertuples() if r.low > 0 or r.high < 0]
    text = f"The largest difference is {worst.in_sd:+.2f} sd (`{worst.target}`). "
    widest = float(table["half_width_in_sd"].max())
    if excluding:
        text += (
            f"{len(excluding)} of {len(table)} intervals exclude zero ("
            + ", ".join(f"`{n}`" for n in excluding)
            + ")"
        )
        text += (
            "; differences this small against the targets' uncertainty leave the "
            "calibration's conclusions unchanged."
            if abs(worst.in_sd) < 0.5
            else "; **the reduced world does not stand in for the default one on these targets**."
        )
    else:
        text += (
            f"No interval excludes zero; their half-widths reach {widest:.2f} sd, so "
            "differences of that size cannot be ruled out with this many pairs."
        )
    return lines + ["", text]


# --- figures ---------------------------------------------------------------------------------


def posterior_figure(hm: HistoryMatch, posterior: Posterior) -> Figure:
    """One panel per parameter: histogram of the posterior draws, the prior's density."""
    n = len(hm.prior)
    cols = min(5, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(3.0 * cols, 2.4 * rows + 0.4))
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, p in zip(axes, hm.prior.params):
        v = posterior.draws[p.name].to_numpy()
        lo, hi = p.low, p.high
        grid = np.linspace(lo, hi, 200)
        density = p.dist.pdf(grid)
        label = p.name
        if p.scale == "log":  # on the log scale, where a log-uniform prior is flat
            v, lo, hi = np.log10(v), np.log10(lo), np.log10(hi)
            density = (
                p.dist.pdf(10 ** np.linspace(lo, hi, 200))
                * 10 ** np.linspace(lo, hi, 200)
                * np.log(10)
            )
            grid = np.linspace(lo, hi, 200)
            label = f"log10 {p.name}"
        ax.hist(
            v,
            bins=np.linspace(lo, hi, 31),
            density=True,
            color="#4c72b0",
            alpha=0.8,
            label="posterior",
        )
        ax.plot(grid, density, color="#000000", lw=1.2, label="prior")
        ax.set_title(label, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in axes[n:]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def checks_figure(hm: HistoryMatch, checks: pd.DataFrame | None) -> Figure:
    """One panel per target: its range, each wave's design points (seed means) and the
    posterior predictive runs."""
    k = len(hm.targets)
    cols = min(3, k)
    rows = math.ceil(k / cols)
    fig = Figure(figsize=(4.2 * cols, 3.2 * rows))
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    points = hm.points()
    rng = np.random.default_rng(0)
    waves = [w.number for w in hm.waves]
    for ax, t in zip(axes, hm.targets):
        ax.axhspan(t.low, t.high, color="#2ca02c", alpha=0.15, label="observed range")
        for w in waves:
            y = points.loc[points["wave"] == w, t.name]
            ax.scatter(
                w + rng.uniform(-0.25, 0.25, len(y)),
                y,
                s=5,
                color="#888888",
                alpha=0.6,
                label="design points (seed means)" if w == 1 else None,
            )
        labels = [str(w) for w in waves]
        if checks is not None:
            v = checks[t.name].dropna().to_numpy()
            x = len(waves) + 1
            if len(v):
                ax.violinplot([v], positions=[x], widths=0.7, showmedians=True)
            labels.append("check")
        ax.set_xticks(range(1, len(labels) + 1), labels)
        ax.set_xlabel("wave", fontsize=8)
        panel_title(ax, t.label, fontsize=9, width=48)
        ax.tick_params(labelsize=7)
    for ax in axes[k:]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def save(fig: Figure, path: Path) -> None:
    """Write a figure as PNG (under a temporary name, then renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp, open(tmp, "xb") as fh:
        fig.savefig(fh, format="png", dpi=110)
