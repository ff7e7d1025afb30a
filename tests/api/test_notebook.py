"""The notebook API: loading with overrides by field path, tidy frames, short reprs.

One short comparison and one short ladder of the built-in scenario (4 days, 2 warm-up,
2 replications) are run once for the module.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.api.frames import ESTIMATE_COLUMNS, HEADLINE_KPIS

ROOT = Path(__file__).resolve().parents[2]
LISHUI_FILE = ROOT / "scenarios" / "lishui.toml"
SHORT = {"days": 4, "warmup_days": 2, "seed": 3, "replications": 2}


@pytest.fixture(scope="module")
def short() -> sim.Scenario:
    return sim.load(LISHUI_FILE, **SHORT)


@pytest.fixture(scope="module")
def comparison(short: sim.Scenario) -> sim.Comparison:
    return sim.compare(short)


@pytest.fixture(scope="module")
def short_ladder(short: sim.Scenario) -> sim.Ladder:
    return sim.ladder(short)


# -- sim.load and sim.derive with overrides ------------------------------------------------


def test_load_sets_fields_by_their_path_and_keeps_the_rest_of_the_file():
    plain = sim.load(LISHUI_FILE)
    changed = sim.load(
        LISHUI_FILE, days=9, **{"integrated.vans_per_town": 4, "carriers.postal.vans_per_town": 5}
    )
    assert (changed.days, changed.integrated.vans_per_town) == (9, 4)
    assert changed.carriers[0].name == "postal" and changed.carriers[0].vans_per_town == 5
    assert changed.carriers[1].vans_per_town == plain.carriers[1].vans_per_town
    assert changed.name == plain.name and changed.source == plain.source
    assert plain.days != 9 and plain.integrated.vans_per_town != 4


def test_load_with_no_more_days_than_warm_up_shortens_the_warm_up_as_the_command_line_does():
    plain = sim.load(LISHUI_FILE)
    assert plain.warmup_days >= 2
    assert sim.load(LISHUI_FILE, days=2).warmup_days == 1
    assert sim.load(LISHUI_FILE, days=5, warmup_days=0).warmup_days == 0


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"days": 0}, "days", "days = 0"),
        ({"integrated.vans_per_town": -1}, "integrated.vans_per_town", "integrated.vans_per_town = -1"),
        ({"integrated.vans_per_twon": 4}, "integrated.vans_per_twon", "did you mean 'vans_per_town'"),
        ({"integratd.vans_per_town": 4}, "integratd.vans_per_town", "did you mean 'integrated'"),
        ({"carriers.7.share": 0.5}, "carriers.7.share", "no entry 7"),
        ({"mode": "both"}, "mode", "mode = 'both'"),
    ],
)
def test_a_bad_override_is_a_scenario_error_naming_the_field_and_the_override(overrides, field, words):
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load(LISHUI_FILE, **overrides)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert str(LISHUI_FILE) in str(caught.value)


def test_derive_takes_field_paths_and_tables_alike():
    base = sim.load(LISHUI_FILE)
    by_path = sim.derive(base, {"integrated.vans_per_town": 6, "carriers.*.vans_per_town": 1})
    by_table = sim.derive(base, {"integrated": {"vans_per_town": 6}})
    assert by_path.integrated.vans_per_town == by_table.integrated.vans_per_town == 6
    assert by_path.integrated.vehicle == by_table.integrated.vehicle == base.integrated.vehicle
    assert {c.vans_per_town for c in by_path.carriers} == {1}


def test_derive_adds_a_new_entry_to_a_table_of_named_entries():
    base = sim.load(LISHUI_FILE)
    van = base.model_dump(mode="json")["vehicle_types"]["micro_van"]
    changed = sim.derive(base, {"vehicle_types.big_van": {**van, "capacity_kg": 900}})
    assert changed.vehicle_types["big_van"].capacity_kg == 900
    assert "big_van" not in base.vehicle_types


# -- frames ----------------------------------------------------------------------------------


def test_a_result_frame_holds_every_kpi_of_the_run(comparison: sim.Comparison):
    result = comparison.results["integrated"][0]
    frame = result.kpi_frame()
    assert list(frame.columns) == ["kpi", *ESTIMATE_COLUMNS]
    assert list(frame["kpi"]) == list(result.kpis)
    values = frame.set_index("kpi")["mean"]
    for kpi, value in result.kpis.items():
        assert values[kpi] == value or (math.isnan(value) and math.isnan(values[kpi]))
    assert (frame["n"] <= 1).all() and frame["ci95_half_width"].isna().all()


def test_the_frame_of_replications_has_their_interval(comparison: sim.Comparison):
    runs = comparison.results["integrated"]
    frame = sim.kpi_frame(runs).set_index("kpi")
    estimate = sim.summary(runs)["cost.yuan_per_item"]
    row = frame.loc["cost.yuan_per_item"]
    assert row["n"] == 2 and row["mean"] == pytest.approx(estimate.mean)
    assert row["ci95_half_width"] == pytest.approx(estimate.half_width)
    assert row["ci95_low"] <= row["mean"] <= row["ci95_high"]
    assert row["ci95_high"] - row["ci95_low"] == pytest.approx(2 * estimate.half_width)


def test_a_comparison_frame_has_every_mode_and_the_paired_difference(comparison: sim.Comparison):
    frame = comparison.to_frame()
    assert frame.attrs["baseline"] == "separate"
    assert list(frame["mode"].unique()) == ["separate", "integrated"]
    assert {f"difference_{c}" for c in ESTIMATE_COLUMNS} <= set(frame.columns)
    rows = frame.set_index(["mode", "kpi"])
    difference = comparison.difference("integrated")["cost.yuan_per_item"]
    row = rows.loc[("integrated", "cost.yuan_per_item")]
    assert row["difference_mean"] == pytest.approx(difference.mean)
    assert row["difference_ci95_half_width"] == pytest.approx(difference.half_width)
    separate, integrated = rows.loc[("separate", "cost.yuan_per_item")], row
    assert integrated["mean"] - separate["mean"] == pytest.approx(row["difference_mean"])
    assert rows.loc["separate"]["difference_mean"].isna().all()


def test_a_comparison_frame_against_another_baseline(comparison: sim.Comparison):
    frame = comparison.to_frame(baseline="integrated").set_index(["mode", "kpi"])
    forward = comparison.difference("integrated")["cost.vehicle_km_per_day"].mean
    assert frame.loc[("separate", "cost.vehicle_km_per_day"), "difference_mean"] == pytest.approx(-forward)


def test_a_ladder_frame_has_every_level_and_what_its_step_adds(short_ladder: sim.Ladder):
    frame = short_ladder.to_frame()
    assert list(frame["level"].unique()) == list(short_ladder.names)
    rows = frame.set_index(["level", "kpi"])
    for step in short_ladder.steps():
        got = rows.loc[(step.name, "cost.yuan_per_item"), "step_mean"]
        assert got == pytest.approx(step.difference["cost.yuan_per_item"].mean)
    assert rows.loc[short_ladder.names[0]]["step_mean"].isna().all()
    assert isinstance(frame, pd.DataFrame) and frame["n"].max() == 2


# -- reprs -----------------------------------------------------------------------------------


def test_a_result_repr_is_one_short_line_without_the_scenario(comparison: sim.Comparison):
    result = comparison.results["integrated"][0]
    text = repr(result)
    assert "\n" not in text and len(text) < 400
    assert text.startswith("<Result 'Lishui': integrated, 4 days, seed 3;")
    assert all(k in text for k in HEADLINE_KPIS)
    assert "vehicle_types" not in text and "carriers" not in text


def test_a_comparison_repr_shows_the_headline_kpis_of_both_modes(comparison: sim.Comparison):
    text = repr(comparison)
    assert text.splitlines()[0] == "<Comparison 'Lishui': separate, integrated on seeds 3..4, 4 days"
    assert len(text.splitlines()) == 2 + len(HEADLINE_KPIS) + 1
    assert all(k in text for k in HEADLINE_KPIS) and len(text) < 1000


def test_a_ladder_repr_names_its_levels_and_the_total(short_ladder: sim.Ladder):
    text = repr(short_ladder)
    assert text.startswith("<Ladder 'Lishui': 6 levels (separate, express_codelivery")
    assert "seeds 3..4" in text and "five_in_one" in text.splitlines()[1]
    assert len(text) < 1200
