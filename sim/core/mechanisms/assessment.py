"""Assessment: what residents say, and whom service favours (ODD §7.11).

The street office scores its communities (StreetOffice.assess) and residents' committees
respond to what the score rewards (ResidentsCommittee.learn); this module holds the two
quantities both read. Residents' evaluation of a community is the mean satisfaction of its
participating residents (those who take part in evaluations), or of all residents where
none participate. Because that evaluation comes from those who take part, a large weight on
it tilts service away from vulnerable residents who do not (`vocal_bias`): their priority in
service allocation is `vulnerable_priority` × (1 − `vocal_bias` × the residents' weight).
"""

from __future__ import annotations

import numpy as np


def residents_evaluation(model) -> np.ndarray:
    """Per community: mean satisfaction of participating residents (0-1), or of all its
    residents where none participate (summed only if some community has no participant)."""
    res, cm = model.residents, model.communities
    part = res.participates
    voice = res.per_community(kept(res.satisfaction, part), cm.n)
    voters = res.per_community(part, cm.n)
    heard = voice / np.maximum(voters, 1e-9)
    if voters.all():
        return heard
    mean_sat = res.per_community(res.satisfaction, cm.n) / np.maximum(cm.residents, 1)
    return np.where(voters > 0, heard, mean_sat)


def kept(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """`np.where(keep, values, 0.0)`, bit for bit: for float32 values, each value's bits
    times 1 or 0 (the bits of +0.0), a pass without a branch per value — NumPy's `where`
    on a scattered mask such as who participates is several times slower on the model's
    hundred thousand and more residents."""
    if values.dtype != np.float32:
        return np.where(keep, values, 0.0)
    return np.multiply(values.view(np.uint32), keep, dtype=np.uint32).view(np.float32)


def vulnerable_priority(model) -> np.ndarray:
    """Per community: extra allocation weight of vulnerable residents' needs."""
    p = model.p
    w = model.levers.community("resident_assessment_weight")
    return p["vulnerable_priority"] * (1 - p["vocal_bias"] * w)
