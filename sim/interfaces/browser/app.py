"""The browser app: watch a district's governance network and outcomes month by month.

Serve it with `python -m sim serve` (or `solara run sim/interfaces/browser/app.py`). The page shows

* the **governance network** (district view: one node per community; or one street in full
  detail), nodes coloured and shaped by actor type and shaded by state, ties styled by kind,
  with a legend whose tie entries switch kinds on and off;
* **live plots** of the district outcomes, one point per month;
* the **controls**: Reset / ▶ (play) / Step, a scenario picker, a seed box that accepts any
  text, every policy lever and the world size with their ranges and meanings;
* a **current model** panel that reads the running model (its month, seed and non-default
  parameters), and a **Compare** tab that runs two settings on the same seed.

Every browser session builds its own model inside `Page` (never a module-level model, which
Solara would share between all visitors). Network layouts are computed once per model and
view, so nodes keep their place while the model runs. The model knows nothing about this
app; the app only calls it.
"""

# Solara runs this file as a script, not as part of the package: imports are absolute.
from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

import solara
import solara.lab
import solara.widgets

from sim.core.model import GovernanceModel
from sim.core.params import ScenarioError, defaults
from sim.core.scenario import list_scenarios, load_scenario
from sim.interfaces.browser import compare as cmp
from sim.interfaces.browser import network_view as nv
from sim.interfaces.browser.controls import (
    HelpText,
    ParamGroups,
    Settings,
    differing,
    initial_settings,
    resolve_seed,
    scenario_folder,
)
from sim.interfaces.browser.i18n import LANGS, long_label, tr
from sim.interfaces.browser.plots import COMPARE_TABLE, compare_spec, live_spec, months_collected

PLAY_INTERVAL_MS = 100
"""Default pause between two steps while playing (Mesa's SolaraViz default)."""

CSS = """
.param-help { word-break: break-word; font-size: 11px; color: #666; line-height: 1.25;
              display: block; margin: 0 0 8px 0; }
.param-label { font-size: 13px; margin-top: 4px; }
.gov-legend { font-size: 12px; line-height: 1.5; }
.gov-legend .gl-row { display: flex; flex-wrap: nowrap; align-items: center; gap: 6px; }
.gov-legend .gl-row svg { flex: none; }
.gov-legend .bar { display: inline-block; width: 90px; height: 10px; border: 1px solid #999; }
.gov-info td { padding: 0 8px 0 0; vertical-align: top; font-size: 13px; }
.gov-table td, .gov-table th { padding: 2px 10px 2px 0; text-align: right; font-size: 13px; }
.gov-table td:first-child, .gov-table th:first-child { text-align: left; }
.step-counter { font-size: 20px; font-weight: 600; }
.edge-toggle .v-label { font-size: 13px; }
.network-figure { text-align: center; }
.network-figure img { max-width: 640px; }
.live-grid { display: grid; grid-template-columns: minmax(480px, 1fr) 620px; gap: 16px;
             align-items: start; padding-top: 8px; }
@media (max-width: 1500px) { .live-grid { grid-template-columns: 1fr; } }
"""


@dataclass(frozen=True)
class Run:
    """The running model of a session and how it was made."""

    model: GovernanceModel
    seed: int
    drawn: bool
    seed_text: str
    scenario: str


def start_run(params: dict[str, Any], seed_text: str, scenario: str) -> Run:
    """Build a model from the controls' values and the seed box's text."""
    seed, drawn = resolve_seed(seed_text)
    model = GovernanceModel(rng=seed, **params)
    return Run(model, seed, drawn, seed_text, scenario)


def _initial() -> tuple[Settings, str]:
    try:
        return initial_settings(), ""
    except ScenarioError as err:
        return Settings(), str(err)


# ------------------------------------------------------------------------------ controls
@solara.component
def RunControls(
    playing: solara.Reactive[bool],
    interval: solara.Reactive[int],
    on_step: Any,
    on_reset: Any,
    lang: str,
) -> None:
    """Reset, play/pause (▶ / ❚❚) and Step, like Mesa's SolaraViz controller."""
    with solara.Row(justify="space-between"):
        solara.Button(label=tr("reset", lang), color="primary", on_click=on_reset)
        solara.Button(label="❚❚" if playing.value else "▶", color="primary",
                      on_click=lambda: playing.set(not playing.value))
        solara.Button(label=tr("step", lang), color="primary", on_click=on_step,
                      disabled=playing.value)
    solara.Text(f"{tr('play_interval', lang)}: {interval.value}", classes=["param-label"],
                style={"display": "block", "margin-top": "8px"})
    solara.v.Slider(v_model=interval.value, on_v_model=lambda v: interval.set(int(v)), min=0,
                    max=1000, step=10, thumb_label=True, hide_details=True, dense=True,
                    class_="play-interval")


@solara.component
def InfoPanel(run: Run, tick: solara.Reactive[int], params: dict[str, Any], seed_text: str,
              lang: str) -> None:
    """What the running model is: its month, seed, scenario, size and parameters."""
    m = run.model
    tick.value  # noqa: B018  (re-render every month)
    solara.Text(f"{tr('step_counter', lang)}: {m.steps}", classes=["step-counter"])
    seed = f"{run.seed}"
    if run.drawn:
        seed += f" ({tr('seed_random', lang)})"
    elif run.seed_text.strip() != str(run.seed):
        seed += f" (“{run.seed_text.strip()}”)"
    world = (f"{m.streets.n} {tr('streets_u', lang)} · {m.communities.n} {tr('communities_u', lang)}"
             f" · {m.compounds.n} {tr('compounds_u', lang)} · {m.residents.n:,} "
             f"{tr('residents_u', lang)} · {m.network.number_of_nodes():,} {tr('nodes_u', lang)}")
    base = defaults()
    changed = [f"{k} = {_show(v)}" for k, v in m.p.items() if v != base[k]]
    rows = [
        (tr("seed_used", lang), seed, "info-seed"),
        (tr("scenario", lang), run.scenario or tr("scenario_none", lang), "info-scenario"),
        (tr("world", lang), world, "info-world"),
        (tr("non_default", lang), ", ".join(changed) or "—", "info-params"),
    ]
    html = "".join(
        f'<tr><td><b>{k}</b></td><td class="{cls}">{_escape(v)}</td></tr>' for k, v, cls in rows
    )
    solara.HTML(tag="table", unsafe_innerHTML=html, classes=["gov-info"])
    pending = differing(params, m.p) or seed_text != run.seed_text
    if pending:
        solara.Warning(tr("pending", lang), dense=True, classes=["pending-note"])


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _num(x: float, sign: bool = False) -> str:
    """A number for a table: 4 significant digits, thousands separated."""
    if x != x:
        return "—"
    if abs(x) >= 1000:
        return f"{x:+,.0f}" if sign else f"{x:,.0f}"
    return f"{x:+.3g}" if sign else f"{x:.4g}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@solara.component
def ScenarioPicker(current: str, on_pick: Any, lang: str) -> None:
    """Pick a scenario file of the scenarios folder: loads it into the controls and resets."""
    folder = scenario_folder()
    found = solara.use_memo(lambda: list_scenarios(folder), [str(folder)])
    names = [name for name, _ in found]
    none = tr("scenario_none", lang)
    solara.Select(tr("scenario_pick", lang), values=[none, *names],
                  value=current if current in names else none,
                  on_value=lambda v: on_pick("" if v == none else v), classes=["scenario-select"])
    desc = dict(found).get(current)
    if desc:
        HelpText(desc)


# ------------------------------------------------------------------------------ network
@solara.component
def Legend(view: str, metric: str, shown: solara.Reactive[tuple[str, ...]], lang: str) -> None:
    """Legend in HTML (follows the language; needs no font in matplotlib), with a switch
    for each kind of tie."""
    district = view == "district"
    if district:
        kinds = ["street_office", "community", "property_firm", "ngo", "ngo_empty"]
    else:
        kinds = ["street_office", "party_branch", "compound_branch", "residents_committee",
                 "oc_none", "oc_functioning", "oc_stalled", "oc_captured", "property_firm",
                 "ngo", "ngo_empty"]
    label_key = {k: f"kind_{k}" for k in kinds}
    label_key.update({k: k for k in kinds if k.startswith("oc_")})
    rows = [f'<div class="gl-row">{nv.svg_symbol(k, metric)}<span>{tr(label_key[k], lang)}</span></div>'
            for k in kinds]
    _, lo, hi = nv.METRICS[metric]
    rows.append(
        f'<div class="gl-row"><span>{tr("shade_note", lang)}: {tr("metric_" + metric, lang)}</span></div>'
        f'<div class="gl-row"><span>{lo:g}</span><span class="bar" style="background:'
        f'{nv.gradient_css(metric)}"></span><span>{hi:g}</span></div>')
    if district:
        rows.append(f'<div class="gl-row"><svg width="14" height="14"><circle cx="7" cy="7" r="5.5" '
                    f'fill="none" stroke="{nv.XA_RING}" stroke-width="2"/></svg>'
                    f'<span>{tr("xa_ring_note", lang)}</span></div>')
    rows.append(f'<div class="gl-row"><svg width="14" height="14"><polygon points="7,1 13,7 7,13 1,7" '
                f'fill="#9e9ac8" stroke="{nv.XA_RING}" stroke-width="1.6"/></svg>'
                f'<span>{tr("ngo_drift_note", lang)}</span></div>')
    if not district:
        rows.append(f'<div class="gl-row"><span>{tr("shade_other", lang)}</span></div>')
    rows.append(f'<div class="gl-row"><span>{tr("size_note", lang)}</span></div>')
    with solara.Row(gap="24px", classes=["gov-legend"],
                    style={"flex-wrap": "wrap", "align-items": "flex-start"}):
        with solara.Column(gap="2px", style={"flex": "1 1 300px", "max-width": "420px"}):
            solara.Text(tr("legend", lang), style={"font-weight": "600"})
            solara.HTML(tag="div", unsafe_innerHTML="".join(rows))
        with solara.Column(gap="2px", style={"flex": "0 1 260px"}):
            EdgeSwitches(shown, lang)


@solara.component
def EdgeSwitches(shown: solara.Reactive[tuple[str, ...]], lang: str) -> None:
    """One switch per kind of tie, beside a sample of its line."""
    solara.Text(tr("edges", lang), style={"font-weight": "600"})
    for kind in nv.EDGE_KINDS:

            def toggle(on: bool, kind: str = kind) -> None:
                now = set(shown.value)
                now = now | {kind} if on else now - {kind}
                shown.set(tuple(k for k in nv.EDGE_KINDS if k in now))

            with solara.Row(gap="6px", style={"align-items": "center"}):
                solara.HTML(tag="span", unsafe_innerHTML=nv.svg_edge(kind))
                solara.v.Checkbox(v_model=kind in shown.value, on_v_model=toggle,
                                  label=tr(f"edge_{kind}", lang), hide_details=True, dense=True,
                                  class_=f"ma-0 pa-0 edge-toggle edge-{kind}")


@solara.component
def NetworkPanel(run: Run, tick: solara.Reactive[int], lock: threading.RLock, lang: str,
                 view: solara.Reactive[str]) -> None:
    """The governance network of the running model, in the chosen view."""
    model = run.model
    metric = solara.use_reactive("trust_rc")
    shown = solara.use_reactive(nv.EDGES_SHOWN)
    key = view.value
    if key.startswith("street:") and int(key.split(":")[1]) >= model.streets.n:
        key = "street:0"
    # the layout and its figure: made once per model and view, never per month
    painter = solara.use_memo(lambda: nv.Painter(nv.build_view(model, key)), [model, key])

    with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
        views = {tr("view_district", lang): "district", tr("view_street", lang): "street"}
        solara.Select(tr("view", lang), values=list(views),
                      value=tr("view_district", lang) if key == "district" else tr("view_street", lang),
                      on_value=lambda v: view.set("district" if views[v] == "district" else "street:0"),
                      style={"max-width": "300px"}, classes=["view-select"])
        if key != "district":
            streets = [f"{tr('street', lang)} {i + 1}" for i in range(model.streets.n)]
            solara.Select(tr("street", lang), values=streets,
                          value=streets[int(key.split(":")[1])],
                          on_value=lambda v: view.set(f"street:{streets.index(v)}"),
                          style={"max-width": "140px"}, classes=["street-select"])
        metrics = {tr(f"metric_{k}", lang): k for k in nv.METRICS}
        solara.Select(tr("shade_by", lang), values=list(metrics),
                      value=tr(f"metric_{metric.value}", lang),
                      on_value=lambda v: metric.set(metrics[v]), style={"max-width": "260px"},
                      classes=["metric-select"])
    with solara.Div(classes=["network-figure"]):
        NetworkImage(model, painter, tick, lock, metric.value, shown.value)
    solara.Text(f"{painter.view.n:,} {tr('nodes_u', lang)}", classes=["network-caption"],
                style={"font-size": "12px", "color": "#666", "display": "block"})
    Legend(key, metric.value, shown, lang)


@solara.component
def NetworkImage(model: GovernanceModel, painter: nv.Painter, tick: solara.Reactive[int],
                 lock: threading.RLock, metric: str, shown: tuple[str, ...]) -> None:
    """The month's picture: the only part of the network panel redrawn every month."""
    month = tick.value

    def render() -> bytes:
        with lock:
            fr = nv.frame(painter.view, model, metric)
        return painter.png(fr, metric, shown)

    png = solara.use_memo(render, [painter, month, metric, shown])
    solara.Image(png, width="100%")


@solara.component
def PlotsPanel(run: Run, tick: solara.Reactive[int], lang: str) -> None:
    """The district outcomes of the running model, month by month."""
    series = run.model.datacollector.model_vars
    month = tick.value
    n = months_collected(series)
    spec = solara.use_memo(lambda: live_spec(series, lang), [run, month, lang, n])
    with solara.Div(classes=["live-plots"]):
        solara.Text(f"{tr('plots', lang)} — {tr('month', lang)} {n}", classes=["plots-caption"],
                    style={"font-weight": "600", "display": "block"})
        if n == 0:
            solara.Text(tr("plots_empty", lang), style={"color": "#666", "display": "block"})
        solara.widgets.VegaLite.element(spec=spec)


# ------------------------------------------------------------------------------ compare
@solara.component
def ComparePanel(params: dict[str, Any], seed_text: str, lang: str) -> None:
    """Two runs on the same seed and world size; key outcomes on one plot and a table."""
    folder = scenario_folder()
    names = solara.use_memo(lambda: [n for n, _ in list_scenarios(folder)], [str(folder)])
    arm_a = solara.use_reactive("baseline" if "baseline" in names else cmp.CURRENT)
    arm_b = solara.use_reactive(cmp.CURRENT)
    months = solara.use_reactive(60)
    done = solara.use_reactive(0)
    result = solara.use_reactive(None)
    error = solara.use_reactive("")
    current_label = tr("arm_current", lang)

    def label(choice: str) -> str:
        return current_label if choice == cmp.CURRENT else choice

    def work() -> None:
        error.set("")
        done.set(0)
        try:
            seed, _ = resolve_seed(seed_text)
            pa = cmp.arm_params(arm_a.value, params, folder)
            pb = cmp.arm_params(arm_b.value, params, folder)
            n = int(months.value)
            sa = cmp.run_arm(pa, seed, n, progress=done.set)
            sb = cmp.run_arm(pb, seed, n, progress=lambda m: done.set(n + m))
            result.set({"names": (f"A: {label(arm_a.value)}", f"B: {label(arm_b.value)}"),
                        "a": sa, "b": sb, "seed": seed, "months": n})
        except ScenarioError as err:
            error.set(str(err))
        except Exception as err:  # shown in the page rather than lost in the server log
            traceback.print_exc()
            error.set(f"{type(err).__name__}: {err}")

    task = solara.lab.use_task(work, dependencies=None)

    solara.Text(tr("compare_intro", lang), style={"color": "#444"})
    choices = [current_label, *names]
    with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Select(tr("arm_a", lang), values=choices, value=label(arm_a.value),
                      on_value=lambda v: arm_a.set(cmp.CURRENT if v == current_label else v),
                      style={"min-width": "200px"}, classes=["arm-a-select"])
        solara.Select(tr("arm_b", lang), values=choices, value=label(arm_b.value),
                      on_value=lambda v: arm_b.set(cmp.CURRENT if v == current_label else v),
                      style={"min-width": "200px"}, classes=["arm-b-select"])
        solara.SliderInt(f"{tr('months', lang)}: {months.value}", value=months, min=12, max=240,
                         step=12)
        solara.Button(tr("compare_run", lang), color="primary", on_click=task,
                      disabled=task.pending, classes=["compare-run"])
    if task.pending:
        total = 2 * int(months.value)
        solara.ProgressLinear(100 * done.value / max(total, 1))
        solara.Text(f"{tr('compare_running', lang)} {done.value}/{total}")
    if error.value:
        solara.Error(error.value)
    res = result.value
    if res is not None:
        solara.Text(f"{tr('compare_done', lang)}: {res['names'][0]} · {res['names'][1]} · "
                    f"{tr('seed_used', lang)} {res['seed']} · {tr('months', lang)} {res['months']}",
                    classes=["compare-caption"])
        spec = compare_spec(res["a"], res["b"], res["names"], lang)
        with solara.Div(classes=["compare-plot"]):
            solara.widgets.VegaLite.element(spec=spec)
        rows = cmp.summary(res["a"], res["b"], COMPARE_TABLE)
        head = (f"<tr><th>{tr('outcome', lang)}</th><th>A</th><th>B</th>"
                f"<th>{tr('difference', lang)}</th></tr>")
        body = "".join(
            f"<tr><td>{long_label(o, lang)}</td><td>{_num(a)}</td><td>{_num(b)}</td>"
            f"<td>{_num(d, sign=True)}</td></tr>" for o, a, b, d in rows)
        solara.Text(tr("compare_table", lang), style={"font-weight": "600"})
        solara.HTML(tag="table", unsafe_innerHTML=head + body, classes=["gov-table"])


# ------------------------------------------------------------------------------ page
@solara.component
def Page() -> None:
    """One browser session: its own model, controls, network, plots and comparison."""
    init, init_error = solara.use_memo(_initial, [])
    lang = solara.use_reactive(init.lang)
    params = solara.use_reactive(init.params)
    seed_text = solara.use_reactive(init.seed_text)
    scenario = solara.use_reactive(init.scenario)
    view = solara.use_reactive(init.view)
    first = solara.use_memo(lambda: start_run(init.params, init.seed_text, init.scenario), [])
    run = solara.use_reactive(first)
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    interval = solara.use_reactive(PLAY_INTERVAL_MS)
    error = solara.use_reactive(init_error)
    lock = solara.use_memo(threading.RLock, [])

    def do_step() -> None:
        with lock:
            try:
                run.value.model.step()
            except Exception as err:
                traceback.print_exc()
                playing.set(False)
                error.set(f"error in step: {type(err).__name__}: {err}")
        tick.set(tick.value + 1)

    # the play loop runs in a thread; it stops when paused, when a newer loop starts, and
    # when the page closes (the effect's clean-up), so no model runs on for a closed page
    closed = solara.use_memo(threading.Event, [])
    loops = solara.use_memo(lambda: [0], [])
    solara.use_effect(lambda: closed.set, [])

    def play_loop() -> None:
        loops[0] += 1
        me = loops[0]

        def go_on() -> bool:
            return playing.value and loops[0] == me and not closed.is_set()

        while go_on():
            time.sleep(interval.value / 1000)
            if not go_on():
                break
            do_step()

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def do_reset(new_params: dict[str, Any] | None = None, new_scenario: str | None = None) -> None:
        playing.set(False)
        error.set("")
        with lock:
            old = run.value.model
            try:
                run.set(start_run(new_params or params.value, seed_text.value,
                                  scenario.value if new_scenario is None else new_scenario))
            except ScenarioError as err:
                error.set(str(err))
                return
            old.remove_all_agents()
        tick.set(tick.value + 1)

    def pick_scenario(name: str) -> None:
        if not name:
            new = defaults()
        else:
            try:
                loaded = load_scenario(scenario_folder() / f"{name}.toml")
            except ScenarioError as err:
                error.set(str(err))
                return
            new = dict(loaded.params)
            if loaded.seed is not None:
                seed_text.set(str(loaded.seed))
        params.set(new)
        scenario.set(name)
        do_reset(new, name)

    solara.Style(CSS)
    solara.Title(tr("title", lang.value))
    with solara.AppBar():
        solara.AppBarTitle(tr("title", lang.value))
        names = {v: k for k, v in LANGS.items()}
        solara.ToggleButtonsSingle(value=LANGS[lang.value], values=list(names),
                                   on_value=lambda v: lang.set(names[v]), dense=True)

    lg = lang.value
    with solara.Sidebar():
        with solara.Card(tr("run", lg), margin=0, style={"margin-bottom": "8px"}):
            RunControls(playing, interval, do_step, lambda: do_reset(), lg)
            if error.value:
                solara.Error(error.value)
        with solara.Card(tr("current_model", lg), margin=0, style={"margin-bottom": "8px"}):
            InfoPanel(run.value, tick, params.value, seed_text.value, lg)
        with solara.Card(tr("scenario", lg), margin=0, style={"margin-bottom": "8px"}):
            ScenarioPicker(scenario.value, pick_scenario, lg)
            solara.InputText(tr("seed", lg), value=seed_text, continuous_update=False)
            HelpText(tr("seed_help", lg))
        ParamGroups(params, lg)

    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab(tr("tab_live", lg)):
            with solara.Div(classes=["live-grid"]):
                with solara.Card(tr("network", lg), margin=0):
                    NetworkPanel(run.value, tick, lock, lg, view)
                with solara.Card(margin=0):
                    PlotsPanel(run.value, tick, lg)
        with solara.lab.Tab(tr("tab_compare", lg)):
            with solara.Card():
                ComparePanel(params.value, seed_text.value, lg)


page = Page
"""Solara's entry point (the name Mesa's examples use)."""
