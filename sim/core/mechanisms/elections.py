"""Elections of residents' and party committees on a term cycle (ODD §7.13).

Seats of the two committees change only here (and through acting replacements when someone
leaves, sim.core.mechanisms.workload). Rounds come every `election_term_months`, the first
in month `election_first_month`: one synchronised round for the whole district (as in the
national rounds), or staggered (each community's round offset by a fixed share of the term).

At a community's round:
1. **Party committee.** The street replaces the secretaries with the worst selection scores
   (StreetOffice.select_secretaries, §7.15); each member steps down with probability
   `cadre_retirement_at_round` and the street's party working committee appoints a new
   cadre. Under a push for 一肩挑 the street may send an eligible cadre where the secretary
   cannot stand (StreetOffice.send_cadres).
2. **Who stands.** The party committee decides whom to nominate (PartyCommittee
   .nominate_director, nominate_member): its secretary for director, its members for member
   seats, each weighed on the push, its standing, the risk of losing and the load the seat
   adds; the person may decline; only people the round's rules admit may stand (`eligible`).
   Otherwise the incumbent or a new candidate stands for the seat.
3. **Who contests.** A rival stands for a seat with probability `contest_base` +
   `contest_distrust` × max(0, `trust_neutral` − trust in the party organisation) +
   `contest_dissatisfaction` × max(0, `satisfaction_neutral` − residents' satisfaction) +
   `contest_organised` × the share of the community's compounds with a functioning owners'
   committee (capped at 1); where such committees act, their best-standing chair stands,
   otherwise a resident with standing drawn like anyone's.
4. **Who votes** (`voting_chances`). An adult votes of their own accord with probability
   `turnout_participant` if they take part in community life; party members are mobilised by
   their compound branch (`branch_mobilisation`) or, without one, by the community party
   committee (`committee_mobilisation`), each × the mobiliser's performance; building heads
   reach others with probability `building_head_reach` × availability by age band
   (`availability_*`) × `tenant_attachment` for tenants × min(1, the resident's trust in the
   RC / `trust_neutral`) (who distrusts the RC stays home);
   the chances combine as independent routes. Under the household rule
   (`election_household_rule`) one representative votes for the whole household: a household
   votes if any member would, and the official turnout counts every adult of a voting
   household (proxies), the in-person turnout one voter per household.
5. **How they vote.** In a contested seat the nominee's share is that of the voters mobilised
   by the party (its bloc: mobilised party members, plus `household_bloc_boost` under the
   household rule) plus the free voters' share q = logistic(`vote_trust_weight` × (trust −
   `trust_neutral`) + `vote_standing_weight` × (the nominee's standing − the rival's) +
   `vote_performance_weight` × (trust in the RC − `trust_neutral`)); a campaign shock of sd
   `vote_noise` decides: P(win) = Φ((share − ½) / `vote_noise`).

A lever changed in month t therefore acts at the next round, through nominations that can
be declined or withheld and votes that can be lost. The same vote model elects
owners'-committee chairs and members (owners_assembly), with owners as voters.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, ndtr

from .. import kernels
from ..people import BRANCH_SECRETARY, CADRE, DIRECTOR, OC_CHAIR, PC, PC_MEMBER, RC, RC_MEMBER
from ..rows import among
from ..state import OC_FUNCTIONING
from ..world import AGE_BANDS
from .workload import month_seat_hours

TURNOUT_GROUPS = (
    "party",
    "nonparty",
    *(f"age_{band}" for band in AGE_BANDS[1:]),
    "owners",
    "tenants",
)
"""Groups whose turnout each round records (outcomes `round_turnout_<group>`)."""


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


def eligible(model, people: np.ndarray) -> np.ndarray:
    """May each of `people` stand for a residents'-committee seat under the round's rules:
    living in the community if `candidate_residence_rule`, and aged at most
    `candidate_age_limit` unless they sit on the RC already (members may stand again)."""
    p, ppl, seats = model.p, model.people, model.seats
    people = np.asarray(people)
    who = np.maximum(people, 0)
    holders = seats.holder[seats.in_org(RC)]
    if people.size <= 8:  # one or a few candidates, as in nominations: compare directly
        sitting = (holders[:, None] == people.reshape(1, -1)).any(axis=0).reshape(people.shape)
    else:
        sitting = among(people, holders[holders >= 0])
    ok = (people >= 0) & ((ppl.age[who] <= p["candidate_age_limit"]) | sitting)
    if p["candidate_residence_rule"]:
        ok &= ppl.resident[who]
    return ok


def contest_chance(model, communities: np.ndarray) -> np.ndarray:
    """Chance a rival stands for a seat in each of `communities` (see the docstring)."""
    p, cp = model.p, model.compounds
    trust = model.community_trust("party")[communities]
    satisfaction = model.community_satisfaction()[communities]
    organised = model.cache_month(
        "organised",
        lambda: (
            np.bincount(
                cp.community, weights=cp.oc_state == OC_FUNCTIONING, minlength=model.communities.n
            )
            / np.maximum(np.bincount(cp.community, minlength=model.communities.n), 1)
        ),
    )[communities]
    return np.clip(
        p["contest_base"]
        + p["contest_distrust"] * np.maximum(p["trust_neutral"] - trust, 0.0)
        + p["contest_dissatisfaction"] * np.maximum(p["satisfaction_neutral"] - satisfaction, 0.0)
        + p["contest_organised"] * organised,
        0.0,
        1.0,
    )


def win_chance(
    p: dict,
    trust: np.ndarray,
    standing_nominee: np.ndarray,
    standing_rival: np.ndarray,
    bloc: np.ndarray,
    record: np.ndarray | float | None = None,
) -> np.ndarray:
    """Chance the party's nominee wins a contested seat (see the module docstring); `record`
    is residents' trust in the residents' committee (None: not at stake, as in an owners'
    election)."""
    logit = p["vote_trust_weight"] * (trust - p["trust_neutral"]) + p["vote_standing_weight"] * (
        standing_nominee - standing_rival
    )
    if record is not None:
        logit = logit + p["vote_performance_weight"] * (np.asarray(record) - p["trust_neutral"])
    share = bloc + (1 - bloc) * expit(logit)
    return ndtr((share - 0.5) / p["vote_noise"])


def load_with(model, person: int, seat: int) -> float:
    """`person`'s load if they also held `seat` (their present load if they hold it)."""
    return float(loads_with(model, np.array([person]), seat)[0])


def loads_with(model, people: np.ndarray, seat: int) -> np.ndarray:
    """`load_with` of each of `people` (ids) for `seat`, at once."""
    ppl = model.people
    asked = month_seat_hours(model)[seat] * (1 - model.p["seat_overlap_saving"])
    load, hours = ppl.load[people], ppl.hours[people]
    holds = model.seats.holder[seat] == people
    return np.where(holds, load, (load * hours + asked) / np.maximum(hours, 1e-9))


def declines(model, person: int, seat: int) -> bool:
    """Would `person` decline `seat` — one they do not hold yet — because it would load them
    beyond `decline_load`? (Who is overloaded in a seat they hold may resign instead,
    sim.core.mechanisms.workload.)"""
    held = model.seats.holder[seat] == person
    return bool(not held and load_with(model, person, seat) > model.p["decline_load"])


def nomination_value(model, person: int, seat: int, push: float, context: tuple) -> float:
    """What putting `person` up for `seat` is worth to the party organisation that decides:
    the push − the separation norm (`one_shoulder_norm`) + `incumbency_value` if they hold
    the seat already + `nomination_standing_weight` × their standing above the mean − `defeat_aversion` × the chance they lose (a rival
    stands, and the vote goes against them) − `overload_aversion` × the load beyond full
    time the seat would leave them with. `context`: voters' trust in the party
    organisation, their trust in the RC (None in an owners' election), the party's bloc and
    the chance of a contest."""
    return float(nomination_values(model, np.array([person]), seat, push, context)[0][0])


def nomination_values(
    model, people: np.ndarray, seat: int, push: float, context: tuple
) -> tuple[np.ndarray, np.ndarray]:
    """`nomination_value` of each of `people` (ids) for `seat`, and whether each `declines`
    it, at once."""
    p = model.p
    trust, record, bloc, contest = context
    standing = model.people.standing[people]
    win = win_chance(
        p,
        np.array([trust]),
        standing,
        np.array([p["standing_mean"]]),
        np.array([bloc]),
        None if record is None else np.array([record]),
    )
    incumbent = model.seats.holder[seat] == people
    load = loads_with(model, people, seat)
    value = (
        push
        - p["one_shoulder_norm"]
        + p["incumbency_value"] * incumbent
        + p["nomination_standing_weight"] * (standing - p["standing_mean"])
        - p["defeat_aversion"] * contest * (1 - win)
        - p["overload_aversion"] * np.maximum(load - 1.0, 0.0)
    )
    return value, ~incumbent & (load > p["decline_load"])


def best_nominee(model, people: np.ndarray, seat: int, push: float, context: tuple) -> int:
    """The first of `people` (ids) for whom a nomination for `seat` is worth most, if it is
    worth anything and they would not decline; else -1: as weighing each in turn by
    `declines` and `nomination_value`, all at once."""
    value, declined = nomination_values(model, people, seat, push, context)
    worth = np.flatnonzero(~declined & (value > 0))
    if worth.size == 0:
        return -1
    return int(people[worth[np.argmax(value[worth])]])


# --- turnout ----------------------------------------------------------------------------------


def voting_chances(model) -> tuple[np.ndarray, np.ndarray]:
    """Per resident: the chance to vote in a direct residents'-committee election this
    month, and the part of it that comes from the party's mobilisation (0 for minors)."""

    def make() -> tuple[np.ndarray, np.ndarray]:
        p, res, cp, cm = model.p, model.residents, model.compounds, model.communities
        f32 = np.float32
        branch_perf = np.ones(cp.n)
        branches = np.fromiter(model.branches, dtype=np.int64, count=len(model.branches))
        if branches.size:
            sec = model.holder_of(BRANCH_SECRETARY, branches)
            branch_perf[branches] = np.where(
                sec >= 0, model.people.performance[np.maximum(sec, 0)], 0.0
            )
        reach = np.where(
            cp.has_branch,
            p["branch_mobilisation"] * branch_perf,
            p["committee_mobilisation"] * cm.leader_performance[cp.community],
        )
        availability = np.array(
            [
                0.0,
                p["availability_18_29"],
                p["availability_30_49"],
                p["availability_30_49"],
                p["availability_50_59"],
                p["availability_60_plus"],
                p["availability_60_plus"],
            ],
            dtype=f32,
        )
        head_reach, tenant = f32(p["building_head_reach"]), f32(p["tenant_attachment"])
        trust, neutral = res.trust[:, 1], f32(max(p["trust_neutral"], 1e-6))
        compiled = kernels.active(res.n)
        if compiled is not None:  # the lines below as one compiled loop
            chance, mobilised = np.empty(res.n, dtype=f32), np.empty(res.n, dtype=f32)
            compiled.voting_chances(
                res.participates,
                f32(p["turnout_participant"]),
                res.party_member,
                reach.astype(f32),
                res.compound,
                res.age_band,
                availability,
                head_reach,
                res.owner,
                tenant,
                trust,
                neutral,
                res.adult,
                chance,
                mobilised,
            )
            return chance, mobilised
        own = res.participates * f32(p["turnout_participant"])
        party = res.party_member * res.at_compound(reach.astype(f32))
        heads = availability[res.age_band] * head_reach
        heads *= np.where(res.owner, f32(1.0), tenant)
        # who distrusts the RC stays home: trust below neutral scales the reach down
        heads *= np.minimum(trust / neutral, f32(1.0))
        chance = 1 - (1 - own) * (1 - party) * (1 - heads)
        chance *= res.adult
        return chance.astype(f32), (party * res.adult).astype(f32)

    return model.cache_month("voting_chances", make)


def expected_turnout(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per community, the expected turnout of an RC election this month as shares of adult
    residents: in person, as officially counted (under the household rule, every adult of
    a voting household), and as the adults' own chances add up (each adult deciding alone,
    as where there is no household rule)."""
    res, n = model.residents, model.communities.n
    chance, _ = voting_chances(model)
    adults = np.maximum(res.adults_per_community, 1)
    household = model.levers.community("election_household_rule").astype(bool)
    direct = res.per_community(chance, n) / adults
    in_person = official = direct
    if household.any():
        # a household votes if any member would; its representative casts every adult's vote
        hh = res.household
        stays = np.bincount(hh, weights=np.log1p(-np.minimum(chance, 0.999999)))
        votes = 1 - np.exp(stays)  # per household
        adults_hh = np.bincount(hh, weights=res.adult)
        heads = res.head
        voters = res.per_community(np.where(heads, votes[hh], 0.0), n) / adults
        counted = res.per_community(np.where(heads, (votes * adults_hh)[hh], 0.0), n) / adults
        in_person = np.where(household, voters, direct)
        official = np.where(household, counted, direct)
    return in_person, official, direct


def turnout_by_community(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per community, the expected turnout of an RC election this month as shares of adult
    residents — in person, and as officially counted (under the household rule, every adult
    of a voting household) — and the share of votes that follow the party's
    recommendation."""
    p, res, n = model.p, model.residents, model.communities.n
    in_person, official, direct = expected_turnout(model)
    _, mobilised = voting_chances(model)
    adults = np.maximum(res.adults_per_community, 1)
    household = model.levers.community("election_household_rule").astype(bool)
    party = res.per_community(mobilised, n) / adults
    bloc = party / np.maximum(direct, 1e-6) + p["household_bloc_boost"] * household
    return in_person, official, np.clip(bloc, 0.0, 1.0)


# --- the round ----------------------------------------------------------------------------------


def step(model) -> None:
    due = round_due(model)
    if due.size == 0:
        return
    rng = model.streams["elections"]
    renew_party_committees(model, due, rng)
    for office in model.street_offices:
        office.send_cadres(due)
    record = elect_residents_committees(model, due, rng)
    record.update(vote(model, due, rng))
    model.last_round = record
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


def rival_for(model, community: int, taken: set[int]) -> int:
    """Who stands against the party's nominee in `community`: the best-standing chair of a
    functioning owners' committee there not yet standing, else a new resident."""
    cp, people = model.compounds, model.people
    compounds = model.party_committees[community].compounds
    acting = compounds[cp.oc_state[compounds] == OC_FUNCTIONING]
    chairs = [h for h in model.holder_of(OC_CHAIR, acting).tolist() if h >= 0 and h not in taken]
    chairs = [h for h in chairs if eligible(model, np.array([h]))[0]]
    if chairs:
        return int(max(chairs, key=lambda h: people.standing[h]))
    return int(model.new_people(1, CADRE, community, party=False)[0])


def elect_residents_committees(
    model, communities: np.ndarray, rng: np.random.Generator
) -> dict[str, float]:
    """Nominations, contests and votes for every RC seat of `communities`; returns the
    round's counts as shares (contested seats, nominees' wins and defeats, secretaries
    nominated, nominations declined)."""
    p, people, cm = model.p, model.people, model.communities
    trust = model.community_trust("party")[communities]
    record = model.community_trust("rc")[communities]
    _, _, bloc = turnout_by_community(model)
    bloc = bloc[communities]
    contest = contest_chance(model, communities)
    seats_n = contested_n = won = lost = nominees = secretaries = declined = 0
    for k, c in enumerate(communities.tolist()):
        party = model.party_committees[c]
        context = (trust[k], record[k], bloc[k], contest[k])
        taken: set[int] = set()
        contested_c = lost_c = 0
        for role in (DIRECTOR, RC_MEMBER):
            for s in model.seats_of(RC, c, role):
                if role == DIRECTOR:
                    nominee, refused = party.nominate_director(context)
                    secretaries += nominee >= 0 and nominee == party.secretary
                else:
                    nominee, refused = party.nominate_member(taken, context)
                    if nominee < 0:
                        incumbent = int(model.seats.holder[s])
                        if (
                            incumbent >= 0
                            and incumbent not in taken
                            and not model.sits_on(incumbent, PC, c)
                            and eligible(model, np.array([incumbent]))[0]
                        ):
                            nominee = incumbent
                declined += refused
                if nominee < 0:
                    nominee = int(
                        model.new_people(
                            1, CADRE, c, party=rng.random() < p["rc_member_party_share"]
                        )[0]
                    )
                nominees += 1
                seats_n += 1
                winner = nominee
                if rng.random() < contest[k]:
                    contested_c += 1
                    rival = rival_for(model, c, taken | {nominee})
                    chance = win_chance(
                        p,
                        trust[k : k + 1],
                        people.standing[[nominee]],
                        people.standing[[rival]],
                        bloc[k : k + 1],
                        record[k : k + 1],
                    )[0]
                    if rng.random() >= chance:
                        winner = rival
                        lost_c += 1
                    elif not np.any(model.seats.holder == rival):
                        people.active[rival] = False
                won += winner == nominee
                taken.add(winner)
                if int(model.seats.holder[s]) != winner:
                    model.replace_in_seat(s, winner)
        cm.round_contested[c] = contested_c / max(len(model.seats_of(RC, c)), 1)
        cm.round_defeats[c] = lost_c
        contested_n += contested_c
        lost += lost_c
    model.month.contested += contested_n
    model.month.nominees += nominees
    model.month.nominees_won += won
    return {
        "contested": contested_n / max(seats_n, 1),
        "wins": won / max(nominees, 1),
        "defeats": lost / max(contested_n, 1) if contested_n else float("nan"),
        "secretaries_nominated": secretaries / max(communities.size, 1),
        "declined": declined / max(communities.size, 1),
    }


def vote(model, communities: np.ndarray, rng: np.random.Generator) -> dict[str, float]:
    """Who voted at this round in `communities` (drawn from `voting_chances`), as turnout
    shares of adults: overall in person and as officially counted, and by group
    (TURNOUT_GROUPS)."""
    res, cm = model.residents, model.communities
    chance, _ = voting_chances(model)
    here = np.isin(res.community, communities) & res.adult
    voted = here & (rng.random(res.n, dtype=np.float32) < chance)
    household = model.levers.community("election_household_rule").astype(bool)[res.community]
    hh_voted = np.bincount(res.household, weights=voted) > 0
    counted = np.where(household, here & hh_voted[res.household], voted)
    in_person = np.where(household, counted & res.head, voted)
    n = cm.n
    adults = np.maximum(res.per_community(here, n), 1)
    cm.round_turnout[communities] = (res.per_community(in_person, n) / adults)[communities]
    out = {
        "turnout": float(in_person.sum() / max(here.sum(), 1)),
        "turnout_official": float(counted.sum() / max(here.sum(), 1)),
    }
    out.update(group_turnout(res, here, in_person))
    model.month.election_turnout = out["turnout"]
    return out


def group_turnout(res, here: np.ndarray, in_person: np.ndarray) -> dict[str, float]:
    """Per group of TURNOUT_GROUPS (`turnout_<group>`): the share of the residents `here`
    in the group who voted in person (`in_person`), NaN for an empty group."""
    # counted among the residents here only (counts of whole people: exact)
    who = np.flatnonzero(here)
    party, owner, band_of, went = (
        res.party_member[who],
        res.owner[who],
        res.age_band[who],
        in_person[who],
    )
    groups = {
        "party": party,
        "nonparty": ~party,
        **{f"age_{band}": band_of == b for b, band in enumerate(AGE_BANDS) if b > 0},
        "owners": owner,
        "tenants": ~owner,
    }
    out = {}
    for name, members in groups.items():
        size = np.count_nonzero(members)
        out[f"turnout_{name}"] = (
            float(np.count_nonzero(went & members) / size) if size else float("nan")
        )
    return out
