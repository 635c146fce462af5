"""Ctrl-C and SIGTERM for the commands: the first signal stops cleanly, a second exits at once.

The first SIGINT (Ctrl-C) raises KeyboardInterrupt as usual; the first SIGTERM (what batch
schedulers and `kill` send) raises `Terminated`, a KeyboardInterrupt, so one clean-up path
serves both: the command stores what finished, logs its session, releases its lock and
exits with 130 (SIGINT) or 143 (SIGTERM). While it cleans up, a second signal no longer
raises: it runs the registered last-resort clean-ups (`on_hard_exit`, e.g. removing a lock
file) and ends the process at once; after the clean-up, while the process shuts down, a
second signal ends it at once with the same code.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator

__all__ = ["Terminated", "handle_signals", "on_hard_exit", "exit_code", "received"]


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


_first: list[int] = []
_cleanups: list[Callable[[], None]] = []


def received() -> int | None:
    """The first signal received while handling was on (None: none)."""
    return _first[0] if _first else None


def exit_code() -> int:
    """Exit code of an interrupted command: 128 + the first signal (130 for Ctrl-C)."""
    return 128 + (received() or signal.SIGINT)


def _handler(signum: int, frame: object) -> None:
    if _first:
        os.write(2, b"\ninterrupted again: exiting now\n")
        for fn in reversed(_cleanups):
            with contextlib.suppress(Exception):
                fn()
        os._exit(128 + _first[0])
    _first.append(signum)
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


@contextlib.contextmanager
def handle_signals() -> Iterator[None]:
    """Handle SIGINT and SIGTERM as described above while inside (main thread only)."""
    try:
        previous = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    _first.clear()
    try:
        yield
    finally:
        if _first:  # interrupted: the process ends now; a second signal while it shuts down
            code = 128 + _first[0]  # (worker pools, clusters) exits at once, with this code
            for s in previous:
                signal.signal(s, lambda *_: os._exit(code))
        else:
            for s, h in previous.items():
                signal.signal(s, h)
        _first.clear()
        _cleanups.clear()


@contextlib.contextmanager
def on_hard_exit(fn: Callable[[], None]) -> Iterator[None]:
    """Run `fn` if a second signal ends the process while inside."""
    _cleanups.append(fn)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            _cleanups.remove(fn)
