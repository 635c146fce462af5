"""The Streets tab: any per-community outcome of the running model street by street (small
multiples beside the district's value), and its spread across the communities (quantile
bands beside the district's value), up to the month shown in the Live run tab."""

from __future__ import annotations

import threading

import solara

from . import network_view as nv
from . import streets as sb
from .i18n import metric_label, tr
from .plots import spread_spec, streets_spec
from .session import Run
from .vega_view import Chart

DEFAULT_COLUMN = "satisfaction"


@solara.component
def StreetsTab(
    run: Run,
    tick: solara.Reactive[int],
    chosen: solara.Reactive[int | None],
    lock: threading.RLock,
    lang: str,
) -> None:
    """Pick an outcome; see it in every street and across the communities."""
    tick.value  # noqa: B018  (follow every month)
    column = solara.use_reactive(DEFAULT_COLUMN)
    page = solara.use_reactive(0)
    with lock:
        table = run.history.community_table()
    month = run.history.clamp(chosen.value)
    columns = [c for c in nv.metric_columns(table) if c not in ("ngo",)]
    col = column.value if column.value in columns else (columns[0] if columns else "")
    names = {metric_label(c, lang): c for c in columns}
    streets = run.structure.streets.tolist()
    pages = sb.pages(streets)
    shown = pages[min(page.value, len(pages) - 1)]
    unit = metric_label(col, lang)
    district = tr("spread_district", lang)
    multiples = solara.use_memo(lambda: streets_spec(col, unit, district, lang), [col, lang])
    spread = solara.use_memo(lambda: spread_spec(col, unit, lang), [col, lang])
    with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Select(
            tr("streets_column", lang),
            values=list(names),
            value=metric_label(col, lang) if col else None,
            on_value=lambda v: column.set(names[v]),
            style={"max-width": "360px"},
            classes=["streets-column"],
        )
        if len(pages) > 1:
            labels = [tr("streets_page", lang).format(a=p[0], b=p[-1]) for p in pages]
            solara.Select(
                tr("streets_pages", lang),
                values=labels,
                value=labels[min(page.value, len(pages) - 1)],
                on_value=lambda v: page.set(labels.index(v)),
                style={"max-width": "220px"},
                classes=["streets-page"],
            )
        solara.Text(
            tr("plots", lang) + f" — {tr('month', lang)} {month}",
            classes=["streets-caption"],
            style={"font-weight": "600"},
        )
    if table.empty or not col:
        solara.Text(tr("plots_empty", lang), style={"color": "#666", "display": "block"})
        return
    how = tr("streets_summed" if col in sb.SUMMED else "streets_weighted", lang)
    solara.Text(
        f"{how} {tr('numbering_note', lang)}",
        classes=["streets-note"],
        style={"font-size": "12px", "color": "#555", "display": "block"},
    )
    with solara.Div(classes=["streets-grid"]):
        with solara.Card(tr("streets_by_street", lang), margin=0, classes=["streets-card"]):
            rows = sb.street_rows(table, col, month, shown, tr("street_n", lang), district)
            with solara.Div(classes=["streets-multiples"]):
                Chart(multiples, {"rows": rows, "version": f"{col}-{month}-{page.value}"})
            solara.HTML(
                tag="div",
                unsafe_innerHTML=(
                    '<span class="arm-key"><span class="swatch" style="background:#1f77b4">'
                    f"</span>{tr('streets_line', lang)}</span>"
                    '<span class="arm-key"><span class="swatch dashed"></span>'
                    f"{district}</span>"
                ),
                classes=["compare-legend"],
            )
        with solara.Card(tr("streets_spread", lang), margin=0, classes=["spread-card"]):
            rows = sb.spread_rows(table, col, month)
            with solara.Div(classes=["streets-spread"]):
                Chart(spread, {"rows": rows, "version": f"{col}-{month}"})
            solara.Text(
                tr("spread_note", lang),
                style={"font-size": "12px", "color": "#555", "display": "block"},
            )
