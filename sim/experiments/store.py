"""The sweep results store: one folder per experiment, appended in Parquet part files.

    results/<experiment>/
        definition.toml        the experiment file as it was last run
        sweep.json             the resolved definition (factors, seeds, base parameters, ...)
        design.parquet         one row per arm/point: arm, point, factor values (+ raw sample)
        plan.parquet           one row per planned run: key, arm, point, replicate, seed
        sessions.json          one entry per `sweep` invocation: counts, wall time, workers
        runs/part-*.parquet    one row per run that finished, each run once: key, arm, point,
                               replicate, seed, factor values, model_code, status ("ok"),
                               error, traceback (empty), elapsed, final_<outcome> and
                               mean_<outcome> for every outcome
        failures/part-*.parquet  one row per failed attempt, the same columns (status
                               "failed", error and traceback filled, outcomes empty); a run
                               retried and failed again appears once per attempt
        series/part-*.parquet  kept series of finished runs: key, step, kept outcomes (if
                               series_period), each key and step once

Every part file of a folder has the same Arrow schema (`runs_schema`: text columns stay
text when all their values are empty, every outcome column is there), so any Parquet reader
(pandas, polars, DuckDB, `pyarrow.dataset`) reads a folder as one table. Finished and failed
runs are kept apart, so a raw reader of `runs/` sees every finished run exactly once, and a
run retried after a failure is in `runs/` with its failed attempts in `failures/`.

Every file is written under a hidden temporary name and renamed into place, so a killed
sweep never leaves a half-written part under a name that is read. A batch's series part is
written before its runs part, under the same name; a writer first removes series parts a
crash left without their runs part. A run counts as done only once its row is in `runs/`.
Reading also deduplicates by key (an OK row wins over a failed one; the latest wins among
equals), so folders written before runs and failures were kept apart read the same.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.core.params import ScenarioError
from sim.runs.files import (
    atomic_path,
    atomic_write_json,
    atomic_write_parquet,
    atomic_write_text,
    process_alive,
    remove_stale_partials,
)

__all__ = ["RunStore", "ResultsError"]

PART_GLOB = "part-*.parquet"
LOCK_FILE = "sweep.lock"
TEXT_COLUMNS = ("key", "arm", "model_code", "status", "error", "traceback")
"""Columns that hold text, typed as text even in a part where every value is empty."""
INT_COLUMNS = ("point", "replicate", "seed")
META_COLUMNS = ("key", "arm", "point", "replicate", "seed")
RESULT_COLUMNS = ("model_code", "status", "error", "traceback", "elapsed")


def runs_schema(factors: pd.DataFrame | None = None) -> pa.Schema:
    """The Arrow schema of every part in `runs/` and `failures/`: the run's place in the
    plan, its factor values (typed as the columns of `factors`, the design's), the result
    columns and `final_<o>`, `mean_<o>` (float64) for every outcome of sim.core.metrics."""
    from sim.core.metrics import OUTCOMES

    fields = [pa.field(c, pa.string() if c in TEXT_COLUMNS else pa.int64()) for c in META_COLUMNS]
    if factors is not None and len(factors.columns):
        design = pa.Schema.from_pandas(factors, preserve_index=False)
        fields += [pa.field(f.name, pa.string() if f.type == pa.null() else f.type) for f in design]
    fields += [pa.field(c, pa.float64() if c == "elapsed" else pa.string()) for c in RESULT_COLUMNS]
    fields += [pa.field(f"{s}_{o}", pa.float64()) for o in OUTCOMES for s in ("final", "mean")]
    return pa.schema(fields)


class ResultsError(ScenarioError):
    """A results folder that cannot be used (missing, not a sweep's, or locked)."""


class RunStore:
    """Read and append the results of one experiment."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / "runs"
        self.failures_dir = self.root / "failures"
        self.series_dir = self.root / "series"
        self.schema: pa.Schema | None = None  # of the parts this writer appends (prepare)
        self._seq = itertools.count()

    # --- opening -----------------------------------------------------------------------
    @classmethod
    def create(cls, root: str | Path) -> RunStore:
        """Open for writing, creating the folder if needed."""
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise ResultsError(f"{root}: exists and is a file; --out must be a folder")
        try:
            (root / "runs").mkdir(parents=True, exist_ok=True)
            (root / "series").mkdir(exist_ok=True)
        except OSError as err:
            raise ResultsError(f"{root}: cannot create the results folder ({err})") from None
        return cls(root)

    @classmethod
    def open(cls, root: str | Path) -> RunStore:
        """Open an existing results folder for reading."""
        root = Path(root)
        if not root.is_dir():
            raise ResultsError(
                f"{root}: no such results folder (run `python -m sim sweep <experiment>.toml` "
                "first, or give the folder it wrote)"
            )
        if not (root / "sweep.json").is_file():
            raise ResultsError(
                f"{root}: not a sweep results folder (no sweep.json); give the folder a sweep "
                "wrote, e.g. results/<experiment>"
            )
        return cls(root)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder for one writer; refuse if another live process holds it. The
        holder first removes the temporary files that killed writers left behind."""
        path = self.root / LOCK_FILE
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pid = _read_pid(path)
                if pid is not None and pid != os.getpid() and process_alive(pid):
                    raise ResultsError(
                        f"{self.root}: another sweep (process {pid}) is writing to this "
                        "folder; wait for it, or give another --out"
                    ) from None
                with contextlib.suppress(OSError):
                    path.unlink()  # stale lock of a process that died
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            break
        for folder in (self.root, self.runs_dir, self.failures_dir, self.series_dir):
            remove_stale_partials(folder)
        self._remove_orphan_series()
        try:
            yield
        finally:
            self.unlock()

    def unlock(self) -> None:
        """Remove the lock file if this process holds it."""
        path = self.root / LOCK_FILE
        if _read_pid(path) == os.getpid():
            with contextlib.suppress(OSError):
                path.unlink()

    # --- writing -----------------------------------------------------------------------
    def save_definition(
        self, text: str, info: dict[str, Any], design: pd.DataFrame, plan: pd.DataFrame
    ) -> None:
        """Store the experiment file, its resolved form, the design and the run plan."""
        atomic_write_text(self.root / "definition.toml", text)
        atomic_write_json(self.root / "sweep.json", info)
        atomic_write_parquet(self.root / "design.parquet", design)
        atomic_write_parquet(self.root / "plan.parquet", plan)

    def append(
        self,
        rows: list[dict[str, Any]] | pd.DataFrame,
        series: pd.DataFrame | None = None,
        schema: pa.Schema | None = None,
    ) -> Path | None:
        """Write a batch of run rows (and their series) as new part files, series first:
        finished runs into `runs/`, failed ones into `failures/`, all under one name and,
        with `schema` (`runs_schema`), with exactly its columns and types."""
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
        if frame.empty:
            return None
        name = self._part_name()
        ok = frame["status"] == "ok" if "status" in frame else pd.Series(True, index=frame.index)
        written = None
        if ok.any():
            if series is not None and not series.empty:
                self.series_dir.mkdir(parents=True, exist_ok=True)
                _write_part(self.series_dir / name, _table(series))
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            written = _write_part(self.runs_dir / name, _table(frame[ok], schema))
        if not ok.all():
            self.failures_dir.mkdir(parents=True, exist_ok=True)
            path = _write_part(self.failures_dir / name, _table(frame[~ok], schema))
            written = written or path
        return written

    def _part_name(self) -> str:
        return f"part-{time.time_ns():020d}-{os.getpid()}-{next(self._seq):06d}.parquet"

    def log_session(self, entry: dict[str, Any]) -> None:
        """Append one entry to sessions.json (rewritten atomically)."""
        atomic_write_json(self.root / "sessions.json", [*self.sessions(), entry])

    def compact(self, schema: pa.Schema | None = None) -> int:
        """Rewrite all part files as one part of each kind (runs: the latest OK row of each
        key; failures: every failed attempt; series: each key and step of a finished run
        once), with `schema` (default: the one `prepare` settled on, if any), all under one
        name; return the parts removed.

        The new parts are in place before the old ones are removed, so a crash in between
        only leaves duplicates, which reading removes."""
        schema = schema or self.schema
        old = {d: _parts(d) for d in (self.runs_dir, self.failures_dir, self.series_dir)}
        raw = self._raw_runs()
        if raw.empty:
            return 0
        is_ok = raw["status"] == "ok"
        ok = raw[is_ok].drop_duplicates("key", keep="last")
        name = self._part_name()
        series = self.series(keys=list(ok["key"]))
        if not series.empty:
            _write_part(self.series_dir / name, _table(series))
        if len(ok):
            _write_part(self.runs_dir / name, _table(ok, schema))
        if not is_ok.all():
            self.failures_dir.mkdir(parents=True, exist_ok=True)
            _write_part(self.failures_dir / name, _table(raw[~is_ok], schema))
        removed = 0
        for parts in old.values():
            for p in parts:
                with contextlib.suppress(OSError):
                    p.unlink()
                removed += 1
        return removed

    def prepare(self, schema: pa.Schema) -> pa.Schema:
        """Ready the folder for appending rows of `schema`; return the schema to append with.

        A folder whose parts all have `schema` and hold no failed row in `runs/` is left as
        it is. Otherwise (a folder written by earlier code, or by a model with other
        outcomes) it is compacted into one schema: `schema`'s columns, then any other
        column a stored part has, so every part again reads as one table."""
        parts = _parts(self.runs_dir) + _parts(self.failures_dir)
        schemas = [_read_schema(p) for p in parts]
        mixed = any(
            (_read_part(p, columns=["status"])["status"] != "ok").any()
            for p in _parts(self.runs_dir)
        )
        if not mixed and all(s.equals(schema) for s in schemas):
            self.schema = schema
            return schema
        extra = {f.name: f for s in schemas for f in s if f.name not in schema.names}
        self.schema = pa.schema([*schema, *extra.values()])
        if parts:
            self.compact()
        return self.schema

    # --- reading -----------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """The resolved definition (sweep.json), checked to hold what a report reads."""
        path = self.root / "sweep.json"
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ResultsError(f"{path}: unreadable ({err}); {REWRITE}") from None
        problem = _info_problem(info)
        if problem:
            raise ResultsError(f"{path}: {problem}; {REWRITE}")
        return info

    def design(self) -> pd.DataFrame:
        """One row per arm or design point (design.parquet)."""
        return _read_table(self.root / "design.parquet", ["arm", "point"])

    def plan(self) -> pd.DataFrame:
        """One row per planned run (plan.parquet)."""
        return _read_table(self.root / "plan.parquet", ["key", "arm", "point", "replicate", "seed"])

    def sessions(self) -> list[dict[str, Any]]:
        path = self.root / "sessions.json"
        if not path.is_file():
            return []
        try:
            return list(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return []

    def part_count(self) -> int:
        return len(self._run_parts())

    def _run_parts(self) -> list[Path]:
        """Parts of `runs/` and `failures/`, in the order they were written."""
        return sorted(_parts(self.runs_dir) + _parts(self.failures_dir), key=lambda p: p.name)

    def _raw_runs(self) -> pd.DataFrame:
        """Every stored row of `runs/` and `failures/` in the order written (no dedup)."""
        parts = (_read_part(p, required=RUN_COLUMNS) for p in self._run_parts())
        frames = [f for f in parts if not f.empty]
        if not frames:
            return pd.DataFrame(columns=["key", "arm", "point", "replicate", "seed", "status"])
        return pd.concat(frames, ignore_index=True)

    def _remove_orphan_series(self) -> None:
        """Series parts whose runs part was never written (a crash between the two writes):
        their runs are not done and will run again, so their rows would be duplicates."""
        names = {p.name for p in _parts(self.runs_dir)}
        orphans = [p for p in _parts(self.series_dir) if p.name not in names]
        if not orphans:
            return
        ok = {k for k, s in self.statuses().items() if s == "ok"}
        for p in orphans:
            keys = set(_read_part(p, columns=["key"])["key"].astype(str))
            if not keys & ok:
                with contextlib.suppress(OSError):
                    p.unlink()

    def statuses(self) -> dict[str, str]:
        """Key → "ok" or "failed" (OK wins) for every stored run; reads two columns only."""
        frames = [_read_part(p, columns=["key", "status"]) for p in self._run_parts()]
        if not frames:
            return {}
        df = pd.concat(frames, ignore_index=True)
        df = df.assign(_ok=df["status"] == "ok").sort_values("_ok", kind="stable")
        last = df.drop_duplicates("key", keep="last")
        return dict(zip(last["key"].astype(str), last["status"].astype(str)))

    def runs(self) -> pd.DataFrame:
        """Every stored run once: the latest OK row of each key, else its latest failed row."""
        df = self._raw_runs()
        if df.empty:
            return df
        df = df.assign(_ok=(df["status"] == "ok")).sort_values("_ok", kind="stable")
        df = df.drop_duplicates("key", keep="last").drop(columns="_ok")
        return df.sort_index().reset_index(drop=True)

    def series(self, keys: list[str] | None = None) -> pd.DataFrame:
        """Kept series (key, step, outcomes), one row per key and step (the latest)."""
        frames = [_read_part(p, required=SERIES_COLUMNS) for p in _parts(self.series_dir)]
        frames = [f for f in frames if not f.empty]
        if not frames:
            return pd.DataFrame(columns=["key", "step"])
        df = pd.concat(frames, ignore_index=True)
        if keys is not None:
            df = df[df["key"].isin(set(keys))]
        return df.drop_duplicates(["key", "step"], keep="last").reset_index(drop=True)


REWRITE = (
    "run the sweep again with the same experiment and --out to rewrite the folder's "
    "definition files (stored runs are kept)"
)
INFO_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "kind": str,
    "outcomes": list,
    "factors": list,
    "replicates": int,
    "steps": int,
    "seed": int,
    "scenario": str,
}
"""Keys of sweep.json that reports read, with their JSON types."""
INFO_OPTIONAL: dict[str, type | tuple[type, ...]] = {
    "statistic": str,
    "reference": (str, type(None)),
    "fixed": dict,
    "arms": dict,
    "window": int,
    "series_period": (int, type(None)),
    "levels": int,
    "n": (int, type(None)),
    "calc_second_order": bool,
    "description": str,
    "command": str,
}
"""Keys a report reads when present."""
KINDS = ("grid", "arms", "lhs", "sobol", "morris")


def _info_problem(info: Any) -> str | None:
    """What makes `info` unusable as a sweep's resolved definition (None: nothing)."""
    if not isinstance(info, dict):
        return (
            f"holds {type(info).__name__} {_clip(info)}, not the experiment's definition "
            "(a JSON object)"
        )
    for key in INFO_KEYS:
        if key not in info:
            return f"no key {key!r}"
    for key, kinds in {**INFO_KEYS, **INFO_OPTIONAL}.items():
        value = info.get(key, None if key in INFO_OPTIONAL else info[key])
        if key in info and (
            not isinstance(value, kinds) or (isinstance(value, bool) and kinds is not bool)
        ):
            return f"{key} = {_clip(value)} is not what a sweep writes"
    if info["kind"] not in KINDS or info.get("statistic", "mean") not in ("mean", "final"):
        key = "kind" if info["kind"] not in KINDS else "statistic"
        return f"{key} = {_clip(info[key])} is not what a sweep writes"
    sampled = info["kind"] in ("lhs", "sobol", "morris")
    for factor in info["factors"]:
        ok = (
            isinstance(factor, dict)
            and isinstance(factor.get("name"), str)
            and isinstance(factor.get("params"), list)
            and isinstance(factor.get("bounds" if sampled else "levels"), list)
        )
        if not ok:
            return f"factors holds {_clip(factor)}, not what a sweep writes"
    if not info["outcomes"] or not all(isinstance(o, str) for o in info["outcomes"]):
        return f"outcomes = {_clip(info['outcomes'])} is not what a sweep writes"
    return None


def _clip(value: Any, width: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def _read_table(path: Path, columns: list[str]) -> pd.DataFrame:
    """A definition table of the folder, with the columns every reader relies on."""
    if not path.is_file():
        raise ResultsError(f"{path}: missing; {REWRITE}")
    try:
        frame = pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowException) as err:
        raise ResultsError(f"{path}: unreadable ({_first_line(err)}); {REWRITE}") from None
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ResultsError(f"{path}: no column {missing[0]!r}; {REWRITE}")
    return frame


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.glob(PART_GLOB)) if folder.is_dir() else []


RUN_COLUMNS = ("key", "arm", "point", "replicate", "seed", "status")
"""Columns every part of `runs/` has."""
SERIES_COLUMNS = ("key", "step")
"""Columns every part of `series/` has."""


def _read_part(
    path: Path, columns: list[str] | None = None, required: tuple[str, ...] = ()
) -> pd.DataFrame:
    again = "move it away and re-run the sweep to recompute its runs"
    if not path.is_file():
        raise ResultsError(f"{path}: not a file, so not a part file; {again}")
    try:
        frame = pq.read_table(path, columns=columns).to_pandas()
    except (OSError, pa.ArrowException) as err:
        raise ResultsError(f"{path}: unreadable part file ({_first_line(err)}); {again}") from None
    missing = [c for c in required if c not in frame]
    if missing:
        raise ResultsError(f"{path}: a part file without the column {missing[0]!r}; {again}")
    return frame


def _table(frame: pd.DataFrame, schema: pa.Schema | None = None) -> pa.Table:
    """`frame` as an Arrow table with `schema` (missing columns empty, extra ones kept at
    the end); without one, text, integer and outcome columns still get fixed types, so an
    all-empty text column is text, not null."""
    if schema is None:
        fields = []
        for c in frame.columns:
            if c in TEXT_COLUMNS:
                fields.append(pa.field(c, pa.string()))
            elif c in INT_COLUMNS:
                fields.append(pa.field(c, pa.int64()))
            elif c == "elapsed" or str(c).startswith(("final_", "mean_")):
                fields.append(pa.field(c, pa.float64()))
        schema = pa.schema(fields)
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    # the names as sets, looked up once (each `column_names` or `names` builds a new list)
    present, wanted = set(table.column_names), set(schema.names)
    columns, fields = [], []
    for field in schema:
        if field.name in present:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(len(table), field.type))
        fields.append(field)
    for name in table.column_names:
        if name not in wanted:
            column = table.column(name)
            if column.type == pa.null():
                column = column.cast(pa.string())
            columns.append(column)
            fields.append(pa.field(name, column.type))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def _write_part(path: Path, table: pa.Table) -> Path:
    """Write a part atomically; plain Arrow types, no pandas metadata (parts are many and
    small, and every reader treats them as plain tables)."""
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, write_statistics=False)
    return path


def _read_schema(path: Path) -> pa.Schema:
    try:
        return pq.read_schema(path).remove_metadata()
    except (OSError, pa.ArrowException) as err:
        raise ResultsError(
            f"{path}: unreadable part file ({_first_line(err)}); move it away and re-run the "
            "sweep to recompute its runs"
        ) from None


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None
