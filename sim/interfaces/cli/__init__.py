"""Sub-commands of `python -m sim` (see sim.interfaces.cli.main), one module each, plus shared
helpers.

A command module exposes `register(subparsers) -> None`, which adds its sub-parser and sets
`func=<callable(args) -> int>`. A command reports bad user input by raising `CommandError`
(or `sim.core.params.ScenarioError`); `sim.interfaces.cli.main.main` prints it as one line and
exits with code 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = [
    "CommandError",
    "format_table",
    "positive_int",
    "non_negative_int",
    "positive_float",
    "memory_size",
    "add_limit_options",
    "add_quiet_option",
]


class CommandError(Exception):
    """Bad user input found by a command; printed as `error: <message>`, exit code 2."""


def format_table(
    rows: Iterable[Sequence[Any]], headers: Sequence[str], align: str | None = None
) -> str:
    """Plain-text table with aligned columns. `align`: one letter per column, `l` or `r`
    (default: left). The last column is not padded."""
    body = [[str(c) for c in row] for row in rows]
    cells = [list(headers), *body]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    align = align or "l" * len(headers)
    rule = ["-" * w for w in widths]

    def line(row: Sequence[str]) -> str:
        parts = [c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(row, widths, align)]
        return "  ".join(parts).rstrip()

    return "\n".join(line(r) for r in [cells[0], rule, *body])


def _int_at_least(low: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} must be {what}")
        return value

    return parse


positive_int = _int_at_least(1, "a positive integer (1 or more)")
"""argparse type: an integer >= 1."""
non_negative_int = _int_at_least(0, "a non-negative integer (0 or more)")
"""argparse type: an integer >= 0."""


def positive_float(text: str) -> float:
    """argparse type: a number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a positive number")
    return value


def memory_size(text: str) -> int:
    """argparse type: a memory size such as 16GB or 512MB (binary units)."""
    from sim.runs.limits import parse_size

    try:
        return parse_size(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def add_limit_options(parser: argparse.ArgumentParser, what: str) -> None:
    """--max-memory and --max-hours: the size guards of `sim.runs.limits`."""
    from sim.runs.limits import DEFAULT_MAX_HOURS, MEMORY_SHARE

    parser.add_argument(
        "--max-memory",
        type=memory_size,
        default=None,
        metavar="SIZE",
        help=f"refuse {what} whose estimated memory per run exceeds SIZE, e.g. 32GB "
        f"(default: {MEMORY_SHARE:.0%}% of this machine's memory)",
    )
    parser.add_argument(
        "--max-hours",
        type=positive_float,
        default=DEFAULT_MAX_HOURS,
        metavar="H",
        help=f"refuse {what} estimated to take longer than H hours of computing "
        f"(default: {DEFAULT_MAX_HOURS:g})",
    )


def add_quiet_option(parser: argparse.ArgumentParser, result: str) -> None:
    """-q/--quiet, the same on every command: print only the result (`result` says what it
    is), no progress, plan lines or tables; errors still go to stderr."""
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help=f"print only {result}; no progress, plan lines or tables",
    )
