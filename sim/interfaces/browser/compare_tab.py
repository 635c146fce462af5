"""The Compare tab: two settings, N paired replicates each, bands and B − A with 95% CIs, the
tables and the figure to take away, and a map of where B helps and where it hurts.

The comparison runs as a background job of the session (`jobs`, `workbench`): in a process
of its own, with a progress bar and Cancel, and its result stays with the session — going to
another tab and back shows it again — until a new comparison replaces it. What was typed
into the tab stays too.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import solara

from sim.core.metrics import OUTCOMES
from sim.core.params import ScenarioError
from sim.core.scenario import list_scenarios, load_district
from sim.experiments.design import replicate_seeds

from . import compare as cmp
from . import export, figures
from . import map_view as mv
from .checks import changed_levers, checks_of, ordered_outcomes, timeline_levers
from .controls import BoundedInt, resolve_seed, scenario_folder
from .export_panel import Downloads
from .i18n import fmt_number, html_text, long_label, metric_label, param_label, signed, tr
from .jobs import CANCELLED, FAILED, RUNNING, WAITING, Job
from .plots import COMPARED, UNITS, band_rows, band_spec, decimals_of, unit_of
from .vega_view import Chart
from .workbench import Setting, Workbench

KIND = "compare"
MAX_MONTHS = 600
MAX_REPLICATES = 50
DEFAULT_MONTHS = 60
KEY_OUTCOMES = tuple(o for o, _ in COMPARED)
"""Outcomes chosen at first besides the manipulation checks (the table's former ten)."""
MAP_DEFAULT = "satisfaction"


@dataclass
class CompareRun:
    """A finished comparison as the tab shows it: the runs, how they were made, and what
    the researcher chose to look at."""

    comp: cmp.Comparison
    seed: int
    world: Path | None
    checks: list[tuple[str, str]]  # (outcome, lever) manipulation checks of changed levers
    changed: list[str]  # levers that differ between the arms (values or timelines)
    outcomes: list[str] = field(default_factory=list)
    map_column: str = MAP_DEFAULT


def finished(comp: cmp.Comparison, seed: int, world: Path | None) -> CompareRun:
    """The tab's view of a comparison: the manipulation checks of the levers the arms
    change are offered first and chosen at first, with the key outcomes."""
    levers = list(
        dict.fromkeys(
            changed_levers(*comp.params)
            + (timeline_levers(*comp.timelines) if comp.timelines[0] != comp.timelines[1] else [])
        )
    )
    checks = checks_of(levers)
    present = set(comp.a[0].columns) if comp.a else set(OUTCOMES)
    chosen = [o for o, _ in checks] + [o for o in KEY_OUTCOMES if o in present]
    columns = cmp.community_columns(comp)
    column = MAP_DEFAULT if MAP_DEFAULT in columns else (columns[0] if columns else "")
    return CompareRun(comp, seed, world, checks, levers, list(dict.fromkeys(chosen)), column)


def window_text(window: int, n: int, lang: str) -> str:
    """What the table's numbers are: the mean of the last `window` months (all of a run as
    short as that) over n replicates."""
    key = "compare_table_1" if window == 1 else "compare_table"
    return tr(key, lang).format(w=window, n=n)


@solara.component
def ComparePanel(
    bench: Workbench,
    tick: solara.Reactive[int],
    setting: Setting,
    lang: str,
) -> None:
    """Choose two arms, the replicates and months; run them in the background on the
    session's world (`setting.world`: the folder of the district's tables, if read from
    files)."""
    tick.value  # noqa: B018
    params, seed_text, world = setting.params, setting.seed_text, setting.world
    folder = scenario_folder()
    names = solara.use_memo(lambda: [n for n, _ in list_scenarios(folder)], [str(folder)])
    form = bench.form(KIND)
    form.setdefault("arm_a", "baseline" if "baseline" in names else cmp.CURRENT)
    form.setdefault("arm_b", cmp.CURRENT)
    form.setdefault("months", DEFAULT_MONTHS)
    form.setdefault("replicates", cmp.DEFAULT_REPLICATES)
    version = solara.use_reactive(0)  # re-render on a change of the form
    version.value  # noqa: B018
    current_label = tr("arm_current", lang)

    def put(key: str, value: Any) -> None:
        form[key] = value
        version.set(version.value + 1)

    def label(choice: str) -> str:
        return current_label if choice == cmp.CURRENT else choice

    job = bench.jobs.get(KIND)
    running = bench.running(KIND)

    def start() -> None:
        bench.errors.pop(KIND, None)
        try:
            seed, _ = resolve_seed(seed_text)
            months, reps = int(form["months"]), int(form["replicates"])
            need = setting.job_mb(months, lang)
            pa = cmp.arm_params(form["arm_a"], params, folder)
            pb = cmp.arm_params(form["arm_b"], params, folder)
            timelines = (
                cmp.arm_timeline(form["arm_a"], list(setting.policy), folder),
                cmp.arm_timeline(form["arm_b"], list(setting.policy), folder),
            )
            arms = (f"A: {label(form['arm_a'])}", f"B: {label(form['arm_b'])}")
            skeleton = cmp.Comparison(
                arms, replicate_seeds(seed, reps), months, params=(pa, pb), timelines=timelines
            )
            out = bench.new_folder(KIND)
            spec = cmp.write_spec(skeleton, out, world)
        except ScenarioError as err:
            bench.errors[KIND] = str(err)
            version.set(version.value + 1)
            return
        new = Job(
            KIND,
            [sys.executable, "-m", "sim.interfaces.browser.worker", str(spec)],
            out,
            setting.session,
            need,
            setting.limits,
            total=2 * reps * months,
        )
        bench.submit(new, lambda j: finished(cmp.read_result(j.folder), seed, world))

    solara.Text(tr("compare_intro", lang), style={"color": "#444"})
    if world is not None:
        solara.Info(tr("compare_world", lang).format(folder=world), classes=["compare-world"])
    for arm, choice in (("A", form["arm_a"]), ("B", form["arm_b"])):
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
    with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
        solara.Select(
            tr("arm_a", lang),
            values=choices,
            value=label(form["arm_a"]),
            on_value=lambda v: put("arm_a", cmp.CURRENT if v == current_label else v),
            style={"min-width": "200px", "max-width": "360px"},
            classes=["arm-a-select"],
        )
        solara.Select(
            tr("arm_b", lang),
            values=choices,
            value=label(form["arm_b"]),
            on_value=lambda v: put("arm_b", cmp.CURRENT if v == current_label else v),
            style={"min-width": "200px", "max-width": "360px"},
            classes=["arm-b-select"],
        )
        RunFields(
            form["months"],
            form["replicates"],
            put,
            lang,
            "compare",
            tr("compare_run", lang),
            start,
            running is not None,
        )
    job_progress(bench, KIND, lang, "months")
    if bench.errors.get(KIND):
        solara.Error(bench.errors[KIND], classes=["compare-error"])
    elif job is not None and job.state == FAILED and job is bench.jobs.get(KIND):
        solara.Error(job.message, classes=["compare-error"])
    res = bench.results.get(KIND)
    if res is not None:
        CompareResult(res, lang)


def job_progress(bench: Workbench, kind: str, lang: str, unit: str) -> None:
    """The progress of the tab's job (`JobProgress`, given what it shows as its props, so
    it is drawn again whenever the job moves)."""
    job = bench.jobs.get(kind)
    if job is None:
        return
    JobProgress(
        job.state, job.done, job.total, job.place, lambda: bench.cancel(kind), kind, lang, unit
    )


@solara.component
def JobProgress(
    state: str, done: int, total: int, place: int, on_cancel: Any, kind: str, lang: str, unit: str
) -> None:
    """A job's place in the queue or its progress, and Cancel; a cancelled job says so."""
    if state == CANCELLED:
        solara.Info(tr("job_cancelled", lang), dense=True, classes=[f"{kind}-cancelled"])
        return
    if state not in (WAITING, RUNNING):
        return
    with solara.Row(gap="12px", style={"align-items": "center"}, classes=[f"{kind}-progress"]):
        with solara.Column(gap="2px", style={"flex": "1 1 300px"}):
            if state == WAITING:
                solara.ProgressLinear(True)
                solara.Text(tr("job_waiting", lang).format(k=max(place, 1)))
            else:
                solara.ProgressLinear(100 * done / max(total, 1))
                solara.Text(
                    tr(f"job_running_{unit}", lang).format(d=done, n=total),
                    classes=[f"{kind}-progress-text"],
                )
        solara.Button(
            tr("job_cancel", lang), on_click=on_cancel, outlined=True, classes=[f"{kind}-cancel"]
        )


def chosen_bands(res: CompareRun) -> dict[str, list[dict[str, Any]]]:
    comp = res.comp
    return {
        o: band_rows(comp.a[: comp.n], comp.b[: comp.n], o, comp.names, UNITS[unit_of(o)].share)
        for o in res.outcomes
        if comp.a and o in comp.a[0]
    }


@solara.component
def CompareResult(res: CompareRun, lang: str) -> None:
    """Bands of the chosen outcomes, the table of differences, downloads and the map."""
    comp = res.comp
    a_name, b_name = comp.names
    outcomes = solara.use_reactive(list(res.outcomes))
    solara.use_effect(lambda: outcomes.set(list(res.outcomes)), [res])

    def choose(values: list[str]) -> None:
        res.outcomes = [o for o in values if o in OUTCOMES]
        outcomes.set(list(res.outcomes))

    seeds = ", ".join(str(s) for s in comp.seeds[: comp.n])
    solara.Text(
        f"{tr('compare_done', lang)}: {a_name} · {b_name} · {tr('seed_used', lang)} "
        f"{res.seed} · {tr('replicates', lang)} {comp.n} · {tr('months', lang)} {comp.months}",
        classes=["compare-caption"],
    )
    solara.Text(
        tr("compare_seeds", lang).format(seeds=seeds),
        style={"font-size": "12px", "color": "#666", "word-break": "break-all", "display": "block"},
    )
    if comp.n == 1:
        solara.Warning(tr("compare_one", lang), classes=["compare-one"])
    OutcomePicker(res.checks, res.changed, outcomes.value, choose, lang, "compare")
    bands = chosen_bands(res)
    legend = "".join(
        f'<span class="arm-key"><span class="swatch" style="background:{c}"></span>'
        f"{html_text(name)}</span>"
        for name, c in zip(comp.names, ("#1f77b4", "#d62728"))
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=legend + f'<span class="band-note">{tr("band_note", lang)}</span>',
        classes=["compare-legend"],
    )
    with solara.Div(classes=["compare-plots"]):
        for outcome, rows in bands.items():
            with solara.Div(classes=["panel", f"compare-{outcome}"]):
                PanelHead(outcome, lang)
                Chart(
                    band_spec(outcome, unit_of(outcome), comp.names, lang),
                    {"rows": rows, "version": comp.n},
                )
    diffs = cmp.differences(comp, list(bands))
    head = (
        f"<tr><th>{tr('outcome', lang)}</th><th>A</th><th>B</th>"
        f"<th>{tr('difference', lang)}</th><th>{tr('ci95', lang)}</th>"
        f"<th>{tr('verdict', lang)}</th></tr>"
    )
    body = []
    checked = {o for o, _ in res.checks}
    for d in diffs:
        dec = decimals_of(unit_of(d.outcome))
        if d.diff.n >= 2:
            ci = f"[{signed(d.diff.low, lang, dec)}, {signed(d.diff.high, lang, dec)}]"
            verdict = tr("ci_excludes" if d.diff.excludes_zero() else "ci_includes", lang)
        else:
            ci, verdict = "—", tr("ci_none", lang)
        mark = (
            f' <span class="check-mark">{tr("check_mark", lang)}</span>'
            if d.outcome in checked
            else ""
        )
        body.append(
            f"<tr><td>{html_text(long_label(d.outcome, lang))}{mark}</td>"
            f"<td>{fmt_number(d.a.mean, lang, dec)}</td>"
            f"<td>{fmt_number(d.b.mean, lang, dec)}</td><td>{signed(d.diff.mean, lang, dec)}</td>"
            f"<td>{ci}</td><td>{verdict}</td></tr>"
        )
    solara.Text(
        window_text(comp.window, comp.n, lang),
        classes=["compare-window"],
        style={"font-weight": "600", "display": "block", "margin-top": "8px"},
    )
    with solara.Div(classes=["table-wrap"]):
        solara.HTML(
            tag="table",
            unsafe_innerHTML=head + "".join(body),
            classes=["gov-table", "compare-table"],
        )
    CompareDownloads(res, bands, lang)
    DifferenceMap(res, lang)


@solara.component
def PanelHead(outcome: str, lang: str) -> None:
    """A chart's title and its outcome's definition, wrapped to the panel's width."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f'<div class="panel-title">{html_text(long_label(outcome, lang))}</div>'
            f'<div class="panel-definition">{html_text(OUTCOMES.get(outcome, ""))}</div>'
        ),
        classes=["panel-head"],
    )


@solara.component
def OutcomePicker(
    checks: list[tuple[str, str]],
    changed: list[str],
    chosen: list[str],
    on_value: Any,
    lang: str,
    where: str,
) -> None:
    """Every outcome, the manipulation checks of the changed levers first (marked so)."""
    order = ordered_outcomes(changed)
    lever_of = dict(checks)
    labels = {}
    for o in order:
        text = long_label(o, lang)
        if o in lever_of:
            text = f"{tr('check_mark', lang)} {text} — {param_label(lever_of[o], lang)}"
        labels[text] = o
    by_outcome = {o: t for t, o in labels.items()}
    solara.SelectMultiple(
        tr("outcomes_pick", lang),
        values=[by_outcome[o] for o in chosen if o in by_outcome],
        all_values=list(labels),
        on_value=lambda vs: on_value([labels[v] for v in vs if v in labels]),
        classes=[f"{where}-outcomes"],
        dense=True,
    )
    if checks:
        text = "; ".join(f"{long_label(o, lang)} ({param_label(lv, lang)})" for o, lv in checks)
        solara.Text(
            tr("checks_note", lang).format(checks=text),
            classes=[f"{where}-checks"],
            style={"font-size": "12px", "color": "#555", "display": "block"},
        )
    elif changed:
        solara.Text(
            tr("checks_none", lang).format(
                levers=", ".join(param_label(lv, lang) for lv in changed)
            ),
            classes=[f"{where}-checks"],
            style={"font-size": "12px", "color": "#555", "display": "block"},
        )


@solara.component
def CompareDownloads(res: CompareRun, bands: dict[str, list[dict[str, Any]]], lang: str) -> None:
    """The replicate-level table and the differences (CSV, Parquet), and the figure of the
    chosen outcomes (SVG, PNG at 2×)."""
    comp = res.comp
    stem = f"compare-seed{res.seed}-{comp.n}x{comp.months}"

    def table(which: str, fmt: str):
        def make() -> bytes:
            frame = (
                cmp.replicate_table(comp)
                if which == "replicates"
                else cmp.differences_table(comp, list(bands))
            )
            return export.table_bytes(frame, fmt)

        return make

    def figure(fmt: str):
        def make() -> bytes:
            title = f"{comp.names[0]} · {comp.names[1]} — {window_text(comp.window, comp.n, lang)}"
            data = {o: pd.DataFrame(rows) for o, rows in bands.items()}
            return figures.compare_figure(data, comp.names, title, lang, fmt)

        return make

    DownloadRow(
        [
            ("compare_download_replicates", "replicates", table),
            ("compare_download_differences", "differences", table),
        ],
        figure,
        stem,
        lang,
        "compare",
    )


@solara.component
def DownloadRow(tables: list, figure: Any, stem: str, lang: str, where: str) -> None:
    """Download buttons: each table as CSV and Parquet, the figure as SVG and PNG (2×)."""
    with solara.Column(gap="2px", classes=[f"{where}-downloads"]):
        for key, which, make in tables:
            Downloads(
                tr(key, lang),
                {fmt: make(which, fmt) for fmt in export.FORMATS},
                f"{stem}-{which}",
                f"{where}-download-{which}",
            )
        Downloads(
            tr("download_figure", lang),
            {fmt: figure(fmt) for fmt in figures.FORMATS},
            stem,
            f"{where}-download-figure",
        )


@solara.component
def RunFields(
    months: int | None,
    replicates: int | None,
    put: Any,
    lang: str,
    where: str,
    label: str,
    on_run: Any,
    busy: bool,
) -> None:
    """Months and replicates, typed and checked as typed, and the button that runs (off
    while a job runs or a field is refused)."""
    BoundedInt(
        tr("months", lang),
        months,
        1,
        MAX_MONTHS,
        lambda v: put("months", v),
        lang,
        classes=[f"{where}-months"],
    )
    BoundedInt(
        tr("replicates", lang),
        replicates,
        1,
        MAX_REPLICATES,
        lambda v: put("replicates", v),
        lang,
        classes=[f"{where}-replicates"],
    )
    solara.Button(
        label,
        color="primary",
        on_click=on_run,
        disabled=busy or months is None or replicates is None,
        classes=[f"{where}-run"],
        style={"margin-top": "10px"},
    )


def difference_view(res: CompareRun, replicate: int) -> Any:
    """The layout of the difference map: the world of `replicate` (every replicate has the
    same world when the district is read from files), built again from arm A's settings and
    the replicate's seed — compounds at their coordinates if it has them, else its
    communities as the district view places them."""
    from sim.core.model import GovernanceModel
    from sim.core.policy import parse_timeline

    from .structure import read_structure

    comp = res.comp
    district = load_district(res.world) if res.world is not None else None
    model = GovernanceModel(
        rng=int(comp.seeds[replicate]),
        timeline=parse_timeline(comp.timelines[0], where="timeline"),
        district=district,
        **comp.params[0],
    )
    try:
        structure = read_structure(model.network)
        found = mv.map_view(structure, model, district)
        return found if found is not None else mv.community_view(structure)
    finally:
        model.remove_all_agents()


@solara.component
def DifferenceMap(res: CompareRun, lang: str) -> None:
    """Where B helps and where it hurts: each community coloured by the paired B − A of a
    per-community column; compounds at their coordinates where the world has them."""
    comp = res.comp
    columns = cmp.community_columns(comp)
    column = solara.use_reactive(res.map_column)
    replicate = solara.use_reactive(0)
    fixed = res.world is not None  # a district from files: the same communities every time
    rep = 0 if fixed else min(replicate.value, max(comp.n - 1, 0))
    view = solara.use_memo(lambda: difference_view(res, rep) if comp.n else None, [res, rep])
    spec = solara.use_memo(lambda: mv.spec(view, filename="difference-map") if view else {}, [view])
    if not columns or view is None:
        return
    col = column.value if column.value in columns else columns[0]
    names = {metric_label(c, lang): c for c in columns}

    def pick(label: str) -> None:
        res.map_column = names[label]
        column.set(names[label])

    with solara.Card(
        tr("diff_map", lang), margin=0, classes=["difference-map"], style={"margin-top": "12px"}
    ):
        if not cmp.same_communities(comp):
            solara.Warning(tr("diff_map_worlds", lang), classes=["diff-map-worlds"])
            return
        with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.Select(
                tr("diff_map_column", lang),
                values=list(names),
                value=metric_label(col, lang),
                on_value=pick,
                style={"max-width": "360px"},
                classes=["diff-map-column"],
            )
            if not fixed and comp.n > 1:
                reps = [str(r) for r in range(comp.n)]
                solara.Select(
                    tr("diff_map_replicate", lang),
                    values=reps,
                    value=str(rep),
                    on_value=lambda v: replicate.set(int(v)),
                    style={"max-width": "160px"},
                    classes=["diff-map-replicate"],
                )
        diffs = cmp.community_differences(comp, col, None if fixed else rep)
        rows = mv.difference_rows(view, diffs, col, lang)
        with solara.Div(classes=["network-chart", "diff-map-chart"], style={"max-width": "720px"}):
            Chart(spec, {**rows, "version": f"{col}-{rep}-{comp.n}"})
        top = float(diffs["diff"].abs().max()) if not diffs.empty else 0.0
        top = top if top == top else 0.0
        where = tr("diff_map_geo" if view.compound is not None else "diff_map_layout", lang)
        how = (
            tr("diff_map_fixed", lang).format(w=comp.window, n=comp.n)
            if fixed
            else tr("diff_map_each", lang).format(w=comp.window, r=rep)
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f'<div class="gl-row"><span>{signed(-top, lang)}</span><span class="bar" '
                f'style="background:{mv.diverging_gradient()}"></span>'
                f"<span>{signed(top, lang)}</span></div>"
                f'<div class="gl-row">{html_text(how)} {html_text(where)}</div>'
            ),
            classes=["gov-legend", "diff-map-legend"],
        )
