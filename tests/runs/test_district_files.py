"""District tables as files (sim.runs.district_files): build from files → write → build
again gives the same world, in CSV and in Parquet."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core import params as P
from sim.core.district import district_tables
from sim.core.scenario import load_district
from sim.core.world import build_world
from sim.runs.district_files import write_district
from tests.conftest import SMALL
from tests.core.test_district import assert_same_world, small_tables

P_SMALL = P.validate({**SMALL, "n_streets": 2})


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_build_from_files_write_and_build_again_gives_the_same_world(tmp_path, fmt):
    write_district(tmp_path / "given", small_tables(), fmt)  # partial tables, as surveyed
    first = build_world(P_SMALL, np.random.default_rng(11), load_district(tmp_path / "given"))
    write_district(tmp_path / "written", district_tables(first), fmt)
    second = build_world(P_SMALL, np.random.default_rng(11), load_district(tmp_path / "written"))
    assert_same_world(first, second)
    write_district(tmp_path / "again", district_tables(second), fmt)
    for name in ("streets", "communities", "compounds"):
        assert (tmp_path / "written" / f"{name}.{fmt}").read_bytes() == (
            tmp_path / "again" / f"{name}.{fmt}"
        ).read_bytes()


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="allowed csv, parquet"):
        write_district(tmp_path, small_tables(), "xlsx")
