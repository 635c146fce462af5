"""What sets the sign: the screen's statistics, from its stages' runs.

- `paired_effects`: per contrast, point and seed, the policy arm minus its reference arm for
  every outcome, and each arm's measured conditions.
- `morris_table`: per contrast and outcome, SALib's Morris indices of the paired effect (mu,
  mu*, its bootstrap interval, sigma) for every factor and for the noise factor, which sets
  only the seed: a factor whose mu* interval lies above the noise factor's mu* moves the
  effect more than a change of seed does.
- `select`: per contrast, the factors whose range ends are run (`candidates`) and the two
  over which its effect is mapped: those whose swing over their range is largest against
  the size of the effect at the default values.
- `range_ends`: the measured effect at both ends of each candidate's range, 95% t-intervals
  over paired seeds, and the verdict: a sign flip only when both intervals exclude zero and
  the means have opposite signs (`classify`).
- `condition_shifts`: how each candidate moves the district's measured conditions between
  the ends of its range (paired over seeds): the quantities in which a flip can be stated.
- `fidelity`: the effect at the default values in the screen's reduced settings against the
  reference settings, and whether their signs agree.
- `map_cells`: the effect over a 3 × 3 grid of a contrast's two most decisive factors, with
  the conditions measured in each cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.runs.conditions import CONDITIONS

from .screen import BASE_ARM, PRIMARY_OUTCOMES, ScreenDefinition
from .screen_runs import DEFAULT_POINT, NOISE, map_levels, point_id
from .stats import Estimate, mean_ci

__all__ = [
    "FLIPS",
    "SAME_SIGN",
    "ONE_END",
    "NEITHER",
    "BOOTSTRAP_RESAMPLES",
    "Selection",
    "classify",
    "paired_effects",
    "default_effects",
    "morris_table",
    "select",
    "range_ends",
    "condition_shifts",
    "fidelity",
    "map_cells",
]

FLIPS = "flips sign"
SAME_SIGN = "same sign at both ends"
ONE_END = "no clear effect at one end"
NEITHER = "no clear effect at either end"
BOOTSTRAP_RESAMPLES = 1000
CONDITION_COLUMNS = [f"cond_{c.name}" for c in CONDITIONS]


def classify(low: Estimate, high: Estimate) -> str:
    """The verdict on an effect measured at both ends of a range: `FLIPS` only when both
    95% intervals exclude zero and the means have opposite signs."""
    low_clear, high_clear = low.excludes_zero(), high.excludes_zero()
    if low_clear and high_clear:
        return FLIPS if np.sign(low.mean) != np.sign(high.mean) else SAME_SIGN
    if low_clear or high_clear:
        return ONE_END
    return NEITHER


def paired_effects(defn: ScreenDefinition, results: pd.DataFrame) -> pd.DataFrame:
    """One row per contrast, point and replicate (where both arms ran): `effect_<outcome>`
    (policy − reference) for each outcome of any contrast, and `ref_<condition>` and
    `pol_<condition>`, the conditions measured in each arm."""
    outcomes = sorted({o for c in defn.contrasts for o in c.outcomes})
    cols = [f"mean_{o}" for o in outcomes]
    conds = [c for c in CONDITION_COLUMNS if c in results]
    frames = []
    keys = ["screen_point", "replicate", "seed"]
    for c in defn.contrasts:
        ref = results[results["screen_arm"] == c.reference].set_index(keys)
        pol = results[results["screen_arm"] == c.policy].set_index(keys)
        both = ref.index.intersection(pol.index)
        if both.empty:
            continue
        ref, pol = ref.loc[both], pol.loc[both]
        out = pd.DataFrame(index=both)
        for o, col in zip(outcomes, cols):
            out[f"effect_{o}"] = pol[col].to_numpy(float) - ref[col].to_numpy(float)
        for col in conds:
            name = col.removeprefix("cond_")
            out[f"ref_{name}"] = ref[col].to_numpy(float)
            out[f"pol_{name}"] = pol[col].to_numpy(float)
        out.insert(0, "contrast", c.name)
        frames.append(out.reset_index())
    if not frames:
        return pd.DataFrame(columns=["contrast", *keys])
    return pd.concat(frames, ignore_index=True)


def _estimate(values: np.ndarray | pd.Series) -> Estimate:
    return mean_ci(np.asarray(values, dtype=float))


def _fields(e: Estimate, name: str | None = None) -> dict[str, float]:
    """An estimate as table columns: mean, low, high, or `<name>`, `<name>_low`, `<name>_high`."""
    if name is None:
        return {"mean": e.mean, "low": e.low, "high": e.high}
    return {name: e.mean, f"{name}_low": e.low, f"{name}_high": e.high}


def default_effects(defn: ScreenDefinition, effects: pd.DataFrame) -> pd.DataFrame:
    """The effect at the default point: contrast, outcome, mean, low, high, n."""
    rows = []
    at = effects[effects["screen_point"] == DEFAULT_POINT]
    for c in defn.contrasts:
        mine = at[at["contrast"] == c.name]
        for o in c.outcomes:
            e = _estimate(mine[f"effect_{o}"]) if len(mine) else Estimate(np.nan, np.nan, np.nan, 0)
            rows.append({"contrast": c.name, "outcome": o, **_fields(e), "n": e.n})
    return pd.DataFrame(rows)


def morris_table(
    defn: ScreenDefinition, effects: pd.DataFrame, x: np.ndarray, names: Sequence[str]
) -> pd.DataFrame:
    """SALib Morris indices of every contrast's paired effect on each of its outcomes:
    contrast, outcome, factor, mu, mu_star, mu_star_conf (half-width of SALib's bootstrap
    95% interval), sigma, noise (the noise factor's mu*), set_by_contrast. Positions are in
    the unit cube, so mu* is in the outcome's units per whole plausible range."""
    from SALib.analyze import morris

    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    order = {f"m{i:05d}": i for i in range(len(x))}
    rows = []
    for c in defn.contrasts:
        mine = effects[effects["contrast"] == c.name]
        by_point = mine.groupby("screen_point").mean(numeric_only=True)
        if set(order) - set(by_point.index):
            missing = len(set(order) - set(by_point.index))
            raise ValueError(f"{c.name}: {missing} Morris points lack a paired effect")
        by_point = by_point.loc[list(order)]
        sets = set(c.sets)
        for o in c.outcomes:
            y = by_point[f"effect_{o}"].to_numpy(float)
            if not np.isfinite(y).all():  # an outcome undefined at some points: no ranking
                continue
            si = morris.analyze(
                problem,
                x,
                y,
                num_levels=defn.levels,
                conf_level=0.95,
                num_resamples=BOOTSTRAP_RESAMPLES,
                seed=defn.seed,
            )
            noise = float(si["mu_star"][list(names).index(NOISE)])
            for i, f in enumerate(names):
                params = () if f == NOISE else defn.factor(f).params
                rows.append(
                    {
                        "contrast": c.name,
                        "outcome": o,
                        "factor": f,
                        "mu": float(si["mu"][i]),
                        "mu_star": float(si["mu_star"][i]),
                        "mu_star_conf": float(si["mu_star_conf"][i]),
                        "sigma": float(si["sigma"][i]),
                        "noise": noise,
                        "set_by_contrast": bool(sets.intersection(params)),
                    }
                )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Selection:
    """A contrast's candidates (range ends run) and its two map factors."""

    contrast: str
    candidates: tuple[str, ...]
    maps: tuple[str, str]


def select(
    defn: ScreenDefinition, morris: pd.DataFrame, defaults: pd.DataFrame
) -> dict[str, Selection]:
    """Per contrast: the two map factors, the factors whose swing over their range (mu*
    times the larger distance from the base value to an end) is largest on its first
    outcome; then, up to `candidates`, the factors with the largest swing against the size
    of the effect at the default (or the noise, if larger) on any of its outcomes."""
    reach = {f.name: max(u, 1 - u) for f in defn.factors for u in [f.default_position(defn.base)]}
    out = {}
    for c in defn.contrasts:
        m = morris[(morris["contrast"] == c.name) & (morris["factor"] != NOISE)]
        m = m[~m["set_by_contrast"]].copy()
        m["swing"] = m["mu_star"] * m["factor"].map(reach)
        d0 = defaults[defaults["contrast"] == c.name].set_index("outcome")["mean"].abs()
        scale = np.maximum(m["outcome"].map(d0).fillna(0.0), m["noise"]).replace(0, np.nan)
        m["score"] = m["swing"] / scale
        first = m[m["outcome"] == c.outcomes[0]].sort_values(
            ["swing", "factor"], ascending=[False, True]
        )
        maps = tuple(first["factor"].head(2))
        best = m.groupby("factor")["score"].max().sort_values(ascending=False, kind="stable")
        chosen = list(maps)
        for f in best.index:
            if len(chosen) >= max(defn.candidates, len(maps)):
                break
            if f not in chosen:
                chosen.append(f)
        out[c.name] = Selection(c.name, tuple(chosen), maps if len(maps) == 2 else ())
    return out


def _at(effects: pd.DataFrame, contrast: str, point: str) -> pd.DataFrame:
    return effects[(effects["contrast"] == contrast) & (effects["screen_point"] == point)]


def range_ends(
    defn: ScreenDefinition, effects: pd.DataFrame, selection: dict[str, Selection]
) -> pd.DataFrame:
    """The paired effect at the low and high end of every candidate's range, per outcome,
    with 95% t-intervals over seeds, and the verdict (`classify`)."""
    rows = []
    for c in defn.contrasts:
        base = _at(effects, c.name, DEFAULT_POINT)
        for f in selection[c.name].candidates:
            low = _at(effects, c.name, point_id({f: 0.0}))
            high = _at(effects, c.name, point_id({f: 1.0}))
            for o in c.outcomes:
                col = f"effect_{o}"
                d, lo, hi = (_estimate(t[col]) for t in (base, low, high))
                rows.append(
                    {
                        "contrast": c.name,
                        "factor": f,
                        "outcome": o,
                        **_fields(d, "default"),
                        **_fields(lo, "low_end"),
                        **_fields(hi, "high_end"),
                        "n": min(lo.n, hi.n),
                        "verdict": classify(lo, hi),
                    }
                )
    return pd.DataFrame(rows)


def condition_shifts(
    defn: ScreenDefinition, effects: pd.DataFrame, selection: dict[str, Selection]
) -> pd.DataFrame:
    """How each candidate moves each measured condition, in the reference arm (`ref`) and
    the policy arm (`pol`): the mean at each end of its range, and the paired shift (high −
    low, same seeds) with its 95% interval and t statistic (|t| orders the conditions by how
    clearly the factor shows in them)."""
    rows = []
    for c in defn.contrasts:
        for f in selection[c.name].candidates:
            low = _at(effects, c.name, point_id({f: 0.0})).set_index("replicate")
            high = _at(effects, c.name, point_id({f: 1.0})).set_index("replicate")
            both = low.index.intersection(high.index)
            for cond in CONDITIONS:
                for arm in ("ref", "pol"):
                    col = f"{arm}_{cond.name}"
                    if col not in effects:
                        continue
                    a, b = low.loc[both, col].to_numpy(float), high.loc[both, col].to_numpy(float)
                    shift = _estimate(b - a)
                    d = (b - a)[np.isfinite(b - a)]  # a condition undefined in a run is left out
                    sd = np.std(d, ddof=1) if d.size > 1 else np.nan
                    t = shift.mean / (sd / np.sqrt(shift.n)) if sd and np.isfinite(sd) else np.nan
                    rows.append(
                        {
                            "contrast": c.name,
                            "factor": f,
                            "condition": cond.name,
                            "arm": arm,
                            "low_end": _finite_mean(a),
                            "high_end": _finite_mean(b),
                            "shift": shift.mean,
                            "shift_low": shift.low,
                            "shift_high": shift.high,
                            "t": float(t) if np.isfinite(t) else np.nan,
                        }
                    )
    return pd.DataFrame(rows)


def design_spread(
    defn: ScreenDefinition, default: pd.DataFrame, morris: pd.DataFrame
) -> pd.DataFrame:
    """Where the Morris design puts the world without any policy: for each primary outcome,
    its value in the base scenario's arm at the default point (mean over seeds) and its 5%,
    25%, 50%, 75% and 95% quantiles over the design's points. Elementary effects measured
    where an outcome sits at a bound (needs met near 0 in a world whose need far exceeds
    its hours) say little about the effect at plausible values."""
    base = BASE_ARM  # absent when every contrast names its own reference: no rows
    rows = []
    for o in PRIMARY_OUTCOMES:
        col = f"mean_{o}"
        at_default = default.loc[default["screen_arm"] == base, col].to_numpy(float)
        points = morris.loc[morris["screen_arm"] == base, col].to_numpy(float)
        points = points[np.isfinite(points)]
        if not points.size:
            continue
        q = np.quantile(points, [0.05, 0.25, 0.5, 0.75, 0.95])
        rows.append(
            {
                "outcome": o,
                "arm": base,
                "default": _finite_mean(at_default),
                "points": int(points.size),
                **{
                    f"q{int(k * 100):02d}": float(v)
                    for k, v in zip((0.05, 0.25, 0.5, 0.75, 0.95), q)
                },
            }
        )
    return pd.DataFrame(rows)


def _finite_mean(x: np.ndarray) -> float:
    """Mean of the finite values (NaN when there are none: a condition undefined in every
    run, such as a share of committees where no compound has one)."""
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else np.nan


def fidelity(reduced: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """The effect at the default point in the screen's settings (`reduced`, from
    `default_effects`) against the reference settings: contrast, outcome, both estimates and
    the agreement — `same sign`, `opposite signs` (both intervals exclude zero),
    `reference only` / `reduced only` (only one interval excludes zero) or `neither`."""
    r = reduced.set_index(["contrast", "outcome"])
    f = reference.set_index(["contrast", "outcome"])
    rows = []
    for key in r.index:
        a = Estimate(*r.loc[key, ["mean", "low", "high"]], int(r.loc[key, "n"]))
        b = (
            Estimate(*f.loc[key, ["mean", "low", "high"]], int(f.loc[key, "n"]))
            if key in f.index
            else Estimate(np.nan, np.nan, np.nan, 0)
        )
        if a.excludes_zero() and b.excludes_zero():
            agree = "same sign" if np.sign(a.mean) == np.sign(b.mean) else "opposite signs"
        elif b.excludes_zero():
            agree = "reference only"
        elif a.excludes_zero():
            agree = "reduced only"
        else:
            agree = "neither"
        rows.append(
            {
                "contrast": key[0],
                "outcome": key[1],
                "reduced": a.mean,
                "reduced_low": a.low,
                "reduced_high": a.high,
                "reference": b.mean,
                "reference_low": b.low,
                "reference_high": b.high,
                "agreement": agree,
            }
        )
    return pd.DataFrame(rows)


def map_cells(
    defn: ScreenDefinition, effects: pd.DataFrame, selection: dict[str, Selection]
) -> pd.DataFrame:
    """The effect over each contrast's 3 × 3 map: contrast, a, b (the two factors), ia, ib
    (level index 0-2), ua, ub (positions; NaN at the base value), outcome, mean, low, high,
    and `ref_<condition>`, the conditions measured in the reference arm (mean over seeds)."""
    rows = []
    for c in defn.contrasts:
        maps = selection[c.name].maps
        if len(maps) != 2:
            continue
        a, b = maps
        for ia, ua in enumerate(map_levels(defn, a)):
            for ib, ub in enumerate(map_levels(defn, b)):
                pos = {k: u for k, u in ((a, ua), (b, ub)) if u is not None}
                cell = _at(effects, c.name, point_id(pos))
                conds = {
                    f"ref_{cd.name}": float(cell[f"ref_{cd.name}"].mean())
                    for cd in CONDITIONS
                    if f"ref_{cd.name}" in cell
                }
                for o in c.outcomes:
                    e = _estimate(cell[f"effect_{o}"])
                    rows.append(
                        {
                            "contrast": c.name,
                            "a": a,
                            "b": b,
                            "ia": ia,
                            "ib": ib,
                            "ua": np.nan if ua is None else ua,
                            "ub": np.nan if ub is None else ub,
                            "outcome": o,
                            **_fields(e),
                            "n": e.n,
                            **conds,
                        }
                    )
    return pd.DataFrame(rows)
