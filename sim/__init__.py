"""Community Governance Simulator: an agent-based model of urban grassroots governance.

from sim import GovernanceModel
model = GovernanceModel.from_scenario("scenarios/baseline.toml", rng=1)
model.run_for(120)
"""

from importlib.metadata import PackageNotFoundError, version

from sim.core.model import GovernanceModel
from sim.core.params import ScenarioError
from sim.core.scenario import load_scenario
from sim.runs.runner import RunResult, run

try:
    __version__ = version("community-governance-sim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.1.0"

__all__ = ["GovernanceModel", "RunResult", "ScenarioError", "load_scenario", "run", "__version__"]
