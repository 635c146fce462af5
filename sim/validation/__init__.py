"""Validation: mechanisms checked against published results (docs/VALIDATION.md)."""

from __future__ import annotations

import argparse
from pathlib import Path


def check_doc(parser: argparse.ArgumentParser, doc: Path | None, begin: str, end: str) -> None:
    """Refuse `--doc` before anything runs (exit code 2 through `parser.error`) when the
    file is missing or lacks the command's markers, so no computed result is lost to it."""
    if doc is None:
        return
    if not doc.is_file():
        parser.error(f"--doc {doc}: no such file")
    text = doc.read_text(encoding="utf-8")
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        parser.error(
            f"--doc {doc}: lacks the markers {begin} ... {end} that this command writes between"
        )


def replace_block(doc: Path, begin: str, end: str, block: str) -> None:
    """Replace the text between the markers `begin` and `end` of `doc` with `block`
    (each validation command owns one marked block of docs/VALIDATION.md)."""
    text = doc.read_text(encoding="utf-8")
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"{doc} lacks the markers {begin!r} ... {end!r}")
    start += len(begin)
    doc.write_text(text[:start] + "\n" + block + text[stop:], encoding="utf-8")
