"""A district's tables written as files: the other half of the round trip whose reading
half is `sim.core.scenario.load_district` (schema: docs/DATA.md).

`write_district(folder, tables)` writes `streets`, `communities` and `compounds` (the
DataFrames of `sim.core.district.district_tables`) as CSV (UTF-8, every value written so
that it reads back exactly) or Parquet, each file atomically. A run from a district keeps
its completed tables in the run folder's `world/`; `python -m sim world` writes any world's.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .files import atomic_write_csv, atomic_write_parquet

__all__ = ["FORMATS", "write_district"]

FORMATS = ("csv", "parquet")


def write_district(
    folder: str | Path, tables: dict[str, pd.DataFrame], fmt: str = "csv"
) -> list[Path]:
    """Write each table as `<folder>/<name>.<fmt>`; return the paths written."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: allowed {', '.join(FORMATS)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in tables.items():
        path = folder / f"{name}.{fmt}"
        write = atomic_write_csv if fmt == "csv" else atomic_write_parquet
        paths.append(write(path, frame))
    return paths
