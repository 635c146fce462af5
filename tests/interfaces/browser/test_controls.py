"""The sidebar's controls: any seed text gives a model, the levers are the schema's, and a
session starts from what the server was told."""

from __future__ import annotations

import json
import zlib

import pytest

from sim.core.model import GovernanceModel
from sim.core.params import BY_NAME, PARAMS, ScenarioError, defaults
from sim.interfaces.browser import controls, i18n
from tests.conftest import SMALL


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "42",
        " 7 ",
        "hello world",
        "-5",
        "1.5",
        "☺",
        "²",
        "①",
        "٣",
        "9" * 5000,
        "123456789012345678901234567890",
        "\ud800",
        "x" * 10_000,
    ],
)
def test_any_seed_text_gives_a_model(text):
    seed, drawn = controls.resolve_seed(text)
    assert isinstance(seed, int) and 0 <= seed <= controls.MAX_SEED
    assert drawn == (text.strip() == "")
    GovernanceModel(rng=seed, **SMALL).step()


def test_seed_text_is_read_the_same_way_every_time():
    assert controls.resolve_seed("42") == (42, False)
    assert controls.resolve_seed(str(controls.MAX_SEED)) == (controls.MAX_SEED, False)
    assert controls.resolve_seed("hello") == controls.resolve_seed(" hello ")
    assert controls.resolve_seed("-5") == (zlib.crc32(b"-5"), False)  # as the model hashes text
    assert controls.resolve_seed("²") == (zlib.crc32("²".encode()), False)


def test_a_long_seed_is_shortened_for_display():
    shown = controls.seed_shown("7" * 10_000)
    assert len(shown) == 40 and shown.endswith("…")
    assert controls.seed_shown(" abc ") == "abc"


def test_the_controls_are_every_lever_of_the_schema_and_the_world_size():
    levers = {p.name for p in PARAMS if "(lever)" in p.help}
    assert set(i18n.CONTROLLED) == levers | set(i18n.WORLD_SIZE)
    for name in i18n.CONTROLLED:
        assert BY_NAME[name].help in i18n.param_help(name)
        assert BY_NAME[name].allowed() in i18n.param_help(name)
        assert i18n.param_label(name, "en") and i18n.param_label(name, "zh")


def test_a_session_starts_from_defaults_without_settings():
    s = controls.initial_settings({})
    assert s.params == defaults() and s.seed_text == "" and s.lang == "en"
    assert s.view == "district" and s.scenario_params is None


def test_a_session_starts_from_the_served_scenario_and_overrides(tmp_path):
    (tmp_path / "alpha.toml").write_text(
        'description = "a"\nseed = 11\n[cross_appointment]\nxa_one_shoulder = 0.15\n',
        encoding="utf-8",
    )
    s = controls.initial_settings(
        {
            controls.ENV_SCENARIO: "alpha",
            controls.ENV_SCENARIO_DIR: str(tmp_path),
            controls.ENV_PARAMS: json.dumps({"n_streets": 2}),
            controls.ENV_LANG: "zh",
            controls.ENV_VIEW: "street:1",
        }
    )
    assert s.scenario == "alpha" and s.seed_text == "11"
    assert s.params["xa_one_shoulder"] == 0.15 and s.params["n_streets"] == 2
    assert s.scenario_params["xa_one_shoulder"] == 0.15
    assert s.lang == "zh" and s.view == "street:1"


@pytest.mark.parametrize(
    "params", ["not json", "[1, 2]", json.dumps({"bogus": 1}), json.dumps({"n_streets": 0})]
)
def test_bad_served_overrides_are_refused(params):
    with pytest.raises(ScenarioError):
        controls.initial_settings({controls.ENV_PARAMS: params})


def test_typed_values_are_checked_against_the_schema():
    assert controls.check_value("n_streets", 3) == (3, "")
    value, message = controls.check_value("n_streets", 0)
    assert value is None and "n_streets" in message
    assert controls.differing({**defaults(), "n_streets": 3}, defaults()) == ["n_streets"]
