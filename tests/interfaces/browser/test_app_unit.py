"""The browser app's parts that need no browser: network views and layouts, the aggregate
graph, plot specifications, labels in both languages, seeds and a session's settings."""

from __future__ import annotations

import json
import zlib

import numpy as np
import pandas as pd
import pytest

from sim.core.metrics import OUTCOMES
from sim.core.model import GovernanceModel
from sim.core.params import BY_NAME, ScenarioError, defaults
from sim.interfaces.browser import compare as cmp
from sim.interfaces.browser import controls, i18n, plots
from sim.interfaces.browser import network_view as nv
from tests.conftest import SMALL, small_model

TWO_STREETS = {**SMALL, "n_streets": 2}


@pytest.fixture
def stepped():
    m = small_model(3, **TWO_STREETS)
    m.run_for(4)
    yield m
    m.remove_all_agents()


def _edges(model):
    return [(u, v, k) for u, v, k in model.network.edges(keys=True)]


# ------------------------------------------------------------------------ layouts
@pytest.mark.parametrize("view", ["district", "street:0", "street:1"])
def test_a_layout_depends_only_on_the_world(view):
    a = nv.build_view(small_model(5, **TWO_STREETS), view)
    b = nv.build_view(small_model(5, **TWO_STREETS), view)
    np.testing.assert_array_equal(a.pos, b.pos)
    assert np.isfinite(a.pos).all()
    # no two nodes drawn on the same spot
    assert len(np.unique(np.round(a.pos, 9), axis=0)) == a.n


def test_positions_stay_put_while_the_model_runs(stepped):
    painter = nv.Painter(nv.build_view(stepped, "street:0"))
    before = painter.view.pos.copy()
    for _ in range(3):
        stepped.step()
        painter.png(nv.frame(painter.view, stepped))
    np.testing.assert_array_equal(painter.view.pos, before)
    offsets = [np.asarray(c.get_offsets()) for _, c in painter.groups]
    np.testing.assert_array_equal(np.vstack(offsets), np.vstack(
        [before[idx] for idx, _ in painter.groups]))


def test_the_street_view_holds_the_street_and_every_firm_and_ngo_slot(stepped):
    view = nv.street_view(stepped, 1)
    cm, cp = stepped.communities, stepped.compounds
    comms = np.flatnonzero(cm.street == 1)
    comps = np.flatnonzero(np.isin(cp.community, comms))
    kinds = list(view.kinds)
    assert kinds.count("street_office") == 1
    assert kinds.count("party_branch") == kinds.count("residents_committee") == len(comms)
    assert kinds.count("owners_committee") == len(comps)
    assert kinds.count("compound_branch") == int(cp.has_branch[comps].sum())
    assert kinds.count("property_firm") == stepped.firms.n
    assert kinds.count("ngo") == stepped.ngos.n
    shown = view.member >= 0
    assert shown.sum() == view.n
    # a node of another street is not shown
    other = stepped.world.node_offset["residents_committee"] + np.flatnonzero(cm.street == 0)
    assert (view.member[other] == -1).all()


def test_an_unknown_view_or_street_is_refused(stepped):
    with pytest.raises(ValueError):
        nv.build_view(stepped, "galaxy")
    with pytest.raises(ValueError):
        nv.street_view(stepped, stepped.streets.n)


# ------------------------------------------------------------------ aggregate graph
def test_every_network_node_belongs_to_one_district_node(stepped):
    view = nv.district_view(stepped)
    off, cp = stepped.world.node_offset, stepped.compounds
    assert (view.member >= 0).all()
    community_of = view.index[view.member]
    kind_of = view.kinds[view.member]
    for node, data in stepped.network.nodes(data=True):
        if data["kind"] in ("party_branch", "residents_committee", "owners_committee"):
            assert kind_of[node] == "community"
    # an owners'-committee seat belongs to its compound's community
    seats = off["owners_committee"] + np.arange(cp.n)
    np.testing.assert_array_equal(community_of[seats], cp.community)
    # a compound party branch belongs to its compound's community
    for compound, node in stepped.network.graph["branch_of_compound"].items():
        assert community_of[node] == cp.community[compound]


def test_the_district_graph_keeps_every_tie(stepped):
    view = nv.district_view(stepped)
    fr = nv.frame(view, stepped)
    between = sum(int(w.sum()) for _, w in fr.edges.values())
    inside = sum(int(c.sum()) for c in fr.internal.values())
    assert between + inside == stepped.network.number_of_edges()


def test_cross_appointment_ties_lie_inside_communities_and_ring_them(stepped):
    view = nv.district_view(stepped)
    fr = nv.frame(view, stepped)
    assert "cross_appointment" not in fr.edges
    xa = [(u, v) for u, v, k in _edges(stepped) if k == "cross_appointment"]
    counts = np.bincount([view.member[u] for u, _ in xa], minlength=view.n)
    np.testing.assert_array_equal(fr.internal.get("cross_appointment", np.zeros(view.n)), counts)
    assert ((fr.ring > 0) == (counts > 0)).all()


def test_contract_weights_count_compounds_served(stepped):
    view = nv.district_view(stepped)
    fr = nv.frame(view, stepped)
    pairs, weight = fr.edges["contract"]
    got = {}
    for (a, b), w in zip(pairs, weight):
        if view.kinds[b] == "property_firm":
            got[(view.index[a], view.index[b])] = w
    cp = stepped.compounds
    want = {}
    for c, f in zip(cp.community, cp.firm):
        if f >= 0:
            want[(int(c), int(f))] = want.get((int(c), int(f)), 0) + 1
    assert got == want


def test_aggregating_sums_parallel_ties_and_drops_ties_leaving_the_view():
    member = np.array([0, 0, 1, 1, -1])
    edges, internal = nv.aggregate_edges(
        member, [(0, 2, "contract"), (1, 3, "contract"), (0, 1, "cross_appointment"),
                 (2, 4, "contract"), (3, 0, "hierarchy")], n_view=2)
    pairs, weight = edges["contract"]
    assert pairs.tolist() == [[0, 1]] and weight.tolist() == [2.0]
    assert edges["hierarchy"][1].tolist() == [1.0]
    assert internal["cross_appointment"].tolist() == [1, 0]


# ------------------------------------------------------------------------ drawing
def test_the_painter_makes_a_png_that_follows_the_tie_switches(stepped):
    painter = nv.Painter(nv.build_view(stepped, "street:0"))
    fr = nv.frame(painter.view, stepped)
    first = painter.png(fr)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert painter.png(fr) == first
    assert painter.png(fr, show=()) != first
    assert painter.png(fr, show=nv.EDGES_SHOWN) == first


def test_the_cached_background_gives_the_same_picture_as_a_full_redraw(stepped):
    painter = nv.Painter(nv.build_view(stepped, "street:0"))
    painter.png(nv.frame(painter.view, stepped))
    stepped.step()
    fr = nv.frame(painter.view, stepped)
    painter.update(fr)
    painter.render()
    cached = np.asarray(painter.canvas.buffer_rgba()).copy()
    painter.canvas.draw()
    np.testing.assert_array_equal(cached, np.asarray(painter.canvas.buffer_rgba()))


@pytest.mark.parametrize("metric", list(nv.METRICS))
def test_every_shading_metric_is_a_value_per_community(stepped, metric):
    values = nv.community_metric(stepped, metric)
    assert values.shape == (stepped.communities.n,)
    scaled = nv.metric_scale(metric, values)
    assert ((scaled >= 0) & (scaled <= 1)).all()


# -------------------------------------------------------------------------- plots
def test_live_plots_cover_the_outcomes_the_issue_names():
    needed = {"satisfaction_mean", "needs_met", "needs_met_vulnerable", "disputes_arising",
              "disputes_mediated", "disputes_escalated", "oc_formed_share",
              "oc_functioning_share", "fee_collection", "ngos_active", "ngos_failed_total",
              "ngos_drifted", "budget_spent", "budget_idle", "budget_lapsed", "budget_wasted",
              "participation_rate"}
    assert needed <= set(plots.PLOTTED)
    assert set(plots.PLOTTED) <= set(OUTCOMES)
    assert set(plots.COMPARE_TABLE) <= set(OUTCOMES)


@pytest.mark.parametrize("lang", list(i18n.LANGS))
def test_the_live_spec_has_one_row_per_month(stepped, lang):
    spec = plots.live_spec(stepped.datacollector.model_vars, lang)
    rows = spec["datasets"]["run"]
    assert [r["month"] for r in rows] == [1, 2, 3, 4]
    assert len(spec["concat"]) == len(plots.PANELS)
    for panel in spec["concat"]:
        for field in panel["transform"][0]["fold"]:
            assert all(field in r for r in rows)
    json.dumps(spec)  # what the browser receives


def test_the_live_spec_of_a_new_model_is_empty_but_valid():
    spec = plots.live_spec({}, "en")
    assert spec["datasets"]["run"] == []
    assert plots.months_collected({}) == 0


# ------------------------------------------------------------------------- labels
def test_every_label_exists_in_both_languages():
    assert i18n.missing() == []


def test_the_controls_are_the_policy_levers_and_the_world_size():
    levers = {"xa_one_shoulder", "xa_two_committee_overlap", "xa_secretary_chairs_oc",
              "xa_two_committee_member_on_oc", "devolution_share", "channel_block_grant",
              "channel_grid_funds", "channel_ngo_projects", "capacity_building_share",
              "responsibility_list", "resident_assessment_weight", "screening_strictness",
              "third_party_evaluation", "professional_committee", "volunteer_platform",
              "party_led_formation"}
    world = {"n_streets", "communities_per_street", "compounds_per_community",
             "households_per_compound"}
    assert set(i18n.CONTROLLED) == levers | world
    for name in i18n.CONTROLLED:
        assert name in BY_NAME
        assert BY_NAME[name].help in i18n.param_help(name)
        assert BY_NAME[name].allowed() in i18n.param_help(name)


def test_series_names_are_distinct_within_a_panel():
    for lang in i18n.LANGS:
        for _, outcomes, _ in plots.PANELS:
            names = [i18n.outcome_label(o, lang) for o in outcomes]
            assert len(set(names)) == len(names)
            assert not any(ch in n for n in names for ch in ".[]\\")  # Vega field syntax


def test_chinese_labels_use_the_governance_terms():
    text = json.dumps([i18n.TEXT, i18n.PARAM_LABELS], ensure_ascii=False)
    for term in ("街道办", "社区党组织", "居委会", "业委会", "物业服务企业", "社会组织",
                 "一肩挑", "交叉任职", "资源下沉", "权责清单"):
        assert term in text, term


def test_a_missing_key_falls_back_to_the_key():
    assert i18n.tr("no_such_key", "zh") == "no_such_key"
    assert i18n.tr("title", "xx") == i18n.tr("title", "en")


# ------------------------------------------------------------------ seeds, settings
@pytest.mark.parametrize("text", ["", "   ", "42", " 7 ", "hello world", "-5", "1.5", "☺",
                                  "123456789012345678901234567890"])
def test_any_seed_text_gives_a_model(text):
    seed, drawn = controls.resolve_seed(text)
    assert isinstance(seed, int) and seed >= 0
    assert drawn == (text.strip() == "")
    model = GovernanceModel(rng=seed, **SMALL)
    model.step()


def test_seed_text_is_read_the_same_way_every_time():
    assert controls.resolve_seed("42") == (42, False)
    assert controls.resolve_seed("hello") == controls.resolve_seed("hello")
    assert controls.resolve_seed("-5") == (zlib.crc32(b"-5"), False)


def test_a_session_starts_from_defaults_without_settings():
    s = controls.initial_settings({})
    assert s.params == defaults() and s.seed_text == "" and s.lang == "en"
    assert s.view == "district"


def test_a_session_starts_from_the_served_scenario_and_overrides(tmp_path):
    (tmp_path / "alpha.toml").write_text(
        'description = "a"\nseed = 11\n[cross_appointment]\nxa_one_shoulder = 0.15\n',
        encoding="utf-8")
    s = controls.initial_settings({
        controls.ENV_SCENARIO: "alpha", controls.ENV_SCENARIO_DIR: str(tmp_path),
        controls.ENV_PARAMS: json.dumps({"n_streets": 2}), controls.ENV_LANG: "zh",
        controls.ENV_VIEW: "street:1"})
    assert s.scenario == "alpha" and s.seed_text == "11"
    assert s.params["xa_one_shoulder"] == 0.15 and s.params["n_streets"] == 2
    assert s.lang == "zh" and s.view == "street:1"


@pytest.mark.parametrize("params", ["not json", "[1, 2]", json.dumps({"bogus": 1}),
                                    json.dumps({"n_streets": 0})])
def test_bad_served_overrides_are_refused(params):
    with pytest.raises(ScenarioError):
        controls.initial_settings({controls.ENV_PARAMS: params})


def test_typed_values_are_checked_against_the_schema():
    assert controls.check_value("n_streets", 3) == (3, "")
    value, message = controls.check_value("n_streets", 0)
    assert value is None and "n_streets" in message
    assert controls.differing({**defaults(), "n_streets": 3}, defaults()) == ["n_streets"]


# ------------------------------------------------------------------------ compare
def test_two_arms_share_the_seed_and_the_world(tmp_path):
    (tmp_path / "beta.toml").write_text("[burden]\nresponsibility_list = true\n",
                                        encoding="utf-8")
    current = {**defaults(), **SMALL}
    pa = cmp.arm_params(cmp.CURRENT, current, tmp_path)
    pb = cmp.arm_params("beta", current, tmp_path)
    assert pb["responsibility_list"] and not pa["responsibility_list"]
    for name in i18n.LEVER_GROUPS["world_size"]:
        assert pa[name] == pb[name] == current[name]
    a1 = cmp.run_arm(pa, 9, 3)
    a2 = cmp.run_arm(pa, 9, 3)
    assert pd.DataFrame(a1).equals(pd.DataFrame(a2)) and len(a1["satisfaction_mean"]) == 3
    rows = cmp.summary(a1, cmp.run_arm(pb, 9, 3), plots.COMPARE_TABLE)
    assert [r[0] for r in rows] == list(plots.COMPARE_TABLE)
    spec = plots.compare_spec(a1, a1, ("A", "B"), "zh")
    assert len(spec["data"]["values"]) == 2 * 3 * len(plots.COMPARE_SHARES)


def test_every_shipped_scenario_can_be_picked():
    from sim.core.scenario import list_scenarios, scenario_dir

    found = list_scenarios()
    assert found, "no scenario files in scenarios/"
    current = {**defaults(), **SMALL}
    for name, _ in found:
        params = cmp.arm_params(name, current, scenario_dir())
        GovernanceModel(rng=1, **params).remove_all_agents()


# ---------------------------------------------------------------------- serve command
def test_serve_refuses_bad_options_before_starting(capsys):
    from sim.interfaces.cli.main import main

    assert main(["serve", "--set", "bogus=1"]) == 2
    assert main(["serve", "--view", "street:x"]) == 2
    assert main(["serve", "--scenario", "no_such_scenario"]) == 2
    assert "error:" in capsys.readouterr().err


def test_serve_hands_its_options_to_the_sessions():
    import argparse

    from sim.interfaces.cli import serve

    args = argparse.Namespace(overrides=["n_streets=2"], scenario=None, seed="abc", lang="zh",
                              view="street:0", scenario_dir=None)
    env = serve.server_environment(args)
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    s = controls.initial_settings(env)
    assert s.params["n_streets"] == 2 and s.seed_text == "abc" and s.lang == "zh"
    assert s.view == "street:0"
