"""Sums and means of many small groups at once, equal bit for bit to NumPy's sum or mean
of each group on its own (ODD §2: organisations deciding all at once must decide exactly as
one after the other, so that a run's tables do not depend on how a rule is batched).

NumPy adds up to 7 numbers left to right and longer arrays pairwise; a group here is a row
of a matrix with a mask of the entries that belong to it, so rows of up to 7 entries are
summed column by column (adding 0.0 for the entries left out changes nothing) and longer
rows are handed to NumPy one by one.
"""

from __future__ import annotations

import numpy as np

LEFT_TO_RIGHT = 7
"""NumPy sums this many numbers or fewer left to right (its pairwise sum starts at 8)."""


def row_sums(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sum of each row's `values` where `mask`, as NumPy's sum of those values."""
    total = np.zeros(len(values))
    for j in range(values.shape[1]):
        total += np.where(mask[:, j], values[:, j], 0.0)
    for r in np.flatnonzero(mask.sum(axis=1) > LEFT_TO_RIGHT).tolist():
        total[r] = values[r][mask[r]].sum()
    return total


def row_means(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of each row's `values` where `mask` (0 for an empty row), as NumPy's mean."""
    size = mask.sum(axis=1)
    return np.where(size > 0, row_sums(values, mask) / np.maximum(size, 1), 0.0)


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-d integer array, as `np.unique(values)`, by one
    sort: NumPy's `unique` hashes first and then sorts, several times slower on the few
    thousand edge keys that the network's caches rebuild every month."""
    s = np.sort(np.asarray(values).ravel())
    if s.size < 2:
        return s
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def among(values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Whether each of the integers `values` is in `pool`, as `np.isin(values, pool)`, by
    sorting the pool and searching it: several times faster than `isin` on the few
    hundred values that the organisations' rules look up every month."""
    values = np.asarray(values)
    pool = np.sort(np.asarray(pool).ravel())
    if pool.size == 0:
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(pool, values), pool.size - 1)
    return pool[at] == values


def segment_sums(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sum of each run of `values` (consecutive runs of `counts[k]` values), as NumPy's sum
    of that run on its own — unlike `np.add.reduceat`, which adds a run's first value to
    the sum of the others and so may differ in the last bit."""
    counts = np.asarray(counts, dtype=np.int64)
    width = int(counts.max()) if counts.size else 0
    row = np.repeat(np.arange(counts.size), counts)
    col = np.arange(row.size) - np.repeat(np.cumsum(counts) - counts, counts)
    matrix = np.zeros((counts.size, width))
    mask = np.zeros((counts.size, width), dtype=bool)
    matrix[row, col] = values
    mask[row, col] = True
    return row_sums(matrix, mask)
