"""Every command's --help prints its options and exits 0 (help texts are argparse format
strings: a bare % in one breaks the help of every command that shares it)."""

from __future__ import annotations

import importlib.util

import pytest

from sim.interfaces.cli.main import COMMANDS, main

AVAILABLE = [c for c in COMMANDS if importlib.util.find_spec(f"sim.interfaces.cli.{c}") is not None]


def test_the_main_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(c in out for c in AVAILABLE)


@pytest.mark.parametrize("command", AVAILABLE)
def test_each_commands_help_exits_0(command, capsys):
    assert main([command, "--help"]) == 0
    assert "usage: python -m sim" in capsys.readouterr().out
