"""A Vega-Lite chart whose data can change without drawing it anew (`Chart`, `VegaView`).

Solara's own Vega-Lite widget embeds the chart again whenever anything changes, which
forgets the user's zoom and pan and costs a full compile every month. `VegaView` embeds
its `spec` once and then only swaps the rows of the spec's named data sources through
Vega's changesets, so a zoomed network stays zoomed while the model runs. Its `datasets`
trait is a patch (name -> rows of the datasets that changed); `Chart` sends only what
differs from what it sent before, so unchanged ties are not sent again every month. It uses
the same offline Vega files as Solara (`/_solara/cdn/`).

Options read from the spec's `usermeta`: `square` (draw as a square as wide as the
container), `relayout` (size the chart again when rows change, for layouts made from the
data such as facets), `fitColumns` (small multiples: as many panels of this many pixels
in a row as the container holds, laid out again when its width changes), and vega-embed's `embedOptions` (the ⋯ menu that saves PNG and SVG). A click on
a mark whose row has an `id` calls `on_click(row)`. The element carries `data-version` (the
`version` entry of `datasets` once drawn) so tests can wait for a given month.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipyvuetify as v
import solara
import traitlets


class VegaView(v.VuetifyTemplate):
    """A Vega-Lite chart with replaceable data (see the module docstring)."""

    template_file = str(Path(__file__).resolve().parent / "vega_view.vue")
    spec = traitlets.Dict().tag(sync=True)
    datasets = traitlets.Dict().tag(sync=True)
    listen_to_click = traitlets.Bool(False).tag(sync=True)
    on_click = traitlets.Callable(None, allow_none=True)

    def vue_vega_click(self, datum: dict[str, Any] | None = None) -> None:
        if self.on_click is not None and datum is not None:
            self.on_click(datum)


@solara.component
def Chart(spec: dict[str, Any], datasets: dict[str, Any], on_click: Any = None) -> None:
    """A `VegaView` fed with `datasets` (name -> rows, and `version`): each render sends
    the datasets whose rows changed since the last one."""
    element = VegaView.element(spec=spec, listen_to_click=on_click is not None, on_click=on_click)
    sent = solara.use_ref({})

    def push() -> None:
        widget = solara.get_widget(element)
        patch = {k: v for k, v in datasets.items() if k == "version" or sent.current.get(k) != v}
        sent.current = dict(datasets)
        widget.datasets = patch

    solara.use_effect(push, [datasets])
