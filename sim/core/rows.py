"""Sums and means of many small groups at once, equal bit for bit to NumPy's sum or mean
of each group on its own (ODD §2: organisations deciding all at once must decide exactly as
one after the other, so that a run's tables do not depend on how a rule is batched).

NumPy adds up to 7 numbers left to right and longer arrays pairwise; a group here is a row
of a matrix with a mask of the entries that belong to it, so rows of up to 7 entries are
summed column by column (adding 0.0 for the entries left out changes nothing) and longer
rows, their entries moved to the front, by NumPy's pairwise scheme written out over columns
(`pairwise_sums`: all rows of one length at once, instead of one NumPy sum per row).
"""

from __future__ import annotations

import numpy as np

LEFT_TO_RIGHT = 7
"""NumPy sums this many numbers or fewer left to right (its pairwise sum starts at 8)."""


PAIRWISE_BLOCK = 128
"""NumPy's pairwise sum adds up to this many numbers with eight running sums (the k-th
adding every eighth number from the k-th) and splits a longer array in two."""


ONE_BY_ONE = 24
"""Up to this many long rows are handed to NumPy one by one (fewer NumPy calls than
`pairwise_sums` makes for them)."""


RUN_BY_RUN = 200
"""Up to this many runs `segment_sums` sums each run on its own: a long run by NumPy (about
half a microsecond a run), a short one by Python's float additions in NumPy's order (IEEE
double additions both, a fifth of that); the padded matrix summed by `row_sums` costs
about 100 microseconds, so it pays only for more runs."""


def pairwise_sums(a: np.ndarray) -> np.ndarray:
    """Sum of each row of the 2-d array `a` (in its dtype), as NumPy's sum of that row on its
    own: NumPy's pairwise scheme applied to all rows at once, column block by column block,
    added to the reduction's starting value 0 (so that a row of -0.0 sums to 0.0, as in
    NumPy)."""
    return np.add(_pairwise(a), a.dtype.type(0.0))


def _pairwise(a: np.ndarray) -> np.ndarray:
    """NumPy's pairwise sum of each row (its `pairwise_sum`, which starts from -0.0)."""
    n = a.shape[1]
    if n <= LEFT_TO_RIGHT:
        total = np.full(len(a), -0.0, dtype=a.dtype)
        for i in range(n):
            total = total + a[:, i]
        return total
    if n <= PAIRWISE_BLOCK:
        run = a[:, :8].copy()
        stop = n - n % 8
        for i in range(8, stop, 8):
            run += a[:, i : i + 8]
        total = (run[:, 0] + run[:, 1] + (run[:, 2] + run[:, 3])) + (
            run[:, 4] + run[:, 5] + (run[:, 6] + run[:, 7])
        )
        for i in range(stop, n):
            total = total + a[:, i]
        return total
    half = n // 2
    half -= half % 8
    return _pairwise(a[:, :half]) + _pairwise(a[:, half:])


def row_sums(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sum of each row's `values` where `mask`, as NumPy's sum of those values. Where every
    entry counts, NumPy's sum along the rows of a C-ordered matrix of floats is already the
    sum of each row on its own; rows of up to `LEFT_TO_RIGHT` entries are summed so too,
    the entries left out set to 0.0 (NumPy adds them left to right, as the loop below)."""
    if values.dtype == np.float64 and values.shape[1] <= LEFT_TO_RIGHT:
        return np.where(mask, values, 0.0).sum(axis=1)
    if values.dtype == np.float64 and mask.all():
        return np.ascontiguousarray(values).sum(axis=1)
    total = np.zeros(len(values))
    for j in range(values.shape[1]):
        total += np.where(mask[:, j], values[:, j], 0.0)
    if values.shape[1] <= LEFT_TO_RIGHT:  # no row is long enough to be summed pairwise
        return total
    count = mask.sum(axis=1)
    long = np.flatnonzero(count > LEFT_TO_RIGHT)
    if long.size <= ONE_BY_ONE:
        for r in long.tolist():
            total[r] = values[r][mask[r]].sum()
    else:
        # each long row's entries moved to its front, in order, then rows of one length
        # summed together
        order = np.argsort(~mask[long], axis=1, kind="stable")
        packed = np.take_along_axis(values[long], order, axis=1)
        for n in np.unique(count[long]).tolist():
            rows = count[long] == n
            total[long[rows]] = pairwise_sums(packed[rows, :n])
    return total


def row_means(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of each row's `values` where `mask` (0 for an empty row), as NumPy's mean."""
    # an empty row sums to 0.0, and 0.0 / 1 is its mean
    return row_sums(values, mask) / np.maximum(mask.sum(axis=1), 1)


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
    return in_sorted(values, np.sort(np.asarray(pool).ravel()))


def in_sorted(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of `values` is in the sorted 1-d array `keys` (a binary search each)."""
    values = np.asarray(values)
    if keys.size == 0:
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(keys, values), keys.size - 1)
    return keys[at] == values


def segment_sums(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sum of each run of `values` (consecutive runs of `counts[k]` values), as NumPy's sum
    of that run on its own — unlike `np.add.reduceat`, which adds a run's first value to
    the sum of the others and so may differ in the last bit. The values are summed as
    float64."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.size <= RUN_BY_RUN:
        values = np.asarray(values, dtype=np.float64)
        total = np.empty(counts.size)
        add = np.add.reduce
        listed = None
        start = 0
        for k, end in enumerate(np.cumsum(counts).tolist()):
            if end - start <= LEFT_TO_RIGHT:  # as NumPy: 0 + (-0.0 + a + b + ...)
                if listed is None:
                    listed = values.tolist()
                run = -0.0
                for x in listed[start:end]:
                    run += x
                total[k] = 0.0 + run
            else:
                total[k] = add(values[start:end])
            start = end
        return total
    width = int(counts.max()) if counts.size else 0
    row = np.repeat(np.arange(counts.size), counts)
    col = np.arange(row.size) - np.repeat(np.cumsum(counts) - counts, counts)
    matrix = np.zeros((counts.size, width))
    mask = np.zeros((counts.size, width), dtype=bool)
    matrix[row, col] = values
    mask[row, col] = True
    return row_sums(matrix, mask)
