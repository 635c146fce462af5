"""The parameter schema and scenario files: every parameter documented and validated;
bad input gets one clear message naming file, key, value and what is allowed."""

from __future__ import annotations

import math

import pytest

from sim.core import params as P
from sim.core import scenario as S


def write(tmp_path, name, text):
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


class TestSchema:
    def test_every_parameter_is_documented_with_a_range(self):
        for p in P.PARAMS:
            assert p.help and p.unit and p.group in P.GROUPS, p.name
            assert p.source, p.name
            if p.type in (int, float):
                assert p.low is not None and p.high is not None and p.low <= p.high, p.name

    def test_defaults_lie_in_their_ranges(self):
        for p in P.PARAMS:
            assert p.check(p.default) == p.default, p.name

    def test_names_are_unique_identifiers(self):
        names = [p.name for p in P.PARAMS]
        assert len(names) == len(set(names))
        assert all(n.isidentifier() for n in names)

    def test_validate_fills_defaults(self):
        out = P.validate({"n_streets": 3})
        assert out["n_streets"] == 3 and len(out) == len(P.PARAMS)

    def test_ints_accept_integral_floats_and_floats_accept_ints(self):
        out = P.validate({"n_streets": 3.0, "devolution_share": 1})
        assert out["n_streets"] == 3 and isinstance(out["n_streets"], int)
        assert out["devolution_share"] == 1.0 and isinstance(out["devolution_share"], float)


class TestValidationErrors:
    @pytest.mark.parametrize(
        "values, words",
        [
            ({"n_street": 3}, ["unknown parameter", "'n_street'", "n_streets"]),
            ({"n_streets": "ten"}, ["n_streets", "'ten'", "integer in [1, 2000]"]),
            ({"n_streets": 2.5}, ["n_streets", "2.5", "integer"]),
            ({"devolution_share": 1.5}, ["devolution_share", "1.5", "[0, 1]"]),
            ({"devolution_share": True}, ["devolution_share", "True", "number"]),
            ({"responsibility_list": 1}, ["responsibility_list", "true or false"]),
            ({"devolution_share": math.nan}, ["devolution_share", "nan"]),
        ],
    )
    def test_bad_values_name_key_value_and_allowed(self, values, words):
        with pytest.raises(P.ScenarioError) as err:
            P.validate(values, where="here.toml")
        message = str(err.value)
        assert message.startswith("here.toml:")
        for w in words:
            assert w in message

    def test_all_channels_zero_is_rejected(self):
        with pytest.raises(P.ScenarioError, match="channel"):
            P.validate(
                {"channel_block_grant": 0, "channel_grid_funds": 0, "channel_ngo_projects": 0}
            )


class TestScenarios:
    def test_baseline_is_the_schema_defaults_and_current(self):
        path = S.scenario_dir() / "baseline.toml"
        assert S.load_scenario(path).params == P.defaults()
        assert path.read_text(encoding="utf-8") == S.baseline_toml(), (
            "regenerate with: python -m sim params --baseline > scenarios/baseline.toml"
        )

    def test_every_shipped_scenario_loads_and_says_what_it_is(self):
        listed = S.list_scenarios()
        assert len(listed) >= 12
        for name, description in listed:
            assert description, name
            S.load_scenario(S.scenario_dir() / f"{name}.toml")

    def test_extends_chains_override_in_order(self, tmp_path):
        write(tmp_path, "a", 'description = "a"\nn_streets = 2\ndevolution_share = 0.5\n')
        write(tmp_path, "b", 'extends = "a"\n[devolution]\ndevolution_share = 0.7\n')
        c = write(tmp_path, "c", 'extends = "b.toml"\nsteps = 12\nseed = 4\n')
        s = S.load_scenario(c)
        assert s.params["n_streets"] == 2 and s.params["devolution_share"] == 0.7
        assert (s.steps, s.seed, s.name) == (12, 4, "c")
        assert [p.split("/")[-1] for p in s.files] == ["c.toml", "b.toml", "a.toml"]

    def test_overrides_apply_last_and_are_validated(self, tmp_path):
        a = write(tmp_path, "a", "devolution_share = 0.5\n")
        assert S.load_scenario(a, {"devolution_share": 0.9}).params["devolution_share"] == 0.9
        with pytest.raises(P.ScenarioError, match="--set: devolution_share = 9"):
            S.load_scenario(a, {"devolution_share": 9})

    def test_parse_override_reads_toml_values(self):
        assert S.parse_override("responsibility_list=true") == ("responsibility_list", True)
        assert S.parse_override("n_streets = 4") == ("n_streets", 4)
        with pytest.raises(P.ScenarioError, match="key=value"):
            S.parse_override("n_streets")
        with pytest.raises(P.ScenarioError, match="unknown parameter 'nope'"):
            S.parse_override("nope=1")

    @pytest.mark.parametrize(
        "files, words",
        [
            ({"a": 'extends = "b"', "b": 'extends = "a"'}, ["cycle", "a.toml -> b.toml -> a.toml"]),
            ({"a": 'extends = "a"'}, ["cycle"]),
            ({"a": 'extends = "missing"'}, ["extends = 'missing'", "not found"]),
            ({"a": "n_streets = [1"}, ["not valid TOML"]),
            ({"a": "[nonsense]\nx = 1"}, ["unknown table [nonsense]", "allowed tables"]),
            ({"a": "[ngo]\nn_streets = 2"}, ["n_streets belongs in table [structure]"]),
            ({"a": "steps = 0"}, ["steps = 0", "positive integer"]),
            ({"a": "seed = -1"}, ["seed = -1", "non-negative integer"]),
            ({"a": "devolution_share = 2"}, ["a.toml", "devolution_share = 2", "[0, 1]"]),
        ],
    )
    def test_bad_files_give_one_clear_message(self, tmp_path, files, words):
        for name, text in files.items():
            write(tmp_path, name, text + "\n")
        with pytest.raises(P.ScenarioError) as err:
            S.load_scenario(tmp_path / "a.toml")
        message = str(err.value)
        assert "\n" not in message
        for w in words:
            assert w in message

    def test_missing_file(self, tmp_path):
        with pytest.raises(P.ScenarioError, match="not found"):
            S.load_scenario(tmp_path / "nothing.toml")

    def test_to_toml_round_trips(self, tmp_path):
        values = P.validate({"n_streets": 7, "responsibility_list": True, "quorum_share": 2 / 3})
        path = write(tmp_path, "x", S.to_toml(values, header="round trip"))
        assert S.load_scenario(path).params == values
