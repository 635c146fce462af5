"""Old-compound renovation: a joint project of the street, the residents' committee and the
owners (ODD §7.6).

Street offices put forward their worst-served unrenovated pre-2000 compounds at
`renovation_rate` a year (StreetOffice.put_forward_renovations). A project needs the street,
the residents' committee and the compound's owners to work together: each month its work
advances by the coordination of the street with the compound's owners'-committee seat along
the network (coordination.py: through the RC, a convened joint tie, shared people), so a
project takes `renovation_months` at full coordination and longer where ties are missing.
When done it raises the compound's base quality by `renovation_quality_gain`; a compound
without a firm then moves to caretaking by the street where it had no management at all.
"""

from __future__ import annotations

import numpy as np

from .. import types as T
from ..agents.street_office import StreetOffice


def step(model) -> None:
    cp = model.compounds
    started = StreetOffice.put_forward_renovations_all(model)  # as each street in turn
    cp.renovation_left[started] = model.p["renovation_months"]
    model.month.renovations_started += int(started.size)
    active = np.flatnonzero(cp.renovation_left > 0)
    if active.size == 0:
        return
    # a project started this month begins next month, when its coordination is known
    street = model.communities.street[cp.community[active]]
    pace = cp.renovation_coordination[active] * (1 + model.streets.answered_share[street])
    cp.renovation_left[active] = np.maximum(cp.renovation_left[active] - pace, 0.0)
    done = active[cp.renovation_left[active] <= 0]
    if done.size:
        cp.base_quality[done] = np.minimum(
            cp.base_quality[done] + model.p["renovation_quality_gain"], 1.0
        )
        cp.renovated[done] = True
        cp.management[done] = np.where(
            cp.management[done] == T.NONE, T.CARETAKING, cp.management[done]
        )
        model.month.renovations_done += int(done.size)
