"""Compiled loops for the residents' arrays, where NumPy cannot fuse (ODD §2 "Vectorised
residents", §7.10, §7.4, §7.6, §7.12).

NumPy makes one pass over memory per operation, and a sparse product through scipy
multiplies by every stored weight and branches at the end of every row. A few monthly
passes over every resident are therefore also written as compiled loops (Numba,
`sim.core.kernels.compiled`):

* the two products over the social graph of the participation game, with the residents
  grouped by number of ties so that each group's neighbour lists are added without
  weights and without a branch per resident (`DegreeBlocks`, `group_payoffs`);
* the imitation round after its random draws (`imitate`), and who revises (`below`: the
  residents whose uniform is under the revision rate, without a branch per resident);
* satisfaction and trust (`satisfaction_and_trust`), the allocation of service hours
  (`allocate_services`) and owners' fee decisions after their draws (`pay_fees`);
* residents counted per community or compound from a boolean array (`segment_counts`:
  whole numbers, which NumPy adds through a cast to 64 bits);
* the organisations' graph of coordination links (`link_graph`), their shortest
  coordination paths, searched source by source within the limit and until every target is
  reached (`path_lengths`, which reproduces SciPy's Dijkstra), the check lost through each
  seat's holder (`seat_conflicts`), the filled seats grouped by holder (`group_by_holder`),
  and every office-holder's load from their seats (`loads`).

Each compiled loop computes what the NumPy code beside it computes — the same random draws,
made by NumPy in the same order, and the same float32 or float64 operations in the same
order, with no fast-math — so a run's tables are identical bit for bit whichever path runs
(tests/core/test_kernels.py compares both on whole runs and on each loop). The NumPy code
stays the reference and runs where Numba is not installed.

Which path runs: `set_mode("auto")` (the default) compiles where Numba is installed and the
population has at least `MIN_RESIDENTS` residents; below that, importing Numba (about 0.4 s
of CPU once per process) costs more than the loops save in a run. `set_mode("numpy")` and
`set_mode("compiled")` force one path (the latter fails if Numba is missing).
"""

from __future__ import annotations

import importlib.util
import weakref
from contextlib import contextmanager
from types import ModuleType

import numpy as np

MODES = ("auto", "numpy", "compiled")
MIN_RESIDENTS = 50_000
"""Smallest population for which `auto` uses the compiled loops."""
CHUNK = 8192
"""Rows per chunk of `DegreeBlocks` (the fastest of 2,048-131,072 for the default district
and the city: benchmarks/README.md)."""

_state = {"mode": "auto"}
_compiled: list[ModuleType | None] = []  # [module] once imported, [None] if unavailable


def set_mode(mode: str) -> None:
    """Choose the path: "auto", "numpy" or "compiled" (for the whole process)."""
    if mode not in MODES:
        raise ValueError(f"kernel mode must be one of {MODES}, got {mode!r}")
    if mode == "compiled" and _module() is None:
        raise RuntimeError("compiled kernels need the numba package, which is not installed")
    _state["mode"] = mode


def mode() -> str:
    return _state["mode"]


@contextmanager
def using(mode_: str):
    """Run a block with kernel mode `mode_`, then restore the previous mode."""
    before = _state["mode"]
    set_mode(mode_)
    try:
        yield
    finally:
        _state["mode"] = before


def _module() -> ModuleType | None:
    if not _compiled:
        try:
            from . import compiled
        except ImportError:  # numba (or llvmlite) not installed
            compiled = None
        _compiled.append(compiled)
    return _compiled[0]


def would_compile(n_residents: int) -> bool:
    """Whether a model of this many residents runs the compiled loops in the current mode,
    found without importing Numba (the size guards ask before anything is built)."""
    m = _state["mode"]
    if m == "numpy" or (m == "auto" and n_residents < MIN_RESIDENTS):
        return False
    if _compiled:
        return _compiled[0] is not None
    return importlib.util.find_spec("numba") is not None


def active(n_residents: int) -> ModuleType | None:
    """The compiled module if the compiled path runs for a population of this size, else
    None (then the caller runs its NumPy code)."""
    m = _state["mode"]
    if m == "numpy" or (m == "auto" and n_residents < MIN_RESIDENTS):
        return None
    return _module()


# ----------------------------------------------------------------- social graph by degree


class DegreeBlocks:
    """An unweighted CSR graph with its rows grouped by degree, chunk by chunk.

    The rows are cut into chunks of `CHUNK` consecutive rows; within a chunk they are stably
    sorted by degree, and the rows of one degree form a block, whose neighbour lists are
    stored column by column in `cols` (the first neighbour of every row of the block, then
    the second, ...; each row's neighbours in the CSR's order). Summing a row's neighbours
    then takes d steps with no branch at the row's end, the rows of a block are summed side
    by side, and a chunk's rows and their neighbours (mostly in the same compound) stay in
    the processor's caches: a product over the whole graph, block after block, reads the
    vectors once per chunk rather than once per degree.
    """

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, compiled: ModuleType) -> None:
        n = indptr.shape[0] - 1
        deg = np.diff(indptr)
        index = np.int32 if n < 2**31 - 1 else np.int64
        chunk = np.arange(n, dtype=index) // CHUNK
        self.rows = np.lexsort((deg, chunk)).astype(index)  # stable: CSR order within a key
        deg, chunk = deg[self.rows], chunk[self.rows]
        first = np.flatnonzero(np.diff(deg) != 0) + 1 if n else np.zeros(0, np.int64)
        first = np.union1d(first, np.flatnonzero(np.diff(chunk) != 0) + 1)
        first = np.concatenate([[0], first]).astype(np.int64) if n else first.astype(np.int64)
        self.block_degree = deg[first].astype(np.int64)
        self.block_row = np.append(first, n).astype(np.int64)
        sizes = np.diff(self.block_row) * self.block_degree
        self.block_col = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.cols = np.empty(indices.shape[0], dtype=indices.dtype)
        compiled.fill_blocks(
            indptr, indices, self.rows, self.block_degree, self.block_row, self.block_col, self.cols
        )
        self.largest = int(np.diff(self.block_row).max()) if n else 0
        self.n = n


_blocks: dict[int, tuple[np.ndarray, np.ndarray, DegreeBlocks]] = {}


def degree_blocks(adj, compiled: ModuleType) -> DegreeBlocks:
    """`DegreeBlocks` of a CSR matrix, built once per matrix (kept while it lives)."""
    key = id(adj)
    hit = _blocks.get(key)
    if hit is not None and hit[0] is adj.indptr and hit[1] is adj.indices:
        return hit[2]
    blocks = DegreeBlocks(adj.indptr, adj.indices, compiled)
    _blocks[key] = (adj.indptr, adj.indices, blocks)
    weakref.finalize(adj, _blocks.pop, key, None)
    return blocks


def unweighted_float32(adj) -> bool:
    """Whether `adj` stores float32 ones only (checked once per matrix)."""
    key = ("ones", id(adj))
    hit = _checked.get(key)
    if hit is not None and hit[0] is adj.data:
        return hit[1]
    ok = bool(adj.dtype == np.float32 and np.all(adj.data == 1))
    _checked[key] = (adj.data, ok)
    weakref.finalize(adj, _checked.pop, key, None)
    return ok


_checked: dict[tuple[str, int], tuple[np.ndarray, bool]] = {}


def as_vector(value, n: int, dtype) -> np.ndarray:
    """A scalar as a length-1 array, an array as a contiguous array of `dtype`."""
    arr = np.asarray(value, dtype=dtype)
    return np.ascontiguousarray(arr.reshape(1) if arr.ndim == 0 else arr)


def below(compiled: ModuleType | None, u: np.ndarray, threshold) -> np.ndarray:
    """`np.flatnonzero(u < threshold)`, by the compiled loop where one is given; the
    threshold is compared in the type NumPy would compare it in (a Python float as `u`'s
    dtype, a NumPy float64 as float64)."""
    if compiled is None:
        return np.flatnonzero(u < threshold)
    return compiled.below(u, np.result_type(u.dtype, threshold).type(threshold))
