"""Bad values of the owners'-organisation and election levers stop a run before anything is
built: one line naming the key, the value and what is allowed, exit code 2."""

from __future__ import annotations

import contextlib
import io

import pytest

from sim.interfaces.cli.main import main


def refused(argv: list[str]) -> str:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    assert code == 2
    message = err.getvalue().strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    return message


@pytest.mark.parametrize(
    "key, value",
    [
        ("street_convened_committees", "1.5"),
        ("oc_support", "-0.1"),
        ("reelection_support", "2"),
        ("branch_building", "1.2"),
        ("candidate_age_limit", "10"),
    ],
)
def test_a_lever_outside_its_range_exits_2_naming_it(key, value, tmp_path):
    message = refused(["run", "baseline", "--set", f"{key}={value}", "--out", str(tmp_path / "r")])
    assert key in message and value in message
    assert not (tmp_path / "r").exists()


def test_a_branch_target_above_what_the_party_members_allow_exits_2(tmp_path):
    argv = ["run", "baseline", "--set", "branch_building=0.9", "--set", "party_member_share=0.001"]
    message = refused([*argv, "--out", str(tmp_path / "r")])
    assert "branch_building" in message and "party_member_share" in message
    assert not (tmp_path / "r").exists()
