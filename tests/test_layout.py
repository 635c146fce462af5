"""The package layout shows the architecture: the model core at the bottom, one run above
it, experiments above that, validation and the interfaces on top. Nothing imports upward."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sim"

LAYERS = {
    "sim.core": {"sim.core"},
    "sim.runs": {"sim.core", "sim.runs", "sim"},
    "sim.experiments": {"sim.core", "sim.runs", "sim.experiments", "sim"},
    # validation studies are run as scripts and share the command line's argument types
    "sim.validation": {
        "sim.core",
        "sim.runs",
        "sim.experiments",
        "sim.validation",
        "sim",
        "sim.interfaces.cli",
    },
    "sim.interfaces": {
        "sim.core",
        "sim.runs",
        "sim.experiments",
        "sim.validation",
        "sim.interfaces",
        "sim",
    },
}
"""What each subpackage may import from (`sim` itself only for `__version__`)."""


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> list[str]:
    """Every `sim...` module that `path` imports, relative imports resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod == "sim":  # `from sim import core` names a subpackage
                out += [
                    f"sim.{a.name}"
                    if a.name in {"core", "runs", "experiments", "validation", "interfaces"}
                    else "sim"
                    for a in node.names
                ]
            else:
                out.append(mod)
    return [m for m in out if m == "sim" or m.startswith("sim.")]


def layer(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else "sim"


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if layer(module_name(p)) in LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_module_imports_upward(path):
    allowed = LAYERS[layer(module_name(path))]
    upward = [
        m
        for m in imported_modules(path)
        if layer(m) not in allowed and not any(m.startswith(a + ".") or m == a for a in allowed)
    ]
    assert not upward, f"{module_name(path)} imports {upward} (allowed: {sorted(allowed)})"


def test_the_top_level_package_holds_only_the_layers():
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"]
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert packages == sorted(name.split(".")[1] for name in LAYERS)


def test_the_public_entry_points_still_import():
    from sim import GovernanceModel, load_scenario, run

    assert callable(run) and callable(load_scenario) and isinstance(GovernanceModel, type)


README = PACKAGE.parent / "README.md"
MODULES_LISTED = ("core", "experiments", "experiments/analysis")
"""Packages whose modules README's layout names one by one (others are described whole)."""


def readme_layout() -> str:
    """The tree in README's `## Layout` section."""
    section = README.read_text(encoding="utf-8").split("## Layout", 1)[1]
    return section.split("```", 2)[1]


def test_the_readme_layout_names_every_subpackage_and_the_modules_it_lists():
    tree = readme_layout()
    packages = [p for p in PACKAGE.rglob("*") if (p / "__init__.py").is_file()]
    missing = [str(p.relative_to(PACKAGE.parent)) for p in packages if f"{p.name}/" not in tree]
    for rel in MODULES_LISTED:
        missing += [
            str(f.relative_to(PACKAGE.parent))
            for f in (PACKAGE / rel).glob("*.py")
            if f.name != "__init__.py" and not re.search(rf"\b{f.name}\b", tree)
        ]
    assert not missing, f"README's layout does not show {missing}"


def test_every_module_the_readme_layout_names_exists():
    files = {p.name for p in PACKAGE.rglob("*.py")}
    named = set(re.findall(r"\b\w+\.py\b", readme_layout()))
    assert named <= files, f"README's layout names missing files: {sorted(named - files)}"


MESA_OBJECTS = {"grid", "space", "cell", "cells", "agents", "agents_by_type", "all_cells"}
"""Attributes through which the model reaches Mesa's objects."""


def test_no_module_reaches_into_mesas_private_attributes():
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            if node.attr.startswith("__"):
                continue
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name in MESA_OBJECTS:
                found.append(
                    f"{path.relative_to(PACKAGE.parent)}:{node.lineno} .{name}.{node.attr}"
                )
    assert not found, f"private Mesa attributes used (Mesa may change them): {found}"
