"""Elections of residents' and community party committees on a term cycle (ODD §7.13).

Seats of the two committees change only here (and through acting replacements when someone
leaves, sim.core.mechanisms.workload). Rounds come every `election_term_months`, the first
in month `election_first_month`: one synchronised round for the whole district (as in the
national rounds), or staggered (each community's round offset by a fixed share of the term).

At a community's round:
1. **Party committee.** The street replaces the secretaries with the worst selection scores
   (StreetOffice.select_secretaries, §7.15); each member steps down with probability
   `cadre_retirement_at_round` and the street's party working committee appoints a new
   cadre.
2. **Residents' committee.** For the director seat the community party organisation
   nominates (PartyCommittee.nominate_director): its secretary with the push
   `xa_one_shoulder`, else the incumbent or a new candidate. For each member seat it
   nominates one of its own members with the push `xa_two_committee_overlap`, else the
   incumbent or a new candidate. A rival stands with probability `contest_base` +
   `contest_distrust` × max(0, `trust_neutral` − residents' trust in the party
   organisation). In a contested seat the nominee's vote share is that of the voters who
   follow the party's recommendation (`party_bloc` of a half-turnout electorate, more under
   household representation: `household_bloc_boost`) plus the free voters' share q =
   logistic(`vote_trust_weight` × (trust − `trust_neutral`) + `vote_standing_weight` ×
   (the nominee's standing − the rival's)); a campaign shock of sd `vote_noise` decides:
   P(win) = Φ((share − ½) / `vote_noise`). Turnout: participants vote; others are mobilised
   with probability `election_mobilisation` × their trust in the RC (direct elections), or
   every household sends a representative (household rule). A lower turnout leaves the
   party's reliable voters a larger part of the votes.

A lever changed in month t therefore acts at the next round, through nominations, and the
vote can refuse it. The same vote model elects owners'-committee chairs and members
(owners_assembly), with owners as voters.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, ndtr

from ..people import CADRE, DIRECTOR, PC, PC_MEMBER, RC, RC_MEMBER


def round_due(model) -> np.ndarray:
    """Communities whose election round is this month."""
    p, month = model.p, model.steps  # the month being simulated (Mesa counts from 1)
    since = month - (p["election_first_month"] + model.election_offset)
    return np.flatnonzero((since >= 0) & (since % p["election_term_months"] == 0))


def election_offsets(p: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """Months by which each community's rounds follow the first round."""
    if p["election_schedule"] == "synchronised":
        return np.zeros(n, dtype=np.int64)
    return np.floor(rng.random(n) * p["election_term_months"]).astype(np.int64)


def contest_chance(p: dict, trust: np.ndarray) -> np.ndarray:
    return np.clip(
        p["contest_base"] + p["contest_distrust"] * np.maximum(p["trust_neutral"] - trust, 0.0),
        0.0,
        1.0,
    )


def win_chance(
    p: dict,
    trust: np.ndarray,
    standing_nominee: np.ndarray,
    standing_rival: np.ndarray,
    bloc: np.ndarray,
) -> np.ndarray:
    """Chance the party's nominee wins a contested seat (see the module docstring)."""
    q = expit(
        p["vote_trust_weight"] * (trust - p["trust_neutral"])
        + p["vote_standing_weight"] * (standing_nominee - standing_rival)
    )
    share = bloc + (1 - bloc) * q
    return ndtr((share - 0.5) / p["vote_noise"])


def turnout_and_bloc(model, communities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Turnout of a residents'-committee election in each community, and the share of votes
    cast by voters who follow the party's recommendation."""
    p, lv = model.p, model.levers
    household = lv.community("election_household_rule")[communities].astype(bool)
    direct = model.election_turnout_by_community()[communities]
    hh_share = model.households_per_resident()[communities]
    # household rule: every household votes once, through its representative
    turnout = np.where(household, np.maximum(direct, hh_share), direct)
    reliable = 0.5 * (p["party_bloc"] + household * p["household_bloc_boost"])
    bloc = np.clip(reliable / np.maximum(turnout, 1e-3), 0.0, 1.0)
    return turnout, bloc


def step(model) -> None:
    due = round_due(model)
    if due.size == 0:
        return
    rng = model.streams["elections"]
    renew_party_committees(model, due, rng)
    elect_residents_committees(model, due, rng)
    model.month.elections += int(due.size)
    model.sync_shared_edges()


def renew_party_committees(model, communities: np.ndarray, rng: np.random.Generator) -> None:
    """The street replaces its worst secretaries by its selection score (StreetOffice
    .select_secretaries); members step down with probability `cadre_retirement_at_round`."""
    p = model.p
    for office in model.street_offices:
        office.select_secretaries(communities)
    for c in communities.tolist():
        for s in model.seats_of(PC, c, PC_MEMBER):
            h = model.seats.holder[s]
            if h < 0 or rng.random() < p["cadre_retirement_at_round"]:
                model.replace_in_seat(s, model.new_people(1, CADRE, c, party=True)[0])


def elect_residents_committees(model, communities: np.ndarray, rng: np.random.Generator) -> None:
    p, people = model.p, model.people
    trust = model.community_trust("party")[communities]
    turnout, bloc = turnout_and_bloc(model, communities)
    contested_n = won = nominees = 0
    for k, c in enumerate(communities.tolist()):
        party = model.party_committees[c]
        taken: set[int] = set()
        for role in (DIRECTOR, RC_MEMBER):
            for s in model.seats_of(RC, c, role):
                if role == DIRECTOR:
                    nominee = party.nominate_director(rng.random())
                else:
                    nominee = party.nominate_member(rng.random(), taken)
                    if nominee < 0:
                        incumbent = int(model.seats.holder[s])
                        if (
                            incumbent >= 0
                            and incumbent not in taken
                            and not model.sits_on(incumbent, PC, c)
                        ):
                            nominee = incumbent
                if nominee < 0:
                    nominee = int(
                        model.new_people(
                            1, CADRE, c, party=rng.random() < p["rc_member_party_share"]
                        )[0]
                    )
                nominees += 1
                winner = nominee
                if rng.random() < contest_chance(p, trust[k : k + 1])[0]:
                    contested_n += 1
                    rival = int(model.new_people(1, CADRE, c, party=False)[0])
                    chance = win_chance(
                        p,
                        trust[k : k + 1],
                        people.standing[[nominee]],
                        people.standing[[rival]],
                        bloc[k : k + 1],
                    )[0]
                    if rng.random() >= chance:
                        winner = rival
                    else:
                        people.active[rival] = False
                won += winner == nominee
                taken.add(winner)
                if int(model.seats.holder[s]) != winner:
                    model.replace_in_seat(s, winner)
    model.month.contested += contested_n
    model.month.nominees += nominees
    model.month.nominees_won += won
    model.month.election_turnout = float(
        np.average(turnout, weights=model.communities.residents[communities])
    )
