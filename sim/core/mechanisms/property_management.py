"""Property management: quality, detection, fees, sanctions and turnover (ODD §7.6).

Quality. A compound's service quality is its buildings' base quality (1 −
`building_quality_loss` per decade of age before 2020, at least 0.3; renovation raises it)
times what its management delivers: a firm, capability × effort (PropertyFirm.set_effort);
caretaking by the street or RC, `caretaking_quality`; owners' self-management,
`self_management_quality` while the owners' committee functions (caretaking level
otherwise); the work unit, `work_unit_quality`; no one, `unmanaged_quality`.

Detection. The chance that shirking (effort below `shirk_threshold`) is noticed this month
is 1 − (1 − `detect_base`)(1 − `detect_oc` × the OC's independence × its monitoring)(1 −
`detect_professional` × the property committee's independence × its monitoring): the
owners' committee and the property committee decide how closely to watch (OwnersCommittee
.monitor, PropertyCommittee.watch), and shared people blunt their checks (coordination).
The firm sets its effort knowing this chance.

Fees. Each owner household in a firm-served compound pays when perceived quality (quality
+ noise of sd `quality_noise`) is at least its tolerance; revenue = fee × floor area.

Sanctions and turnover. Detected shirking costs `sanction_share` of a month's fees and adds
a strike (strikes decay at `strike_decay`); the owners' committee responds (re-tender or
sue, OwnersCommittee.respond). A firm leaves a compound where the fees collected stay below
`firm_break_even_fee` (PropertyFirm.leaves); the street then caretakes, and finds a firm
with probability 1/`exit_patience` a month where the fee covers break-even.

Contracts. Giving a compound to a firm (`assign_firm`, after a tender or a re-tender) sets
the network's `contract` and `supervision` ties of the compound's owners' seat to the firm
and the firm's `collaboration` tie with the community's RC, and drops the old firm's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import kernels
from .. import types as T
from ..agents.owners_committee import OwnersCommittee
from ..agents.party_committee import set_joint_tie
from ..agents.property_committee import PropertyCommittee
from ..agents.property_firm import PropertyFirm
from ..network import set_edge
from ..people import OC
from ..rows import among
from ..state import OC_FUNCTIONING


def base_quality(build_year: np.ndarray, p: dict) -> np.ndarray:
    decades = np.maximum(2020 - build_year, 0) / 10.0
    return np.clip(1.0 - p["building_quality_loss"] * decades, 0.3, 1.0)


def management_quality(model) -> np.ndarray:
    """Quality of what each compound's management delivers, before the buildings' base."""
    p, cp, firms = model.p, model.compounds, model.firms
    firm = cp.firm >= 0
    capability = firms.capability[np.maximum(cp.firm, 0)]
    # each mode's quality looked up by its code (no one's for a firm not yet there)
    of_mode = np.full(len(T.MANAGEMENT_MODES), p["unmanaged_quality"], dtype=float)
    of_mode[T.CARETAKING] = p["caretaking_quality"]
    of_mode[T.SELF] = p["self_management_quality"]
    of_mode[T.WORK_UNIT] = p["work_unit_quality"]
    by_mode = of_mode[cp.management]
    # owners manage themselves only while their committee functions
    by_mode[(cp.management == T.SELF) & (cp.oc_state != OC_FUNCTIONING)] = p["caretaking_quality"]
    return np.where(firm, capability * cp.effort, by_mode)


def set_detection(model) -> None:
    """This month's chance that shirking is detected in each compound."""
    p, cp = model.p, model.compounds
    watch_oc = np.zeros(cp.n)
    committees = OwnersCommittee.sitting(model)
    watch_oc[committees] = OwnersCommittee.monitors(model, committees)
    pmc = PropertyCommittee.watch_all(model)
    d_oc = p["detect_oc"] * cp.independence * watch_oc
    d_pmc = p["detect_professional"] * model.pmc_independence * pmc
    cp.detection = 1 - (1 - p["detect_base"]) * (1 - d_oc) * (1 - d_pmc)


def set_quality(model) -> None:
    cp = model.compounds
    cp.quality = cp.base_quality * management_quality(model)


def pay_fees(model) -> None:
    """Owner households decide whether to pay; collection and firms' revenue follow."""
    p, cp, res, firms = model.p, model.compounds, model.residents, model.firms
    rng = model.streams["property"]
    served = cp.firm >= 0
    heads = model.owner_heads
    noise = rng.standard_normal(heads.size)
    res.pays = np.zeros(res.n, dtype=bool)
    compiled = kernels.active(res.n)
    if compiled is not None:  # the lines below as one compiled loop
        paid, paid_area = np.zeros(cp.n), np.zeros(cp.n)
        compiled.pay_fees(
            heads,
            res.compound,
            cp.quality,
            float(p["quality_noise"]),
            noise,
            res.tolerance,
            served,
            res.area,
            res.pays,
            paid,
            paid_area,
        )
    else:
        where = res.compound[heads]
        perceived = cp.quality[where] + p["quality_noise"] * noise
        pays = (perceived >= res.tolerance[heads]) & served[where]
        res.pays[heads] = pays
        paid = np.bincount(where[pays], minlength=cp.n).astype(float)
        paid_area = np.bincount(where[pays], weights=res.area[heads][pays], minlength=cp.n)
    cp.collection = np.where(served & (cp.owners > 0), paid / np.maximum(cp.owners, 1), 0.0)
    revenue = cp.fee * paid_area
    firms.revenue = np.bincount(np.maximum(cp.firm, 0), weights=revenue * served, minlength=firms.n)


def detect(model) -> None:
    """Shirking is detected or not; strikes accumulate; sanctions are booked."""
    p, cp = model.p, model.compounds
    rng = model.streams["property"]
    served = cp.firm >= 0
    shirking = served & (cp.effort < p["shirk_threshold"])
    cp.detected = shirking & (rng.random(cp.n) < cp.detection)
    cp.strikes = cp.strikes * (1 - p["strike_decay"]) + cp.detected
    model.month.sanctions = int(cp.detected.sum())


def tender(model, compound: int, exclude: int, chooser=None) -> int:
    """A tender: `tender_bidders` invited firms (other than `exclude`) decide to bid; the
    chooser (a functioning owners' committee) or else the street picks one; -1 if none bids."""
    p = model.p
    rng = model.streams["property"]
    n = model.firms.n
    candidates = np.flatnonzero(np.arange(n) != exclude)
    if candidates.size == 0:
        return -1
    invited = rng.choice(candidates, size=min(p["tender_bidders"], candidates.size), replace=False)
    bidders = np.array(
        [f for f in invited if model.firm_agents[f].bids_for(compound)], dtype=np.int64
    )
    if bidders.size == 0:
        return -1
    if chooser is not None:
        return chooser.choose_firm(bidders)
    return int(bidders[np.argmax(model.firms.capability[bidders])])


def turnover(model) -> None:
    """Firms leave unprofitable compounds; the street finds firms for unserved ones."""
    p, cp = model.p, model.compounds
    rng = model.streams["property"]
    leaving = PropertyFirm.leaving_all(model).tolist()  # as each firm in turn
    for c in leaving:
        assign_firm(model, int(c), -1)
    model.month.firm_exits = len(leaving)
    vacant = np.flatnonzero(
        (cp.firm < 0) & (cp.management == T.CARETAKING) & (cp.fee >= p["firm_break_even_fee"])
    )
    vacant = vacant[~among(vacant, leaving)]
    found = vacant[rng.random(vacant.size) < 1.0 / p["exit_patience"]]
    for c in found.tolist():
        firm = tender(model, c, -1)
        if firm >= 0:
            assign_firm(model, c, firm)
            model.month.firm_entries += 1


def collaborate(model, firm: int, community: int, present: bool) -> None:
    """Add (or cut) the `collaboration` tie of `firm` with the RC of `community`: a firm
    works with the RC of each community it serves."""
    off = model.world.node_offset
    set_edge(
        model,
        off["property_firm"] + firm,
        off["residents_committee"] + community,
        "collaboration",
        present,
    )


def assign_firm(model, compound: int, firm: int) -> None:
    """Give `compound` to `firm` (-1: the firm leaves and the street caretakes)."""
    cp, off = model.compounds, model.world.node_offset
    seat = off["owners_committee"] + compound
    old = int(cp.firm[compound])
    community = int(cp.community[compound])
    if cp.convened[compound]:
        set_joint_tie(model, compound, False)
    if old >= 0:
        model.firms.compounds[old] -= 1
        model.firms.lost[old] += 1
        for kind in ("contract", "supervision"):
            set_edge(model, seat, off["property_firm"] + old, kind, False)
        if not np.any(
            (cp.firm == old) & (cp.community == community) & (np.arange(cp.n) != compound)
        ):
            collaborate(model, old, community, False)
        for person in model.org_members(OC, compound):
            if model.people.allied_firm[person] == old:
                model.people.allied_firm[person] = -1
    cp.firm[compound] = firm
    cp.strikes[compound] = 0.0
    cp.low_collection_months[compound] = 0
    cp.changed_firm[compound] = True
    if firm >= 0:
        model.firms.compounds[firm] += 1
        cp.management[compound] = T.FIRM
        cp.effort[compound] = model.p["shirk_threshold"]
        for kind in ("contract", "supervision"):
            set_edge(model, seat, off["property_firm"] + firm, kind, True)
        collaborate(model, firm, community, True)
    else:
        cp.management[compound] = T.CARETAKING


def retender(model, compound: int, chooser: Any = None) -> None:
    """Put `compound`'s contract out to tender (`chooser`, if given, picks among the
    bidders: its owners' committee) and give it to the winner, if any."""
    firm = tender(model, compound, int(model.compounds.firm[compound]), chooser)
    if firm >= 0:
        assign_firm(model, compound, firm)
        model.month.retendered += 1
