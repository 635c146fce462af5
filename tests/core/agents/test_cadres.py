"""How streets select, replace and promote community cadres, and what cadres then do
(ODD §7.15)."""

from __future__ import annotations

import numpy as np

from sim.core.people import SECRETARY
from sim.experiments.stats import paired_difference
from tests.conftest import MEDIUM, small_model
from tests.helpers import effect

SEEDS = range(1, 9)


def test_residents_weight_in_selection_shifts_cadres_hours_toward_services():
    """Over the following terms committees whose leaders are selected on residents'
    evaluation spend more hours on residents and fewer on paperwork (where paperwork pays
    enough to be worth doing at all: a steep paperwork score)."""

    def shares(weight: float, outcome: str) -> list[float]:
        out = []
        for seed in SEEDS:
            m = small_model(
                seed,
                **MEDIUM,
                cadre_selection_resident_weight=weight,
                election_term_months=12,
                election_first_month=6,
                paperwork_return_scale=300.0,
            )
            m.run_for(36)
            df = m.datacollector.get_model_vars_dataframe()
            out.append(float(df[outcome].iloc[-12:].mean()))
        return out

    service, _ = paired_difference(shares(1.0, "service_share"), shares(0.0, "service_share"))
    paper, _ = paired_difference(shares(1.0, "formalism_share"), shares(0.0, "formalism_share"))
    assert service.low > 0, service
    assert paper.high < 0, paper


def test_at_a_round_the_street_replaces_its_worst_scoring_secretaries():
    m = small_model(
        3,
        **MEDIUM,
        cadre_replacement_share=0.3,
        election_first_month=2,
        cadre_selection_resident_weight=0.0,
    )
    m.step()
    before = m.holders_of_role(SECRETARY).copy()
    scores = {s.index: s.selection_scores() for s in m.street_offices}
    m.step()  # the round
    after = m.holders_of_role(SECRETARY)
    for office in m.street_offices:
        c = office.communities
        if c.size < 2:
            continue
        changed = before[c] != after[c]
        worst = scores[office.index] <= np.quantile(scores[office.index], 0.3)
        assert np.all(changed[worst])
    assert m.month.cadre_changes > 0


def test_the_streets_picks_follow_residents_ranking_more_as_their_weight_rises():
    """Measured at each appointment against residents' own ranking of the candidates, not
    read off the lever: how often the street picks their favourite, and how its ranking
    correlates with theirs."""
    picks = dict(cadre_replacement_share=0.5, election_first_month=1, election_term_months=12)
    for outcome in ("selection_top_rated_share", "selection_rank_correlation"):
        change = effect(
            outcome,
            {"cadre_selection_resident_weight": 0.9},
            base={**picks, "cadre_selection_resident_weight": 0.0},
            steps=25,
            stat="final",
        )
        assert change.low > 0.2, (outcome, change)


def test_promotions_happen_yearly_and_open_the_post():
    m = small_model(5, **MEDIUM, promotion_rate=1.0, election_first_month=120)
    m.run_for(11)
    assert m.outcomes["promotions"] == 0
    m.step()
    assert m.outcomes["promotions"] == m.streets.n
    assert np.all(m.holders_of_role(SECRETARY) >= 0)
