"""Validation: mechanisms checked against published results (docs/VALIDATION.md)."""

from __future__ import annotations

from pathlib import Path


def replace_block(doc: Path, begin: str, end: str, block: str) -> None:
    """Replace the text between the markers `begin` and `end` of `doc` with `block`
    (each validation command owns one marked block of docs/VALIDATION.md)."""
    text = doc.read_text(encoding="utf-8")
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"{doc} lacks the markers {begin!r} ... {end!r}")
    start += len(begin)
    doc.write_text(text[:start] + "\n" + block + text[stop:], encoding="utf-8")
