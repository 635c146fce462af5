"""The Sweep tab: one lever (or one field of the policy timeline) over k values × N paired
replicates on the session's world — an effect curve with 95% bands for each chosen outcome,
the tables and figure to take away, and the experiment file that repeats it.

The sweep runs `python -m sim sweep` on the experiment the tab writes (`sweep`), as a
background job of the session (`jobs`, `workbench`): a process of its own within the
session's memory cap and the server's processors, with progress and Cancel; its result and
the tab's inputs stay with the session across tabs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import solara

from sim.core.metrics import OUTCOMES
from sim.core.params import ScenarioError

from . import export, figures
from . import sweep as sw
from .checks import checks_of
from .compare_tab import DownloadRow, OutcomePicker, PanelHead, RunFields, job_progress
from .controls import resolve_seed
from .i18n import fmt_number, html_text, long_label, param_label, signed, tr
from .jobs import FAILED, Job
from .plots import COMPARED, UNITS, decimals_of, effect_spec, unit_of
from .vega_view import Chart
from .workbench import Setting, Workbench

KIND = "sweep"
DEFAULT_MONTHS = 60
DEFAULT_REPLICATES = 5
DEFAULT_FACTOR = "xa_one_shoulder"


def factor_label(name: str, lang: str) -> str:
    """A factor's name in the page: a lever's label, or the timeline entry and field."""
    if name.startswith("policy."):
        _, entry, field = name.split(".", 2)
        what = (
            tr("reform_month", lang)
            if field == "month"
            else param_label(field, lang)
            if field not in ("share", "seed")
            else field
        )
        return tr("sweep_timeline_field", lang).format(entry=entry, field=what)
    return param_label(name, lang)


@solara.component
def SweepPanel(
    bench: Workbench,
    tick: solara.Reactive[int],
    setting: Setting,
    lang: str,
) -> None:
    """Choose the factor, its values, replicates and months; run in the background."""
    tick.value  # noqa: B018
    params, seed_text, world = setting.params, setting.seed_text, setting.world
    policy = list(setting.policy)
    form = bench.form(KIND)
    factors = sw.levers() + sw.timeline_fields(policy)
    form.setdefault("factor", DEFAULT_FACTOR if DEFAULT_FACTOR in factors else factors[0])
    if form["factor"] not in factors:
        form["factor"] = factors[0]
    form.setdefault("months", DEFAULT_MONTHS)
    form.setdefault("replicates", DEFAULT_REPLICATES)
    if "values" not in form:
        form["values"] = sw.values_text(
            sw.default_values(form["factor"], policy, form["months"] or DEFAULT_MONTHS)
        )
    version = solara.use_reactive(0)
    version.value  # noqa: B018

    def put(key: str, value: Any) -> None:
        form[key] = value
        version.set(version.value + 1)

    def pick_factor(label: str) -> None:
        name = labels[label]
        form["factor"] = name
        form["values"] = sw.values_text(
            sw.default_values(name, policy, form["months"] or DEFAULT_MONTHS)
        )
        version.set(version.value + 1)

    labels = {factor_label(f, lang): f for f in factors}
    running = bench.running(KIND)
    job = bench.jobs.get(KIND)

    def start() -> None:
        bench.errors.pop(KIND, None)
        try:
            seed, _ = resolve_seed(seed_text)
            values = sw.parse_values(form["values"], form["factor"], policy)
            spec = sw.SweepSpec(
                form["factor"],
                tuple(values),
                dict(params),
                seed,
                int(form["months"]),
                int(form["replicates"]),
                tuple(policy),
                world,
            )
            need = setting.job_mb(spec.months, lang)
            folder = bench.new_folder(KIND)
            experiment = sw.write_experiment(spec, folder)
        except ScenarioError as err:
            bench.errors[KIND] = str(err)
            version.set(version.value + 1)
            return
        out = folder / "results"
        total = len(values) * spec.replicates

        def done(j: Job) -> sw.SweepResult:
            checks = [o for o, _ in checks_of([spec.factor] if spec.factor in sw.levers() else [])]
            chosen = checks + [o for o, _ in COMPARED]
            return sw.SweepResult(spec, out, list(dict.fromkeys(chosen)))

        new = Job(
            KIND,
            sw.command(experiment, out),
            folder,
            setting.session,
            need,
            setting.limits,
            total=total,
            poll=lambda: sw.runs_done(out),
        )
        bench.submit(new, done)

    solara.Text(tr("sweep_intro", lang), style={"color": "#444"})
    if world is not None:
        solara.Info(tr("compare_world", lang).format(folder=world), classes=["sweep-world"])
    with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
        solara.Select(
            tr("sweep_factor", lang),
            values=list(labels),
            value=factor_label(form["factor"], lang),
            on_value=pick_factor,
            style={"min-width": "260px", "max-width": "420px"},
            classes=["sweep-factor"],
        )
        solara.InputText(
            tr("sweep_values", lang),
            value=form["values"],
            on_value=lambda v: put("values", v or ""),
            continuous_update=True,
            classes=["sweep-values"],
            style={"min-width": "220px"},
        )
        RunFields(
            form["months"],
            form["replicates"],
            put,
            lang,
            "sweep",
            tr("sweep_run", lang),
            start,
            running is not None,
        )
    solara.Text(
        tr("sweep_values_help", lang),
        style={"font-size": "12px", "color": "#666", "display": "block"},
    )
    job_progress(bench, KIND, lang, "runs")
    if bench.errors.get(KIND):
        solara.Error(bench.errors[KIND], classes=["sweep-error"])
    elif job is not None and job.state == FAILED:
        solara.Error(job.message, classes=["sweep-error"])
    res = bench.results.get(KIND)
    if res is not None:
        SweepResultView(res, lang)


@solara.component
def SweepResultView(res: sw.SweepResult, lang: str) -> None:
    """Effect curves of the chosen outcomes, the table, downloads and the experiment."""
    spec = res.spec
    outcomes = solara.use_reactive(list(res.outcomes))
    relative = solara.use_reactive(res.relative)
    solara.use_effect(lambda: outcomes.set(list(res.outcomes)), [res])

    def choose(values: list[str]) -> None:
        res.outcomes = [o for o in values if o in OUTCOMES]
        outcomes.set(list(res.outcomes))

    def toggle(on: bool) -> None:
        res.relative = bool(on)
        relative.set(bool(on))

    effects = solara.use_memo(
        lambda: sw.effects_table(res.folder, outcomes.value), [res, tuple(outcomes.value)]
    )
    name = factor_label(spec.factor, lang)
    solara.Text(
        tr("sweep_done", lang).format(
            factor=name,
            values=sw.values_text(spec.values),
            n=spec.replicates,
            months=spec.months,
            seed=spec.seed,
        ),
        classes=["sweep-caption"],
    )
    lever = [spec.factor] if spec.factor in sw.levers() else []
    OutcomePicker(checks_of(lever), lever, outcomes.value, choose, lang, "sweep")
    with solara.Div(classes=["sweep-relative"]):
        solara.Checkbox(
            label=tr("sweep_relative", lang).format(v=sw.values_text(spec.values[:1])),
            value=relative.value,
            on_value=toggle,
        )
    if effects.empty:
        solara.Warning(tr("sweep_nothing", lang), classes=["sweep-nothing"])
        return
    numeric = not isinstance(spec.values[0], bool)
    with solara.Div(classes=["compare-plots", "sweep-plots"]):
        for outcome in outcomes.value:
            rows = effects[effects["outcome"] == outcome]
            if rows.empty:
                continue
            with solara.Div(classes=["panel", f"sweep-{outcome}"]):
                PanelHead(outcome, lang)
                Chart(
                    effect_spec(outcome, unit_of(outcome), name, lang, relative.value, numeric),
                    {
                        "rows": effect_rows(rows, UNITS[unit_of(outcome)].share),
                        "version": f"{relative.value}-{len(rows)}",
                    },
                )
    EffectTable(effects, spec, lang)
    SweepDownloads(res, effects, lang)


def effect_rows(rows: pd.DataFrame, share: bool = False) -> list[dict[str, Any]]:
    """Chart rows of one outcome's effects (plain numbers, None for a missing bound); the
    interval of a share's mean is cut at 0 and 1."""
    out = []
    for _, r in rows.iterrows():
        if share:
            r = r.copy()
            r["low"], r["high"] = max(r["low"], 0.0), min(r["high"], 1.0)
        value = r["value"]
        out.append(
            {
                "value": value if not isinstance(value, bool) else str(value).lower(),
                "label": str(value).lower() if isinstance(value, bool) else f"{value:g}",
                "n": int(r["n"]),
                **{
                    k: (None if pd.isna(r[k]) else float(f"{float(r[k]):.6g}"))
                    for k in ("mean", "low", "high", "diff", "diff_low", "diff_high")
                },
            }
        )
    return out


@solara.component
def EffectTable(effects: pd.DataFrame, spec: sw.SweepSpec, lang: str) -> None:
    """Per outcome and value: the mean over the window with its 95% CI, and the paired
    difference from the first value with its 95% CI."""
    head = (
        f"<tr><th>{tr('outcome', lang)}</th><th>{html_text(factor_label(spec.factor, lang))}</th>"
        f"<th>n</th><th>{tr('sweep_mean', lang)}</th><th>{tr('ci95_mean', lang)}</th>"
        f"<th>{tr('sweep_diff', lang)}</th><th>{tr('ci95', lang)}</th></tr>"
    )
    body = []
    for _, r in effects.iterrows():
        dec = decimals_of(unit_of(r["outcome"]))
        ci = (
            f"[{fmt_number(r['low'], lang, dec)}, {fmt_number(r['high'], lang, dec)}]"
            if pd.notna(r["low"])
            else "—"
        )
        dci = (
            f"[{signed(r['diff_low'], lang, dec)}, {signed(r['diff_high'], lang, dec)}]"
            if pd.notna(r["diff_low"])
            else "—"
        )
        body.append(
            f"<tr><td>{html_text(long_label(r['outcome'], lang))}</td><td>{html_text(_level(r['value']))}</td>"
            f"<td>{int(r['n'])}</td><td>{fmt_number(r['mean'], lang, dec)}</td><td>{ci}</td>"
            f"<td>{signed(r['diff'], lang, dec)}</td><td>{dci}</td></tr>"
        )
    from .compare_tab import window_text

    solara.Text(
        window_text(spec.window, spec.replicates, lang),
        classes=["sweep-window"],
        style={"font-weight": "600", "display": "block", "margin-top": "8px"},
    )
    with solara.Div(classes=["table-wrap", "sweep-table-wrap"]):
        solara.HTML(
            tag="table", unsafe_innerHTML=head + "".join(body), classes=["gov-table", "sweep-table"]
        )


def _level(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else f"{value:g}"


@solara.component
def SweepDownloads(res: sw.SweepResult, effects: pd.DataFrame, lang: str) -> None:
    """The runs and the effects (CSV, Parquet), the figure (SVG, PNG at 2×) and the
    experiment file that repeats the sweep."""
    spec = res.spec
    stem = f"sweep-{spec.factor.replace('.', '-')}-seed{spec.seed}"

    def table(which: str, fmt: str):
        def make() -> bytes:
            frame = sw.runs_table(res.folder) if which == "runs" else effects
            return export.table_bytes(frame, fmt)

        return make

    def figure(fmt: str):
        def make() -> bytes:
            title = tr("sweep_figure_title", lang).format(
                factor=factor_label(spec.factor, lang), n=spec.replicates, w=spec.window
            )
            return figures.sweep_figure(
                effects, factor_label(spec.factor, lang), title, lang, fmt, res.relative
            )

        return make

    def experiment() -> bytes:
        saved = replace(spec, outcomes=tuple(res.outcomes))
        return sw.experiment_toml(saved).encode("utf-8")

    DownloadRow(
        [("sweep_download_runs", "runs", table), ("sweep_download_effects", "effects", table)],
        figure,
        stem,
        lang,
        "sweep",
    )
    solara.FileDownload(
        experiment,
        filename=f"{stem}.toml",
        mime_type=export.MIME["toml"],
        children=[
            solara.Button(
                tr("sweep_save", lang),
                icon_name="mdi-content-save",
                outlined=True,
                classes=["sweep-save"],
            )
        ],
    )
    solara.Text(
        tr("sweep_save_help", lang),
        style={"font-size": "12px", "color": "#666", "display": "block"},
    )
