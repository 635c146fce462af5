"""A results folder is plain Parquet that any reader opens: pandas, `pyarrow.dataset` and
DuckDB read `runs/`, `failures/` and `series/` as tables, even when the folder holds a failed
run and a run that failed and then succeeded on --retry-failed. Finished runs are in `runs/`
once each; failed attempts are in `failures/`, with the same columns."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import sim
import sim.runs.runner
from sim.experiments.store import RunStore, runs_schema
from sim.interfaces.cli.main import build_parser, main

build_parser()  # import every command now, before the test replaces sim.runs.runner.run

EXPERIMENT = """description = "two arms, tiny world"
steps = 4
replicates = 3
seed = 11
series_period = 2
outcomes = ["needs_met", "satisfaction_mean"]

[design]
kind = "arms"

[arms.none]
xa_one_shoulder = 0.0

[arms.push]
xa_one_shoulder = 1.0

[fixed]
n_streets = 1
communities_per_street = 2
compounds_per_community = 2
households_per_compound = 30
"""
REAL_RUN = sim.runs.runner.run


def failing(bad: set[tuple[float, int]]):
    """A stand-in for run() that fails for the given (xa_one_shoulder, seed) pairs."""

    def run(params, seed, steps, **kw):
        if (params["xa_one_shoulder"], seed) in bad:
            raise RuntimeError("deliberate failure")
        return REAL_RUN(params, seed, steps, **kw)

    return run


@pytest.fixture(scope="module")
def store_with_failures(tmp_path_factory):
    """One run failed twice (still failed) and one that failed once, then succeeded."""
    root = tmp_path_factory.mktemp("readers")
    path = root / "exp.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    out = root / "results"
    seeds = sim.experiments.design.replicate_seeds(11, 3)
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(sim.runs.runner, "run", failing({(0.0, seeds[0]), (1.0, seeds[1])}))
        assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "-q"]) == 1
        mp.setattr(sim.runs.runner, "run", failing({(1.0, seeds[1])}))
        argv = ["sweep", str(path), "--out", str(out), "--workers", "1", "-q", "--retry-failed"]
        assert main(argv) == 1
    finally:
        mp.undo()
    return out


def test_pandas_reads_runs_failures_and_series_with_each_key_once(store_with_failures):
    runs = pd.read_parquet(store_with_failures / "runs")
    failures = pd.read_parquet(store_with_failures / "failures")
    series = pd.read_parquet(store_with_failures / "series")
    assert len(runs) == 5 and runs["key"].is_unique and (runs["status"] == "ok").all()
    assert runs["error"].isna().all() and runs["mean_needs_met"].notna().all()
    assert len(failures) == 3 and (failures["status"] == "failed").all()
    assert failures["error"].eq("RuntimeError: deliberate failure").all()
    retried = set(failures["key"]) & set(runs["key"])
    still_failed = set(failures["key"]) - set(runs["key"])
    assert len(retried) == 1 and len(still_failed) == 1
    assert failures["key"].value_counts()[next(iter(still_failed))] == 2  # one row per attempt
    assert not series.duplicated(["key", "step"]).any()
    assert set(series["key"]) == set(runs["key"])


def test_every_part_has_one_schema_so_pyarrow_dataset_reads_both_folders_as_one(
    store_with_failures,
):
    parts = sorted((store_with_failures / "runs").glob("*.parquet")) + sorted(
        (store_with_failures / "failures").glob("*.parquet")
    )
    schemas = {pq.read_schema(p).remove_metadata() for p in parts}
    assert len(parts) >= 3 and len(schemas) == 1
    schema = schemas.pop()
    assert (
        schema.field("error").type == pa.string() and schema.field("traceback").type == pa.string()
    )
    table = ds.dataset(parts, format="parquet").to_table()
    assert table.num_rows == 8
    assert table.column("status").to_pylist().count("ok") == 5


def test_duckdb_reads_the_folders_with_sql(store_with_failures):
    root = store_with_failures.as_posix()
    con = duckdb.connect()
    n, distinct = con.execute(
        f"select count(*), count(distinct key) from read_parquet('{root}/runs/*.parquet')"
    ).fetchone()
    assert n == distinct == 5
    by_status = dict(
        con.execute(
            f"select status, count(*) from read_parquet(['{root}/runs/*.parquet', "
            f"'{root}/failures/*.parquet']) group by status"
        ).fetchall()
    )
    assert by_status == {"ok": 5, "failed": 3}
    means = con.execute(
        f"select arm, avg(mean_needs_met) from read_parquet('{root}/runs/*.parquet') "
        "group by arm order by arm"
    ).fetchall()
    assert [arm for arm, _ in means] == ["none", "push"]


def test_the_store_and_the_python_api_see_the_same_runs_as_a_raw_reader(store_with_failures):
    raw = pd.read_parquet(store_with_failures / "runs").set_index("key").sort_index()
    stored = RunStore.open(store_with_failures).runs()
    assert set(stored.loc[stored["status"] == "ok", "key"]) == set(raw.index)
    res = sim.load_results(store_with_failures)
    assert res.counts() == {"ok": 5, "failed": 1, "missing": 0}


def test_a_folder_written_before_runs_and_failures_were_kept_apart_is_rewritten_once(tmp_path):
    store = RunStore.create(tmp_path)
    rows = [
        {"key": "a", "arm": "x", "point": 0, "replicate": 0, "seed": 1, "status": "failed",
         "error": "E: boom", "mean_needs_met": float("nan")},
        {"key": "b", "arm": "x", "point": 0, "replicate": 1, "seed": 2, "status": "ok",
         "error": None, "mean_needs_met": 0.5},
    ]  # fmt: skip
    table = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
    pq.write_table(table, tmp_path / "runs" / "part-0-old.parquet")  # the old, mixed layout
    schema = runs_schema(None)
    assert store.prepare(schema) == schema
    assert (pd.read_parquet(tmp_path / "runs")["key"] == "b").all()
    assert list(pd.read_parquet(tmp_path / "failures")["key"]) == ["a"]
    parts = list(tmp_path.glob("*/part-*.parquet"))
    assert all(pq.read_schema(p).remove_metadata().equals(schema) for p in parts)
    assert store.statuses() == {"a": "failed", "b": "ok"}
    assert store.prepare(schema) == schema and set(tmp_path.glob("*/part-*.parquet")) == set(parts)
