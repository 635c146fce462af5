"""A sweep's results folder read back: the definition, design, plan, runs and series, joined
into one table of planned runs with their status and summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..store import ResultsError, RunStore

__all__ = ["SweepResults", "load_results", "LEVEL"]

LEVEL = 0.95
"""Confidence level of every interval in reports."""


@dataclass
class SweepResults:
    """A sweep's stored results, joined to its plan."""

    root: Path
    info: dict[str, Any]
    design: pd.DataFrame
    plan: pd.DataFrame
    runs: pd.DataFrame
    series: pd.DataFrame
    sessions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.info["name"])

    @property
    def kind(self) -> str:
        return str(self.info["kind"])

    @property
    def outcomes(self) -> list[str]:
        return list(self.info["outcomes"])

    @property
    def factors(self) -> list[str]:
        return [f["name"] for f in self.info["factors"]]

    @property
    def statistic(self) -> str:
        return str(self.info.get("statistic", "mean"))

    @property
    def reference(self) -> str | None:
        return self.info.get("reference")

    @property
    def uncertain(self) -> list[str]:
        """The uncertain parameters every arm ran over (empty without [uncertainty])."""
        return list((self.info.get("uncertainty") or {}).get("params", []))

    def column(self, outcome: str) -> str:
        return f"{self.statistic}_{outcome}"

    @cached_property
    def table(self) -> pd.DataFrame:
        """One row per planned run: plan columns, factor values, status
        (ok/failed/missing), error and the summary columns of the kept outcomes."""
        keep = [
            "key",
            "status",
            "error",
            "elapsed",
            *[c for c in (self.column(o) for o in self.outcomes) if c in self.runs],
        ]
        runs = self.runs[[c for c in keep if c in self.runs]]
        t = self.plan.merge(runs, on="key", how="left")
        t["status"] = t["status"].fillna("missing").astype(str)
        factors = self.design[
            ["point", *self.factors, *(["draw"] if "draw" in self.design else [])]
        ]
        t = t.merge(factors, on="point", how="left")
        for o in self.outcomes:
            c = self.column(o)
            if c not in t:
                t[c] = np.nan
            t.loc[t["status"] != "ok", c] = np.nan
        return t

    def arms(self, level: float = LEVEL) -> pd.DataFrame:
        """Mean, sd and t-interval per arm and outcome (the report's "Outcomes by arm")."""
        from .estimates import arm_estimates

        return arm_estimates(self, level)

    def differences(self, reference: str | None = None, level: float = LEVEL) -> pd.DataFrame:
        """Each arm minus `reference` (default: the experiment's), paired by seed: the
        report's "Differences from the reference arm"."""
        from .estimates import paired_differences

        return paired_differences(self, reference, level)

    def tables(self, level: float = LEVEL) -> dict[str, pd.DataFrame]:
        """Every estimate table of the report, by name: what `python -m sim report` writes
        as `<name>.csv` (sim.experiments.analysis.tables)."""
        from .tables import estimate_tables

        return estimate_tables(self, level)

    def figures(self) -> dict[str, Any]:
        """The report's figures (matplotlib Figures) by name, to show or to save in any
        format: `res.figures()["differences"].savefig("effect.pdf")`."""
        from .figures import make_figures

        return make_figures(self)

    def counts(self) -> dict[str, int]:
        t = self.table.drop_duplicates("key")
        vc = t["status"].value_counts()
        return {k: int(vc.get(k, 0)) for k in ("ok", "failed", "missing")}


def load_results(root: str | Path, *, finished: bool = False) -> SweepResults:
    """Read a sweep's results folder (raises ResultsError if it is not one, or with
    `finished`, if none of its planned runs finished OK: there is nothing to report)."""
    store = RunStore.open(root)
    info = store.info()
    plan = store.plan()
    runs = store.runs()
    series = (
        store.series(keys=list(plan["key"].unique()))
        if info.get("series_period")
        else pd.DataFrame(columns=["key", "step"])
    )
    design = store.design()
    columns = [f["name"] for f in info["factors"]]
    if info["kind"] == "morris":
        columns += [f"x_{name}" for name in columns]
    missing = [c for c in columns if c not in design]
    if missing:
        raise ResultsError(
            f"{store.root / 'design.parquet'}: no column {missing[0]!r} for a factor of "
            f"sweep.json; run the sweep again to rewrite the folder's definition files"
        )
    res = SweepResults(
        root=Path(root),
        info=info,
        design=design,
        plan=plan,
        runs=runs,
        series=series,
        sessions=store.sessions(),
    )
    counts = res.counts()
    if finished and not counts["ok"]:
        raise ResultsError(
            f"{root}: no finished runs to report ({counts['failed']} failed, "
            f"{counts['missing']} not run of {len(plan['key'].unique())} planned); run "
            f"`{info.get('command') or 'python -m sim sweep <experiment>.toml'}` first"
        )
    return res
