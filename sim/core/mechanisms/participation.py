"""Resident participation as a public-goods game on the social graph (ODD §7.10).

Volunteering, meetings and assembly votes are modelled as the public-goods game on graphs of
Santos, Santos & Pacheco (2008), "Social diversity promotes the emergence of cooperation in
public goods games", Nature 454:213-216. Everything here is pure and vectorised: residents are
nodes ``0..n-1`` of a symmetric, unweighted scipy.sparse CSR adjacency without self-loops, and
strategies are a boolean array (``True`` = cooperate, i.e. participate).

The game. Every node ``g`` is the centre of one group, made of ``g`` and its ``k_g`` neighbours,
so node ``i`` plays in ``k_i + 1`` groups. Writing ``B = A + I`` (the closed neighbourhoods),
``s`` the strategies and ``c`` the costs:

* ``per_game``: a cooperator puts ``c_i`` into every group it plays in and pays ``c_i (k_i+1)``;
* ``per_individual``: a cooperator has one cost ``c_i`` per generation, split equally over its
  groups, so it puts ``c_i / (k_i+1)`` into each and pays ``c_i`` in total.

The pot of group ``g`` is ``C_g = (B x)_g`` with ``x_i`` the amount node ``i`` puts into each of
its groups; it is multiplied by ``r_g`` and shared equally among the ``k_g + 1`` members, so the
payoff is ``P = B (r C / (k+1)) - paid``: two sparse mat-vecs, no loops. Summed over nodes,
``sum_i P_i = sum_g (r_g - 1) C_g`` (nothing is created or lost except through ``r``).

Strategy revision (synchronous): each node ``x`` with neighbours picks one neighbour ``y``
uniformly at random and, if ``P_y > P_x``, adopts ``y``'s strategy with probability
``(P_y - P_x) / M_xy``, where ``M_xy`` bounds the payoff difference between the two
(:func:`max_payoff_difference`, :func:`edge_max_payoff_difference`).

:func:`run_public_goods_game` runs the paper's pure mode (cost 1, ``r = eta (z+1)``) and is what
``sim.validation.public_goods`` sweeps to reproduce the paper's figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .. import kernels

__all__ = [
    "COST_RULES",
    "PublicGoodsRun",
    "validate_adjacency",
    "group_payoffs",
    "imitation_update",
    "max_payoff_difference",
    "edge_max_payoff_difference",
    "simulate_public_goods_game",
    "run_public_goods_game",
]

COST_RULES: tuple[str, ...] = ("per_game", "per_individual")

SparseCSR = sp.csr_matrix | sp.csr_array


# ---------------------------------------------------------------------------- validation


def _check_cost_rule(cost_rule: str) -> bool:
    """Return True for ``per_individual``, False for ``per_game``; raise otherwise."""
    if cost_rule not in COST_RULES:
        raise ValueError(f"unknown cost_rule {cost_rule!r}: expected one of {COST_RULES}")
    return cost_rule == "per_individual"


def _n_nodes(adj: SparseCSR) -> int:
    """Cheap structural checks done on every call: CSR format and square shape."""
    if not sp.issparse(adj) or adj.format != "csr":
        raise ValueError(
            f"adj must be a scipy.sparse CSR matrix or array, got {type(adj).__name__}"
        )
    n_rows, n_cols = adj.shape
    if n_rows != n_cols:
        raise ValueError(f"adj must be square, got shape {adj.shape}")
    return n_rows


def _check_strategies(cooperate: np.ndarray, n: int) -> np.ndarray:
    cooperate = np.asarray(cooperate)
    if cooperate.dtype != np.bool_:
        raise ValueError(f"cooperate must be a boolean array, got dtype {cooperate.dtype}")
    if cooperate.shape != (n,):
        raise ValueError(f"cooperate must have shape ({n},), got {cooperate.shape}")
    return cooperate


def _node_values(
    value: float | np.ndarray, n: int, name: str, dtype: type | None = np.float64
) -> float | np.ndarray:
    """A finite, non-negative scalar or an array of shape (n,), as `dtype` (None: a float
    array keeps its precision, checked without a copy)."""
    arr = np.asarray(value)
    if dtype is not None or arr.dtype.kind != "f":
        arr = arr.astype(dtype or np.float64, copy=False)
    if arr.ndim == 0:
        out: float | np.ndarray = float(arr)
    elif arr.shape == (n,):
        out = arr
    else:
        raise ValueError(f"{name} must be a scalar or an array of shape ({n},), got {arr.shape}")
    # finite and non-negative: the least at least 0 and the largest finite (NaN fails both)
    if arr.size and not (arr.min() >= 0 and np.isfinite(arr.max())):
        raise ValueError(f"{name} must be finite and non-negative")
    return out


def validate_adjacency(adj: SparseCSR) -> None:
    """Check that ``adj`` is a social graph as this module expects, else raise ValueError.

    Expected: scipy.sparse CSR, square, canonical (sorted, no duplicate entries), unweighted
    (every stored value is 1), no self-loops, symmetric. The per-call functions only check the
    format and shape (they run every month on large graphs); call this once per graph.
    """
    _n_nodes(adj)
    if not adj.has_canonical_format:
        raise ValueError("adj must be in canonical CSR format (sorted indices, no duplicates)")
    if adj.nnz and not np.all(adj.data == 1):
        raise ValueError("adj must be unweighted: every stored value must be 1")
    if np.any(adj.diagonal() != 0):
        raise ValueError("adj must have no self-loops")
    if (adj != adj.T).nnz:
        raise ValueError("adj must be symmetric (an undirected graph)")


# ---------------------------------------------------------------------------- payoffs


def _payoffs(
    adj: SparseCSR,
    cooperate: np.ndarray,
    r: float | np.ndarray,
    cost: float | np.ndarray,
    per_individual: bool,
    size: np.ndarray,
) -> np.ndarray:
    """Unchecked core of :func:`group_payoffs`; ``size`` is the group size ``k + 1`` (float).
    Computed in the precision of ``size`` (the adjacency's), so that the sparse products do
    not convert the adjacency."""
    invest = cooperate.astype(size.dtype)  # per_game: into each group; per_individual: total
    invest *= cost
    if per_individual:
        per_group = invest / size
        paid = invest
    else:
        per_group = invest
        paid = invest * size
    pot = adj @ per_group + per_group  # C = (A + I) x
    share = r * pot / size  # what each member of group g receives from it
    return adj @ share + share - paid  # (A + I) share - paid


def group_payoffs(
    adj: SparseCSR,
    cooperate: np.ndarray,
    r: float | np.ndarray,
    cost: float | np.ndarray = 1.0,
    cost_rule: str = "per_game",
) -> np.ndarray:
    """Payoff of every node accumulated over the ``k_i + 1`` groups it plays in.

    Args:
        adj: symmetric unweighted CSR adjacency without self-loops (see
            :func:`validate_adjacency`), shape (n, n).
        cooperate: boolean strategies, shape (n,).
        r: multiplication factor, a scalar or one value per group (group ``g`` is centred on
            node ``g``), shape (n,).
        cost: contribution cost, a scalar or one value per node, shape (n,).
        cost_rule: ``"per_game"`` (a cooperator pays ``cost`` in each of its ``k+1`` games) or
            ``"per_individual"`` (it pays ``cost`` in total, ``cost/(k+1)`` per game).

    Returns:
        float array of shape (n,), in the adjacency's precision (float32 or float64).
    """
    n = _n_nodes(adj)
    cooperate = _check_strategies(cooperate, n)
    r_v = _node_values(r, n, "r", None)
    cost_v = _node_values(cost, n, "cost", None)
    per_individual = _check_cost_rule(cost_rule)
    # computed in the adjacency's precision (float32 halves the memory traffic of the two
    # sparse products on large graphs)
    dtype = adj.dtype if adj.dtype in (np.float32, np.float64) else np.float64
    compiled = kernels.active(n)
    if compiled is not None and kernels.unweighted_float32(adj):
        return _compiled_payoffs(compiled, adj, cooperate, r_v, cost_v, per_individual)
    size = (np.diff(adj.indptr) + 1).astype(dtype)
    r_v = r_v if np.ndim(r_v) == 0 else np.asarray(r_v, dtype=dtype)
    cost_v = cost_v if np.ndim(cost_v) == 0 else np.asarray(cost_v, dtype=dtype)
    return _payoffs(adj, cooperate, r_v, cost_v, per_individual, size)


def _compiled_payoffs(compiled, adj, cooperate, r, cost, per_individual: bool) -> np.ndarray:
    """`_payoffs` of a float32 unweighted graph by the compiled loop (sim.core.kernels):
    the same float32 operations in the same order, without multiplying by the weights."""
    blocks = kernels.degree_blocks(adj, compiled)
    n = blocks.n
    f32 = np.float32
    per_group, share, out = np.empty(n, f32), np.empty(n, f32), np.empty(n, f32)
    compiled.group_payoffs(
        blocks.block_degree,
        blocks.block_row,
        blocks.block_col,
        blocks.rows,
        blocks.cols,
        adj.indptr,
        cooperate,
        kernels.as_vector(r, n, f32),
        kernels.as_vector(cost, n, f32),
        per_individual,
        per_group,
        share,
        np.empty(blocks.largest, f32),
        out,
    )
    return out


# ---------------------------------------------------------------------------- bounds on M


def max_payoff_difference(
    k_focal: int | np.ndarray,
    k_model: int | np.ndarray,
    r: float,
    cost: float = 1.0,
    cost_rule: str = "per_game",
) -> float | np.ndarray:
    """Bound ``M`` on ``P_model - P_focal`` given the two degrees (scalar ``r`` and ``cost``).

    ``M = sup P_model - inf P_focal``, each taken over all graphs and strategy profiles in which
    the node has the given degree (the other nodes' degrees are free). Both parts are bounded
    because shares are non-negative and each group pays out at most ``r`` times what it holds:

    * ``per_game``: a node of degree ``k`` receives at most ``r c`` from each of its ``k+1``
      groups (every member put in at most ``c``) and pays at most ``c (k+1)``, so
      ``M = c [r (k_model + 1) + (k_focal + 1)]``.
    * ``per_individual``: every member of a group that contains a node of degree ``k >= 1``
      has degree >= 1, so puts in at most ``c/2``; a share is at most ``r c / 2`` and
      ``M = c [r (k_model + 1) / 2 + 1]`` (the payer pays at most ``c``). For ``k_model = 0``
      (an isolated node, never a neighbour) the share bound is ``r c``.

    These are safe bounds: the exact suprema are lower by ``O(r c / (k+1))`` (e.g. a defector
    of degree ``k`` gets strictly less than ``r c`` from its own group), so ``(P_y-P_x)/M`` is a
    probability and never exceeds 1.
    """
    per_individual = _check_cost_rule(cost_rule)
    if not (np.isfinite(r) and r >= 0 and np.isfinite(cost) and cost >= 0):
        raise ValueError("r and cost must be finite and non-negative")
    k_focal = np.asarray(k_focal, dtype=float)
    k_model = np.asarray(k_model, dtype=float)
    if np.any(k_focal < 0) or np.any(k_model < 0):
        raise ValueError("degrees must be non-negative")
    if per_individual:
        upper = np.where(k_model >= 1, r * cost * (k_model + 1) / 2, r * cost)
        lower = cost * np.ones_like(k_focal)
    else:
        upper = r * cost * (k_model + 1)
        lower = cost * (k_focal + 1)
    out = upper + lower
    return float(out) if out.ndim == 0 else out


def edge_max_payoff_difference(
    adj: SparseCSR,
    r: float | np.ndarray,
    cost: float | np.ndarray = 1.0,
    cost_rule: str = "per_game",
) -> np.ndarray:
    """``M`` for every stored edge of ``adj``, aligned with ``adj.indices``.

    Entry ``e`` in row ``x`` (``adj.indptr[x] <= e < adj.indptr[x+1]``) bounds
    ``P_y - P_x`` for focal ``x`` and model ``y = adj.indices[e]``; pass the result as
    ``max_diff`` to :func:`imitation_update`. With scalar ``r`` and ``cost`` it equals
    :func:`max_payoff_difference` of the two degrees. With per-group ``r`` and per-node
    ``cost`` the same bound is used with ``r`` replaced by the largest ``r`` among the model's
    groups (its own and its neighbours'), the model's ``cost`` by the largest cost in the
    population (safe; a group's members may lie two steps away) and the focal's cost by its own.
    """
    n = _n_nodes(adj)
    per_individual = _check_cost_rule(cost_rule)
    r_v = _node_values(r, n, "r")
    cost_v = _node_values(cost, n, "cost")
    indptr, indices = adj.indptr, adj.indices
    deg = np.diff(indptr)
    size = deg + 1.0
    if np.ndim(r_v) == 0:
        r_hi: float | np.ndarray = r_v
    else:
        r_arr = np.asarray(r_v)
        r_hi = r_arr.copy()
        has = deg > 0
        if adj.nnz:  # row maxima over the non-empty rows only (reduceat needs real segments)
            row_max = np.maximum.reduceat(r_arr[indices], indptr[:-1][has])
            r_hi[has] = np.maximum(r_arr[has], row_max)
    c_hi = float(np.max(cost_v)) if n else 0.0
    if per_individual:
        upper = np.where(deg >= 1, r_hi * c_hi * size / 2, r_hi * c_hi)
        lower = cost_v * np.ones(n)
    else:
        upper = r_hi * c_hi * size
        lower = cost_v * size
    upper = np.broadcast_to(upper, (n,))
    rows = np.repeat(np.arange(n), deg)
    return upper[indices] + lower[rows]


# ---------------------------------------------------------------------------- imitation


def _imitate(
    indptr: np.ndarray,
    indices: np.ndarray,
    cooperate: np.ndarray,
    payoffs: np.ndarray,
    rng: np.random.Generator,
    max_diff: float | np.ndarray,
    update_prob: float,
) -> np.ndarray:
    """Unchecked core of :func:`imitation_update`; payoffs are compared in float64."""
    n = indptr.shape[0] - 1
    if indices.shape[0] == 0:
        return cooperate.copy()
    compiled = kernels.active(n)
    if update_prob < 1.0:  # only the revising nodes draw a neighbour and an adoption
        focal = kernels.below(compiled, rng.random(n), update_prob)
    else:
        focal = np.arange(n)
    k = focal.size
    u_pick = rng.random(k)
    u_adopt = rng.random(k)
    new = cooperate.copy()
    if compiled is not None:  # the lines below as one compiled loop (sim.core.kernels)
        md = np.asarray(max_diff, dtype=np.float64).reshape(-1)
        compiled.imitate(indptr, indices, focal, u_pick, u_adopt, payoffs, md, cooperate, new)
        return new
    start = indptr[focal]
    d = indptr[focal + 1] - start
    # Uniform neighbour: edge slot indptr[x] + floor(u k_x); guard the rare u k_x == k_x.
    offset = np.minimum((u_pick * d).astype(np.int64), np.maximum(d - 1, 0))
    edge = np.minimum(start + offset, indices.shape[0] - 1)
    model = indices[edge]
    diff = payoffs[model].astype(np.float64) - payoffs[focal]
    m = max_diff if np.ndim(max_diff) == 0 else max_diff[edge]
    adopt = (d > 0) & (diff > 0) & (u_adopt * m < diff)  # u < diff / M, and M = 0 -> 1
    new[focal[adopt]] = cooperate[model[adopt]]
    return new


def imitation_update(
    adj: SparseCSR,
    cooperate: np.ndarray,
    payoffs: np.ndarray,
    rng: np.random.Generator,
    max_diff: float | np.ndarray,
    update_prob: float = 1.0,
) -> np.ndarray:
    """One synchronous round of the Santos imitation rule; returns the new strategies.

    Every node ``x`` with at least one neighbour draws one neighbour ``y`` uniformly from its
    CSR row. If ``P_y > P_x`` it adopts ``y``'s strategy with probability
    ``min(1, (P_y - P_x) / M)`` (1 if ``M = 0``); otherwise it keeps its own. Nodes of
    degree 0 always keep theirs. With ``update_prob < 1`` each node revises only with that
    probability (drawn independently); the others keep their strategy whatever they drew.

    Args:
        adj: CSR adjacency, shape (n, n).
        cooperate: boolean strategies, shape (n,); not modified.
        payoffs: payoffs, shape (n,), e.g. from :func:`group_payoffs`.
        rng: source of randomness; the draws are, in order, if ``update_prob < 1``,
            ``rng.random(n)`` (who revises), then ``rng.random(k)`` (neighbour) and
            ``rng.random(k)`` (adoption) for the ``k`` revising nodes (all ``n`` when
            ``update_prob == 1``) - nothing is drawn for a graph without edges.
        max_diff: ``M``, a non-negative scalar or one value per stored edge, shape ``(adj.nnz,)``,
            aligned with ``adj.indices`` (see :func:`edge_max_payoff_difference`). A per-node
            bound ``m`` for focal nodes becomes per-edge as ``np.repeat(m, np.diff(adj.indptr))``.
        update_prob: share of nodes that revise this round, in [0, 1].
    """
    n = _n_nodes(adj)
    cooperate = _check_strategies(cooperate, n)
    payoffs = np.asarray(payoffs)
    if payoffs.dtype not in (np.float32, np.float64):
        payoffs = payoffs.astype(np.float64)
    if payoffs.shape != (n,):
        raise ValueError(f"payoffs must have shape ({n},), got {payoffs.shape}")
    md = np.asarray(max_diff, dtype=float)
    if md.ndim == 0:
        md_v: float | np.ndarray = float(md)
    elif md.shape == (adj.nnz,):
        md_v = md
    else:
        raise ValueError(
            f"max_diff must be a scalar or one value per stored edge, shape ({adj.nnz},); "
            f"got {md.shape}"
        )
    if np.any(np.isnan(md)) or np.any(md < 0):
        raise ValueError("max_diff must be non-negative")
    if not 0.0 <= update_prob <= 1.0:
        raise ValueError(f"update_prob must be in [0, 1], got {update_prob}")
    return _imitate(adj.indptr, adj.indices, cooperate, payoffs, rng, md_v, update_prob)


# ---------------------------------------------------------------------------- pure mode


@dataclass(frozen=True)
class PublicGoodsRun:
    """Outcome of one pure-mode run (see :func:`simulate_public_goods_game`)."""

    mean_cooperation: float  # mean fraction of cooperators over the averaging window
    final_cooperation: float  # fraction of cooperators when the run stopped
    generations_run: int  # generations actually simulated (fewer if it fixated)
    fixated: bool  # stopped because everyone cooperates or everyone defects
    strategies: np.ndarray = field(compare=False, repr=False)  # final strategies, shape (n,)


def simulate_public_goods_game(
    adj: SparseCSR,
    eta: float,
    cost_rule: str,
    generations: int,
    transient: int,
    rng: np.random.Generator,
    initial_share: float = 0.5,
) -> PublicGoodsRun:
    """Run the game of Santos, Santos & Pacheco (2008) on ``adj`` and report the outcome.

    Pure mode: cost ``c = 1``, ``r = eta (z + 1)`` with ``z`` the mean degree of ``adj``,
    ``M`` from :func:`edge_max_payoff_difference`, every node revises every generation.
    Initially ``round(initial_share * n)`` nodes, chosen at random, cooperate. The run lasts
    ``transient + generations`` generations; the fraction of cooperators after each of the last
    ``generations`` is averaged. With neither mutation nor noise, all-C and all-D are absorbing,
    so a run that reaches one stops there and the rest of the window counts at that value.
    """
    validate_adjacency(adj)
    per_individual = _check_cost_rule(cost_rule)
    if not (np.isfinite(eta) and eta >= 0):
        raise ValueError(f"eta must be finite and non-negative, got {eta}")
    if int(generations) != generations or generations < 1:
        raise ValueError(f"generations must be a positive integer, got {generations}")
    if int(transient) != transient or transient < 0:
        raise ValueError(f"transient must be a non-negative integer, got {transient}")
    if not 0.0 <= initial_share <= 1.0:
        raise ValueError(f"initial_share must be in [0, 1], got {initial_share}")
    n = adj.shape[0]
    if n == 0:
        raise ValueError("adj has no nodes")
    generations, transient = int(generations), int(transient)

    indptr, indices = adj.indptr, adj.indices
    deg = np.diff(indptr)
    size = deg + 1.0
    r = float(eta) * (adj.nnz / n + 1.0)
    max_diff = edge_max_payoff_difference(adj, r, 1.0, cost_rule)

    cooperate = np.zeros(n, dtype=bool)
    cooperate[rng.permutation(n)[: int(round(initial_share * n))]] = True
    count = int(cooperate.sum())
    total = transient + generations
    recorded = 0.0
    t = 0
    while t < total and 0 < count < n:
        payoffs = _payoffs(adj, cooperate, r, 1.0, per_individual, size)
        cooperate = _imitate(indptr, indices, cooperate, payoffs, rng, max_diff, 1.0)
        count = int(np.count_nonzero(cooperate))
        t += 1
        if t > transient:
            recorded += count
    fixated = count in (0, n)
    # Window generations not simulated because the run fixated keep the final state.
    recorded += count * (generations - max(0, t - transient))
    return PublicGoodsRun(
        mean_cooperation=recorded / (generations * n),
        final_cooperation=count / n,
        generations_run=t,
        fixated=fixated,
        strategies=cooperate,
    )


def run_public_goods_game(
    adj: SparseCSR,
    eta: float,
    cost_rule: str,
    generations: int,
    transient: int,
    rng: np.random.Generator,
    initial_share: float = 0.5,
) -> float:
    """Mean fraction of cooperators after the transient (see :func:`simulate_public_goods_game`).

    Example: ``run_public_goods_game(adj, 0.6, "per_individual", 1000, 2000, rng)``.
    """
    return simulate_public_goods_game(
        adj, eta, cost_rule, generations, transient, rng, initial_share
    ).mean_cooperation
