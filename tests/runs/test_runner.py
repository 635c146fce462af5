"""A run's summary (sim.runs.runner.summarise): the last month's value and the mean over the
final months of every outcome the series holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.core.metrics import OUTCOMES
from sim.runs.runner import summarise


def _one_by_one(series: pd.DataFrame, window: int) -> dict[str, float]:
    """The summary outcome by outcome, with NumPy's own mean of each column's defined
    months: the specification `summarise` computes for all outcomes at once."""
    out: dict[str, float] = {}
    tail = series.tail(window)
    for name in OUTCOMES:
        if name in series:
            out[f"final_{name}"] = float(series[name].iloc[-1])
            values = tail[name].to_numpy(dtype=float)
            seen = values[~np.isnan(values)]
            out[f"mean_{name}"] = float(seen.mean()) if seen.size else float("nan")
    return out


@pytest.mark.parametrize("window", [1, 5, 12, 30])
def test_the_summary_is_each_outcomes_last_value_and_mean_bit_for_bit(window):
    rng = np.random.default_rng(window)
    months = 40
    names = list(OUTCOMES)[:25]
    data = rng.random((months, len(names))) * 10.0 ** rng.uniform(-3, 4, (months, len(names)))
    data[rng.random(data.shape) < 0.2] = np.nan  # months where an outcome is undefined
    data[:, 3] = np.nan  # undefined throughout
    data[:, 4] = -0.0
    series = pd.DataFrame(data, columns=names)
    series[names[5]] = rng.integers(0, 9, months)  # a count
    got, want = summarise(series, window), _one_by_one(series, window)
    assert list(got) == list(want)  # the same keys in the same order
    for key in want:
        assert np.array_equal(got[key], want[key], equal_nan=True), key
        assert np.signbit(got[key]) == np.signbit(want[key]), key
    assert np.isnan(got[f"mean_{names[3]}"])
