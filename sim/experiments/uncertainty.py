"""Parameter uncertainty: plausible ranges (priors), draws over them, and tables of draws.

An uncertain parameter has a plausible range and a distribution over it::

    Uncertain("waste_rate", 0.0, 0.2)                          # uniform on the range
    Uncertain("oc_attempt_rate", 0.002, 0.03, scale="log")     # log-uniform
    Uncertain("theta", -5.0, 5.0, mean=0.0, sd=1.0)            # normal, truncated to the range

A `Prior` is several of them, independent of each other. `sample(n, seed)` draws a Latin
hypercube (one draw in each of n equally probable strata of every parameter), `logpdf` gives
the joint density, and `to_unit` / `from_unit` map values to the unit cube in which emulators
and samplers work (linear between the range's ends, or logarithmic for `scale = "log"`).
`parse_prior` reads a prior from an experiment file's table, `read_draws` a table of
parameter draws (one column per parameter, one row per draw) such as a calibration's
posterior, and `draw_seeds` gives each draw its own seeds.

An experiment file's ``[uncertainty]`` table (`parse_uncertainty` → `Uncertainty`) runs every
arm of the experiment over the same parameter draws, each draw with its own replicate seeds
(the same in every arm)::

    [uncertainty]
    draws = 64                                  # parameter draws
    table = "../docs/validation/posterior.parquet"   # draws from a table: its first rows
    [uncertainty.ranges]                        # and/or plausible ranges, sampled by LHS
    overload_penalty = [0.5, 3.0]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from sim.core.params import BY_NAME, ScenarioError

__all__ = [
    "Uncertain",
    "Prior",
    "parse_prior",
    "read_draws",
    "draw_seeds",
    "Uncertainty",
    "parse_uncertainty",
]

UNCERTAINTY_KEYS = ("draws", "table", "ranges")

SCALES = ("linear", "log")


@dataclass(frozen=True)
class Uncertain:
    """One uncertain parameter: its plausible range [low, high], the scale on which it is
    spread (`linear` or `log`), and, if `mean` and `sd` are given, a normal distribution
    truncated to the range instead of a uniform one."""

    name: str
    low: float
    high: float
    scale: str = "linear"
    mean: float | None = None
    sd: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"{self.name}: range [{self.low}, {self.high}] needs low < high")
        if self.scale not in SCALES:
            raise ValueError(f"{self.name}: scale {self.scale!r} is not one of {SCALES}")
        if self.scale == "log" and self.low <= 0:
            raise ValueError(f"{self.name}: a log scale needs a range above 0")
        if (self.mean is None) != (self.sd is None):
            raise ValueError(f"{self.name}: a normal prior needs both mean and sd")
        if self.sd is not None and (self.scale == "log" or not self.sd > 0):
            raise ValueError(f"{self.name}: a normal prior needs sd > 0 on a linear scale")

    @property
    def kind(self) -> str:
        """`uniform`, `log-uniform` or `normal` (truncated to the range)."""
        if self.sd is not None:
            return "normal"
        return "log-uniform" if self.scale == "log" else "uniform"

    @cached_property
    def dist(self) -> Any:
        """The frozen scipy.stats distribution."""
        if self.sd is not None:
            a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
            return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)
        if self.scale == "log":
            return stats.loguniform(self.low, self.high)
        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def describe(self) -> str:
        """One line: distribution and range."""
        if self.sd is not None:
            return f"normal({self.mean:g}, {self.sd:g}) truncated to [{self.low:g}, {self.high:g}]"
        return f"{self.kind} on [{self.low:g}, {self.high:g}]"

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        """Position in the range: 0 at `low`, 1 at `high` (on the log scale if `log`)."""
        x = np.asarray(x, dtype=float)
        if self.scale == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.log(x / self.low) / math.log(self.high / self.low)
        return (x - self.low) / (self.high - self.low)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Inverse of `to_unit`."""
        u = np.asarray(u, dtype=float)
        if self.scale == "log":
            return self.low * (self.high / self.low) ** u
        return self.low + (self.high - self.low) * u

    def logpdf_unit(self, u: np.ndarray) -> np.ndarray:
        """Log density of the position `u` in the unit interval (-inf outside it): the
        parameter's log density times the Jacobian of `from_unit`."""
        u = np.asarray(u, dtype=float)
        inside = (u >= 0) & (u <= 1)
        x = self.from_unit(np.clip(u, 0.0, 1.0))
        if self.scale == "log":
            jacobian = np.log(x * math.log(self.high / self.low))
        else:
            jacobian = np.full_like(x, math.log(self.high - self.low))
        out = self.dist.logpdf(x) + jacobian
        return np.where(inside, out, -np.inf)


@dataclass(frozen=True)
class Prior:
    """Independent uncertain parameters."""

    params: tuple[Uncertain, ...]

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"a parameter appears twice in the prior: {names}")

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def __len__(self) -> int:
        return len(self.params)

    def sample(self, n: int, seed: int | np.random.SeedSequence) -> pd.DataFrame:
        """`n` draws of a Latin hypercube: in every parameter's distribution, one draw in
        each of the n equally probable strata."""
        rng = np.random.default_rng(seed)
        u = qmc.LatinHypercube(d=len(self.params), rng=rng).random(n)
        return pd.DataFrame({p.name: p.dist.ppf(u[:, j]) for j, p in enumerate(self.params)})

    def to_unit(self, values: pd.DataFrame) -> np.ndarray:
        """Positions of the draws in the unit cube (rows: draws, columns: parameters)."""
        return np.column_stack(
            [p.to_unit(values[p.name].to_numpy(dtype=float)) for p in self.params]
        )

    def from_unit(self, u: np.ndarray) -> pd.DataFrame:
        u = np.atleast_2d(np.asarray(u, dtype=float))
        return pd.DataFrame({p.name: p.from_unit(u[:, j]) for j, p in enumerate(self.params)})

    def logpdf_unit(self, u: np.ndarray) -> np.ndarray:
        """Joint log density of positions in the unit cube (-inf outside it)."""
        u = np.atleast_2d(np.asarray(u, dtype=float))
        return np.sum([p.logpdf_unit(u[:, j]) for j, p in enumerate(self.params)], axis=0)


# --- from experiment files ------------------------------------------------------------------


def parse_prior(where: str, table: Any) -> Prior:
    """A prior from a TOML table of plausible ranges, one entry per model parameter::

        waste_rate = [0.0, 0.2]                                   # uniform
        training_cost = { range = [5000, 80000], scale = "log" }  # log-uniform
        overload_penalty = { range = [0, 3], normal = [1.0, 0.5] }  # truncated normal

    Every range must lie inside the parameter's allowed range; on/off and text parameters
    cannot be uncertain. Raises ScenarioError naming the file, key, value and what is allowed."""
    if not isinstance(table, Mapping) or not table:
        raise ScenarioError(
            f"{where}: must be a table of parameter ranges, e.g. waste_rate = [0.0, 0.2]"
        )
    params = []
    for name, spec in table.items():
        key = f"{where} {name}"
        param = BY_NAME.get(name)
        if param is None:
            raise ScenarioError(f"{key}: not a model parameter (see `python -m sim params`)")
        if param.type not in (int, float):
            raise ScenarioError(
                f"{key}: an {param.type.__name__} parameter cannot be "
                "uncertain; only numeric parameters have ranges"
            )
        options: dict[str, Any] = {}
        if isinstance(spec, Mapping):
            unknown = sorted(set(spec) - {"range", "scale", "normal"})
            if unknown:
                raise ScenarioError(
                    f"{key}: unknown key {unknown[0]!r}; allowed: range, scale, normal"
                )
            bounds = spec.get("range")
            options["scale"] = spec.get("scale", "linear")
            if options["scale"] not in SCALES:
                raise ScenarioError(
                    f"{key}: scale = {options['scale']!r}; allowed: "
                    + ", ".join(repr(s) for s in SCALES)
                )
            normal = spec.get("normal")
            if normal is not None:
                if not _numbers(normal, 2):
                    raise ScenarioError(f"{key}: normal = {normal!r} must be [mean, sd]")
                options["mean"], options["sd"] = (float(v) for v in normal)
        else:
            bounds = spec
        if not _numbers(bounds, 2):
            raise ScenarioError(
                f"{key} = {spec!r}: must be a range [low, high] or a table "
                '{ range = [low, high], scale = "log" }'
            )
        low, high = (float(v) for v in bounds)
        for v in (low, high):
            try:
                param.check(int(v) if param.type is int and float(v).is_integer() else v)
            except ValueError as err:
                raise ScenarioError(f"{key}: range [{low:g}, {high:g}]: {v:g} {err}") from None
        try:
            params.append(Uncertain(name, low, high, **options))
        except ValueError as err:
            raise ScenarioError(f"{key}: {str(err).split(': ', 1)[-1]}") from None
    return Prior(tuple(params))


def _numbers(value: Any, n: int) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == n
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    )


# Columns a table of draws may hold besides parameters: the calibration's posterior numbers
# its draws and keeps each draw's log-likelihood. Any other column is refused, because a
# column that names no parameter is most often one an earlier model had: using the rest of
# that table would run this model over part of another model's posterior.
BOOKKEEPING_COLUMNS = ("draw", "log_likelihood")


def read_draws(path: str | Path, where: str = "draws") -> pd.DataFrame:
    """A table of parameter draws (Parquet): one column per model parameter, one row per
    draw, in the table's order; bookkeeping columns (`BOOKKEEPING_COLUMNS`) are dropped.
    Raises ScenarioError if the file is missing or unreadable, names no parameter, or has a
    column that is neither a parameter of this model nor bookkeeping."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(
            f"{where}: {path}: no such file (the calibration writes it: "
            "python -m sim.validation.calibration)"
        )
    try:
        table = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several kinds
        raise ScenarioError(f"{where}: {path}: not a readable Parquet table ({err})") from None
    names = [c for c in table.columns if c in BY_NAME]
    if not names or table.empty:
        raise ScenarioError(
            f"{where}: {path}: holds no parameter draws (no column names a "
            "model parameter, or no rows)"
        )
    strange = [c for c in table.columns if c not in BY_NAME and c not in BOOKKEEPING_COLUMNS]
    if strange:
        raise ScenarioError(
            f"{where}: {path}: column {strange[0]!r} is not a parameter of this model "
            f"(allowed besides parameters: {', '.join(BOOKKEEPING_COLUMNS)}); a table "
            "written for an earlier model must be made again: "
            "python -m sim.validation.calibration"
        )
    return table[names].reset_index(drop=True)


def draw_seeds(master: int, draw: int, replicates: int) -> list[int]:
    """Seeds of the replicates of draw `draw`: child `draw` of SeedSequence(master), spawned
    into `replicates` children, each as a 32-bit integer. Every draw has its own seeds
    (independent across draws), the same in every arm; a longer list extends a shorter one."""
    child = np.random.SeedSequence(int(master), spawn_key=(int(draw),))
    return [int(c.generate_state(1)[0]) for c in child.spawn(int(replicates))]


@dataclass(frozen=True)
class Uncertainty:
    """Parameter draws an experiment runs every arm over: the first `draws` rows of a table
    (`table`, as written in the file: `path` is where it was found) and/or a Latin
    hypercube over plausible ranges (`ranges`), side by side."""

    draws: int
    table: str | None = None
    path: Path | None = None
    ranges: Prior | None = None

    @cached_property
    def rows(self) -> pd.DataFrame | None:
        """The table's draws (all of them), or None without a table."""
        return read_draws(self.path) if self.path is not None else None

    @property
    def names(self) -> list[str]:
        """The uncertain parameters, table columns first."""
        out = list(self.rows.columns) if self.rows is not None else []
        return out + (self.ranges.names if self.ranges is not None else [])

    def sample(self, seed: int) -> pd.DataFrame:
        """The draws: one row each (index = draw), one column per uncertain parameter. The
        table's rows come in its order; the ranges' Latin hypercube is seeded from `seed`."""
        parts = []
        if self.rows is not None:
            parts.append(self.rows.head(self.draws).reset_index(drop=True))
        if self.ranges is not None:
            parts.append(
                self.ranges.sample(
                    self.draws, np.random.SeedSequence(int(seed), spawn_key=(0x5EED,))
                )
            )
        return pd.concat(parts, axis=1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (the table as written in the file: no machine paths)."""
        return {
            "draws": self.draws,
            "table": self.table,
            "params": self.names,
            "ranges": {p.name: p.describe() for p in self.ranges.params}
            if self.ranges is not None
            else {},
        }


def parse_uncertainty(where: str, spec: Any, definition: Path) -> Uncertainty:
    """Read an experiment file's ``[uncertainty]`` table (`definition`: the file, against
    which `table` is resolved). Raises ScenarioError naming the key, value and what is
    allowed."""
    where = f"{where}: [uncertainty]"
    if not isinstance(spec, Mapping):
        raise ScenarioError(f"{where} must be a table")
    unknown = sorted(set(spec) - set(UNCERTAINTY_KEYS))
    if unknown:
        raise ScenarioError(
            f"{where} unknown key {unknown[0]!r}; allowed: " + ", ".join(UNCERTAINTY_KEYS)
        )
    draws = spec.get("draws")
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ScenarioError(f"{where} draws = {draws!r} must be an integer >= 1")
    if "table" not in spec and "ranges" not in spec:
        raise ScenarioError(
            f'{where} needs `table = "<draws>.parquet"` (a table of '
            "parameter draws, such as the calibration's posterior) and/or "
            "[uncertainty.ranges]"
        )
    table, path = spec.get("table"), None
    if table is not None:
        if not isinstance(table, str) or not table:
            raise ScenarioError(f"{where} table = {table!r} must be a file name")
        path = definition.parent / table
        rows = read_draws(path, f"{where} table")
        if len(rows) < draws:
            raise ScenarioError(
                f"{where} draws = {draws}: the table {table} holds only {len(rows)} draws"
            )
    ranges = parse_prior(f"{where[:-1]}.ranges]", spec["ranges"]) if "ranges" in spec else None
    if path is not None and ranges is not None:
        both = sorted(set(read_draws(path).columns) & set(ranges.names))
        if both:
            raise ScenarioError(
                f"{where} {both[0]!r} is both in the table {table} and in "
                "[uncertainty.ranges]; keep one"
            )
    return Uncertainty(draws=draws, table=table, path=path, ranges=ranges)
