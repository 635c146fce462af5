"""The lever-effect balance review measures every lever alone over paired seeds."""

from __future__ import annotations

import numpy as np

from sim.core.params import BY_NAME
from sim.validation import balance


def test_every_reform_moves_only_levers_and_each_lever_of_the_schema_appears():
    moved = {name for change in balance.REFORMS.values() for name in change}
    levers = {p.name for p in BY_NAME.values() if "(lever)" in p.help}
    assert moved <= set(BY_NAME)
    assert levers - {"channel_block_grant", "channel_grid_funds", "channel_ngo_projects"} <= moved


def test_the_table_reports_paired_effects_with_intervals(monkeypatch):
    monkeypatch.setattr(
        balance,
        "WORLD",
        {"n_streets": 1, "communities_per_street": 3.0, "households_per_compound": 40.0},
    )
    monkeypatch.setattr(balance, "STEPS", 6)
    monkeypatch.setattr(balance, "REFORMS", {"list": {"responsibility_list": True}})
    table, supply = balance.measure([1, 2])
    row = table.iloc[0]
    assert row["needs_met_low"] <= row["needs_met"] <= row["needs_met_high"]
    assert 0 <= supply["ngo_hours_share"] <= 1 and supply["ngo_money_per_resident_year"] > 0
    assert np.isfinite(row["satisfaction_mean"])
