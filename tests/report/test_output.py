"""Output files are written whole or not at all (sim/report/output.py)."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.report.output import atomic_path, write_csv, write_json, write_text


def _strict_loads(text: str) -> object:
    def refuse(token: str) -> object:
        raise ValueError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp") or p.name.startswith("."))


class Boom(Exception):
    pass


def test_success_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "kpis.json"
    target.write_text("old", encoding="utf-8")
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("new", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old"  # not visible until the end
    assert target.read_text(encoding="utf-8") == "new"
    assert _leftovers(tmp_path) == []


def test_a_failure_while_writing_keeps_the_old_file(tmp_path):
    target = tmp_path / "daily.csv"
    target.write_text("day,trips\n0,3\n", encoding="utf-8")
    with pytest.raises(Boom), atomic_path(target) as tmp:
        tmp.write_text("day,trips\n0,", encoding="utf-8")  # half a file
        raise Boom
    assert target.read_text(encoding="utf-8") == "day,trips\n0,3\n"
    assert [p.name for p in tmp_path.iterdir()] == ["daily.csv"]


def test_a_failure_without_an_old_file_leaves_nothing(tmp_path):
    target = tmp_path / "out" / "trips.csv"
    with pytest.raises(Boom), atomic_path(target) as tmp:
        tmp.write_bytes(b"partial")
        raise Boom
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_an_interrupt_while_writing_cleans_up(tmp_path):
    target = tmp_path / "kpis.json"
    target.write_text("{}", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text('{"half": ', encoding="utf-8")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "{}"
    assert _leftovers(tmp_path) == []


def test_a_failing_rename_cleans_up(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()
    (target / "keep.txt").write_text("x", encoding="utf-8")
    with pytest.raises(OSError):
        write_text(target, "text")
    assert (target / "keep.txt").read_text(encoding="utf-8") == "x"
    assert _leftovers(tmp_path) == []


def test_write_csv_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "trips.csv"
    write_csv(target, pd.DataFrame({"trip": [0, 1], "km": [1.5, 2.5]}))
    before = target.read_bytes()

    def half_then_fail(self, path, **kwargs):
        Path(path).write_text("trip,km\n0,", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_csv(target, pd.DataFrame({"trip": [9]}))
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_write_json_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / "kpis.json"
    write_json(target, {"a": 1.0})
    with pytest.raises(TypeError):
        write_json(target, {"a": object()})  # not serialisable: fails before writing
    assert _strict_loads(target.read_text(encoding="utf-8")) == {"a": 1.0}
    assert _leftovers(tmp_path) == []


def test_write_json_writes_nan_as_null_everywhere(tmp_path):
    target = tmp_path / "kpis.json"
    data = {
        "x": math.nan,
        "nested": {"y": [1.0, math.nan, {"z": np.float64("nan")}]},
        "tuple": (math.nan, 2),
    }
    write_json(target, data)
    assert _strict_loads(target.read_text(encoding="utf-8")) == {
        "x": None,
        "nested": {"y": [1.0, None, {"z": None}]},
        "tuple": [None, 2],
    }


def test_write_json_is_strict_json_for_infinities(tmp_path):
    target = tmp_path / "kpis.json"
    write_json(target, {"ratio": math.inf, "neg": -math.inf})
    assert _strict_loads(target.read_text(encoding="utf-8")) == {"ratio": None, "neg": None}


def test_written_files_are_readable_by_others(tmp_path):
    target = tmp_path / "daily.csv"
    write_csv(target, pd.DataFrame({"day": [0]}))
    assert target.stat().st_mode & 0o777 == 0o644  # mkstemp's private 0600 is not kept
    assert target.read_text(encoding="utf-8") == "day\n0\n"


# -- scenario.toml: the settings a run's folder keeps ---------------------------------------

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize("name", ["lishui.toml", "lishui_peak.toml", "lishui_cold.toml"])
def test_scenario_toml_reads_back_to_the_same_scenario(name, tmp_path):
    import sim
    from sim.scenario.write import to_toml

    scenario = sim.load(SCENARIOS / name, days=9, **{"integrated.vans_per_town": 5})
    target = tmp_path / "scenario.toml"
    write_text(target, to_toml(scenario, "first line\nsecond line"))
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# first line\n# second line\n")
    again = sim.load(target)
    assert again.model_dump(mode="json") == scenario.model_dump(mode="json")
    assert (again.days, again.integrated.vans_per_town) == (9, 5)


def test_scenario_toml_keeps_unset_fields_unset_and_odd_keys_quoted(tmp_path):
    import sim
    from sim.scenario.write import to_toml

    scenario = sim.from_dict(
        {
            "name": 'a "quoted" name',
            "parcels": {"fixed_per_village": {"v 1": 3, "村": 0}},
            "stations": {"dispatch_times": ["09:00", "00:05"]},
            "network": {"source": "csv", "nodes_csv": "n.csv", "edges_csv": "e.csv"},
        }
    )
    text = to_toml(scenario)
    assert "pooled" not in text  # None: not set, as in a file that leaves it out
    again = sim.from_dict(tomllib.loads(text))
    assert again.parcels.fixed_per_village == {"v 1": 3, "村": 0}
    assert again.name == 'a "quoted" name' and again.integrated.pooled is None
    assert Path(again.network.nodes_csv).is_absolute()
    assert again.network.nodes_csv == str(Path.cwd() / "n.csv")
