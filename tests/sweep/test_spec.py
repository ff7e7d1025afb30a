"""Sweep files are validated like scenario files: clear errors, exit code 2, nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.cli import main
from sim.sweep import load_sweep


def test_valid_file(small_sweep: Path) -> None:
    spec = load_sweep(small_sweep)
    assert spec.design == "grid" and spec.replications == 2 and spec.seed == 5
    assert len(spec.points) == 4
    assert spec.points[3] == {"mode": "integrated", "integrated.vans_per_town": 2}
    scenario = spec.scenario_at(spec.points[3])
    assert scenario.mode == "integrated" and scenario.integrated.vans_per_town == 2
    assert {c.vans_per_town for c in scenario.carriers} == {2}
    assert scenario.days == 3 and scenario.network.n_villages == 20  # from the base scenario
    assert scenario._base_dir == spec.base._base_dir


def test_base_table_and_nested_parameter_tables(write_sweep) -> None:
    path = write_sweep(
        """\
        scenario = "base.toml"
        design = "lhs"
        samples = 5
        [base]
        days = 4
        network.n_villages = 12
        [parameters.integrated]
        vans_per_town = { min = 1, max = 3 }
        [parameters.operations]
        stop_service_min = { min = 2.0, max = 8.0 }
        """
    )
    spec = load_sweep(path)
    assert spec.base.days == 4 and spec.base.network.n_villages == 12
    assert [p.name for p in spec.parameters] == ["integrated.vans_per_town", "operations.stop_service_min"]
    assert all(1 <= p["integrated.vans_per_town"] <= 3 for p in spec.points)


def test_key_ignores_replications_only(write_sweep, small_sweep: Path) -> None:
    key = load_sweep(small_sweep).key
    more = write_sweep(small_sweep.read_text().replace("replications = 2", "replications = 9"), "more.toml")
    other = write_sweep(small_sweep.read_text().replace("seed = 5", "seed = 6"), "other.toml")
    assert load_sweep(more).key == key
    assert load_sweep(other).key != key


BAD = [
    (
        '[parameters]\n"integrated.vans_per_twon" = [1, 2]\n',
        ["sweep.toml:4:", "parameters.integrated.vans_per_twon", "did you mean 'integrated.vans_per_town'"],
    ),
    ('[parameters]\n"carriers.nobody.share" = [0.1]\n', ["sweep.toml:4:", "no field 'nobody'", "postal"]),
    (
        '[parameters]\n"integrated.vans_per_town" = { min = 5, max = 1 }\n',
        ["sweep.toml:4:", "empty range", "min = 5"],
    ),
    ('[parameters]\n"operations.stop_service_min" = { min = 1.0, max = 9.0 }\n', ["a grid needs values"]),
    ('design = "lhs"\n[parameters]\nmode = ["separate"]\n', ["needs samples"]),
    ('design = "latin"\n', ["unknown design", "'lhs'"]),
    ("replicatons = 3\n", ["unknown key 'replicatons'", "did you mean 'replications'"]),
    ("replications = 0\n", ["replications", "an integer >= 1"]),
    ('[parameters]\nmode = "integrated"\n', ["several values", "[base]"]),
    ('[parameters]\n"x" = { values = [1], min = 1 }\n', ["either values or a range"]),
    ('[parameters]\nmode = { value = ["a"] }\n', ["unknown key 'value'", "did you mean 'values'"]),
    (
        '[parameters]\n"parcels.weight_sigma" = { min = 0.0, max = 1.0, log = true }\n',
        ["log range must be positive"],
    ),
    ("[base]\ndayz = 4\n", ["sweep.toml:4:", "base.dayz", "did you mean 'days'"]),
    ("[base]\ndays = -1\n", ["base", "days", "-1"]),
    ("[parameters\nmode = [1]\n", ["TOML syntax error", "sweep.toml:3"]),
]


@pytest.mark.parametrize(("tail", "words"), BAD)
def test_bad_sweep_files(write_sweep, tail: str, words: list[str]) -> None:
    path = write_sweep('scenario = "base.toml"\nseed = 1\n' + tail)
    with pytest.raises(sim.ScenarioError) as caught:
        load_sweep(path)
    text = str(caught.value)
    for word in words:
        assert word in text, text


def test_missing_base_scenario(write_sweep) -> None:
    with pytest.raises(sim.ScenarioError, match="base scenario file does not exist"):
        load_sweep(write_sweep('scenario = "nowhere.toml"\n'))
    with pytest.raises(sim.ScenarioError, match="base scenario is missing"):
        load_sweep(write_sweep("replications = 2\n"))


def test_every_point_invalid_is_a_file_error(write_sweep, tmp_path: Path) -> None:
    path = write_sweep('scenario = "base.toml"\n[parameters]\n"integrated.vans_per_town" = [-1, -2]\n')
    with pytest.raises(sim.ScenarioError, match="every point of the sweep is invalid"):
        sim.sweep(path, workers=1, db=tmp_path / "x.sqlite")


def test_cli_exit_2_before_anything_runs(write_sweep, tmp_path: Path, capsys) -> None:
    path = write_sweep('scenario = "base.toml"\n[parameters]\n"fleet.postal.vans" = [1, 2]\n')
    db = tmp_path / "out.sqlite"
    assert main(["sweep", str(path), "--db", str(db), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "sweep.toml:3: parameters.fleet.postal.vans: no field 'fleet'" in err
    assert "Traceback" not in err
    assert not db.exists()
    assert main(["sweep", str(tmp_path / "none.toml")]) == 2
    assert main(["sweep", str(path), "--workers", "0"]) == 2
