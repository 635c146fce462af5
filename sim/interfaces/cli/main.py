"""Command line: `python -m sim <command> ...`.

Each command lives in `sim/interfaces/cli/<name>.py` and exposes `register(subparsers)`, which adds
its sub-parser and sets `func` (args → exit code). Commands whose module is not present are
simply absent. Bad user input — a scenario or parameter the schema rejects
(`sim.core.params.ScenarioError`), an unusable run folder (`sim.runs.folder.RunFolderError`) or any
`sim.interfaces.cli.CommandError` — is reported as one line `error: <message>` on stderr with exit
code 2, like argparse's own usage errors. Ctrl-C exits with 130 and SIGTERM with 143, after
the command has cleaned up; a second signal exits at once (sim.interfaces.cli.interrupts).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import os
import signal
import sys

COMMANDS = (
    "run",
    "world",
    "pilot",
    "scenarios",
    "params",
    "sweep",
    "screen",
    "report",
    "discover",
    "serve",
    "validate",
)
"""Command modules looked for in `sim.interfaces.cli`, in the order they are listed in help."""

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available command registered."""
    from sim import __version__

    parser = argparse.ArgumentParser(
        prog="python -m sim",
        description="Community Governance Simulator: an agent-based model of urban "
        "grassroots governance. Run `python -m sim <command> --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="command", required=True)
    for name in COMMANDS:
        if importlib.util.find_spec(f"sim.interfaces.cli.{name}") is None:
            continue
        try:
            module = importlib.import_module(f"sim.interfaces.cli.{name}")
        except Exception as err:  # one broken command must not take the others down
            _register_broken(sub, name, err)
            continue
        module.register(sub)
    return parser


def _register_broken(sub, name: str, err: Exception) -> None:
    """A command whose module fails to import: listed, and reports the failure if used."""
    reason = f"{type(err).__name__}: {err}"
    p = sub.add_parser(name, help=f"(unavailable: {reason})", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)

    def unavailable(args: argparse.Namespace) -> int:
        print(f"error: the '{name}' command cannot be loaded ({reason})", file=sys.stderr)
        return EXIT_FAILED

    p.set_defaults(func=unavailable)


def main(argv: list[str] | None = None) -> int:
    """Parse `argv` (default: sys.argv[1:]), run the command and return its exit code."""
    from sim.core.params import ScenarioError
    from sim.runs.folder import RunFolderError

    from . import CommandError, interrupts

    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        args.argv = list(sys.argv[1:] if argv is None else argv)
        with interrupts.handle_signals():
            try:
                return int(args.func(args) or 0)
            except KeyboardInterrupt:
                terminated = interrupts.received() == signal.SIGTERM
                print("\nterminated (SIGTERM)" if terminated else "\ninterrupted", file=sys.stderr)
                return interrupts.exit_code()
    except (ScenarioError, RunFolderError, CommandError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exit_:  # argparse: --help, --version, usage errors (code 2)
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
