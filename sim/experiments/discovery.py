"""Scenario discovery: under which conditions does something of interest happen?

Cases (parameter draws, or the points of a sampled design) are described by their inputs
`x`; a condition such as ``effect < 0`` holds in some of them. PRIM, the patient rule
induction method (Friedman & Fisher 1999) as used for scenario discovery (Bryant & Lempert
2010; EMA Workbench's `ema_workbench.analysis.prim.Prim`), peels the input space down, a
small slice at a time, to a box in which the condition is dense, then pastes back what it
peeled too eagerly. Each step of the peeling trajectory trades **coverage** (the share of
all cases of interest that lie in the box) against **density** (the share of the box's
cases that are of interest). Unless told which, we choose the step with the highest harmonic
mean of the two (a box that is both). For each restriction PRIM gives a quasi-p value (a
one-sided binomial test of whether it raises the density); a restriction with a value above
0.05 is not supported by the data, so it is dropped and the box's coverage and density are
computed again (the last step of the trajectory).

Feature scores (EMA Workbench's extra-trees `feature_scoring.get_ex_feature_scores`) rank
all inputs by how much they tell cases of interest from the rest, whether or not a box
restricts them.

    found = find_conditions(x, y)            # y: boolean array, one value per row of x
    found.describe()                         # "a ≥ 0.6 and b ≤ 0.3 (coverage 0.96, ...)"
    found.figure()                           # trajectory, feature scores, the box in 2-D

`condition(expression, variables)` evaluates a ``--where`` expression (comparisons,
``and``/``or``/``not``, arithmetic) over named arrays, and rejects anything else with a
message that says what is allowed.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import logging
import math
import operator
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from sim.core.params import ScenarioError

__all__ = [
    "DiscoveryError",
    "Discovery",
    "Question",
    "condition",
    "find_conditions",
    "describe_limits",
    "parse_questions",
    "QUESTION_NAMES",
]


class DiscoveryError(ScenarioError):
    """A discovery that cannot be made from the input given (printed as one line)."""


# --- the condition ---------------------------------------------------------------------------

_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ARITHMETIC: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def condition(
    expression: str, variables: Mapping[str, np.ndarray], label: str = "--where"
) -> np.ndarray:
    """The boolean array `expression` gives over `variables` (arrays of one length): e.g.
    ``effect < 0``, ``effect < -0.01 and reference > 0.5``, ``abs(effect) > 0.02``. Raises
    DiscoveryError naming the problem (after `label`) and what is allowed."""
    allowed = ", ".join(sorted(variables))
    hint = (
        f'write a comparison such as "effect < 0" over {allowed}, joined with and, or, '
        "not; numbers, + - * / and abs() are allowed"
    )
    if len(expression) > MAX_CONDITION:
        raise DiscoveryError(
            f"{label} {_clip(expression)}: {len(expression):,} characters, more than a "
            f"condition may have ({MAX_CONDITION:,}); {hint}"
        )
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as err:
        raise DiscoveryError(
            f"{label} {expression!r}: not an expression ({err.msg}); {hint}"
        ) from None
    except (RecursionError, MemoryError):
        tree = None
    if tree is None or _depth(tree) > MAX_DEPTH:
        raise DiscoveryError(
            f"{label} {_clip(expression)}: nested more than {MAX_DEPTH} deep; {hint}"
        )

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)
        ):
            return np.float64(node.value)  # so that 0 / 0 is nan, as over the arrays
        if isinstance(node, ast.Name):
            if node.id not in variables:
                raise DiscoveryError(
                    f"{label} {expression!r}: unknown name {node.id!r}; allowed: {allowed}"
                )
            return np.asarray(variables[node.id], dtype=float)
        if isinstance(node, ast.Compare):
            left, out = ev(node.left), None
            for op, right_node in zip(node.ops, node.comparators):
                if type(op) not in _COMPARE:
                    break
                right = ev(right_node)
                part = _COMPARE[type(op)](left, right)
                out = part if out is None else out & part
                left = right
            else:
                return out
        if isinstance(node, ast.BoolOp):
            parts = [_boolean(ev(v), expression, hint, label) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            return functools.reduce(combine, parts)  # a constant part broadcasts
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return ~_boolean(ev(node.operand), expression, hint, label)
            if isinstance(node.op, ast.USub):
                return -ev(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            return _ARITHMETIC[type(node.op)](ev(node.left), ev(node.right))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "abs"
            and len(node.args) == 1
            and not node.keywords
        ):
            return np.abs(ev(node.args[0]))
        raise DiscoveryError(
            f"{label} {expression!r}: {ast.unparse(node)!r} is not allowed; {hint}"
        )

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = _boolean(ev(tree), expression, hint, label)
    if out.ndim == 0:
        raise DiscoveryError(
            f"{label} {expression!r}: names none of {allowed}, so it says the same for every "
            f"case; {hint}"
        )
    return out


MAX_CONDITION = 1000
"""Longest `--where` condition read (characters)."""
MAX_DEPTH = 50
"""Deepest nesting of a condition's parts (brackets, operators)."""


def _depth(tree: ast.AST) -> int:
    """How deeply the nodes of `tree` nest, without recursion."""
    deepest, todo = 0, [(tree, 1)]
    while todo:
        node, depth = todo.pop()
        deepest = max(deepest, depth)
        todo += [(child, depth + 1) for child in ast.iter_child_nodes(node)]
    return deepest


def _clip(text: str, width: int = 60) -> str:
    return repr(text) if len(text) <= width else repr(text[: width - 1] + "…")


def _boolean(value: Any, expression: str, hint: str, label: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype != bool:
        raise DiscoveryError(
            f"{label} {expression!r}: does not say yes or no for each case; {hint}"
        )
    return arr


# --- PRIM ------------------------------------------------------------------------------------


@dataclass
class Discovery:
    """The result of scenario discovery on one condition."""

    x: pd.DataFrame
    y: np.ndarray
    trajectory: pd.DataFrame  # PRIM's peeling trajectory: coverage, density, mass, res_dim, ...
    chosen: int  # the step of the trajectory reported
    limits: pd.DataFrame  # restricted inputs: low, high, qp_low, qp_high, restricts
    initial: pd.DataFrame  # the whole input space: low, high per input
    scores: pd.Series  # feature scores, highest first

    @property
    def cases(self) -> int:
        return len(self.y)

    @property
    def of_interest(self) -> int:
        return int(self.y.sum())

    @property
    def base_rate(self) -> float:
        return self.of_interest / self.cases if self.cases else math.nan

    @property
    def coverage(self) -> float:
        return float(self.trajectory.loc[self.chosen, "coverage"])

    @property
    def density(self) -> float:
        return float(self.trajectory.loc[self.chosen, "density"])

    @property
    def mass(self) -> float:
        return float(self.trajectory.loc[self.chosen, "mass"])

    def in_box(self) -> np.ndarray:
        """True for the cases inside the chosen box."""
        inside = np.ones(len(self.x), dtype=bool)
        for name, row in self.limits.iterrows():
            v = self.x[name].to_numpy(dtype=float)
            inside &= (v >= row["low"]) & (v <= row["high"])
        return inside

    def describe(self, digits: int = 3) -> str:
        """The box in words: its restrictions, coverage, density and mass."""
        return (
            f"{describe_limits(self.limits, digits)} (coverage "
            f"{self.coverage:.2f}, density {self.density:.2f}, {self.mass:.0%} of cases)"
        )

    def figure(self, title: str = "") -> Figure:
        """Three panels: the peeling trajectory (chosen step circled), the feature scores,
        and the cases on the two inputs that matter most with the box drawn."""
        fig = Figure(figsize=(13, 4.2))
        axes = fig.subplots(1, 3)
        traj = self.trajectory
        sc = axes[0].scatter(
            traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis", s=18
        )
        axes[0].scatter(
            [self.coverage],
            [self.density],
            s=140,
            facecolors="none",
            edgecolors="#d62728",
            linewidths=2,
            label="reported box",
        )
        axes[0].set_xlabel("coverage")
        axes[0].set_ylabel("density")
        axes[0].set_title("peeling trajectory", fontsize=10)
        axes[0].legend(fontsize=8, loc="lower left")
        bar = fig.colorbar(sc, ax=axes[0], label="restricted inputs")
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
        top = self.scores.head(12)[::-1]
        axes[1].barh([str(i) for i in top.index], top.to_numpy(), color="#4c72b0")
        axes[1].set_xlabel("feature score (extra trees)")
        axes[1].set_title("what tells the cases apart", fontsize=10)
        axes[1].tick_params(axis="y", labelsize=8)
        dims = [d for d in self.scores.index if d in self.limits.index][:2]
        dims += [d for d in self.scores.index if d not in dims][: 2 - len(dims)]
        ax = axes[2]
        if len(dims) == 2:
            a, b = dims
            ax.scatter(
                self.x.loc[~self.y, a],
                self.x.loc[~self.y, b],
                s=10,
                c="#bbbbbb",
                label="other cases",
            )
            ax.scatter(
                self.x.loc[self.y, a],
                self.x.loc[self.y, b],
                s=12,
                c="#d62728",
                label="cases of interest",
            )
            lo = [self._limit(d, "low") for d in dims]
            hi = [self._limit(d, "high") for d in dims]
            ax.add_patch(
                Rectangle(
                    (lo[0], lo[1]),
                    hi[0] - lo[0],
                    hi[1] - lo[1],
                    fill=False,
                    edgecolor="#000000",
                    linewidth=1.5,
                    label="box",
                )
            )
            ax.set_xlabel(a)
            ax.set_ylabel(b)
            ax.legend(fontsize=8, loc="best")
        ax.set_title("cases and the box", fontsize=10)
        if title:
            fig.suptitle(title, fontsize=11)
        fig.tight_layout()
        return fig

    def _limit(self, name: str, side: str) -> float:
        if name in self.limits.index:
            return float(self.limits.loc[name, side])
        return float(self.initial.loc[name, side])


def describe_limits(limits: pd.DataFrame, digits: int = 3) -> str:
    """The restrictions of a box in words, e.g. "`a` ≥ 0.6 and `b` ≤ 0.3". A side is
    restricted where PRIM gives it a quasi-p value."""
    parts = []
    for name, row in limits.iterrows():
        lo_cut, hi_cut = pd.notna(row["qp_low"]), pd.notna(row["qp_high"])
        lo, hi = _g(row["low"], digits), _g(row["high"], digits)
        if lo_cut and hi_cut:
            parts.append(f"{lo} ≤ `{name}` ≤ {hi}")
        elif lo_cut:
            parts.append(f"`{name}` ≥ {lo}")
        elif hi_cut:
            parts.append(f"`{name}` ≤ {hi}")
    return " and ".join(parts) if parts else "anywhere (no restriction)"


def _g(value: float, digits: int) -> str:
    return f"{float(value):.{digits}g}"


def find_conditions(
    x: pd.DataFrame,
    y: np.ndarray,
    *,
    step: int | None = None,
    significance: float | None = 0.05,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    seed: int = 1,
) -> Discovery:
    """PRIM's first box for the cases `y` (boolean, one per row of `x`) and the feature
    scores. `step`: the trajectory step to report (default: the highest harmonic mean of
    coverage and density). Restrictions of that box whose quasi-p value exceeds
    `significance` are dropped (one side at a time) and the box's statistics recomputed, as
    the last step of the trajectory; None keeps them. Raises DiscoveryError when there is
    nothing to discover."""
    y = np.asarray(y, dtype=bool)
    x = x.reset_index(drop=True).astype(float)
    if len(x) != len(y):
        raise DiscoveryError(f"{len(x)} cases but {len(y)} values of the condition")
    varied = [c for c in x.columns if x[c].nunique() > 1]
    if not varied:
        raise DiscoveryError("no input varies across the cases: nothing to discover")
    x = x[varied]
    if y.sum() == 0 or y.all():
        which = "no case" if y.sum() == 0 else "every case"
        raise DiscoveryError(
            f"the condition holds in {which} of {len(y)}: there is no boundary to discover"
        )
    with _quiet_ema():
        from ema_workbench.analysis import feature_scoring
        from ema_workbench.analysis.prim import Prim
        from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

        prim = Prim(x, y.copy(), peel_alpha=peel_alpha, paste_alpha=peel_alpha, mass_min=mass_min)
        box = prim.find_box()
        scores, _ = feature_scoring.get_ex_feature_scores(
            x, y.astype(int), mode=RuleInductionType.CLASSIFICATION, random_state=seed
        )
        traj = box.peeling_trajectory
        if step is None:
            c, d = traj["coverage"].to_numpy(float), traj["density"].to_numpy(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                f1 = np.where(c + d > 0, 2 * c * d / (c + d), 0.0)
            step = int(np.argmax(f1))
        elif not 0 <= step < len(traj):
            raise DiscoveryError(f"--box {step}: the trajectory has steps 0 to {len(traj) - 1}")
        if significance is not None:
            step = _drop_weak_restrictions(box, step, x, significance)
        _, lims = box.inspect(step, style="data")[0]
    limits = (
        pd.DataFrame(
            {
                "low": lims.iloc[:, 0].astype(float),
                "high": lims.iloc[:, 1].astype(float),
                "qp_low": lims.iloc[:, 2].astype(float),
                "qp_high": lims.iloc[:, 3].astype(float),
            }
        )
        if len(lims)
        else pd.DataFrame(columns=["low", "high", "qp_low", "qp_high"])
    )
    score = scores.iloc[:, 0].astype(float).sort_values(ascending=False)
    return Discovery(
        x=x,
        y=y,
        trajectory=box.peeling_trajectory.reset_index(drop=True),
        chosen=step,
        limits=limits,
        initial=pd.DataFrame({"low": x.min(), "high": x.max()}),
        scores=score,
    )


def _drop_weak_restrictions(box: Any, step: int, x: pd.DataFrame, significance: float) -> int:
    """Reset each side of the box at `step` whose quasi-p value exceeds `significance` to
    the whole range; return the step that holds the result (a new last one if changed)."""
    _, lims = box.inspect(step, style="data")[0]
    initial = box.box_lims[0]
    new = box.box_lims[step].copy()
    changed = False
    for name in lims.index:
        for side, col in ((0, 2), (1, 3)):
            qp = lims.loc[name].iloc[col]
            if pd.notna(qp) and qp > significance:
                new.loc[side, name] = initial.loc[side, name]
                changed = True
    if not changed:
        return step
    inside = np.ones(len(x), dtype=bool)
    for name in new.columns:
        v = x[name].to_numpy(dtype=float)
        inside &= (v >= new.loc[0, name]) & (v <= new.loc[1, name])
    box.update(new, np.flatnonzero(inside))
    return len(box.peeling_trajectory) - 1


@contextlib.contextmanager
def _quiet_ema() -> Iterator[None]:
    """EMA Workbench logs and warns on routine steps; keep the command line clean."""
    logger = logging.getLogger("EMA")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


# --- questions in experiment files -----------------------------------------------------------

QUESTION_KEYS = ("outcome", "where", "arm")
QUESTION_NAMES = ("effect", "value", "reference")
"""Names a question's condition may use: the arm's paired effect on the outcome in a draw
(arm − reference, mean over replicates), the arm's value and the reference arm's value."""


@dataclass(frozen=True)
class Question:
    """An "under which conditions" question an experiment's report answers: where, among
    the parameter draws, does `where` hold for `outcome` in `arm` (every arm but the
    reference when None)?"""

    outcome: str
    where: str
    arm: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "where": self.where, "arm": self.arm}


def parse_questions(
    where: str, entries: Any, outcomes: tuple[str, ...], arms: list[str] | None
) -> tuple[Question, ...]:
    """Read an experiment file's ``[[discover]]`` entries; `arms`: the arms a question may
    name (None: any). Raises ScenarioError naming the entry, key, value and what is allowed."""
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise ScenarioError(f"{where}: discover must be a list of tables ([[discover]])")
    out = []
    for i, entry in enumerate(entries, start=1):
        at = f"{where}: [[discover]] #{i}"
        unknown = sorted(set(entry) - set(QUESTION_KEYS))
        if unknown:
            raise ScenarioError(
                f"{at}: unknown key {unknown[0]!r}; allowed: " + ", ".join(QUESTION_KEYS)
            )
        outcome, expr, arm = entry.get("outcome"), entry.get("where"), entry.get("arm")
        if outcome not in outcomes:
            raise ScenarioError(
                f"{at}: outcome = {outcome!r} is not a kept outcome; allowed: "
                + ", ".join(outcomes)
            )
        if not isinstance(expr, str):
            raise ScenarioError(f'{at}: where = {expr!r} must be a condition such as "effect < 0"')
        condition(expr, {n: np.zeros(1) for n in QUESTION_NAMES}, label=f"{at}: where")
        if arm is not None and (not isinstance(arm, str) or (arms is not None and arm not in arms)):
            raise ScenarioError(
                f"{at}: arm = {arm!r} is not an arm to compare"
                + (f"; allowed: {', '.join(arms)}" if arms else "")
            )
        out.append(Question(outcome, expr, arm))
    return tuple(out)
