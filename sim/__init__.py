"""Community Governance Simulator: an agent-based model of urban grassroots governance.

    from sim import GovernanceModel
    model = GovernanceModel.from_scenario("scenarios/baseline.toml", rng=1)
    model.run_for(120)

    import sim
    sim.sweep("experiments/cross_appointment.toml", out="results/xa")   # many runs
    res = sim.load_results("results/xa")                                 # docs/PYTHON.md
    sim.compare(res, "all_four", "low")

The names below are imported when first used, so that `python -m sim --help` and the
command line's other quick answers do not load the model.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("community-governance-sim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.1.0"

_PUBLIC = {
    "GovernanceModel": "sim.core.model",
    "ScenarioError": "sim.core.params",
    "load_scenario": "sim.core.scenario",
    "RunResult": "sim.runs.runner",
    "run": "sim.runs.runner",
    "sweep": "sim.experiments.api",
    "load_results": "sim.experiments.api",
    "compare": "sim.experiments.api",
    "SweepResults": "sim.experiments.api",
}
"""Public name → the module that defines it."""

__all__ = [
    "GovernanceModel",
    "ScenarioError",
    "load_scenario",
    "RunResult",
    "run",
    "sweep",
    "load_results",
    "compare",
    "SweepResults",
    "__version__",
]

if TYPE_CHECKING:
    from sim.core.model import GovernanceModel
    from sim.core.params import ScenarioError
    from sim.core.scenario import load_scenario
    from sim.experiments.api import SweepResults, compare, load_results, sweep
    from sim.runs.runner import RunResult, run


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
