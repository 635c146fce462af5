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

from sim.core.params import BY_NAME, ScenarioError, validate

from . import timeline_factors as TF
from .uncertainty import draw_seeds

if TYPE_CHECKING:
    from .definition import SweepDefinition

__all__ = [
    "Design",
    "make_design",
    "design_size",
    "salib_problem",
    "replicate_seeds",
    "arm_label",
    "format_level",
]


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

    With parameter uncertainty every arm appears once per draw: a point is an arm in a draw
    (column `draw`, and one column per uncertain parameter), and `seeds[i]` are point i's
    replicate seeds, its draw's (None: every point has the experiment's replicate seeds).
    """

    table: pd.DataFrame
    overrides: list[dict[str, Any]]
    problem: dict[str, Any] | None = None
    seeds: list[list[int]] | None = None


def salib_problem(defn: SweepDefinition) -> dict[str, Any]:
    """SALib's problem dict: factor names and [low, high] bounds (bools: [0, 1])."""
    return {
        "num_vars": len(defn.factors),
        "names": [f.name for f in defn.factors],
        "bounds": [list(f.bounds) for f in defn.factors],
    }


def design_size(defn: SweepDefinition) -> int:
    """Number of points `make_design` will build, computed without building them: the
    grid's product of levels, the named arms, or SALib's sample size (LHS N; Sobol'
    N(D+2), or N(2D+2) with second-order indices; Morris N(D+1)), times the parameter
    draws when the experiment runs over uncertainty."""
    d = len(defn.factors)
    n = int(defn.n or 0)
    if defn.kind == "grid":
        arms = math.prod(len(f.levels) for f in defn.factors)
    elif defn.kind == "arms":
        arms = len(defn.arms)
    elif defn.kind == "lhs":
        arms = n
    elif defn.kind == "sobol":
        arms = n * (2 * d + 2 if defn.calc_second_order else d + 2)
    else:
        arms = n * (d + 1)
    return arms * (defn.uncertainty.draws if defn.uncertainty is not None else 1)


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
    if defn.uncertainty is not None:
        rows, overrides, seeds = _over_draws(defn, rows, overrides)
    table = pd.DataFrame(rows)
    table.insert(1, "point", np.arange(len(table)))
    for i, over in enumerate(overrides):  # every arm must be a valid parameter set
        params, fields = TF.split(over)
        where = f"{defn.path}: arm {table['arm'].iloc[i]!r}"
        if defn.uncertainty is not None:
            where += f", draw {int(table['draw'].iloc[i])}"
        validate({**defn.base, **params}, where=where)
        try:
            TF.apply(defn.timeline, fields)
        except ScenarioError as err:
            raise ScenarioError(f"{where}: {err}") from None
    return Design(
        table=table,
        overrides=overrides,
        problem=problem,
        seeds=seeds if defn.uncertainty is not None else None,
    )


def _over_draws(
    defn: SweepDefinition, rows: list[dict[str, Any]], overrides: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[list[int]]]:
    """Every arm in every parameter draw (draw-major: all arms of draw 0 first), with the
    draw's own replicate seeds."""
    assert defn.uncertainty is not None
    draws = defn.uncertainty.sample(defn.seed)
    out_rows, out_over, seeds = [], [], []
    for d, values in enumerate(draws.to_dict("records")):
        typed = {k: _typed(k, v) for k, v in values.items()}
        draw_seed_list = draw_seeds(defn.seed, d, defn.replicates)
        for row, over in zip(rows, overrides):
            out_rows.append({**row, "draw": d, **typed})
            out_over.append({**typed, **over})
            seeds.append(draw_seed_list)
    return out_rows, out_over, seeds


def _typed(name: str, value: Any) -> Any:
    """A drawn number as its parameter's type (integers rounded)."""
    return int(round(value)) if BY_NAME[name].type is int else float(value)


def _salib_sample(defn: SweepDefinition, problem: dict[str, Any]) -> np.ndarray:
    import warnings

    from SALib.sample import latin, morris, sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if defn.kind == "lhs":
            return latin.sample(problem, defn.n, seed=defn.seed)
        if defn.kind == "sobol":
            return sobol.sample(
                problem, defn.n, calc_second_order=defn.calc_second_order, seed=defn.seed
            )
        return morris.sample(problem, defn.n, num_levels=defn.levels, seed=defn.seed)


def replicate_seeds(master: int, replicates: int) -> list[int]:
    """Seed of each replicate: the i-th child of SeedSequence(master), as a 32-bit integer.

    The same list is used in every arm (common random numbers), and a longer list extends a
    shorter one (adding replicates keeps the existing ones)."""
    children = np.random.SeedSequence(int(master)).spawn(int(replicates))
    return [int(c.generate_state(1)[0]) for c in children]
