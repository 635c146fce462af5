"""Every validation command that writes into docs/VALIDATION.md refuses a `--doc` file
without its markers before it computes anything: one line and exit code 2, not a traceback
after minutes of runs."""

from __future__ import annotations

import pytest

from sim.validation import balance, episodes, public_goods
from sim.validation.calibration import cli as calibration


@pytest.mark.parametrize(
    "command",
    [balance, episodes, public_goods, calibration],
    ids=["balance", "episodes", "public_goods", "calibration"],
)
def test_a_doc_without_the_markers_is_refused_before_anything_runs(command, tmp_path, capsys):
    doc = tmp_path / "VALIDATION.md"
    doc.write_text("# Validation\n\nno markers here\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_:
        command.main(["--out", str(out), "--doc", str(doc)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"--doc {doc}: lacks the markers" in err and "Traceback" not in err
    assert not out.exists()
