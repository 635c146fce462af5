"""Documentation stays in step with the code."""

from __future__ import annotations

import dataclasses
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


# --- experiments: a short guide, and the results it links to -----------------------------------

WORDS_PER_MINUTE = 200
"""A careful reading pace for technical text."""


def test_the_experiments_guide_reads_in_15_minutes_and_links_the_results():
    guide = (ROOT / "docs" / "EXPERIMENTS.md").read_text(encoding="utf-8")
    assert len(guide.split()) <= 15 * WORDS_PER_MINUTE
    assert "](RESULTS.md)" in guide and "](PYTHON.md)" in guide
    assert "## Results" not in guide  # generated results live in RESULTS.md


def test_the_standard_task_of_the_guide_is_a_valid_experiment(tmp_path):
    from sim.experiments.definition import load_sweep

    guide = (ROOT / "docs" / "EXPERIMENTS.md").read_text(encoding="utf-8")
    section = guide.split("## The standard task", 1)[1].split("\n## ", 1)[0]
    toml = section.split("```toml", 1)[1].split("```", 1)[0]
    text = "\n".join(line.removeprefix("   ") for line in toml.splitlines())
    defn = load_sweep(ROOT / "experiments" / "xa_push.toml", text=text)
    assert defn.replicates == 10 and defn.base["n_streets"] == 3
    assert list(defn.outcomes) == ["needs_met", "satisfaction_mean"]


def test_the_results_document_is_what_the_regeneration_command_assembles():
    script = (ROOT / "scripts" / "regenerate_experiments.sh").read_text(encoding="utf-8")
    assert "--doc docs/RESULTS.md" in script and "--intro docs/experiments/intro.md" in script
    results = (ROOT / "docs" / "RESULTS.md").read_text(encoding="utf-8")
    intro = (ROOT / "docs" / "experiments" / "intro.md").read_text(encoding="utf-8")
    assert results.startswith(intro.rstrip() + "\n\n## Results\n")  # the intro is edited there
    links = re.findall(r"\]\((experiments/[^)]+)\)", results)
    assert links and all((ROOT / "docs" / link).is_file() for link in links)


def test_the_python_page_names_only_what_the_api_has():
    import sim
    from sim.experiments.analysis.results import SweepResults

    page = (ROOT / "docs" / "PYTHON.md").read_text(encoding="utf-8")
    for name in ("sweep", "load_results", "compare"):
        assert f"sim.{name}(" in page and callable(getattr(sim, name))
    table = page.split("## `sim.load_results(path)` and `SweepResults`", 1)[1].split("\n## ")[0]
    first_cells = [row.split("|")[1] for row in table.splitlines() if row.startswith("| `")]
    members = [m for cell in first_cells for m in re.findall(r"`([a-z_]+)", cell)]
    fields = {f.name for f in dataclasses.fields(SweepResults)}
    missing = [m for m in members if not (hasattr(SweepResults, m) or m in fields)]
    assert len(members) > 10 and not missing, missing


def test_the_citation_licence_and_package_metadata_agree():
    import tomllib

    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["cff-version"] == "1.2.0" and cff["message"] and cff["title"] and cff["authors"]
    assert cff["version"] == project["version"]
    assert cff["license"] == project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert project["readme"] == "README.md" and project["authors"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{project['version']}]" in changelog
