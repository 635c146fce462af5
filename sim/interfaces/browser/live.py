"""The Live run tab (`LiveTab`): the month slider, the network with its legend, the clicked
node's drill-down and the outcome panels.

Every part shows one recorded month: the latest while the model runs, or the month chosen
on the slider (`TimeBar`). The network (`NetworkPanel`) is drawn by the browser: hover a
node for its name and current values, click it for its own time series and organisations
(`DrillDown`), drag to pan and use the wheel to zoom. The outcome panels (`PlotsPanel`)
flow in a grid that fits the window.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import numpy as np
import solara

from . import map_view as mv
from . import network_view as nv
from .history import describe, read_scalars
from .i18n import (
    attribute_label,
    fmt_number,
    fmt_value,
    html_text,
    kind_label,
    metric_label,
    role_label,
    state_label,
    tr,
)
from .people import holdings
from .plots import PANELS, months_collected, panel_rows, panel_spec, series_rows, series_spec
from .session import Run
from .vega_view import Chart

DRILL_COLUMNS = (
    "satisfaction",
    "trust_rc",
    "needs_met",
    "needs_met_vulnerable",
    "participation",
    "coordination",
    "admin_burden_share",
    "oc_functioning_share",
    "escalated",
)
"""A community's own series in the drill-down (those of them its table has)."""

COMPOUND_DRILL_COLUMNS = (
    "satisfaction",
    "participation",
    "quality",
    "collection",
    "independence",
    "dispute_rate",
    "effort",
)
"""A compound's own series in the drill-down of the map (those its table has)."""


def shown_month(run: Run, chosen: int | None) -> int:
    """The month on display: the chosen one, or the latest."""
    return run.history.clamp(chosen)


# ------------------------------------------------------------------------------ time
@solara.component
def TimeBar(
    run: Run, tick: solara.Reactive[int], chosen: solara.Reactive[int | None], lang: str
) -> None:
    """A slider over the recorded months; dragging it back replays the network, the plots
    and the drill-down as they were."""
    tick.value  # noqa: B018  (follow every month)
    first, latest = run.history.first, run.month
    month = shown_month(run, chosen.value)
    with solara.Row(
        gap="12px", style={"align-items": "center", "flex-wrap": "wrap"}, classes=["time-bar"]
    ):
        if latest <= first:
            solara.Text(tr("time_nothing", lang), style={"color": "#666"})
            return

        def pick(value: int) -> None:
            chosen.set(None if int(value) >= run.month else int(value))

        with solara.Div(
            classes=["month-slider"], style={"min-width": "240px", "flex": "1 1 300px"}
        ):
            solara.SliderInt(
                tr("time_month", lang),
                value=month,
                min=first,
                max=latest,
                on_value=pick,
                thumb_label="always",
            )
        if chosen.value is None or month >= latest:
            solara.Text(tr("time_live", lang).format(m=latest), classes=["time-note"])
        else:
            solara.Text(
                tr("time_replay", lang).format(m=month, n=latest),
                classes=["time-note"],
                style={"color": "#b35900", "font-weight": "600"},
            )
            solara.Button(
                tr("time_back", lang),
                on_click=lambda: chosen.set(None),
                text=True,
                classes=["time-live"],
            )


# ------------------------------------------------------------------------------ network
@solara.component
def LiveTab(
    run: Run,
    tick: solara.Reactive[int],
    lock: threading.RLock,
    view_key: solara.Reactive[str],
    chosen: solara.Reactive[int | None],
    lang: str,
) -> None:
    """The month slider; the network beside the clicked node's drill-down and the outcome
    panels."""
    streets = run.structure.streets.tolist()
    key = view_key.value
    if key.startswith("street:") and int(key.split(":")[1]) not in streets:
        key = f"street:{streets[0]}" if streets else "district"
    selected = solara.use_reactive(-1)

    def make_view() -> nv.View:
        if key == "map":  # communities laid out by street where the world has no coordinates
            found = mv.map_view(run.structure, run.model, run.district)
            return found if found is not None else mv.community_view(run.structure)
        return nv.build_view(run.structure, key)

    with lock:
        view = solara.use_memo(make_view, [run, key])
    solara.use_effect(lambda: selected.set(-1), [run, key])
    TimeBar(run, tick, chosen, lang)
    with solara.Div(classes=["live-grid"]):
        with solara.Card(tr("network", lang), margin=0, classes=["network-card"]):
            NetworkPanel(run, tick, lock, view, key, view_key, chosen, selected, lang)
        with solara.Column(gap="12px", style={"min-width": "0"}):
            if 0 <= selected.value < view.n:
                DrillDown(
                    run,
                    view,
                    selected.value,
                    shown_month(run, chosen.value),
                    lock,
                    lang,
                    on_close=lambda: selected.set(-1),
                )
            with solara.Card(margin=0, classes=["plots-card"]):
                PlotsPanel(run, tick, chosen, lock, lang)


@solara.component
def NetworkPanel(
    run: Run,
    tick: solara.Reactive[int],
    lock: threading.RLock,
    view: nv.View,
    key: str,
    view_key: solara.Reactive[str],
    chosen: solara.Reactive[int | None],
    selected: solara.Reactive[int],
    lang: str,
) -> None:
    """The governance network of the shown month in the chosen view (or the map), and its
    legend; a click selects a node (a compound on the map, or a community where the world
    has no coordinates) for the drill-down."""
    tick.value  # noqa: B018
    streets = run.structure.streets.tolist()
    kind = "district" if key == "district" else "map" if key == "map" else "street"
    colour = solara.use_reactive(
        {"district": nv.DEFAULT_METRIC, "street": "kind", "map": mv.DEFAULT_COLOUR}
    )
    ties = solara.use_reactive(nv.TieFilter())
    shown = solara.use_reactive({k: None for k in nv.HIDDEN_AT_FIRST})
    present = sorted(set(run.history.edges_at(None).values()))
    kinds_shown = shown.value.get(kind, ())  # the map draws no ties
    if kinds_shown is None:
        kinds_shown = tuple(k for k in present if k not in nv.HIDDEN_AT_FIRST.get(kind, ()))
    month = shown_month(run, chosen.value)
    options = nv.Options(colour.value[kind], tuple(kinds_shown), selected.value, lang, ties.value)

    def build() -> dict[str, Any]:
        with lock:
            if kind == "map":
                found = mv.frame(view, run.history, month, options.colour, lang, selected.value)
            else:
                found = nv.frame(view, run.structure, run.history, month, options)
            return {**found, "version": month}

    rows = solara.use_memo(build, [run, view, month, options])

    def make_spec() -> dict[str, Any]:
        if kind == "map":
            return mv.spec(view, filename="map")
        return nv.spec(view, filename=f"network-{key.replace(':', '')}")

    spec = solara.use_memo(make_spec, [view])

    with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
        views = {
            tr("view_district", lang): "district",
            tr("view_street", lang): "street",
            tr("view_map", lang): "map",
        }
        current_view = {"district": "view_district", "street": "view_street", "map": "view_map"}
        solara.Select(
            tr("view", lang),
            values=list(views),
            value=tr(current_view[kind], lang),
            on_value=lambda v: view_key.set(
                f"street:{streets[0]}" if views[v] == "street" else views[v]
            ),
            style={"max-width": "280px"},
            classes=["view-select"],
        )
        if kind == "street":
            names = [tr("street_n", lang).format(s=s) for s in streets]
            solara.Select(
                tr("street", lang),
                values=names,
                value=names[streets.index(int(key.split(":")[1]))],
                on_value=lambda v: view_key.set(f"street:{streets[names.index(v)]}"),
                style={"max-width": "140px"},
                classes=["street-select"],
            )
        if kind == "map":
            with lock:
                found = mv.colour_options(run.history, compounds=view.compound is not None)
            modes = {
                tr(f"colour_{k.partition(':')[0]}", lang).format(name=metric_label(col, lang)): k
                for k, col in found.items()
            }
        else:
            modes = {tr("colour_kind", lang): "kind", tr("colour_state", lang): "state"}
            with lock:
                metrics = nv.metric_columns(run.history.community_table())
            modes.update({metric_label(m, lang): m for m in metrics})
        current = next(
            (k for k, v in modes.items() if v == colour.value[kind]), tr("colour_kind", lang)
        )
        solara.Select(
            tr("colour_by", lang),
            values=list(modes),
            value=current,
            on_value=lambda v: colour.set({**colour.value, kind: modes[v]}),
            style={"max-width": "260px"},
            classes=["colour-select"],
        )

    def clicked(datum: dict[str, Any]) -> None:
        node = int(datum.get("id", -1))
        selected.set(-1 if node == selected.value else node)

    with solara.Div(classes=["network-chart"]):
        Chart(spec, rows, on_click=clicked)
    counts = run.structure.counts()
    if kind == "map":
        located = view.compound is not None
        solara.Text(
            tr("map_caption", lang).format(n=view.n, missing=view.missing)
            if located
            else tr("map_none", lang),
            classes=["network-caption"],
            style={"font-size": "12px", "color": "#666", "display": "block"},
        )
        MapLegend(run, options.colour, lang, located)
        return
    solara.Text(
        tr("network_caption", lang).format(n=view.n, total=counts["nodes"])
        + " "
        + tr("numbering_note", lang),
        classes=["network-caption"],
        style={"font-size": "12px", "color": "#666", "display": "block"},
    )
    if kind == "district":
        TieControl(ties, lang)
    Legend(view, run, options, present, shown, kind, lang)


@solara.component
def TieControl(ties: solara.Reactive[Any], lang: str) -> None:
    """Which ties the district view draws (`network_view.TieFilter`): lines between streets
    or to district-wide nodes only where they stand for at least k ties, and a community's
    ties outside its street bundled at its street office."""
    now = ties.value
    with solara.Row(
        gap="16px", style={"flex-wrap": "wrap", "align-items": "center"}, classes=["tie-control"]
    ):
        with solara.Div(style={"min-width": "240px", "flex": "1 1 300px"}, classes=["ties-min"]):
            solara.Text(
                tr("ties_min", lang).format(k=now.min_count),
                style={"font-size": "13px", "display": "block"},
            )
            solara.v.Slider(
                v_model=now.min_count,
                on_v_model=lambda v: ties.set(nv.TieFilter(int(v), now.bundle)),
                min=1,
                max=nv.MAX_MIN_TIES,
                step=1,
                thumb_label=True,
                hide_details=True,
                dense=True,
            )
        with solara.Div(classes=["ties-bundle"]):
            solara.Checkbox(
                label=tr("ties_bundle", lang),
                value=now.bundle,
                on_value=lambda v: ties.set(nv.TieFilter(now.min_count, bool(v))),
            )


@solara.component
def MapLegend(run: Run, colour: str, lang: str, located: bool = True) -> None:
    """What the map's colours and outlines mean (`located`: compounds at their
    coordinates, else communities laid out by street)."""
    source, _, col = colour.partition(":")
    table = run.history.compound_table() if source == "compound" else run.history.community_table()
    lo, hi, gradient = nv.metric_range(col, table)
    rows = [
        f'<div class="gl-row"><span>{tr("shade_note", lang)}: '
        f"{_esc(metric_label(col, lang))}</span></div>",
        f'<div class="gl-row"><span>{fmt_number(lo, lang)}</span><span class="bar" '
        f'style="background:{gradient}"></span><span>{fmt_number(hi, lang)}</span></div>',
        f'<div class="gl-row"><span>{_esc(tr("map_note" if located else "map_note_layout", lang))}'
        "</span></div>",
        f'<div class="gl-row"><span>{_esc(tr("numbering_note", lang))}</span></div>',
    ]
    solara.HTML(tag="div", unsafe_innerHTML="".join(rows), classes=["gov-legend", "map-legend"])


@solara.component
def Legend(
    view: nv.View,
    run: Run,
    options: nv.Options,
    present: list[str],
    shown: solara.Reactive[dict[str, tuple[str, ...] | None]],
    kind: str,
    lang: str,
) -> None:
    """Node kinds of the view, what the colours mean, and a switch per tie kind (made
    from what the network holds, so new kinds get an entry)."""
    kinds = sorted(set(view.kinds.tolist()), key=nv.kind_rank)
    rows = [
        f'<div class="gl-row">{nv.svg_symbol(k)}<span>{kind_label(k, lang)}</span></div>'
        for k in kinds
    ]
    if options.colour == "state":
        with_state = {nv.node_state(v) for v in _states(run, view)}
        for state in sorted(with_state):
            rows.append(
                f'<div class="gl-row"><span class="swatch" style="background:'
                f'{nv.state_colour(state)}"></span><span>{state_label(state, lang)}'
                "</span></div>"
            )
    elif options.colour != "kind":
        lo, hi, gradient = nv.metric_range(options.colour, run.history.community_table())
        rows.append(
            f'<div class="gl-row"><span>{tr("shade_note", lang)}: '
            f"{metric_label(options.colour, lang)}</span></div>"
            f'<div class="gl-row"><span>{fmt_number(lo, lang)}</span><span class="bar" '
            f'style="background:{gradient}"></span><span>{fmt_number(hi, lang)}</span></div>'
        )
    rows.append(
        f'<div class="gl-row"><span class="swatch hollow"></span>'
        f"<span>{tr('hollow_note', lang)}</span></div>"
    )
    if view.district:
        rows.append(
            f'<div class="gl-row"><svg width="14" height="14"><circle cx="7" cy="7" '
            f'r="5.5" fill="none" stroke="{nv.XA_RING}" stroke-width="2"/></svg>'
            f"<span>{tr('xa_ring_note', lang)}</span></div>"
        )
        rows.append(f'<div class="gl-row"><span>{tr("size_note", lang)}</span></div>')
    rows.append(f'<div class="gl-row"><span>{tr("zoom_note", lang)}</span></div>')
    current = shown.value[kind]
    active = (
        set(current)
        if current is not None
        else {k for k in present if k not in nv.HIDDEN_AT_FIRST[kind]}
    )
    with solara.Row(
        gap="24px", classes=["gov-legend"], style={"flex-wrap": "wrap", "align-items": "flex-start"}
    ):
        with solara.Column(gap="2px", style={"flex": "1 1 260px", "max-width": "440px"}):
            solara.Text(tr("legend", lang), style={"font-weight": "600"})
            solara.HTML(tag="div", unsafe_innerHTML="".join(rows))
        with solara.Column(gap="2px", style={"flex": "0 1 240px"}):
            solara.Text(tr("edges", lang), style={"font-weight": "600"})
            for edge in nv.edge_kinds(set(present)):

                def toggle(on: bool, edge: str = edge) -> None:
                    now = active | {edge} if on else active - {edge}
                    shown.set({**shown.value, kind: tuple(k for k in present if k in now)})

                with solara.Row(gap="6px", style={"align-items": "center"}):
                    solara.HTML(tag="span", unsafe_innerHTML=nv.svg_edge(edge))
                    solara.v.Checkbox(
                        v_model=edge in active,
                        on_v_model=toggle,
                        label=nv.tr_edge(edge, lang),
                        hide_details=True,
                        dense=True,
                        class_=f"ma-0 pa-0 edge-toggle edge-{edge}",
                    )


def _states(run: Run, view: nv.View) -> list[dict[str, Any] | None]:
    """The latest recorded attributes of each single node's agent (None: no agent)."""
    snap = run.history.agents_at(None)
    out = []
    for node in view.node[view.node >= 0].tolist():
        i = snap.row(node)
        out.append(
            None if i < 0 else run.history.plans[str(snap.type_of[i])].decode(snap.values[i])
        )
    return out


# ------------------------------------------------------------------------------ drill-down
@solara.component
def DrillDown(
    run: Run,
    view: nv.View,
    k: int,
    month: int,
    lock: threading.RLock,
    lang: str,
    on_close: Any = None,
) -> None:
    """The clicked node: its values in the shown month, its organisations and ties, and its
    own series by month."""
    st, history = run.structure, run.history
    node = int(view.node[k])
    c, s = int(view.community[k]), int(view.street[k])
    compound = int(view.compound[k]) if view.compound is not None else -1
    with lock:
        if compound >= 0:  # a compound of the map: its row of the per-compound table
            title = mv.point_name(view, k, lang)
            frame, values = _rows_of(history.compound_table(), "compound", compound, month, lang)
            columns = [col for col in COMPOUND_DRILL_COLUMNS if col in frame]
            members = np.flatnonzero(view.member == k)
            parts = _members(run, members, month, lang)
            orgs = set(st.ids[members].tolist())
            ties = _ties(run, orgs, month, lang)
            note = ""
        elif node < 0:
            title = tr("community_name", lang).format(c=c, s=s)
            frame, values = _rows_of(history.community_table(), "community", c, month, lang)
            columns = [col for col in DRILL_COLUMNS if col in frame]
            members = np.flatnonzero(view.member == k)
            parts = _members(run, members, month, lang)
            orgs = set(st.ids[members].tolist())
            ties = _ties(run, orgs, month, lang)
            note = ""
        else:
            i = st.row[node]
            title = nv.node_name(str(view.kinds[k]), st.level[i], int(st.index[i]), c, s, lang)
            found = history.values_at(node, month)
            values = {}
            note = ""
            if found is None:
                values[tr("tip_state", lang)] = tr("state_vacant", lang)
            else:
                recorded = found[1]
                if month == run.month:  # the live month: read every attribute, costly ones too
                    agent = _agent_on(run, node)
                    if agent is not None:
                        recorded = {**read_scalars(agent), **describe(agent)}
                else:
                    note = tr("drill_recorded", lang)
                values = {
                    attribute_label(n, lang): fmt_number(v, lang) for n, v in recorded.items()
                }
            frame = history.node_series(node)
            columns = [col for col in frame.columns if col != "month"]
            parts = []
            orgs = {node}
            ties = _ties(run, orgs, month, lang)
        people = (
            None
            if run.seat_log is None
            else holdings(run.model, run.seat_log, orgs, month, live=month == run.month)
        )
    with solara.Card(
        title, margin=0, classes=["drilldown"], style={"border-left": "4px solid #2e86c1"}
    ):
        with solara.Row(justify="space-between", style={"align-items": "center"}):
            solara.Text(tr("drill_month", lang).format(m=month), style={"color": "#666"})
            if on_close is not None:
                solara.Button(
                    tr("close", lang), text=True, on_click=on_close, classes=["drill-close"]
                )
        if note:
            solara.Text(note, style={"color": "#666", "font-size": "12px"})
        if columns and len(frame):
            rows = series_rows(frame, columns, lang, upto=month)
            spec = series_spec(
                tr("drill_series", lang),
                lang,
                columns=3,
                filename=_series_name(node, c, compound),
            )
            with solara.Div(classes=["drill-series"]):
                Chart(spec, {"rows": rows, "version": month})
        else:
            solara.Text(tr("drill_no_series", lang), style={"color": "#666"})
        if people is not None and people.seats:
            PeopleTable(run, people, month, lang)
        html = "".join(f"<tr><td>{_esc(n)}</td><td>{_esc(v)}</td></tr>" for n, v in values.items())
        solara.HTML(tag="table", unsafe_innerHTML=html, classes=["gov-table", "drill-values"])
        if parts:
            solara.Text(tr("drill_members", lang), style={"font-weight": "600"})
            solara.HTML(
                tag="ul",
                unsafe_innerHTML="".join(f"<li>{_esc(p)}</li>" for p in parts),
                classes=["drill-members"],
            )
        if ties:
            solara.Text(tr("drill_ties", lang), style={"font-weight": "600"})
            solara.HTML(
                tag="ul",
                unsafe_innerHTML="".join(f"<li>{_esc(t)}</li>" for t in ties),
                classes=["drill-ties"],
            )


def _rows_of(table: Any, key: str, value: int, month: int, lang: str) -> tuple[Any, dict[str, str]]:
    """One community's (or compound's) rows of its table by month, and its values in
    `month` by their names."""
    mine = table[table[key] == value] if key in table else table.iloc[0:0]
    frame = mine.rename(columns={"step": "month"})
    now = frame[frame["month"] == month]
    if not len(now):
        return frame, {}
    skip = nv.NOT_METRICS | {"month", key}
    values = {
        metric_label(col, lang): fmt_value(col, v, lang)
        for col, v in now.iloc[0].items()
        if col not in skip
    }
    return frame, values


def _series_name(node: int, community: int, compound: int) -> str:
    if compound >= 0:
        return f"series-compound-{compound}"
    return f"series-community-{community}" if node < 0 else f"series-node-{node}"


PEOPLE_SHOWN = 40
"""People listed in the drill-down at most (those holding most seats first)."""


@solara.component
def PeopleTable(run: Run, people: Any, month: int, lang: str) -> None:
    """Who holds which seats of the clicked organisations in the shown month: one row per
    person with every seat they hold, so cross-appointment is visible."""
    st = run.structure
    solara.Text(tr("people_title", lang), style={"font-weight": "600"})
    solara.Text(
        tr("people_summary", lang).format(
            filled=people.filled,
            seats=people.seats,
            people=len(people.holdings),
            xa=people.cross_appointed,
        ),
        classes=["people-summary"],
        style={"font-size": "12px", "display": "block"},
    )
    if month != run.month:
        solara.Text(
            tr("people_recorded", lang).format(m=month),
            style={"font-size": "12px", "color": "#666", "display": "block"},
        )

    def seat(node: int, role: str, away: bool) -> str:
        where = nv.structure_name(st, node, lang) if node in st.row else str(node)
        return f"{'↗ ' if away else ''}{role_label(role, lang)} — {where}"

    rows = []
    for h in people.holdings[:PEOPLE_SHOWN]:
        who = (
            f"{tr('person_name', lang).format(p=h.person)}<br><small>"
            f"{tr('person_kind_' + h.kind, lang)}"
            f"{', ' + tr('person_party', lang) if h.party_member else ''}</small>"
        )
        seats = "<br>".join(_esc(seat(n, r, False)) for n, r in h.here)
        if h.elsewhere:
            seats += "<br>" + "<br>".join(_esc(seat(n, r, True)) for n, r in h.elsewhere)
        style = ' class="xa"' if h.seats > 1 else ""
        rows.append(
            f"<tr{style}><td>{who}</td><td>{seats}</td><td>{fmt_number(h.load, lang)}</td></tr>"
        )
    head = (
        f"<tr><th>{tr('people_person', lang)}</th><th>{tr('people_seats', lang)}</th>"
        f"<th>{tr('people_load', lang)}</th></tr>"
    )
    more = len(people.holdings) - PEOPLE_SHOWN
    if more > 0:
        rows.append(f'<tr><td colspan="3">{tr("people_more", lang).format(n=more)}</td></tr>')
    if people.vacant:
        vacant = ", ".join(f"{role_label(r, lang)} × {n}" for r, n in people.vacant.items())
        rows.append(
            f'<tr><td>{tr("people_vacant", lang)}</td><td colspan="2">{_esc(vacant)}</td></tr>'
        )
    with solara.Div(classes=["drill-people"]):  # scrolls within a frame (app.py's CSS)
        solara.HTML(
            tag="table",
            unsafe_innerHTML=head + "".join(rows),
            classes=["gov-table", "people-table"],
        )


def _agent_on(run: Run, node: int) -> Any:
    for agent in run.model.agents:
        if getattr(agent, "node", None) == node:
            return agent
    return None


def _members(run: Run, rows: np.ndarray, month: int, lang: str) -> list[str]:
    """The organisations merged into a community node, counted by kind and state."""
    st, history = run.structure, run.history
    count: Counter = Counter()
    for i in rows.tolist():
        found = history.values_at(int(st.ids[i]), month)
        state = nv.node_state(None if found is None else found[1])
        count[(nv.style_key(st.kind[i], st.level[i]), state)] += 1
    out = []
    for (kind, state), n in sorted(
        count.items(), key=lambda kv: (nv.kind_rank(kv[0][0]), kv[0][1])
    ):
        out.append(f"{kind_label(kind, lang)} — {state_label(state, lang)}: {n}")
    return out


def _ties(run: Run, nodes: set[int], month: int, lang: str, limit: int = 12) -> list[str]:
    """Ties from these nodes to nodes outside them in the month, by kind, with the names of
    the nodes at the other end."""
    st = run.structure
    ends: dict[str, Counter] = {}
    for (u, v, _), kind in run.history.edges_at(month).items():
        inside_u, inside_v = u in nodes, v in nodes
        if inside_u == inside_v:
            continue
        name = nv.structure_name(st, v if inside_u else u, lang)
        ends.setdefault(kind, Counter())[name] += 1
    out = []
    for kind in nv.edge_kinds(set(ends)):
        names = sorted(ends[kind])
        shown = ", ".join(names[:limit]) + (
            f" … (+{len(names) - limit})" if len(names) > limit else ""
        )
        out.append(f"{nv.tr_edge(kind, lang)} ({len(names)}): {shown}")
    return out


_esc = html_text


# ------------------------------------------------------------------------------ plots
@solara.component
def PlotsPanel(
    run: Run,
    tick: solara.Reactive[int],
    chosen: solara.Reactive[int | None],
    lock: threading.RLock,
    lang: str,
) -> None:
    """The district outcomes by month, one panel per topic, up to the shown month."""
    tick.value  # noqa: B018
    zero = solara.use_reactive(False)
    series = run.model.datacollector.model_vars
    with lock:
        last = months_collected(series)
    month = min(shown_month(run, chosen.value), last)
    with solara.Row(justify="space-between", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(
            f"{tr('plots', lang)} — {tr('month', lang)} {month}",
            classes=["plots-caption"],
            style={"font-weight": "600"},
        )
        with solara.Div(classes=["zero-axes"]):
            solara.Checkbox(label=tr("zero_axes", lang), value=zero)
    if last == 0:
        solara.Text(tr("plots_empty", lang), style={"color": "#666", "display": "block"})
    with solara.Div(classes=["live-plots"]):
        for panel in PANELS:
            PanelChart(panel, series, month, zero.value, lock, lang)


@solara.component
def PanelChart(
    panel: Any, series: Any, month: int, zero: bool, lock: threading.RLock, lang: str
) -> None:
    """One outcome panel; its chart is made once and fed the months shown."""
    spec = solara.use_memo(lambda: panel_spec(panel, lang, zero=zero), [panel.key, lang, zero])
    with lock:
        rows = panel_rows(series, panel, lang, upto=month)
    with solara.Div(classes=["panel", f"panel-{panel.key}"]):
        Chart(spec, {"rows": rows, "version": month})
