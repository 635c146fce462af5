"""Needs arise each month by category and vulnerability (ODD §7.1).

New need of resident i in hour category k is gamma-distributed with mean
`need_k × m_ik` and shape `need_dispersion`, where m_ik = `vulnerable_need_multiplier` for
care and legal needs of vulnerable residents and 1 otherwise; `backlog_carryover` of last
month's unmet need is added on top.

Draws are float32, one category after the other. For a whole-number shape a ≤ 4 (the
default is 2) a Gamma(a, 1) draw is the sum of a standard exponentials,
−log(U_1 ⋯ U_a) with U uniform on (0, 1] — exact, and several times cheaper than the
general gamma sampler, which is used for other shapes. `residents.need` is updated in place.
"""

from __future__ import annotations

import numpy as np

FAST_SHAPES = (1, 2, 3, 4)
"""Gamma shapes drawn as sums of exponentials (a product of up to 4 float32 uniforms in
(0, 1] stays above 2**-96, well inside float32 range)."""


CHUNK = 65536
"""Uniforms drawn at a time after each resident's first (a buffer of this many float32s
instead of one per resident and draw: 30 MB less at city scale)."""


def standard_gamma(
    rng: np.random.Generator,
    shape: float,
    out: np.ndarray,
    work: np.ndarray | None = None,
    scale: float | np.ndarray = 1.0,
) -> np.ndarray:
    """Fill the contiguous float32 vector `out` with Gamma(shape, 1) draws times `scale` (a
    number or a float32 vector like `out`) and return it. `work`, a float32 buffer of at
    least `min(CHUNK, out.size)` values, saves an allocation. For a fast shape a, every resident's first
    uniform is drawn into `out`, then the second of all residents, and so on — the draws of
    one (a, n) array filled at once — multiplied in chunk by chunk."""
    if shape in FAST_SHAPES:
        k = int(shape)
        rng.random(out=out, dtype=np.float32)
        np.subtract(1.0, out, out=out)  # [0, 1) -> (0, 1]: the logarithm stays finite
        if k > 1 and (work is None or work.size < min(CHUNK, out.size)):
            work = np.empty(min(CHUNK, out.size), dtype=np.float32)
        for _ in range(1, k):
            for start in range(0, out.size, CHUNK):
                part = out[start : start + CHUNK]
                u = work[: part.size]
                rng.random(out=u, dtype=np.float32)
                np.subtract(1.0, u, out=u)
                part *= u
        np.log(out, out=out)
        if np.ndim(scale) == 0:
            out *= np.float32(-scale)
        else:
            out *= scale
            np.negative(out, out=out)
        return out
    out[:] = rng.standard_gamma(shape, size=out.size, dtype=np.float32)
    out *= np.asarray(scale, dtype=np.float32)
    return out


def step(model) -> None:
    p, res = model.p, model.residents
    rng = model.streams["needs"]
    shape = p["need_dispersion"]
    rows, backlog = res.writable("need").T, res.backlog.T  # one contiguous row per category
    work = res.scratch("needs.uniforms", (min(CHUNK, res.n),)) if shape in FAST_SHAPES else None
    mean = np.array([p["need_daily"], p["need_care"], p["need_legal"]]) / shape
    vulnerable_mean = mean * p["vulnerable_need_multiplier"]
    for k in range(3):
        # care and legal needs of vulnerable residents are larger
        scale = mean[0] if k == 0 else res.by_vulnerability(vulnerable_mean[k], mean[k])
        standard_gamma(rng, shape, rows[k], work, scale)
        rows[k] += backlog[k]
