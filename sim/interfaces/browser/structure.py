"""Where each node of the governance network sits: its street, community and compound.

The app reads the model's network only through what every node and edge carries: a node's
`kind`, `index` and `level` (street, community, compound, district, ...) and an edge's
`kind`. From these it derives, once per model, the skeleton the views are drawn on:

* nodes at level `street` belong to street `index`; nodes at level `community` to
  community `index`;
* any other node below the street level (a compound's organisations, or kinds the app does
  not know yet) belongs to the nearest community through the network, never crossing a
  node at street or district level;
* a node at level `compound` that names its `community` belongs there (a compound's body
  that is not constituted yet, such as a branch not built, has no ties to follow);
* a community's street is the street of the street-level nodes it is tied to;
* the organisations of one compound are those naming the same community and `index`, or,
  for nodes that name none, the compound-level nodes tied to each other, at most one of
  each kind.

The skeleton also keeps who was tied to whom when it was read (the views place district-wide
nodes near their first clients, so positions never depend on the month).

Nodes above the community level that are not streets (firms, NGOs, line departments, ...)
belong to the whole district. New node kinds find their place by the same rules, so the
views need no change when the model gains them.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

ABOVE_COMMUNITY: frozenset[str] = frozenset({"street", "district", "city"})
"""Levels whose nodes never belong to a single community."""


@dataclass
class Structure:
    """One row per network node (sorted by node id): its kind, level, index, and the
    community, street and compound it belongs to (-1: none)."""

    ids: np.ndarray
    kind: np.ndarray
    level: np.ndarray
    index: np.ndarray
    community: np.ndarray
    street: np.ndarray
    compound: np.ndarray
    row: dict[int, int] = field(repr=False)
    neighbours: list[list[int]] = field(repr=False, default_factory=list)  # rows tied at reading

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def streets(self) -> np.ndarray:
        """Street numbers, sorted."""
        return np.unique(self.street[self.street >= 0])

    @property
    def communities(self) -> np.ndarray:
        """Community numbers, sorted."""
        return np.unique(self.community[self.community >= 0])

    def street_of_community(self) -> dict[int, int]:
        """Street of each community (-1 if it has none)."""
        out: dict[int, int] = {}
        for c, s in zip(self.community, self.street):
            if c >= 0:
                out.setdefault(int(c), int(s))
        return out

    def counts(self) -> dict[str, int]:
        """Streets, communities, compounds and nodes of the world."""
        return {
            "streets": len(self.streets),
            "communities": len(self.communities),
            "compounds": len(np.unique(self.compound[self.compound >= 0])),
            "nodes": self.n,
        }


def read_structure(graph: nx.Graph) -> Structure:
    """The skeleton of a governance network (see the module docstring)."""
    ids = np.array(sorted(graph.nodes), dtype=np.int64)
    row = {int(u): i for i, u in enumerate(ids)}
    attrs = graph.nodes
    kind = np.array([str(attrs[u].get("kind", "node")) for u in ids.tolist()], dtype=object)
    level = np.array([str(attrs[u].get("level", "")) for u in ids.tolist()], dtype=object)
    index = np.array(
        [int(attrs[u].get("index", i)) for i, u in enumerate(ids.tolist())], dtype=np.int64
    )
    community = np.where(level == "community", index, -1).astype(np.int64)
    # a compound's bodies may name their community (a branch not yet built has no ties)
    given = np.array([int(attrs[u].get("community", -1)) for u in ids.tolist()], dtype=np.int64)
    community = np.where((level == "compound") & (given >= 0), given, community)
    street = np.where(level == "street", index, -1).astype(np.int64)
    below = np.array([lv not in ABOVE_COMMUNITY for lv in level])

    # every other node below the street level: the nearest community through the network
    queue = deque(np.flatnonzero(community >= 0).tolist())
    while queue:
        i = queue.popleft()
        for v in graph.adj[int(ids[i])]:
            j = row[int(v)]
            if community[j] < 0 and below[j]:
                community[j] = community[i]
                queue.append(j)

    # a community's street: the street most of its street-level neighbours belong to
    votes: dict[int, Counter] = {}
    for i in np.flatnonzero(level == "community").tolist():
        for v in graph.adj[int(ids[i])]:
            j = row[int(v)]
            if street[j] >= 0 and level[j] == "street":
                votes.setdefault(int(community[i]), Counter())[int(street[j])] += 1
    home = {c: min(cnt, key=lambda s: (-cnt[s], s)) for c, cnt in votes.items()}
    member = community >= 0
    street[member] = [home.get(int(c), -1) for c in community[member]]

    compound = _compounds(graph, ids, row, level, community, kind)
    neighbours = [sorted({row[int(v)] for v in graph.adj[int(u)]}) for u in ids.tolist()]
    return Structure(ids, kind, level, index, community, street, compound, row, neighbours)


def _compounds(
    graph: nx.Graph,
    ids: np.ndarray,
    row: dict[int, int],
    level: np.ndarray,
    community: np.ndarray,
    kind: np.ndarray,
) -> np.ndarray:
    """Compounds: compound-level nodes naming the same community and index form one (the
    model's owners' committee and party branch of a compound); the others, tied to each
    other in one community, form one holding at most one organisation of each kind (two
    owners' committees tied by a person holding seats in both are two compounds), joined
    kind of tie by kind, first the kinds that tie each node to at most one other (a branch
    to its own compound's committee), then the more common kinds. Numbered in the order of
    their smallest node id."""
    at = set(np.flatnonzero(level == "compound").tolist())
    ties: dict[str, list[tuple[int, int]]] = {}
    for u, v, data in graph.edges(data=True):
        i, j = row[int(u)], row[int(v)]
        if i != j and i in at and j in at and community[i] == community[j]:
            ties.setdefault(str(data.get("kind", "")), []).append((i, j))

    def order(item: tuple[str, list[tuple[int, int]]]) -> tuple[int, int, str]:
        name, pairs = item
        degree = Counter(k for pair in pairs for k in pair)
        return (max(degree.values()), -len(pairs), name)

    parent = {i: i for i in at}
    kinds = {i: {kind[i]} for i in at}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # the bodies of one compound share its index (owners' committee, branch)
    first: dict[tuple[int, int], int] = {}
    for i in sorted(at):
        if "community" in graph.nodes[int(ids[i])]:
            key = (int(community[i]), int(graph.nodes[int(ids[i])]["index"]))
            j = first.setdefault(key, i)
            if j != i:
                a, b = find(i), find(j)
                if a != b:
                    low, high = min(a, b), max(a, b)
                    parent[high] = low
                    kinds[low] |= kinds.pop(high)
    named = {i for i in at if "community" in graph.nodes[int(ids[i])]}
    # the others by their ties (placed by what it names, a body is not joined by ties:
    # shared people tie compounds)
    for _, pairs in sorted(ties.items(), key=order):
        for i, j in pairs:
            if i in named or j in named:
                continue
            a, b = find(i), find(j)
            if a != b and not kinds[a] & kinds[b]:
                low, high = min(a, b), max(a, b)
                parent[high] = low
                kinds[low] |= kinds.pop(high)
    out = np.full(len(ids), -1, dtype=np.int64)
    roots: dict[int, int] = {}
    for i in sorted(at):
        out[i] = roots.setdefault(find(i), len(roots))
    return out
