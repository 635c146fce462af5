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
    BATCHED = {"set_effort": "set_efforts", "update_record": "update_records"}

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
        self._efforts(self.model, self.compounds)

    @staticmethod
    def set_efforts(model) -> None:
        """`set_effort` of every firm at once: a compound has one firm, and each firm's
        choice there reads only that compound and the firm's own cost."""
        PropertyFirm._efforts(model, np.flatnonzero(model.compounds.firm >= 0))

    @staticmethod
    def _efforts(model, c: np.ndarray) -> None:
        """Effort in compounds `c`, each chosen by its firm."""
        p, cp = model.p, model.compounds
        if c.size == 0:
            return
        b, theta = p["firm_fee_responsiveness"], p["shirk_threshold"]
        cost = model.firms.effort_cost[cp.firm[c]]
        e_free = np.minimum(b / (2 * cost), 1.0)
        willing = np.where(cp.oc_state[c] == OC_FUNCTIONING, cp.independence[c], 0.0)
        retender_value = willing * p["contract_value_months"] / p["retender_strikes"]
        penalty = cp.detection[c] * (p["sanction_share"] + retender_value)
        u_free = b * e_free - cost * e_free**2 - penalty
        u_comply = b * theta - cost * theta**2
        target = np.where(e_free >= theta, e_free, np.where(u_comply >= u_free, theta, e_free))
        cp.effort[c] += p["effort_adjust_rate"] * (target - cp.effort[c])

    def update_record(self) -> None:
        """Its record follows the share of its compounds where shirking was detected."""
        self.update_records(self.model, np.array([self.index]))

    @staticmethod
    def update_records(model, firms: np.ndarray | None = None) -> None:
        """`update_record` of `firms` (all if None) at once: each reads only its own
        compounds."""
        cp, fm, p = model.compounds, model.firms, model.p
        served = cp.firm >= 0
        n = np.bincount(cp.firm[served], minlength=fm.n)
        caught = np.bincount(cp.firm[served], weights=cp.detected[served], minlength=fm.n)
        f = np.arange(fm.n) if firms is None else firms
        f = f[n[f] > 0]
        share = caught[f] / n[f]  # detected is 0 or 1: the sum is a whole number, exactly
        fm.record[f] = fm.record[f] + p["record_rate"] * (share - fm.record[f])

    def bids_for(self, compound: int) -> bool:
        """Bid in this compound's tender if its fee covers the firm's break-even."""
        return bool(self.model.compounds.fee[compound] >= self.model.p["firm_break_even_fee"])

    def leaves(self) -> np.ndarray:
        """Compounds it leaves this month: fees collected below break-even for too long."""
        return self._leaving(self.model, self.compounds)

    @staticmethod
    def leaving_all(model) -> np.ndarray:
        """`leaves` of every firm, firm after firm (each firm's compounds in order): a
        compound's count of low months reads only that compound."""
        served = np.flatnonzero(model.compounds.firm >= 0)
        by_firm = served[np.argsort(model.compounds.firm[served], kind="stable")]
        return PropertyFirm._leaving(model, by_firm)

    @staticmethod
    def _leaving(model, c: np.ndarray) -> np.ndarray:
        """Of the compounds `c` (each served by a firm), those left this month."""
        p, cp = model.p, model.compounds
        if c.size == 0:
            return c
        collected = cp.collection[c] * cp.fee[c]
        low = collected < p["firm_break_even_fee"]
        cp.low_collection_months[c] = np.where(low, cp.low_collection_months[c] + 1, 0)
        return c[cp.low_collection_months[c] >= p["exit_patience"]]
