"""Street-convened property-management committee of a compound (物业管理委员会): the body a
street office sets up where owners have formed no committee of their own (ODD §7.7).

How it comes about: the street convenes it (StreetOffice.convene_committees) — no owners'
assembly and no quorum — appointing the compound's branch secretary as its chair where the
compound has a branch (else a member of the residents' committee), one residents'-committee
member, and owners for the other seats. Its powers are those the municipal rules give it:
it supervises the firm as an owners' committee does (the same members' effort, monitoring,
detection and response: OwnersCommittee), and it organises the owners' assembly that may
elect a committee (`organise_assemblies`). It gives way when the owners elect one, and after
`convened_term_months` without an elected committee the street convenes it anew or lets it
go (owners_assembly).

What differs from an elected committee is who sits on it: appointed owners are not the
most motivated of several candidates, and the residents'-committee member and the branch
secretary carry the load of their other seats, so the same effort rule gives less; the
street's backing (`convened_backing`) gives more.
"""

from __future__ import annotations

import numpy as np

from .owners_committee import OwnersCommittee


class ConvenedCommittee(OwnersCommittee):
    """Zero or one per compound (`index` = compound), while the street's committee sits."""

    elected = False

    @staticmethod
    def organise_assemblies(model, compounds: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Of the convened committees of `compounds` (uniforms `u`), those that organise an
        owners' assembly this month. Preparing an election is one of its duties and takes a
        meeting that acts; an acting committee tries with monthly probability
        `convened_assembly_rate` × the turnout it can expect against the quorum it needs
        (capped at 1): where owners are unlikely to come, it waits."""
        from ..mechanisms.owners_assembly import expected_turnout

        cp, p = model.compounds, model.p
        boost = np.full(compounds.size, 1.0)  # it mobilises the owners itself
        hopes = expected_turnout(model, compounds, boost) / max(p["quorum_share"], 1e-9)
        chance = p["convened_assembly_rate"] * np.minimum(hopes, 1.0)
        return cp.oc_acted[compounds] & (u < chance)
