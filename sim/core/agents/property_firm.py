"""Property-management firm (物业服务企业): serves several compounds for fees (ODD §7.6).

What it senses: in each compound it serves, the fee, last month's collection, and the
chance that shirking is detected this month (set by the owners' committee's and the
property committee's monitoring, which it can read from who watches it), and the penalty
it risks: a sanction, and the loss of the contract where a committee would re-tender.
What it wants: fee income less the cost of effort and expected penalties.
What it chooses: (1) its effort in each compound (`set_effort`): the unconstrained optimum
e* = `firm_fee_responsiveness` / (2 × its own effort cost) against compliance at
`shirk_threshold` θ when the expected penalty of shirking outweighs the saving; effort moves
toward the choice at `effort_adjust_rate`; (2) whether to bid in a tender (`bids_for`):
when the fee covers its break-even level; (3) whether to leave a compound (`leaves`): after
`exit_patience` months in which the fees collected fall below break-even. Its record of
detected shirking follows it to the tenders it enters.
"""

from __future__ import annotations

import numpy as np

from ..state import OC_FUNCTIONING
from .base import GovernanceAgent, column


class PropertyFirm(GovernanceAgent):
    """`index` = firm."""

    table = "firms"
    kind = "property_firm"

    capability = column()
    effort_cost = column()
    record = column()
    revenue = column()
    lost = column()

    @property
    def compounds(self) -> np.ndarray:
        """Indices of the compounds this firm serves."""
        return np.flatnonzero(self.model.compounds.firm == self.index)

    @property
    def mean_effort(self) -> float:
        served = self.compounds
        return float(self.model.compounds.effort[served].mean()) if served.size else 0.0

    def set_effort(self) -> None:
        """Choose effort in each compound it serves (an inspection game per compound)."""
        p, cp = self.model.p, self.model.compounds
        c = self.compounds
        if c.size == 0:
            return
        b, cost, theta = p["firm_fee_responsiveness"], self.effort_cost, p["shirk_threshold"]
        e_free = min(b / (2 * cost), 1.0)
        if e_free >= theta:
            target = np.full(c.size, e_free)
        else:
            willing = np.where(cp.oc_state[c] == OC_FUNCTIONING, cp.independence[c], 0.0)
            retender_value = willing * p["contract_value_months"] / p["retender_strikes"]
            penalty = cp.detection[c] * (p["sanction_share"] + retender_value)
            u_free = b * e_free - cost * e_free**2 - penalty
            u_comply = b * theta - cost * theta**2
            target = np.where(u_comply >= u_free, theta, e_free)
        cp.effort[c] += p["effort_adjust_rate"] * (target - cp.effort[c])

    def update_record(self) -> None:
        """Its record follows the share of its compounds where shirking was detected."""
        cp, p = self.model.compounds, self.model.p
        c = self.compounds
        if c.size:
            caught = float(cp.detected[c].mean())
            self.record = self.record + p["record_rate"] * (caught - self.record)

    def bids_for(self, compound: int) -> bool:
        """Bid in this compound's tender if its fee covers the firm's break-even."""
        return bool(self.model.compounds.fee[compound] >= self.model.p["firm_break_even_fee"])

    def leaves(self) -> np.ndarray:
        """Compounds it leaves this month: fees collected below break-even for too long."""
        p, cp = self.model.p, self.model.compounds
        c = self.compounds
        if c.size == 0:
            return c
        collected = cp.collection[c] * cp.fee[c]
        low = collected < p["firm_break_even_fee"]
        cp.low_collection_months[c] = np.where(low, cp.low_collection_months[c] + 1, 0)
        return c[cp.low_collection_months[c] >= p["exit_patience"]]
