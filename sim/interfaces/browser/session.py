"""A browser session's running model: built from the controls within the memory guard,
stepped and recorded month by month, and released when the session ends.

`start_run` checks the world against the per-session memory cap before building anything
(`guard.world_refusal`), builds the model, reads its network's skeleton once
(`structure.read_structure`) and starts its record (`history.History`). `Run.step` advances
one month and records it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.core.model import GovernanceModel
from sim.core.params import ScenarioError, defaults, validate

from .controls import resolve_seed
from .guard import Limits, world_refusal
from .history import History
from .structure import Structure, read_structure


class WorldTooLarge(ScenarioError):
    """A world above the per-session memory cap (the message says why)."""


@dataclass
class Run:
    """The running model of a session and how it was made."""

    model: GovernanceModel
    params: dict[str, Any]
    seed: int
    drawn: bool
    seed_text: str
    scenario: str
    modified: bool
    structure: Structure
    history: History
    source: str = ""  # the run folder this run replays, if any
    notes: list[str] = field(default_factory=list)

    @property
    def month(self) -> int:
        """The model's last month."""
        return self.history.latest

    def step(self) -> None:
        """One month of the model, recorded."""
        self.model.step()
        self.history.record()

    def close(self) -> None:
        """Release the model (Mesa's cached neighbourhoods would keep it alive)."""
        self.model.remove_all_agents()


def start_run(params: dict[str, Any], seed_text: str, scenario: str = "",
              scenario_params: dict[str, Any] | None = None, limits: Limits | None = None,
              lang: str = "en", seed: int | None = None, source: str = "") -> Run:
    """Build a model from the controls' values and the seed box's text (or `seed`).

    Raises WorldTooLarge when the world would exceed the session's memory cap, and
    ScenarioError for invalid parameters."""
    params = validate(dict(params), where="controls")
    refusal = world_refusal(params, limits or Limits.from_env(), lang)
    if refusal:
        raise WorldTooLarge(refusal)
    if seed is None:
        seed, drawn = resolve_seed(seed_text)
    else:
        drawn = False
    model = GovernanceModel(rng=int(seed), **params)
    base = scenario_params if scenario_params is not None else defaults()
    modified = any(params.get(k) != v for k, v in base.items())
    return Run(model, params, int(seed), drawn, seed_text, scenario, modified,
               read_structure(model.network), History(model), source)
