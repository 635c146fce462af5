"""Experiment definitions (sim.experiments.definition): keys that do not apply are refused
the same way for every design kind, summaries never describe months the runs did not have,
and a plan too large to hold is refused before anything is allocated."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.runs.runner
from sim.core.params import ScenarioError
from sim.experiments.definition import DESIGN_KEYS, DESIGN_KINDS, MAX_RUNS, load_sweep
from sim.experiments.design import design_size, make_design
from sim.interfaces.cli.main import main

FACTORS = {
    "grid": "[factors]\ndevolution_share = [0.1, 0.6]\n",
    "arms": "[arms.a]\ndevolution_share = 0.1\n[arms.b]\ndevolution_share = 0.6\n",
    "lhs": "[factors]\ndevolution_share = [0.1, 0.6]\nsocial_degree = [2, 9]\n",
    "sobol": "[factors]\ndevolution_share = [0.1, 0.6]\nsocial_degree = [2, 9]\n",
    "morris": "[factors]\ndevolution_share = [0.1, 0.6]\nsocial_degree = [2, 9]\n",
}
VALUES = {"reference": '"a"', "n": "8", "levels": "4", "calc_second_order": "true"}


def experiment(folder: Path, body: str, name: str = "exp", encoding: str = "utf-8") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(body, encoding=encoding)
    return path


def refused(path: Path, *words: str, **overrides) -> str:
    with pytest.raises(ScenarioError) as err:
        load_sweep(path, **overrides)
    message = str(err.value)
    assert "\n" not in message
    for w in words:
        assert w in message, message
    return message


NOT_APPLYING = [
    (kind, key) for key in VALUES for kind in DESIGN_KINDS if kind not in DESIGN_KEYS[key]
]


@pytest.mark.parametrize("kind, key", NOT_APPLYING)
def test_a_design_key_that_does_not_apply_to_the_kind_is_refused(tmp_path, kind, key):
    path = experiment(
        tmp_path, f'steps = 6\n[design]\nkind = "{kind}"\n{key} = {VALUES[key]}\n' + FACTORS[kind]
    )
    refused(path, str(path), f"[design] {key}", "applies to", f"not {kind}")


@pytest.mark.parametrize("kind", DESIGN_KINDS)
def test_the_keys_that_apply_are_accepted_and_size_the_design(tmp_path, kind):
    keys = [k for k in VALUES if kind in DESIGN_KEYS[k]]
    lines = [f"{k} = {VALUES[k]}" for k in keys if k != "reference"]
    if "reference" in keys:
        lines.append(
            'reference = "a"' if kind == "arms" else "reference = { devolution_share = 0.6 }"
        )
    path = experiment(
        tmp_path,
        f'steps = 6\nreplicates = 1\n[design]\nkind = "{kind}"\n'
        + "\n".join(lines)
        + "\n"
        + FACTORS[kind],
    )
    defn = load_sweep(path)
    assert design_size(defn) == len(make_design(defn).table)


@pytest.mark.parametrize("key", ["window", "series_period"])
def test_a_window_or_series_period_longer_than_the_runs_is_refused(tmp_path, key):
    path = experiment(tmp_path, f"steps = 6\n{key} = 12\n" + FACTORS["grid"])
    refused(path, str(path), f"{key} = 12", "longer than the runs", "6 months")


def test_steps_from_the_command_line_shorter_than_the_window_are_refused_naming_the_flag(tmp_path):
    path = experiment(tmp_path, "steps = 24\nwindow = 12\n" + FACTORS["grid"])
    assert load_sweep(path).window == 12
    refused(path, "window = 12", "--steps", "6 months", steps=6)


def test_without_a_window_short_runs_are_summarised_over_all_their_months(tmp_path):
    path = experiment(tmp_path, "steps = 6\n" + FACTORS["grid"])
    assert load_sweep(path).window == 6
    assert load_sweep(path, steps=30).window == sim.runs.runner.SUMMARY_WINDOW


def test_too_many_replicates_are_refused_before_seeds_or_plans_are_made(tmp_path, monkeypatch):
    path = experiment(tmp_path, "steps = 6\nreplicates = 100000000\n" + FACTORS["grid"])
    monkeypatch.setattr(
        "sim.experiments.definition.replicate_seeds",
        lambda *a: pytest.fail("seeds were drawn for a refused plan"),
    )
    refused(path, str(path), "replicates = 100,000,000", "200,000,000 runs", f"{MAX_RUNS:,}")


def test_too_many_replicates_from_the_command_line_name_the_flag(tmp_path):
    path = experiment(tmp_path, "steps = 6\n" + FACTORS["grid"])
    refused(path, "--replicates = 1,000,000", "2,000,000 runs", replicates=1_000_000)


def test_a_sampled_design_too_large_to_hold_is_refused_before_sampling(tmp_path, monkeypatch):
    path = experiment(
        tmp_path, 'steps = 6\n[design]\nkind = "lhs"\nn = 1000000000000\n' + FACTORS["lhs"]
    )
    refused(path, "1,000,000,000,000 design points")


def test_an_experiment_file_with_a_byte_order_mark_loads_and_is_stored_without_it(tmp_path):
    body = 'description = "带 BOM"\nsteps = 6\n' + FACTORS["grid"]
    defn = load_sweep(experiment(tmp_path, body, encoding="utf-8-sig"))
    assert defn.description == "带 BOM" and not defn.text.startswith("\ufeff")


def test_refusals_reach_the_command_line_as_one_line_and_exit_2(tmp_path, capsys):
    path = experiment(tmp_path, 'steps = 6\n[design]\nkind = "grid"\nn = 8\n' + FACTORS["grid"])
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: [design] n = 8 applies to lhs, sobol and morris")
    assert len(err.strip().splitlines()) == 1 and not out.exists()


@pytest.mark.parametrize(
    "kind, body, key",
    [
        ("arms", "reference = [1]\n", "reference"),
        ("arms", "reference = { a = 1 }\n", "reference"),
        ("grid", 'reference = "a"\n', "reference"),
    ],
)
def test_a_reference_of_the_wrong_shape_is_refused(tmp_path, kind, body, key):
    path = experiment(tmp_path, f'steps = 6\n[design]\nkind = "{kind}"\n{body}' + FACTORS[kind])
    refused(path, str(path), f"[design] {key}")


@pytest.mark.parametrize("outcomes", ["[[1]]", "[{ a = 1 }]", "[1]", '"needs_met"'])
def test_outcomes_that_are_not_names_are_refused(tmp_path, outcomes):
    path = experiment(tmp_path, f"steps = 6\noutcomes = {outcomes}\n" + FACTORS["grid"])
    refused(path, str(path), "outcomes")


SHIPPED = sorted(
    p
    for p in (Path(__file__).resolve().parents[2] / "experiments").glob("*.toml")
    if not p.name.startswith("screen")  # screen definitions: tests/experiments/test_screen.py
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_experiment_is_valid_on_the_current_model(path):
    """A parameter renamed or removed in the model must not leave an experiment that fails
    only when someone runs it. (Experiments over the calibrated posterior need its table,
    which the calibration writes.)"""
    posterior = path.parents[1] / "docs" / "validation" / "posterior.parquet"
    if "posterior.parquet" in path.read_text(encoding="utf-8") and not posterior.is_file():
        pytest.skip("the calibration's posterior table is not generated")
    defn = load_sweep(path)
    assert design_size(defn) >= 2 and defn.outcomes


def test_an_experiment_s_own_policy_entries_join_the_base_scenario_s_timeline(tmp_path):
    (tmp_path / "timed.toml").write_text(
        "[[policy]]\nmonth = 24\n[policy.set]\naccess_list = true\n", encoding="utf-8"
    )
    path = experiment(
        tmp_path,
        'scenario = "timed"\nsteps = 30\n[factors]\n"policy.pilot.month" = [6, 12]\n'
        '[[policy]]\nmonth = 6\nlabel = "pilot"\nstreets = [0]\n'
        "[policy.set]\nresponsibility_list = true\n",
    )
    defn = load_sweep(path)
    assert defn.timeline.to_list() == [
        {"month": 6, "set": {"responsibility_list": True}, "streets": [0], "label": "pilot"},
        {"month": 24, "set": {"access_list": True}},
    ]
    assert [f.name for f in defn.factors] == ["policy.pilot.month"]
    refused(
        experiment(
            tmp_path,
            "[factors]\ndevolution_share = [0.1]\n[[policy]]\nmonth = 0\n"
            "[policy.set]\naccess_list = true\n",
            name="bad",
        ),
        "month",
    )


def test_an_experiment_s_own_world_replaces_the_base_scenario_s(tmp_path):
    from sim.runs.district_files import write_district
    from tests.core.test_district import small_tables

    write_district(tmp_path / "tiny", small_tables(), "csv")
    path = experiment(
        tmp_path,
        '[factors]\ndevolution_share = [0.1, 0.6]\n[world]\nfolder = "tiny"\n',
    )
    defn = load_sweep(path)
    assert defn.district is not None and defn.district.fingerprint()
    refused(
        experiment(
            tmp_path, '[factors]\ndevolution_share = [0.1]\n[world]\nfolder = "none"\n', name="gone"
        ),
        "none",
    )
