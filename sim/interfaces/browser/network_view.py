"""Views of the governance network: layouts computed once, drawing every month.

Two views of `model.network` (the typed MultiGraph behind `model.grid`):

* the **district view** — the quotient graph under the community partition: one node per
  street office, community (its party organisation, residents' committee, compound branches
  and owners'-committee seats merged), property firm and NGO slot; the ties between members
  of two view nodes are summed into one weighted tie per kind, and ties inside a community
  (all cross-appointment ties are) become the community's own state;
* the **street view** — one street in full detail: its street office, the community party
  organisations and residents' committees, compound party branches, owners'-committee seats,
  and every firm and NGO slot of the district (so a contract won during the run always has a
  place to point to).

A view is built once per model and view choice (`district_view`, `street_view`): positions
are a deterministic radial layout of the static structure — streets and communities round a
circle, compounds on arcs beside their community, firms and NGOs on outer rings ordered by
the angle of their clients — so the picture never jumps while the model runs and identical
worlds give identical pictures. Every month, `frame` reads the current ties and states and
`draw` turns them into a matplotlib figure without any text (legends are drawn by the app in
HTML, so they follow the interface language and need no CJK font in matplotlib).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from PIL import Image as PILImage

from sim.core.state import OC_CAPTURED, OC_FUNCTIONING, OC_NONE, OC_STALLED

# ------------------------------------------------------------------------------ styles
NODE_STYLE: dict[str, dict] = {
    "street_office": {"marker": "s", "color": "#2c3e50", "size": 150},
    "party_branch": {"marker": "^", "cmap": "Reds", "size": 70},
    "compound_branch": {"marker": "^", "color": "#e8a09a", "size": 22},
    "residents_committee": {"marker": "o", "cmap": "metric", "size": 70},
    "community": {"marker": "o", "cmap": "metric", "size": 90},
    "property_firm": {"marker": "h", "cmap": "Oranges", "size": 60},
    "ngo": {"marker": "D", "cmap": "Purples", "size": 45},
    "ngo_empty": {"marker": "D", "color": "none", "edge": "#b3b3b3", "size": 30},
    "owners_committee": {"marker": "o", "color": "#f2f2f2", "edge": "#b3b3b3", "size": 16},
    "oc_none": {"marker": "o", "color": "#f2f2f2", "edge": "#b3b3b3", "size": 16},
    "oc_functioning": {"marker": "o", "color": "#1e8449", "size": 22},
    "oc_stalled": {"marker": "o", "color": "#f0b323", "size": 22},
    "oc_captured": {"marker": "o", "color": "#6c3483", "size": 22},
}
"""Marker, colour (or colour map: `metric` = the chosen community metric) and base size of
each kind of view node; `draw` scales sizes with the number of nodes."""

OC_KIND = {OC_NONE: "oc_none", OC_FUNCTIONING: "oc_functioning", OC_STALLED: "oc_stalled",
           OC_CAPTURED: "oc_captured"}

EDGE_STYLE: dict[str, dict] = {  # static kinds first: they are the cached background
    "hierarchy": {"color": "#8c8c8c", "width": 0.6, "dash": "solid", "alpha": 0.6},
    "peer": {"color": "#48c9b0", "width": 0.7, "dash": "dashed", "alpha": 0.6},
    "collaboration": {"color": "#17a589", "width": 0.9, "dash": "dashed", "alpha": 0.8},
    "coordination": {"color": "#2e86c1", "width": 0.8, "dash": "solid", "alpha": 0.8},
    "supervision": {"color": "#7d3c98", "width": 0.6, "dash": "dotted", "alpha": 0.7},
    "contract": {"color": "#e67e22", "width": 0.5, "dash": "solid", "alpha": 0.4},
    "cross_appointment": {"color": "#e3241b", "width": 1.8, "dash": "solid", "alpha": 0.95},
}
"""Edge style per tie kind, in drawing order (cross-appointment on top)."""

STATIC_KINDS: tuple[str, ...] = ("hierarchy", "peer")
"""Tie kinds the model never changes during a run: drawn once into a background image."""

EDGES_SHOWN: tuple[str, ...] = tuple(k for k in EDGE_STYLE if k != "supervision")
"""Tie kinds shown until the user toggles them: supervision ties run along contract
(owners' committee → firm) and hierarchy (street → residents' committee) ties, so they are
hidden at first to keep the picture readable."""

EDGE_KINDS: tuple[str, ...] = tuple(EDGE_STYLE)

XA_RING = "#e3241b"

METRICS: dict[str, tuple[bool, float, float]] = {
    "trust_rc": (True, 0.3, 0.7),
    "satisfaction": (True, 0.3, 0.7),
    "needs_met": (True, 0.2, 0.8),
    "coordination": (True, 0.5, 1.0),
    "admin_burden": (False, 0.4, 1.0),
    "skill": (True, 0.0, 1.0),
    "property_quality": (True, 0.1, 0.7),
}
"""Community metrics the residents' committees / communities can be shaded by: whether
higher is better (the colour map runs red → green in the good direction) and the fixed
range the colours span (fixed, so a colour means the same value in every month)."""


def metric_cmap(metric: str) -> str:
    """Colour map of a community metric: red is bad, green is good."""
    return "RdYlGn" if METRICS[metric][0] else "RdYlGn_r"


def metric_scale(metric: str, values: np.ndarray) -> np.ndarray:
    """Values mapped to [0, 1] over the metric's fixed colour range (nan stays nan)."""
    _, lo, hi = METRICS[metric]
    return np.clip((np.asarray(values, dtype=float) - lo) / (hi - lo), 0.0, 1.0)


# ------------------------------------------------------------------------------ views
@dataclass
class View:
    """A view of the network: which network node belongs to which view node, and where
    view nodes are drawn. Built once; `frame` reads the model every month."""

    key: str
    kinds: np.ndarray  # kind of each view node (a NODE_STYLE key before state)
    index: np.ndarray  # row of the view node in its type's state table
    pos: np.ndarray  # (n, 2) positions
    member: np.ndarray  # network node id -> view node (-1: not shown)
    n_compounds: np.ndarray = field(default=None)  # community view nodes: compounds

    @property
    def n(self) -> int:
        return len(self.kinds)


def _sectors(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split the circle, from the top, into sectors proportional to `weights`:
    (start angle, width) of each."""
    w = np.asarray(weights, dtype=float)
    width = 2 * np.pi * w / (w.sum() if w.sum() > 0 else 1.0)
    start = np.concatenate(([0.0], np.cumsum(width)[:-1]))
    return start + np.pi / 2, width


def _polar(r: np.ndarray | float, theta: np.ndarray) -> np.ndarray:
    return np.column_stack((r * np.cos(theta), r * np.sin(theta)))


def _ring(r: float, angles: np.ndarray) -> np.ndarray:
    """Nodes evenly spaced on a ring of radius r, in the order of their preferred angles
    (measured from the top, so the order does not depend on where the circle starts)."""
    n = len(angles)
    if n == 0:
        return np.zeros((0, 2))
    order = np.argsort(np.mod(angles - np.pi / 2, 2 * np.pi), kind="stable")
    theta = np.empty(n)
    theta[order] = np.pi / 2 + 2 * np.pi * (np.arange(n) + 0.5) / n
    return _polar(r, theta)


def _mean_angle(theta: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Circular mean of angles per group; a group without members is spread evenly by its
    number (so unconnected firms and NGO slots keep a fixed, tidy place)."""
    sx = np.bincount(groups, weights=np.cos(theta), minlength=n)
    sy = np.bincount(groups, weights=np.sin(theta), minlength=n)
    has = np.bincount(groups, minlength=n) > 0
    default = np.pi / 2 + 2 * np.pi * (np.arange(n) + 0.5) / max(n, 1)
    return np.where(has, np.arctan2(sy, sx), default)


def _offsets(model) -> dict[str, int]:
    return model.world.node_offset


def _compound_branch_index(model) -> tuple[np.ndarray, np.ndarray]:
    """(compound of each compound-branch node, node ids), both sorted by node id."""
    items = sorted(model.network.graph["branch_of_compound"].items(), key=lambda kv: kv[1])
    comp = np.array([c for c, _ in items], dtype=np.int64)
    nodes = np.array([nd for _, nd in items], dtype=np.int64)
    return comp, nodes


def district_view(model) -> View:
    """One node per street office, community, firm and NGO slot; communities round a circle
    grouped by street, street offices inside, firms and NGOs on two outer rings."""
    off = _offsets(model)
    n_nodes = model.network.number_of_nodes()
    cm, cp = model.communities, model.compounds
    n_s, n_c, n_f, n_g = model.streets.n, cm.n, model.firms.n, model.ngos.n
    # view nodes: streets, communities, firms, ngos
    base_c, base_f, base_g = n_s, n_s + n_c, n_s + n_c + n_f
    member = np.full(n_nodes, -1, dtype=np.int64)
    member[off["street_office"]:off["street_office"] + n_s] = np.arange(n_s)
    member[off["party_branch"]:off["party_branch"] + n_c] = base_c + np.arange(n_c)
    member[off["residents_committee"]:off["residents_committee"] + n_c] = base_c + np.arange(n_c)
    member[off["owners_committee"]:off["owners_committee"] + cp.n] = base_c + cp.community
    member[off["property_committee"]:off["property_committee"] + n_c] = base_c + np.arange(n_c)
    br_comp, br_nodes = _compound_branch_index(model)
    member[br_nodes] = base_c + cp.community[br_comp]
    member[off["property_firm"]:off["property_firm"] + n_f] = base_f + np.arange(n_f)
    member[off["ngo"]:off["ngo"] + n_g] = base_g + np.arange(n_g)

    # communities in street order round the unit circle, one empty slot between streets
    order = np.lexsort((np.arange(n_c), cm.street))
    slot = np.arange(n_c) + np.searchsorted(np.unique(cm.street[order]), cm.street[order])
    n_slots = n_c + len(np.unique(cm.street))
    theta_c = np.empty(n_c)
    theta_c[order] = np.pi / 2 + 2 * np.pi * slot / max(n_slots, 1)
    pos_c = _polar(1.0, theta_c)
    theta_s = _mean_angle(theta_c, cm.street, n_s)
    pos_s = _polar(0.62, theta_s)
    # firms ordered by the mean angle of their compounds' communities
    served = cp.firm >= 0
    pos_f = _ring(1.32, _mean_angle(theta_c[cp.community[served]], cp.firm[served], n_f))
    with_ngo = cm.ngo >= 0
    pos_g = _ring(1.52, _mean_angle(theta_c[with_ngo], cm.ngo[with_ngo], n_g))

    kinds = np.array(["street_office"] * n_s + ["community"] * n_c + ["property_firm"] * n_f
                     + ["ngo"] * n_g, dtype=object)
    index = np.concatenate([np.arange(n_s), np.arange(n_c), np.arange(n_f), np.arange(n_g)])
    pos = np.vstack([pos_s, pos_c, pos_f, pos_g]) if len(kinds) else np.zeros((0, 2))
    return View("district", kinds, index, pos, member,
                n_compounds=np.bincount(cp.community, minlength=n_c))


def street_view(model, street: int) -> View:
    """One street in full detail; the district's firms and NGO slots on two outer rings."""
    off = _offsets(model)
    n_nodes = model.network.number_of_nodes()
    cm, cp = model.communities, model.compounds
    n_f, n_g = model.firms.n, model.ngos.n
    street = int(street)
    if not 0 <= street < model.streets.n:
        raise ValueError(f"street {street} does not exist (0..{model.streets.n - 1})")
    comms = np.flatnonzero(cm.street == street)
    comps = np.flatnonzero(np.isin(cp.community, comms))
    br_comp, br_nodes = _compound_branch_index(model)
    keep_br = np.isin(br_comp, comps)
    br_comp, br_nodes = br_comp[keep_br], br_nodes[keep_br]

    # each community gets a sector proportional to its compounds (+1 for its own nodes)
    per_comm = np.array([np.sum(cp.community[comps] == c) for c in comms])
    start, width = _sectors(per_comm + 1.0)
    centre = start + width / 2
    theta_comp = np.empty(len(comps))
    row = np.zeros(len(comps))
    for i, c in enumerate(comms):
        mine = np.flatnonzero(cp.community[comps] == c)
        k = len(mine)
        # compounds spread over the sector, leaving a margin at both edges
        theta_comp[mine] = start[i] + width[i] * (np.arange(k) + 1.0) / (k + 1.0)
        row[mine] = np.arange(k) % 2
    density = len(comps) / (2 * np.pi)
    stagger = 0.13 if density > 12 else 0.0
    pos_oc = _polar(1.05 + stagger * row, theta_comp)
    theta_of_comp = dict(zip(comps.tolist(), theta_comp.tolist()))
    pos_br = _polar(0.88, np.array([theta_of_comp[int(c)] for c in br_comp]))
    delta = np.minimum(width * 0.18, 0.12)
    pos_pb = _polar(0.5, centre - delta)
    pos_rc = _polar(0.64, centre + delta)
    pos_so = np.zeros((1, 2))
    # firms and NGO slots: ordered by the angle of their clients in this street
    served = cp.firm[comps] >= 0
    pos_f = _ring(1.45, _mean_angle(theta_comp[served], cp.firm[comps][served], n_f))
    has_ngo = cm.ngo[comms] >= 0
    pos_g = _ring(1.65, _mean_angle(centre[has_ngo], cm.ngo[comms][has_ngo], n_g))

    kinds = np.array(
        ["street_office"] + ["party_branch"] * len(comms) + ["residents_committee"] * len(comms)
        + ["compound_branch"] * len(br_nodes) + ["owners_committee"] * len(comps)
        + ["property_firm"] * n_f + ["ngo"] * n_g, dtype=object)
    index = np.concatenate([[street], comms, comms, br_comp, comps, np.arange(n_f),
                            np.arange(n_g)]).astype(np.int64)
    nodes = np.concatenate([
        [off["street_office"] + street], off["party_branch"] + comms,
        off["residents_committee"] + comms, br_nodes, off["owners_committee"] + comps,
        off["property_firm"] + np.arange(n_f), off["ngo"] + np.arange(n_g),
    ]).astype(np.int64)
    member = np.full(n_nodes, -1, dtype=np.int64)
    member[nodes] = np.arange(len(nodes))
    pos = np.vstack([pos_so, pos_pb, pos_rc, pos_br, pos_oc, pos_f, pos_g])
    return View(f"street:{street}", kinds, index, pos, member)


def build_view(model, view: str) -> View:
    """`district` or `street:<n>`."""
    if view == "district":
        return district_view(model)
    if view.startswith("street:"):
        return street_view(model, int(view.split(":", 1)[1]))
    raise ValueError(f"unknown view {view!r}")


# ------------------------------------------------------------------------------ frames
@dataclass
class Frame:
    """What one month looks like in a view: ties per kind and node states."""

    edges: dict[str, tuple[np.ndarray, np.ndarray]]  # kind -> (pairs (m, 2), weights (m,))
    internal: dict[str, np.ndarray]  # kind -> ties inside each view node (district view)
    style_kind: np.ndarray  # NODE_STYLE key of each node (after state: oc_*, ngo_empty)
    value: np.ndarray  # shade value in [0, 1] (nan: fixed colour)
    size: np.ndarray  # size multiplier
    ring: np.ndarray  # width of a red cross-appointment ring (0: none)
    outline: np.ndarray  # True: red outline (drifted NGO)


def aggregate_edges(
    member: np.ndarray, edges: Iterable[tuple[int, int, str]], n_view: int
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, np.ndarray]]:
    """Map network ties onto view nodes: ties between two view nodes summed per kind into
    (pairs, weights); ties within one view node counted per node (`internal`); ties with
    an end outside the view dropped."""
    counts: dict[str, dict[tuple[int, int], int]] = {}
    internal: dict[str, np.ndarray] = {}
    for u, v, kind in edges:
        a, b = int(member[u]), int(member[v])
        if a < 0 or b < 0:
            continue
        if a == b:
            if kind not in internal:
                internal[kind] = np.zeros(n_view, dtype=np.int64)
            internal[kind][a] += 1
            continue
        pair = (a, b) if a < b else (b, a)
        bucket = counts.setdefault(kind, {})
        bucket[pair] = bucket.get(pair, 0) + 1
    out = {}
    for kind, bucket in counts.items():
        pairs = np.array(list(bucket.keys()), dtype=np.int64).reshape(-1, 2)
        out[kind] = (pairs, np.array(list(bucket.values()), dtype=float))
    return out, internal


def community_metric(model, metric: str) -> np.ndarray:
    """Per-community value in [0, 1] of a shading metric (nan before it is known)."""
    cm, cp, res = model.communities, model.compounds, model.residents
    n = cm.n
    pop = np.maximum(cm.residents, 1)
    if metric == "trust_rc":
        return model.community_trust("rc")
    if metric == "satisfaction":
        return res.per_community(res.satisfaction.astype(float), n) / pop
    if metric == "needs_met":
        return np.full(n, np.nan) if model.steps == 0 else np.asarray(cm.needs_met, dtype=float)
    if metric == "coordination":
        return np.asarray(cm.coordination, dtype=float)
    if metric == "admin_burden":
        return np.where(cm.hours > 0, cm.admin_hours / np.maximum(cm.hours, 1e-9), np.nan)
    if metric == "skill":
        return cm.skill / max(model.p["skill_max"], 1e-9)
    if metric == "property_quality":
        w = np.bincount(cp.community, weights=cp.residents, minlength=n)
        q = np.bincount(cp.community, weights=cp.quality * cp.residents, minlength=n)
        return q / np.maximum(w, 1)
    raise ValueError(f"unknown metric {metric!r}")


def frame(view: View, model, metric: str = "trust_rc") -> Frame:
    """Read the model's current ties and states for a view."""
    n = view.n
    edges, internal = aggregate_edges(view.member, model.network.edges(keys=True), n)
    kinds = view.kinds
    style_kind = kinds.copy()
    value = np.full(n, np.nan)
    size = np.ones(n)
    ring = np.zeros(n)
    outline = np.zeros(n, dtype=bool)
    cm, cp, firms, ngos = model.communities, model.compounds, model.firms, model.ngos
    comm_values = community_metric(model, metric)

    sel = kinds == "community"
    if sel.any():
        idx = view.index[sel]
        value[sel] = comm_values[idx]
        res = cm.residents[idx].astype(float)
        size[sel] = np.sqrt(res / max(res.mean(), 1.0)).clip(0.5, 2.5)
        xa = internal.get("cross_appointment", np.zeros(n, dtype=np.int64))[sel]
        oc_xa = np.bincount(cp.community, weights=(cp.oc_state != OC_NONE)
                            & (cp.xa_intensity > 0), minlength=cm.n)[idx]
        share = oc_xa / np.maximum(view.n_compounds[idx], 1)
        ring[sel] = np.where(xa > 0, 0.8 + 3.0 * share, 0.0)
    sel = kinds == "residents_committee"
    value[sel] = comm_values[view.index[sel]]
    sel = kinds == "party_branch"
    value[sel] = np.clip(cm.coordination[view.index[sel]], 0, 1)
    sel = kinds == "owners_committee"
    if sel.any():
        style_kind[sel] = [OC_KIND.get(int(s), "oc_none") for s in cp.oc_state[view.index[sel]]]
    sel = kinds == "property_firm"
    if sel.any():
        idx = view.index[sel]
        value[sel] = firms.capability[idx]
        served = firms.compounds[idx].astype(float)
        size[sel] = np.sqrt(served / max(served.mean(), 1.0)).clip(0.35, 2.5)
    sel = kinds == "ngo"
    if sel.any():
        idx = view.index[sel]
        alive = ngos.alive[idx]
        value[sel] = np.where(alive, ngos.capability[idx], np.nan)
        style_kind[np.flatnonzero(sel)[~alive]] = "ngo_empty"
        outline[np.flatnonzero(sel)] = alive & (ngos.alignment[idx] < model.p["drift_threshold"])
    return Frame(edges, internal, style_kind, value, size, ring, outline)


# ------------------------------------------------------------------------------ drawing
def _face_colours(style: dict, values: np.ndarray, metric: str) -> np.ndarray:
    """RGBA fill of nodes of one style."""
    n = len(values)
    if "cmap" not in style:
        return np.tile(to_rgba_array(style["color"] if style["color"] != "none" else (0, 0, 0, 0)),
                       (n, 1))
    if style["cmap"] == "metric":
        rgba = colormaps[metric_cmap(metric)](np.nan_to_num(metric_scale(metric, values), nan=0.5))
        rgba[np.isnan(values)] = (0.8, 0.8, 0.8, 1.0)
        return rgba
    return colormaps[style["cmap"]](0.35 + 0.65 * np.clip(np.nan_to_num(values, nan=0.5), 0, 1))


class Painter:
    """The picture of one view: a matplotlib figure built once, whose colours, sizes and
    ties are updated every month (building a new figure each month costs several times
    more). `png` returns the month's picture; it is safe to call from several threads."""

    def __init__(self, view: View, size_in: float = 7.0, dpi: int = 80) -> None:
        self.view = view
        self.fig = Figure(figsize=(size_in, size_in), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self._lock = threading.Lock()
        ax = self.ax = self.fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.set_autoscale_on(False)
        pos = view.pos
        span = (np.abs(pos).max() * 1.06 + 0.05) if len(pos) else 1.0
        ax.set_xlim(-span, span)
        ax.set_ylim(-span, span)
        self.scale = float(np.clip(np.sqrt(160.0 / max(view.n, 1)), 0.35, 1.6))
        self.lines = {}
        self._drawn: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._version: dict[str, int] = dict.fromkeys(EDGE_STYLE, 0)
        self._background = None  # pixels of the static ties, reused while they do not change
        self._background_key: tuple = ()
        for kind, st in EDGE_STYLE.items():
            lc = LineCollection([], colors=st["color"], linestyles=st["dash"], alpha=st["alpha"],
                                zorder=1 if kind != "cross_appointment" else 2)
            ax.add_collection(lc, autolim=False)
            self.lines[kind] = lc
        self.ringed = np.flatnonzero(view.kinds == "community")
        self.rings = ax.scatter(pos[self.ringed, 0], pos[self.ringed, 1], marker="o",
                                facecolors="none", edgecolors=XA_RING, zorder=3)
        marker = np.array([NODE_STYLE[k]["marker"] for k in view.kinds], dtype=object)
        self.groups = []
        for m in dict.fromkeys(marker.tolist()):
            idx = np.flatnonzero(marker == m)
            coll = ax.scatter(pos[idx, 0], pos[idx, 1], marker=m, zorder=4)
            self.groups.append((idx, coll))

    def update(self, fr: Frame, metric: str = "trust_rc", show: Iterable[str] = EDGES_SHOWN) -> None:
        """Set ties, colours and sizes to those of a month."""
        pos, scale, show = self.view.pos, self.scale, set(show)
        for kind, lc in self.lines.items():
            pairs, weight = fr.edges.get(kind, (np.zeros((0, 2), dtype=np.int64), np.zeros(0)))
            visible = kind in show and len(pairs) > 0
            lc.set_visible(visible)
            last = self._drawn.get(kind)
            if visible and (last is None or not (np.array_equal(last[0], pairs)
                                                 and np.array_equal(last[1], weight))):
                # ties change rarely: rebuild the segments only when they do
                st = EDGE_STYLE[kind]
                lc.set_segments(pos[pairs])
                lc.set_linewidths(st["width"] * np.minimum(1.0 + 0.6 * np.log2(weight), 4.0)
                                  * max(scale, 0.6))
                self._drawn[kind] = (pairs, weight)
                self._version[kind] += 1
        ring = fr.ring[self.ringed]
        self.rings.set_visible("cross_appointment" in show and bool((ring > 0).any()))
        self.rings.set_sizes(NODE_STYLE["community"]["size"] * scale * fr.size[self.ringed] ** 2
                             * 1.9)
        self.rings.set_linewidths(ring)
        n = self.view.n
        face = np.zeros((n, 4))
        edge = np.tile(to_rgba_array("#333333"), (n, 1))
        size = np.zeros(n)
        for kind in dict.fromkeys(fr.style_kind.tolist()):
            st = NODE_STYLE[kind]
            sel = fr.style_kind == kind
            face[sel] = _face_colours(st, fr.value[sel], metric)
            if "edge" in st:
                edge[sel] = to_rgba_array(st["edge"])
            size[sel] = st["size"] * scale * fr.size[sel] ** 2
        edge[fr.outline] = to_rgba_array(XA_RING)
        width = np.where(fr.outline, 1.6, 0.4)
        for idx, coll in self.groups:
            coll.set_facecolors(face[idx])
            coll.set_edgecolors(edge[idx])
            coll.set_sizes(size[idx])
            coll.set_linewidths(width[idx])

    def render(self) -> None:
        """Draw the figure: the static ties come from a cached background image (drawn
        again only when they or their visibility change), everything else on top of it."""
        key = tuple((k, self.lines[k].get_visible(), self._version[k]) for k in STATIC_KINDS)
        dynamic = [lc for k, lc in self.lines.items() if k not in STATIC_KINDS]
        dynamic += [self.rings] + [coll for _, coll in self.groups]
        dynamic = [a for a in dynamic if a.get_visible()]
        if self._background is None or key != self._background_key:
            for a in dynamic:
                a.set_visible(False)
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._background_key = key
            for a in dynamic:
                a.set_visible(True)
        self.canvas.restore_region(self._background)
        for a in sorted(dynamic, key=lambda a: a.get_zorder()):
            self.ax.draw_artist(a)

    def png(self, fr: Frame, metric: str = "trust_rc", show: Iterable[str] = EDGES_SHOWN,
            compress_level: int = 1) -> bytes:
        """The month's picture as PNG bytes."""
        with self._lock:
            self.update(fr, metric, show)
            self.render()
            w, h = self.canvas.get_width_height()
            image = PILImage.frombuffer("RGBA", (w, h), self.canvas.buffer_rgba(), "raw",
                                        "RGBA", 0, 1)
            buf = io.BytesIO()
            image.save(buf, format="png", compress_level=compress_level)
        return buf.getvalue()


def draw(view: View, fr: Frame, metric: str = "trust_rc",
         show: Iterable[str] = EDGES_SHOWN) -> Figure:
    """The network of one month as a new matplotlib figure (no text: the legend is the
    app's)."""
    painter = Painter(view)
    painter.update(fr, metric, show)
    return painter.fig


def svg_symbol(kind: str, metric: str = "trust_rc", px: int = 14) -> str:
    """An inline SVG of a node kind's marker for the HTML legend."""
    st = NODE_STYLE[kind]
    if "color" in st:
        fill = st["color"] if st["color"] != "none" else "white"
    elif st["cmap"] == "metric":
        fill = _hex(colormaps[metric_cmap(metric)](0.75))
    else:
        fill = _hex(colormaps[st["cmap"]](0.75))
    stroke = st.get("edge", "#333333")
    h = px / 2
    shapes = {
        "o": f'<circle cx="{h}" cy="{h}" r="{h - 1.5}"/>',
        "s": f'<rect x="1.5" y="1.5" width="{px - 3}" height="{px - 3}"/>',
        "^": f'<polygon points="{h},1 {px - 1},{px - 1.5} 1,{px - 1.5}"/>',
        "D": f'<polygon points="{h},1 {px - 1},{h} {h},{px - 1} 1,{h}"/>',
        "h": "<polygon points=\"" + " ".join(
            f"{h + (h - 1.2) * np.cos(a):.1f},{h + (h - 1.2) * np.sin(a):.1f}"
            for a in np.pi / 6 + np.arange(6) * np.pi / 3) + '"/>',
    }
    return (f'<svg width="{px}" height="{px}" style="vertical-align:middle">'
            f'<g fill="{fill}" stroke="{stroke}" stroke-width="1">{shapes[st["marker"]]}</g></svg>')


def svg_edge(kind: str, px: int = 28) -> str:
    """An inline SVG sample of a tie kind's line for the HTML legend."""
    st = EDGE_STYLE[kind]
    dash = {"solid": "", "dashed": ' stroke-dasharray="5,3"', "dotted": ' stroke-dasharray="1.5,2.5"'}
    w = max(st["width"] * 1.8, 1.2)
    return (f'<svg width="{px}" height="10" style="vertical-align:middle"><line x1="1" y1="5" '
            f'x2="{px - 1}" y2="5" stroke="{st["color"]}" stroke-width="{w}"{dash[st["dash"]]}/></svg>')


def gradient_css(metric: str) -> str:
    """CSS linear gradient of a community metric's colour map (low → high)."""
    cmap = colormaps[metric_cmap(metric)]
    stops = ", ".join(_hex(cmap(x)) for x in np.linspace(0, 1, 7))
    return f"linear-gradient(to right, {stops})"


def _hex(rgba) -> str:
    r, g, b = (int(round(255 * c)) for c in rgba[:3])
    return f"#{r:02x}{g:02x}{b:02x}"
