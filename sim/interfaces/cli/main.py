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


SUMMARIES = {
    "run": "run one scenario and write a run folder (tables, parameters, figures)",
    "world": "write the district a scenario builds as tables (streets, communities, "
    "compounds) to edit and run with --world",
    "pilot": "evaluate a pilot against its counterfactual twin: true effect, naive "
    "comparison, difference-in-differences",
    "scenarios": "list scenario files and their one-line descriptions",
    "params": "print the parameter schema (table, Markdown or TOML)",
    "sweep": "run an experiment (design × replicates) in parallel, resumably",
    "screen": "what sets the sign: screen every policy's paired effect over every parameter",
    "report": "report of a finished sweep: CIs, paired differences, figures and tables",
    "discover": "under which conditions: PRIM boxes and feature scores over a sweep's runs",
    "serve": "serve the browser app (network, live plots, policy levers)",
}
"""One line per command for the list of commands. Only the command that is run is imported
(with the model behind it), so `python -m sim --help` answers at once; a command without a
line here is imported to be listed."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser. `command`: the one to register in full (its module is imported);
    the others are listed by their line in SUMMARIES. None: every command in full."""
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
        if command is not None and name != command and name in SUMMARIES:
            sub.add_parser(name, help=SUMMARIES[name], add_help=False)
            continue
        try:
            module = importlib.import_module(f"sim.interfaces.cli.{name}")
        except Exception as err:  # one broken command must not take the others down
            _register_broken(sub, name, err)
            continue
        module.register(sub)
    return parser


def _command_of(argv: list[str]) -> str:
    """The command named in `argv` ("" when none is: the top-level options take no value)."""
    return next((a for a in argv if not a.startswith("-")), "")


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
    from . import interrupts

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(_command_of(argv))
        args = parser.parse_args(argv)
        args.argv = argv
        with interrupts.handle_signals():
            try:
                return int(args.func(args) or 0)
            except KeyboardInterrupt:
                terminated = interrupts.received() == signal.SIGTERM
                print("\nterminated (SIGTERM)" if terminated else "\ninterrupted", file=sys.stderr)
                return interrupts.exit_code()
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
    except Exception as err:
        if not _bad_input(err):
            raise
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE


def _bad_input(err: Exception) -> bool:
    """Whether `err` reports bad user input: a scenario or parameter the schema rejects, an
    unusable run folder or a command's own CommandError. Their modules are looked up, not
    imported: an error of a module that was never loaded cannot have been raised."""
    from . import CommandError

    kinds: list[type] = [CommandError]
    for module, name in (
        ("sim.core.params", "ScenarioError"),
        ("sim.runs.folder", "RunFolderError"),
    ):
        loaded = sys.modules.get(module)
        if loaded is not None:
            kinds.append(getattr(loaded, name))
    return isinstance(err, tuple(kinds))
