"""Scenario files (sim.core.scenario): what editors write is accepted, and what would be
silently misread is refused with one message naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.core.params import ScenarioError
from sim.core.scenario import MAX_FILE_BYTES, load_scenario, parse_override


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding=encoding)
    return path


def test_a_file_saved_with_a_utf8_byte_order_mark_loads_like_one_without(tmp_path):
    text = 'description = "带 BOM"\nsteps = 7\n[devolution]\ndevolution_share = 0.7\n'
    with_bom = load_scenario(write(tmp_path, "bom", text, encoding="utf-8-sig"))
    plain = load_scenario(write(tmp_path, "plain", text))
    assert (tmp_path / "bom.toml").read_bytes().startswith(b"\xef\xbb\xbf")
    assert with_bom.params == plain.params
    assert (with_bom.description, with_bom.steps) == ("带 BOM", 7)


def test_a_scenario_may_extend_a_file_saved_with_a_byte_order_mark(tmp_path):
    write(tmp_path, "base", "n_streets = 3\n", encoding="utf-8-sig")
    child = write(tmp_path, "child", 'extends = "base"\n')
    assert load_scenario(child).params["n_streets"] == 3


def test_the_same_key_at_top_level_and_in_its_group_table_is_refused(tmp_path):
    path = write(
        tmp_path, "twice", "devolution_share = 0.2\n\n[devolution]\ndevolution_share = 0.8\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert message.startswith(str(path))
    assert "devolution_share" in message and "[devolution]" in message
    assert "both" in message and "\n" not in message


def test_a_key_in_a_table_of_one_file_may_override_the_top_level_of_another(tmp_path):
    write(tmp_path, "base", "devolution_share = 0.2\n")
    child = write(tmp_path, "child", 'extends = "base"\n[devolution]\ndevolution_share = 0.8\n')
    assert load_scenario(child).params["devolution_share"] == 0.8


@pytest.mark.parametrize("value", ['""', '"  "'])
def test_an_empty_extends_is_refused_not_ignored(tmp_path, value):
    path = write(tmp_path, "empty", f"extends = {value}\nn_streets = 2\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert message.startswith(str(path)) and "extends" in message
    assert "must name a scenario" in message


@pytest.mark.parametrize(
    "value",
    ["[" * 5000 + "]" * 5000, "{a = " * 3000 + "1" + "}" * 3000, "[" * 60 + "]" * 60],
)
def test_tables_or_arrays_nested_too_deep_are_refused_in_one_line(tmp_path, value):
    path = write(tmp_path, "deep", f"devolution_share = {value}\n")
    with pytest.raises(ScenarioError, match=r"nested more than 50 deep") as err:
        load_scenario(path)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_a_file_too_large_for_a_scenario_is_refused_before_it_is_read(tmp_path):
    path = write(tmp_path, "huge", "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(ScenarioError, match="more than a scenario or experiment file may hold"):
        load_scenario(path)


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_scenario_name_is_refused(name):
    with pytest.raises(ScenarioError, match="not a scenario; give a scenario file"):
        load_scenario(name)


@pytest.mark.parametrize(
    "text, says",
    [
        ("devolution_share=0.3\nwaste_rate=0.4", "holds a line break; give one key=value"),
        ("devolution_share=0.3\r\n", "holds a line break"),
        ("devolution_share", "expected key=value"),
    ],
)
def test_an_override_is_one_key_and_one_value(text, says):
    with pytest.raises(ScenarioError, match=says):
        parse_override(text)


def test_an_override_may_carry_a_comment():
    assert parse_override("devolution_share = 0.3  # half") == ("devolution_share", 0.3)
