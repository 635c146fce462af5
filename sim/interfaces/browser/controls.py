"""Sidebar controls of the app: the policy levers and world size as inputs, the seed, and
the session's starting settings.

Every control shows the schema's range and meaning (`sim.core.params.BY_NAME`). Shares and
weights are sliders over their schema range; on/off levers are checkboxes; the world size is
typed, and a value outside the schema's range is refused with a message instead of reaching
the model.

A session starts from the schema defaults, or from what `python -m sim serve` passed on
through environment variables (a scenario, `--set` overrides, a seed, the language and the
network view), read by `initial_settings`.
"""

from __future__ import annotations

import json
import os
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import solara

from sim.core.params import BY_NAME, ScenarioError, defaults, validate
from sim.core.scenario import list_scenarios, load_scenario, scenario_dir

from .guard import Limits, estimate_mb, world_refusal
from .i18n import CONTROLLED, LANGS, LEVER_GROUPS, WORLD_SIZE, param_help, param_label, tr
from .inputs import read_number

ENV_SCENARIO = "SIM_VIZ_SCENARIO"
ENV_PARAMS = "SIM_VIZ_PARAMS"
ENV_SEED = "SIM_VIZ_SEED"
ENV_LANG = "SIM_VIZ_LANG"
ENV_VIEW = "SIM_VIZ_VIEW"
ENV_SCENARIO_DIR = "SIM_VIZ_SCENARIO_DIR"
"""Environment variables `python -m sim serve` uses to hand a session its starting settings:
a scenario (name or path), parameter overrides (JSON object), a seed (text), the interface
language (en/zh), the network view (district, map or street:<n>) and the folder of scenarios the
picker lists."""


@dataclass
class Settings:
    """What the controls hold: every parameter value, the seed text, the scenario loaded."""

    params: dict[str, Any] = field(default_factory=defaults)
    seed_text: str = ""
    scenario: str = ""
    scenario_params: dict[str, Any] | None = None  # the scenario's own values (for "modified")
    lang: str = "en"
    view: str = "district"
    policy: list[dict[str, Any]] = field(default_factory=list)  # the scenario's timeline
    world: Path | None = None  # the folder of the scenario's district tables, if any


def scenario_folder() -> Path:
    """The folder whose scenario files the picker lists."""
    folder = os.environ.get(ENV_SCENARIO_DIR, "").strip()
    return Path(folder) if folder else scenario_dir()


def initial_settings(environ: dict[str, str] | None = None) -> Settings:
    """A session's starting settings, from the environment (see the ENV_* names).

    Raises ScenarioError if the scenario or the overrides are invalid."""
    env = os.environ if environ is None else environ
    settings = Settings()
    scenario = env.get(ENV_SCENARIO, "").strip()
    if scenario:
        path = Path(scenario)
        if not path.suffix:
            path = Path(env.get(ENV_SCENARIO_DIR) or scenario_dir()) / f"{scenario}.toml"
        loaded = load_scenario(path)
        settings.params = dict(loaded.params)
        settings.scenario = loaded.name
        settings.scenario_params = dict(loaded.params)
        settings.policy = loaded.timeline.to_list()
        settings.world = loaded.world
        if loaded.seed is not None:
            settings.seed_text = str(loaded.seed)
    raw = env.get(ENV_PARAMS, "").strip()
    if raw:
        try:
            overrides = json.loads(raw)
        except json.JSONDecodeError as err:
            raise ScenarioError(f"{ENV_PARAMS}: not a JSON object ({err})") from None
        if not isinstance(overrides, dict):
            raise ScenarioError(f"{ENV_PARAMS}: not a JSON object")
        settings.params = validate({**settings.params, **overrides}, where=ENV_PARAMS)
    if env.get(ENV_SEED) is not None:
        settings.seed_text = env[ENV_SEED]
    lang = env.get(ENV_LANG, "en").strip() or "en"
    settings.lang = lang if lang in LANGS else "en"
    view = env.get(ENV_VIEW, "district").strip() or "district"
    known = view in ("district", "map") or view.startswith("street:")
    settings.view = view if known else "district"
    return settings


MAX_SEED = 2**63 - 1
"""Largest seed typed as a number: a scenario file's integers are 64-bit."""


def resolve_seed(text: str | None) -> tuple[int, bool]:
    """The integer seed for the text in the seed box, and whether it was drawn at random.

    Blank → a fresh random seed (returned, so the run can be repeated); ASCII digits up to
    2⁶³ − 1 → that number; any other text (other scripts' digits such as ² or ①, a
    5,000-digit number, words) → a stable hash of it, as `sim.core.model.coerce_seed` hashes
    text. Never raises."""
    stripped = (text or "").strip()
    if not stripped:
        return secrets.randbelow(2**31), True
    if (
        stripped.isascii()
        and stripped.isdigit()
        and len(stripped) <= 19
        and int(stripped) <= MAX_SEED
    ):
        return int(stripped), False
    return zlib.crc32(stripped.encode("utf-8", "surrogatepass")), False


def seed_shown(text: str, limit: int = 40) -> str:
    """Seed text for display: at most `limit` characters (a long seed must not widen the
    page)."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_value(name: str, value: Any) -> tuple[Any, str]:
    """(value coerced to the parameter's type, '') or (None, error message)."""
    try:
        return BY_NAME[name].check(value), ""
    except ValueError as err:
        return None, f"{name} {err}"


def _step(name: str) -> float:
    p = BY_NAME[name]
    span = (p.high or 1.0) - (p.low or 0.0)
    return 0.01 if span <= 1.0 else round(span / 100, 3)


@solara.component
def HelpText(text: str) -> None:
    """A parameter's meaning and allowed values, in small grey print."""
    solara.Text(text, classes=["param-help"])


@solara.component
def TypedInput(name: str, value: Any, on_value: Callable[[Any], None], lang: str) -> None:
    """A number typed into a text field, checked against the schema before it is applied."""
    text, set_text = solara.use_state(str(value), key=f"text-{name}")
    error, set_error = solara.use_state("", key=f"error-{name}")

    # follow outside changes (a scenario loaded) unless the user's text is being corrected
    def sync() -> None:
        set_text(_fmt(value))
        set_error("")

    solara.use_effect(sync, [value])

    def commit(new: str | None) -> None:
        new = (new or "").strip()
        set_text(new)
        checked, message = read_number(name, new, lang)  # ASCII digits, whole, in range
        set_error(message)
        if not message:
            on_value(checked)

    solara.InputText(
        param_label(name, lang),
        value=text,
        on_value=commit,
        error=bool(error),
        message=error or None,
        dense=True,
    )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@solara.component
def ParamControl(name: str, value: Any, on_value: Callable[[Any], None], lang: str) -> None:
    """One parameter as a control, with its meaning and range as help text (few widgets:
    every widget on the page costs time in each month's redraw)."""
    p = BY_NAME[name]
    label = param_label(name, lang)
    if p.type is bool:
        solara.Checkbox(label=label, value=bool(value), on_value=on_value)
        HelpText(param_help(name))
    elif name in WORLD_SIZE:
        TypedInput(name, value, on_value, lang)
        HelpText(param_help(name))
    else:
        html = (
            f'<div class="param-label param-{name}">{_escape(label)}: <b>{_fmt(value)}</b></div>'
            f'<div class="param-help">{_escape(param_help(name))}</div>'
        )
        solara.HTML(tag="div", unsafe_innerHTML=html)
        cast = int if p.type is int else float
        solara.v.Slider(
            v_model=value,
            on_v_model=lambda v: on_value(cast(v)),
            min=p.low,
            max=p.high,
            step=1 if p.type is int else _step(name),
            thumb_label=True,
            hide_details=True,
            dense=True,
            class_=f"lever-slider slider-{name}",
            style_="margin: 0 0 10px 0",
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@solara.component
def Group(title: str, expanded: bool = False, children: list | None = None) -> None:
    """A collapsible section; its controls exist only while it is open."""
    is_open, set_open = solara.use_state(expanded)
    icon = "mdi-chevron-up" if is_open else "mdi-chevron-down"
    with solara.Column(gap="0px", classes=["lever-group"]):
        solara.Button(
            title,
            icon_name=icon,
            text=True,
            on_click=lambda: set_open(not is_open),
            classes=["group-toggle"],
            style={
                "justify-content": "flex-start",
                "width": "100%",
                "text-transform": "none",
                "font-weight": "600",
            },
        )
        if is_open:
            solara.Column(gap="0px", style={"padding": "0 10px"}, children=children or [])


@solara.component
def ParamGroups(
    params: solara.Reactive[dict[str, Any]], lang: str, limits: Limits | None = None
) -> None:
    """The lever groups and the world size, each a collapsible section."""
    for group, names in LEVER_GROUPS.items():
        with Group(tr(f"group_{group}", lang), expanded=group == "cross_appointment"):
            for name in names:

                def set_value(v: Any, name: str = name) -> None:
                    params.value = {**params.value, name: v}

                ParamControl(name, params.value[name], set_value, lang)
            if group == "world_size":
                MemoryNote(params.value, limits or Limits.from_env(), lang)


@solara.component
def MemoryNote(params: dict[str, Any], limits: Limits, lang: str) -> None:
    """The world's estimated memory against the session's cap; why Reset will refuse it."""
    refusal = world_refusal(params, limits, lang)
    if refusal:
        solara.Error(refusal, dense=True, classes=["memory-refusal"])
    else:
        HelpText(
            tr("memory_note", lang).format(
                mb=f"{estimate_mb(params):,.0f}", cap=f"{limits.session_mb:,.0f}"
            )
        )


@solara.component
def ScenarioPicker(current: str, on_pick: Callable[[str], None], lang: str) -> None:
    """Pick a scenario file of the scenarios folder: loads it into the controls and resets."""
    folder = scenario_folder()
    found = solara.use_memo(lambda: list_scenarios(folder), [str(folder)])
    names = [name for name, _ in found]
    none = tr("scenario_none", lang)
    solara.Select(
        tr("scenario_pick", lang),
        values=[none, *names],
        value=current if current in names else none,
        on_value=lambda v: on_pick("" if v == none else v),
        classes=["scenario-select"],
    )
    desc = dict(found).get(current)
    if desc:
        HelpText(desc)


def differing(params: dict[str, Any], model_params: dict[str, Any]) -> list[str]:
    """Controlled parameters whose control differs from the running model."""
    return [n for n in CONTROLLED if params.get(n) != model_params.get(n)]


@solara.component
def BoundedInt(
    label: str,
    value: int | None,
    low: int,
    high: int,
    on_value: Callable[[int | None], None],
    lang: str,
    classes: list[str] | None = None,
) -> None:
    """A whole number typed into a field, taken as it is typed: the field always shows the
    number that will be used, and a value outside [low, high] (or not a number) is refused
    with a message under the field and passed on as None, so nothing runs on it."""
    text, set_text = solara.use_state("" if value is None else str(value))

    def error_of(raw: str) -> str:
        raw = raw.strip()
        if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
            return ""
        return tr("int_between", lang).format(lo=low, hi=high)

    def commit(new: str | None) -> None:
        new = new or ""
        set_text(new)
        on_value(None if error_of(new) else int(new.strip()))

    error = error_of(text)
    solara.InputText(
        label,
        value=text,
        on_value=commit,
        continuous_update=True,
        error=bool(error),
        message=error or None,
        classes=classes or [],
        style={"max-width": "130px"},
    )
