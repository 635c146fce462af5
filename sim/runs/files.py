"""Atomic file writes shared by run folders, sweep stores and reports.

Every file is written under a temporary hidden name ending in `.partial` and renamed into
place, so a reader never sees a half-written file under its final name.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "atomic_write_parquet",
    "atomic_write_csv",
    "json_safe",
    "remove_stale_partials",
    "process_alive",
]


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it to `path`.

    The temporary name is hidden (leading dot) and ends in `.partial`, so an interrupted
    write never leaves a file that looks complete. On error the temporary file is removed.
    The writer creates the file itself (so normal permissions apply)::

        with atomic_path("out/table.parquet") as tmp:
            frame.to_parquet(tmp)
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # flush to disk before the rename makes it visible
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


PARTIAL_NAME = re.compile(r"^\..+\.(\d+)-[0-9a-f]+\.partial$")
"""Temporary names of `atomic_path`: `.<name>.<writer's pid>-<random>.partial`."""


def remove_stale_partials(folder: str | Path) -> int:
    """Remove the temporary files that writers killed mid-write left in `folder` (those
    whose writing process is gone); return how many. Files of live writers are kept."""
    folder = Path(folder)
    removed = 0
    if not folder.is_dir():
        return 0
    for path in folder.iterdir():
        m = PARTIAL_NAME.match(path.name)
        if m is None or process_alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists (this process included)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except OSError as err:
        return err.errno == errno.EPERM
    return True


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes to `path` atomically (temporary file + rename); return the path."""
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "xb") as fh:
        fh.write(data)
    return path


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write text to `path` atomically; return the path."""
    return atomic_write_bytes(path, text.encode(encoding))


def atomic_write_json(path: str | Path, data: Any) -> Path:
    """Write `data` as indented JSON atomically (NaN and infinities become null)."""
    text = json.dumps(json_safe(data), indent=2, ensure_ascii=False, allow_nan=False)
    return atomic_write_text(path, text + "\n")


def atomic_write_parquet(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write a DataFrame as Parquet (no index) atomically; return the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
    return path


def atomic_write_csv(path: Path, frame: pd.DataFrame) -> Path:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)
    return path


def json_safe(value: Any) -> Any:
    """Plain JSON types: numpy scalars to Python, non-finite floats to None."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value
