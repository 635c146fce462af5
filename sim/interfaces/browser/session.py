"""A browser session's running model: built from the controls within the memory guard,
stepped and recorded month by month, and released when the session ends.

`start_run` checks the world against the per-session memory cap before building anything
(`guard.world_refusal`), builds the model with its policy timeline (and the district's
tables, if a scenario names them), reads its network's skeleton once
(`structure.read_structure`) and starts its record (`history.History`, and who holds which
seats: `people.SeatLog`). `Run.step` advances one month and records it. `Run.schedule` adds
a reform to the running model's timeline: a `[[policy]]` entry, checked and applied exactly
as a scenario file's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.district import District
from sim.core.model import GovernanceModel
from sim.core.params import ScenarioError, defaults, validate
from sim.core.policy import LEVER_SCOPE, parse_timeline
from sim.core.scenario import load_district

from .controls import resolve_seed
from .guard import Limits, world_refusal
from .history import History
from .people import SeatLog
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
    policy: list[dict[str, Any]] = field(default_factory=list)  # the timeline's entries
    world: Path | None = None  # the folder of the district's tables, if read from files
    district: District | None = None
    seat_log: SeatLog | None = None
    reforms: int = 0  # entries scheduled here (the last ones of `policy`)

    @property
    def month(self) -> int:
        """The model's last month."""
        return self.history.latest

    def step(self) -> None:
        """One month of the model, recorded."""
        self.model.step()
        self.history.record()
        if self.seat_log is not None:
            self.seat_log.record(self.model, self.month)

    def schedule(self, entry: dict[str, Any]) -> None:
        """Add a reform (a `[[policy]]` entry: month, set, optionally streets) to the running
        model's timeline. Raises ScenarioError, saying what is wrong, for an entry a scenario
        file could not hold, a month already begun, a street the district lacks or a reform
        already scheduled."""
        change = parse_timeline([entry], where="reform").changes[0]
        if change.month <= self.model.steps:
            raise ScenarioError(
                f"reform: month = {change.month} has begun already; choose a "
                f"month after {self.model.steps}"
            )
        for name in change.values:
            if name in LEVER_SCOPE:
                self.model.levers.units(change, LEVER_SCOPE[name], self.model.world.n_streets)
        if change.to_dict() in self.policy:
            raise ScenarioError(
                f"reform: the same reform is already scheduled for month {change.month}"
            )
        entries = [*self.policy, change.to_dict()]
        self.model.timeline = parse_timeline(entries, where="reform")
        self.policy = self.model.timeline.to_list()
        self.reforms += 1
        self.modified = True

    def unschedule(self, index: int) -> None:
        """Drop the timeline's entry `index` if its month has not begun."""
        entry = self.policy[index]
        if int(entry["month"]) <= self.model.steps:
            raise ScenarioError(f"reform: month {entry['month']} has begun already")
        entries = self.policy[:index] + self.policy[index + 1 :]
        self.model.timeline = parse_timeline(entries, where="reform")
        self.policy = self.model.timeline.to_list()
        self.modified = True

    def close(self) -> None:
        """Release the model (Mesa's cached neighbourhoods would keep it alive)."""
        self.model.remove_all_agents()


def start_run(
    params: dict[str, Any],
    seed_text: str,
    scenario: str = "",
    scenario_params: dict[str, Any] | None = None,
    limits: Limits | None = None,
    lang: str = "en",
    seed: int | None = None,
    source: str = "",
    policy: list[dict[str, Any]] | None = None,
    world: Path | None = None,
    district: District | None = None,
) -> Run:
    """Build a model from the controls' values and the seed box's text (or `seed`), with
    the policy timeline `policy` (`[[policy]]` entries) and the district read from `world`.

    Raises WorldTooLarge when the world (counted in the district's tables if it is read
    from files) would exceed the session's memory cap or time per month, and
    ScenarioError for invalid parameters or timeline entries."""
    params = validate(dict(params), where="controls")
    if world is not None and district is None:
        district = load_district(world)
    refusal = world_refusal(params, limits or Limits.from_env(), lang, district=district)
    if refusal:
        raise WorldTooLarge(refusal)
    if seed is None:
        seed, drawn = resolve_seed(seed_text)
    else:
        drawn = False
    timeline = parse_timeline(list(policy or []), where="timeline")
    model = GovernanceModel(rng=int(seed), timeline=timeline, district=district, **params)
    base = scenario_params if scenario_params is not None else defaults()
    modified = any(params.get(k) != v for k, v in base.items())
    return Run(
        model,
        params,
        int(seed),
        drawn,
        seed_text,
        scenario,
        modified,
        read_structure(model.network),
        History(model),
        source,
        policy=timeline.to_list(),
        world=world,
        district=district,
        seat_log=SeatLog.start(model),
    )
