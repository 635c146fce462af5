"""Adapters to other experiment tools: an EMA Workbench model over `sim.runs.runner.run`.

    from ema_workbench import SequentialEvaluator
    from .adapters import ema_model

    model = ema_model(uncertainties=["civic_motivation", "overload_penalty"],
                      levers=["xa_one_shoulder", "devolution_share"],
                      outcomes=["satisfaction_mean", "needs_met"],
                      seeds=[1, 2, 3], steps=60, fixed={"n_streets": 2})
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=8, policies=4)

The model is an EMA `ReplicatorModel`: each experiment runs once per seed
(`replications=[{"seed": s}, ...]`, the same seeds in every experiment: common random
numbers), and each `ScalarOutcome` reduces the replicates with their mean. Uncertainties
and levers take their ranges from the parameter schema (sim.core.params) unless given; on/off
parameters become `BooleanParameter`, integers `IntegerParameter`, text parameters with
choices `CategoricalParameter`. The run itself is `sim.runs.runner.run`, the same unit of work as
`python -m sim run` and `python -m sim sweep`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from sim.core.metrics import OUTCOMES
from sim.core.params import BY_NAME, ScenarioError, validate
from sim.runs import runner as _runner

__all__ = ["ema_parameter", "ema_model", "run_for_ema"]

Range = tuple[float, float]


def run_for_ema(
    *,
    seed: int,
    _steps: int,
    _window: int,
    _fixed: Mapping[str, Any],
    _outcomes: Sequence[str],
    _statistic: str = "mean",
    **params: Any,
) -> dict[str, float]:
    """One replicate for EMA Workbench: `sim.runs.runner.run` on the fixed values plus the
    experiment's parameters, returning the `<statistic>_<outcome>` summaries by outcome."""
    values = validate(
        {**_fixed, **{k: _coerce(k, v) for k, v in params.items()}}, where="EMA experiment"
    )
    result = _runner.run(values, int(seed), _steps, window=_window, series_period=None)
    return {o: float(result.summary[f"{_statistic}_{o}"]) for o in _outcomes}


def _coerce(name: str, value: Any) -> Any:
    """EMA hands numpy scalars; the schema wants Python types."""
    kind = BY_NAME[name].type
    if kind is bool:
        return bool(value)
    if kind is int:
        return int(value)
    if kind is float:
        return float(value)
    return value


def ema_parameter(name: str, bounds: Range | Sequence[Any] | None = None) -> Any:
    """An EMA parameter for a schema parameter: its range from the schema unless `bounds`
    (a (low, high) range, or categories for text parameters) is given."""
    from ema_workbench import (
        BooleanParameter,
        CategoricalParameter,
        IntegerParameter,
        RealParameter,
    )

    param = BY_NAME.get(name)
    if param is None:
        raise ScenarioError(f"EMA adapter: unknown parameter {name!r} (see `python -m sim params`)")
    kind = param.type
    if kind is bool:
        return BooleanParameter(name)
    if kind is str:
        return CategoricalParameter(name, list(bounds or param.choices))
    low, high = bounds if bounds is not None else (param.low, param.high)
    for v in (low, high):
        try:
            param.check(v)
        except ValueError as err:
            raise ScenarioError(f"EMA adapter: {name} bound {v!r} {err}") from None
    if kind is int:
        return IntegerParameter(name, int(low), int(high))
    return RealParameter(name, float(low), float(high))


def _parameters(spec: Iterable[str] | Mapping[str, Any] | None) -> list[Any]:
    if spec is None:
        return []
    if isinstance(spec, Mapping):
        return [ema_parameter(k, v) for k, v in spec.items()]
    return [ema_parameter(k) for k in spec]


def ema_model(
    name: str = "governance",
    *,
    uncertainties: Iterable[str] | Mapping[str, Any] | None = None,
    levers: Iterable[str] | Mapping[str, Any] | None = None,
    outcomes: Sequence[str] = ("satisfaction_mean",),
    seeds: Sequence[int] = (1, 2, 3),
    steps: int = 120,
    window: int = _runner.SUMMARY_WINDOW,
    fixed: Mapping[str, Any] | None = None,
    statistic: str = "mean",
) -> Any:
    """An EMA Workbench `ReplicatorModel` of the governance model.

    uncertainties / levers: parameter names (schema ranges) or {name: (low, high)}.
    outcomes: names from sim.core.metrics.OUTCOMES; each becomes a ScalarOutcome whose value is
    the mean over the replicates of the run's `<statistic>_<outcome>` summary.
    seeds: one replication per seed. fixed: parameter values held constant (validated)."""
    from ema_workbench import Constant, ReplicatorModel, ScalarOutcome

    for o in outcomes:
        if o not in OUTCOMES:
            raise ScenarioError(
                f"EMA adapter: unknown outcome {o!r}; allowed: {', '.join(OUTCOMES)}"
            )
    if statistic not in ("mean", "final"):
        raise ScenarioError(f"EMA adapter: statistic {statistic!r} must be 'mean' or 'final'")
    fixed = dict(fixed or {})
    checked = validate(fixed, where="EMA adapter fixed")
    fixed = {k: checked[k] for k in fixed}
    model = ReplicatorModel(name, function=run_for_ema)
    model.uncertainties = _parameters(uncertainties)
    model.levers = _parameters(levers)
    model.constants = [
        Constant("_steps", int(steps)),
        Constant("_window", int(window)),
        Constant("_fixed", fixed),
        Constant("_outcomes", tuple(outcomes)),
        Constant("_statistic", statistic),
    ]
    model.replications = [{"seed": int(s)} for s in seeds]
    model.outcomes = [ScalarOutcome(o, function=np.mean) for o in outcomes]
    return model
