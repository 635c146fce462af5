"""Elections of the two committees on a term cycle (ODD §7.13): the party committee decides
whom to put up, people may decline or be barred by the round's rules, rivals stand where
residents are dissatisfied or organised, mobilisation decides who votes, and votes can go
against the push."""

from __future__ import annotations

import numpy as np

from sim.core.mechanisms import elections, workload
from sim.core.model import GovernanceModel
from sim.core.people import DIRECTOR, RC, SECRETARY
from sim.core.world import AGE_BANDS
from sim.experiments.stats import mean_ci, paired_difference
from tests.conftest import MEDIUM, small_model

ROUND = dict(election_first_month=2, election_term_months=60)
SEEDS = range(1, 9)
MANY = dict(
    n_streets=4,
    communities_per_street=8.0,
    compounds_per_community=2.0,
    households_per_compound=40.0,
    n_firms=6,
    n_ngos=4,
)
"""About 32 small communities: enough seats per seed for shares to be measured."""
THREE = dict(n_streets=3)
"""Three streets of the default district (about 23 communities, 50,000 residents)."""


def after_round(seeds=SEEDS, trust: float | None = None, world=MANY, **params) -> list:
    """The model's outcomes just after the first round, one dict per seed."""
    out = []
    for seed in seeds:
        m = GovernanceModel(rng=seed, **{**world, **ROUND, **params})
        m.step()
        if trust is not None:  # residents' trust in the party organisation going into the vote
            m.residents.trust[:, 0] = trust
            m.cache.clear()
        m.step()
        out.append(dict(m.outcomes))
        m.remove_all_agents()
    return out


def realised(**kwargs) -> list[float]:
    return [o["one_shoulder_share"] for o in after_round(**kwargs)]


def test_the_vote_model_favours_a_trusted_nominee_a_reliable_bloc_and_a_good_record():
    p = small_model(1).p

    def win(trust, bloc, record=None):
        one = np.array([0.5])
        return elections.win_chance(p, np.array([trust]), one, one, np.array([bloc]), record)[0]

    assert win(0.2, 0.2) < 0.5 < win(0.7, 0.2)
    assert win(0.2, 0.6) > win(0.2, 0.2)
    assert win(0.3, 0.2, np.array([0.8])) > win(0.3, 0.2, np.array([0.2]))


def test_without_a_push_some_secretaries_stand_and_under_a_full_push_not_all_combine():
    """After the first round on three streets: realised 一肩挑 above 0.05 with no push, and
    below 0.97 with the full push — no eligible secretary, a refused nomination, a lost
    vote."""
    seeds = (1, 2, 3)
    none = mean_ci(realised(seeds=seeds, world=THREE, xa_one_shoulder=0.0))
    full = mean_ci(realised(seeds=seeds, world=THREE, xa_one_shoulder=1.0))
    assert none.mean > 0.05, none
    assert full.mean < 0.97, full
    assert full.mean > 0.8, full


def test_with_low_trust_the_realised_share_stays_clearly_below_the_push():
    low = mean_ci(realised(trust=0.15, xa_one_shoulder=1.0))
    high = mean_ci(realised(trust=0.8, xa_one_shoulder=1.0))
    assert low.high < 0.85, low
    assert high.low > low.high, (high, low)


def test_a_stronger_push_realises_more_but_the_vote_and_the_rules_decide():
    weaker = mean_ci(realised(xa_one_shoulder=0.5))
    full = mean_ci(realised(xa_one_shoulder=1.0))
    assert weaker.high < full.low, (weaker, full)


def test_contested_seats_rise_with_residents_dissatisfaction():
    contested = {}
    for arm, satisfaction in (("content", 0.7), ("dissatisfied", 0.2)):
        shares = []
        for seed in SEEDS:
            m = small_model(seed, **MANY, **ROUND)
            m.step()
            m.residents.satisfaction[:] = satisfaction
            m.cache.clear()
            m.step()
            shares.append(m.outcomes["round_contested_share"])
        contested[arm] = shares
    diff, _ = paired_difference(contested["dissatisfied"], contested["content"])
    assert diff.low > 0, diff


def test_a_secretary_with_low_standing_loses_more_often():
    lost = {}
    for arm, standing in (("high", 0.85), ("low", 0.15)):
        shares = []
        for seed in range(1, 21):  # defeats are rare events: 20 paired seeds
            m = small_model(
                seed, **MANY, **ROUND, xa_one_shoulder=1.0, contest_base=1.0, vote_noise=0.05
            )
            m.step()
            secretaries = m.holders_of_role(SECRETARY)
            m.people.standing[secretaries[secretaries >= 0]] = standing
            m.step()
            shares.append(m.outcomes["round_nominee_defeats"])
        lost[arm] = shares
    diff, _ = paired_difference(lost["low"], lost["high"])
    assert diff.low > 0, diff


def test_the_rules_of_the_round_bar_a_secretary_and_the_street_may_send_one_who_can_stand():
    kept = dict(cadre_replacement_share=0.0)  # the street replaces no secretary for its score
    m = small_model(2, **MANY, **ROUND, **kept, xa_one_shoulder=1.0, street_cadre_share=0.0)
    m.step()
    secretaries = m.holders_of_role(SECRETARY)
    m.people.resident[secretaries] = False  # none of them lives in the community
    m.step()
    assert m.outcomes["one_shoulder_share"] == 0.0
    sent = small_model(2, **MANY, **ROUND, **kept, xa_one_shoulder=1.0, street_cadre_share=1.0)
    sent.step()
    sent.people.resident[sent.holders_of_role(SECRETARY)] = False
    sent.step()
    assert sent.outcomes["cadres_sent"] > 0
    assert sent.outcomes["one_shoulder_share"] > 0.5


def test_a_secretary_declines_a_seat_that_would_overload_them():
    m = small_model(3, **MANY, **ROUND, xa_one_shoulder=1.0, initial_one_shoulder=0.0)
    m.step()
    c = 0
    party = m.party_committees[c]
    secretary = party.secretary
    seat = int(m.seats_of(RC, c, DIRECTOR)[0])
    assert party.can_stand(secretary, seat)
    m.people.hours[secretary] = 10.0  # almost no hours to spare
    workload.loads(m)
    assert not party.can_stand(secretary, seat)
    nominee, declined = party.nominate_director((0.5, 0.5, 0.2, 0.0))
    assert nominee != secretary and declined


def test_turnout_comes_from_mobilisation_and_follows_age_as_surveyed():
    """At the defaults: 0.40-0.60 of adults vote; the young far less than the old (Shanghai
    survey: 13.8% at 18-29, 55.7% at 50-59, 77.7% at 70-79); party members more, because
    their branches and committee mobilise them."""
    runs = after_round(seeds=(1, 2, 3), world=THREE)
    mean = {k: np.mean([r[k] for r in runs]) for k in runs[0] if k.startswith("round_turnout")}
    assert 0.40 <= mean["round_turnout"] <= 0.60, mean
    assert mean["round_turnout_age_18_29"] < 0.25 < 0.45 < mean["round_turnout_age_50_59"]
    assert mean["round_turnout_age_70_plus"] > 0.65, mean
    assert mean["round_turnout_party"] > mean["round_turnout_nonparty"] + 0.15, mean
    unmobilised = after_round(
        seeds=(1, 2, 3), world=THREE, branch_mobilisation=0.0, committee_mobilisation=0.0
    )
    gap = [r["round_turnout_party"] - r["round_turnout_nonparty"] for r in unmobilised]
    assert abs(np.mean(gap)) < 0.05, gap


def test_household_voting_raises_official_turnout_above_who_goes_in_person():
    runs = after_round(seeds=(1, 2), election_household_rule=True)
    for r in runs:
        assert r["round_turnout_official"] > r["round_turnout"]


def test_household_representatives_carry_the_party_nominee_where_trust_is_low():
    direct = mean_ci(realised(trust=0.15, xa_one_shoulder=1.0, contest_base=0.5))
    household = mean_ci(
        realised(trust=0.15, xa_one_shoulder=1.0, contest_base=0.5, election_household_rule=True)
    )
    assert household.mean > direct.mean, (household, direct)


def test_a_lever_changed_mid_term_acts_only_at_the_next_round():
    push = {"month": 8, "set": {"xa_one_shoulder": 0.0}}
    cycle = dict(election_first_month=2, election_term_months=12)
    base = small_model(3, **MEDIUM, **cycle)
    timed = small_model(3, **MEDIUM, **cycle, timeline=[push])
    a, b = [], []
    for _ in range(14):
        base.step()
        timed.step()
        a.append(base.outcomes["one_shoulder_share"])
        b.append(timed.outcomes["one_shoulder_share"])
    assert a[:13] == b[:13], "no change before the round of month 14"
    assert b[13] < a[13]


def test_staggered_rounds_spread_over_the_term():
    m = small_model(2, **MEDIUM, election_schedule="staggered", election_term_months=24)
    assert len(set(m.election_offset.tolist())) > 1
    assert np.all((0 <= m.election_offset) & (m.election_offset < 24))


def test_expected_turnout_is_the_turnout_of_turnout_by_community_with_or_without_households():
    for household in (False, True):
        m = small_model(3, election_household_rule=household)
        m.run_for(2)
        in_person, official, direct = elections.expected_turnout(m)
        with_bloc = elections.turnout_by_community(m)
        assert np.array_equal(in_person, with_bloc[0]) and np.array_equal(official, with_bloc[1])
        if not household:
            assert np.array_equal(in_person, direct) and np.array_equal(official, direct)
        m.remove_all_agents()


def test_the_best_nominee_of_many_is_the_one_weighed_first_as_worth_most_one_by_one():
    """`best_nominee` weighs a pool at once as `declines` and `nomination_value` weigh each
    person in turn: the first of those worth most, nobody declining, or -1."""
    m = small_model(5, **MEDIUM)
    m.run_for(2)
    rng = np.random.default_rng(0)
    people = np.flatnonzero(m.people.active[: m.people.n])
    m.people.load[people[::3]] = 5.0  # some would decline any further seat
    seats = rng.choice(m.seats.n, size=40)
    picked = 0
    for seat in seats.tolist():
        pool = rng.choice(people, size=6)
        pool[0] = max(m.seats.holder[seat], pool[0])  # often the incumbent among them
        pool[3] = pool[1]  # someone counted twice
        push = float(rng.uniform(0.0, 2.0))
        context = (float(rng.uniform()), None, float(rng.uniform(0.0, 0.5)), 1.0)
        best, best_value = -1, 0.0
        for k in pool.tolist():
            if elections.declines(m, k, seat):
                continue
            value = elections.nomination_value(m, k, seat, push, context)
            if value > best_value:
                best, best_value = k, value
        assert elections.best_nominee(m, pool, seat, push, context) == best
        picked += best >= 0
    assert 0 < picked < len(seats)


def test_turnout_by_group_counted_among_voters_here_is_the_share_over_all_residents():
    """`group_turnout` counts among the residents of the round only, as masking every
    resident would: in_person[here & group].sum() / (here & group).sum(), NaN if empty."""
    m = small_model(3, **MEDIUM)
    m.run_for(1)
    res = m.residents
    rng = np.random.default_rng(2)
    groups = {
        "party": res.party_member,
        "nonparty": ~res.party_member,
        **{f"age_{band}": res.age_band == b for b, band in enumerate(AGE_BANDS) if b > 0},
        "owners": res.owner,
        "tenants": ~res.owner,
    }
    for share in (0.0, 0.002, 0.3, 1.0):
        here = (rng.random(res.n) < share) & res.adult
        in_person = here & (rng.random(res.n) < 0.4)
        got = elections.group_turnout(res, here, in_person)
        assert list(got) == [f"turnout_{name}" for name in elections.TURNOUT_GROUPS]
        for name, mask in groups.items():
            members = here & mask
            old = float(in_person[members].sum() / members.sum()) if members.any() else np.nan
            new = got[f"turnout_{name}"]
            assert type(new) is float and (new == old or (np.isnan(new) and np.isnan(old)))
