"""Maps of the district, drawn by the browser like the network (Vega-Lite, hover, click,
zoom and pan), with no map tiles.

* **Where the world has coordinates** (`model.world.compound_lonlat`, longitude and latitude
  of each compound, NaN where unknown — a district read from listings): every compound at
  its place, projected to kilometres east and north of the district's centre (an
  equirectangular projection at the centre's latitude, exact enough across a district), and
  each street's outline (the convex hull of its compounds, widened by a margin); a compound
  the tables name (`District.names`, e.g. the listings' names) is named in its hover text.
  Compounds without coordinates are not drawn; the caption counts them.
* **Where it has none** (a drawn world, or tables without longitude and latitude): every
  community where the network's district view puts it (streets as a grid of clusters), and
  each street's outline round its communities — what the Live tab's map and the Compare
  tab's difference map draw then, saying that the world has no coordinates.

`map_view` and `community_view` return a `network_view.View` (one view node per compound, or
per community), so the network's drill-down works on a clicked compound or community
unchanged; `frame` gives a month's rows coloured by any per-compound or per-community
column, `difference_rows` the Compare tab's B − A per community; `spec` is the chart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import colormaps

from . import network_view as nv
from .history import History
from .i18n import fmt_value, metric_label, signed, tr
from .structure import Structure

if TYPE_CHECKING:
    from sim.core.district import District

KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON = 111.320
"""Kilometres per degree of latitude, and of longitude at the equator (WGS84, rounded)."""
MARGIN = 0.04
"""Street outlines lie this share of the map's extent outside their compounds."""
OUTLINE_COLOURS = ("#566573", "#7d6608", "#1a5276", "#78281f", "#145a32", "#4a235a")
COMPOUND_SIZE = 46.0
"""Marker area (px²) of a compound of average households at the default zoom."""
DEFAULT_COLOUR = "community:trust_rc"
DIVERGING = "RdBu"
"""Colour scale of a difference: red where B is lower than A, blue where it is higher."""


def lonlat_of(model: Any) -> np.ndarray | None:
    """The compounds' (longitude, latitude), or None if the world has no coordinates."""
    world = getattr(model, "world", None)
    found = getattr(world, "compound_lonlat", None)
    if found is None:
        return None
    xy = np.asarray(found, dtype=float).reshape(-1, 2)
    return xy if np.isfinite(xy).all(axis=1).any() else None


def project(lonlat: np.ndarray) -> np.ndarray:
    """Kilometres east and north of the centre of the known points (NaN stays NaN)."""
    known = np.isfinite(lonlat).all(axis=1)
    lon0, lat0 = lonlat[known].mean(axis=0) if known.any() else (0.0, 0.0)
    x = (lonlat[:, 0] - lon0) * KM_PER_DEGREE_LON * np.cos(np.radians(lat0))
    y = (lonlat[:, 1] - lat0) * KM_PER_DEGREE_LAT
    return np.column_stack((x, y))


def outline(points: np.ndarray, margin: float) -> np.ndarray:
    """A closed polygon round `points`: their convex hull widened by `margin` (a square
    round one point or a pair, whose hull has no area)."""
    pts = np.unique(np.asarray(points, dtype=float), axis=0)
    if len(pts) >= 3:
        from scipy.spatial import ConvexHull, QhullError

        try:
            hull = pts[ConvexHull(pts).vertices]
        except QhullError:  # all on one line
            hull = pts
    else:
        hull = pts
    centre = hull.mean(axis=0)
    if len(hull) < 3 or np.ptp(hull, axis=0).min() < 1e-9:
        lo, hi = pts.min(axis=0) - margin, pts.max(axis=0) + margin
        ring = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
    else:
        away = hull - centre
        dist = np.hypot(away[:, 0], away[:, 1])[:, None]
        ring = hull + margin * away / np.maximum(dist, 1e-12)
    return np.vstack([ring, ring[:1]])


def _outlines(view: nv.View) -> None:
    """Each street's outline and label, from the positions of its view nodes."""
    x0, x1, _, _ = view.extent()
    margin = MARGIN * (x1 - x0)
    view.outlines = []
    view.labels = []
    for s in sorted(set(view.street.tolist())):
        if s < 0:
            continue
        ring = outline(view.pos[view.street == s], margin)
        view.outlines.append((s, ring))
        top = ring[np.argmax(ring[:, 1])]
        view.labels.append((float(top[0]), float(top[1]), str(s)))


def compounds_of(structure: Structure) -> dict[int, np.ndarray]:
    """Model compound index -> the network's structure rows of that compound: its owners'
    committee seat (whose index is the compound's) and the compound-level nodes `structure`
    groups with it (its party branch)."""
    st = structure
    seats = np.flatnonzero((st.level == "compound") & (st.kind == "owners_committee"))
    out = {}
    for i in seats.tolist():
        group = st.compound[i]
        out[int(st.index[i])] = (
            np.flatnonzero(st.compound == group) if group >= 0 else np.array([i])
        )
    return out


def map_view(structure: Structure, model: Any, district: District | None = None) -> nv.View | None:
    """Compounds at their coordinates (None if the world has none), named as `district`'s
    tables name them."""
    lonlat = lonlat_of(model)
    if lonlat is None:
        return None
    world = model.world
    xy = project(lonlat)
    known = np.flatnonzero(np.isfinite(xy).all(axis=1))
    comm = np.asarray(world.community_of_compound, dtype=np.int64)[known]
    street = np.asarray(world.street_of_community, dtype=np.int64)[comm]
    member = np.full(structure.n, -1, dtype=np.int64)
    rows = compounds_of(structure)
    for k, c in enumerate(known.tolist()):
        if c in rows:
            member[rows[c]] = k
    n = len(known)
    view = nv.View(
        "map",
        np.array(["compound"] * n, dtype=object),
        np.full(n, -1, dtype=np.int64),
        comm,
        street,
        xy[known],
        member,
        [],
        np.bincount(member[member >= 0], minlength=n),
        np.zeros(n, dtype=bool),
    )
    view.compound = known.astype(np.int64)
    view.missing = int(len(lonlat) - n)
    names = district.names.get("compounds") if district is not None else None
    if names is not None and len(names) == len(lonlat):
        view.names = np.asarray(names, dtype=object)[known]
    _outlines(view)
    return view


def community_view(structure: Structure) -> nv.View:
    """Communities where the district view draws them, with their streets' outlines (the
    difference map of a world without coordinates)."""
    district = nv.district_view(structure)
    keep = np.flatnonzero(district.community >= 0)
    member = np.full(structure.n, -1, dtype=np.int64)
    for k, j in enumerate(keep.tolist()):
        member[district.member == j] = k
    n = len(keep)
    view = nv.View(
        "communities",
        np.array(["community"] * n, dtype=object),
        np.full(n, -1, dtype=np.int64),
        district.community[keep],
        district.street[keep],
        district.pos[keep],
        member,
        [],
        np.bincount(member[member >= 0], minlength=n),
        np.zeros(n, dtype=bool),
    )
    _outlines(view)
    return view


# ------------------------------------------------------------------------------ colours
def colour_options(history: History, compounds: bool = True) -> dict[str, str]:
    """Colour keys -> column: `compound:<column>` for the per-compound table's numeric
    columns (unless `compounds` is False: a map of communities), `community:<column>` for
    the per-community table's."""
    out = {}
    sources = [("compound", history.compound_table())] if compounds else []
    for source, table in (*sources, ("community", history.community_table())):
        for col in nv.metric_columns(table):
            if col in ("compound", "firm", "ngo"):
                continue
            out[f"{source}:{col}"] = col
    return out


def _values(view: nv.View, history: History, month: int, key: str) -> np.ndarray:
    """The month's value of a colour key for each view node (nan: none)."""
    source, _, col = key.partition(":")
    if source == "compound" and view.compound is not None:
        table = history.compounds_at(month)
        ids = view.compound
        index = "compound"
    else:
        table = history.communities_at(month)
        ids = view.community
        index = "community"
    if table.empty or col not in table or index not in table:
        return np.full(view.n, np.nan)
    lookup = dict(zip(table[index].astype(int).tolist(), table[col].to_numpy(dtype=float)))
    return np.array([lookup.get(int(i), np.nan) for i in ids], dtype=float)


def frame(
    view: nv.View,
    history: History,
    month: int | None,
    colour: str,
    lang: str = "en",
    selected: int = -1,
) -> dict[str, list[dict[str, Any]]]:
    """Rows of one recorded month: `points` (coloured by `colour`, a key of
    `colour_options`), `outlines` and `labels`."""
    t = history.clamp(month)
    values = _values(view, history, t, colour)
    col = colour.partition(":")[2]
    source = colour.partition(":")[0]
    table = history.compound_table() if source == "compound" else history.community_table()
    fills = nv.metric_colours(col, values, table)
    compounds = history.compounds_at(t)
    info = (
        compounds.set_index("compound")
        if not compounds.empty and "compound" in compounds
        else pd.DataFrame()
    )
    size = np.full(view.n, COMPOUND_SIZE)
    if view.compound is not None and "households" in info:
        hh = info["households"].reindex(view.compound).to_numpy(dtype=float)
        mean = np.nanmean(hh) if np.isfinite(hh).any() else 1.0
        size = COMPOUND_SIZE * np.clip(
            np.sqrt(np.nan_to_num(hh, nan=mean) / max(mean, 1.0)), 0.4, 3.0
        )
    label = metric_label(col, lang)
    points = []
    for k in range(view.n):
        tip = {"title": point_name(view, k, lang), label: fmt_value(col, values[k], lang)}
        if view.compound is not None and int(view.compound[k]) in info.index:
            row = info.loc[int(view.compound[k])]
            for c in ("compound_type", "management", "households", "build_year", "satisfaction"):
                if c in row.index and c != col:
                    tip[metric_label(c, lang)] = fmt_value(c, row[c], lang)
        chosen = k == selected
        points.append(
            {
                "id": k,
                "x": round(float(view.pos[k, 0]), 4),
                "y": round(float(view.pos[k, 1]), 4),
                "fill": fills[k] or "#d0d0d0",
                "stroke": "#000000" if chosen else "#333333",
                "sw": 2.5 if chosen else 0.5,
                "size": round(float(size[k]) * (1.6 if chosen else 1.0), 1),
                "tip": tip,
            }
        )
    return {"points": points, **_frame_outlines(view, lang)}


def point_name(view: nv.View, k: int, lang: str) -> str:
    """A map point's name: the compound (with its name in the tables, if they give one) or
    the community, with the community and street it lies in."""
    c, s = int(view.community[k]), int(view.street[k])
    if view.compound is None:
        return tr("community_name", lang).format(c=c, s=s)
    name = tr("compound_name", lang).format(k=int(view.compound[k]), c=c, s=s)
    listed = str(view.names[k]) if view.names is not None else ""
    return f"{name} · {listed}" if listed else name


def _frame_outlines(view: nv.View, lang: str) -> dict[str, list[dict[str, Any]]]:
    outlines = []
    for s, ring in view.outlines:
        colour = OUTLINE_COLOURS[s % len(OUTLINE_COLOURS)]
        for i, (x, y) in enumerate(ring.tolist()):
            outlines.append(
                {"street": s, "i": i, "x": round(x, 4), "y": round(y, 4), "colour": colour}
            )
    labels = [
        {"x": x, "y": y, "text": tr("street_short", lang).format(s=text)}
        for x, y, text in view.labels
    ]
    return {"outlines": outlines, "labels": labels}


def difference_rows(
    view: nv.View, diffs: pd.DataFrame, column: str, lang: str = "en"
) -> dict[str, list[dict[str, Any]]]:
    """Rows of the Compare tab's difference map: each view node coloured by its community's
    paired B − A (`compare.community_differences`) on a diverging scale symmetric round 0."""
    by_comm = diffs.set_index("community") if not diffs.empty else pd.DataFrame()
    d = np.array(
        [
            float(by_comm.at[int(c), "diff"]) if int(c) in by_comm.index else np.nan
            for c in view.community
        ]
    )
    top = float(np.nanmax(np.abs(d))) if np.isfinite(d).any() else 1.0
    top = top or 1.0
    cmap = colormaps[DIVERGING]
    label = metric_label(column, lang)
    points = []
    for k in range(view.n):
        c = int(view.community[k])
        tip: dict[str, str] = {"title": point_name(view, k, lang)}
        fill = "#d0d0d0"
        if np.isfinite(d[k]):
            r = by_comm.loc[c]
            rgb = cmap(0.5 + 0.5 * d[k] / top)
            fill = "#{:02x}{:02x}{:02x}".format(*(int(round(255 * v)) for v in rgb[:3]))
            tip[f"A: {label}"] = fmt_value(column, r["a"], lang)
            tip[f"B: {label}"] = fmt_value(column, r["b"], lang)
            tip["B − A"] = signed(r["diff"], lang)
            if np.isfinite(r["low"]):
                tip[tr("ci95", lang)] = f"[{signed(r['low'], lang)}, {signed(r['high'], lang)}]"
        points.append(
            {
                "id": k,
                "x": round(float(view.pos[k, 0]), 4),
                "y": round(float(view.pos[k, 1]), 4),
                "fill": fill,
                "stroke": "#333333",
                "sw": 0.5,
                "size": COMPOUND_SIZE if view.compound is not None else 110.0,
                "diff": None if not np.isfinite(d[k]) else float(f"{d[k]:.6g}"),
                "tip": tip,
            }
        )
    return {"points": points, **_frame_outlines(view, lang)}


def diverging_gradient() -> str:
    """CSS gradient of the difference scale, from its lowest to its highest value."""
    cmap = colormaps[DIVERGING]
    stops = ", ".join(nv._hex(cmap(x)) for x in np.linspace(0, 1, 9))
    return f"linear-gradient(to right, {stops})"


def spec(view: nv.View, filename: str = "map") -> dict[str, Any]:
    """The chart of a map view: streets' outlines, the points with hover text, street
    labels; drag to pan, wheel to zoom, click a point for its drill-down."""
    x0, x1, y0, y1 = view.extent()
    geographic = view.compound is not None
    xs = {
        "field": "x",
        "type": "quantitative",
        "axis": {"title": "km", "grid": False, "labelFontSize": 9} if geographic else None,
        "scale": {"domain": [x0, x1], "nice": False, "zero": False},
    }
    ys = {**xs, "field": "y", "scale": {"domain": [y0, y1], "nice": False, "zero": False}}
    raw = {"type": "nominal", "scale": None}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": f"map of the district, {view.key}",
        "width": 560,
        "height": 560,
        "usermeta": {"square": True, "embedOptions": nv._export_options(filename)},
        "layer": [
            {
                "data": {"name": "outlines"},
                "mark": {"type": "line", "strokeWidth": 1.2, "strokeDash": [4, 3], "opacity": 0.8},
                "encoding": {
                    "x": xs,
                    "y": ys,
                    "detail": {"field": "street", "type": "nominal"},
                    "order": {"field": "i", "type": "quantitative"},
                    "color": {"field": "colour", **raw},
                },
            },
            {
                "data": {"name": "points"},
                "params": [{"name": "zoom", "select": "interval", "bind": "scales"}],
                "mark": {"type": "point", "filled": True, "opacity": 0.95, "cursor": "pointer"},
                "encoding": {
                    "x": xs,
                    "y": ys,
                    "color": {"field": "fill", **raw},
                    "stroke": {"field": "stroke", **raw},
                    "strokeWidth": {"field": "sw", "type": "quantitative", "scale": None},
                    "size": {"field": "size", "type": "quantitative", "scale": None},
                    "tooltip": {"field": "tip", "type": "nominal"},
                },
            },
            {
                "data": {"name": "labels"},
                "mark": {"type": "text", "color": "#444", "baseline": "bottom", "fontSize": 11},
                "encoding": {"x": xs, "y": ys, "text": {"field": "text", "type": "nominal"}},
            },
        ],
        "config": {"view": {"stroke": None}},
    }
