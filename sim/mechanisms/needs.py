"""Needs arise each month by category and vulnerability (ODD §7.1).

New need of resident i in hour category k is gamma-distributed with mean
`need_k × m_ik`, where m_ik = `vulnerable_need_multiplier` for care and legal needs of
vulnerable residents and 1 otherwise; `backlog_carryover` of last month's unmet need is
added on top.
"""

from __future__ import annotations

import numpy as np


def step(model) -> None:
    p, res = model.p, model.residents
    rng = model.streams["needs"]
    mean = np.array([p["need_daily"], p["need_care"], p["need_legal"]], dtype=np.float32)
    mult = np.ones((res.n, 3), dtype=np.float32)
    mult[res.vulnerable, 1:] = p["vulnerable_need_multiplier"]
    shape = p["need_dispersion"]
    fresh = rng.gamma(shape, 1.0 / shape, size=(res.n, 3)).astype(np.float32) * mean * mult
    res.need = fresh + res.backlog
