"""Under which conditions: scenario discovery on a sweep's stored results.

`cases` turns a results folder into the cases PRIM works on. In an experiment with
``[uncertainty]`` a case is a parameter draw, described by its uncertain parameters, with
per outcome and arm the values a condition can name: ``effect`` (the arm's paired effect
against the reference, mean over the draw's replicates), ``value`` (the arm's mean) and
``reference`` (the reference arm's mean). In a sampled design (lhs, sobol, morris) a case is
a design point, described by its factors, with ``value`` (its mean over replicates).

`answer` runs `sim.experiments.discovery.find_conditions` for one question, and
`question_answers` for the ``[[discover]]`` questions of an experiment; `sentence` puts an
answer in words for reports and for the "Under which conditions" section of
docs/RESULTS.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..discovery import Discovery, DiscoveryError, Question, condition, find_conditions
from .across_draws import draw_effects
from .results import SweepResults

__all__ = ["Cases", "cases", "Answer", "answer", "question_answers", "sentence"]

SAMPLED = ("lhs", "sobol", "morris")


@dataclass
class Cases:
    """What PRIM sees: inputs `x` (one row per case) and the named values per case."""

    x: pd.DataFrame
    variables: dict[str, np.ndarray]
    unit: str  # "draw" or "design point"
    arm: str | None = None  # the arm compared with the reference (with draws)


def cases(res: SweepResults, outcome: str, arm: str | None = None) -> Cases:
    """The cases of a results folder for `outcome` (and `arm`, with parameter draws).
    Raises DiscoveryError, naming what is allowed, when the folder cannot answer."""
    if outcome not in res.outcomes:
        raise DiscoveryError(
            f"--outcome {outcome!r}: not an outcome of {res.name}; allowed: "
            + ", ".join(res.outcomes)
        )
    ok = res.table[res.table["status"] == "ok"]
    if ok.empty:
        raise DiscoveryError(f"{res.root}: holds no finished runs; run the sweep first")
    if res.uncertain:
        arms = [a for a in dict.fromkeys(res.table["arm"]) if a != res.reference]
        if arm is None:
            if len(arms) != 1:
                raise DiscoveryError(
                    f"--arm is needed: {res.name} compares {len(arms)} arms "
                    f"with {res.reference!r}; allowed: " + ", ".join(arms)
                )
            arm = arms[0]
        if arm not in arms:
            raise DiscoveryError(
                f"--arm {arm!r}: not an arm compared with the reference "
                f"{res.reference!r}; allowed: " + ", ".join(arms)
            )
        per = draw_effects(res, outcome, arm)
        per = per.dropna(subset=["effect"])
        if len(per) < 2:
            raise DiscoveryError(
                f"{res.root}: fewer than 2 draws with paired runs of {arm!r} "
                "and the reference; run the sweep to the end first"
            )
        variables = {k: per[k].to_numpy(dtype=float) for k in ("effect", "value", "reference")}
        return Cases(per[res.uncertain].reset_index(drop=True), variables, "draw", arm)
    if res.kind in SAMPLED:
        if arm is not None:
            raise DiscoveryError("--arm applies to experiments with [uncertainty] draws")
        means = ok.groupby("point")[res.column(outcome)].mean().dropna()
        x = res.design.set_index("point").loc[means.index, res.factors]
        return Cases(
            x.reset_index(drop=True), {"value": means.to_numpy(dtype=float)}, "design point"
        )
    raise DiscoveryError(
        f"{res.name}: a {res.kind} design without [uncertainty] has no "
        "cases to discover conditions in; add [uncertainty] draws, or use "
        "a sampled design (lhs, sobol, morris)"
    )


@dataclass
class Answer:
    """A question's answer for one arm: the discovery, or why there is none."""

    question: Question
    arm: str | None
    cases: Cases
    holds: np.ndarray
    found: Discovery | None
    reason: str | None = None

    @property
    def share(self) -> float:
        return float(self.holds.mean()) if len(self.holds) else float("nan")


def answer(
    res: SweepResults, question: Question, arm: str | None = None, step: int | None = None
) -> Answer:
    """Scenario discovery for one question (and arm). When there is nothing to discover —
    the condition holds in no case or in every case, or no input varies — that is the answer
    (`found` None, `reason` says why)."""
    c = cases(res, question.outcome, arm)
    holds = condition(question.where, c.variables)
    try:
        found = find_conditions(c.x, holds, step=step)
        reason = None
    except DiscoveryError as err:
        if step is not None:  # a step the trajectory does not have: bad input
            raise
        found, reason = None, str(err)
    return Answer(question, c.arm, c, holds, found, reason)


def question_answers(res: SweepResults) -> list[Answer]:
    """Answers to the experiment's ``[[discover]]`` questions, one per question and arm (a
    question without an arm asks about every arm but the reference)."""
    out = []
    arms = [a for a in dict.fromkeys(res.table["arm"]) if a != res.reference]
    for q in res.info.get("discover") or []:
        question = Question(q["outcome"], q["where"], q.get("arm"))
        for arm in [question.arm] if question.arm else arms:
            out.append(answer(res, question, arm))
    return out


def sentence(res: SweepResults, a: Answer) -> str:
    """The answer in words, every number from the discovery."""
    q = a.question
    what = f"`{a.arm}` vs `{res.reference}`, `{q.outcome}`" if a.arm else f"`{q.outcome}`"
    n = len(a.holds)
    head = f"{what}: `{q.where}` holds in {a.holds.sum()} of {n} {a.cases.unit}s ({a.share:.0%})"
    if a.found is None:
        if a.holds.all() or not a.holds.any():
            scope = "every" if a.holds.all() else "no"
            return (
                f"{head} — in {scope} {a.cases.unit} of the plausible region, so no "
                "condition tells them apart."
            )
        return f"{head}; no box: {a.reason}."
    f = a.found
    top = ", ".join(f"`{k}` ({v:.2f})" for k, v in f.scores.head(3).items())
    return f"{head}. PRIM box: {f.describe()}. Most telling inputs (feature scores): {top}."
