"""Export: the tables in the run folder's layout, a scenario file that `python -m sim run`
repeats exactly, and run folders replayed and checked against what they recorded."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd
import pytest

from sim.core.scenario import load_scenario
from sim.interfaces.browser import export
from sim.interfaces.browser.session import start_run
from sim.runs.folder import RunFolderError, write_run
from sim.runs.runner import run as run_once

from .conftest import TWO_STREETS


def test_the_saved_scenario_repeats_the_session_s_run_exactly(tmp_path, run):
    text = export.scenario_toml(run.params, run.seed, run.month, "pre_reform", modified=True)
    path = tmp_path / "saved.toml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.seed == run.seed and scenario.steps == run.month == 4
    assert "with changed settings" in scenario.description
    again = run_once(scenario.params, scenario.seed, scenario.steps)
    pd.testing.assert_frame_equal(again.series, export.series_table(run.model), check_exact=True)


def test_the_saved_scenario_keeps_the_reforms_and_the_command_line_repeats_the_tables(tmp_path):
    session = start_run(TWO_STREETS, "8")
    session.step()
    session.schedule({"month": 3, "set": {"responsibility_list": True}, "streets": [1]})
    session.schedule({"month": 2, "set": {"xa_one_shoulder": 0.0}})
    for _ in range(4):
        session.step()
    text = export.scenario_toml(
        session.params,
        session.seed,
        session.month,
        "",
        modified=session.modified,
        policy=session.policy,
    )
    path = tmp_path / "saved.toml"
    path.write_text(text, encoding="utf-8")
    saved = load_scenario(path)
    assert saved.timeline.to_list() == session.policy and len(session.policy) == 2
    out = tmp_path / "again"
    subprocess.run(
        [sys.executable, "-m", "sim", "run", str(path), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    series = pd.read_parquet(out / "series.parquet")
    pd.testing.assert_frame_equal(series, export.series_table(session.model), check_exact=True)
    communities = pd.read_parquet(out / "communities.parquet")
    mine = export.community_table(session.model)
    pd.testing.assert_frame_equal(
        communities.reset_index(drop=True), mine.reset_index(drop=True), check_exact=True
    )
    # the reform reached the model: the street-1 communities, and only they, from month 3
    lists = session.model.levers.street("responsibility_list")
    assert lists.tolist() == [False, True]
    session.close()


def test_a_run_on_a_district_read_from_tables_saves_its_world(tmp_path):
    from sim.core.scenario import scenario_dir

    example = load_scenario(scenario_dir() / "example_district.toml")
    session = start_run(example.params, "5", policy=example.timeline.to_list(), world=example.world)
    assert session.structure.counts()["communities"] == len(example.district.community_id)
    for _ in range(2):
        session.step()
    path = tmp_path / "saved.toml"
    path.write_text(
        export.scenario_toml(
            session.params, session.seed, session.month, "example_district", world=session.world
        ),
        encoding="utf-8",
    )
    assert load_scenario(path).world == example.world
    out = tmp_path / "again"
    subprocess.run(
        [sys.executable, "-m", "sim", "run", str(path), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "series.parquet"),
        export.series_table(session.model),
        check_exact=True,
    )
    session.close()


def test_tables_download_as_csv_and_parquet(run):
    for frame in (export.series_table(run.model), export.community_table(run.model)):
        back = pd.read_parquet(io.BytesIO(export.table_bytes(frame, "parquet")))
        pd.testing.assert_frame_equal(back, frame.reset_index(drop=True))
        csv = pd.read_csv(io.BytesIO(export.table_bytes(frame, "csv")))
        assert list(csv.columns) == list(frame.columns) and len(csv) == len(frame)
    assert export.series_table(run.model)["step"].tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError):
        export.table_bytes(pd.DataFrame(), "xlsx")


TIMED = [{"month": 2, "set": {"devolution_share": 0.9}, "streets": [1]}]


def _folder(tmp_path, months=5, seed=7, policy=()):
    from sim.core.policy import parse_timeline
    from sim.core.scenario import Scenario

    result = run_once(dict(start_run(TWO_STREETS, "1").params), seed, months, timeline=list(policy))
    scenario = Scenario(
        "small", "a small world", result.params, months, seed, timeline=parse_timeline(list(policy))
    )
    return write_run(tmp_path / "runs" / "small-7", result, scenario, figures=False)


@pytest.mark.parametrize("policy", [[], TIMED])
def test_a_run_folder_replays_to_the_series_it_recorded(tmp_path, policy):
    folder = _folder(tmp_path, policy=policy)
    assert export.run_folders(tmp_path / "runs") == [folder]
    found = export.read_folder(folder)
    assert (found.seed, found.steps, found.name) == (7, 5, "small")
    assert found.policy == policy and found.world is None
    session = start_run(found.params, "", seed=found.seed, policy=found.policy)
    for _ in range(found.steps):
        session.step()
    assert export.first_difference(export.series_table(session.model), found.series) == ""
    changed = found.series.copy()
    changed.loc[2, "satisfaction_mean"] += 0.01
    assert "month 3, satisfaction_mean" in export.first_difference(
        export.series_table(session.model), changed
    )
    session.close()


def test_an_incomplete_run_folder_is_refused_with_a_reason(tmp_path):
    folder = _folder(tmp_path)
    (folder / "run.json").unlink()
    assert export.run_folders(tmp_path / "runs") == []
    with pytest.raises(RunFolderError, match="incomplete"):
        export.read_folder(folder)
