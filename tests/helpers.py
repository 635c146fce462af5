"""Helpers shared by tests: paired-seed comparisons of two parameter sets, a tiny
experiment file for the sweep commands, and a read-only folder."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest

from sim.experiments.stats import Estimate, paired_difference
from sim.runs.runner import run
from tests.conftest import MEDIUM

SEEDS = (11, 12, 13, 14, 15, 16)


@lru_cache(maxsize=512)
def _summary(items: tuple, seed: int, steps: int) -> dict:
    return run(dict(items), seed, steps, series_period=None).summary


def summaries(params: dict, seeds=SEEDS, steps: int = 36) -> list[dict]:
    """Run summaries of `params` for each seed (cached: arms share reference runs)."""
    items = tuple(sorted(params.items()))
    return [_summary(items, s, steps) for s in seeds]


def effect(
    outcome: str,
    change: dict,
    base: dict | None = None,
    seeds=SEEDS,
    steps: int = 36,
    world: dict = MEDIUM,
    stat: str = "mean",
) -> Estimate:
    """Paired difference of `<stat>_<outcome>` (mean over the last 12 months by default)
    between `base + change` and `base`, over `seeds` (same seed in both arms), with its
    95% confidence interval."""
    base = {**world, **(base or {})}
    key = f"{stat}_{outcome}"
    treated = [s[key] for s in summaries({**base, **change}, seeds, steps)]
    reference = [s[key] for s in summaries(base, seeds, steps)]
    est, _ = paired_difference(treated, reference)
    return est


TINY_EXPERIMENT = """steps = {steps}
replicates = {replicates}
outcomes = ["needs_met"]
[factors]
devolution_share = [0.1, 0.6]
[fixed]
n_streets = 1
communities_per_street = 2
compounds_per_community = 2
households_per_compound = 20
"""


def tiny_experiment(folder: Path, steps: int = 3, replicates: int = 2) -> Path:
    """A two-arm grid experiment on a world of about 200 residents, as `folder/tiny.toml`."""
    path = folder / "tiny.toml"
    path.write_text(TINY_EXPERIMENT.format(steps=steps, replicates=replicates))
    return path


@contextlib.contextmanager
def read_only(folder: Path, skip: bool = True) -> Iterator[Path]:
    """`folder` made read-only for this process while the block runs: its permissions taken
    away, and where that does not stop the writer (root ignores them) the folder marked
    immutable. If neither works here the test is skipped (`skip=False`: RuntimeError)."""
    folder.chmod(0o555)
    immutable = False
    try:
        if _writable(folder):
            with contextlib.suppress(OSError):  # no chattr here
                done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
                immutable = done.returncode == 0
            if not immutable or _writable(folder):
                if skip:
                    pytest.skip("cannot make a folder read-only on this machine")
                raise RuntimeError("cannot make a folder read-only on this machine")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        folder.chmod(0o755)


def read_only_works() -> bool:
    """Whether `read_only` can make a folder read-only on this machine."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        try:
            with read_only(Path(tmp), skip=False):
                return True
        except RuntimeError:
            return False


def _writable(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.write_text("x")
    except OSError:
        return False
    probe.unlink()
    return True
