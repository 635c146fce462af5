"""The benchmark scripts (benchmarks/) still run: each is run at a tiny size, so that a change
of the model cannot leave one broken until someone needs its figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _bench(*args: str) -> subprocess.CompletedProcess:
    """Run a benchmark script from the repository root; fail with its error output."""
    done = subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return done


def test_vectorised_against_one_agent_per_resident_runs_on_a_tiny_world(tmp_path):
    out = tmp_path / "reference.json"
    done = _bench(
        "benchmarks/bench_reference.py",
        "--world",
        "tiny",
        "--steps",
        "2",
        "--repeat",
        "1",
        "--json",
        str(out),
    )
    result = json.loads(out.read_text())
    assert 100 < result["residents"] < 1000
    rows = result["rows"]
    assert set(rows) == {"step_ms", "cpu_step_ms", "resident_rules_ms", "build_s"}
    for row in rows.values():
        assert row["vectorised"] > 0 and row["agents"] > 0 and row["speedup"] > 0
    for build in ("vectorised", "agents"):
        outcomes = result["outcomes_first_pair"][build]
        assert all(0 <= v <= 1 for v in outcomes.values()), outcomes
    assert "speed-up" in done.stdout


def test_the_regeneration_plan_covers_calibration_every_experiment_and_the_screen(monkeypatch):
    monkeypatch.chdir(REPO)  # the plan reads experiments/ from the repository root
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import bench_conditions
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    batches = bench_conditions.planned_batches()
    stages = {b["stage"] for b in batches}
    experiments = {
        p.stem for p in (REPO / "experiments").glob("*.toml") if not p.stem.startswith("screen")
    }
    assert stages == {"calibration", "screen"} | experiments
    assert {b["batch"] for b in batches if b["stage"] == "screen"} == {
        f"screen-{s}" for s in ("bounds", "default", "reference", "morris", "ends")
    }
    assert {"at-size-reduced", "at-size-52"} <= {b["batch"] for b in batches}
    assert all(b["runs"] > 0 and b["steps"] > 0 for b in batches)


def test_the_split_of_a_month_adds_up_to_its_cpu_time(tmp_path):
    """Each part of the split counts its own time only (a batched decision that a mechanism
    calls counts for the decision), so the parts never add up to more than the months."""
    out = tmp_path / "district.json"
    _bench(
        "benchmarks/bench_model.py", "district", "--steps", "3", "--repeat", "1", "--json", str(out)
    )
    run = json.loads(out.read_text())["district"]
    parts = run["mechanisms_s"]
    assert {"owners_assembly.step", "decisions: OwnersCommittee.drift_all"} <= set(parts)
    assert all(v >= 0 for v in parts.values())
    assert sum(parts.values()) <= run["cpu_s"] * 1.001
    assert "decisions: ResidentsCommittee.allocate_hours" in parts  # the schedule's one call
    assert run["build_mb"] <= run["first_month_mb"] <= run["peak_mb"]
    assert 0 < run["tables_mb"] < run["peak_mb"]


def test_the_model_benchmark_runs_a_changed_district_with_the_loops_chosen(tmp_path):
    """`--set` changes the district's parameters (fewer residents in the same compounds:
    the organisations' month on its own) and `--kernels` forces the compiled loops, which
    `auto` would skip at that size; a wrong pair is refused with the schema's reason."""
    out = tmp_path / "sparse.json"
    _bench(
        "benchmarks/bench_model.py",
        "district",
        "--steps",
        "2",
        "--set",
        "households_per_compound=5",
        "--kernels",
        "compiled",
        "--json",
        str(out),
    )
    run = json.loads(out.read_text())["district"]
    assert run["params"] == {"households_per_compound": 5}
    assert run["kernels"] == "compiled" and run["compiled_loops"]
    assert run["compounds"] == 449 and run["residents"] < 20_000
    refused = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_model.py",
            "district",
            "--set",
            "households_per_compound=1",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert refused.returncode == 2
    assert "households_per_compound = 1 must be a number in [5, 5000]" in refused.stderr
    assert "Traceback" not in refused.stderr
