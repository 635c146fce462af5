"""The sidebar's Export card: download the run's tables, save it as a scenario, and open a
run folder made on the command line to replay it here.

Figures are saved from each chart's own ⋯ menu (PNG or SVG).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara

from sim.runs.folder import RunFolderError

from . import export
from .controls import HelpText
from .i18n import tr
from .session import Run

ENV_RUNS_DIR = "SIM_VIZ_RUNS_DIR"
"""Folder whose run folders the app offers to replay (`python -m sim serve --runs-dir`)."""


def runs_folder() -> Path:
    """The folder searched for run folders (default: runs/ in the working folder)."""
    return Path(os.environ.get(ENV_RUNS_DIR, "").strip() or "runs")


@solara.component
def ExportCard(run: Run, tick: solara.Reactive[int], lock: Any, lang: str) -> None:
    """Downloads of the current run: tables (CSV, Parquet) and the scenario (TOML)."""
    tick.value  # noqa: B018  (file names carry the month)
    stem = export.file_stem(run.scenario, run.seed, run.month)

    def table(which: str, fmt: str) -> Callable[[], bytes]:
        def make() -> bytes:
            with lock:
                frame = (
                    export.series_table(run.model)
                    if which == "series"
                    else export.community_table(run.model)
                )
            return export.table_bytes(frame, fmt)

        return make

    def scenario() -> bytes:
        return export.scenario_toml(
            run.params,
            run.seed,
            run.month,
            run.scenario,
            run.modified,
            run.source,
            run.policy,
            run.world,
        ).encode("utf-8")

    with solara.Column(gap="4px", classes=["export-card"]):
        for which in ("series", "communities"):
            Downloads(
                tr(f"export_{which}", lang),
                {fmt: table(which, fmt) for fmt in export.FORMATS},
                f"{stem}-{which}",
                f"download-{which}",
                label_style={"flex": "1 1 120px", "font-size": "13px"},
            )
        solara.FileDownload(
            scenario,
            filename=f"{stem}.toml",
            mime_type=export.MIME["toml"],
            children=[
                solara.Button(
                    tr("export_scenario", lang),
                    icon_name="mdi-content-save",
                    outlined=True,
                    classes=["download-scenario"],
                )
            ],
        )
        HelpText(tr("export_help", lang))


BUTTON_NAMES = {"csv": "CSV", "parquet": "Parquet", "svg": "SVG", "png": "PNG (2×)"}
MIMES = {**export.MIME, "svg": "image/svg+xml", "png": "image/png"}


@solara.component
def Downloads(
    label: str,
    makers: dict[str, Callable[[], bytes]],
    stem: str,
    classes: str,
    label_style: dict[str, str] | None = None,
) -> None:
    """A row of download buttons: `label`, then one button per format (`makers`: format ->
    function making the file's bytes when clicked), each saving `<stem>.<format>` and
    classed `<classes>-<format>`."""
    with solara.Row(gap="4px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(label, style=label_style or {"min-width": "220px", "font-size": "13px"})
        for fmt, make in makers.items():
            solara.FileDownload(
                make,
                filename=f"{stem}.{fmt}",
                mime_type=MIMES[fmt],
                children=[
                    solara.Button(
                        BUTTON_NAMES[fmt],
                        icon_name="mdi-download",
                        text=True,
                        classes=[f"{classes}-{fmt}"],
                    )
                ],
            )


@solara.component
def RunFolderPicker(on_open: Callable[[export.Replay], None], lang: str) -> None:
    """Pick a run folder made by `python -m sim run` and replay it here."""
    root = runs_folder()
    refresh = solara.use_reactive(0)
    found = solara.use_memo(lambda: export.run_folders(root), [str(root), refresh.value])
    choice = solara.use_reactive("")
    error = solara.use_reactive("")
    labels = {str(p.relative_to(root)) if p.is_relative_to(root) else str(p): p for p in found}

    def open_it() -> None:
        error.set("")
        path = labels.get(choice.value)
        if path is None:
            error.set(tr("runs_pick_first", lang))
            return
        try:
            on_open(export.read_folder(path))
        except RunFolderError as err:
            error.set(str(err))

    if not labels:
        HelpText(tr("runs_none", lang).format(root=root))
    else:
        solara.Select(
            tr("runs_pick", lang), values=list(labels), value=choice, classes=["runs-select"]
        )
        with solara.Row(gap="6px"):
            solara.Button(
                tr("runs_open", lang),
                on_click=open_it,
                color="primary",
                disabled=not choice.value,
                classes=["runs-open"],
            )
            solara.Button(
                tr("runs_refresh", lang), on_click=lambda: refresh.set(refresh.value + 1), text=True
            )
        HelpText(tr("runs_help", lang).format(root=root))
    if error.value:
        solara.Error(error.value, dense=True, classes=["runs-error"])
