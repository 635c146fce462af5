"""Size guards (sim.runs.limits, sim.core.world.estimate_memory): a world or month count that
would not fit is refused from its parameters alone, before anything is built, with one line
naming the sizes, the estimate and the flag that raises the limit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.core import kernels
from sim.core.district import district_from_tables
from sim.core.params import validate
from sim.core.scenario import load_scenario
from sim.core.world import MEMORY_BYTES, estimate_memory, expected_counts
from sim.experiments.definition import load_sweep
from sim.experiments.design import make_design
from sim.experiments.pilot import pilot_plan
from sim.experiments.plan import plan_estimates
from sim.interfaces.cli.main import main
from sim.runs.limits import (
    LimitError,
    check_hours,
    check_memory,
    estimate_run,
    format_bytes,
    format_duration,
    parse_size,
)
from tests.helpers import tiny_experiment

TINY = """description = "tiny"
[structure]
n_streets = 1
communities_per_street = 2
compounds_per_community = 2
households_per_compound = 20
"""


def test_expected_counts_follow_the_nested_sizes():
    n = expected_counts(
        validate(
            {
                "n_streets": 4,
                "communities_per_street": 5.0,
                "compounds_per_community": 3.0,
                "households_per_compound": 100.0,
                "household_size": 2.0,
            }
        )
    )
    assert n["communities"] == 20 and n["compounds"] == 60 and n["residents"] == 12_000


def test_memory_estimate_grows_with_residents_and_ties_and_is_built_from_nothing():
    base = validate({})
    more = validate({"households_per_compound": 2 * base["households_per_compound"]})
    denser = validate({"social_degree": 40})
    with kernels.using("numpy"):  # without the compiled loops' fixed cost
        assert 1.8 < estimate_memory(more) / estimate_memory(base) < 2.0
        assert estimate_memory(denser) > 2 * estimate_memory(base)


def test_memory_estimate_counts_the_compiled_loops_once_where_they_run():
    """Numba's runtime and the loops' code are a fixed cost, counted where a model of that
    size runs the compiled loops (`auto`: from `kernels.MIN_RESIDENTS` residents), not
    where it runs NumPy alone."""
    fixed = MEMORY_BYTES["compiled_loops"]
    assert fixed > 50 * 2**20
    district = validate({})
    small = validate({"n_streets": 1, "communities_per_street": 2.0})
    assert expected_counts(small)["residents"] < kernels.MIN_RESIDENTS
    assert expected_counts(district)["residents"] >= kernels.MIN_RESIDENTS
    with kernels.using("numpy"):
        numpy_only = estimate_memory(district), estimate_memory(small)
    with kernels.using("auto"):
        auto = estimate_memory(district), estimate_memory(small)
    assert auto[0] - numpy_only[0] == (fixed if kernels.would_compile(10**9) else 0)
    assert auto[1] == numpy_only[1]


def test_months_and_the_community_table_add_to_a_run_estimate():
    p = validate({})
    short, long = estimate_run(p, 120), estimate_run(p, 12_000)
    build = estimate_run(p, 0)
    assert long.memory > short.memory and build.memory < short.memory
    assert 0 < build.seconds == short.build_seconds == long.build_seconds
    assert long.seconds - build.seconds == pytest.approx(100 * (short.seconds - build.seconds))
    assert estimate_run(p, 12_000, communities=True).memory > long.memory


def test_a_run_over_the_memory_limit_is_refused_naming_sizes_estimate_and_flag():
    est = estimate_run(validate({"n_streets": 2000, "communities_per_street": 100.0}), 120)
    with pytest.raises(LimitError) as err:
        check_memory(est, 8 * 2**30)
    message = str(err.value)
    assert "million residents" in message and "200,000 communities" in message
    assert format_bytes(est.memory) in message and "8.0 GB" in message
    assert "--max-memory" in message
    check_memory(est, est.memory)  # at the limit: allowed


def test_a_run_over_the_time_limit_is_refused_with_the_flag_that_allows_it():
    with pytest.raises(LimitError, match=r"about 3\.5 h of computing.*--max-hours 6"):
        check_hours(3.5 * 3600, 2, "a long run")
    check_hours(3600, 2, "a short run")


@pytest.mark.parametrize(
    "text, size",
    [("16GB", 16 * 2**30), ("512 MB", 512 * 2**20), ("2.5t", int(2.5 * 2**40)), ("1000", 1000)],
)
def test_memory_sizes_read_as_people_write_them(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["lots", "", "-1GB", "0", "1XB", "GB"])
def test_a_memory_size_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError, match="not a memory size"):
        parse_size(text)


def test_durations_and_sizes_read_in_the_largest_sensible_unit():
    assert format_duration(30) == "30 s" and format_duration(5400) == "90 min"
    assert format_duration(30 * 86400) == "30 days"
    assert format_duration(1e9 * 86400).endswith("years")
    assert format_bytes(3 * 2**30) == "3.0 GB" and format_bytes(2.2 * 2**30, exact=True) == "3GB"


def refuse_to_run(monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("the model was built although the size was refused")

    monkeypatch.setattr("sim.interfaces.cli.run.run", must_not_run)


def test_run_refuses_a_world_too_large_for_memory_before_building(tmp_path, capsys, monkeypatch):
    refuse_to_run(monkeypatch)
    out = tmp_path / "out"
    code = main(
        [
            "run",
            "baseline",
            "--set",
            "n_streets=2000",
            "--set",
            "communities_per_street=100",
            "--out",
            str(out),
            "--max-memory",
            "16GB",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: baseline: the run would need about")
    assert "residents" in err and "16.0 GB" in err and "--max-memory" in err
    assert not out.exists()


@pytest.mark.parametrize("steps", ["1000000000", "3000000000"])
def test_run_refuses_months_in_the_billions_before_any_allocation(
    tmp_path, capsys, monkeypatch, steps
):
    refuse_to_run(monkeypatch)
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY)
    code = main(
        [
            "run",
            str(scenario),
            "--steps",
            steps,
            "--out",
            str(tmp_path / "out"),
            "--max-memory",
            "1000TB",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert f"{int(steps):,} months" in err and "--max-hours" in err
    assert not (tmp_path / "out").exists()


def test_the_flags_raise_the_limits(tmp_path, capsys, monkeypatch):
    calls = []

    def stop_at_once(*args, **kwargs):  # the model would start here: stop as Ctrl-C would
        calls.append(args)
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.interfaces.cli.run.run", stop_at_once)
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY)
    args = ["run", str(scenario), "--steps", "1000000000", "--out", str(tmp_path / "out")]
    assert main([*args, "--max-memory", "1MB"]) == 2
    assert main([*args, "--max-memory", "1000TB", "--max-hours", "1000000"]) == 130
    assert len(calls) == 1


SWEEP = """steps = 12
replicates = 2
[factors]
n_streets = [1, 2000]
[fixed]
communities_per_street = 100
"""


def test_sweep_refuses_a_plan_whose_largest_run_would_not_fit(tmp_path, capsys, monkeypatch):
    refuse_to_run(monkeypatch)
    path = tmp_path / "big.toml"
    path.write_text(SWEEP)
    out = tmp_path / "res"
    code = main(
        ["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet", "--max-memory", "16GB"]
    )
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"error: {path}: its largest run would need about")
    assert "--max-memory" in err and not out.exists()


def test_sweep_refuses_a_plan_that_would_take_too_long_and_dry_run_shows_the_estimate(
    tmp_path, capsys, monkeypatch
):
    refuse_to_run(monkeypatch)
    path = tmp_path / "long.toml"
    path.write_text("steps = 100000\nreplicates = 500\n[factors]\ndevolution_share = [0.1, 0.6]\n")
    out = tmp_path / "res"
    args = [
        "sweep",
        str(path),
        "--out",
        str(out),
        "--workers",
        "2",
        "--quiet",
        "--max-memory",
        "1000TB",
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith(f"error: {path}: 1,000 runs of 100,000 months on 2 workers would take about")
        and "--max-hours" in err
    )
    assert main([*args, "--dry-run", "--max-hours", "1000000"]) == 0
    assert "would run 1000 (about" in capsys.readouterr().out
    assert not out.exists()


def test_a_local_cluster_counts_the_runs_it_holds_at_once(tmp_path, capsys, monkeypatch):
    refuse_to_run(monkeypatch)
    path = tiny_experiment(tmp_path)
    defn = load_sweep(path)
    one_run = max(e.memory for e in plan_estimates(defn, make_design(defn)))
    limit = str(int(1.5 * one_run))
    args = [
        "sweep",
        str(path),
        "--out",
        str(tmp_path / "res"),
        "--quiet",
        "--dry-run",
        "--max-memory",
        limit,
    ]
    assert main([*args, "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "2 at once" in err and "fewer workers" in err
    assert main([*args, "--workers", "1"]) == 0


# --- worlds read from tables: counted in the tables, not in the parameters --------------


def district(communities: int, compounds: int, households: int | None = None, firms: int = 0):
    """A district of one street given as tables of ids (households in every compound, and
    `firms` firms named, if given)."""
    comm = pd.DataFrame({"community": range(communities), "street": 0})
    comp = pd.DataFrame(
        {"compound": range(compounds), "community": np.arange(compounds) % communities}
    )
    if households is not None:
        comp["households"] = str(households)
    if firms:
        comp["management"] = "firm"
        comp["firm"] = [f"F{i % firms}" for i in range(compounds)]
    return district_from_tables({"communities": comm.astype(str), "compounds": comp.astype(str)})


def test_a_district_s_tables_are_counted_not_its_parameters():
    p = validate({"households_per_compound": 100.0, "household_size": 2.0, "n_firms": 3})
    d = district(7, 2_000, households=30, firms=40)
    n = expected_counts(d.params(p), d)
    assert n["communities"] == 7 and n["compounds"] == 2_000
    assert n["residents"] == 2_000 * 30 * 2.0  # the households the tables give
    assert n["organisations"] == 40 + p["n_ngos"]  # every firm the tables name
    drawn = expected_counts(d.params(p), district(7, 2_000))  # no households: drawn
    assert drawn["residents"] == 2_000 * 100 * 2.0
    assert estimate_memory(d.params(p), d) > 5 * estimate_memory(validate({"n_streets": 1}))


def test_a_run_on_many_compounds_from_tables_is_refused_though_its_parameters_are_small():
    p = validate({})
    d = district(10, 200_000)
    assert estimate_run(p, 120).memory < 2**30  # what the parameters alone would say
    est = estimate_run(p, 120, communities=True, district=d)
    assert est.counts["compounds"] == 200_000 and est.memory > 8 * 2**30
    with pytest.raises(LimitError, match="200,000 compounds"):
        check_memory(est, 8 * 2**30)


def write_tables(folder, communities: int, compounds: int):
    folder.mkdir()
    pd.DataFrame({"community": range(communities), "street": 0}).to_csv(
        folder / "communities.csv", index=False
    )
    pd.DataFrame(
        {"compound": range(compounds), "community": np.arange(compounds) % communities}
    ).to_csv(folder / "compounds.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def many_compounds(tmp_path_factory):
    """Tables of 200,000 compounds in 10 communities (ids only)."""
    return write_tables(tmp_path_factory.mktemp("tables") / "big", 10, 200_000)


def refuse_to_build(monkeypatch):
    def must_not_build(*args, **kwargs):
        raise AssertionError("the world was built although its size was refused")

    monkeypatch.setattr("sim.core.model.GovernanceModel.__init__", must_not_build)
    refuse_to_run(monkeypatch)


@pytest.mark.parametrize(
    "command",
    [
        ["run", "baseline", "--world", "{tables}"],
        ["world", "baseline", "--world", "{tables}"],
        ["pilot", "responsibility_list_pilot", "--world", "{tables}", "--workers", "1"],
    ],
)
def test_every_command_counts_the_tables_it_reads_and_refuses_before_building(
    tmp_path, capsys, monkeypatch, many_compounds, command
):
    refuse_to_build(monkeypatch)
    out = tmp_path / "out"
    argv = [a.replace("{tables}", str(many_compounds)) for a in command]
    code = main([*argv, "--out", str(out), "--max-memory", "8GB"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "200,000 compounds" in err and "--max-memory" in err
    assert not out.exists()


@pytest.mark.parametrize(
    "command, what",
    [
        (["world", "baseline"], "baseline: the world would need about"),
        (
            ["pilot", "responsibility_list_pilot", "--workers", "1"],
            "responsibility_list_pilot: the pilot would need about",
        ),
    ],
)
def test_world_and_pilot_refuse_a_world_too_large_before_building(
    tmp_path, capsys, monkeypatch, command, what
):
    refuse_to_build(monkeypatch)
    out = tmp_path / "out"
    big = ["--set", "n_streets=2000", "--set", "communities_per_street=100"]
    code = main([*command, *big, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"error: {what}") and "million residents" in err
    assert not out.exists()


def test_a_pilot_counts_its_runs_and_the_workers_that_hold_them_at_once(
    tmp_path, capsys, monkeypatch
):
    refuse_to_build(monkeypatch)
    plan = pilot_plan(load_scenario("responsibility_list_pilot"))  # a pilot and its twin
    args = ["pilot", "responsibility_list_pilot", "--out", str(tmp_path / "o")]
    assert main([*args, "--workers", "2", "--replicates", "50", "--max-hours", "0.001"]) == 2
    err = capsys.readouterr().err
    assert f"100 runs of {plan.steps} months" in err and "--max-hours" in err
    est = estimate_run(plan.params, plan.steps, communities=True)
    limit = str(int(1.5 * est.memory))
    assert main([*args, "--workers", "2", "--max-memory", limit]) == 2
    assert "2 at once" in capsys.readouterr().err


def test_a_sweep_on_tables_counts_them(tmp_path, many_compounds):
    scenario = tmp_path / "big.toml"
    scenario.write_text(f'[world]\nfolder = "{many_compounds}"\n')
    path = tmp_path / "exp.toml"
    path.write_text(
        f'scenario = "{scenario}"\nsteps = 12\nreplicates = 2\n'
        "[factors]\ndevolution_share = [0.1, 0.6]\n"
    )
    defn = load_sweep(path)
    estimates = plan_estimates(defn, make_design(defn))
    assert {e.counts["compounds"] for e in estimates} == {200_000}
