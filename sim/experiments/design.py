"""Designs: the arms (points) of an experiment, and the seeds every arm shares.

`make_design` turns a validated definition into the full grid, the named arms, or a SALib
sample (Latin hypercube, Sobol' (Saltelli), Morris trajectories) over the same `problem` that
`sim.experiments.analysis.sensitivity` analyses, as SALib pairs its sample and analyze
modules. `replicate_seeds` gives the seeds shared by every arm (common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.core.params import ScenarioError, validate

from . import timeline_factors as TF

if TYPE_CHECKING:
    from .definition import SweepDefinition

__all__ = ["Design", "make_design", "design_size", "salib_problem", "replicate_seeds",
           "arm_label", "format_level"]

def format_level(v: Any) -> str:
    """A factor level as people write it: true/false, short floats, plain text."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):g}"
    return str(v)

def arm_label(values: dict[str, Any]) -> str:
    """A grid arm's id: `factor=level` joined by commas, in factor order."""
    return ", ".join(f"{k}={format_level(v)}" for k, v in values.items())

@dataclass
class Design:
    """The arms (points) of an experiment.

    `table` has one row per arm: `arm` (id), `point` (0-based index in design order) and one
    column per factor (typed value); sampled designs add `x_<factor>`, the raw SALib sample.
    `overrides[i]` are the parameter values arm i sets on top of the base parameters.
    `problem` is the SALib problem of sampled designs (None otherwise).
    """

    table: pd.DataFrame
    overrides: list[dict[str, Any]]
    problem: dict[str, Any] | None = None


def salib_problem(defn: SweepDefinition) -> dict[str, Any]:
    """SALib's problem dict: factor names and [low, high] bounds (bools: [0, 1])."""
    return {
        "num_vars": len(defn.factors),
        "names": [f.name for f in defn.factors],
        "bounds": [list(f.bounds) for f in defn.factors],
    }


def design_size(defn: SweepDefinition) -> int:
    """Number of arms (points) `make_design` will build, computed without building them:
    the grid's product of levels, the named arms, or SALib's sample size (LHS N; Sobol'
    N(D+2), or N(2D+2) with second-order indices; Morris N(D+1))."""
    d = len(defn.factors)
    if defn.kind == "grid":
        return math.prod(len(f.levels) for f in defn.factors)
    if defn.kind == "arms":
        return len(defn.arms)
    n = int(defn.n or 0)
    if defn.kind == "lhs":
        return n
    if defn.kind == "sobol":
        return n * (2 * d + 2 if defn.calc_second_order else d + 2)
    return n * (d + 1)


def make_design(defn: SweepDefinition) -> Design:
    """Arms of the experiment: the full grid, the named arms, or a SALib sample."""
    names = [f.name for f in defn.factors]
    rows: list[dict[str, Any]] = []
    overrides: list[dict[str, Any]] = []
    problem = None
    if defn.kind == "grid":
        for combo in product(*(f.levels for f in defn.factors)):
            values = dict(zip(names, combo))
            rows.append({"arm": arm_label(values), **values})
            over: dict[str, Any] = {}
            for f, v in zip(defn.factors, combo):
                over.update(f.assign(v))
            overrides.append(over)
    elif defn.kind == "arms":
        for arm, values in defn.arms.items():
            resolved = {f.name: values.get(f.name, defn.base[f.name]) for f in defn.factors}
            rows.append({"arm": arm, **resolved})
            overrides.append(dict(values))
    else:
        problem = salib_problem(defn)
        x = _salib_sample(defn, problem)
        for i, point in enumerate(x):
            values = {f.name: f.value(xi) for f, xi in zip(defn.factors, point)}
            raw = {f"x_{f.name}": float(xi) for f, xi in zip(defn.factors, point)}
            rows.append({"arm": f"p{i:05d}", **values, **raw})
            over = {}
            for f in defn.factors:
                over.update(f.assign(values[f.name]))
            overrides.append(over)
    table = pd.DataFrame(rows)
    table.insert(1, "point", np.arange(len(table)))
    for i, over in enumerate(overrides):  # every arm must be a valid parameter set
        params, fields = TF.split(over)
        where = f"{defn.path}: arm {table['arm'].iloc[i]!r}"
        validate({**defn.base, **params}, where=where)
        try:
            TF.apply(defn.timeline, fields)
        except ScenarioError as err:
            raise ScenarioError(f"{where}: {err}") from None
    return Design(table=table, overrides=overrides, problem=problem)


def _salib_sample(defn: SweepDefinition, problem: dict[str, Any]) -> np.ndarray:
    import warnings

    from SALib.sample import latin, morris, sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if defn.kind == "lhs":
            return latin.sample(problem, defn.n, seed=defn.seed)
        if defn.kind == "sobol":
            return sobol.sample(problem, defn.n, calc_second_order=defn.calc_second_order,
                                seed=defn.seed)
        return morris.sample(problem, defn.n, num_levels=defn.levels, seed=defn.seed)


def replicate_seeds(master: int, replicates: int) -> list[int]:
    """Seed of each replicate: the i-th child of SeedSequence(master), as a 32-bit integer.

    The same list is used in every arm (common random numbers), and a longer list extends a
    shorter one (adding replicates keeps the existing ones)."""
    children = np.random.SeedSequence(int(master)).spawn(int(replicates))
    return [int(c.generate_state(1)[0]) for c in children]
