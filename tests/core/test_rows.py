"""Sums and means per row equal NumPy's sum and mean of each row's selected values, bit
for bit (ODD §2: a batched decision decides exactly as one by one)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.rows import (
    RUN_BY_RUN,
    among,
    distinct,
    pairwise_sums,
    row_means,
    row_sums,
    segment_sums,
)


def test_row_sums_and_means_equal_numpy_bit_for_bit_for_every_row_length():
    rng = np.random.default_rng(1)
    values = rng.random((4000, 12)) * rng.choice([1e-3, 1.0, 1e3], (4000, 12))
    mask = rng.random((4000, 12)) < rng.random((4000, 1))  # 0 to 12 entries per row
    sums, means = row_sums(values, mask), row_means(values, mask)
    for r in range(len(values)):
        chosen = values[r][mask[r]]
        assert sums[r] == chosen.sum()
        assert means[r] == (chosen.mean() if chosen.size else 0.0)
    # the test saw rows of every length, including those NumPy sums pairwise
    assert set(mask.sum(axis=1).tolist()) == set(range(13))


def test_narrow_rows_are_summed_left_to_right_as_numpy_sums_them():
    """Matrices of at most seven columns (an owners' committee's seats) have no row to sum
    pairwise: their masked rows still sum as NumPy sums each row's selected values."""
    rng = np.random.default_rng(3)
    for width in range(1, 8):
        values = rng.standard_normal((500, width)) * 10.0 ** rng.uniform(-3, 6, (500, width))
        mask = rng.random((500, width)) < rng.random((500, 1))
        sums = row_sums(values, mask)
        each = np.array([row[keep].sum() for row, keep in zip(values, mask)])
        assert sums.tobytes() == each.tobytes()


def test_narrow_rows_summed_at_once_equal_the_column_by_column_sum():
    """Up to seven columns `row_sums` is one NumPy sum of the matrix with the entries left
    out set to 0.0: equal, bit for bit, to adding column by column from 0.0 (each row's
    values left to right), for matrices stored by rows or columns, with negative zeros and
    empty rows; a mean divides by the count (an empty row's is 0.0)."""
    rng = np.random.default_rng(5)
    for width in range(0, 8):
        values = rng.standard_normal((400, width)) * 10.0 ** rng.uniform(-8, 8, (400, width))
        values[rng.random(values.shape) < 0.1] = -0.0
        mask = rng.random((400, width)) < rng.random((400, 1))
        by_columns = np.zeros(400)
        for j in range(width):
            by_columns += np.where(mask[:, j], values[:, j], 0.0)
        for v in (values, np.asfortranarray(values)):
            assert row_sums(v, mask).tobytes() == by_columns.tobytes()
        size = mask.sum(axis=1)
        means = np.where(size > 0, by_columns / np.maximum(size, 1), 0.0)
        assert row_means(values, mask).tobytes() == means.tobytes()


def test_a_plain_running_sum_would_not_do():
    """Why the module exists: NumPy's reduceat does not add as NumPy's sum does."""
    rng = np.random.default_rng(2)
    values = rng.random((2000, 6)) * rng.choice([1e-3, 1.0, 1e3], (2000, 6))
    one_by_one = np.array([row.sum() for row in values])
    by_reduceat = np.add.reduceat(values.ravel(), np.arange(0, values.size, 6))
    assert np.any(by_reduceat != one_by_one)
    assert np.array_equal(row_sums(values, np.ones_like(values, bool)), one_by_one)


def test_rows_where_every_entry_counts_are_summed_as_numpy_sums_each_row():
    """With every entry counted (NumPy's sum along the rows of a C-ordered copy), each row
    sums as NumPy's sum of that row on its own, bit for bit, for every length from 0 to 300
    (left to right, pairwise, blocks split in two), for a matrix stored by columns or as a
    view, and for rows of negative zeros."""
    rng = np.random.default_rng(13)
    for n in range(301):
        values = rng.standard_normal((5, n)) * 10.0 ** rng.uniform(-3, 6, (5, n))
        each = np.array([row.sum() for row in values])
        for v in (values, np.asfortranarray(values), np.hstack([values, values])[:, :n]):
            assert row_sums(v, np.ones(v.shape, dtype=bool)).tobytes() == each.tobytes()
    zeros = np.full((2, 3), -0.0)
    assert row_sums(zeros, np.ones((2, 3), bool)).tobytes() == zeros.sum(axis=1).tobytes()
    assert row_sums(zeros, np.ones((2, 3), bool)).tobytes() == np.array([0.0, 0.0]).tobytes()


def test_runs_are_summed_as_numpy_sums_each_run_unlike_reduceat():
    """`segment_sums` of consecutive runs equals NumPy's sum of each run bit for bit, for
    runs left to right (up to 7) and pairwise (8 and more), and values of any magnitude;
    `np.add.reduceat` (the run's first value plus the sum of the rest) does not always."""
    rng = np.random.default_rng(11)
    counts = rng.integers(1, 40, size=400)
    values = rng.random(counts.sum()) * 10.0 ** rng.uniform(-3, 6, counts.sum())
    starts = np.cumsum(counts) - counts
    each = np.array([values[s : s + c].sum() for s, c in zip(starts, counts)])
    assert np.array_equal(segment_sums(values, counts), each)
    assert not np.array_equal(np.add.reduceat(values, starts), each)
    assert segment_sums(np.zeros(0), np.zeros(0, dtype=int)).shape == (0,)


@pytest.mark.parametrize("runs", [3, RUN_BY_RUN, RUN_BY_RUN + 1, 3 * RUN_BY_RUN])
def test_few_runs_and_many_are_summed_alike(runs):
    """Whether `segment_sums` sums each run on its own (few runs: short ones left to right
    in Python, long ones by NumPy) or as rows of a padded matrix (many), each run sums as
    NumPy's sum of it on its own, bit for bit — empty runs, runs of negative zeros, float32
    values (summed as float64) and a strided view included."""
    rng = np.random.default_rng(runs)
    counts = rng.integers(0, 20, size=runs)
    counts[:2] = [3, 9]  # ... their values all -0.0
    values = rng.standard_normal(counts.sum()) * 10.0 ** rng.uniform(-3, 6, counts.sum())
    values[::5] = -0.0
    values[:12] = -0.0
    starts = np.cumsum(counts) - counts
    pairs = np.stack([values, values], axis=1)
    for v in (values, values.astype(np.float32), pairs[:, 1]):
        each = np.array([v[s : s + c].astype(np.float64).sum() for s, c in zip(starts, counts)])
        assert segment_sums(v, counts).tobytes() == each.tobytes()


def test_distinct_values_are_numpys_unique():
    """`distinct` gives what `np.unique` gives (sorted, each value once) for arrays with
    and without repeats, of every small size, and for negative keys."""
    rng = np.random.default_rng(5)
    for size in [0, 1, 2, 3, 50, 4000]:
        for high in [3, 1 << 40]:
            keys = rng.integers(-high, high, size)
            assert np.array_equal(distinct(keys), np.unique(keys))
            assert distinct(keys).dtype == keys.dtype
    assert distinct(np.array([7, 7, 7])).tolist() == [7]


def test_among_is_numpys_isin():
    """`among(values, pool)` answers as `np.isin(values, pool)` for integer arrays of one or
    two dimensions, pools with repeats, and empty values or pools."""
    rng = np.random.default_rng(9)
    for shape in [(0,), (1,), (500,), (40, 7)]:
        for pool_size in [0, 1, 5, 300]:
            values = rng.integers(-20, 60, shape)
            pool = rng.integers(-20, 60, pool_size)
            got = among(values, pool)
            assert got.shape == values.shape and got.dtype == bool
            assert np.array_equal(got, np.isin(values, pool))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rows_summed_together_as_numpy_sums_each_row(dtype):
    """`pairwise_sums` equals NumPy's sum of each row on its own, bit for bit, for every
    length from 1 to 300 (left to right, one block of eight running sums, blocks split in
    two beyond 128) and values of any sign and magnitude."""
    rng = np.random.default_rng(12)
    for n in range(1, 301):
        a = rng.random((20, n)) * 10.0 ** rng.uniform(-3, 6, (20, n))
        a = (a * rng.choice([-1.0, 1.0], (20, n))).astype(dtype)
        got = pairwise_sums(a)
        assert got.dtype == dtype
        assert np.array_equal(got, np.array([row.sum() for row in a])), n
    for n in (3, 10, 200):  # a row of negative zeros sums to +0.0, as NumPy's sum
        zeros = np.full((2, n), -0.0, dtype=dtype)
        assert not np.signbit(pairwise_sums(zeros)).any() and not np.signbit(zeros[0].sum())


def test_long_masked_rows_are_summed_as_numpy_sums_them():
    """Rows with up to 150 chosen entries scattered among 200 columns."""
    rng = np.random.default_rng(13)
    values = rng.random((300, 200)) * 10.0 ** rng.uniform(-3, 6, (300, 200))
    mask = rng.random((300, 200)) < rng.uniform(0, 0.75, (300, 1))
    each = np.array([values[r][mask[r]].sum() for r in range(300)])
    assert np.array_equal(row_sums(values, mask), each)  # long rows summed together
    assert np.array_equal(row_sums(values[:5], mask[:5]), each[:5])  # ... or one by one
    assert mask.sum(axis=1).max() > 128  # the test saw rows NumPy splits in two
