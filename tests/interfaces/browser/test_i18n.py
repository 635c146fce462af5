"""Labels in English and Chinese, and numbers printed the same way everywhere."""

from __future__ import annotations

import json

import numpy as np

from sim.interfaces.browser import i18n, plots


def test_every_label_exists_in_both_languages():
    assert i18n.missing() == []


def test_numbers_have_fixed_decimals_and_a_real_minus_sign():
    assert i18n.fmt_number(-0.585) == "−0.585"
    assert i18n.fmt_number(3.75e-05) == "0.000"
    assert i18n.fmt_number(-3.75e-05) == "0.000"  # no "−0.000"
    assert i18n.fmt_number(1234567.8) == "1,234,568"
    assert i18n.fmt_number(12) == "12" and i18n.fmt_number(np.int64(-3)) == "−3"
    assert i18n.fmt_number(0.5) == "0.500" and i18n.fmt_number(23.0) == "23"
    assert i18n.fmt_number(float("nan")) == "—" and i18n.fmt_number(None) == "—"
    assert i18n.fmt_number(True) == "yes" and i18n.fmt_number(False, "zh") == "否"
    assert i18n.signed(0.012, decimals=3) == "+0.012"
    assert i18n.signed(-0.585, decimals=3) == "−0.585"
    assert i18n.signed(0.0, decimals=3) == "0.000"
    samples = [3.75e-05, -3.75e-05, -0.585, 1e9, -12345.678, 23.0, 0.5, 150.25, float("nan")]
    for x in samples:
        assert "e" not in i18n.fmt_number(x) and "-" not in i18n.fmt_number(x)
    assert i18n.fmt_numbers(np.array(samples)) == [i18n.fmt_number(x) for x in samples]


def test_a_list_an_agent_describes_is_shown_as_its_numbers():
    assert i18n.fmt_number([0.2, -0.4, 1]) == "[0.200, −0.400, 1]"
    assert i18n.fmt_number(list(range(10))) == "[0, 1, 2, 3, 4, 5, 6, 7, …]"


def test_counts_agree_with_their_number():
    assert i18n.counted(1, "street") == "1 street"
    assert i18n.counted(10, "street") == "10 streets"
    assert i18n.counted(1, "community") == "1 community"
    assert i18n.counted(12_000, "resident") == "12,000 residents"
    assert i18n.counted(1, "street", "zh") == "1 个街道"


def test_kinds_states_and_columns_the_app_does_not_know_are_named_after_themselves():
    assert i18n.kind_label("line_department") == "Line department"
    assert i18n.kind_label("party_branch@compound") == "Compound party branch"
    assert i18n.kind_label("party_branch@community") == "Community party organisation"
    assert i18n.state_label("dissolved") == "Dissolved"
    assert i18n.metric_label("new_column") == "New column"
    assert i18n.long_label("new_outcome") == "New outcome"


def test_series_names_are_distinct_within_a_panel():
    for lang in i18n.LANGS:
        for panel in plots.PANELS:
            names = [i18n.outcome_label(o, lang) for o in panel.outcomes]
            assert len(set(names)) == len(names)


def test_chinese_labels_use_the_governance_terms():
    text = json.dumps([i18n.TEXT, i18n.PARAM_LABELS], ensure_ascii=False)
    for term in (
        "街道办",
        "社区党组织",
        "居委会",
        "业委会",
        "物业服务企业",
        "社会组织",
        "一肩挑",
        "交叉任职",
        "资源下沉",
        "权责清单",
    ):
        assert term in text, term


def test_a_missing_key_falls_back_to_the_key():
    assert i18n.tr("no_such_key", "zh") == "no_such_key"
    assert i18n.tr("title", "xx") == i18n.tr("title", "en")


def test_every_lever_has_a_chinese_label():
    for name in (n for names in i18n.LEVER_GROUPS.values() for n in names):
        assert name in i18n.PARAM_LABELS, f"{name}: no label in PARAM_LABELS"
        assert i18n.param_label(name, "zh") != i18n.param_label(name, "en")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in i18n.param_label(name, "zh"))


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_outcome_and_table_column_has_a_name_in_both_languages():
    from sim.core.metrics import OUTCOMES
    from sim.interfaces.browser.session import start_run
    from tests.conftest import SMALL

    for o in OUTCOMES:
        assert o in i18n.OUTCOME_NAMES or o in i18n.LONG_LABELS, f"outcome {o} has no name"
        assert _chinese(i18n.long_label(o, "zh")), f"outcome {o} has no Chinese name"
    run = start_run({**SMALL, "n_streets": 2}, "3")
    run.step()
    columns = set(run.model.community_table().columns) | set(run.model.compound_table().columns)
    for col in sorted(columns - {"step", "community", "street", "compound"}):
        assert _chinese(i18n.metric_label(col, "zh")), f"column {col} has no Chinese name"
        assert col in i18n.COLUMN_NAMES or f"metric_{col}" in i18n.TEXT, f"column {col}: no name"
    run.close()


def test_every_attribute_an_organisation_records_has_a_name_in_both_languages():
    from sim.interfaces.browser.history import describe, read_scalars
    from sim.interfaces.browser.session import start_run
    from tests.conftest import SMALL

    run = start_run({**SMALL, "n_streets": 2}, "3")
    run.step()
    names = set()
    for agent in run.model.agents:
        if getattr(agent, "node", None) is not None:
            names |= set(read_scalars(agent)) | set(describe(agent))
    run.close()
    missing = sorted(n for n in names if not _chinese(i18n.attribute_label(n, "zh")))
    assert missing == []
