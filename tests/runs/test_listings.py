"""Public listings of residential compounds made into a district's tables
(sim.runs.listings): what is listed is kept, what is not is derived by the documented rules
or left to be drawn and counted, and a record that cannot be used is listed, never dropped.

The fixture `data/chengdu_listings_excerpt.json` is an excerpt of `data/链家/成都小区.json`
of the GitHub repository anyuhanfei/community_dict at commit
83af513fa30de979c0e2d8c54af0c663526b711c: 35 of its 2,967 records copied unchanged, in file
order — 30 of Wuhou district chosen to cover its 21 business areas, every kind of firm
field and fee found there, 3 of other districts and 2 without an address chain.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.core.district import district_from_tables
from sim.core.params import ScenarioError
from sim.runs import listings as L
from sim.runs.district_files import write_district

HERE = Path(__file__).resolve().parent
EXCERPT = HERE / "data" / "chengdu_listings_excerpt.json"
WUHOU = HERE.parent.parent / "districts" / "chengdu_wuhou"


def excerpt() -> dict:
    return json.loads(EXCERPT.read_text(encoding="utf-8"))


def records(data: dict) -> list[L.Record]:
    return [L.Record(k, i, v) for i, (k, v) in enumerate(data.items())]


def convert(data: dict | None = None, **kw) -> L.Conversion:
    return L.listings_district(records(data if data is not None else excerpt()), "武侯", **kw)


def first_wuhou(data: dict, firm: str | None = None) -> str:
    """The name of the first Wuhou record (with this firm field, if given)."""
    return next(
        k
        for k, v in data.items()
        if "武侯小区" in v.get("地址链", "") and (firm is None or v["物业公司"] == firm)
    )


def row(conversion: L.Conversion, name: str) -> pd.Series:
    comp = conversion.tables["compounds"]
    return comp[comp["name"] == name].iloc[0]


# --- reading ---------------------------------------------------------------------------------


def test_every_record_is_read_in_file_order():
    read = L.read_listings(EXCERPT)
    assert [r.key for r in read] == list(excerpt())
    assert L.district_names(read) == {"武侯": 30, "青羊": 1, "温江": 1, "天府新区": 1}


def test_a_name_repeated_as_a_key_keeps_both_records(tmp_path):
    data = excerpt()
    name = first_wuhou(data)
    text = json.dumps({name: data[name]}, ensure_ascii=False)
    twice = tmp_path / "twice.json"
    twice.write_text("{" + text[1:-1] + ", " + text[1:-1] + "}", encoding="utf-8")
    read = L.read_listings(twice)
    assert [r.key for r in read] == [name, name]  # json.load would keep only one


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "no such file"),
        ("{not json", "not a JSON listings file"),
        ("[1, 2]", None),
        ('"text"', "the file holds a str"),
        ("{}", "the file holds no listings"),
    ],
)
def test_an_unreadable_file_is_one_message_naming_it(tmp_path, content, words):
    path = tmp_path / "listings.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    if words is None:  # a list of non-records reads, and converts to nothing usable
        with pytest.raises(ScenarioError, match="no listing lies in district '武侯'"):
            L.listings_district(L.read_listings(path), "武侯")
        return
    with pytest.raises(ScenarioError, match=words) as err:
        L.read_listings(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_a_district_not_in_the_file_names_the_districts_it_has():
    with pytest.raises(ScenarioError, match=r"no listing lies in district '锦江'.*武侯 \(30\)"):
        L.listings_district(records(excerpt()), "锦江")


# --- what is kept and what is derived --------------------------------------------------------


def test_the_district_is_named_as_the_address_chain_names_it():
    tables = [convert().tables]
    for name in ("武侯区", "武侯小区"):
        tables.append(L.listings_district(records(excerpt()), name).tables)
    for t in tables[1:]:
        pd.testing.assert_frame_equal(t["compounds"], tables[0]["compounds"])


def test_listed_values_are_kept_and_listed_texts_beside_them():
    data = excerpt()
    name = first_wuhou(data)
    listed = data[name]
    r = row(convert(data), name)
    assert r["households"] == int(listed["房屋总数"].rstrip("户"))
    assert r["build_year"] == int(listed["建筑年代"][:4])
    lon, lat = (float(x) for x in listed["经纬度"].split(","))
    assert (r["longitude"], r["latitude"]) == (lon, lat)
    assert r["compound"] == listed["plot_url"].rstrip("/").rsplit("/", 1)[1]  # Lianjia id
    assert r["x_listed_fee"] == listed["物业费用"] and r["x_business_area"] in listed["地址链"]


def test_a_fee_range_becomes_its_midpoint():
    data = excerpt()
    name = next(
        k for k, v in data.items() if "武侯" in v.get("地址链", "") and "至" in v["物业费用"]
    )
    low, high = (float(x) for x in data[name]["物业费用"].split("元")[0].split("至"))
    assert row(convert(data), name)["fee"] == (low + high) / 2


@pytest.mark.parametrize(
    "firm, mode, named",
    [
        ("私人承办物业", "self", False),
        ("业主自筹物业", "self", False),
        ("街道办事处（居委会）代管物业", "caretaking", False),
        ("无物业管理服务", "none", False),
        ("小区物管处", "firm", False),
        ("成都创艺物业有限公司", "firm", True),
    ],
)
def test_the_firm_field_sets_management_and_names_the_firm(firm, mode, named):
    data = excerpt()
    name = first_wuhou(data)
    data[name]["物业公司"] = firm
    r = row(convert(data), name)
    assert r["management"] == mode
    assert r["firm"] == (firm if named else "")


def test_a_firm_managing_several_compounds_is_one_firm_with_all_of_them():
    data = excerpt()
    names = [k for k, v in data.items() if "武侯小区" in v.get("地址链", "")][:3]
    for name in names:
        data[name]["物业公司"] = "成都某某物业服务有限公司"
    conversion = convert(data)
    tables = conversion.tables
    assert conversion.report.portfolios[3] == 1  # one firm serving three compounds
    ids = set(tables["compounds"].set_index("name").loc[names, "compound"])
    d = district_from_tables(tables)
    firm = d.given["firm"]
    mine = np.isin(d.compound_id, list(ids))
    assert len(set(firm.values[mine].tolist())) == 1 and firm.mask[mine].all()
    assert d.firm_names[firm.values[mine][0]] == "成都某某物业服务有限公司"


@pytest.mark.parametrize(
    "year, name, firm, expected",
    [
        ("2005年建成 ", "某花园", "成都创艺物业有限公司", "commercial"),
        ("2000年建成 ", "某花园", "成都创艺物业有限公司", "commercial"),
        ("1999年建成 ", "某花园", "私人承办物业", "old"),
        ("1985年建成 ", "交通厅宿舍", "私人承办物业", "work_unit"),
        ("1990年建成 ", "某院", "单位自管物业", "work_unit"),
        ("2010年建成 ", "某安置房", "私人承办物业", "resettlement"),
    ],
)
def test_the_compound_type_follows_build_year_name_and_management(year, name, firm, expected):
    data = excerpt()
    key = first_wuhou(data)
    data[key].update({"建筑年代": year, "plot_name": name, "物业公司": firm})
    assert row(convert(data), name)["compound_type"] == expected


def test_streets_are_whole_business_areas_and_communities_about_the_size_asked():
    conversion = convert(streets=4, community_households=3000)
    t = conversion.tables
    comp = t["compounds"].merge(t["communities"], on="community")
    assert comp.groupby("x_business_area")["street"].nunique().max() == 1
    assert len(t["streets"]) == 4 and set(comp["street"]) == set(t["streets"]["street"])
    households = comp.groupby("community")["households"].sum()
    per_street = comp.groupby("street")["households"].sum()
    expected = (per_street / 3000).round().clip(lower=1)
    assert (comp.groupby("street")["community"].nunique() == expected).all()
    assert households.sum() == conversion.report.households
    by_default = convert().tables["streets"]
    assert len(by_default) == comp["x_business_area"].nunique()  # one street per area


def test_the_tables_read_back_as_a_district_of_the_same_shape():
    conversion = convert()
    d = district_from_tables(conversion.tables)
    r = conversion.report
    assert (len(d.street_id), len(d.community_id), len(d.compound_id)) == (
        r.streets,
        r.communities,
        r.compounds,
    )
    assert r.compounds == 30 and r.listed == 30
    assert np.isfinite(d.compound_lonlat()).all()


def test_the_same_records_give_the_same_files_byte_for_byte(tmp_path):
    for name in ("one", "two"):
        write_district(tmp_path / name, convert(streets=5).tables)
    for table in ("streets", "communities", "compounds"):
        assert (tmp_path / "one" / f"{table}.csv").read_bytes() == (
            tmp_path / "two" / f"{table}.csv"
        ).read_bytes()


def test_each_excerpt_compound_is_as_in_the_shipped_wuhou_district():
    """The shipped district was made by the same converter from the whole file: every
    compound of the excerpt has the same listed and derived attributes there (its community
    depends on the whole district's compounds)."""
    mine = convert().tables["compounds"].drop(columns=["community"]).set_index("compound")
    shipped = pd.read_csv(WUHOU / "compounds.csv", dtype={"compound": str}, keep_default_na=False)
    shipped = shipped.drop(columns=["community"]).set_index("compound").loc[mine.index]
    written = pd.read_csv(
        pd.io.common.StringIO(mine.reset_index().to_csv(index=False)),
        dtype={"compound": str},
        keep_default_na=False,
    ).set_index("compound")
    pd.testing.assert_frame_equal(written, shipped)


# --- bad listings ----------------------------------------------------------------------------


def test_missing_coordinates_stay_empty_and_the_compound_is_grouped_with_its_business_area():
    data = excerpt()
    name = first_wuhou(data)
    data[name]["经纬度"] = ""
    conversion = convert(data)
    r = row(conversion, name)
    assert math.isnan(r["longitude"]) and math.isnan(r["latitude"])
    assert conversion.report.defaults["coordinates", "not listed"] == 1
    comp = conversion.tables["compounds"].merge(conversion.tables["communities"], on="community")
    area = comp[comp["x_business_area"] == r["x_business_area"]]
    assert area["street"].nunique() == 1  # placed at its business area's centre
    d = district_from_tables(conversion.tables)
    assert np.isnan(d.compound_lonlat()).sum() == 2


def test_coordinates_far_from_the_district_are_taken_as_unknown():
    data = excerpt()
    name = first_wuhou(data)
    data[name]["经纬度"] = "116.40,39.90"  # Beijing
    conversion = convert(data)
    assert math.isnan(row(conversion, name)["longitude"])
    assert (
        conversion.report.defaults["coordinates", f"more than {L.FAR_KM:g} km from the others"] == 1
    )


def test_a_fee_not_listed_is_left_to_be_drawn_and_counted():
    data = excerpt()
    name = first_wuhou(data)
    before = convert(data).report.defaults["fee", "not listed"]
    data[name]["物业费用"] = "暂无信息"
    conversion = convert(data)
    assert math.isnan(row(conversion, name)["fee"])
    assert conversion.report.defaults["fee", "not listed"] == before + 1
    assert "fee: not listed" in "\n".join(conversion.report.lines())


def test_zero_households_are_left_to_be_drawn_and_counted():
    data = excerpt()
    name = first_wuhou(data)
    data[name]["房屋总数"] = "0户"
    conversion = convert(data)
    assert pd.isna(row(conversion, name)["households"])
    assert conversion.report.defaults["households", "listed as 0"] == 1
    district_from_tables(conversion.tables)  # an empty cell: the model draws it


def test_a_build_year_not_listed_leaves_the_type_to_be_drawn():
    data = excerpt()
    name = first_wuhou(data)
    data[name]["建筑年代"] = "暂无信息 "
    r = row(convert(data), name)
    assert pd.isna(r["build_year"]) and r["compound_type"] == ""


def test_two_compounds_of_one_name_are_both_kept():
    data = excerpt()
    first, second = [k for k, v in data.items() if "武侯小区" in v.get("地址链", "")][:2]
    data[second]["plot_name"] = data[first]["plot_name"]
    conversion = convert(data)
    comp = conversion.tables["compounds"]
    assert (comp["name"] == data[first]["plot_name"]).sum() == 2
    assert comp["compound"].is_unique
    assert (
        conversion.report.rules["name", "shared by more than one listing (each kept: ids differ)"]
        == 2
    )


def test_one_compound_listed_twice_is_used_once_and_the_repeat_listed():
    data = excerpt()
    name = first_wuhou(data)
    read = records(data)
    again = next(r for r in read if r.key == name)
    read.append(L.Record(name, len(read), dict(again.fields)))
    conversion = L.listings_district(read, "武侯")
    assert conversion.report.compounds == 30
    ((record, reason),) = [u for u in conversion.report.unused if "repeats" in u[1]]
    assert name in record and f"#{again.position + 1}" in reason


def test_records_without_a_district_are_listed_not_dropped():
    conversion = convert()
    unused = conversion.report.unused
    no_chain = [k for k, v in excerpt().items() if "地址链" not in v]
    assert len(no_chain) == 2
    for name in no_chain:
        assert any(name in record and "no address chain" in reason for record, reason in unused)
    text = "\n".join(conversion.report.lines())
    assert "records not used: 2" in text


def test_a_value_in_an_unreadable_form_is_left_to_be_drawn_and_counted():
    data = excerpt()
    name = first_wuhou(data)
    data[name].update({"物业费用": "面议", "房屋总数": "很多", "经纬度": "north"})
    report = convert(data).report
    assert report.defaults["fee", "not a fee in yuan/m²/month"] == 1
    assert report.defaults["households", "not a number of households"] == 1
    assert report.defaults["coordinates", "not a longitude,latitude pair"] == 1


def test_asking_for_more_streets_than_business_areas_is_refused():
    with pytest.raises(ScenarioError, match="--streets = 99: must be between 1 and the 21"):
        convert(streets=99)


# --- the grouping rule -----------------------------------------------------------------------


def test_bisection_makes_k_neighbouring_groups_of_about_equal_weight():
    rng = np.random.default_rng(0)
    points = rng.random((200, 2)) * [10, 4]
    weight = rng.integers(50, 150, 200).astype(float)
    labels = L._bisect(points, weight, np.arange(200).astype(str).astype(object), 7)
    assert sorted(set(labels.tolist())) == list(range(7))
    totals = np.bincount(labels, weights=weight)
    assert totals.max() / totals.min() < 1.1
    west = points[labels == 0, 0].mean()
    assert west < points[labels == 6, 0].mean()  # numbered west first along the wide side
