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


def test_the_list_of_commands_shows_each_commands_own_line():
    import argparse
    import importlib

    from sim.interfaces.cli.main import SUMMARIES

    for name, line in SUMMARIES.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"sim.interfaces.cli.{name}").register(sub)
        assert sub._choices_actions[0].help == line, name


def test_the_main_help_loads_neither_the_model_nor_its_libraries():
    import subprocess
    import sys

    code = (
        "import sys, contextlib, io\n"
        "from sim.interfaces.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help']) == 0\n"
        "heavy = ('mesa', 'pandas', 'numpy', 'scipy', 'matplotlib', 'sim.core.model')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
