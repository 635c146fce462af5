"""Documentation stays in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

from sim.core import params as P

ROOT = Path(__file__).resolve().parent.parent


def test_every_parameter_has_its_place_in_the_odd():
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_0-9]+)`", odd))
    missing = [p.name for p in P.PARAMS if p.name not in named]
    assert not missing, f"parameters not described in docs/ODD.md: {missing}"


def test_every_agent_and_mechanism_module_has_an_odd_section():
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    for folder in ("mechanisms", "agents"):
        modules = sorted(
            p.stem
            for p in (ROOT / "sim" / "core" / folder).glob("*.py")
            if p.stem not in ("__init__", "base")
        )
        assert modules, folder
        for module in modules:
            assert f"{module}.py" in odd, module


def test_data_doc_describes_every_column_of_the_district_schema():
    from sim.core.district import SCHEMA

    doc = (ROOT / "docs" / "DATA.md").read_text(encoding="utf-8")
    for table, columns in SCHEMA.items():
        section = doc.split(f"`{table}`:", 1)[1].split("\n\n", 2)[1]
        for c in columns:
            row = next(
                (line for line in section.splitlines() if line.startswith(f"| `{c.name}` |")), None
            )
            assert row is not None, f"docs/DATA.md: {table} table lacks column {c.name}"
            assert c.allowed() in row, f"docs/DATA.md: {table}.{c.name}: {c.allowed()}"
