"""Policy levers where they apply, and policy timelines (ODD §7.0).

A lever is a parameter that a government sets (its meaning in the schema ends in
"(lever)"). Each lever has a scope — the level of the organisation that is told to act on
it: a street office, a community or a compound — and `Levers` holds one value per unit of
that scope, so that a reform can start in pilot streets or only in old compounds. Mechanisms
and agents read a lever through `Levers.street(...)`, `.community(...)` or `.compound(...)`,
which map coarser scopes down (a street's value holds in each of its communities).

A `Timeline` is a list of `PolicyChange`s: at the start of month `month` the values in
`values` are set where the change applies (everywhere, listed streets, community or compound
types, or a random share of the lever's units drawn with the change's own seed). A change
of a non-lever parameter applies district-wide. What a lever pushes is still decided by the
agents: a push for 一肩挑 reaches seats only at the next election (elections.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .params import BY_NAME, ScenarioError
from .types import COMMUNITY_TYPES, COMPOUND_TYPES_ORDER

SCOPES = ("street", "community", "compound")

LEVER_SCOPE: dict[str, str] = {
    # cross-appointment pushes: nominations by the community party organisation
    "xa_one_shoulder": "community",
    "xa_two_committee_overlap": "community",
    "xa_secretary_chairs_oc": "compound",
    "xa_two_committee_member_on_oc": "compound",
    "election_household_rule": "community",
    # devolution, decided by the street office
    "devolution_share": "street",
    "channel_block_grant": "street",
    "channel_grid_funds": "street",
    "channel_ngo_projects": "street",
    "capacity_building_share": "street",
    # burden and assessment
    "responsibility_list": "street",
    "resident_assessment_weight": "street",
    "third_party_evaluation": "street",
    "screening_strictness": "street",
    "volunteer_platform": "street",
    # line departments and cadres (§7.14, §7.15), as each street applies them
    "access_list": "street",
    "street_summons": "street",
    "seconded_consultation": "street",
    "mirror_ban": "street",
    "cadre_selection_resident_weight": "street",
    # property management and owners' committees
    "professional_committee": "community",
    "party_led_formation": "compound",
    "street_convened_committees": "street",
    "oc_support": "street",
    "reelection_support": "street",
    "branch_building": "community",
}
"""Every lever and the level of the organisation that acts on it."""

FIXED_GROUPS = ("structure", "population", "people")
"""Parameter groups a timeline cannot change: they are drawn when the world is built."""


@dataclass(frozen=True)
class PolicyChange:
    """Set `values` at the start of `month` (1 = the first month), where it applies."""

    month: int
    values: Mapping[str, Any]
    streets: tuple[int, ...] | None = None
    community_types: tuple[str, ...] | None = None
    compound_types: tuple[str, ...] | None = None
    share: float | None = None
    seed: int = 0
    label: str = ""

    @property
    def targeted(self) -> bool:
        return any(
            x is not None
            for x in (self.streets, self.community_types, self.compound_types, self.share)
        )

    def to_dict(self) -> dict[str, Any]:
        """The change as a scenario `[[policy]]` table."""
        out: dict[str, Any] = {"month": self.month, "set": dict(self.values)}
        for key in ("streets", "community_types", "compound_types"):
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value)
        if self.share is not None:
            out["share"] = self.share
            out["seed"] = self.seed
        if self.label:
            out["label"] = self.label
        return out


@dataclass
class Timeline:
    """Scheduled policy changes, applied in month order (then in the order given)."""

    changes: list[PolicyChange] = field(default_factory=list)

    def due(self, month: int) -> list[PolicyChange]:
        return [c for c in self.changes if c.month == month]

    def to_list(self) -> list[dict[str, Any]]:
        return [c.to_dict() for c in self.changes]

    def __bool__(self) -> bool:
        return bool(self.changes)


POLICY_KEYS = {
    "month",
    "set",
    "streets",
    "community_types",
    "compound_types",
    "share",
    "seed",
    "label",
}


def parse_timeline(
    entries: Iterable[Mapping[str, Any]] | Timeline | None, where: str = "timeline"
) -> Timeline:
    """Validate `[[policy]]` entries (dicts) into a Timeline. Raises ScenarioError naming
    the entry, the key, the value and what is allowed."""
    if entries is None:
        return Timeline()
    if isinstance(entries, Timeline):
        return entries
    if isinstance(entries, Mapping) or not isinstance(entries, Sequence):
        raise ScenarioError(f"{where}: policy must be a list of tables ([[policy]] entries)")
    from .params import validate  # checks every value against the schema

    changes = []
    for k, entry in enumerate(entries, start=1):
        here = f"{where}: policy entry {k}"
        if not isinstance(entry, Mapping):
            raise ScenarioError(f"{here}: must be a table with month and set")
        unknown = set(entry) - POLICY_KEYS
        if unknown:
            raise ScenarioError(
                f"{here}: unknown key {sorted(unknown)[0]!r}; allowed: "
                f"{', '.join(sorted(POLICY_KEYS))}"
            )
        month = entry.get("month")
        if isinstance(month, bool) or not isinstance(month, int) or month < 1:
            raise ScenarioError(f"{here}: month = {month!r} must be a whole number >= 1")
        values = entry.get("set")
        if not isinstance(values, Mapping) or not values:
            raise ScenarioError(f"{here}: set must be a non-empty table of parameter = value")
        for name in values:
            param = BY_NAME.get(name)
            if param is None:
                raise ScenarioError(f"{here}: set.{name}: unknown parameter")
            if param.group in FIXED_GROUPS:
                raise ScenarioError(
                    f"{here}: set.{name}: a {param.group} parameter is fixed "
                    "when the world is built and cannot change during a run"
                )
        checked = validate(dict(values), where=f"{here}: set")
        values = {name: checked[name] for name in values}
        streets = _int_list(entry, "streets", here)
        ctypes = _str_list(entry, "community_types", here)
        ptypes = _str_list(entry, "compound_types", here)
        share = entry.get("share")
        if share is not None and (
            isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1
        ):
            raise ScenarioError(f"{here}: share = {share!r} must be a number in (0, 1]")
        seed = entry.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ScenarioError(f"{here}: seed = {seed!r} must be a non-negative integer")
        label = entry.get("label", "")
        if not isinstance(label, str):
            raise ScenarioError(f"{here}: label = {label!r} must be a string")
        change = PolicyChange(
            month,
            values,
            streets,
            ctypes,
            ptypes,
            None if share is None else float(share),
            seed,
            label,
        )
        if change.targeted:
            for name in values:
                scope = LEVER_SCOPE.get(name)
                if scope is None:
                    raise ScenarioError(
                        f"{here}: set.{name} applies to the whole district (it is not set "
                        "per street, community or compound); remove streets, "
                        "community_types, compound_types and share"
                    )
                if ptypes is not None and scope != "compound":
                    raise ScenarioError(
                        f"{here}: compound_types cannot target {name}, which streets or "
                        "communities act on; use streets or community_types"
                    )
                if ctypes is not None and scope == "street":
                    raise ScenarioError(
                        f"{here}: community_types cannot target {name}, which street offices "
                        "act on; use streets"
                    )
        changes.append(change)
    changes.sort(key=lambda c: c.month)
    return Timeline(changes)


def _int_list(entry: Mapping[str, Any], key: str, here: str) -> tuple[int, ...] | None:
    value = entry.get(key)
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or not value
        or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in value)
    ):
        raise ScenarioError(
            f"{here}: {key} = {value!r} must be a non-empty list of street numbers (0, 1, ...)"
        )
    return tuple(value)


def _str_list(entry: Mapping[str, Any], key: str, here: str) -> tuple[str, ...] | None:
    value = entry.get(key)
    if value is None:
        return None
    names = TYPE_NAMES[key]
    if not isinstance(value, list) or not value or any(not isinstance(v, str) for v in value):
        raise ScenarioError(
            f"{here}: {key} = {value!r} must be a non-empty list of type names ({', '.join(names)})"
        )
    unknown = [v for v in value if v not in names]
    if unknown:
        raise ScenarioError(
            f"{here}: {key} = {value!r}: {unknown[0]!r} is not a "
            f"{key.removesuffix('_types')} type; allowed: {', '.join(names)}"
        )
    return tuple(value)


TYPE_NAMES = {"community_types": COMMUNITY_TYPES, "compound_types": COMPOUND_TYPES_ORDER}
"""The type names a `[[policy]]` entry can target (sim.core.types)."""


class Levers:
    """Lever values per unit of their scope, kept current by the timeline."""

    def __init__(
        self,
        p: dict,
        street_of_community: np.ndarray,
        community_of_compound: np.ndarray,
        community_type: Sequence[str],
        compound_type: Sequence[str],
    ) -> None:
        self.street_of_community = street_of_community
        self.community_of_compound = community_of_compound
        self.community_type = np.asarray(community_type)
        self.compound_type = np.asarray(compound_type)
        n = {
            "street": int(street_of_community.max()) + 1 if street_of_community.size else 0,
            "community": len(street_of_community),
            "compound": len(community_of_compound),
        }
        self.values = {name: np.full(n[scope], p[name]) for name, scope in LEVER_SCOPE.items()}

    def street(self, name: str) -> np.ndarray:
        if LEVER_SCOPE[name] != "street":
            raise KeyError(f"{name} is set per {LEVER_SCOPE[name]}, not per street")
        return self.values[name]

    def community(self, name: str) -> np.ndarray:
        scope = LEVER_SCOPE[name]
        if scope == "street":
            return self.values[name][self.street_of_community]
        if scope == "community":
            return self.values[name]
        raise KeyError(f"{name} is set per compound, not per community")

    def at(self, name: str, community: int) -> Any:
        """The value of a street- or community-scope lever in one community (no array is
        built: organisations deciding one at a time call this)."""
        scope = LEVER_SCOPE[name]
        if scope == "street":
            return self.values[name][self.street_of_community[community]]
        if scope == "community":
            return self.values[name][community]
        raise KeyError(f"{name} is set per compound, not per community")

    def at_compound(self, name: str, compound: int) -> Any:
        """The value of a lever in one compound (no array is built)."""
        scope = LEVER_SCOPE[name]
        if scope == "compound":
            return self.values[name][compound]
        return self.at(name, int(self.community_of_compound[compound]))

    def compound(self, name: str) -> np.ndarray:
        scope = LEVER_SCOPE[name]
        if scope == "compound":
            return self.values[name]
        return self.community(name)[self.community_of_compound]

    def units(self, change: PolicyChange, scope: str, n_streets: int) -> np.ndarray:
        """Mask of the units of `scope` where `change` applies."""
        size = len(self.values[next(k for k, s in LEVER_SCOPE.items() if s == scope)])
        mask = np.ones(size, dtype=bool)
        street_of = {
            "street": np.arange(size),
            "community": self.street_of_community,
            "compound": self.street_of_community[self.community_of_compound],
        }[scope]
        if change.streets is not None:
            bad = [s for s in change.streets if s >= n_streets]
            if bad:
                raise ScenarioError(
                    f"policy at month {change.month}: streets = {list(change.streets)}: street "
                    f"{bad[0]} does not exist (the district has streets 0..{n_streets - 1})"
                )
            mask &= np.isin(street_of, change.streets)
        if change.community_types is not None:
            ctype = (
                self.community_type
                if scope == "community"
                else self.community_type[self.community_of_compound]
            )
            mask &= np.isin(ctype, change.community_types)
        if change.compound_types is not None:
            mask &= np.isin(self.compound_type, change.compound_types)
        if change.share is not None:
            u = np.random.default_rng(change.seed).random(size)
            mask &= u < change.share
        return mask

    def apply(self, change: PolicyChange, p: dict, n_streets: int) -> None:
        """Set the change's values where it applies; district-wide parameters go into `p`."""
        for name, value in change.values.items():
            scope = LEVER_SCOPE.get(name)
            if scope is None:
                p[name] = value
                continue
            if not change.targeted:
                p[name] = value
            self.values[name][self.units(change, scope, n_streets)] = value
