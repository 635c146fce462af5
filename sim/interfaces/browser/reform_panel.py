"""The sidebar's Reforms card: schedule a reform at month t in chosen streets, and see the
running model's policy timeline.

A reform is a `[[policy]]` entry as a scenario file writes it (month, lever values,
streets); `Run.schedule` checks it and adds it to the running model's timeline, which the
model applies at the start of that month. "Save as scenario" writes the timeline, so the
command line repeats the run with its reforms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from sim.core.params import BY_NAME, ScenarioError
from sim.core.policy import LEVER_SCOPE

from .controls import Group, HelpText, ParamControl
from .i18n import LEVER_GROUPS, fmt_number, param_label, tr
from .inputs import read_month
from .session import Run

REFORM_LEVERS: tuple[str, ...] = tuple(
    n for group, names in LEVER_GROUPS.items() if group != "world_size" for n in names
)
"""Levers a reform can set: every lever of the sidebar (not the world size, which is fixed
when the world is built)."""


def describe_entry(entry: dict[str, Any], lang: str) -> str:
    """One timeline entry in words: month, values, where."""
    values = ", ".join(
        f"{param_label(k, lang)} = {fmt_number(v, lang)}" for k, v in entry["set"].items()
    )
    where = (
        tr("reform_streets", lang).format(s=", ".join(str(s) for s in entry["streets"]))
        if entry.get("streets")
        else tr("reform_everywhere", lang)
    )
    extra = [
        f"{k} = {entry[k]}" for k in ("community_types", "compound_types", "share") if k in entry
    ]
    return f"{tr('month', lang)} {entry['month']}: {values} — {where}" + (
        f" ({'; '.join(extra)})" if extra else ""
    )


@solara.component
def ReformCard(
    run: Run,
    tick: solara.Reactive[int],
    lock: Any,
    policy: solara.Reactive[list[dict[str, Any]]],
    lang: str,
) -> None:
    """Pick a lever, its new value, the month and the streets; Schedule adds the reform to
    the running model's timeline (and keeps it for the next Reset)."""
    tick.value  # noqa: B018  (entries turn from scheduled to applied as months pass)
    lever = solara.use_reactive(REFORM_LEVERS[0] if REFORM_LEVERS else "")
    value = solara.use_reactive(None)
    month_text = solara.use_reactive(None)  # what was typed; None: the next month
    streets = solara.use_reactive([])
    error = solara.use_reactive("")
    names = {param_label(n, lang): n for n in REFORM_LEVERS}
    current = run.params.get(lever.value)
    if (
        value.value is None
        or BY_NAME[lever.value].type is bool
        and not isinstance(value.value, bool)
    ):
        shown = (not current) if isinstance(current, bool) else current
    else:
        shown = value.value
    typed = month_text.value if month_text.value is not None else str(run.month + 1)
    street_names = [tr("street_n", lang).format(s=s) for s in run.structure.streets.tolist()]

    def pick_lever(label: str) -> None:
        lever.set(names[label])
        value.set(None)

    def change(action: Callable[[], None]) -> None:
        """Change the timeline, or say why not."""
        with lock:
            try:
                action()
            except ScenarioError as err:
                error.set(str(err))
                return
        error.set("")
        policy.set(list(run.policy))
        tick.set(tick.value + 1)

    def schedule() -> None:
        text = month_text.value if month_text.value is not None else str(run.month + 1)
        due, problem = read_month(text, run.month, lang)  # nothing is scheduled if refused
        if problem:
            error.set(problem)
            return
        entry: dict[str, Any] = {"month": due, "set": {lever.value: shown}}
        chosen = [street_names.index(n) for n in streets.value if n in street_names]
        if chosen:
            entry["streets"] = sorted(int(run.structure.streets[k]) for k in chosen)
        change(lambda: run.schedule(entry))

    with solara.Column(gap="2px", classes=["reform-card"]):
        # the timeline and any refusal in a column of their own, so that entries and
        # messages coming and going never move the form below (which would close it
        # while a visitor types)
        with solara.Column(gap="2px"):
            if run.policy:
                for k, entry in enumerate(run.policy):
                    done = int(entry["month"]) <= run.month
                    status = tr("reform_applied" if done else "reform_pending", lang)
                    with solara.Row(
                        gap="4px",
                        classes=["reform-entry"],
                        style={"align-items": "center", "font-size": "12px"},
                    ):
                        solara.Text(
                            f"{describe_entry(entry, lang)} · {status}",
                            style={"flex": "1 1 auto", "overflow-wrap": "anywhere"},
                        )
                        if not done:
                            solara.Button(
                                icon_name="mdi-close",
                                icon=True,
                                small=True,
                                on_click=lambda k=k: change(lambda: run.unschedule(k)),
                                classes=["reform-drop"],
                            )
            else:
                HelpText(tr("reform_none", lang))
            if error.value:
                solara.Error(error.value, dense=True, classes=["reform-error"])
        with Group(tr("reform_new", lang)):
            solara.Select(
                tr("reform_lever", lang),
                values=list(names),
                value=param_label(lever.value, lang),
                on_value=pick_lever,
                classes=["reform-lever"],
            )
            ParamControl(lever.value, shown, value.set, lang)
            solara.InputText(
                tr("reform_month", lang),
                value=typed,
                on_value=month_text.set,
                classes=["reform-month"],
            )
            if lever.value in LEVER_SCOPE:
                solara.SelectMultiple(
                    tr("reform_where", lang),
                    all_values=street_names,
                    values=streets.value,
                    on_value=streets.set,
                    classes=["reform-streets"],
                )
            else:
                HelpText(tr("reform_district_wide", lang))
            solara.Button(
                tr("reform_schedule", lang),
                on_click=schedule,
                color="primary",
                classes=["reform-schedule"],
            )
            HelpText(tr("reform_help", lang))
