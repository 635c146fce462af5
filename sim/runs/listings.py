"""A district's tables made from public listings of residential compounds (docs/DATA.md,
"A district from public listings").

The listings are those scraped from Lianjia (链家) in 2020 for about 90 Chinese cities and
published in the GitHub repository anyuhanfei/community_dict (`data/链家/<city>小区.json`):
one JSON object per city mapping each compound's name to its record — name, Lianjia page,
address and address chain (city > district > business area), coordinates, build year,
building type, property fee, property firm, developer, buildings and households. The
coordinates are those of the Lianjia store (门店) shown beside the compound (the scraper
read the map's store attribute), so they place a compound in its store's neighbourhood.

`read_listings(path)` reads such a file (every record, even under a repeated name);
`listings_district(records, district, ...)` turns the records of one district into the
tables `sim.core.district` reads — streets, communities, compounds — and a `Report` of
every default it used and every record it could not use. What the listings give is kept
(households, build year, fee, firm, coordinates, names); what they do not give is derived
by the rules below, each a named constant, and documented in docs/DATA.md:

- compound type from build year (the types' build-year ranges of docs/ODD.md §7.0b), the
  compound's name and developer, and the firm field;
- management mode and firm from the firm field (`MANAGEMENT_WORDS`, `UNNAMED_FIRM`);
- a fee range "a至b" as its midpoint;
- streets: the district's business areas (the listings' third address level) grouped into
  `streets` units by recursive coordinate bisection, weighted by households;
- communities: each street's compounds split the same way into communities of about
  `community_households` listed households;
- community type from the types of its compounds' households.

A value the listings leave out or give in a form that cannot be read is left empty, so that
the model draws it from the compound's type (docs/DATA.md), and is counted in the report;
a record that cannot be used at all is listed there by name with the reason. Pure apart
from `read_listings`: the same records give the same tables, byte for byte once written.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.district import SCHEMA
from sim.core.params import ScenarioError

__all__ = [
    "COMMUNITY_HOUSEHOLDS",
    "FAR_KM",
    "MANAGEMENT_WORDS",
    "UNNAMED_FIRM",
    "Record",
    "Report",
    "Conversion",
    "read_listings",
    "listings_district",
    "district_names",
]

FIELDS = {
    "name": "plot_name",
    "page": "plot_url",
    "address": "地址",
    "chain": "地址链",
    "coordinates": "经纬度",
    "build_year": "建筑年代",
    "building_type": "建筑类型",
    "fee": "物业费用",
    "firm": "物业公司",
    "developer": "开发商",
    "buildings": "楼栋总数",
    "households": "房屋总数",
}
"""The listings' field for each thing the converter reads."""

NOT_LISTED = frozenset({"", "暂无信息", "暂无", "无信息", "未知", "不详"})
"""Texts that say a field is not known ("no information")."""

MANAGEMENT_WORDS = {
    "业主自筹物业": "self",  # owners arrange their own property services
    "业主自管": "self",
    "小区业主委员会自管": "self",
    "小区业主自发": "self",
    "自主物业": "self",
    "私人承办物业": "self",  # a private person contracted for basic services (assumption)
    "街道办事处(居委会)代管物业": "caretaking",  # the street office or RC takes care (准物业)
    "单位自管物业": "work_unit",  # the work unit manages its own housing
    "无物业管理服务": "none",
    "无物业": "none",
    "无": "none",
}
"""Firm-field texts that name a way of management, not a firm (compared after NFKC
normalisation, so full-width brackets match). "私人承办物业" — a private individual hired
for the basic services — is read as owners' self-management: the listings count it apart
from firms, and the service is bought by the residents rather than by a professional firm
or the street (an assumption; docs/DATA.md)."""

UNNAMED_FIRM = frozenset({"小区物管处", "小区物管", "自带物业", "自持物业", "全资子公司"})
"""Firm-field texts that say a property-management office or firm serves the compound
without naming it (the compound's own office, the developer's own management, "a wholly
owned subsidiary"): management is `firm` and the firm is drawn from the district's market
shares."""

RESETTLEMENT_WORDS = ("安置房", "拆迁", "还建", "回迁", "农转非")
"""Words in a compound's name or developer that mark resettlement housing (安置小区)."""

WORK_UNIT_WORDS = ("宿舍", "家属", "职工", "厂", "局", "厅", "学院", "大学", "医院", "研究所")
"""Words in the name of a compound built before 2000 that mark work-unit housing
(dormitories, staff quarters, factories, bureaus, universities, hospitals, institutes)."""

COMMERCIAL_FROM = 2000
"""Compounds built in this year or later are commercial estates (the commercial type's
build years start here, docs/ODD.md §7.0b); earlier ones are old quarters or work-unit
compounds."""

COMMUNITY_OF = {"old": "old", "work_unit": "work_unit", "commercial": "commercial"}
COMMUNITY_OF["resettlement"] = "village"
"""A community's type from the compound type that holds most of its listed households
(resettlement housing: a village-to-residence community)."""

COMMUNITY_HOUSEHOLDS = 6825
"""Listed households per derived community: Wuhou district's 1,206,568 residents in the
2020 census over its 71 communities after the 2020 community reform, at Chengdu's 2.49
persons per family household (2020 census) — 6,825 households a community
(districts/chengdu_wuhou/README.md gives the sources)."""

FAR_KM = 20.0
"""Coordinates farther than this from the median point of the district's listings are
taken as wrong (the compound is placed as if it had none): a central district is about
10 km across."""

KM_PER_DEGREE = 111.32
"""Kilometres per degree of latitude (and of longitude at the equator), for distances on
the small scale of a district."""

_FEE = re.compile(r"(\d+(?:\.\d+)?)(?:至(\d+(?:\.\d+)?))?元/平米/月")
_YEAR = re.compile(r"(\d{1,4})年建成")
_COUNT = re.compile(r"(\d+)(户|栋)")
_POINT = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")
_PAGE_ID = re.compile(r"/xiaoqu/(\d+)")

FEE_HIGH = 50.0  # the compounds table's allowed fee range is [0, 50]
YEARS = (1900, 2030)  # and its build years
HOUSEHOLDS_HIGH = 100_000  # and its households


@dataclass(frozen=True)
class Record:
    """One listing as read: its key in the file (the compound's name there), its position
    among the file's records, and its fields (text)."""

    key: str
    position: int
    fields: dict[str, Any]

    def text(self, what: str) -> str:
        """A field as normalised text (NFKC, no whitespace), '' if absent."""
        value = self.fields.get(FIELDS[what], "")
        return _norm(value) if isinstance(value, str) else ""

    @property
    def name(self) -> str:
        return self.text("name") or _norm(self.key)

    @property
    def chain(self) -> list[str]:
        return [part for part in self.text("chain").split(">") if part]

    @property
    def district(self) -> str:
        chain = self.chain
        return _place(chain[2]) if len(chain) >= 4 else ""

    @property
    def business_area(self) -> str:
        chain = self.chain
        return _place(chain[3]) if len(chain) >= 4 else ""


@dataclass
class Report:
    """What the conversion found: counts, the defaults used, the records not used."""

    source: str
    district: str
    records: int = 0  # records in the file
    listed: int = 0  # records of the district
    compounds: int = 0
    streets: int = 0
    communities: int = 0
    firms: int = 0
    households: int = 0
    business_areas: int = 0
    rules: Counter = field(default_factory=Counter)  # (field, rule) -> compounds
    defaults: Counter = field(default_factory=Counter)  # (field, problem) -> compounds
    portfolios: Counter = field(default_factory=Counter)  # compounds a firm serves -> firms
    eras: Counter = field(default_factory=Counter)  # build era -> compounds
    unused: list[tuple[str, str]] = field(default_factory=list)  # (record, reason)

    def lines(self) -> list[str]:
        """The report as lines of text."""
        out = [
            f"listings: {self.source}, {self.records:,} records; district {self.district}: "
            f"{self.listed:,} records",
            f"tables: {self.streets} streets, {self.communities} communities, "
            f"{self.compounds} compounds, {self.households:,} households, {self.firms} firms "
            f"named ({self.business_areas} business areas)",
            "named firms by the compounds each serves: "
            + (", ".join(f"{k}: {n}" for k, n in sorted(self.portfolios.items())) or "none"),
            "compounds by build era: " + ", ".join(f"{era}: {n}" for era, n in self.eras.items()),
            "rules applied (compounds):",
        ]
        out += [f"  {what}: {rule}: {n}" for (what, rule), n in sorted(self.rules.items())]
        out.append("defaults (compounds; left empty: drawn from the type, or coordinates unknown):")
        if not self.defaults:
            out.append("  none")
        out += [f"  {what}: {problem}: {n}" for (what, problem), n in sorted(self.defaults.items())]
        out.append(f"records not used: {len(self.unused)}")
        out += [f"  {record}: {reason}" for record, reason in self.unused]
        return out


@dataclass
class Conversion:
    """The district's tables (streets, communities, compounds) and the report."""

    tables: dict[str, pd.DataFrame]
    report: Report


# --- reading ---------------------------------------------------------------------------------


class _Pairs(list):
    """A JSON object as its (key, value) pairs, so that a repeated key keeps every value."""


def read_listings(path: str | Path) -> list[Record]:
    """Every record of a listings file (a JSON object of name -> record, or a list of
    records), in file order; a name that appears twice keeps both records."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file; give a listings file (JSON)") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder; give a listings file (JSON)") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text; a listings file is JSON") from None
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read the file ({err.strerror})") from None
    try:
        top = json.loads(text, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as err:
        raise ScenarioError(
            f"{path}: not a JSON listings file ({err.msg} at line {err.lineno}, column {err.colno})"
        ) from None
    if isinstance(top, _Pairs):
        items = list(top)
    elif isinstance(top, list):
        items = [("", value) for value in top]
    else:
        raise ScenarioError(
            f"{path}: the file holds a {type(top).__name__}; a listings file is a JSON "
            "object of compound name -> record (or a list of records)"
        )
    if not items:
        raise ScenarioError(f"{path}: the file holds no listings")
    records = []
    for position, (key, value) in enumerate(items):
        fields = dict(value) if isinstance(value, _Pairs) else value
        records.append(Record(str(key), position, fields if isinstance(fields, dict) else {}))
    return records


def district_names(records: list[Record]) -> Counter:
    """Records per district named in the address chains."""
    return Counter(r.district for r in records if r.district)


# --- converting ------------------------------------------------------------------------------


def listings_district(
    records: list[Record],
    district: str,
    *,
    streets: int | None = None,
    community_households: float = COMMUNITY_HOUSEHOLDS,
    source: str = "listings",
) -> Conversion:
    """The tables of `district` (as the address chains name it, e.g. "武侯"; a trailing
    "区" or "小区" is ignored) from `records`. `streets`: how many street units to group
    the business areas into (default: one per business area); `community_households`:
    listed households per derived community."""
    want = _same_place(_norm(district))
    if not want:
        raise ScenarioError("--district: give the name of a district (e.g. 武侯)")
    report = Report(source=source, district=_place(_norm(district)), records=len(records))
    for r in records:
        if not r.fields:
            report.unused.append((_label(r), "not a record (a JSON object of fields)"))
        elif not r.chain:
            report.unused.append((_label(r), "no address chain: its district is not known"))
        elif not r.district:
            report.unused.append(
                (_label(r), f"address chain {r.text('chain')!r} names no district")
            )
    mine = [r for r in records if r.fields and _same_place(r.district) == want]
    report.listed = len(mine)
    if not mine:
        known = ", ".join(f"{name} ({n})" for name, n in district_names(records).most_common())
        raise ScenarioError(
            f"{source}: no listing lies in district {district!r}; the file's districts: "
            f"{known or 'none (no record has an address chain)'}"
        )
    report.district = mine[0].district
    mine = _without_repeats(mine, report)
    rows = [_compound_row(r, report) for r in mine]
    frame = pd.DataFrame(rows)
    _drop_far_points(frame, report)
    areas = sorted(set(frame["x_business_area"]))
    n_streets = len(areas) if streets is None else int(streets)
    if not 1 <= n_streets <= len(areas):
        raise ScenarioError(
            f"--streets = {n_streets}: must be between 1 and the {len(areas)} business areas "
            f"of {want} (streets are made of whole business areas)"
        )
    if not community_households > 0:
        raise ScenarioError(
            f"--community-households = {community_households}: must be a positive number"
        )
    tables = _structure(frame, n_streets, float(community_households), report)
    comp = tables["compounds"]
    report.compounds = len(comp)
    report.streets = len(tables["streets"])
    report.communities = len(tables["communities"])
    report.firms = comp["firm"].replace("", np.nan).dropna().nunique()
    report.households = int(comp["households"].fillna(0).sum())
    report.business_areas = len(areas)
    report.portfolios = Counter(comp.loc[comp["firm"] != "", "firm"].value_counts().tolist())
    year = comp["build_year"]
    for era, here in (
        ("before 1990", year < 1990),
        ("1990s", (year >= 1990) & (year < 2000)),
        ("2000s", (year >= 2000) & (year < 2010)),
        ("2010 and later", year >= 2010),
        ("not listed", year.isna()),
    ):
        report.eras[era] = int(here.fillna(False).sum())
    names = comp["name"].value_counts()
    shared = int(names[names > 1].sum())
    if shared:
        report.rules["name", "shared by more than one listing (each kept: ids differ)"] = shared
    return Conversion(tables, report)


def _without_repeats(records: list[Record], report: Report) -> list[Record]:
    """Records whose Lianjia page (else name) repeats an earlier one's are listed as not
    used: one compound, listed twice."""
    seen: dict[str, Record] = {}
    out = []
    for r in records:
        key = _compound_id(r)
        if key in seen:
            report.unused.append(
                (_label(r), f"repeats the listing {_label(seen[key])} (same compound id {key})")
            )
            continue
        seen[key] = r
        out.append(r)
    return out


def _compound_row(r: Record, report: Report) -> dict[str, Any]:
    """One compounds-table row (with the listed texts in x_ columns)."""
    year = _build_year(r.text("build_year"), report)
    mode, firm = _management(r.text("firm"), report)
    name = r.name
    return {
        "compound": _compound_id(r),
        "compound_type": _compound_type(year, name, r.text("developer"), mode, report),
        "households": _households(r.text("households"), report),
        "build_year": year,
        "management": mode,
        "fee": _fee(r.text("fee"), report),
        "firm": firm,
        "name": name,
        "x_position": r.position,
        "x_point": _point(r.text("coordinates"), report),
        "x_business_area": r.business_area,
        "x_address": r.text("address"),
        "x_developer": r.text("developer"),
        "x_buildings": _count(r.text("buildings")),
        "x_listed_year": r.text("build_year"),
        "x_listed_fee": r.text("fee"),
        "x_listed_firm": r.text("firm"),
        "x_listed_households": r.text("households"),
        "x_listed_coordinates": r.text("coordinates"),
    }


def _build_year(text: str, report: Report) -> int | None:
    if text in NOT_LISTED:
        report.defaults["build_year", "not listed"] += 1
        return None
    m = _YEAR.fullmatch(text)
    if m is None or not YEARS[0] <= int(m.group(1)) <= YEARS[1]:
        report.defaults["build_year", f"not a year in [{YEARS[0]}, {YEARS[1]}]"] += 1
        return None
    return int(m.group(1))


def _management(text: str, report: Report) -> tuple[str, str]:
    """The management mode and the firm's name ('' where none is named)."""
    if text in NOT_LISTED:
        report.defaults["management", "firm not listed"] += 1
        return "", ""
    if text in MANAGEMENT_WORDS:
        mode = MANAGEMENT_WORDS[text]
        report.rules["management", f"{text} -> {mode}"] += 1
        return mode, ""
    if text in UNNAMED_FIRM:
        report.rules["management", f"{text} -> firm, not named (drawn)"] += 1
        return "firm", ""
    report.rules["management", "a named firm -> firm"] += 1
    return "firm", text


def _compound_type(year: int | None, name: str, developer: str, mode: str, report: Report) -> str:
    if any(w in name or w in developer for w in RESETTLEMENT_WORDS):
        rule = "resettlement (name or developer)"
    elif year is None:
        report.defaults["compound_type", "no build year"] += 1
        return ""
    elif year >= COMMERCIAL_FROM:
        rule = f"commercial (built {COMMERCIAL_FROM} or later)"
    elif mode == "work_unit" or any(w in name for w in WORK_UNIT_WORDS):
        rule = f"work_unit (built before {COMMERCIAL_FROM}; work-unit name or management)"
    else:
        rule = f"old (built before {COMMERCIAL_FROM})"
    report.rules["compound_type", rule] += 1
    return rule.split(" ", 1)[0]


def _households(text: str, report: Report) -> int | None:
    if text in NOT_LISTED:
        report.defaults["households", "not listed"] += 1
        return None
    m = _COUNT.fullmatch(text)
    if m is None or m.group(2) != "户":
        report.defaults["households", "not a number of households"] += 1
        return None
    n = int(m.group(1))
    if n == 0:
        report.defaults["households", "listed as 0"] += 1
        return None
    if n > HOUSEHOLDS_HIGH:
        report.defaults["households", f"more than {HOUSEHOLDS_HIGH:,}"] += 1
        return None
    return n


def _fee(text: str, report: Report) -> float:
    """The listed fee (yuan per m² a month); a range a至b as its midpoint; NaN if unknown."""
    if text in NOT_LISTED:
        report.defaults["fee", "not listed"] += 1
        return math.nan
    m = _FEE.fullmatch(text)
    if m is None:
        report.defaults["fee", "not a fee in yuan/m²/month"] += 1
        return math.nan
    low = float(m.group(1))
    value = low if m.group(2) is None else (low + float(m.group(2))) / 2
    if value > FEE_HIGH:
        report.defaults["fee", f"above {FEE_HIGH:g} yuan/m²/month"] += 1
        return math.nan
    if m.group(2) is not None:
        report.rules["fee", "a range -> its midpoint"] += 1
    return value


def _count(text: str) -> int | None:
    m = _COUNT.fullmatch(text)
    return int(m.group(1)) if m else None


def _point(text: str, report: Report) -> tuple[float, float] | None:
    if text in NOT_LISTED:
        report.defaults["coordinates", "not listed"] += 1
        return None
    m = _POINT.fullmatch(text)
    if m is None:
        report.defaults["coordinates", "not a longitude,latitude pair"] += 1
        return None
    lon, lat = float(m.group(1)), float(m.group(2))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or (lon == 0 and lat == 0):
        report.defaults["coordinates", "outside [-180, 180] x [-90, 90] or 0,0"] += 1
        return None
    return lon, lat


def _drop_far_points(frame: pd.DataFrame, report: Report) -> None:
    """Coordinates farther than FAR_KM from the median listed point are taken as wrong."""
    points = [p for p in frame["x_point"] if p is not None]
    if not points:
        return
    lon0, lat0 = np.median(np.array(points), axis=0)
    for i, p in enumerate(frame["x_point"].tolist()):
        if p is not None and _km(p, (lon0, lat0)) > FAR_KM:
            frame.at[i, "x_point"] = None
            report.defaults["coordinates", f"more than {FAR_KM:g} km from the others"] += 1


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    x = (a[0] - b[0]) * KM_PER_DEGREE * math.cos(math.radians((a[1] + b[1]) / 2))
    y = (a[1] - b[1]) * KM_PER_DEGREE
    return math.hypot(x, y)


# --- streets and communities -----------------------------------------------------------------


def _structure(
    frame: pd.DataFrame, n_streets: int, per_community: float, report: Report
) -> dict[str, pd.DataFrame]:
    """Streets from business areas, communities within streets, and the three tables."""
    weight = frame["households"].astype("Float64").fillna(0).to_numpy(dtype=float)
    have = frame["x_point"].notna().to_numpy()
    point = np.array([p if p is not None else (np.nan, np.nan) for p in frame["x_point"]])
    origin = np.median(point[have], axis=0) if have.any() else np.zeros(2)
    km = _to_km(point, origin)
    area = frame["x_business_area"].to_numpy(dtype=object)
    areas = sorted(set(area.tolist()))
    # where a business area lies: its compounds' household-weighted mean point (the
    # district's centre where none of them has coordinates); compounds without
    # coordinates stand there for the grouping (their own coordinates stay empty)
    centre = {}
    for a in areas:
        here = (area == a) & have
        w = np.maximum(weight[here], 1.0)
        centre[a] = (km[here] * w[:, None]).sum(0) / w.sum() if here.any() else np.zeros(2)
    place = np.array([km[i] if have[i] else centre[a] for i, a in enumerate(area)])
    if not have.all():
        report.rules["coordinates", "none: grouped at its business area's centre"] += int(
            (~have).sum()
        )

    area_weight = np.array([weight[area == a].sum() for a in areas])
    area_street = _bisect(
        np.array([centre[a] for a in areas]), area_weight, np.array(areas, dtype=object), n_streets
    )
    street_of = dict(zip(areas, area_street))
    street = np.array([street_of[a] for a in area])
    width = len(str(n_streets))
    street_ids = [f"S{s + 1:0{width}d}" for s in range(n_streets)]
    street_names = []
    for s in range(n_streets):
        members = [a for a in areas if street_of[a] == s]
        members.sort(key=lambda a: (-area_weight[areas.index(a)], a))
        street_names.append("、".join(members))

    community = np.full(len(frame), -1)
    community_rows = []
    keys = frame["compound"].to_numpy(dtype=object)
    for s in range(n_streets):
        idx = np.flatnonzero(street == s)
        k = int(min(max(round(weight[idx].sum() / per_community), 1), len(idx)))
        labels = _bisect(place[idx], weight[idx], keys[idx], k)
        cwidth = len(str(k))
        for j in range(k):
            community[idx[labels == j]] = len(community_rows)
            community_rows.append(
                {"community": f"{street_ids[s]}-C{j + 1:0{cwidth}d}", "street": street_ids[s]}
            )
    report.rules["community", f"about {per_community:g} listed households each"] = len(frame)

    communities = pd.DataFrame(community_rows)
    ctype, chouseholds = [], []
    types = frame["compound_type"].to_numpy(dtype=object)
    for c in range(len(communities)):
        here = community == c
        chouseholds.append(int(weight[here].sum()))
        ctype.append(_community_type(types[here], weight[here]))
    communities["community_type"] = ctype
    communities["x_households"] = chouseholds
    communities["x_compounds"] = np.bincount(community, minlength=len(communities))

    out = frame.copy()
    out.insert(1, "community", communities["community"].to_numpy()[community])
    out["longitude"] = [p[0] if p is not None else np.nan for p in out["x_point"]]
    out["latitude"] = [p[1] if p is not None else np.nan for p in out["x_point"]]
    out = out.iloc[np.lexsort((out["x_position"].to_numpy(), community))]
    columns = [c.name for c in SCHEMA["compounds"] if c.name in out.columns]
    extra = [c for c in out.columns if c.startswith("x_") and c not in ("x_point", "x_position")]
    compounds = out[columns + extra].reset_index(drop=True)
    compounds["households"] = compounds["households"].astype("Int64")
    compounds["build_year"] = compounds["build_year"].astype("Int64")
    compounds["x_buildings"] = compounds["x_buildings"].astype("Int64")
    streets = pd.DataFrame({"street": street_ids, "name": street_names})
    streets["x_households"] = [int(weight[street == s].sum()) for s in range(n_streets)]
    return {"streets": streets, "communities": communities, "compounds": compounds}


def _community_type(types: np.ndarray, weight: np.ndarray) -> str:
    """The community type of the compound type holding more than half of the typed
    households; mixed otherwise; empty (drawn) if no compound has a type."""
    typed = types != ""
    if not typed.any():
        return ""
    w = np.maximum(weight[typed], 1.0)
    totals = Counter()
    for t, x in zip(types[typed].tolist(), w.tolist()):
        totals[t] += x
    top, share = max(totals.items(), key=lambda kv: (kv[1], kv[0]))
    return COMMUNITY_OF[top] if share > w.sum() / 2 else "mixed"


def _to_km(point: np.ndarray, origin: np.ndarray) -> np.ndarray:
    """Longitude and latitude as east and north kilometres from `origin`."""
    x = (point[:, 0] - origin[0]) * KM_PER_DEGREE * math.cos(math.radians(origin[1]))
    y = (point[:, 1] - origin[1]) * KM_PER_DEGREE
    return np.column_stack([x, y])


def _bisect(points: np.ndarray, weight: np.ndarray, keys: np.ndarray, k: int) -> np.ndarray:
    """Recursive coordinate bisection: `k` groups of neighbouring points with about equal
    weight. A group of m points is cut across its wider side (east-west on a tie), at the
    point where the weight on the first side comes closest to its share (m1 = m // 2 of the
    groups), with every side keeping at least one point per group; ties in position are
    broken by `keys`. Groups are numbered west/south first."""
    labels = np.zeros(len(points), dtype=int)
    w = np.maximum(np.asarray(weight, dtype=float), 1.0)  # an unknown size counts as 1

    def split(idx: np.ndarray, k: int, first: int) -> None:
        if k == 1:
            labels[idx] = first
            return
        k1 = k // 2
        span = points[idx].max(0) - points[idx].min(0)
        axis = int(span[1] > span[0])
        order = np.lexsort((keys[idx].astype(str), points[idx, axis]))
        idx = idx[order]
        cum = np.cumsum(w[idx])
        cuts = np.arange(k1, len(idx) - (k - k1) + 1)
        cut = int(cuts[np.argmin(np.abs(cum[cuts - 1] - cum[-1] * k1 / k))])
        split(idx[:cut], k1, first)
        split(idx[cut:], k - k1, first + k1)

    split(np.arange(len(points)), k, 0)
    return labels


# --- small helpers ---------------------------------------------------------------------------


def _norm(text: str) -> str:
    """NFKC-normalised text without whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def _place(text: str) -> str:
    """A place name as the address chain gives it, without its '小区' ("compounds in")."""
    return text[:-2] if text.endswith("小区") and len(text) > 2 else text


def _same_place(text: str) -> str:
    """A district's name as compared: without '小区' and without a trailing '区', so that
    武侯, 武侯区 and 武侯小区 name one district."""
    text = _place(text)
    return text[:-1] if text.endswith("区") and len(text) > 1 else text


def _compound_id(r: Record) -> str:
    """The compound's Lianjia id (from its page address), else its name."""
    m = _PAGE_ID.search(r.text("page"))
    return m.group(1) if m else r.name


def _label(r: Record) -> str:
    return f"#{r.position + 1} {r.name or '(no name)'}"
