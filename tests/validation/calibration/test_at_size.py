"""Replaying targets at their recorded size: the predictive check's draws and seeds run in the
reduced world and in a larger one, compared run by run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.validation.calibration import at_size
from sim.validation.calibration.prior import REDUCED_WORLD
from sim.validation.calibration.targets import Target

TARGET = Target.measured("y", "y", 0.0, 0.05, "toy", lambda run: run.summary["y"])  # range ±0.1


def _runs(values: list[float]) -> pd.DataFrame:
    """Three draws × two replicates, in the checks' row layout."""
    return pd.DataFrame({"draw": [0, 1, 2, 0, 1, 2], "replicate": [0, 0, 0, 1, 1, 1], "y": values})


def test_the_table_gives_each_worlds_share_in_range_its_seed_noise_and_the_paired_difference():
    reduced = _runs([0.0, 0.3, -0.2, 0.2, 0.1, 0.0])  # 3 of 6 within ±0.1
    larger = _runs([0.05, 0.08, -0.05, 0.05, 0.02, 0.01])  # all within
    table = at_size.size_table({"reduced": reduced, "larger": larger}, [TARGET], "reduced")
    rows = table.set_index("world")
    assert rows.loc["reduced", "in_range"] == pytest.approx(0.5)
    assert rows.loc["larger", "in_range"] == pytest.approx(1.0)
    # seed noise: the standard deviation between a draw's two seeds, pooled over draws
    pooled = np.sqrt(
        np.mean(
            [np.var([0.0, 0.2], ddof=1), np.var([0.3, 0.1], ddof=1), np.var([-0.2, 0.0], ddof=1)]
        )
    )
    assert rows.loc["reduced", "run_sd"] == pytest.approx(pooled)
    diff = np.array([0.05, 0.08, -0.05, 0.05, 0.02, 0.01]) - np.array(
        [0.0, 0.3, -0.2, 0.2, 0.1, 0.0]
    )
    assert rows.loc["larger", "difference"] == pytest.approx(diff.mean())
    assert rows.loc["larger", "low"] < diff.mean() < rows.loc["larger", "high"]
    assert np.isnan(rows.loc["reduced", "difference"])  # the reference has no difference


def test_a_larger_world_keeps_the_reduced_worlds_proportions():
    world = at_size.scaled_world(2 * REDUCED_WORLD["n_streets"])
    assert world == {
        "n_streets": 2 * REDUCED_WORLD["n_streets"],
        "n_firms": 2 * REDUCED_WORLD["n_firms"],
        "n_ngos": 2 * REDUCED_WORLD["n_ngos"],
    }


def _doc(tmp_path):
    doc = tmp_path / "VALIDATION.md"
    doc.write_text(f"# V\n\n{at_size.DOC_BEGIN}\nold\n{at_size.DOC_END}\n\nafter\n", "utf-8")
    return doc


def test_the_replay_runs_the_checks_draws_in_both_worlds_and_writes_its_block(tmp_path, capsys):
    doc = _doc(tmp_path)
    args = ["--target", "episode_taiyuan_one_shoulder", "--streets", "5", "--draws", "2"]
    args += ["--seeds", "2", "--workers", "1", "--quiet", "--results", str(tmp_path / "r")]
    assert at_size.main([*args, "--doc", str(doc)]) == 0
    text = doc.read_text("utf-8")
    assert "old" not in text and text.endswith("after\n")
    assert "| reduced |" in text and "| 5 streets |" in text
    assert "Verdict (at least half of the runs in range)" in text
    # resumed: a second call finds every run stored and writes the same block
    capsys.readouterr()
    assert at_size.main(args) == 0
    assert capsys.readouterr().out.strip() in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--seeds", "1"], "--seeds must be at least 2"),
        (["--posterior", "nowhere.parquet"], "--posterior nowhere.parquet: no such file"),
        (["--draws", "100000"], "--draws 100000: the posterior"),
        (["--target", "no_such_target"], "invalid choice: 'no_such_target'"),
    ],
)
def test_bad_input_is_refused_with_exit_code_2_before_anything_runs(
    tmp_path, capsys, extra, message
):
    results = tmp_path / "r"
    args = ["--target", "episode_taiyuan_one_shoulder", "--streets", "5"]
    with pytest.raises(SystemExit) as exit_:
        at_size.main([*args, "--results", str(results), *extra])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not results.exists()


def test_a_doc_without_the_markers_is_refused_before_anything_runs(tmp_path, capsys):
    doc = tmp_path / "VALIDATION.md"
    doc.write_text("# V\n", "utf-8")
    with pytest.raises(SystemExit) as exit_:
        at_size.main(
            [
                "--target",
                "episode_taiyuan_one_shoulder",
                "--streets",
                "5",
                "--doc",
                str(doc),
                "--results",
                str(tmp_path / "r"),
            ]
        )
    assert exit_.value.code == 2
    assert "lacks the markers" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
