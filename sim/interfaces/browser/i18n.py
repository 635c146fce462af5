"""Interface labels in English and Chinese.

Every text the browser app shows — titles, control labels, legend entries, plot titles,
series names — is looked up here by key with `tr(key, lang)`. Parameter help texts come from
the schema (`sim.core.params.BY_NAME[name].help`, English); the policy levers and the world-size
parameters also have Chinese names (`param_label`). Chinese terms follow the usage of
grassroots-governance policy documents: 街道办, 社区党组织, 居委会, 业委会, 物业服务企业,
社会组织, 一肩挑, 交叉任职, 资源下沉, 权责清单.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.core.params import BY_NAME, PARAMS

from .labels import ATTRIBUTE_NAMES, COLUMN_NAMES, OUTCOME_NAMES

LANGS: dict[str, str] = {"en": "English", "zh": "中文"}
"""Interface languages: code → name shown in the switch."""

WORLD_SIZE: tuple[str, ...] = (
    "n_streets",
    "communities_per_street",
    "compounds_per_community",
    "households_per_compound",
)
"""The structure parameters the sidebar offers (typed in, checked against the memory guard)."""

LEVER_GROUP_OF: dict[str, str] = {
    "cross_appointment": "cross_appointment",
    "devolution": "devolution",
}
"""Schema groups that have their own sidebar section; every other lever goes to 'other'."""


def _lever_groups() -> dict[str, tuple[str, ...]]:
    """The policy levers (parameters whose meaning says "(lever)"), by sidebar section in
    schema order, and the world size."""
    groups: dict[str, list[str]] = {"cross_appointment": [], "devolution": [], "other_levers": []}
    for p in PARAMS:
        if "(lever)" in p.help:
            groups[LEVER_GROUP_OF.get(p.group, "other_levers")].append(p.name)
    return {**{k: tuple(v) for k, v in groups.items()}, "world_size": WORLD_SIZE}


LEVER_GROUPS: dict[str, tuple[str, ...]] = _lever_groups()
"""The parameters the app shows as controls, in the groups of the sidebar: every lever of
the schema (a new lever appears without code here) and the world size."""

CONTROLLED: tuple[str, ...] = tuple(n for names in LEVER_GROUPS.values() for n in names)
"""Every parameter that has a control in the sidebar."""

PARAM_LABELS: dict[str, dict[str, str]] = {
    "xa_one_shoulder": {
        "en": "Party secretary is also RC director (一肩挑)",
        "zh": "书记、主任“一肩挑”的社区比例",
    },
    "xa_two_committee_overlap": {
        "en": "“Two committees” cross-appointment",
        "zh": "“两委”成员交叉任职比例",
    },
    "xa_secretary_chairs_oc": {
        "en": "Compound party secretary chairs the OC",
        "zh": "小区党支部书记兼任业委会主任比例",
    },
    "xa_two_committee_member_on_oc": {
        "en": "“Two committees” member on the OC",
        "zh": "社区“两委”成员进入业委会比例",
    },
    "devolution_share": {
        "en": "Budget devolved to communities (资源下沉)",
        "zh": "资源下沉：下放社区的预算比例",
    },
    "channel_block_grant": {
        "en": "Channel weight: block grant to the RC",
        "zh": "渠道权重：居委会包干经费",
    },
    "channel_grid_funds": {
        "en": "Channel weight: grid funds (party organisation)",
        "zh": "渠道权重：社区党组织统筹的网格经费",
    },
    "channel_ngo_projects": {
        "en": "Channel weight: NGO project contracts",
        "zh": "渠道权重：政府购买社会组织服务项目",
    },
    "capacity_building_share": {
        "en": "Capacity-building investment",
        "zh": "社区能力建设投入比例",
    },
    "responsibility_list": {
        "en": "Power/responsibility list (权责清单)",
        "zh": "权责清单（社区工作事项准入）",
    },
    "resident_assessment_weight": {
        "en": "Residents' weight in assessment",
        "zh": "居民评价在考核中的权重",
    },
    "screening_strictness": {
        "en": "NGO screening strictness",
        "zh": "社会组织准入审查严格程度",
    },
    "third_party_evaluation": {
        "en": "Third-party evaluation",
        "zh": "第三方评估",
    },
    "professional_committee": {
        "en": "Professional property-management committee",
        "zh": "社区环境和物业管理委员会（专业人士参与）",
    },
    "volunteer_platform": {
        "en": "City volunteer platform",
        "zh": "城市志愿服务平台",
    },
    "party_led_formation": {
        "en": "Party-led owners'-committee formation",
        "zh": "党组织引领业委会组建",
    },
    "street_convened_committees": {
        "en": "Streets convene property committees where owners have none",
        "zh": "街道在无业主组织的小区召集组建物业管理委员会",
    },
    "oc_support": {
        "en": "Streets support sitting owners' committees",
        "zh": "街道支持在任业委会（培训、场地、调解、撑腰）",
    },
    "reelection_support": {
        "en": "Streets and branches mobilise owners for re-elections",
        "zh": "街道和党支部动员业主参加业委会换届",
    },
    "branch_building": {
        "en": "Compounds given a party branch of their own",
        "zh": "推动小区单独建立党支部的比例",
    },
    "election_household_rule": {
        "en": "Household-representative elections (户代表选举)",
        "zh": "居委会选举由户代表投票（户代表选举）",
    },
    "dept_rating_weight": {
        "en": "Streets' rating of departments (weight)",
        "zh": "街道评价职能部门的考核权重",
    },
    "access_list": {
        "en": "Street access list (职责准入)",
        "zh": "街道职责准入清单",
    },
    "street_summons": {
        "en": "Street summons, departments report (街道吹哨、部门报到)",
        "zh": "街道吹哨、部门报到",
    },
    "seconded_consultation": {
        "en": "Streets consulted on seconded officers' appraisal",
        "zh": "派驻人员考核征求街道意见",
    },
    "mirror_ban": {
        "en": "Ban on mirrored offices and name plates",
        "zh": "禁止要求社区“对口”挂牌、设科室",
    },
    "cadre_selection_resident_weight": {
        "en": "Residents' weight in cadre selection",
        "zh": "干部选任中居民评价的权重",
    },
    "n_streets": {"en": "Streets", "zh": "街道数"},
    "communities_per_street": {
        "en": "Communities per street (mean)",
        "zh": "每个街道的社区数（均值）",
    },
    "compounds_per_community": {
        "en": "Compounds per community (mean)",
        "zh": "每个社区的小区数（均值）",
    },
    "households_per_compound": {
        "en": "Households per compound (mean)",
        "zh": "每个小区的户数（均值）",
    },
}

OUTCOME_LABELS: dict[str, dict[str, str]] = {
    "satisfaction_mean": {"en": "satisfaction (mean)", "zh": "居民满意度（均值）"},
    "trust_rc": {"en": "trust in the RC", "zh": "对居委会的信任"},
    "trust_party": {"en": "trust in the party organisation", "zh": "对社区党组织的信任"},
    "needs_met": {"en": "all residents", "zh": "全体居民"},
    "needs_met_vulnerable": {"en": "vulnerable residents", "zh": "老年人及特殊群体"},
    "needs_met_other": {"en": "other residents", "zh": "其他居民"},
    "disputes_arising": {"en": "arising", "zh": "新发纠纷"},
    "disputes_mediated": {"en": "mediated", "zh": "调解化解"},
    "disputes_escalated": {"en": "escalated (petition, lawsuit)", "zh": "矛盾上行（信访、诉讼）"},
    "oc_formed_share": {"en": "compounds with an OC", "zh": "已成立业委会的小区"},
    "oc_functioning_share": {"en": "functioning OC", "zh": "业委会正常运转的小区"},
    "fee_collection": {"en": "fee collection", "zh": "物业费收缴率"},
    "property_quality": {"en": "service quality", "zh": "物业服务质量"},
    "ngos_active": {"en": "active", "zh": "在运营"},
    "ngos_failed_total": {"en": "failed (cumulative)", "zh": "累计退出"},
    "ngos_drifted": {"en": "drifted from mission", "zh": "偏离使命"},
    "budget_allocated": {"en": "devolved", "zh": "下沉资金"},
    "budget_spent": {"en": "absorbed (spent)", "zh": "已使用"},
    "budget_idle": {"en": "idle (stock)", "zh": "闲置沉淀（存量）"},
    "budget_lapsed": {"en": "lapsed", "zh": "过期收回"},
    "budget_wasted": {"en": "wasted", "zh": "浪费流失"},
    "absorption_rate": {"en": "absorption rate", "zh": "资金使用率"},
    "participation_rate": {"en": "participating residents", "zh": "参与的居民"},
}
"""Names of the plotted outcome series (`sim.core.metrics.OUTCOMES` keys), as they read inside
their panel."""

LONG_LABELS: dict[str, dict[str, str]] = {
    "needs_met_vulnerable": {
        "en": "needs met: vulnerable residents",
        "zh": "需求满足率：老年人及特殊群体",
    },
    "oc_functioning_share": {
        "en": "compounds with a functioning OC",
        "zh": "业委会正常运转的小区比例",
    },
    "participation_rate": {"en": "participation rate", "zh": "居民参与率"},
    "disputes_escalated": {
        "en": "disputes escalated per month",
        "zh": "每月矛盾上行（信访、诉讼）",
    },
    "ngos_active": {"en": "NGOs active", "zh": "在运营的社会组织"},
    "ngos_drifted": {"en": "NGOs drifted from mission", "zh": "偏离使命的社会组织"},
    "budget_wasted": {"en": "money wasted (yuan/month)", "zh": "浪费流失资金（元／月）"},
}
"""Names of outcomes where they stand alone (comparison plot and table)."""

TEXT: dict[str, dict[str, str]] = {
    # page and sidebar
    "title": {"en": "Community Governance Simulator", "zh": "城市基层社区治理模拟器"},
    "run": {"en": "Run", "zh": "运行"},
    "reset": {"en": "Reset", "zh": "重置"},
    "step": {"en": "Step", "zh": "单步"},
    "play_interval": {
        "en": "Pause between steps while playing (ms)",
        "zh": "连续运行时每步间隔（毫秒）",
    },
    "scenario": {"en": "Scenario", "zh": "情景"},
    "scenario_pick": {"en": "Load a scenario", "zh": "载入情景"},
    "scenario_none": {"en": "(defaults)", "zh": "（默认参数）"},
    "seed": {"en": "Seed (any text; blank = random)", "zh": "随机种子（任意文字；留空为随机）"},
    "seed_help": {
        "en": "The same seed and settings give the same run. Applied on Reset.",
        "zh": "相同的种子和参数得到相同的运行结果。按“重置”后生效。",
    },
    "current_model": {"en": "Current model", "zh": "当前模型"},
    "month": {"en": "Month", "zh": "月份"},
    "step_counter": {"en": "Step", "zh": "步数"},
    "seed_used": {"en": "Seed", "zh": "种子"},
    "seed_random": {"en": "drawn at random", "zh": "随机抽取"},
    "world": {"en": "World", "zh": "规模"},
    "non_default": {"en": "Non-default parameters", "zh": "非默认参数"},
    "pending": {
        "en": "Controls differ from the running model: press Reset to apply.",
        "zh": "控件参数与当前模型不同：按“重置”生效。",
    },
    "group_cross_appointment": {"en": "Cross-appointment (交叉任职)", "zh": "交叉任职"},
    "group_devolution": {"en": "Resource devolution (资源下沉)", "zh": "资源下沉"},
    "group_other_levers": {"en": "Other policy levers", "zh": "其他政策杠杆"},
    "group_world_size": {"en": "World size", "zh": "区域规模"},
    "value_out_of_range": {"en": "outside the allowed range", "zh": "超出允许范围"},
    # tabs
    "tab_live": {"en": "Live run", "zh": "实时运行"},
    "tab_compare": {"en": "Compare", "zh": "情景对比"},
    # network panel
    "network": {"en": "Governance network", "zh": "治理网络"},
    "view": {"en": "View", "zh": "视图"},
    "view_district": {"en": "District: one node per community", "zh": "全区：每个社区一个节点"},
    "view_street": {"en": "One street in full detail", "zh": "单个街道（完整细节）"},
    "street": {"en": "Street", "zh": "街道"},
    "legend": {"en": "Legend", "zh": "图例"},
    "edges": {"en": "Ties (click to show or hide)", "zh": "关系（点击显示/隐藏）"},
    "shade_note": {"en": "Colour", "zh": "颜色"},
    "size_note": {
        "en": "Size: a community's residents; a firm's or NGO's ties (compounds or communities served).",
        "zh": "大小：社区的居民人数；物业企业或社会组织的关系数（服务的小区或社区数）。",
    },
    "xa_ring_note": {
        "en": "Red ring: community with cross-appointed personnel (width: cross-appointment ties per node)",
        "zh": "红圈：存在交叉任职的社区（粗细：每个节点的交叉任职关系数）",
    },
    # node kinds (`kind_<kind>` or `kind_<kind>_<level>`); an unknown kind is named after itself
    "kind_street_office": {"en": "Street office (街道办)", "zh": "街道办"},
    "kind_party_branch": {"en": "Community party organisation", "zh": "社区党组织"},
    "kind_party_branch_compound": {"en": "Compound party branch", "zh": "小区党支部"},
    "kind_residents_committee": {"en": "Residents' committee (RC, 居委会)", "zh": "居委会"},
    "kind_community": {
        "en": "Community (its organisations and compounds)",
        "zh": "社区（含其组织和小区）",
    },
    "kind_owners_committee": {"en": "Owners' committee seat (OC, 业委会)", "zh": "业委会席位"},
    "kind_property_firm": {"en": "Property-management firm (物业服务企业)", "zh": "物业服务企业"},
    "kind_ngo": {"en": "NGO / social organisation (社会组织)", "zh": "社会组织"},
    "kind_property_committee": {
        "en": "Property-management committee (物业管理委员会)",
        "zh": "物业管理委员会",
    },
    "kind_department": {"en": "Line department (职能部门)", "zh": "职能部门"},
    # edge kinds
    "edge_hierarchy": {"en": "hierarchy", "zh": "上下级领导"},
    "edge_coordination": {"en": "coordination", "zh": "统筹协调"},
    "edge_contract": {"en": "contract", "zh": "服务合同"},
    "edge_supervision": {"en": "supervision", "zh": "监督"},
    "edge_cross_appointment": {"en": "cross-appointment (交叉任职)", "zh": "交叉任职"},
    "edge_collaboration": {"en": "collaboration", "zh": "协作"},
    "edge_peer": {"en": "peer communities", "zh": "同街道社区"},
    # per-community table columns (shading, hover, drill-down); others show their name
    "metric_trust_rc": {"en": "trust in the RC", "zh": "对居委会的信任"},
    "metric_trust_party": {"en": "trust in the party organisation", "zh": "对社区党组织的信任"},
    "metric_satisfaction": {"en": "satisfaction", "zh": "居民满意度"},
    "metric_needs_met": {"en": "needs met", "zh": "需求满足率"},
    "metric_needs_met_vulnerable": {
        "en": "needs met: vulnerable",
        "zh": "需求满足率：老年人及特殊群体",
    },
    "metric_coordination": {"en": "coordination index", "zh": "协调指数"},
    "metric_admin_burden_share": {
        "en": "administrative burden (red = heavy)",
        "zh": "行政负担（红色＝重）",
    },
    "metric_skill": {"en": "RC staff skill", "zh": "社工能力"},
    "metric_property_quality": {"en": "property-service quality", "zh": "物业服务质量"},
    "metric_fee_collection": {"en": "fee collection", "zh": "物业费收缴率"},
    "metric_oc_functioning_share": {
        "en": "compounds with a functioning OC",
        "zh": "业委会正常运转的小区比例",
    },
    "metric_participation": {"en": "participation", "zh": "居民参与率"},
    "metric_residents": {"en": "residents", "zh": "居民人数"},
    "metric_disputes": {"en": "disputes this month", "zh": "本月纠纷"},
    "metric_escalated": {"en": "disputes escalated", "zh": "矛盾上行"},
    "metric_needs_met_daily": {"en": "needs met: daily services", "zh": "需求满足率：日常服务"},
    "metric_needs_met_care": {"en": "needs met: care", "zh": "需求满足率：照护"},
    "metric_needs_met_legal": {
        "en": "needs met: legal aid, counselling",
        "zh": "需求满足率：法律与心理",
    },
    "metric_trust_oc": {"en": "trust in the OC", "zh": "对业委会的信任"},
    "metric_trust_firm": {"en": "trust in the property firm", "zh": "对物业企业的信任"},
    "metric_trust_ngo": {"en": "trust in NGOs", "zh": "对社会组织的信任"},
    "metric_trust_street": {"en": "trust in the street office", "zh": "对街道办的信任"},
    "metric_shirking_share": {"en": "compounds whose firm shirks", "zh": "物业偷工的小区比例"},
    "metric_oc_formed_share": {"en": "compounds with an OC", "zh": "已成立业委会的小区比例"},
    "metric_oc_captured_share": {
        "en": "compounds with a captured OC",
        "zh": "业委会被控制的小区比例",
    },
    "metric_firm_turnover": {"en": "compounds changing firm", "zh": "更换物业的小区"},
    "metric_mediated": {"en": "disputes mediated", "zh": "调解化解"},
    "metric_formalism_share": {"en": "paperwork share of staff hours", "zh": "台账材料工时比例"},
    "metric_leader_load": {"en": "party secretary's workload", "zh": "书记工作负荷"},
    "metric_cadre_load": {"en": "RC members' workload", "zh": "居委会成员工作负荷"},
    "metric_inflow": {"en": "money received (yuan/month)", "zh": "到账资金（元／月）"},
    "metric_spent": {"en": "money spent (yuan/month)", "zh": "已使用资金（元／月）"},
    "metric_idle": {"en": "idle money (stock, yuan)", "zh": "闲置资金（存量，元）"},
    "metric_lapsed": {"en": "money lapsed (yuan/month)", "zh": "过期收回（元／月）"},
    "metric_wasted": {"en": "money wasted (yuan/month)", "zh": "浪费流失（元／月）"},
    "metric_absorption_rate": {"en": "absorption rate", "zh": "资金使用率"},
    "metric_score": {"en": "assessment score", "zh": "考核得分"},
    "metric_one_shoulder": {"en": "secretary is also RC director (一肩挑)", "zh": "书记主任一肩挑"},
    "metric_ngo": {"en": "contracted NGO slot", "zh": "签约社会组织编号"},
    # plots
    "plots": {"en": "Outcomes by month", "zh": "逐月结果"},
    "plots_empty": {"en": "No months yet: press Step or ▶.", "zh": "尚无数据：请按“单步”或 ▶。"},
    "zero_axes": {"en": "Start y axes at zero", "zh": "纵轴从零开始"},
    "panel_satisfaction": {"en": "Satisfaction and trust", "zh": "满意度与信任"},
    "panel_needs": {"en": "Needs met", "zh": "需求满足率"},
    "panel_disputes": {"en": "Disputes", "zh": "矛盾纠纷"},
    "panel_oc": {"en": "Owners' committees", "zh": "业委会覆盖与运转"},
    "panel_fees": {"en": "Property fees and service", "zh": "物业费收缴与服务质量"},
    "panel_ngo": {"en": "NGO health", "zh": "社会组织状况"},
    "panel_budget_flows": {"en": "Devolved budget: flows", "zh": "下沉资金：流量"},
    "panel_budget_stock": {"en": "Devolved budget: idle money (stock)", "zh": "下沉资金：闲置存量"},
    "panel_participation": {"en": "Participation", "zh": "居民参与"},
    "unit_share": {"en": "share (0–1)", "zh": "比例（0–1）"},
    "unit_share_hours": {"en": "share of need hours met", "zh": "需求工时满足比例"},
    "unit_share_compounds": {"en": "share of compounds", "zh": "占小区比例"},
    "unit_share_residents": {"en": "share of residents", "zh": "占居民比例"},
    "unit_per_month": {"en": "disputes per month", "zh": "每月件数"},
    "unit_ngos": {"en": "NGOs", "zh": "社会组织数"},
    "unit_yuan_month": {"en": "yuan per month", "zh": "元／月"},
    "unit_yuan_stock": {"en": "yuan (stock)", "zh": "元（存量）"},
    "unit_hours": {"en": "hours per month", "zh": "工时／月"},
    "unit_load": {"en": "workload (1 = full time)", "zh": "工作负荷（1＝满负荷）"},
    "unit_months": {"en": "months", "zh": "月"},
    "unit_number": {"en": "number", "zh": "数量"},
    "tip_outcome": {"en": "outcome", "zh": "指标"},
    "tip_definition": {"en": "definition", "zh": "定义"},
    "axis_month": {"en": "month", "zh": "月"},
    # compare
    "compare_intro": {
        "en": "Two settings on the world size set in the sidebar, each run on the same N replicate seeds (derived from the seed box): bands are 95% confidence intervals of the mean, and B − A is the paired difference with its 95% CI.",
        "zh": "两组参数在侧栏设定的区域规模上，各自用相同的 N 个重复种子（由种子框导出）运行：色带为均值的 95% 置信区间，B − A 为配对差值及其 95% 置信区间。",
    },
    "arm_a": {"en": "Run A", "zh": "运行 A"},
    "arm_b": {"en": "Run B", "zh": "运行 B"},
    "arm_current": {"en": "current controls", "zh": "当前控件参数"},
    "months": {"en": "Months", "zh": "月数"},
    "compare_run": {"en": "Run comparison", "zh": "开始对比"},
    "compare_running": {"en": "Running…", "zh": "运行中…"},
    "compare_done": {"en": "Compared", "zh": "已对比"},
    "compare_table": {
        "en": "Mean of the last {w} months over {n} replicates",
        "zh": "最后 {w} 个月均值（{n} 次重复）",
    },
    "compare_table_1": {
        "en": "The one month run, mean over {n} replicates",
        "zh": "仅运行 1 个月：该月的均值（{n} 次重复）",
    },
    "int_between": {
        "en": "a whole number from {lo} to {hi}",
        "zh": "请输入 {lo} 到 {hi} 之间的整数",
    },
    "job_waiting": {
        "en": "Waiting for a free processor: place {k} in the queue",
        "zh": "等待空闲处理器：排队第 {k} 位",
    },
    "job_running_months": {"en": "Running: {d} of {n} months", "zh": "运行中：{d}／{n} 个月"},
    "job_running_runs": {"en": "Running: {d} of {n} runs", "zh": "运行中：{d}／{n} 次运行"},
    "job_cancel": {"en": "Cancel", "zh": "取消"},
    "job_cancelled": {
        "en": "Cancelled; the last finished result is kept.",
        "zh": "已取消；保留上一次完成的结果。",
    },
    "outcomes_pick": {
        "en": "Outcomes (manipulation checks of the changed levers first)",
        "zh": "指标（已改变政策杠杆的操作检验指标排在最前）",
    },
    "check_mark": {"en": "✓ check", "zh": "✓ 检验"},
    "checks_note": {
        "en": "Manipulation checks — did the changed levers take hold? {checks}",
        "zh": "操作检验——改变的政策杠杆是否落实：{checks}",
    },
    "checks_none": {
        "en": "No district outcome measures these levers alone ({levers}).",
        "zh": "没有单独衡量这些政策杠杆的全区指标（{levers}）。",
    },
    "band_note": {
        "en": "lines: mean of the replicates; bands: its 95% confidence interval",
        "zh": "线：各次重复的均值；色带：均值的 95% 置信区间",
    },
    "compare_download_replicates": {
        "en": "Replicates (one row per arm and replicate)",
        "zh": "重复运行表（每组每次重复一行）",
    },
    "compare_download_differences": {
        "en": "Differences B − A with 95% CIs",
        "zh": "差值 B − A 及 95% 置信区间",
    },
    "download_figure": {"en": "Figure of the chosen outcomes", "zh": "所选指标的图"},
    "diff_map": {
        "en": "Where B helps and where it hurts: B − A per community",
        "zh": "B 在哪里改善、在哪里变差：各社区的 B − A",
    },
    "diff_map_column": {"en": "Per-community value", "zh": "社区指标"},
    "diff_map_replicate": {"en": "Replicate", "zh": "重复"},
    "diff_map_worlds": {
        "en": "The two arms ran on different communities (an arm changes the world's structure), so there is no difference per community.",
        "zh": "两组运行的社区不同（某组改变了区域结构），无法逐社区比较。",
    },
    "diff_map_fixed": {
        "en": "Colour: B − A of the mean over the last {w} months, paired by seed and averaged over {n} replicates (hover for its 95% CI); red: lower in B, blue: higher in B.",
        "zh": "颜色：最后 {w} 个月均值的 B − A，按种子配对并对 {n} 次重复取平均（悬停查看 95% 置信区间）；红色：B 较低，蓝色：B 较高。",
    },
    "diff_map_each": {
        "en": "Colour: B − A of the mean over the last {w} months in replicate {r} (a synthetic district is drawn anew for every replicate, so each replicate has its own communities; a district read from files is averaged over replicates); red: lower in B, blue: higher in B.",
        "zh": "颜色：第 {r} 次重复中最后 {w} 个月均值的 B − A（合成区域每次重复重新生成，社区各不相同；从文件读取的区域则对各次重复取平均）；红色：B 较低，蓝色：B 较高。",
    },
    "diff_map_geo": {
        "en": "Compounds at their coordinates, coloured by their community; dashed: streets' outlines.",
        "zh": "小区按坐标绘制，颜色取其所在社区；虚线：街道轮廓。",
    },
    "diff_map_layout": {
        "en": "The world has no coordinates: communities as in the district view, grouped by street.",
        "zh": "该区域没有坐标：社区按全区视图排列、按街道分组。",
    },
    "view_map": {"en": "Map: compounds at their coordinates", "zh": "地图：按坐标绘制小区"},
    "colour_compound": {"en": "compound: {name}", "zh": "小区：{name}"},
    "colour_community": {"en": "community: {name}", "zh": "社区：{name}"},
    "map_caption": {
        "en": "{n:,} compounds at their coordinates (km east and north of the district's centre); {missing:,} without coordinates are not drawn.",
        "zh": "按坐标绘制 {n:,} 个小区（距区域中心向东、向北的公里数）；{missing:,} 个无坐标的小区未绘制。",
    },
    "map_none": {
        "en": "This world has no coordinates (a district read from tables with longitude and latitude columns has them: docs/DATA.md), so its communities are laid out by street as in the district view, not at their places.",
        "zh": "该区域没有坐标（从含经纬度列的表格读入的区域才有：见 docs/DATA.md），因此社区按全区视图的街道分组排列，而非其实际位置。",
    },
    "map_note_layout": {
        "en": "Dashed: each street's outline round its communities. Hover for a community's values, click for its drill-down.",
        "zh": "虚线：各街道所辖社区的轮廓。悬停查看社区数值，点击查看详情。",
    },
    "map_note": {
        "en": "Dashed: each street's outline round its compounds. Size: a compound's households. Hover for its values, click for its drill-down.",
        "zh": "虚线：各街道所辖小区的轮廓。大小：小区户数。悬停查看数值，点击查看详情。",
    },
    "ties_min": {
        "en": "Lines between streets and to firms or NGOs: drawn where they stand for at least {k} ties",
        "zh": "跨街道及连向物业、社会组织的连线：至少代表 {k} 条关系才绘制",
    },
    "ties_bundle": {
        "en": "Bundle a community's ties outside its street at its street office",
        "zh": "将社区的跨街道关系汇总到其街道办",
    },
    "tab_streets": {"en": "Streets", "zh": "街道对比"},
    "streets_column": {"en": "Per-community outcome", "zh": "社区指标"},
    "streets_pages": {"en": "Streets shown", "zh": "显示的街道"},
    "streets_page": {"en": "Streets {a}–{b}", "zh": "街道 {a}–{b}"},
    "streets_by_street": {"en": "By street", "zh": "分街道"},
    "streets_spread": {"en": "Across the communities", "zh": "各社区的分布"},
    "streets_line": {"en": "the street", "zh": "该街道"},
    "streets_weighted": {
        "en": "A street's value is its communities' mean weighted by residents (the district's likewise).",
        "zh": "街道的数值为其各社区按居民人数加权的均值（全区同理）。",
    },
    "streets_summed": {
        "en": "A street's value is the sum over its communities (a count or an amount of money; the district's likewise).",
        "zh": "街道的数值为其各社区之和（计数或金额；全区同理）。",
    },
    "spread_district": {"en": "district", "zh": "全区"},
    "spread_median": {"en": "median community", "zh": "社区中位数"},
    "spread_n": {"en": "communities", "zh": "社区数"},
    "spread_note": {
        "en": "Bands: the 10th–90th and 25th–75th percentiles of the communities (each counts once); line: the median community; dashed red: the district.",
        "zh": "色带：各社区（每个社区计一次）的第 10–90 与第 25–75 百分位；实线：社区中位数；红色虚线：全区。",
    },
    "numbering_note": {
        "en": "Streets, communities and compounds are numbered from 0, as in scenario files ([[policy]] streets = [...]) and the exported tables.",
        "zh": "街道、社区和小区均从 0 开始编号，与情景文件（[[policy]] streets = [...]）和导出的表一致。",
    },
    "tab_sweep": {"en": "Sweep", "zh": "参数扫描"},
    "sweep_intro": {
        "en": "One lever (or one field of the policy timeline) over several values, each run on the same N replicate seeds on the session's world, every other setting as in the sidebar: the effect curve of each outcome with the 95% confidence interval of each value's mean, as NetLogo's BehaviorSpace does. It runs python -m sim sweep on the experiment file you can save below.",
        "zh": "在当前会话的区域上，将一个政策杠杆（或政策时间表中的一个字段）取若干数值，每个数值用相同的 N 个重复种子运行，其余设置与侧栏相同：得到各指标的效应曲线及各数值均值的 95% 置信区间（类似 NetLogo 的 BehaviorSpace）。运行的是可在下方保存的实验文件（python -m sim sweep）。",
    },
    "sweep_factor": {"en": "Lever or timeline field", "zh": "政策杠杆或时间表字段"},
    "sweep_values": {"en": "Values (comma-separated)", "zh": "取值（逗号分隔）"},
    "sweep_values_help": {
        "en": "Numbers such as 0, 0.25, 0.5, 0.75, 1; an on/off lever: false, true. The first value is the reference of the paired differences.",
        "zh": "例如 0, 0.25, 0.5, 0.75, 1；开关型杠杆：false, true。第一个取值为配对差值的参照。",
    },
    "sweep_run": {"en": "Run sweep", "zh": "开始扫描"},
    "sweep_timeline_field": {"en": "Reform {entry}: {field}", "zh": "改革 {entry}：{field}"},
    "sweep_done": {
        "en": "Swept {factor} over {values} · {n} replicates each · {months} months · seed {seed}",
        "zh": "扫描 {factor}，取值 {values} · 每个取值 {n} 次重复 · {months} 个月 · 种子 {seed}",
    },
    "sweep_relative": {
        "en": "Show the paired difference from the first value ({v})",
        "zh": "显示相对于第一个取值（{v}）的配对差值",
    },
    "sweep_axis_mean": {"en": "{unit}", "zh": "{unit}"},
    "sweep_axis_diff": {"en": "difference, {unit}", "zh": "差值，{unit}"},
    "sweep_mean": {"en": "mean", "zh": "均值"},
    "ci95_mean": {"en": "95% CI of the mean", "zh": "均值的 95% 置信区间"},
    "sweep_diff": {"en": "minus first value", "zh": "减去第一个取值"},
    "sweep_nothing": {
        "en": "No run of the sweep finished; nothing to show.",
        "zh": "扫描没有完成任何运行，无可显示的结果。",
    },
    "sweep_download_runs": {
        "en": "Runs (one row per value and replicate)",
        "zh": "运行表（每个取值每次重复一行）",
    },
    "sweep_download_effects": {
        "en": "Effects with 95% CIs (one row per value and outcome)",
        "zh": "效应及 95% 置信区间（每个取值每个指标一行）",
    },
    "sweep_save": {"en": "Save as experiment (TOML)", "zh": "保存为实验文件（TOML）"},
    "sweep_save_help": {
        "en": "python -m sim sweep <file> runs the same runs and gives the same tables; python -m sim report <results folder> writes its report.",
        "zh": "python -m sim sweep <文件> 运行相同的运行并得到相同的表；python -m sim report <结果目录> 生成报告。",
    },
    "sweep_figure_title": {
        "en": "{factor}: mean of the last {w} months over {n} replicates, 95% CI",
        "zh": "{factor}：最后 {w} 个月均值（{n} 次重复），95% 置信区间",
    },
    "compound_name": {
        "en": "Compound {k} (community {c}, street {s})",
        "zh": "小区 {k}（社区 {c}，街道 {s}）",
    },
    # network: hover, legend, drill-down
    "colour_by": {"en": "Colour nodes by", "zh": "节点着色依据"},
    "colour_kind": {"en": "actor type", "zh": "主体类型"},
    "colour_state": {"en": "state of the organisation", "zh": "组织状态"},
    "network_caption": {
        "en": "{n:,} nodes in this view ({total:,} network nodes)",
        "zh": "本视图 {n:,} 个节点（网络共 {total:,} 个节点）",
    },
    "hollow_note": {
        "en": "Hollow: seat without an organisation, or an organisation no longer active",
        "zh": "空心：尚无组织的席位，或已停止运作的组织",
    },
    "zoom_note": {
        "en": "Hover a node for its values, click it for its history; drag to pan, scroll to zoom, double-click to reset.",
        "zh": "悬停查看数值，点击查看历史；拖动平移，滚轮缩放，双击复原。",
    },
    "community_name": {"en": "Community {c} (street {s})", "zh": "社区 {c}（街道 {s}）"},
    "in_community": {"en": "community {c}", "zh": "社区 {c}"},
    "in_street": {"en": "street {s}", "zh": "街道 {s}"},
    "street_n": {"en": "Street {s}", "zh": "街道 {s}"},
    "street_short": {"en": "Street {s}", "zh": "街道{s}"},
    "tip_kind": {"en": "type", "zh": "类型"},
    "tip_community": {"en": "community", "zh": "社区"},
    "tip_street": {"en": "street", "zh": "街道"},
    "tip_state": {"en": "state", "zh": "状态"},
    "tip_xa": {"en": "cross-appointment ties inside", "zh": "内部交叉任职关系"},
    "tip_ties": {"en": "ties", "zh": "关系数"},
    "tip_hub": {"en": "ties", "zh": "关系"},
    "tip_hub_text": {
        "en": "{n} across the district: click to draw them",
        "zh": "全区共 {n} 条：点击显示",
    },
    "state_active": {"en": "active", "zh": "运作中"},
    "state_functioning": {"en": "functioning", "zh": "正常运转"},
    "state_stalled": {"en": "stalled", "zh": "停摆"},
    "state_captured": {"en": "captured", "zh": "被控制"},
    "state_inactive": {"en": "no longer active", "zh": "已停止运作"},
    "state_vacant": {"en": "vacant (no organisation)", "zh": "空缺（无组织）"},
    "state_community": {"en": "community", "zh": "社区"},
    "drill_month": {"en": "Values in month {m}", "zh": "第 {m} 月的数值"},
    "drill_recorded": {
        "en": "Recorded values (costly ones are read only for the latest month).",
        "zh": "记录的数值（计算代价高的数值只在最新月份读取）。",
    },
    "drill_members": {"en": "Its organisations", "zh": "下属组织"},
    "drill_ties": {"en": "Its ties", "zh": "关系"},
    # reforms: the policy timeline
    "reforms": {"en": "Reforms (policy timeline)", "zh": "改革（政策时间表）"},
    "reform_lever": {"en": "Lever", "zh": "政策杠杆"},
    "reform_month": {"en": "From month", "zh": "起始月份"},
    "reform_where": {"en": "In streets (none chosen = everywhere)", "zh": "实施街道（不选＝全区）"},
    "reform_district_wide": {
        "en": "This lever is set for the whole district.",
        "zh": "该杠杆适用于全区。",
    },
    "reform_schedule": {"en": "Schedule", "zh": "排入时间表"},
    "reform_new": {"en": "Schedule a reform", "zh": "新增改革"},
    "reform_none": {"en": "No policy changes scheduled.", "zh": "时间表为空。"},
    "reform_applied": {"en": "applied", "zh": "已实施"},
    "reform_pending": {"en": "scheduled", "zh": "待实施"},
    "reform_streets": {"en": "streets {s}", "zh": "街道 {s}"},
    "reform_everywhere": {"en": "everywhere", "zh": "全区"},
    "reform_help": {
        "en": "A reform is a [[policy]] entry of a scenario file: the model sets "
        "the value at the start of that month. Reset keeps the timeline; "
        "Save as scenario writes it.",
        "zh": "改革即情景文件中的 [[policy]] 条目：模型在该月开始时设置取值。"
        "重置保留时间表；“另存为情景”会写入时间表。",
    },
    # people panel: who holds which seats
    "people_title": {"en": "People in its seats", "zh": "任职人员"},
    "people_summary": {
        "en": "{filled} of {seats} seats filled, by {people} people; holding "
        "more than one seat (cross-appointment, 交叉任职): {xa}",
        "zh": "{seats} 个席位中 {filled} 个有人，共 {people} 人；身兼多职（交叉任职）：{xa} 人",
    },
    "people_recorded": {
        "en": "Seats as held in month {m}; workload is shown for the latest month only.",
        "zh": "第 {m} 月的任职情况；工作负荷只显示最新月份。",
    },
    "people_person": {"en": "Person", "zh": "人员"},
    "people_seats": {
        "en": "Seats held (↗ = in another organisation)",
        "zh": "所任职务（↗ 为其他组织）",
    },
    "people_load": {"en": "Workload", "zh": "工作负荷"},
    "people_vacant": {"en": "Vacant seats", "zh": "空缺席位"},
    "people_more": {"en": "… and {n} more people", "zh": "…… 另有 {n} 人"},
    "person_name": {"en": "Person {p}", "zh": "人员 {p}"},
    "person_party": {"en": "party member", "zh": "党员"},
    "person_kind_cadre": {"en": "cadre", "zh": "干部"},
    "person_kind_volunteer": {"en": "volunteer", "zh": "志愿者"},
    "person_kind_professional": {"en": "professional", "zh": "专业人员"},
    "role_party_secretary": {"en": "party secretary", "zh": "党组织书记"},
    "role_party_committee_member": {"en": "party committee member", "zh": "党组织委员"},
    "role_rc_director": {"en": "RC director", "zh": "居委会主任"},
    "role_rc_member": {"en": "RC member", "zh": "居委会委员"},
    "role_branch_secretary": {"en": "compound branch secretary", "zh": "小区党支部书记"},
    "role_oc_chair": {"en": "OC chair", "zh": "业委会主任"},
    "role_oc_member": {"en": "OC member", "zh": "业委会委员"},
    "role_pmc_member": {"en": "property-committee member", "zh": "物管会委员"},
    "drill_series": {"en": "Its own values by month", "zh": "逐月数值"},
    "drill_no_series": {"en": "No months recorded yet.", "zh": "尚无记录。"},
    "close": {"en": "Close", "zh": "关闭"},
    # time
    "time_month": {"en": "Month shown", "zh": "显示月份"},
    "time_nothing": {
        "en": "Month 0: press Step or ▶ to record months you can replay.",
        "zh": "第 0 月：按“单步”或 ▶ 记录可回放的月份。",
    },
    "time_live": {"en": "Live: month {m}", "zh": "实时：第 {m} 月"},
    "time_replay": {"en": "Replaying month {m} of {n}", "zh": "回放第 {m} 月（共 {n} 月）"},
    "time_back": {"en": "Back to live", "zh": "回到实时"},
    # export and run folders
    "export": {"en": "Export", "zh": "导出"},
    "export_series": {"en": "District series", "zh": "全区逐月结果"},
    "export_communities": {"en": "Per-community table", "zh": "分社区结果表"},
    "export_scenario": {"en": "Save as scenario (TOML)", "zh": "保存为情景文件（TOML）"},
    "export_help": {
        "en": "The scenario file holds every parameter, the seed and the months run: python -m sim run <file> repeats this run exactly. Save a figure from its ⋯ menu (PNG or SVG).",
        "zh": "情景文件包含全部参数、种子和已运行月数：python -m sim run <文件> 可完全重现本次运行。图表可从其 ⋯ 菜单另存为 PNG 或 SVG。",
    },
    "runs": {"en": "Replay a run folder", "zh": "回放运行目录"},
    "runs_pick": {"en": "Run folder", "zh": "运行目录"},
    "runs_open": {"en": "Replay", "zh": "回放"},
    "runs_refresh": {"en": "Refresh", "zh": "刷新"},
    "runs_pick_first": {"en": "Choose a run folder first.", "zh": "请先选择运行目录。"},
    "runs_none": {
        "en": "No run folders in {root}/ yet (python -m sim run ... writes them there).",
        "zh": "{root}/ 中尚无运行目录（python -m sim run ... 会写入该处）。",
    },
    "runs_help": {
        "en": "Folders written by python -m sim run under {root}/: the model is rebuilt with their parameters and seed, run for their months, and checked against their recorded series.",
        "zh": "python -m sim run 写在 {root}/ 下的目录：按其参数和种子重建模型，运行相同月数，并与记录的结果核对。",
    },
    "replay_running": {"en": "Replaying: month {m} of {n}", "zh": "回放中：第 {m} 月（共 {n} 月）"},
    "replay_same": {
        "en": "Replay matches the folder's recorded series (months 1–{n}).",
        "zh": "回放结果与目录中记录的结果一致（第 1–{n} 月）。",
    },
    "replay_differs": {
        "en": "Replay differs from the folder's recorded series: {diff}",
        "zh": "回放结果与记录不一致：{diff}",
    },
    "replay_of": {"en": "Replay of", "zh": "回放自"},
    "note": {"en": "Note", "zh": "说明"},
    "no_model": {
        "en": "No model is running: fix the problem shown in the sidebar, then press Reset.",
        "zh": "当前没有运行的模型：请先解决侧栏中提示的问题，再按“重置”。",
    },
    # memory guard and busy server
    "memory_note": {
        "en": "Estimated memory of this world: about {mb} MB (this server allows {cap} MB per session).",
        "zh": "该规模预计占用约 {mb} MB 内存（本服务器每个会话上限 {cap} MB）。",
    },
    "busy_title": {"en": "Server busy", "zh": "服务器繁忙"},
    "busy_retry": {"en": "Try again", "zh": "重试"},
    "modified": {"en": "(modified)", "zh": "（已修改）"},
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    # compare
    "replicates": {"en": "Replicates", "zh": "重复次数"},
    "compare_seeds": {
        "en": "Replicate seeds (the same for A and B): {seeds}",
        "zh": "各次重复的种子（A、B 相同）：{seeds}",
    },
    "compare_world": {
        "en": "Both arms run on the district read from {folder}.",
        "zh": "两组均在从 {folder} 读取的区域上运行。",
    },
    "compare_world_set_aside": {
        "en": "The scenario of arm {arm} names its own district ({folder}); both arms run on the session's world instead, since two worlds would confound the comparison.",
        "zh": "组 {arm} 的情景指定了自己的区域（{folder}）；为避免两个不同区域混淆比较，两组均在当前会话的区域上运行。",
    },
    "compare_one": {
        "en": "One replicate only: a single pair of runs gives no confidence interval, and a difference may be noise. Use 5 or more replicates.",
        "zh": "只有一次重复：单对运行无法给出置信区间，差异可能只是随机波动。请使用 5 次或更多重复。",
    },
    "ci95": {"en": "95% CI of B − A", "zh": "B − A 的 95% 置信区间"},
    "verdict": {"en": "reading", "zh": "解读"},
    "ci_excludes": {"en": "differs (CI excludes 0)", "zh": "有差异（区间不含 0）"},
    "ci_includes": {"en": "no clear difference (CI includes 0)", "zh": "差异不明显（区间含 0）"},
    "ci_none": {"en": "no CI with one replicate", "zh": "单次重复无置信区间"},
    "tip_arm": {"en": "run", "zh": "运行"},
    "tip_mean": {"en": "mean of replicates", "zh": "重复均值"},
    "tip_low": {"en": "95% CI low", "zh": "95% 区间下限"},
    "tip_high": {"en": "95% CI high", "zh": "95% 区间上限"},
    "tip_replicates": {"en": "replicates", "zh": "重复次数"},
    # counts
    "street_1": {"en": "street", "zh": "个街道"},
    "street_n_u": {"en": "streets", "zh": "个街道"},
    "community_1": {"en": "community", "zh": "个社区"},
    "community_n_u": {"en": "communities", "zh": "个社区"},
    "compound_1": {"en": "compound", "zh": "个小区"},
    "compound_n_u": {"en": "compounds", "zh": "个小区"},
    "resident_1": {"en": "resident", "zh": "名居民"},
    "resident_n_u": {"en": "residents", "zh": "名居民"},
    "node_1": {"en": "network node", "zh": "个网络节点"},
    "node_n_u": {"en": "network nodes", "zh": "个网络节点"},
    "outcome": {"en": "outcome", "zh": "指标"},
    "difference": {"en": "B − A", "zh": "B − A"},
}
"""Every other interface text, by key."""


def tr(key: str, lang: str = "en") -> str:
    """The text for `key` in `lang` (English if the language or key has none)."""
    entry = TEXT.get(key) or OUTCOME_LABELS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["en"]


def param_label(name: str, lang: str = "en") -> str:
    """The control label of a parameter (its Chinese name in Chinese); a parameter without
    one is labelled by its meaning in the schema."""
    entry = PARAM_LABELS.get(name)
    if entry is None:
        text = BY_NAME[name].help.replace("(lever)", "").strip() if name in BY_NAME else name
        return text[:1].upper() + text[1:]
    return entry.get(lang) or entry["en"]


def _pair(entry: tuple[str, str], lang: str) -> str:
    return entry[1] if lang == "zh" else entry[0]


def outcome_label(name: str, lang: str = "en") -> str:
    """The series name of an outcome inside its panel; else its standalone name."""
    entry = OUTCOME_LABELS.get(name)
    if entry is None:
        return long_label(name, lang)
    return entry.get(lang) or entry["en"]


def long_label(name: str, lang: str = "en") -> str:
    """The name of an outcome where it stands alone (comparison plot and table); an
    outcome without one is named after its identifier."""
    entry = LONG_LABELS.get(name)
    if entry is not None:
        return entry.get(lang) or entry["en"]
    if name in OUTCOME_NAMES:
        return _pair(OUTCOME_NAMES[name], lang)
    return humanise(name)


def param_help(name: str) -> str:
    """The schema's meaning of a parameter with its unit and allowed values (English)."""
    p = BY_NAME[name]
    unit = "" if p.unit in ("on/off", "share") else f" [{p.unit}]"
    return f"{p.help}{unit}; {p.allowed()}. ({name})"


def missing() -> list[str]:
    """Keys that lack a text in some language (empty when the tables are complete)."""
    out = []
    for table in (TEXT, OUTCOME_LABELS, LONG_LABELS, PARAM_LABELS):
        for key, entry in table.items():
            out += [f"{key}:{lang}" for lang in LANGS if not entry.get(lang)]
    return out


MINUS = "\u2212"
"""The minus sign (−), not a hyphen, in every number the app prints."""


def fmt_number(value: Any, lang: str = "en", decimals: int | None = None) -> str:
    """A number for the page: integers with thousands separators; other numbers with fixed
    decimals (3 below 100, 1 below 1,000, none above, unless `decimals`); a real minus sign;
    true/false as yes/no; words as they are; a list as its first numbers in brackets; a
    missing value as a dash."""
    if value is None:
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return tr("yes" if value else "no", lang)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, np.ndarray)):  # a few numbers: one per need, say
        items = list(np.asarray(value, dtype=object).ravel())
        shown = ", ".join(fmt_number(v, lang, decimals) for v in items[:8])
        return f"[{shown}{', …' if len(items) > 8 else ''}]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {fmt_number(v, lang, decimals)}" for k, v in value.items())
    if isinstance(value, (int, np.integer)):
        text = f"{int(value):,}"
    else:
        x = float(value)
        if not math.isfinite(x):
            return "—"
        if decimals is None:
            whole = x.is_integer() and abs(x) >= 1
            decimals = 0 if whole or abs(x) >= 1000 else 3 if abs(x) < 100 else 1
        text = f"{x:,.{decimals}f}"
        if float(text.replace(",", "")) == 0:
            text = text.lstrip("-")  # no "−0.000"
    return text.replace("-", MINUS)


def fmt_numbers(values: np.ndarray) -> list[str]:
    """`fmt_number` of every value of a float array, faster (one format per value)."""
    x = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        ax = np.abs(x)
        whole = (np.mod(x, 1) == 0) & (ax >= 1)
    decimals = np.where(whole | (ax >= 1000), 0, np.where(ax < 100, 3, 1))
    out = []
    for v, d in zip(x.tolist(), decimals.tolist()):
        if v != v or v in (float("inf"), float("-inf")):
            out.append("—")
            continue
        text = f"{v:,.{d}f}"
        if float(text.replace(",", "")) == 0:
            text = text.lstrip("-")
        out.append(text.replace("-", MINUS))
    return out


YEAR_COLUMNS = frozenset({"build_year"})
"""Columns holding calendar years: shown as 2014, not 2,014."""


def fmt_value(column: str, value: Any, lang: str = "en") -> str:
    """`fmt_number` of a value of `column`, a year without thousands separators."""
    if column in YEAR_COLUMNS and not isinstance(value, str):
        try:
            year = float(value)
        except (TypeError, ValueError):
            return fmt_number(value, lang)
        return str(int(year)) if math.isfinite(year) else "—"
    return fmt_number(value, lang)


def signed(value: float, lang: str = "en", decimals: int | None = None) -> str:
    """A difference with its sign: +0.012, −0.585."""
    text = fmt_number(value, lang, decimals)
    return text if text.startswith((MINUS, "—")) or text.strip("0.,") == "" else "+" + text


def humanise(name: str) -> str:
    """A label made from an identifier: "line_department" -> "Line department"."""
    text = name.replace("@", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def kind_label(kind: str, lang: str = "en") -> str:
    """The name of a node kind (`kind` or `kind@level`); an unknown kind is named after its
    identifier."""
    for key in (f"kind_{kind.replace('@', '_')}", f"kind_{kind.split('@')[0]}"):
        if key in TEXT:
            return tr(key, lang)
    return humanise(kind)


def metric_label(column: str, lang: str = "en") -> str:
    """The name of a column of the per-community or per-compound table (or of an
    organisation's attribute); an unknown one is named after its identifier."""
    key = f"metric_{column}"
    if key in TEXT:
        return tr(key, lang)
    for table in (COLUMN_NAMES, ATTRIBUTE_NAMES):
        if column in table:
            return _pair(table[column], lang)
    return humanise(column)


def attribute_label(name: str, lang: str = "en") -> str:
    """The name of an organisation's recorded attribute (the drill-down's values)."""
    for table in (ATTRIBUTE_NAMES, COLUMN_NAMES):
        if name in table:
            return _pair(table[name], lang)
    return metric_label(name, lang)


def counted(n: int, noun: str, lang: str = "en") -> str:
    """A count with its noun: "1 street", "10 streets", "1 个街道"."""
    key = f"{noun}_1" if n == 1 else f"{noun}_n_u"
    return f"{n:,} {tr(key, lang)}"


def role_label(role: str, lang: str = "en") -> str:
    """The name of a seat's role; an unknown one is named after itself."""
    key = f"role_{role}"
    return tr(key, lang) if key in TEXT else humanise(role)


def state_label(state: str, lang: str = "en") -> str:
    """The name of a node's state; an unknown state is named after itself."""
    key = f"state_{state}"
    return tr(key, lang) if key in TEXT else humanise(state)


def html_text(text: object) -> str:
    """Text to put into the page's HTML (its <, > and & escaped)."""
    from html import escape

    return escape(str(text), quote=False)
