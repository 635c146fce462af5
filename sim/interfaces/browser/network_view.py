"""Views of the governance network, drawn by the browser (Vega-Lite) with hover, click, zoom
and pan.

Two views of the network, built from its skeleton (`structure.Structure`), never from the
model's internals:

* the **district view** — one node per community (its organisations, compounds and any other
  node below the community merged), single nodes for street-level and district-level
  organisations; the streets are laid out as a grid of clusters (each street's communities
  on a ring round its street office), district-wide organisations on rings around the grid,
  so the picture stays readable at 100+ streets. Ties between the members of two view nodes
  are summed per kind; ties inside a community become part of its state (a red ring marks
  communities with cross-appointed personnel). Contract ties are hidden at first.
* the **street view** — one street in full detail: its street-level nodes in the centre, each
  community in a sector (community-level organisations inside, its compounds on the arc
  outside), and every district-wide node on outer rings.

Positions are computed once per model and view from the static skeleton, so nodes never move
and the same world always gives the same picture. Every month `frame` turns a recorded month
(`history.History`) into rows for the chart: nodes with their style and hover text, ties,
rings, street labels. Node and tie kinds the app does not know get a colour and a label made
from their name, so new kinds appear without code here.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from matplotlib import colormaps
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from .history import History
from .i18n import (
    attribute_label,
    fmt_number,
    fmt_numbers,
    kind_label,
    metric_label,
    state_label,
    tr,
)
from .structure import Structure

# ------------------------------------------------------------------------------ styles
CHART_PX = 560
"""Side of the network chart the marker sizes are made for (it follows the window)."""
HEXAGON = "M0,-1L0.866,-0.5L0.866,0.5L0,1L-0.866,0.5L-0.866,-0.5Z"
PENTAGON = "M0,-1L0.951,-0.309L0.588,0.809L-0.588,0.809L-0.951,-0.309Z"


@dataclass(frozen=True)
class NodeStyle:
    shape: str  # a Vega shape name or SVG path
    colour: str
    size: float  # marker area in px² at the default zoom


NODE_STYLES: dict[str, NodeStyle] = {
    "street_office": NodeStyle("square", "#2c3e50", 150),
    "party_branch": NodeStyle("triangle-up", "#c0392b", 80),
    "party_branch@compound": NodeStyle("triangle-up", "#e8a09a", 30),
    "residents_committee": NodeStyle("circle", "#2e86c1", 80),
    "community": NodeStyle("circle", "#2e86c1", 90),
    "owners_committee": NodeStyle("circle", "#1e8449", 28),
    "property_firm": NodeStyle(HEXAGON, "#e67e22", 80),
    "ngo": NodeStyle("diamond", "#8e44ad", 60),
    "property_committee": NodeStyle("triangle-down", "#d35400", 45),
    "department": NodeStyle(PENTAGON, "#5d6d7e", 130),
}
"""Styles of the node kinds the app knows (`kind` or `kind@level`)."""

GENERIC_SHAPES = ("cross", "triangle-down", "square", "diamond", "triangle-right", "circle")
GENERIC_COLOURS = (
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#e377c2",
    "#8c564b",
    "#9edae5",
    "#dbdb8d",
    "#393b79",
    "#637939",
    "#843c39",
)


@dataclass(frozen=True)
class EdgeStyle:
    colour: str
    width: float
    dash: tuple[float, ...]  # () = solid
    opacity: float


EDGE_STYLES: dict[str, EdgeStyle] = {
    "hierarchy": EdgeStyle("#8c8c8c", 0.7, (), 0.6),
    "peer": EdgeStyle("#48c9b0", 0.8, (3, 3), 0.6),
    "collaboration": EdgeStyle("#17a589", 1.0, (5, 3), 0.8),
    "coordination": EdgeStyle("#2e86c1", 0.9, (), 0.8),
    "supervision": EdgeStyle("#7d3c98", 0.8, (1.5, 2.5), 0.7),
    "contract": EdgeStyle("#e67e22", 0.7, (), 0.5),
    "cross_appointment": EdgeStyle("#e3241b", 2.0, (), 0.95),
}
"""Styles of the tie kinds the app knows; drawing order is this order (cross-appointment on
top), unknown kinds before them."""

HIDDEN_AT_FIRST: dict[str, tuple[str, ...]] = {
    "district": ("contract", "collaboration", "supervision", "peer"),
    "street": ("supervision",),
}
"""Tie kinds hidden until switched on: in the district view contracts and collaboration
(every firm and NGO to every community it serves) and peer ties (between the communities
of a street) would cover the picture; supervision runs along contract and hierarchy ties in
both views."""

HUB_SHARE = 0.5
"""In the district view, a district-wide node tied to at least this share of the streets
(and to three or more) is a hub: it sits in a row above the grid, and its ties to the
streets are drawn only while it is selected (a line department tied to every street would
otherwise cross the whole grid)."""

XA_RING = "#e3241b"
STATE_COLOURS: dict[str, str] = {
    "active": "#4c78a8",
    "functioning": "#1e8449",
    "stalled": "#f0b323",
    "captured": "#6c3483",
    "inactive": "#bdbdbd",
    "vacant": "#ffffff",
}
"""Colours of node states; a state the app does not know gets a generic colour."""

METRIC_RANGES: dict[str, tuple[bool, float, float]] = {
    "trust_rc": (True, 0.3, 0.7),
    "trust_party": (True, 0.3, 0.7),
    "satisfaction": (True, 0.3, 0.7),
    "needs_met": (True, 0.2, 0.8),
    "needs_met_vulnerable": (True, 0.2, 0.8),
    "coordination": (True, 0.5, 1.0),
    "admin_burden_share": (False, 0.4, 1.0),
    "property_quality": (True, 0.1, 0.7),
    "fee_collection": (True, 0.5, 1.0),
    "oc_functioning_share": (True, 0.0, 1.0),
    "participation": (True, 0.0, 0.3),
}
"""Community metrics with a known good direction and a fixed colour range, so a colour
means the same value every month. Any other numeric column of the per-community table can
be chosen too; its colours span the values recorded so far."""

NOT_METRICS = frozenset({"step", "community", "street"})
DEFAULT_METRIC = "trust_rc"
COMMUNITY_TIP = (
    "residents",
    "satisfaction",
    "trust_rc",
    "needs_met",
    "participation",
    "coordination",
    "oc_functioning_share",
)
"""Per-community values shown when hovering a community (the drill-down shows them all)."""

KIND_ORDER = (
    "street_office",
    "party_branch",
    "residents_committee",
    "property_committee",
    "owners_committee",
    "property_firm",
    "ngo",
    "department",
)
"""Where known kinds go first in rings and the legend; unknown kinds follow by name."""


def _hash_pick(name: str, options: tuple[str, ...]) -> str:
    return options[zlib.crc32(name.encode("utf-8")) % len(options)]


def style_key(kind: str, level: str) -> str:
    """The style of a node: `kind@level` if that has its own style, else `kind`."""
    key = f"{kind}@{level}"
    return key if key in NODE_STYLES else kind


def node_style(key: str) -> NodeStyle:
    """Style of a node kind; an unknown kind gets a shape and colour from its name."""
    if key in NODE_STYLES:
        return NODE_STYLES[key]
    return NodeStyle(
        _hash_pick(key + "#shape", GENERIC_SHAPES), _hash_pick(key, GENERIC_COLOURS), 50
    )


def edge_style(kind: str) -> EdgeStyle:
    """Style of a tie kind; an unknown kind gets a dashed line in a colour from its name."""
    return EDGE_STYLES.get(kind) or EdgeStyle(_hash_pick(kind, GENERIC_COLOURS), 0.9, (4, 2), 0.8)


def kind_rank(kind: str) -> tuple[int, str]:
    base = kind.split("@")[0]
    return (KIND_ORDER.index(base) if base in KIND_ORDER else len(KIND_ORDER), kind)


def edge_kinds(kinds: set[str] | list[str]) -> list[str]:
    """Tie kinds in drawing order: unknown ones first, then the known ones in their order."""
    unknown = sorted(k for k in kinds if k not in EDGE_STYLES)
    return unknown + [k for k in EDGE_STYLES if k in kinds]


# ------------------------------------------------------------------------------ views
@dataclass
class View:
    """A view of the network: which network node is drawn as which view node, where, and
    as what. Built once per model and view; `frame` reads a month."""

    key: str
    kinds: np.ndarray  # style key of each view node ("community" for a merged community)
    node: np.ndarray  # network node id of a single view node, -1 for a merged community
    community: np.ndarray  # community of each view node (-1: none)
    street: np.ndarray  # street of each view node (-1: none)
    pos: np.ndarray  # (n, 2) positions
    member: np.ndarray  # structure row -> view node (-1: not shown)
    labels: list[tuple[float, float, str]] = field(default_factory=list)  # street labels
    members: np.ndarray = field(default=None)  # network nodes merged into each view node
    hubs: np.ndarray = field(default=None)  # view nodes whose ties show only when selected
    cache: dict = field(default_factory=dict, repr=False)  # names per language
    compound: np.ndarray | None = None  # a map's compound (model index) of each view node
    outlines: list[tuple[int, np.ndarray]] = field(default_factory=list)  # a map's streets
    missing: int = 0  # a map's compounds without coordinates (not drawn)
    names: np.ndarray | None = None  # a map's compound names as the tables give them

    @property
    def n(self) -> int:
        return len(self.kinds)

    @property
    def district(self) -> bool:
        return self.key == "district"

    @cached_property
    def gap_px(self) -> float:
        """Typical distance (px) from a node to its nearest neighbour on the chart."""
        if self.n < 2:
            return float(CHART_PX)
        from scipy.spatial import cKDTree

        dist, _ = cKDTree(self.pos).query(self.pos, k=2)
        x0, x1, _, _ = self.extent()
        return float(np.median(dist[:, 1])) * CHART_PX / (x1 - x0)

    def marker_scale(self) -> float:
        """Marker areas shrink where nodes crowd, so neighbours never merge into a blob."""
        return float(np.clip((self.gap_px / 16.0) ** 2, 0.08, 1.0))

    def extent(self) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1) of a square that holds every node with a margin."""
        if not len(self.pos):
            return -1.0, 1.0, -1.0, 1.0
        lo, hi = self.pos.min(axis=0), self.pos.max(axis=0)
        span = float(max(hi - lo)) * 1.08 + 0.4
        cx, cy = (lo + hi) / 2
        return cx - span / 2, cx + span / 2, cy - span / 2, cy + span / 2


def _polar(r: float | np.ndarray, theta: np.ndarray) -> np.ndarray:
    return np.column_stack((r * np.cos(theta), r * np.sin(theta)))


def _ring(r: float, angles: np.ndarray) -> np.ndarray:
    """Nodes evenly spaced on a ring of radius r, in the order of their preferred angles
    (measured from the top)."""
    n = len(angles)
    if n == 0:
        return np.zeros((0, 2))
    order = np.argsort(np.mod(np.pi / 2 - angles, 2 * np.pi), kind="stable")
    theta = np.empty(n)
    theta[order] = np.pi / 2 - 2 * np.pi * (np.arange(n) + 0.5) / n
    return _polar(r, theta)


def _preferred_angles(
    rows: list[int], structure: Structure, placed: dict[int, np.ndarray], centre: np.ndarray
) -> np.ndarray:
    """Mean angle (round `centre`) of the placed nodes each row is tied to; nodes without
    placed neighbours keep their order round the circle."""
    out = np.empty(len(rows))
    for k, i in enumerate(rows):
        pts = [placed[j] for j in structure.neighbours[i] if j in placed]
        if pts:
            d = np.mean([(p - centre) / max(np.hypot(*(p - centre)), 1e-9) for p in pts], axis=0)
            out[k] = math.atan2(d[1], d[0])
        else:
            out[k] = np.pi / 2 - 2 * np.pi * (k + 0.5) / max(len(rows), 1)
    return out


def _outer_rings(
    view_rows: list[int],
    structure: Structure,
    placed: dict[int, np.ndarray],
    centre: np.ndarray,
    radius: float,
    step: float,
) -> dict[int, np.ndarray]:
    """District-wide nodes on rings round everything placed: one ring per kind, each node
    near the angle of what it is tied to."""
    out: dict[int, np.ndarray] = {}
    by_kind: dict[str, list[int]] = {}
    for i in view_rows:
        by_kind.setdefault(style_key(structure.kind[i], structure.level[i]), []).append(i)
    for k, kind in enumerate(sorted(by_kind, key=kind_rank)):
        rows = by_kind[kind]
        pos = _ring(radius + k * step, _preferred_angles(rows, structure, placed, centre))
        for i, p in zip(rows, pos):
            out[i] = p + centre
    return out


def district_view(structure: Structure) -> View:
    """Streets as a grid of clusters (communities on a ring round their street-level
    nodes), district-wide nodes on rings around the grid."""
    st = structure
    comm_street = st.street_of_community()
    streets = sorted(set(st.streets.tolist()) | set(comm_street.values()))
    comms_of = {s: sorted(c for c, cs in comm_street.items() if cs == s) for s in streets}
    spacing = 0.32  # distance between neighbouring communities on a street's ring
    radius = {s: max(0.45, len(comms_of[s]) * spacing / (2 * np.pi)) for s in streets}
    cell = 2 * max(radius.values(), default=0.5) + 0.9
    cols = max(1, math.ceil(math.sqrt(len(streets))))
    centre_of = {
        s: np.array([(k % cols) * cell, -(k // cols) * cell]) for k, s in enumerate(streets)
    }

    kinds, nodes, comm, strt, pos, labels = [], [], [], [], [], []
    member = np.full(st.n, -1, dtype=np.int64)
    placed: dict[int, np.ndarray] = {}
    for s in streets:
        c0 = centre_of[s]
        heads = np.flatnonzero((st.street == s) & (st.community < 0))
        offsets = _polar(0.12, np.pi / 2 - 2 * np.pi * np.arange(len(heads)) / max(len(heads), 1))
        for i, off in zip(
            heads.tolist(), offsets if len(heads) > 1 else [np.zeros(2)] * len(heads)
        ):
            member[i] = len(kinds)
            kinds.append(style_key(st.kind[i], st.level[i]))
            nodes.append(int(st.ids[i]))
            comm.append(-1)
            strt.append(s)
            pos.append(c0 + off)
            placed[i] = c0 + off
        k = len(comms_of[s])
        theta = np.pi / 2 - 2 * np.pi * np.arange(k) / max(k, 1)
        for c, p in zip(comms_of[s], _polar(radius[s], theta) + c0):
            rows = np.flatnonzero(st.community == c)
            member[rows] = len(kinds)
            kinds.append("community")
            nodes.append(-1)
            comm.append(c)
            strt.append(s)
            pos.append(p)
            for i in rows.tolist():
                placed[i] = p
        if s >= 0:
            labels.append((float(c0[0]), float(c0[1] + radius[s] + 0.3), str(s)))
    others = [i for i in range(st.n) if member[i] < 0]
    hub_rows = [i for i in others if _is_hub(st, i, len(streets))]
    others = [i for i in others if i not in set(hub_rows)]
    grid = np.array(pos) if pos else np.zeros((1, 2))
    if others:
        centre = (grid.min(axis=0) + grid.max(axis=0)) / 2
        half = float(np.hypot(*(grid.max(axis=0) - grid.min(axis=0)))) / 2
        rings = _outer_rings(others, st, placed, centre, half + 0.6 * cell, 0.35 * cell)
        for i in others:
            _place(i, rings[i], st, member, kinds, nodes, comm, strt, pos)
    first_hub = len(kinds)
    if hub_rows:  # a row centred above the grid, in the space its outer rings leave there
        hub_rows.sort(key=lambda i: (kind_rank(style_key(st.kind[i], st.level[i])), i))
        x_mid = (grid[:, 0].min() + grid[:, 0].max()) / 2
        y_top = grid[:, 1].max() + 0.55 * cell
        step = min(cell, (grid[:, 0].max() - grid[:, 0].min() + cell) / len(hub_rows))
        for k, i in enumerate(hub_rows):
            x = x_mid + (k - (len(hub_rows) - 1) / 2) * step
            _place(i, np.array([x, y_top]), st, member, kinds, nodes, comm, strt, pos)
    view = _view("district", kinds, nodes, comm, strt, pos, member, labels)
    view.hubs[first_hub:] = True
    return view


def _is_hub(st: Structure, i: int, n_streets: int) -> bool:
    """A district-wide node tied to most streets (HUB_SHARE) and to at least three."""
    tied = {
        int(st.street[j]) for j in st.neighbours[i] if st.level[j] == "street" and st.street[j] >= 0
    }
    return len(tied) >= max(3, HUB_SHARE * n_streets)


def _place(
    i: int,
    p: np.ndarray,
    st: Structure,
    member: np.ndarray,
    kinds: list,
    nodes: list,
    comm: list,
    strt: list,
    pos: list,
) -> None:
    """Add structure row `i` as its own view node at `p`."""
    member[i] = len(kinds)
    kinds.append(style_key(st.kind[i], st.level[i]))
    nodes.append(int(st.ids[i]))
    comm.append(-1)
    strt.append(int(st.street[i]))
    pos.append(p)


def street_view(structure: Structure, street: int) -> View:
    """One street in full detail; the district's firms, NGOs and other district-wide nodes
    on outer rings."""
    st = structure
    if street not in set(st.streets.tolist()):
        raise ValueError(f"street {street} does not exist (streets: 0..{st.streets.max()})")
    comms = sorted(c for c, s in st.street_of_community().items() if s == street)
    kinds, nodes, comm, strt, pos = [], [], [], [], []
    member = np.full(st.n, -1, dtype=np.int64)
    placed: dict[int, np.ndarray] = {}

    def put(i: int, p: np.ndarray) -> None:
        member[i] = len(kinds)
        kinds.append(style_key(st.kind[i], st.level[i]))
        nodes.append(int(st.ids[i]))
        comm.append(int(st.community[i]))
        strt.append(int(st.street[i]))
        pos.append(p)
        placed[i] = p

    heads = np.flatnonzero((st.street == street) & (st.community < 0)).tolist()
    for k, i in enumerate(heads):
        put(
            i,
            _polar(
                0.1 * (len(heads) > 1), np.array([np.pi / 2 - 2 * np.pi * k / max(len(heads), 1)])
            )[0],
        )

    # each community a sector proportional to its compounds (+1 for its own organisations)
    compounds_of = {
        c: sorted(set(st.compound[(st.community == c) & (st.compound >= 0)].tolist()))
        for c in comms
    }
    weights = np.array([len(compounds_of[c]) + 1.0 for c in comms])
    widths = 2 * np.pi * weights / max(weights.sum(), 1.0)
    starts = np.pi / 2 - np.concatenate(([0.0], np.cumsum(widths)[:-1]))
    dense = sum(len(v) for v in compounds_of.values()) / (2 * np.pi) > 12
    for c, a0, w in zip(comms, starts, widths):
        rows = np.flatnonzero(st.community == c)
        centre = a0 - w / 2
        own = sorted(
            (i for i in rows.tolist() if st.level[i] == "community"),
            key=lambda i: (kind_rank(st.kind[i]), i),
        )
        delta = min(w * 0.18, 0.12)
        for k, i in enumerate(own):
            angle = centre + delta * (2 * k - (len(own) - 1)) / max(len(own) - 1, 1)
            put(i, _polar(0.5 + 0.14 * k, np.array([angle]))[0])
        cps = compounds_of[c]
        for j, cpd in enumerate(cps):
            angle = a0 - w * (j + 1.0) / (len(cps) + 1.0)
            lift = 0.13 * (j % 2) if dense else 0.0
            inside = sorted(
                np.flatnonzero(st.compound == cpd).tolist(),
                key=lambda i: (kind_rank(style_key(st.kind[i], st.level[i])), i),
            )
            for k, i in enumerate(inside):
                put(i, _polar(0.88 + lift + 0.16 * k, np.array([angle]))[0])
        rest = [i for i in rows.tolist() if member[i] < 0]
        for k, i in enumerate(rest):
            angle = a0 - w * (k + 1.0) / (len(rest) + 1.0)
            put(i, _polar(1.3 + 0.1 * (k % 2), np.array([angle]))[0])
    district_wide = [
        i for i in range(st.n) if st.community[i] < 0 and st.street[i] < 0 and member[i] < 0
    ]
    rings = _outer_rings(district_wide, st, placed, np.zeros(2), 1.55, 0.18)
    for i in district_wide:
        put(i, rings[i])
    return _view(f"street:{street}", kinds, nodes, comm, strt, pos, member, [])


def _view(key, kinds, nodes, comm, strt, pos, member, labels) -> View:
    counts = np.bincount(member[member >= 0], minlength=len(kinds))
    return View(
        key,
        np.array(kinds, dtype=object),
        np.array(nodes, dtype=np.int64),
        np.array(comm, dtype=np.int64),
        np.array(strt, dtype=np.int64),
        np.array(pos, dtype=float).reshape(-1, 2),
        member,
        labels,
        counts,
        np.zeros(len(kinds), dtype=bool),
    )


def build_view(structure: Structure, key: str) -> View:
    """`district` or `street:<n>` (n from 0)."""
    if key == "district":
        return district_view(structure)
    if key.startswith("street:"):
        return street_view(structure, int(key.split(":", 1)[1]))
    raise ValueError(f"unknown view {key!r}")


# ------------------------------------------------------------------------------ months
def aggregate_edges(
    member: np.ndarray, edges: list[tuple[int, int, str]], n_view: int
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, np.ndarray]]:
    """Map ties (between structure rows) onto view nodes: ties between two view nodes summed
    per kind into (pairs, counts); ties within one view node counted per node (`internal`);
    ties with an end outside the view dropped."""
    if not edges:
        return {}, {}
    u, v, kind = zip(*edges)
    names, code = np.unique(np.array(kind, dtype=object), return_inverse=True)
    a, b = member[np.array(u)], member[np.array(v)]
    keep = (a >= 0) & (b >= 0)
    a, b, code = a[keep], b[keep], code[keep]
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    internal: dict[str, np.ndarray] = {}
    same = a == b
    for k, name in enumerate(names.tolist()):
        mine = code == k
        inside = mine & same
        if inside.any():
            internal[name] = np.bincount(a[inside], minlength=n_view).astype(np.int64)
        across = mine & ~same
        if across.any():
            pairs = np.column_stack(
                (np.minimum(a[across], b[across]), np.maximum(a[across], b[across]))
            )
            pairs, counts = np.unique(pairs, axis=0, return_counts=True)
            out[name] = (pairs.astype(np.int64), counts.astype(float))
    return out, internal


def metric_columns(table) -> list[str]:
    """Numeric columns of the per-community table that can shade communities."""
    if table is None or table.empty:
        return [m for m in METRIC_RANGES]
    return [
        c
        for c in table.columns
        if c not in NOT_METRICS and is_numeric_dtype(table[c]) and not is_bool_dtype(table[c])
    ]


def _metric_scale(metric: str, table=None) -> tuple[Any, float, float]:
    """(colour map, low, high) of a metric: red bad to green good over a known metric's
    fixed range; a neutral map over the values recorded so far for any other column."""
    if metric in METRIC_RANGES:
        good_high, lo, hi = METRIC_RANGES[metric]
        return colormaps["RdYlGn" if good_high else "RdYlGn_r"], lo, hi
    col = (
        table[metric].to_numpy(dtype=float)
        if table is not None and metric in table
        else np.zeros(0)
    )
    finite = col[np.isfinite(col)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return colormaps["viridis"], lo, hi


def metric_colours(metric: str, values: np.ndarray, table=None) -> list[str | None]:
    """Hex colour of each value (None: no value) on the metric's scale."""
    cmap, lo, hi = _metric_scale(metric, table)
    values = np.asarray(values, dtype=float)
    rgb = np.rint(255 * cmap(np.clip((values - lo) / ((hi - lo) or 1.0), 0, 1))[:, :3])
    return [
        None if not np.isfinite(v) else "#{:02x}{:02x}{:02x}".format(*c)
        for v, c in zip(values, rgb.astype(int).tolist())
    ]


def metric_range(metric: str, table=None) -> tuple[float, float, str]:
    """(low, high, CSS gradient) of a metric's colour scale, for the legend."""
    cmap, lo, hi = _metric_scale(metric, table)
    stops = ", ".join(_hex(cmap(x)) for x in np.linspace(0, 1, 7))
    return lo, hi, f"linear-gradient(to right, {stops})"


def node_state(values: dict[str, Any] | None) -> str:
    """A node's state from its agent: the agent's `state` if it has one, `inactive` if its
    `alive` is false, `vacant` if no agent sits on the node, else `active`."""
    if values is None:
        return "vacant"
    state = values.get("state")
    if isinstance(state, str) and state:
        return state
    if values.get("alive") is False:
        return "inactive"
    return "active"


def state_colour(state: str) -> str:
    return STATE_COLOURS.get(state) or _hash_pick(state, GENERIC_COLOURS)


MAX_MIN_TIES = 10
"""Largest "fewer ties than this are not drawn" the tie control offers."""


@dataclass(frozen=True)
class TieFilter:
    """Which ties the district view draws. `bundle`: a community's ties to nodes outside its
    street (firms, NGOs, other streets) are drawn from its street office, one line per
    street, kind and other end, as wide as the ties it stands for — a district of 10
    streets after ten years has some 100 community-firm coordination lines crossing the grid
    one by one. `min_count`: lines between streets or to district-wide nodes that stand for
    fewer ties are not drawn (lines within a street always are). The selected node's own
    ties are always drawn, one by one."""

    min_count: int = 3
    bundle: bool = True


@dataclass
class Options:
    """What the user chose: colouring, shown tie kinds, the selected view node, language,
    and the tie filter of the district view."""

    colour: str = "kind"  # "kind", "state" or a per-community table column
    shown: tuple[str, ...] = ()
    selected: int = -1
    lang: str = "en"
    ties: TieFilter = field(default_factory=TieFilter)


def bundle_pairs(
    view: View, pairs: dict[str, tuple[np.ndarray, np.ndarray]], keep: int = -1
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Ties between a community and a node outside its street, moved to the community's
    street office and summed (see `TieFilter`); ties of view node `keep` stay as they are."""
    heads = {}
    for k in np.flatnonzero((view.community < 0) & (view.street >= 0)).tolist():
        heads.setdefault(int(view.street[k]), k)
    if not heads:
        return pairs
    anchor = np.arange(view.n)
    comm = np.flatnonzero(view.community >= 0)
    anchor[comm] = [heads.get(int(view.street[k]), k) for k in comm.tolist()]
    out = {}
    for kind, (p, w) in pairs.items():
        a, b = p[:, 0], p[:, 1]
        outside_b = (view.community[a] >= 0) & (view.street[b] != view.street[a])
        outside_a = (view.community[b] >= 0) & (view.street[a] != view.street[b])
        mine = (a == keep) | (b == keep)
        a2 = np.where(outside_b & ~mine, anchor[a], a)
        b2 = np.where(outside_a & ~mine, anchor[b], b)
        q = np.column_stack((np.minimum(a2, b2), np.maximum(a2, b2)))
        q, inverse = np.unique(q, axis=0, return_inverse=True)
        out[kind] = (q.astype(np.int64), np.bincount(inverse.ravel(), weights=w).astype(float))
    return out


def frame(
    view: View, structure: Structure, history: History, month: int | None, options: Options
) -> dict[str, list[dict[str, Any]]]:
    """Rows for the chart of one recorded month: `nodes`, `edges`, `rings`, `labels`."""
    t = history.clamp(month)
    row = structure.row
    ties = [(row[u], row[v], kind) for (u, v, _), kind in history.edges_at(t).items()]
    pairs, internal = aggregate_edges(view.member, ties, view.n)
    nodes = _node_rows(view, structure, history, t, options, pairs, internal)
    shown = set(options.shown)
    drawn = pairs
    if view.district:
        if options.ties.bundle:
            drawn = bundle_pairs(view, drawn, options.selected)
        if options.ties.min_count > 1:
            drawn = _strong(view, drawn, options.ties.min_count, options.selected)
    rings = []
    xa = internal.get("cross_appointment")
    if xa is not None and "cross_appointment" in shown:
        shrink = view.marker_scale()
        for k in np.flatnonzero(xa > 0).tolist():
            share = xa[k] / max(view.members[k], 1)
            rings.append(
                {
                    "x": nodes[k]["x"],
                    "y": nodes[k]["y"],
                    "sw": round((0.6 + 4.0 * share) * min(1.0, shrink * 2), 2),
                    "size": round(nodes[k]["size"] * 2.0, 1),
                }
            )
    few = len(view.labels) <= 30
    font = round(float(np.clip(view.gap_px / 3.2, 7.0, 11.0)), 1)
    labels = [
        {
            "x": x,
            "y": y,
            "size": font,
            "text": tr("street_short", options.lang).format(s=text) if few else text,
        }
        for x, y, text in view.labels
    ]
    hidden = view.hubs.copy()
    if 0 <= options.selected < view.n:
        hidden[options.selected] = False
    return {
        "nodes": nodes,
        "edges": _edge_rows(view, drawn, shown, options.lang, hidden),
        "rings": rings,
        "labels": labels,
    }


def _strong(
    view: View, pairs: dict[str, tuple[np.ndarray, np.ndarray]], least: int, keep: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Lines between streets, or to district-wide nodes, that stand for at least `least`
    ties (and every line of view node `keep`); lines within a street are all kept."""
    out = {}
    for kind, (p, w) in pairs.items():
        within = view.street[p[:, 0]] == view.street[p[:, 1]]
        mine = (p[:, 0] == keep) | (p[:, 1] == keep)
        ok = within | mine | (w >= least)
        out[kind] = (p[ok], w[ok])
    return out


def _names(view: View, structure: Structure, lang: str) -> list[str]:
    """Every view node's name (made once per view and language)."""
    key = ("names", lang)
    if key not in view.cache:
        names = []
        for k in range(view.n):
            c, s = int(view.community[k]), int(view.street[k])
            node = int(view.node[k])
            if node < 0:
                names.append(tr("community_name", lang).format(c=c, s=s))
            else:
                i = structure.row[node]
                names.append(
                    node_name(
                        str(view.kinds[k]), structure.level[i], int(structure.index[i]), c, s, lang
                    )
                )
        view.cache[key] = names
    return view.cache[key]


def _community_columns(
    history: History, month: int, view: View, columns: list[str]
) -> dict[str, np.ndarray]:
    """Per view node, the month's value of each per-community column (nan: none)."""
    table = history.communities_at(month)
    if table.empty or "community" not in table:
        return {}
    position = dict(zip(table["community"].astype(int).tolist(), range(len(table))))
    at = np.array([position.get(int(c), -1) for c in view.community])
    out = {}
    for col in columns:
        if col in table:
            values = np.append(table[col].to_numpy(dtype=float), np.nan)
            out[col] = values[at]  # at == -1 picks the appended nan
    return out


def _node_rows(
    view: View,
    structure: Structure,
    history: History,
    month: int,
    options: Options,
    pairs: dict,
    internal: dict,
) -> list[dict[str, Any]]:
    lang = options.lang
    metric = options.colour if options.colour not in ("kind", "state") else None
    wanted = list(dict.fromkeys(([metric] if metric else []) + list(COMMUNITY_TIP)))
    values = _community_columns(history, month, view, wanted)
    labels = {col: metric_label(col, lang) for col in values}
    text = {col: fmt_numbers(v) for col, v in values.items()}
    colours: list[str | None] = [None] * view.n
    if metric in values:
        colours = metric_colours(metric, values[metric], history.community_table())

    size = np.array([node_style(str(k)).size for k in view.kinds], dtype=float)
    residents = values.get("residents")
    if residents is not None and np.isfinite(residents).any():
        grow = np.sqrt(residents / max(np.nanmean(residents), 1.0))
        size = np.where(np.isfinite(grow), size * np.clip(grow, 0.5, 2.5), size)
    degree = np.zeros(view.n)
    for p, w in pairs.values():
        np.add.at(degree, p[:, 0], w)
        np.add.at(degree, p[:, 1], w)
    if view.district:  # district-wide organisations grow with their ties (a firm's compounds)
        wide = (view.community < 0) & (view.street < 0) & (degree > 0) & ~view.hubs
        if wide.any():
            size[wide] *= np.clip(
                np.sqrt(degree[wide] / max(np.median(degree[wide]), 1.0)), 0.5, 2.5
            )
    size *= view.marker_scale()

    names = _names(view, structure, lang)
    snap = history.agents_at(month)
    keys = {
        "kind": tr("tip_kind", lang),
        "community": tr("tip_community", lang),
        "street": tr("tip_street", lang),
        "state": tr("tip_state", lang),
        "xa": tr("tip_xa", lang),
    }
    rows = []
    for k in range(view.n):
        kind = str(view.kinds[k])
        style = node_style(kind)
        c, s, node = int(view.community[k]), int(view.street[k]), int(view.node[k])
        tip: dict[str, str] = {"title": names[k]}
        if node >= 0:
            i = snap.row(node)
            found = None if i < 0 else history.plans[str(snap.type_of[i])].decode(snap.values[i])
            state = node_state(found)
            tip[keys["kind"]] = kind_label(kind, lang)
            if c >= 0:
                tip[keys["community"]] = str(c)
            if s >= 0:
                tip[keys["street"]] = str(s)
            tip[keys["state"]] = state_label(state, lang)
            if view.hubs[k]:
                tip[tr("tip_hub", lang)] = tr("tip_hub_text", lang).format(n=int(degree[k]))
            for name, v in (found or {}).items():
                if name != "state":
                    tip[attribute_label(name, lang)] = fmt_number(v, lang)
        else:
            state = "community"
            for col in values:
                if np.isfinite(values[col][k]):
                    tip[labels[col]] = text[col][k]
            xa = internal.get("cross_appointment")
            if xa is not None and xa[k]:  # the ties inside that make the red ring
                tip[keys["xa"]] = str(int(xa[k]))
        hollow = state in ("vacant", "inactive")
        if options.colour == "state":
            fill = state_colour(state) if state != "community" else style.colour
        elif metric is not None and c >= 0:
            fill = colours[k] or "#d0d0d0"  # grey: no value recorded yet (month 0)
        else:
            fill = style.colour
        if hollow and options.colour != "state":
            fill = "#ffffff"
        chosen = k == options.selected
        rows.append(
            {
                "id": k,
                "x": round(float(view.pos[k, 0]), 3),
                "y": round(float(view.pos[k, 1]), 3),
                "shape": style.shape,
                "fill": fill,
                "stroke": "#000000" if chosen else (style.colour if hollow else "#333333"),
                "sw": 2.5 if chosen else (1.2 if hollow else 0.5),
                "size": round(float(size[k]) * (1.6 if chosen else 1.0), 1),
                "tip": tip,
            }
        )
    return rows


def _edge_rows(
    view: View, pairs: dict, shown: set[str], lang: str, hidden: np.ndarray
) -> list[dict[str, Any]]:
    """Ties of the shown kinds between view nodes, except those of `hidden` nodes."""
    rows = []
    for kind in edge_kinds(set(pairs)):
        if kind not in shown:
            continue
        es = edge_style(kind)
        p, w = pairs[kind]
        keep = ~(hidden[p[:, 0]] | hidden[p[:, 1]])
        p, w = p[keep], w[keep]
        label, ties = tr_edge(kind, lang), tr("tip_ties", lang)
        xy = np.round(view.pos, 4)
        width = np.round(es.width * np.minimum(1.0 + 0.6 * np.log2(w), 4.0), 2)
        for (a, b), n, lw in zip(p.tolist(), w.tolist(), width.tolist()):
            rows.append(
                {
                    "x": xy[a, 0],
                    "y": xy[a, 1],
                    "x2": xy[b, 0],
                    "y2": xy[b, 1],
                    "colour": es.colour,
                    "dash": list(es.dash) or [1, 0],
                    "op": es.opacity,
                    "w": lw,
                    "tip": {"title": label, ties: str(int(n))},
                }
            )
    return rows


def node_name(
    kind: str, level: str, index: int, community: int, street: int, lang: str = "en"
) -> str:
    """A node's name: its kind and number, and where it is."""
    name = f"{kind_label(kind, lang)} {index}"
    where = []
    if community >= 0 and level != "community":
        where.append(tr("in_community", lang).format(c=community))
    if street >= 0 and level != "street":
        where.append(tr("in_street", lang).format(s=street))
    return f"{name} ({', '.join(where)})" if where else name


def structure_name(structure: Structure, node: int, lang: str = "en") -> str:
    """The name of network node `node`: its kind and number, and where it is."""
    i = structure.row[node]
    return node_name(
        style_key(structure.kind[i], structure.level[i]),
        structure.level[i],
        int(structure.index[i]),
        int(structure.community[i]),
        int(structure.street[i]),
        lang,
    )


def tr_edge(kind: str, lang: str) -> str:
    key = f"edge_{kind}"
    text = tr(key, lang)
    return kind.replace("_", " ") if text == key else text


def spec(view: View, size: int = 560, filename: str = "network") -> dict[str, Any]:
    """The Vega-Lite chart of a view (its data comes with `frame`): ties, cross-appointment
    rings, nodes with hover text, street labels; drag to pan, wheel to zoom."""
    x0, x1, y0, y1 = view.extent()
    xs = {
        "field": "x",
        "type": "quantitative",
        "axis": None,
        "scale": {"domain": [x0, x1], "nice": False, "zero": False},
    }
    ys = {
        "field": "y",
        "type": "quantitative",
        "axis": None,
        "scale": {"domain": [y0, y1], "nice": False, "zero": False},
    }
    tip = {"field": "tip", "type": "nominal"}
    raw = {"type": "nominal", "scale": None}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": f"governance network, {view.key}",
        "width": size,
        "height": size,
        "usermeta": {"square": True, "embedOptions": _export_options(filename)},
        "layer": [
            {
                "data": {"name": "edges"},
                "mark": {"type": "rule"},
                "encoding": {
                    "x": xs,
                    "y": ys,
                    "x2": {"field": "x2"},
                    "y2": {"field": "y2"},
                    "color": {"field": "colour", **raw},
                    "strokeWidth": {"field": "w", "type": "quantitative", "scale": None},
                    "strokeDash": {"field": "dash", **raw},
                    "opacity": {"field": "op", "type": "quantitative", "scale": None},
                    "tooltip": tip,
                },
            },
            {
                "data": {"name": "rings"},
                "mark": {"type": "point", "filled": False, "stroke": XA_RING, "opacity": 0.9},
                "encoding": {
                    "x": xs,
                    "y": ys,
                    "size": {"field": "size", "type": "quantitative", "scale": None},
                    "strokeWidth": {"field": "sw", "type": "quantitative", "scale": None},
                },
            },
            {
                "data": {"name": "nodes"},
                "params": [{"name": "zoom", "select": "interval", "bind": "scales"}],
                "mark": {"type": "point", "filled": True, "opacity": 1, "cursor": "pointer"},
                "encoding": {
                    "x": xs,
                    "y": ys,
                    "shape": {"field": "shape", **raw},
                    "color": {"field": "fill", **raw},
                    "stroke": {"field": "stroke", **raw},
                    "strokeWidth": {"field": "sw", "type": "quantitative", "scale": None},
                    "size": {"field": "size", "type": "quantitative", "scale": None},
                    "tooltip": tip,
                },
            },
            {
                "data": {"name": "labels"},
                "mark": {"type": "text", "color": "#555", "baseline": "bottom"},
                "encoding": {
                    "x": xs,
                    "y": ys,
                    "text": {"field": "text", "type": "nominal"},
                    "size": {"field": "size", "type": "quantitative", "scale": None},
                },
            },
        ],
        "config": {"view": {"stroke": None}},
    }


def _export_options(filename: str) -> dict[str, Any]:
    return {
        "actions": {"export": True, "source": False, "compiled": False, "editor": False},
        "downloadFileName": filename,
        "scaleFactor": 2,
    }


def svg_symbol(kind: str, px: int = 14) -> str:
    """An inline SVG of a node kind's marker for the HTML legend."""
    st = node_style(kind)
    fill = st.colour
    h = px / 2
    shapes = {
        "circle": f'<circle cx="{h}" cy="{h}" r="{h - 1.5}"/>',
        "square": f'<rect x="1.5" y="1.5" width="{px - 3}" height="{px - 3}"/>',
        "triangle-up": f'<polygon points="{h},1 {px - 1},{px - 1.5} 1,{px - 1.5}"/>',
        "triangle-down": f'<polygon points="1,1.5 {px - 1},1.5 {h},{px - 1}"/>',
        "triangle-right": f'<polygon points="1.5,1 {px - 1},{h} 1.5,{px - 1}"/>',
        "diamond": f'<polygon points="{h},1 {px - 1},{h} {h},{px - 1} 1,{h}"/>',
        "cross": (
            f'<polygon points="{h - 2},1 {h + 2},1 {h + 2},{h - 2} {px - 1},{h - 2} '
            f"{px - 1},{h + 2} {h + 2},{h + 2} {h + 2},{px - 1} {h - 2},{px - 1} "
            f'{h - 2},{h + 2} 1,{h + 2} 1,{h - 2} {h - 2},{h - 2}"/>'
        ),
        HEXAGON: _polygon(h, np.pi / 6 + np.arange(6) * np.pi / 3),
        PENTAGON: _polygon(h, -np.pi / 2 + np.arange(5) * 2 * np.pi / 5),
    }
    shape = shapes.get(st.shape, shapes["circle"])
    return (
        f'<svg width="{px}" height="{px}" style="vertical-align:middle">'
        f'<g fill="{fill}" stroke="#333333" stroke-width="1">{shape}</g></svg>'
    )


def _polygon(h: float, angles: np.ndarray) -> str:
    """A regular polygon of radius h - 1.2 round (h, h) with corners at `angles`."""
    return (
        '<polygon points="'
        + " ".join(
            f"{h + (h - 1.2) * np.cos(a):.1f},{h + (h - 1.2) * np.sin(a):.1f}" for a in angles
        )
        + '"/>'
    )


def svg_edge(kind: str, px: int = 28) -> str:
    """An inline SVG sample of a tie kind's line for the HTML legend."""
    es = edge_style(kind)
    dash = f' stroke-dasharray="{",".join(f"{d:g}" for d in es.dash)}"' if es.dash else ""
    w = max(es.width * 1.6, 1.2)
    return (
        f'<svg width="{px}" height="10" style="vertical-align:middle"><line x1="1" y1="5" '
        f'x2="{px - 1}" y2="5" stroke="{es.colour}" stroke-width="{w}"{dash}/></svg>'
    )


def _hex(rgba) -> str:
    r, g, b = (int(round(255 * c)) for c in rgba[:3])
    return f"#{r:02x}{g:02x}{b:02x}"
