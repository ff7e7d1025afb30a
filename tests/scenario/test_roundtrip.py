"""Scenarios survive a trip through JSON, and the built-in file documents the defaults."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

import sim
from sim.scenario.schema import format_clock, parse_clock

ROOT = Path(__file__).resolve().parents[2]
LISHUI = ROOT / "scenarios" / "lishui.toml"
# Settings of the scenario itself rather than defaults of the model.
NOT_DEFAULTS = {"name", "description", "replications"}


def _strict_json(data: object) -> str:
    return json.dumps(data, allow_nan=False)


def test_lishui_round_trip():
    scenario = sim.load(LISHUI)
    data = scenario.model_dump(mode="json")
    json.loads(_strict_json(data))  # plain JSON: no dates, no NaN
    again = sim.from_dict(json.loads(_strict_json(data)))
    assert again.model_dump() == scenario.model_dump()
    assert again.model_dump(mode="json") == data
    # the file's own values came through, not defaults
    assert again.name == "Lishui" and again.replications == 3


def test_clock_times_serialise_as_hh_mm():
    data = sim.load(LISHUI).model_dump(mode="json")
    assert data["hub"]["trunk_departure"] == "07:30"
    assert data["stations"]["dispatch_times"] == ["09:00"]
    assert [c["linehaul_arrival"] for c in data["carriers"]] == ["05:30"] + ["06:00"] * 5
    assert data["start_date"] == "2026-01-05"
    scenario = sim.load(LISHUI)
    assert scenario.hub.trunk_departure == 450.0  # minutes after midnight inside
    assert scenario.carriers[0].linehaul_arrival == 330.0


def test_a_scenario_far_from_the_defaults_round_trips():
    data = {
        "name": "far",
        "mode": "separate",
        "days": 9,
        "warmup_days": 0,
        "seed": 11,
        "start_date": "2027-02-28",
        "network": {"source": "csv", "nodes_csv": "n.csv", "edges_csv": "e.csv"},
        "parcels": {"fixed_per_village": {"v_1": 3, "v 2": 0}, "promotion_dates": ["02-29"]},
        "carriers": [
            {
                "name": "postal",
                "kind": "postal",
                "share": 0.7,
                "linehaul_arrival": "0:05",
                "van_days": ["mon"],
            },
            {"name": "b", "share": 0.3, "linehaul_arrival": "23:59", "vans_per_town": 0},
        ],
        "stations": {"dispatch_times": ["09:00", "14:30", "00:00"]},
        "integrated": {"pooled": ["postal"], "vans_per_town": 1},
        "operations": {"routing_policy": "fixed"},
    }
    scenario = sim.from_dict(data)
    dumped = scenario.model_dump(mode="json")
    assert dumped["carriers"][0]["linehaul_arrival"] == "00:05"
    assert dumped["stations"]["dispatch_times"] == ["09:00", "14:30", "00:00"]
    assert sim.from_dict(json.loads(_strict_json(dumped))).model_dump() == scenario.model_dump()


def _walk(written: object, default: object, path: str, out: list[str]) -> None:
    """Every value written in the file equals the default at the same path."""
    if isinstance(written, dict):
        assert isinstance(default, dict), path
        for key, value in written.items():
            assert key in default, f"{path}.{key} is not a field"
            _walk(value, default[key], f"{path}.{key}".lstrip("."), out)
    elif isinstance(written, list) and written and isinstance(written[0], dict):
        if len(written) != len(default):
            out.append(f"{path}: {len(written)} entries in the file, {len(default)} by default")
        for i, (w, d) in enumerate(zip(written, default, strict=False)):
            _walk(w, d, f"{path}.{i}", out)
    elif written != default:
        out.append(f"{path}: file says {written!r}, default is {default!r}")


def test_the_built_in_file_documents_the_defaults():
    """lishui.toml says "the defaults are the values written here": keep it true."""
    text = LISHUI.read_text(encoding="utf-8")
    assert "the defaults are the values written here" in text
    written = sim.from_dict(tomllib.loads(text)).model_dump(mode="json")
    raw = {k: v for k, v in tomllib.loads(text).items() if k not in NOT_DEFAULTS}
    raw["start_date"] = raw["start_date"].isoformat()
    defaults = sim.from_dict({}).model_dump(mode="json")
    # compare in the JSON form, so "06:00" == 360.0 minutes and 700 == 700.0 are judged alike
    normalised = {k: written[k] for k in raw}
    mismatches: list[str] = []
    _walk(normalised, {k: defaults[k] for k in raw}, "", mismatches)
    assert mismatches == []
    # and the whole scenario, fields not written included
    for key in NOT_DEFAULTS:
        written.pop(key)
        defaults.pop(key)
    assert written == defaults


def test_leaving_a_table_out_gives_the_tables_defaults():
    """Each table of the file, left out alone, changes nothing (except the three settings)."""
    data = tomllib.loads(LISHUI.read_text(encoding="utf-8"))
    full = sim.from_dict(data).model_dump()
    for key in [k for k, v in data.items() if isinstance(v, dict | list)]:
        fewer = {k: v for k, v in data.items() if k != key}
        assert sim.from_dict(fewer).model_dump() == full, key


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 23), st.integers(0, 59), st.booleans())
def test_clock_parse_and_format_are_inverse(hours, minutes, pad):
    text = f"{hours:02d}:{minutes:02d}" if pad else f"{hours}:{minutes:02d}"
    value = parse_clock(text)
    assert value == hours * 60 + minutes
    assert format_clock(value) == f"{hours:02d}:{minutes:02d}"
    assert parse_clock(format_clock(value)) == value


@pytest.mark.parametrize("bad", ["24:00", "12:60", "1230", "12:3", "noon", "", 12.5, True, None])
def test_clock_parse_refuses(bad):
    with pytest.raises(ValueError, match="clock time"):
        parse_clock(bad)


@settings(max_examples=40, deadline=None)
@given(
    times=st.lists(st.tuples(st.integers(0, 23), st.integers(0, 59)), min_size=1, max_size=4),
    start=st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)),
    fixed=st.dictionaries(st.text(min_size=1, max_size=8), st.integers(0, 500), max_size=4),
    days=st.integers(3, 400),
)
def test_random_scenarios_round_trip(times, start, fixed, days):
    data = {
        "days": days,
        "start_date": start.isoformat(),
        "stations": {"dispatch_times": [f"{h}:{m:02d}" for h, m in times]},
        "parcels": {"fixed_per_village": fixed},
    }
    scenario = sim.from_dict(data)
    dumped = scenario.model_dump(mode="json")
    assert dumped["stations"]["dispatch_times"] == [f"{h:02d}:{m:02d}" for h, m in times]
    assert sim.from_dict(json.loads(_strict_json(dumped))).model_dump() == scenario.model_dump()
