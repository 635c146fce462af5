"""Interface labels in English and Chinese.

Every text the browser app shows — titles, control labels, legend entries, plot titles,
series names — is looked up here by key with `tr(key, lang)`. Parameter help texts come from
the schema (`sim.core.params.BY_NAME[name].help`, English); the policy levers and the world-size
parameters also have Chinese names (`param_label`). Chinese terms follow the usage of
grassroots-governance policy documents: 街道办, 社区党组织, 居委会, 业委会, 物业服务企业,
社会组织, 一肩挑, 交叉任职, 资源下沉, 权责清单.
"""

from __future__ import annotations

from sim.core.params import BY_NAME

LANGS: dict[str, str] = {"en": "English", "zh": "中文"}
"""Interface languages: code → name shown in the switch."""

LEVER_GROUPS: dict[str, tuple[str, ...]] = {
    "cross_appointment": (
        "xa_one_shoulder",
        "xa_two_committee_overlap",
        "xa_secretary_chairs_oc",
        "xa_two_committee_member_on_oc",
    ),
    "devolution": (
        "devolution_share",
        "channel_block_grant",
        "channel_grid_funds",
        "channel_ngo_projects",
        "capacity_building_share",
    ),
    "other_levers": (
        "responsibility_list",
        "resident_assessment_weight",
        "screening_strictness",
        "third_party_evaluation",
        "professional_committee",
        "volunteer_platform",
        "party_led_formation",
    ),
    "world_size": (
        "n_streets",
        "communities_per_street",
        "compounds_per_community",
        "households_per_compound",
    ),
}
"""The parameters the app shows as controls, in the groups of the sidebar."""

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
    "n_streets": {"en": "Streets", "zh": "街道数"},
    "communities_per_street": {"en": "Communities per street (mean)", "zh": "每个街道的社区数（均值）"},
    "compounds_per_community": {"en": "Compounds per community (mean)", "zh": "每个社区的小区数（均值）"},
    "households_per_compound": {"en": "Households per compound (mean)", "zh": "每个小区的户数（均值）"},
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
    "needs_met_vulnerable": {"en": "needs met: vulnerable residents", "zh": "需求满足率：老年人及特殊群体"},
    "oc_functioning_share": {"en": "compounds with a functioning OC", "zh": "业委会正常运转的小区比例"},
    "participation_rate": {"en": "participation rate", "zh": "居民参与率"},
    "disputes_escalated": {"en": "disputes escalated per month", "zh": "每月矛盾上行（信访、诉讼）"},
    "ngos_active": {"en": "NGOs active", "zh": "在运营的社会组织"},
    "ngos_drifted": {"en": "NGOs drifted from mission", "zh": "偏离使命的社会组织"},
    "budget_wasted": {"en": "money wasted (yuan/month)", "zh": "浪费流失资金（元／月）"},
}
"""Names of outcomes where they stand alone (comparison plot and table)."""

TEXT: dict[str, dict[str, str]] = {
    # page and sidebar
    "title": {"en": "Community Governance Simulator", "zh": "城市基层社区治理模拟器"},
    "language": {"en": "Language", "zh": "语言"},
    "run": {"en": "Run", "zh": "运行"},
    "reset": {"en": "Reset", "zh": "重置"},
    "step": {"en": "Step", "zh": "单步"},
    "play_interval": {"en": "Pause between steps while playing (ms)", "zh": "连续运行时每步间隔（毫秒）"},
    "scenario": {"en": "Scenario", "zh": "情景"},
    "scenario_pick": {"en": "Load a scenario", "zh": "载入情景"},
    "scenario_none": {"en": "(defaults)", "zh": "（默认参数）"},
    "scenario_loaded": {"en": "Loaded", "zh": "已载入"},
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
    "streets_u": {"en": "streets", "zh": "个街道"},
    "communities_u": {"en": "communities", "zh": "个社区"},
    "compounds_u": {"en": "compounds", "zh": "个小区"},
    "residents_u": {"en": "residents", "zh": "名居民"},
    "nodes_u": {"en": "network nodes", "zh": "个网络节点"},
    "non_default": {"en": "Non-default parameters", "zh": "非默认参数"},
    "pending": {
        "en": "Controls differ from the running model: press Reset to apply.",
        "zh": "控件参数与当前模型不同：按“重置”生效。",
    },
    "lever_values": {"en": "Levers of this model", "zh": "本模型的政策杠杆"},
    "on": {"en": "on", "zh": "开"},
    "off": {"en": "off", "zh": "关"},
    "range": {"en": "range", "zh": "范围"},
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
    "shade_by": {"en": "Shade communities by", "zh": "社区着色依据"},
    "legend": {"en": "Legend", "zh": "图例"},
    "edges": {"en": "Ties (click to show or hide)", "zh": "关系（点击显示/隐藏）"},
    "low": {"en": "low", "zh": "低"},
    "high": {"en": "high", "zh": "高"},
    "shade_note": {
        "en": "Residents' committee / community shade",
        "zh": "居委会／社区颜色深浅",
    },
    "shade_other": {
        "en": "Party organisation shade: coordination index. Firm and NGO shade: capability.",
        "zh": "社区党组织颜色深浅：协调指数；物业服务企业和社会组织颜色深浅：能力。",
    },
    "size_note": {
        "en": "Firm size: compounds served. Community size: residents.",
        "zh": "物业企业大小：服务小区数；社区大小：居民人数。",
    },
    "xa_ring_note": {
        "en": "Red ring: community with cross-appointed personnel (width: share of its OCs with a cadre)",
        "zh": "红圈：存在交叉任职的社区（粗细：业委会中有干部任职的比例）",
    },
    "ngo_drift_note": {"en": "Red outline: NGO drifted from its mission", "zh": "红色边框：偏离使命的社会组织"},
    # node kinds
    "kind_street_office": {"en": "Street office (街道办)", "zh": "街道办"},
    "kind_party_branch": {"en": "Community party organisation", "zh": "社区党组织"},
    "kind_compound_branch": {"en": "Compound party branch", "zh": "小区党支部"},
    "kind_residents_committee": {"en": "Residents' committee (RC, 居委会)", "zh": "居委会"},
    "kind_community": {"en": "Community (party organisation + RC + compounds)", "zh": "社区（党组织、居委会及其小区）"},
    "kind_property_firm": {"en": "Property-management firm (物业服务企业)", "zh": "物业服务企业"},
    "kind_ngo": {"en": "NGO / social organisation (社会组织)", "zh": "社会组织"},
    "kind_ngo_empty": {"en": "Empty NGO slot (failed or not yet founded)", "zh": "空缺（已退出或尚未成立）"},
    "oc_none": {"en": "Compound without owners' committee", "zh": "未成立业委会的小区"},
    "oc_functioning": {"en": "Owners' committee (OC, 业委会): functioning", "zh": "业委会：正常运转"},
    "oc_stalled": {"en": "Owners' committee: stalled", "zh": "业委会：停摆"},
    "oc_captured": {"en": "Owners' committee: captured", "zh": "业委会：被少数人或物业控制"},
    # edge kinds
    "edge_hierarchy": {"en": "hierarchy", "zh": "上下级领导"},
    "edge_coordination": {"en": "coordination", "zh": "统筹协调"},
    "edge_contract": {"en": "contract", "zh": "服务合同"},
    "edge_supervision": {"en": "supervision", "zh": "监督"},
    "edge_cross_appointment": {"en": "cross-appointment (交叉任职)", "zh": "交叉任职"},
    "edge_collaboration": {"en": "collaboration", "zh": "协作"},
    "edge_peer": {"en": "peer communities", "zh": "同街道社区"},
    # community metrics used for shading
    "metric_trust_rc": {"en": "trust in the RC", "zh": "对居委会的信任"},
    "metric_satisfaction": {"en": "satisfaction", "zh": "居民满意度"},
    "metric_needs_met": {"en": "needs met", "zh": "需求满足率"},
    "metric_coordination": {"en": "coordination index", "zh": "协调指数"},
    "metric_admin_burden": {"en": "administrative burden (red = heavy)", "zh": "行政负担（红色＝重）"},
    "metric_skill": {"en": "RC staff skill (capacity)", "zh": "社工能力"},
    "metric_property_quality": {"en": "property-service quality", "zh": "物业服务质量"},
    # plots
    "plots": {"en": "Outcomes by month", "zh": "逐月结果"},
    "plots_empty": {"en": "No months yet: press Step or ▶.", "zh": "尚无数据：请按“单步”或 ▶。"},
    "panel_satisfaction": {"en": "Satisfaction and trust", "zh": "满意度与信任"},
    "panel_needs": {"en": "Needs met", "zh": "需求满足率"},
    "panel_disputes": {"en": "Disputes per month", "zh": "每月矛盾纠纷"},
    "panel_oc": {"en": "Owners' committees (share of compounds)", "zh": "业委会覆盖与运转（占小区比例）"},
    "panel_fees": {"en": "Property fees and service", "zh": "物业费收缴与服务质量"},
    "panel_ngo": {"en": "NGO health", "zh": "社会组织状况"},
    "panel_budget": {"en": "Devolved budget (yuan per month)", "zh": "下沉资金（元／月）"},
    "panel_participation": {"en": "Participation", "zh": "居民参与"},
    "axis_month": {"en": "month", "zh": "月"},
    "axis_share": {"en": "share", "zh": "比例"},
    "axis_count": {"en": "count", "zh": "数量"},
    "axis_yuan": {"en": "yuan", "zh": "元"},
    # compare
    "compare_intro": {
        "en": "Two runs on the same seed and world size, each with its own settings.",
        "zh": "两次运行使用相同的种子和区域规模，各自采用自己的参数。",
    },
    "arm_a": {"en": "Run A", "zh": "运行 A"},
    "arm_b": {"en": "Run B", "zh": "运行 B"},
    "arm_current": {"en": "current controls", "zh": "当前控件参数"},
    "months": {"en": "Months", "zh": "月数"},
    "compare_run": {"en": "Run comparison", "zh": "开始对比"},
    "compare_running": {"en": "Running…", "zh": "运行中…"},
    "compare_done": {"en": "Compared", "zh": "已对比"},
    "compare_plot": {"en": "Key outcomes: A solid, B dashed", "zh": "关键结果：A 实线，B 虚线"},
    "compare_table": {"en": "Mean of the last 12 months", "zh": "最后 12 个月均值"},
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
    """The control label of a parameter (its Chinese name in Chinese)."""
    entry = PARAM_LABELS.get(name)
    if entry is None:
        return name
    return entry.get(lang) or entry["en"]


def outcome_label(name: str, lang: str = "en") -> str:
    """The series name of an outcome in plots and tables."""
    entry = OUTCOME_LABELS.get(name)
    if entry is None:
        return name
    return entry.get(lang) or entry["en"]


def long_label(name: str, lang: str = "en") -> str:
    """The name of an outcome where it stands alone (comparison plot and table)."""
    entry = LONG_LABELS.get(name)
    if entry is None:
        return outcome_label(name, lang)
    return entry.get(lang) or entry["en"]


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
    out += [f"{name}:label" for name in CONTROLLED if name not in PARAM_LABELS]
    return out
