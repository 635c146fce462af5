"""The Compare tab: two settings, N paired replicates each, bands and B − A with 95% CIs."""

from __future__ import annotations

import threading
import traceback
from pathlib import Path
from typing import Any

import solara
import solara.lab

from sim.core.params import ScenarioError
from sim.core.scenario import list_scenarios, load_district

from . import compare as cmp
from .controls import resolve_seed, scenario_folder
from .guard import Limits, world_refusal
from .i18n import fmt_number, long_label, signed, tr
from .plots import COMPARED, UNITS, band_rows, band_spec
from .vega_view import Chart

BANDS = 6
"""The first outcomes of `plots.COMPARED` drawn with bands; the table has them all."""
MAX_MONTHS = 600
MAX_REPLICATES = 50


@solara.component
def ComparePanel(
    params: dict[str, Any],
    seed_text: str,
    closed: threading.Event,
    lang: str,
    policy: list[dict[str, Any]] | None = None,
    world: Path | None = None,
) -> None:
    """Choose two arms, the replicates and months; run on the session's world (`world`: the
    folder of the district's tables, if read from files); see bands and differences."""
    folder = scenario_folder()
    names = solara.use_memo(lambda: [n for n, _ in list_scenarios(folder)], [str(folder)])
    arm_a = solara.use_reactive("baseline" if "baseline" in names else cmp.CURRENT)
    arm_b = solara.use_reactive(cmp.CURRENT)
    months = solara.use_reactive(60)
    replicates = solara.use_reactive(cmp.DEFAULT_REPLICATES)
    done = solara.use_reactive((0, 1))
    result = solara.use_reactive(None)
    error = solara.use_reactive("")
    current_label = tr("arm_current", lang)

    def label(choice: str) -> str:
        return current_label if choice == cmp.CURRENT else choice

    def work() -> None:
        error.set("")
        done.set((0, 1))
        try:
            district = load_district(world) if world is not None else None
            refusal = world_refusal(params, Limits.from_env(), lang, district=district)
            if refusal:
                error.set(refusal)
                return
            seed, _ = resolve_seed(seed_text)
            pa = cmp.arm_params(arm_a.value, params, folder)
            pb = cmp.arm_params(arm_b.value, params, folder)
            timelines = (
                cmp.arm_timeline(arm_a.value, policy or [], folder),
                cmp.arm_timeline(arm_b.value, policy or [], folder),
            )
            arms = (f"A: {label(arm_a.value)}", f"B: {label(arm_b.value)}")
            comp = cmp.run_comparison(
                pa,
                pb,
                seed,
                int(replicates.value),
                int(months.value),
                arms,
                progress=lambda d, t: done.set((d, t)),
                cancelled=closed.is_set,
                timelines=timelines,
                district=district,
            )
            result.set({"comp": comp, "seed": seed})
        except cmp.Cancelled:
            return
        except ScenarioError as err:
            error.set(str(err))
        except Exception as err:  # shown in the page rather than lost in the server log
            traceback.print_exc()
            error.set(f"{type(err).__name__}: {err}")

    task = solara.lab.use_task(work, dependencies=None, prefer_threaded=True)

    def set_months(value: int | None) -> None:
        months.set(int(min(max(value or 1, 1), MAX_MONTHS)))

    def set_replicates(value: int | None) -> None:
        replicates.set(int(min(max(value or 1, 1), MAX_REPLICATES)))

    solara.Text(tr("compare_intro", lang), style={"color": "#444"})
    if world is not None:
        solara.Info(tr("compare_world", lang).format(folder=world), classes=["compare-world"])
    for arm, choice in (("A", arm_a.value), ("B", arm_b.value)):
        try:
            aside = cmp.set_aside_world(choice, world, folder)
        except ScenarioError:  # reported when the comparison runs
            aside = None
        if aside is not None:
            solara.Warning(
                tr("compare_world_set_aside", lang).format(arm=arm, folder=aside),
                classes=["compare-world-aside"],
            )
    choices = [current_label, *names]
    with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Select(
            tr("arm_a", lang),
            values=choices,
            value=label(arm_a.value),
            on_value=lambda v: arm_a.set(cmp.CURRENT if v == current_label else v),
            style={"min-width": "200px"},
            classes=["arm-a-select"],
        )
        solara.Select(
            tr("arm_b", lang),
            values=choices,
            value=label(arm_b.value),
            on_value=lambda v: arm_b.set(cmp.CURRENT if v == current_label else v),
            style={"min-width": "200px"},
            classes=["arm-b-select"],
        )
        solara.InputInt(
            tr("months", lang),
            value=months.value,
            on_value=set_months,
            classes=["compare-months"],
            style={"max-width": "110px"},
        )
        solara.InputInt(
            tr("replicates", lang),
            value=replicates.value,
            on_value=set_replicates,
            classes=["compare-replicates"],
            style={"max-width": "110px"},
        )
        solara.Button(
            tr("compare_run", lang),
            color="primary",
            on_click=task,
            disabled=task.pending,
            classes=["compare-run"],
        )
    if task.pending:
        d, total = done.value
        solara.ProgressLinear(100 * d / max(total, 1))
        solara.Text(f"{tr('compare_running', lang)} {d}/{total}")
    if error.value:
        solara.Error(error.value, classes=["compare-error"])
    res = result.value
    if res is not None:
        CompareResult(res["comp"], res["seed"], lang)


@solara.component
def CompareResult(comp: cmp.Comparison, seed: int, lang: str) -> None:
    """Bands of the key outcomes and the table of differences."""
    a_name, b_name = comp.names
    seeds = ", ".join(str(s) for s in comp.seeds[: comp.n])
    solara.Text(
        f"{tr('compare_done', lang)}: {a_name} · {b_name} · {tr('seed_used', lang)} "
        f"{seed} · {tr('replicates', lang)} {comp.n} · {tr('months', lang)} {comp.months}",
        classes=["compare-caption"],
    )
    solara.Text(
        tr("compare_seeds", lang).format(seeds=seeds),
        style={"font-size": "12px", "color": "#666", "word-break": "break-all"},
    )
    if comp.n == 1:
        solara.Warning(tr("compare_one", lang), classes=["compare-one"])
    with solara.Div(classes=["compare-plots"]):
        for outcome, unit in COMPARED[:BANDS]:
            spec = band_spec(outcome, unit, comp.names, lang)
            rows = band_rows(comp.a[: comp.n], comp.b[: comp.n], outcome, comp.names)
            with solara.Div(classes=["panel", f"compare-{outcome}"]):
                Chart(spec, {"rows": rows, "version": comp.n})
    rows = cmp.differences(comp, [o for o, _ in COMPARED])
    units = dict(COMPARED)
    head = (
        f"<tr><th>{tr('outcome', lang)}</th><th>A</th><th>B</th>"
        f"<th>{tr('difference', lang)}</th><th>{tr('ci95', lang)}</th>"
        f"<th>{tr('verdict', lang)}</th></tr>"
    )
    body = []
    for d in rows:
        dec = _decimals(units[d.outcome])
        if d.diff.n >= 2:
            ci = f"[{signed(d.diff.low, lang, dec)}, {signed(d.diff.high, lang, dec)}]"
            verdict = tr("ci_excludes" if d.diff.excludes_zero() else "ci_includes", lang)
        else:
            ci, verdict = "—", tr("ci_none", lang)
        body.append(
            f"<tr><td>{long_label(d.outcome, lang)}</td><td>{fmt_number(d.a.mean, lang, dec)}</td>"
            f"<td>{fmt_number(d.b.mean, lang, dec)}</td><td>{signed(d.diff.mean, lang, dec)}</td>"
            f"<td>{ci}</td><td>{verdict}</td></tr>"
        )
    solara.Text(tr("compare_table", lang).format(n=comp.n), style={"font-weight": "600"})
    solara.HTML(
        tag="table", unsafe_innerHTML=head + "".join(body), classes=["gov-table", "compare-table"]
    )


def _decimals(unit: str) -> int:
    """Fixed decimals of a unit in the table: shares 3, counts 1, money none."""
    if UNITS[unit].share:
        return 3
    return 0 if "yuan" in unit else 1
