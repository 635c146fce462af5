"""Sweeps (sim.experiments definition, design, plan and engine; `python -m sim sweep`): definitions
are validated before any run, arms share seeds, runs are stored once even across a SIGKILL, failures
are recorded and retried on request, and the result does not depend on the number of workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.experiments.engine
import sim.runs.runner
from sim.core.params import ScenarioError
from sim.experiments.definition import load_sweep
from sim.experiments.design import make_design, replicate_seeds
from sim.experiments.engine import auto_batch_size, batch_sizes, execute
from sim.experiments.evaluators import DaskEvaluator, InProcessEvaluator
from sim.experiments.plan import plan_runs
from sim.experiments.store import RunStore
from sim.interfaces.cli.main import build_parser, main
from tests.helpers import read_only

build_parser()  # import every command module now, before a test replaces sim.runs.runner.run
# (a module that does `from ..runner import run` on import would keep the stand-in)

REPO = Path(__file__).resolve().parents[2]
REAL_RUN = sim.runs.runner.run
TINY_WORLD = """
[fixed]
n_streets = 1
communities_per_street = 3
compounds_per_community = 3
households_per_compound = 40
"""


def write_experiment(folder: Path, body: str, name: str = "tiny", world: bool = True) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(body + (TINY_WORLD if world else ""), encoding="utf-8")
    return path


GRID = """
description = "two levers, tiny world"
steps = 6
replicates = 3
seed = 7
series_period = 3
outcomes = ["satisfaction_mean", "needs_met"]

[design]
kind = "grid"

[factors]
devolution_share = [0.1, 0.6]
responsibility_list = [false, true]
"""


def sweep(path: Path, out: Path, *extra: str) -> int:
    return main(["sweep", str(path), "--out", str(out), "--quiet", *extra])


# --- definitions and designs -----------------------------------------------------------------


def test_grid_design_crosses_levels_and_every_arm_uses_the_same_seeds(tmp_path):
    defn = load_sweep(write_experiment(tmp_path, GRID))
    design = make_design(defn)
    specs = plan_runs(defn, design)
    assert len(design.table) == 4 and len(specs) == 12
    seeds_by_arm = {arm: [s.seed for s in specs if s.arm == arm] for arm in design.table["arm"]}
    assert all(seeds == defn.seeds() for seeds in seeds_by_arm.values())
    assert len(set(defn.seeds())) == 3
    assert len({s.key for s in specs}) == 12


def test_replicate_seeds_come_from_seed_sequence_and_extend_without_changing():
    assert replicate_seeds(7, 5)[:3] == replicate_seeds(7, 3)
    expected = [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(7).spawn(3)]
    assert replicate_seeds(7, 3) == expected
    assert replicate_seeds(8, 3) != replicate_seeds(7, 3)


def test_keys_change_with_steps_and_parameters_but_not_with_replicate_count(tmp_path):
    path = write_experiment(tmp_path, GRID)

    def keys(**overrides) -> set[str]:
        defn = load_sweep(path, **overrides)
        return {s.key for s in plan_runs(defn, make_design(defn))}

    base, more, longer = keys(), keys(replicates=5), keys(steps=7)
    assert base < more and len(more) == 20
    assert not base & longer


def test_composite_factor_sets_all_its_parameters(tmp_path):
    path = write_experiment(
        tmp_path,
        """
steps = 6
replicates = 1
[factors.xa]
levels = [0.0, 1.0]
sets = ["xa_one_shoulder", "xa_secretary_chairs_oc"]
""",
    )
    design = make_design(load_sweep(path))
    assert design.overrides == [
        {"xa_one_shoulder": 0.0, "xa_secretary_chairs_oc": 0.0},
        {"xa_one_shoulder": 1.0, "xa_secretary_chairs_oc": 1.0},
    ]


@pytest.mark.parametrize(
    "kind, n, points", [("sobol", 8, 8 * (3 + 2)), ("morris", 4, 4 * (3 + 1)), ("lhs", 10, 10)]
)
def test_sampled_designs_have_salib_sizes_and_typed_values(tmp_path, kind, n, points):
    path = write_experiment(
        tmp_path,
        f"""
steps = 6
replicates = 2
[design]
kind = "{kind}"
n = {n}
[factors]
devolution_share = [0.1, 0.9]
responsibility_list = [false, true]
social_degree = [2, 10]
""",
    )
    design = make_design(load_sweep(path))
    t = design.table
    assert len(t) == points
    assert t["devolution_share"].between(0.1, 0.9).all()
    assert set(t["responsibility_list"]) <= {True, False}
    assert t["social_degree"].between(2, 10).all()
    assert all(isinstance(o["social_degree"], int) for o in design.overrides)
    assert design.problem["names"] == ["devolution_share", "responsibility_list", "social_degree"]


BAD = {
    "unknown factor": (
        "[factors]\nxa_one_shoulderr = [0.1, 0.9]\n",
        "'xa_one_shoulderr' is not a model parameter",
    ),
    "level out of range": (
        "[factors]\ndevolution_share = [0.1, 1.5]\n",
        "devolution_share: level 1.5 must be a number in [0, 1]",
    ),
    "bad design kind": (
        '[design]\nkind = "factorial"\n[factors]\ndevolution_share = [0.1]\n',
        "kind = 'factorial' is not a design",
    ),
    "replicates < 1": (
        "replicates = 0\n[factors]\ndevolution_share = [0.1]\n",
        "replicates = 0 must be an integer >= 1",
    ),
    "unknown outcome": (
        'outcomes = ["happiness"]\n[factors]\ndevolution_share = [0.1]\n',
        "'happiness' is not an outcome",
    ),
    "missing scenario": (
        'scenario = "no_such_scenario"\n[factors]\ndevolution_share = [0.1]\n',
        "scenario = 'no_such_scenario': scenario file not found",
    ),
    "reference not a level": (
        "[design]\nreference = { devolution_share = 0.5 }\n"
        "[factors]\ndevolution_share = [0.1, 0.6]\n",
        "reference devolution_share = 0.5 is not one of its levels",
    ),
    "sobol n not a power of 2": (
        '[design]\nkind = "sobol"\nn = 10\n[factors]\n'
        "devolution_share = [0.1, 0.6]\nsocial_degree = [2, 9]\n",
        "must be a power of 2",
    ),
    "range not a pair": (
        '[design]\nkind = "lhs"\n[factors]\ndevolution_share = [0.1]\n',
        "must be a range [low, high]",
    ),
    "unknown key": (
        "replicate = 3\n[factors]\ndevolution_share = [0.1]\n",
        "unknown key 'replicate'",
    ),
    "fixed out of range": (
        "[factors]\ndevolution_share = [0.1]\n[fixed]\nn_streets = 0\n",
        "[fixed]: n_streets = 0 must be an integer in [1, 2000]",
    ),
    "not TOML": ("[factors\n", "not valid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_definition_exits_2_with_one_clear_message_before_any_run(
    tmp_path, monkeypatch, capsys, case
):
    body, message = BAD[case]
    path = write_experiment(tmp_path, body, world=False)
    calls = []
    monkeypatch.setattr(sim.runs.runner, "run", lambda *a, **k: calls.append(a))
    out = tmp_path / "out"
    assert sweep(path, out, "--workers", "1") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}") and message in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not calls and not out.exists()


def test_missing_experiment_file_exits_2(tmp_path, capsys):
    assert sweep(tmp_path / "nope.toml", tmp_path / "out") == 2
    assert "file not found" in capsys.readouterr().err


# --- running, storing, resuming ----------------------------------------------------------------


def test_sweep_stores_every_run_once_with_arm_replicate_seed_and_resumes_to_nothing(tmp_path):
    path = write_experiment(tmp_path, GRID)
    out = tmp_path / "res"
    assert sweep(path, out, "--workers", "1") == 0
    runs = RunStore.open(out).runs()
    assert len(runs) == 12 and (runs["status"] == "ok").all()
    assert {
        "key",
        "arm",
        "replicate",
        "seed",
        "devolution_share",
        "responsibility_list",
        "mean_satisfaction_mean",
        "final_needs_met",
        "elapsed",
    } <= set(runs.columns)
    by_rep = runs.groupby("replicate")["seed"].nunique()
    assert (by_rep == 1).all()  # common random numbers: one seed per replicate
    series = RunStore.open(out).series()
    assert len(series) == 12 * 2 and set(series["step"]) == {3, 6}
    parts = sorted((out / "runs").glob("part-*.parquet"))
    assert sweep(path, out, "--workers", "1") == 0  # nothing left to do
    assert sorted((out / "runs").glob("part-*.parquet")) == parts
    assert len(RunStore.open(out).sessions()) == 2


def test_more_replicates_keep_the_stored_ones_and_run_only_the_new(tmp_path, monkeypatch):
    path = write_experiment(tmp_path, GRID)
    out = tmp_path / "res"
    assert sweep(path, out, "--workers", "1", "--replicates", "2") == 0
    real, calls = REAL_RUN, []
    monkeypatch.setattr(sim.runs.runner, "run", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    assert sweep(path, out, "--workers", "1") == 0
    assert len(calls) == 4 and set(calls) == {replicate_seeds(7, 3)[2]}
    assert len(RunStore.open(out).runs()) == 12


def test_sigkill_mid_sweep_then_rerun_completes_every_run_exactly_once(tmp_path):
    path = write_experiment(
        tmp_path,
        GRID.replace("steps = 6", "steps = 24").replace("replicates = 3", "replicates = 4"),
    )
    out = tmp_path / "res"
    cmd = [
        sys.executable,
        "-m",
        "sim",
        "sweep",
        str(path),
        "--out",
        str(out),
        "--workers",
        "1",
        "--batch-size",
        "1",
        "--quiet",
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not list((out / "runs").glob("part-*.parquet")):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no part file appeared"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    stored = RunStore.open(out).statuses()
    assert 1 <= len(stored) < 16  # killed part-way

    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    store = RunStore.open(out)
    raw = pd.concat([pd.read_parquet(p) for p in (out / "runs").glob("part-*.parquet")])
    planned = set(store.plan()["key"])
    assert len(planned) == 16
    assert sorted(raw["key"]) == sorted(planned)  # every run exactly once, none twice
    assert (raw["status"] == "ok").all()
    assert not [p for p in (out / "runs").iterdir() if not p.name.startswith("part-")]


def failing_on(seed: int):
    """A stand-in for sim.runs.runner.run that raises for one seed at devolution_share 0.6."""
    real = REAL_RUN
    calls: list[tuple[int, float]] = []

    def run(params, seed_, steps=120, **kw):
        calls.append((seed_, params["devolution_share"]))
        if seed_ == seed and params["devolution_share"] == 0.6 and params["responsibility_list"]:
            raise RuntimeError("deliberate failure for the test")
        return real(params, seed_, steps, **kw)

    return run, calls


def test_a_failing_run_is_recorded_the_rest_finish_and_retry_failed_reruns_only_it(
    tmp_path, monkeypatch, capsys
):
    path = write_experiment(tmp_path, GRID)
    out = tmp_path / "res"
    bad_seed = replicate_seeds(7, 3)[1]
    fake, calls = failing_on(bad_seed)
    monkeypatch.setattr(sim.runs.runner, "run", fake)
    assert sweep(path, out, "--workers", "1") == 1
    assert "1 runs failed" in capsys.readouterr().err
    runs = RunStore.open(out).runs()
    failed = runs[runs["status"] == "failed"]
    assert len(runs) == 12 and len(failed) == 1
    row = failed.iloc[0]
    assert row["seed"] == bad_seed and row["replicate"] == 1
    assert row["error"] == "RuntimeError: deliberate failure for the test"
    assert "Traceback" in row["traceback"] and "deliberate failure" in row["traceback"]
    assert np.isnan(row["mean_satisfaction_mean"])

    calls.clear()
    assert sweep(path, out, "--workers", "1") == 1  # plain re-run: failure kept, nothing run
    assert calls == []

    real_fake, calls = failing_on(-1)
    monkeypatch.setattr(sim.runs.runner, "run", real_fake)
    assert sweep(path, out, "--workers", "1", "--retry-failed") == 0
    assert calls == [(bad_seed, 0.6)]
    runs = RunStore.open(out).runs()
    assert len(runs) == 12 and (runs["status"] == "ok").all()


def test_in_process_a_process_pool_and_a_dask_cluster_give_the_same_results(tmp_path):
    path = write_experiment(tmp_path, GRID)
    assert sweep(path, tmp_path / "one", "--workers", "1") == 0
    assert sweep(path, tmp_path / "two", "--workers", "2", "--batch-size", "2") == 0
    defn = load_sweep(path)
    with DaskEvaluator(workers=2) as dask_cluster:
        execute(
            defn,
            make_design(defn),
            RunStore.create(tmp_path / "dask"),
            dask_cluster,
            batch_size=2,
            progress=False,
        )
    a = RunStore.open(tmp_path / "one").runs().set_index("key").sort_index()
    sa = RunStore.open(tmp_path / "one").series().sort_values(["key", "step"])
    for other in ("two", "dask"):
        b = RunStore(tmp_path / other).runs().set_index("key").sort_index()
        assert list(a.index) == list(b.index)
        same = ["arm", "replicate", "seed", "status"]
        assert (a[same] == b[same]).all().all()
        outcomes = [c for c in a.columns if c.startswith(("mean_", "final_"))]
        # Equal up to the last bits: numpy's SIMD reductions may round differently with the
        # memory alignment of an array, which differs between processes.
        np.testing.assert_allclose(
            a[outcomes].to_numpy(float), b[outcomes].to_numpy(float), rtol=1e-9, atol=1e-12
        )
        sb = RunStore(tmp_path / other).series().sort_values(["key", "step"])
        np.testing.assert_allclose(
            sa["needs_met"].to_numpy(float), sb["needs_met"].to_numpy(float), rtol=1e-9
        )


def test_finished_batches_are_written_together_the_first_at_once(tmp_path, monkeypatch):
    """Twelve runs in batches of one: the first batch is its own part, the others wait
    (here for ever) and are written together when the sweep ends."""
    monkeypatch.setattr(sim.experiments.engine, "WRITE_SECONDS", float("inf"))
    defn = load_sweep(write_experiment(tmp_path, GRID))
    store = RunStore.create(tmp_path / "res")
    out = execute(
        defn, make_design(defn), store, InProcessEvaluator(), batch_size=1, progress=False
    )
    assert out.ok == 12
    parts = sorted((tmp_path / "res" / "runs").glob("part-*.parquet"))
    assert [len(pd.read_parquet(p)) for p in parts] == [1, 11]
    series = sorted((tmp_path / "res" / "series").glob("part-*.parquet"))
    assert [p.name for p in series] == [p.name for p in parts]
    assert len(store.series()) == 12 * 2  # 6 months, every third kept


class _KillingEvaluator(InProcessEvaluator):
    """Every batch of more than one run comes back as if its worker had died."""

    def next_done(self):
        tag, fn, args = self._queue.popleft()
        chunk, _alone = tag
        if len(chunk) > 1:
            from distributed.scheduler import KilledWorker

            return tag, None, KilledWorker("task", "worker", 3)
        return tag, fn(*args), None


def test_runs_of_a_dead_worker_are_resubmitted_alone_once(tmp_path):
    defn = load_sweep(write_experiment(tmp_path, GRID))
    design = make_design(defn)
    store = RunStore.create(tmp_path / "res")
    out = execute(defn, design, store, _KillingEvaluator(), batch_size=4, progress=False)
    assert out.resubmitted == 12 and out.ok == 12 and out.failed == 0
    assert len(store.runs()) == 12


def test_ctrl_c_stops_cleanly_and_keeps_what_finished(tmp_path):
    defn = load_sweep(write_experiment(tmp_path, GRID))
    design = make_design(defn)
    store = RunStore.create(tmp_path / "res")
    seen = []

    def interrupt_after_two(n: int) -> None:
        seen.append(n)
        if len(seen) == 2:
            raise KeyboardInterrupt

    out = execute(
        defn,
        design,
        store,
        InProcessEvaluator(),
        batch_size=3,
        progress=False,
        on_batch=interrupt_after_two,
    )
    assert out.interrupted and out.ok == 6
    assert len(store.runs()) == 6
    again = execute(defn, design, store, InProcessEvaluator(), progress=False)
    assert again.stored_ok == 6 and again.ok == 6 and len(store.runs()) == 12


def test_unreachable_scheduler_is_a_clear_error():
    from sim.experiments.evaluators import DaskEvaluator

    with pytest.raises(ScenarioError, match="cannot connect to the Dask scheduler"):
        with DaskEvaluator(address="tcp://127.0.0.1:9", connect_timeout=1):
            pass


class _OtherCodeEvaluator(InProcessEvaluator):
    """Batches come back as if a worker had imported different model code."""

    def next_done(self):
        tag, result, err = super().next_done()
        rows, series = result
        return tag, ([{**r, "model_code": "0000000000000000"} for r in rows], series), err


def test_runs_computed_by_other_model_code_are_recorded_as_failed(tmp_path):
    defn = load_sweep(write_experiment(tmp_path, GRID))
    store = RunStore.create(tmp_path / "res")
    out = execute(defn, make_design(defn), store, _OtherCodeEvaluator(), progress=False)
    assert out.failed == 12 and out.ok == 0
    runs = store.runs()
    assert runs["error"].str.startswith("ModelCodeMismatch").all()
    assert runs["mean_needs_met"].isna().all()  # no numbers kept from the wrong code


def test_dry_run_validates_and_runs_nothing(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(sim.runs.runner, "run", lambda *a, **k: calls.append(a))
    out = tmp_path / "res"
    assert sweep(write_experiment(tmp_path, GRID), out, "--dry-run") == 0
    assert "12 distinct runs" in capsys.readouterr().out
    assert not calls and not out.exists()


# --- where a sweep writes: checked before anything runs or is written ---------------------


@pytest.fixture
def stored(tmp_path):
    """A finished two-arm sweep of a tiny world, its experiment file and its folder."""
    path = write_experiment(tmp_path, GRID.replace("replicates = 3", "replicates = 1"))
    out = tmp_path / "res"
    assert sweep(path, out, "--workers", "1") == 0
    return path, out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def refuse_to_run(monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("a run started although the results folder was refused")

    monkeypatch.setattr(sim.runs.runner, "run", must_not_run)


def one_line(capsys, *needles: str) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: "), err
    assert all(n in err for n in needles), err
    return err


def test_another_experiment_s_folder_is_refused_and_left_as_it_was(
    stored, tmp_path, capsys, monkeypatch
):
    _, out = stored
    before = snapshot(out)
    other = write_experiment(tmp_path, GRID, name="other")
    refuse_to_run(monkeypatch)
    assert sweep(other, out, "--workers", "1") == 2
    one_line(capsys, "holds the results of experiment 'tiny', not 'other'", "another --out")
    assert sweep(other, out, "--workers", "1", "--dry-run") == 2
    assert snapshot(out) == before


def test_a_folder_that_is_not_a_results_folder_is_refused(tmp_path, capsys, monkeypatch):
    refuse_to_run(monkeypatch)
    path = write_experiment(tmp_path, GRID)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert sweep(path, out, "--workers", "1") == 2
    one_line(capsys, "not a sweep's results folder", "'notes.txt'")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    "name", ["sweep.json", "design.parquet", "plan.parquet", "definition.toml"]
)
def test_a_definition_file_replaced_by_a_folder_is_named_and_nothing_is_lost(
    stored, capsys, monkeypatch, name
):
    path, out = stored
    (out / name).unlink()
    (out / name).mkdir()
    runs = snapshot(out / "runs")
    refuse_to_run(monkeypatch)
    assert sweep(path, out, "--workers", "1") == 2
    one_line(capsys, f"{out / name}: is a folder where the sweep keeps its file", "move it away")
    assert snapshot(out / "runs") == runs


def test_a_read_only_results_folder_is_refused_before_resuming(stored, capsys, monkeypatch):
    path, out = stored
    before = snapshot(out)
    refuse_to_run(monkeypatch)
    with read_only(out / "runs"):
        assert sweep(path, out, "--workers", "1", "--replicates", "2") == 2
    one_line(capsys, "--out", "runs", "cannot write in this folder")
    assert snapshot(out) == before


def test_an_out_name_too_long_is_refused_in_one_short_line(tmp_path, capsys):
    path = write_experiment(tmp_path, GRID)
    assert sweep(path, tmp_path / ("x" * 5000), "--workers", "1") == 2
    assert len(one_line(capsys, "--out", "File name too long")) < 300


@pytest.mark.parametrize("n_runs", [1, 7, 40, 1000])
@pytest.mark.parametrize("workers", [2, 16])
def test_tasks_shrink_towards_the_end_so_no_worker_waits_long(n_runs, workers):
    sizes = batch_sizes(n_runs, workers)
    assert sum(sizes) == n_runs and min(sizes) >= 1
    assert max(sizes) == auto_batch_size(n_runs, workers)
    assert sizes == sorted(sizes, reverse=True)  # never a larger task after a smaller one
    # the last task of each worker is a single run, and each task is at most a quarter of
    # what every worker still has to do when it is handed out
    assert sizes[-workers:] == [1] * min(workers, len(sizes))
    left = n_runs - np.cumsum([0, *sizes[:-1]])
    assert all(s <= max(1, -(-r // (4 * workers))) for s, r in zip(sizes, left))


def test_a_given_batch_size_and_a_single_worker_keep_one_size():
    assert batch_sizes(10, 2, 4) == [4, 4, 2]
    assert batch_sizes(100, 1) == [10] * 10
    assert batch_sizes(12, 1, 5) == [5, 5, 2]


def test_guided_tasks_store_the_same_runs_as_tasks_of_one_size(tmp_path):
    """How runs are grouped into tasks changes nothing that is stored."""
    defn = load_sweep(write_experiment(tmp_path, GRID))
    stores = {}
    for name, size in (("guided", None), ("fixed", 5)):
        store = RunStore.create(tmp_path / name)
        evaluator = InProcessEvaluator()
        evaluator.n_workers = 3  # as a pool of three would hand out its tasks
        execute(defn, make_design(defn), store, evaluator, batch_size=size, progress=False)
        stores[name] = store
    a, b = (s.runs().set_index("key").sort_index() for s in stores.values())
    outcomes = [c for c in a.columns if c.startswith(("mean_", "final_"))]
    assert list(a.index) == list(b.index)
    pd.testing.assert_frame_equal(a[outcomes], b[outcomes])  # NaN where undefined in both
    sa, sb = (
        s.series().sort_values(["key", "step"]).reset_index(drop=True) for s in stores.values()
    )
    pd.testing.assert_frame_equal(sa, sb)
