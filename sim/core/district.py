"""A district as it is: streets, communities and compounds given as tables (ODD §5, §6;
the schema is documented in docs/DATA.md).

`district_from_tables(tables)` validates pandas tables of streets (optional), communities and
compounds and returns a `District`: the structure (which community lies in which street,
which compound in which community) and the attributes the tables give. The world builder
(`sim.core.world.build_world(p, rng, district)`) takes the structure and every given value
as it is and draws whatever a table leaves out — a missing column, or an empty cell — from
the type's distributions (sim.core.types). It makes the same random draws whichever columns
are given, so a district written back with every column filled (`district_tables`) builds
the same world again with the same seed.

Every problem is one `ScenarioError` line naming the file, the row (1 = the first row under
the header), the column, the value and what is allowed. Pure: no file is read or written
here (sim.core.scenario reads the files; sim.runs writes them).
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import types as T
from .params import BY_NAME, ScenarioError

TABLES = ("streets", "communities", "compounds")
"""The tables of a district, in the order they refer to each other."""

OWN_PREFIX = "x_"
"""Columns of a researcher's own (notes, source ids) start with this and are ignored."""

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f"})


@dataclass(frozen=True)
class Column:
    """One column of a district table: its kind, what is allowed and what it means."""

    name: str
    kind: str  # id | ref | text | choice | int | float | bool | firm
    meaning: str
    required: bool = False
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    refers_to: str = ""  # for kind "ref": the table whose id it names

    def allowed(self) -> str:
        """What a cell may hold, in words."""
        if self.kind == "id":
            return "a non-empty name or number, unique in the table"
        if self.kind == "ref":
            return f"an id of {self.refers_to}"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false (also 1/0, yes/no)"
        if self.kind == "int":
            return f"a whole number in [{self.low:g}, {self.high:g}]"
        if self.kind == "float":
            return f"a number in [{self.low:g}, {self.high:g}]"
        if self.kind == "firm":
            return "a firm's name, or its number (0, 1, ...)"
        return "any text"


SCHEMA: dict[str, tuple[Column, ...]] = {
    "streets": (
        Column("street", "id", "the street office's id (街道)", required=True),
        Column("name", "text", "its name"),
    ),
    "communities": (
        Column("community", "id", "the community's id (社区)", required=True),
        Column("street", "ref", "the street it lies in", required=True, refers_to="streets"),
        Column(
            "community_type", "choice", "community type (sim.core.types)", choices=T.COMMUNITY_TYPES
        ),
        Column("name", "text", "its name"),
    ),
    "compounds": (
        Column("compound", "id", "the residential compound's id (小区)", required=True),
        Column(
            "community", "ref", "the community it lies in", required=True, refers_to="communities"
        ),
        Column(
            "compound_type",
            "choice",
            "compound type (sim.core.types)",
            choices=T.COMPOUND_TYPES_ORDER,
        ),
        Column("households", "int", "households living in it", low=1, high=100_000),
        Column("build_year", "int", "year it was built", low=1900, high=2030),
        Column(
            "management", "choice", "how it is managed at the start", choices=T.MANAGEMENT_MODES
        ),
        Column(
            "fee", "float", "property fee (yuan per m² of floor area per month)", low=0.0, high=50.0
        ),
        Column("firm", "firm", "the property-management firm serving it (management = firm)"),
        Column("has_branch", "bool", "it has its own party branch"),
        Column("has_oc", "bool", "an owners' committee is in place at the start"),
        Column("owner_share", "float", "chance a household owns its home", low=0.0, high=1.0),
        Column("elderly_share", "float", "chance a resident is aged 60+", low=0.0, high=1.0),
        Column(
            "floor_area",
            "float",
            "mean floor area of a household's home (m²)",
            low=1.0,
            high=5000.0,
        ),
        Column(
            "longitude", "float", "where it lies: longitude (degrees east)", low=-180.0, high=180.0
        ),
        Column(
            "latitude", "float", "where it lies: latitude (degrees north)", low=-90.0, high=90.0
        ),
        Column("name", "text", "its name"),
    ),
}
"""Every column of every table. `id` and `ref` columns are required (the streets table is
optional as a whole); every other column may be left out or have empty cells, which the
world builder then draws from the compound's type."""

GIVEN_COLUMNS = (
    "community_type",
    "compound_type",
    "households",
    "build_year",
    "management",
    "fee",
    "firm",
    "has_branch",
    "has_oc",
    "owner_share",
    "elderly_share",
    "floor_area",
)
"""Columns whose values the world builder takes instead of drawing them."""

COORDINATES = ("longitude", "latitude")
"""Compound columns of where a compound lies: kept as given (never drawn; unknown where
empty), for maps. Both or neither in a row."""


@dataclass(frozen=True)
class Given:
    """Values of one column, and which of them the table gave (the rest are drawn)."""

    values: np.ndarray
    mask: np.ndarray

    def fill(self, drawn: np.ndarray) -> np.ndarray:
        """`drawn`, with the given values where the table gave them."""
        if not self.mask.any():
            return drawn
        out = np.array(drawn, copy=True)
        out[self.mask] = self.values[self.mask].astype(out.dtype)
        return out


@dataclass(frozen=True)
class District:
    """A district read from tables: its structure, ids, names and given attributes.
    Communities are grouped by street and compounds by community (in table order within
    each group), as in a drawn world."""

    street_id: np.ndarray
    community_id: np.ndarray
    compound_id: np.ndarray
    street_of_community: np.ndarray
    community_of_compound: np.ndarray
    given: dict[str, Given] = field(default_factory=dict)
    names: dict[str, np.ndarray] = field(default_factory=dict)
    firm_names: tuple[str, ...] | None = None
    source: str = ""
    lonlat: np.ndarray | None = None  # (compounds, 2) longitude, latitude; NaN where unknown

    @property
    def n_streets(self) -> int:
        return len(self.street_id)

    def compound_lonlat(self) -> np.ndarray:
        """Per compound (in the district's order) its longitude and latitude, an (n, 2)
        float array with NaN where the tables give none."""
        if self.lonlat is None:
            return np.full((len(self.compound_id), 2), np.nan)
        return np.array(self.lonlat, dtype=float, copy=True)

    def fill(self, column: str, drawn: np.ndarray) -> np.ndarray:
        """`drawn` with the values the tables give for `column` (all drawn if none)."""
        given = self.given.get(column)
        return drawn if given is None else given.fill(drawn)

    def fingerprint(self) -> str:
        """A short hash of everything the tables give: equal districts, equal hashes."""
        digest = hashlib.sha256()
        parts = [
            self.street_id,
            self.community_id,
            self.compound_id,
            self.street_of_community,
            self.community_of_compound,
            np.array(self.firm_names or (), dtype=object),
        ]
        for name in sorted(self.given):
            parts += [
                np.array([name], dtype=object),
                self.given[name].mask,
                self.given[name].values,
            ]
        if self.lonlat is not None:  # only where given: other districts keep their hash
            parts += [np.array(["lonlat"], dtype=object), self.lonlat]
        for part in parts:
            digest.update(repr(np.asarray(part).tolist()).encode("utf-8") + b"\0")
        return digest.hexdigest()[:16]

    def firms_needed(self) -> int:
        """Firms the tables name (the district has at least this many)."""
        firm = self.given.get("firm")
        if firm is None or not firm.mask.any():
            return 0
        return int(firm.values[firm.mask].max()) + 1

    def params(self, p: dict[str, Any]) -> dict[str, Any]:
        """`p` with the structural parameters the tables fix: the number of streets, and
        at least as many firms as they name."""
        out = dict(p)
        out["n_streets"] = self.n_streets
        out["n_firms"] = max(int(p["n_firms"]), self.firms_needed())
        for name in ("n_streets", "n_firms"):
            try:
                out[name] = BY_NAME[name].check(out[name])
            except ValueError as err:
                raise ScenarioError(
                    f"{self.source or 'district'}: the tables give {name} = {out[name]} which {err}"
                ) from None
        return out


NO_DISTRICT = District(
    *(np.zeros(0, dtype=object),) * 3, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
)
"""A district that gives nothing: `fill` returns every draw unchanged."""


# --- reading tables ----------------------------------------------------------------------


def district_from_tables(
    tables: Mapping[str, pd.DataFrame], sources: Mapping[str, str] | None = None, source: str = ""
) -> District:
    """Validate the tables (keys in TABLES; `streets` optional) and build a District.
    `sources` names each table's file in messages (default: the table's name)."""
    sources = {name: (sources or {}).get(name, name) for name in TABLES}
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ScenarioError(
            f"{source or 'district'}: unknown table {sorted(unknown)[0]!r}; "
            f"allowed: {', '.join(TABLES)}"
        )
    for name in ("communities", "compounds"):
        if name not in tables:
            raise ScenarioError(
                f"{source or 'district'}: the {name} table is missing "
                f"(a district needs {name}; streets is optional)"
            )
    cols: dict[str, dict[str, Given]] = {}
    for name in TABLES:
        if name in tables:
            cols[name] = _read_table(tables[name], SCHEMA[name], sources[name])

    comm, comp = cols["communities"], cols["compounds"]
    if "streets" in cols:
        street_id = cols["streets"]["street"].values
    else:  # streets in order of first appearance
        street_id = np.array(list(dict.fromkeys(comm["street"].values.tolist())), dtype=object)
    street_index = _refer(
        comm["street"].values,
        street_id,
        sources["communities"],
        "street",
        sources.get("streets", "streets"),
    )
    community_index = _refer(
        comp["community"].values,
        comm["community"].values,
        sources["compounds"],
        "community",
        sources["communities"],
    )
    _every_has_one(street_id, street_index, sources["streets"], "street", sources["communities"])
    _every_has_one(
        comm["community"].values,
        community_index,
        sources["communities"],
        "community",
        sources["compounds"],
    )

    # communities grouped by street, compounds by community (stable: table order within)
    comm_order = np.argsort(street_index, kind="stable")
    new_comm = np.empty_like(comm_order)
    new_comm[comm_order] = np.arange(len(comm_order))
    community_index = new_comm[community_index]
    comp_order = np.argsort(community_index, kind="stable")

    firm_names = None
    if "firm" in comp:
        _check_firm_management(comp, sources["compounds"])
        comp["firm"], firm_names = _number_firms(comp["firm"])
    if "management" in comp:  # mode names to their numbers (types.MANAGEMENT_MODES)
        mode = comp["management"]
        comp["management"] = Given(
            np.array([T.MANAGEMENT_MODES.index(v) for v in mode.values], dtype=np.int8), mode.mask
        )
    given = {k: _take(v, comm_order) for k, v in comm.items() if k in GIVEN_COLUMNS}
    given.update({k: _take(v, comp_order) for k, v in comp.items() if k in GIVEN_COLUMNS})
    lonlat = _coordinates(comp, sources["compounds"])
    names = {}
    for level, order in (("streets", None), ("communities", comm_order), ("compounds", comp_order)):
        if level in cols and "name" in cols[level]:
            g = cols[level]["name"] if order is None else _take(cols[level]["name"], order)
            names[level] = np.where(g.mask, g.values, "").astype(object)
    return District(
        street_id=street_id.astype(object),
        community_id=comm["community"].values[comm_order].astype(object),
        compound_id=comp["compound"].values[comp_order].astype(object),
        street_of_community=street_index[comm_order].astype(np.int32),
        community_of_compound=community_index[comp_order].astype(np.int32),
        given=given,
        names=names,
        firm_names=firm_names,
        source=source,
        lonlat=None if lonlat is None else lonlat[comp_order],
    )


def _coordinates(comp: dict[str, Given], where: str) -> np.ndarray | None:
    """Longitude and latitude per compound (table order), NaN where empty; None if the table
    gives no coordinates. A row gives both or neither."""
    lon, lat = comp.get("longitude"), comp.get("latitude")
    if lon is None and lat is None:
        return None
    n = len(comp["compound"].values)
    lon = lon or Given(np.zeros(n), np.zeros(n, dtype=bool))
    lat = lat or Given(np.zeros(n), np.zeros(n, dtype=bool))
    half = lon.mask != lat.mask
    if half.any():
        row = int(np.flatnonzero(half)[0])
        given, missing = ("longitude", "latitude") if lon.mask[row] else ("latitude", "longitude")
        raise ScenarioError(
            f"{where}: row {row + 1}, column {missing} is empty while {given} is given; "
            "a compound's coordinates are both given or both left empty"
        )
    if not lon.mask.any():
        return None
    return np.column_stack(
        [np.where(lon.mask, lon.values, np.nan), np.where(lat.mask, lat.values, np.nan)]
    ).astype(float)


def _read_table(frame: pd.DataFrame, schema: tuple[Column, ...], where: str) -> dict[str, Given]:
    if not isinstance(frame, pd.DataFrame):
        raise ScenarioError(f"{where}: not a table")
    if len(frame) == 0:
        raise ScenarioError(f"{where}: the table has no rows")
    known = {c.name: c for c in schema}
    for name in frame.columns:
        name = str(name)
        if name in known or name.startswith(OWN_PREFIX):
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ScenarioError(
            f"{where}: column {name!r} is not part of the schema{hint}; allowed: "
            f"{', '.join(known)}; columns of your own must start with {OWN_PREFIX!r} "
            "(docs/DATA.md)"
        )
    out = {}
    for column in schema:
        if column.name not in frame.columns:
            if column.required:
                raise ScenarioError(
                    f"{where}: column {column.name!r} is missing; required: "
                    + ", ".join(c.name for c in schema if c.required)
                )
            continue
        out[column.name] = _parse(frame[column.name], column, where)
    return out


def _cells(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The column's values (text stripped) and the mask of empty cells."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series, series.isna().to_numpy(dtype=bool)
    text = series.astype("string").str.strip()
    missing = (text.isna() | (text == "")).to_numpy(dtype=bool)
    return text, missing


def _bad(where: str, row: int, column: Column, value: Any, problem: str = "") -> ScenarioError:
    problem = problem or f"must be {column.allowed()}"
    return ScenarioError(f"{where}: row {row + 1}, column {column.name} = {value!r}: {problem}")


def _parse(series: pd.Series, column: Column, where: str) -> Given:
    values, missing = _cells(series)
    raw = series.to_numpy(dtype=object)
    if column.kind in ("id", "ref"):
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise _bad(where, row, column, raw[row], f"is empty; must be {column.allowed()}")
        ids = np.array([_id_text(v) for v in raw], dtype=object)
        if column.kind == "id":
            seen: dict[str, int] = {}
            for row, v in enumerate(ids.tolist()):
                if v in seen:
                    raise _bad(
                        where,
                        row,
                        column,
                        raw[row],
                        f"repeats row {seen[v] + 1}; ids must be unique",
                    )
                seen[v] = row
        return Given(ids, np.ones(len(ids), dtype=bool))
    if column.kind in ("text", "firm"):
        text = np.array(["" if m else _id_text(v) for v, m in zip(raw, missing)], dtype=object)
        return Given(text, ~missing)
    if column.kind == "choice":
        text = values.astype("string").fillna("").to_numpy(dtype=object)
        bad = ~missing & ~np.isin(text, column.choices)
        _first_bad(bad, where, column, raw)
        return Given(np.where(missing, column.choices[0], text).astype(object), ~missing)
    if column.kind == "bool":
        return Given(*_parse_bool(values, missing, raw, column, where))
    numbers = pd.to_numeric(
        values.where(~pd.Series(missing, index=values.index)), errors="coerce"
    ).to_numpy(dtype=float)
    _first_bad(
        ~missing & ~np.isfinite(numbers),
        where,
        column,
        raw,
        f"is not a number; must be {column.allowed()}",
    )
    if column.kind == "int":
        _first_bad(~missing & (np.floor(numbers) != numbers), where, column, raw)
    out_of_range = ~missing & ((numbers < column.low) | (numbers > column.high))
    _first_bad(out_of_range, where, column, raw)
    numbers = np.where(missing, 0.0, numbers)
    if column.kind == "int":
        return Given(numbers.astype(np.int64), ~missing)
    return Given(numbers, ~missing)


def _parse_bool(
    values: pd.Series, missing: np.ndarray, raw: np.ndarray, column: Column, where: str
) -> tuple[np.ndarray, np.ndarray]:
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(False).to_numpy(dtype=bool), ~missing
    words = values.astype("string").str.lower().fillna("").to_numpy(dtype=object)
    yes, no = np.isin(words, list(TRUE_WORDS)), np.isin(words, list(FALSE_WORDS))
    if pd.api.types.is_numeric_dtype(values):  # 0/1 as numbers (1.0 reads as "1.0")
        number = values.to_numpy(dtype=float)
        yes, no = yes | (number == 1), no | (number == 0)
    _first_bad(~missing & ~yes & ~no, where, column, raw)
    return yes, ~missing


def _first_bad(
    bad: np.ndarray, where: str, column: Column, raw: np.ndarray, problem: str = ""
) -> None:
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise _bad(where, row, column, raw[row], problem)


def _id_text(value: Any) -> str:
    """An id or name as text (a whole number stored as a float loses its `.0`)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (np.integer, np.bool_)):
        return str(value.item())
    return str(value).strip()


def _refer(refs: np.ndarray, ids: np.ndarray, where: str, column: str, target: str) -> np.ndarray:
    """Index in `ids` of each reference; a dangling reference is an error."""
    position = {v: i for i, v in enumerate(ids.tolist())}
    out = np.empty(len(refs), dtype=np.int64)
    for row, v in enumerate(refs.tolist()):
        i = position.get(v)
        if i is None:
            raise ScenarioError(
                f"{where}: row {row + 1}, column {column} = {v!r}: names no "
                f"{column} of {target}; must be the {column} column of a "
                f"row of {target}"
            )
        out[row] = i
    return out


def _every_has_one(
    ids: np.ndarray, index: np.ndarray, where: str, what: str, children: str
) -> None:
    count = np.bincount(index, minlength=len(ids))
    if (count == 0).any():
        row = int(np.flatnonzero(count == 0)[0])
        raise ScenarioError(
            f"{where}: row {row + 1}, column {what} = {ids[row]!r}: no row "
            f"of {children} lies in it; every {what} needs at least one"
        )


def _number_firms(firm: Given) -> tuple[Given, tuple[str, ...] | None]:
    """Firm numbers: whole numbers are used as they are; names are numbered in order of
    first appearance (and kept, so written tables carry them)."""
    given = firm.values[firm.mask].tolist()
    if all(v.isdigit() for v in given):
        numbers = np.array([int(v) if m else -1 for v, m in zip(firm.values, firm.mask)])
        return Given(numbers.astype(np.int32), firm.mask), None
    names = tuple(dict.fromkeys(given))
    number = {n: i for i, n in enumerate(names)}
    numbers = np.array([number[v] if m else -1 for v, m in zip(firm.values, firm.mask)])
    return Given(numbers.astype(np.int32), firm.mask), names


def _check_firm_management(comp: dict[str, Given], where: str) -> None:
    """A named firm manages the compound: management must be firm, or is set to it."""
    firm = comp["firm"]
    mode = comp.get("management")
    if mode is None:
        comp["management"] = Given(np.full(len(firm.mask), "firm", dtype=object), firm.mask)
        return
    clash = firm.mask & mode.mask & (mode.values != "firm")
    if clash.any():
        row = int(np.flatnonzero(clash)[0])
        raise ScenarioError(
            f"{where}: row {row + 1}, column firm = "
            f"{comp['firm'].values[row]!r}: the compound's management is "
            f"{mode.values[row]!r}; a firm serves only compounds with "
            "management = firm (leave firm empty, or set management = firm)"
        )
    comp["management"] = Given(
        np.where(firm.mask & ~mode.mask, "firm", mode.values), mode.mask | firm.mask
    )


def _take(g: Given, order: np.ndarray) -> Given:
    return Given(g.values[order], g.mask[order])


# --- writing a world back as tables --------------------------------------------------------


def district_tables(
    world: Any, has_oc: np.ndarray | None = None, columns: tuple[str, ...] | None = None
) -> dict[str, pd.DataFrame]:
    """The world as district tables with every column filled (ids and names from its
    district where it was read from one). `has_oc`: the owners' committees in place at
    the start (decided by the model, so given here). `columns`: the compound columns to
    keep besides the ids (default: all), so that the rest is drawn when read again."""
    d = world.district
    street_id = d.street_id if d is not None else _numbered(world.n_streets)
    community_id = d.community_id if d is not None else _numbered(world.n_communities)
    compound_id = d.compound_id if d is not None else _numbered(world.n_compounds)
    names = d.names if d is not None else {}

    streets = pd.DataFrame({"street": street_id})
    communities = pd.DataFrame(
        {
            "community": community_id,
            "street": street_id[world.street_of_community],
            "community_type": world.community_type,
        }
    )
    firm = world.firm_of_compound
    if d is not None and d.firm_names is not None:
        extra = tuple(f"firm {i}" for i in range(len(d.firm_names), int(firm.max()) + 1))
        labels = np.array(d.firm_names + extra, dtype=object)
        firm_col = np.where(firm >= 0, labels[np.maximum(firm, 0)], "")
    else:
        firm_col = pd.array(np.where(firm >= 0, firm, 0), dtype="Int64")
        firm_col[firm < 0] = pd.NA
    compounds = pd.DataFrame(
        {
            "compound": compound_id,
            "community": community_id[world.community_of_compound],
            "compound_type": world.compound_type,
            "households": world.households_of_compound.astype(np.int64),
            "build_year": world.build_year.astype(np.int64),
            "management": np.array(T.MANAGEMENT_MODES, dtype=object)[world.management],
            "fee": world.fee.astype(float),
            "firm": firm_col,
            "has_branch": world.compound_has_branch.astype(bool),
            "owner_share": world.owner_share.astype(float),
            "elderly_share": world.elderly_share.astype(float),
            "floor_area": world.floor_area.astype(float),
        }
    )
    if has_oc is not None:
        compounds.insert(
            compounds.columns.get_loc("has_branch") + 1, "has_oc", np.asarray(has_oc, dtype=bool)
        )
    lonlat = getattr(world, "compound_lonlat", None)
    if lonlat is not None and (
        np.isfinite(lonlat).any() or any(c in (columns or ()) for c in COORDINATES)
    ):  # where the world knows where its compounds lie (empty where unknown)
        compounds["longitude"] = lonlat[:, 0].astype(float)
        compounds["latitude"] = lonlat[:, 1].astype(float)
    if columns is not None:
        unknown = [c for c in columns if c not in compounds.columns]
        if unknown:
            raise ScenarioError(
                f"columns: {unknown[0]!r} is not a compound column; allowed: "
                + ", ".join(compounds.columns[2:])
            )
        keep = ["compound", "community", *[c for c in compounds.columns if c in columns]]
        compounds = compounds[keep]
    for frame, level in (
        (streets, "streets"),
        (communities, "communities"),
        (compounds, "compounds"),
    ):
        if level in names and (names[level] != "").any():
            frame["name"] = names[level]
    return {"streets": streets, "communities": communities, "compounds": compounds}


def _numbered(n: int) -> np.ndarray:
    return np.array([str(i) for i in range(n)], dtype=object)
