"""The memory guard: a world's memory is estimated before it is built, a world above the
session cap is refused with the reason, and a full server turns new sessions away."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.core.district import district_from_tables
from sim.interfaces.browser import guard


@pytest.mark.parametrize(
    "world", [{"n_streets": 1}, {"n_streets": 4, "households_per_compound": 40.0}]
)
def test_the_estimate_covers_what_a_world_really_takes(world):
    measured = guard.measure(world, months=12)
    estimate = guard.model_mb(guard.expected_world(world))
    assert measured["peak_mb"] <= estimate <= 3 * measured["peak_mb"] + 5


def test_the_expected_world_multiplies_the_structure_means():
    w = guard.expected_world(
        {
            "n_streets": 2,
            "communities_per_street": 3.0,
            "compounds_per_community": 4.0,
            "households_per_compound": 10.0,
            "household_size": 2.0,
        }
    )
    assert (w.streets, w.communities, w.compounds, w.residents) == (2, 6.0, 24.0, 480.0)


def test_the_expected_world_is_on_the_safe_side_of_what_the_model_builds():
    from sim.interfaces.browser.session import start_run

    nodes, residents = [], []
    for seed in ("1", "2", "3"):
        run = start_run({}, seed)
        nodes.append(run.model.network.number_of_nodes())
        residents.append(run.model.residents.n)
        run.close()
    expected = guard.expected_world({})
    assert sum(nodes) / 3 <= expected.nodes <= 1.25 * sum(nodes) / 3
    assert sum(residents) / 3 <= expected.residents <= 1.25 * sum(residents) / 3


def test_a_world_above_the_cap_is_refused_with_its_size_and_the_cap():
    limits = guard.Limits(session_mb=1500, server_mb=4000, max_sessions=5)
    assert guard.world_refusal({"n_streets": 10}, limits) == ""
    message = guard.world_refusal({"n_streets": 1000}, limits)
    assert "1,500 MB per session" in message and "residents" in message
    assert "--session-memory-mb" in message
    assert "1,500 MB" in guard.world_refusal({"n_streets": 1000}, limits, "zh")


def test_the_default_cap_allows_a_hundred_default_streets_but_not_a_thousand():
    limits = guard.Limits()
    assert guard.world_refusal({"n_streets": 100}, limits) == ""
    assert guard.world_refusal({"n_streets": 1000}, limits) != ""


def test_a_full_server_turns_a_new_session_away_and_takes_it_once_one_leaves():
    limits = guard.Limits(session_mb=100, server_mb=250, max_sessions=2)
    register = guard.Admission()
    assert register.admit("a", 100, limits) == ""
    assert register.admit("b", 100, limits) == ""
    assert "busy" in register.admit("c", 10, limits) and "limit is 2" in register.admit(
        "c", 10, limits
    )
    register.release("a")
    assert register.admit("c", 10, limits) == ""
    # memory: b (100) + c (10) + 200 > 250
    register.release("c")
    message = register.admit("d", 200, limits)
    assert "busy" in message and "250 MB" in message
    # a session may grow within the budget, counted once
    assert register.admit("b", 150, limits) == "" and register.reserved_mb() == 150


def test_limits_come_from_the_environment():
    limits = guard.Limits.from_env(
        {guard.ENV_SESSION_MB: "800", guard.ENV_SERVER_MB: "3000", guard.ENV_MAX_SESSIONS: "7"}
    )
    assert (limits.session_mb, limits.server_mb, limits.max_sessions) == (800, 3000, 7)
    fallback = guard.Limits.from_env({guard.ENV_SESSION_MB: "lots"})
    assert fallback.session_mb == guard.DEFAULT_SESSION_MB


def test_a_world_read_from_tables_is_counted_in_its_tables():
    comm = pd.DataFrame({"community": [str(i) for i in range(4)], "street": "0"})
    comp = pd.DataFrame(
        {
            "compound": [str(i) for i in range(50_000)],
            "community": [str(i % 4) for i in range(50_000)],
        }
    )
    d = district_from_tables({"communities": comm, "compounds": comp})
    w = guard.expected_world({}, d)
    assert (w.streets, w.communities, w.compounds) == (1, 4.0, 50_000.0)
    limits = guard.Limits()
    assert guard.world_refusal({}, limits) == ""  # what the parameters alone would say
    assert "World too large" in guard.world_refusal({}, limits, district=d)


def test_a_world_whose_months_would_take_too_long_is_refused_with_the_reason():
    limits = guard.Limits(month_seconds=0.01)
    message = guard.world_refusal({"n_streets": 10}, limits)
    assert (
        message.startswith("World too slow for one session")
        and "--session-month-seconds" in message
    )
    assert "秒" in guard.world_refusal({"n_streets": 10}, limits, "zh")
    assert guard.world_refusal({"n_streets": 10}, guard.Limits()) == ""
    env = {guard.ENV_MONTH_SECONDS: "2.5"}
    assert guard.Limits.from_env(env).month_seconds == 2.5


def test_a_job_whose_world_runs_the_compiled_loops_provisions_their_runtime():
    """A background job's process loads the compiled loops for a world of
    `kernels.MIN_RESIDENTS` residents or more: its estimate adds their fixed memory there,
    and not for a smaller world or where the loops are switched off."""
    from sim.core import kernels
    from sim.core.world import MEMORY_BYTES

    fixed = MEMORY_BYTES["compiled_loops"] / 2**20
    small, district = {"n_streets": 1}, {}
    assert guard.expected_world(small).residents < kernels.MIN_RESIDENTS
    assert guard.expected_world(district).residents >= kernels.MIN_RESIDENTS
    with kernels.using("numpy"):
        without = guard.job_estimate_mb(district, 12), guard.job_estimate_mb(small, 12)
    with kernels.using("auto"):
        auto = guard.job_estimate_mb(district, 12), guard.job_estimate_mb(small, 12)
    assert auto[0] - without[0] == pytest.approx(fixed if kernels.would_compile(10**9) else 0)
    assert auto[1] == without[1]
