"""The example notebook (examples/standard_task.py, a jupytext script) runs from top to bottom
in a Jupyter kernel, on a tiny world, and leaves the effect table and the paper's figure."""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import pandas as pd
from nbclient import NotebookClient

import sim

REPO = Path(__file__).resolve().parents[1]


def test_the_standard_task_notebook_runs_and_its_numbers_are_the_apis(tmp_path, monkeypatch):
    notebook = jupytext.read(REPO / "examples" / "standard_task.py")
    monkeypatch.setenv("SIM_EXAMPLE_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute(env=dict(os.environ))
    errors = [
        o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]  # fmt: skip
    assert not errors
    assert (tmp_path / "standard_task_effect.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "standard_task_effect.png").is_file()
    effect = pd.read_csv(tmp_path / "standard_task_effect.csv")
    again = sim.compare(tmp_path / "results" / "standard_task", "push", "none")
    pd.testing.assert_frame_equal(effect, again)
    assert list(effect["outcome"]) == ["needs_met", "satisfaction_mean"]
    assert (effect["n"] == 3).all()
