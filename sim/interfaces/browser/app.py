"""The browser app: watch a district's governance network and outcomes month by month.

Serve it with `python -m sim serve` (or `solara run sim/interfaces/browser/app.py`). A page
has a sidebar (run controls, the running model, scenario and seed, run folders, every policy
lever and the world size, downloads) and two tabs: **Live run** (a month slider, the
network with hover, click drill-down, zoom and pan, and the outcome panels) and **Compare**
(two settings over N paired replicates, with 95% confidence intervals).

Every browser session builds its own model inside `Session` (a module-level model would be
shared by all visitors), after the server admitted it (`guard.ADMISSION`: a cap on sessions
and memory). A session's play loop stops when its page disconnects; its model is released
when the page closes or its kernel is culled. The model knows nothing about this app.
"""

# Solara runs this file as a script, not as part of the package: imports are absolute.
from __future__ import annotations

import sys
import threading
import time
import traceback
import uuid
from typing import Any

import solara
import solara.lab

from sim.core.params import ScenarioError, defaults
from sim.core.scenario import load_scenario
from sim.interfaces.browser import export
from sim.interfaces.browser.compare_tab import ComparePanel
from sim.interfaces.browser.controls import (
    HelpText,
    ParamGroups,
    ScenarioPicker,
    Settings,
    differing,
    initial_settings,
    scenario_folder,
    seed_shown,
)
from sim.interfaces.browser.export_panel import ExportCard, RunFolderPicker
from sim.interfaces.browser.guard import (
    ADMISSION,
    Limits,
    district_of,
    estimate_mb,
    release_memory,
    world_refusal,
)
from sim.interfaces.browser.i18n import LANGS, counted, tr
from sim.interfaces.browser.live import LiveTab
from sim.interfaces.browser.reform_panel import ReformCard
from sim.interfaces.browser.session import Run, WorldTooLarge, start_run
from sim.interfaces.browser.streets_tab import StreetsTab
from sim.interfaces.browser.sweep_tab import SweepPanel
from sim.interfaces.browser.workbench import Setting, Workbench

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
.gov-legend .swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #333;
                      border-radius: 50%; flex: none; }
.gov-legend .swatch.hollow { background: #fff; border: 1.5px solid #2e86c1; }
.gov-info td { padding: 0 8px 0 0; vertical-align: top; font-size: 13px;
               overflow-wrap: anywhere; word-break: break-word; }
.gov-info { table-layout: fixed; width: 100%; }
.gov-info td:first-child { width: 38%; }
.gov-table td, .gov-table th { padding: 2px 10px 2px 0; text-align: right; font-size: 13px; }
.gov-table td:first-child, .gov-table th:first-child { text-align: left; }
.table-wrap { overflow-x: auto; max-width: 100%; }
.step-counter { font-size: 20px; font-weight: 600; }
.edge-toggle .v-label { font-size: 13px; }
.network-chart { width: 100%; min-width: 0; }
.live-grid { display: grid; grid-template-columns: minmax(0, 1fr); gap: 12px;
             align-items: start; padding-top: 4px; }
@media (min-width: 1100px) {
  .live-grid { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
@media (min-width: 1700px) {
  .live-grid { grid-template-columns: minmax(0, 5fr) minmax(0, 6fr); } }
.live-grid > * { min-width: 0; }
.live-plots, .compare-plots { display: grid; gap: 8px 14px;
  grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); }
.live-plots .panel, .compare-plots .panel { min-width: 0; }
.drill-series { max-width: 100%; }
.drill-values { display: block; column-width: 230px; column-gap: 24px; font-size: 12px; }
.drill-values tr { break-inside: avoid; display: table; width: 100%; }
.drill-values td { font-size: 12px !important; }
.drill-members, .drill-ties { font-size: 12px; margin-bottom: 4px; overflow-wrap: anywhere; }
.drill-people { max-height: 340px; overflow: auto; border: 1px solid #ddd; border-radius: 4px;
  margin: 4px 0 14px 0; }
.people-table { width: 100%; border-collapse: collapse; }
.people-table th { position: sticky; top: 0; background: #fff; z-index: 1; }
.people-table td, .people-table th { font-size: 12px !important; text-align: left !important;
  vertical-align: top; border-bottom: 1px solid #eee; overflow-wrap: anywhere; }
.people-table tr.xa td:first-child { border-left: 3px solid #e3241b; padding-left: 4px; }
.reform-list { font-size: 12px; margin: 4px 0; padding-left: 16px; }
.v-navigation-drawer .v-input input { min-width: 0; }
.busy { max-width: 640px; margin: 48px auto; }
.panel-head { margin: 2px 0 0 0; }
.panel-title { font-size: 13px; font-weight: 600; line-height: 1.25; }
.panel-definition { font-size: 11px; color: #666; line-height: 1.25; min-height: 2.5em; }
.compare-legend { display: flex; flex-wrap: wrap; gap: 4px 18px; align-items: center;
  font-size: 13px; margin: 8px 0 2px 0; }
.compare-legend .arm-key { display: inline-flex; align-items: center; gap: 6px; }
.compare-legend .swatch { display: inline-block; width: 18px; height: 4px; }
.compare-legend .band-note { color: #666; font-size: 12px; }
.check-mark { color: #1e8449; font-size: 11px; white-space: nowrap; }
.compare-legend .swatch.dashed { background: repeating-linear-gradient(to right, #888 0 5px,
  transparent 5px 8px); }
.streets-grid { display: grid; gap: 12px; grid-template-columns: minmax(0, 1fr); }
@media (min-width: 1500px) {
  .streets-grid { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); } }
.streets-grid > * { min-width: 0; }
.sweep-table-wrap, .compare-table-wrap { max-height: 420px; overflow: auto; }
"""

# ------------------------------------------------------------------------------ sessions


def log(message: str) -> None:
    """A line in the server's log (sessions opening, closing, play loops stopping)."""
    print(f"[sim-app {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def kernel_context() -> Any:
    """This session's Solara kernel context (None outside a server)."""
    try:
        from solara.server import kernel_context as kc

        return kc.get_current_context() if kc.has_current_context() else None
    except Exception:  # noqa: BLE001
        return None


def page_connected(ctx: Any) -> bool:
    """Whether any page of this session is still connected (True outside a server)."""
    if ctx is None:
        return True
    if ctx.closed_event.is_set():
        return False
    from solara.server.kernel_context import PageStatus

    return any(status == PageStatus.CONNECTED for status in list(ctx.page_status.values()))


def _initial() -> tuple[Settings, str]:
    try:
        return initial_settings(), ""
    except ScenarioError as err:
        return Settings(), str(err)


@solara.component
def Page() -> None:
    """One browser session: admitted by the server, then its own model and controls."""
    ctx = solara.use_memo(kernel_context, [])
    sid = solara.use_memo(lambda: ctx.id if ctx is not None else uuid.uuid4().hex, [])
    limits = solara.use_memo(Limits.from_env, [])
    init, init_error = solara.use_memo(_initial, [])
    attempt = solara.use_reactive(0)
    refusal = solara.use_memo(
        lambda: ADMISSION.admit(
            sid, estimate_mb(init.params, district=district_of(init.world)), limits, init.lang
        ),
        [attempt.value],
    )

    def release() -> None:
        ADMISSION.release(sid)

    solara.use_effect(lambda: release, [])
    solara.Style(CSS)
    solara.Title(tr("title", init.lang))
    if refusal:
        log(f"session {sid[:8]} refused: {refusal}")
        with solara.Card(tr("busy_title", init.lang), classes=["busy"]):
            solara.Warning(refusal, classes=["busy-message"])
            solara.Button(
                tr("busy_retry", init.lang),
                color="primary",
                on_click=lambda: attempt.set(attempt.value + 1),
            )
        return
    Session(init, init_error, sid, ctx, limits)


@solara.component
def Session(init: Settings, init_error: str, sid: str, ctx: Any, limits: Limits) -> None:
    """The admitted session: its model, controls, network, plots and comparison."""
    lang = solara.use_reactive(init.lang)
    params = solara.use_reactive(init.params)
    seed_text = solara.use_reactive(init.seed_text)
    scenario = solara.use_reactive(init.scenario)
    scenario_params = solara.use_reactive(init.scenario_params)
    policy = solara.use_reactive(init.policy)  # the timeline, with the reforms scheduled here
    world = solara.use_reactive(init.world)
    view = solara.use_reactive(init.view)
    error = solara.use_reactive(init_error)
    scenario_entries = solara.use_reactive(len(init.policy))  # entries that are not reforms
    lock = solara.use_memo(threading.RLock, [])
    closed = solara.use_memo(threading.Event, [])
    # background jobs (comparisons, sweeps) and their results, kept for the whole session
    jobs_tick = solara.use_reactive(0)

    def make_bench() -> Workbench:
        bench = Workbench()

        def notify() -> None:
            bench.version += 1
            try:
                if ctx is not None:
                    with ctx:
                        jobs_tick.set(bench.version)
                else:
                    jobs_tick.set(bench.version)
            except Exception:  # noqa: BLE001 - a page that has gone needs no news
                pass

        bench.notify = notify
        return bench

    bench = solara.use_memo(make_bench, [])

    def first() -> Run | None:
        try:
            run = start_run(
                init.params,
                init.seed_text,
                init.scenario,
                init.scenario_params,
                limits,
                init.lang,
                policy=init.policy,
                world=init.world,
            )
        except ScenarioError as err:
            error.set(str(err))
            return None
        log(
            f"session {sid[:8]} opened ({ADMISSION.count()} live, "
            f"{ADMISSION.reserved_mb():,.0f} MB reserved)"
        )
        return run

    run = solara.use_reactive(solara.use_memo(first, []))
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    interval = solara.use_reactive(PLAY_INTERVAL_MS)
    chosen = solara.use_reactive(None)  # month shown on the slider; None = the latest
    replay = solara.use_reactive(None)  # a run folder being replayed
    replay_done = solara.use_reactive(0)

    def cleanup() -> None:
        if closed.is_set():
            return
        closed.set()
        with lock:
            if run.value is not None:
                run.value.close()
        bench.close()
        ADMISSION.release(sid)
        log(f"session {sid[:8]} closed ({ADMISSION.count()} live)")
        # once the session's widgets are gone too, give its memory back to the system
        threading.Timer(1.0, release_memory).start()

    def on_mount():
        if ctx is not None:
            ctx.on_close(cleanup)
        return cleanup

    solara.use_effect(on_mount, [])

    def do_step() -> None:
        with lock:
            try:
                run.value.step()
            except Exception as err:
                traceback.print_exc()
                playing.set(False)
                error.set(f"error in step: {type(err).__name__}: {err}")
        tick.set(tick.value + 1)

    # the play loop runs in a thread; it stops when paused, when a newer loop starts, when
    # the page disconnects (a closed laptop, a lost network) and when the session ends
    loops = solara.use_memo(lambda: [0], [])

    def play_loop() -> None:
        loops[0] += 1
        me = loops[0]

        def go_on() -> bool:
            return playing.value and loops[0] == me and not closed.is_set()

        while go_on():
            time.sleep(interval.value / 1000)
            if not go_on():
                break
            if not page_connected(ctx):
                log(f"session {sid[:8]}: play stopped, page disconnected (month {run.value.month})")
                playing.set(False)
                break
            do_step()

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def do_reset(
        new_params: dict[str, Any] | None = None,
        new_scenario: str | None = None,
        base: dict[str, Any] | None = None,
        seed: int | None = None,
        source: str = "",
    ) -> bool:
        playing.set(False)
        error.set("")
        use = dict(new_params or params.value)
        tables = district_of(world.value)  # the world's own size when read from files
        refused = world_refusal(use, limits, lang.value, tables) or ADMISSION.admit(
            sid, estimate_mb(use, district=tables), limits, lang.value
        )
        if refused:
            error.set(refused)
            return False
        with lock:
            old = run.value
            try:
                new = start_run(
                    use,
                    seed_text.value,
                    scenario.value if new_scenario is None else new_scenario,
                    scenario_params.value if base is None else base,
                    limits,
                    lang.value,
                    seed=seed,
                    source=source,
                    policy=policy.value,
                    world=world.value,
                )
                new.reforms = len(policy.value) - scenario_entries.value
                new.modified = new.modified or new.reforms > 0
            except (WorldTooLarge, ScenarioError) as err:
                error.set(str(err))
                return False
            run.set(new)
            if old is not None:
                old.close()
        chosen.set(None)
        tick.set(tick.value + 1)
        return True

    def pick_scenario(name: str) -> None:
        if not name:
            new, entries, folder = defaults(), [], None
        else:
            try:
                loaded = load_scenario(scenario_folder() / f"{name}.toml")
            except ScenarioError as err:
                error.set(str(err))
                return
            new, entries, folder = dict(loaded.params), loaded.timeline.to_list(), loaded.world
            if loaded.seed is not None:
                seed_text.set(str(loaded.seed))
        policy.set(entries)
        scenario_entries.set(len(entries))
        world.set(folder)
        params.set(new)
        scenario.set(name)
        scenario_params.set(dict(new))
        do_reset(new, name, dict(new))

    def open_folder(found: export.Replay) -> None:
        policy.set(list(found.policy))
        scenario_entries.set(len(found.policy))
        world.set(found.world)
        params.set(dict(found.params))
        seed_text.set(str(found.seed))
        scenario.set(found.name)
        scenario_params.set(dict(found.params))
        if do_reset(
            found.params, found.name, dict(found.params), seed=found.seed, source=str(found.path)
        ):
            replay_done.set(0)
            replay.set(found)

    def fast_forward() -> None:
        found = replay.value
        if found is None:
            return
        current = run.value
        for m in range(found.steps):
            if closed.is_set() or run.value is not current:
                return
            with lock:
                current.step()
            replay_done.set(m + 1)
        with lock:
            diff = export.first_difference(export.series_table(current.model), found.series)
        current.notes.append(
            tr("replay_same", lang.value).format(n=found.steps)
            if not diff
            else tr("replay_differs", lang.value).format(diff=diff)
        )
        replay.set(None)
        tick.set(tick.value + 1)

    solara.lab.use_task(fast_forward, dependencies=[replay.value], prefer_threaded=True)

    lg = lang.value
    with solara.AppBar():
        solara.AppBarTitle(tr("title", lg))
        names = {v: k for k, v in LANGS.items()}
        solara.ToggleButtonsSingle(
            value=LANGS[lg], values=list(names), on_value=lambda v: lang.set(names[v]), dense=True
        )

    current = run.value
    with solara.Sidebar():
        with solara.Card(tr("run", lg), margin=0, style={"margin-bottom": "8px"}):
            if current is not None:
                RunControls(playing, interval, do_step, lambda: do_reset(), lg)
            if error.value:
                solara.Error(error.value, classes=["run-error"])
            if replay.value is not None:
                solara.ProgressLinear(100 * replay_done.value / max(replay.value.steps, 1))
                solara.Text(
                    tr("replay_running", lg).format(m=replay_done.value, n=replay.value.steps),
                    classes=["replay-progress"],
                )
        if current is not None:
            with solara.Card(tr("current_model", lg), margin=0, style={"margin-bottom": "8px"}):
                InfoPanel(current, tick, params.value, seed_text.value, lg)
        with solara.Card(tr("scenario", lg), margin=0, style={"margin-bottom": "8px"}):
            ScenarioPicker(scenario.value, pick_scenario, lg)
            solara.InputText(
                tr("seed", lg), value=seed_text, continuous_update=False, classes=["seed-input"]
            )
            HelpText(tr("seed_help", lg))
        if current is not None:
            with solara.Card(tr("reforms", lg), margin=0, style={"margin-bottom": "8px"}):
                ReformCard(current, tick, lock, policy, lg)
        ParamGroups(params, lg, limits)
        if current is not None:
            with solara.Card(tr("export", lg), margin=0, style={"margin": "8px 0"}):
                ExportCard(current, tick, lock, lg)
        with solara.Card(tr("runs", lg), margin=0, style={"margin-bottom": "8px"}):
            RunFolderPicker(open_folder, lg)

    if current is None:
        solara.Info(tr("no_model", lg))
        return
    setting = Setting(params.value, seed_text.value, tuple(policy.value), world.value, sid, limits)
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab(tr("tab_live", lg)):
            LiveTab(current, tick, lock, view, chosen, lg)
        with solara.lab.Tab(tr("tab_streets", lg)):
            StreetsTab(current, tick, chosen, lock, lg)
        with solara.lab.Tab(tr("tab_compare", lg)):
            with solara.Card():
                ComparePanel(bench, jobs_tick, setting, lg)
        with solara.lab.Tab(tr("tab_sweep", lg)):
            with solara.Card():
                SweepPanel(bench, jobs_tick, setting, lg)


# ------------------------------------------------------------------------------ sidebar
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
        solara.Button(
            label="❚❚" if playing.value else "▶",
            color="primary",
            on_click=lambda: playing.set(not playing.value),
        )
        solara.Button(
            label=tr("step", lang), color="primary", on_click=on_step, disabled=playing.value
        )
    solara.Text(
        f"{tr('play_interval', lang)}: {interval.value}",
        classes=["param-label"],
        style={"display": "block", "margin-top": "8px"},
    )
    solara.v.Slider(
        v_model=interval.value,
        on_v_model=lambda v: interval.set(int(v)),
        min=0,
        max=1000,
        step=10,
        thumb_label=True,
        hide_details=True,
        dense=True,
        class_="play-interval",
    )


@solara.component
def InfoPanel(
    run: Run, tick: solara.Reactive[int], params: dict[str, Any], seed_text: str, lang: str
) -> None:
    """What the running model is: its month, seed, scenario, size and parameters."""
    tick.value  # noqa: B018  (re-render every month)
    seed = str(run.seed)
    if run.drawn:
        seed += f" ({tr('seed_random', lang)})"
    elif run.seed_text.strip() != str(run.seed):
        seed += f" (“{seed_shown(run.seed_text)}”)"
    counts = run.structure.counts()
    residents = getattr(getattr(run.model, "residents", None), "n", None)
    parts = [
        counted(counts["streets"], "street", lang),
        counted(counts["communities"], "community", lang),
        counted(counts["compounds"], "compound", lang),
    ]
    if residents is not None:
        parts.append(counted(int(residents), "resident", lang))
    parts.append(counted(counts["nodes"], "node", lang))
    base = defaults()
    changed = [f"{k} = {_show(v)}" for k, v in run.params.items() if v != base.get(k)]
    label = run.scenario or tr("scenario_none", lang)
    if run.modified:
        label += f" {tr('modified', lang)}"
    rows = [
        (tr("seed_used", lang), seed, "info-seed"),
        (tr("scenario", lang), label, "info-scenario"),
        (tr("world", lang), " · ".join(parts), "info-world"),
        (tr("non_default", lang), ", ".join(changed) or "—", "info-params"),
    ]
    if run.source:
        rows.append((tr("replay_of", lang), run.source, "info-source"))
    rows += [(tr("note", lang), note, "info-note") for note in run.notes]
    html = "".join(
        f'<tr><td><b>{k}</b></td><td class="{cls}">{_escape(v)}</td></tr>' for k, v, cls in rows
    )
    solara.Text(f"{tr('step_counter', lang)}: {run.month}", classes=["step-counter"])
    solara.HTML(tag="table", unsafe_innerHTML=html, classes=["gov-info"])
    if differing(params, run.params) or seed_text != run.seed_text:
        solara.Warning(tr("pending", lang), dense=True, classes=["pending-note"])


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}".replace("-", "\u2212")
    return str(v)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


page = Page
"""Solara's entry point (the name Mesa's examples use)."""
