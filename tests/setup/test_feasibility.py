"""Infeasible plans are reported before the run (``sim.setup.feasibility``), as located errors."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.scenario import ScenarioError
from sim.setup.feasibility import LOT_TAIL_SIGMAS, check_feasibility, item_kinds

LISHUI = "scenarios/lishui.toml"
SMALL = {"days": 2, "warmup_days": 0, "network": {"n_villages": 12, "area_km2": 200.0}}
TRICYCLE = {
    "capacity_parcels": 60,
    "capacity_kg": 50.0,
    "capacity_m3": 1.0,
    "cost_per_km": 0.3,
    "co2_kg_per_km": 0.0,
}


def small(**changes) -> sim.Scenario:
    return sim.derive(sim.load(LISHUI), {**SMALL, **changes})


def problem(scenario: sim.Scenario) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        sim.build_world(scenario)
    return info.value


def test_the_shipped_scenarios_are_feasible():
    for path in ("scenarios/lishui.toml", "scenarios/lishui_peak.toml", "scenarios/lishui_cold.toml"):
        scenario = sim.load(path)
        check_feasibility(scenario, sim.build_world(scenario))


def test_largest_item_of_each_kind_follows_the_draw_bounds():
    s = small(parcels={"weight_sigma": 0.0, "weight_median_kg": 3.0, "weight_max_kg": 30.0})
    kinds = {k.name: k for k in item_kinds(s, sim.build_world(s))}
    assert kinds["inbound parcel"].max_kg == 3.0  # no spread: every parcel weighs the median
    assert kinds["inbound parcel"].kg_field == ("parcels", "weight_median_kg")
    assert kinds["outbound parcel"].max_kg == s.outbound.weight_max_kg
    assert kinds["supply case"].max_kg == s.supply.case_kg  # orders are far larger than a case
    assert kinds["produce crate of tea"].max_m3 == pytest.approx(5.0 * 0.02)


def test_a_crate_larger_than_any_lot_is_bounded_by_the_largest_lot():
    """Lots are log-normal: the check expects up to LOT_TAIL_SIGMAS spreads above the mean."""
    tea = {"name": "tea", "season_start": "01-01", "season_end": "12-31", "kg_per_farm_per_day": 10.0}
    tea |= {"shelf_life_hours": 30.0, "crate_kg": 1000.0, "harvest_sigma": 0.3}
    s = small(produce={"crops": [tea]})
    (kind,) = [k for k in item_kinds(s, sim.build_world(s)) if k.flow == "produce"]
    assert kind.max_kg == pytest.approx(10.0 * np.exp(LOT_TAIL_SIGMAS * 0.3))


def test_a_parcel_heavier_than_van_and_bus_names_both_and_their_capacities():
    s = small(
        vehicle_types={"tricycle": TRICYCLE},
        integrated={"vehicle": "tricycle"},
        bus={"generated_cargo_kg": 40.0},
        parcels={"weight_max_kg": 60.0},
    )
    err = problem(s)
    assert err.field == "parcels.weight_max_kg"
    text = str(err)
    assert "tricycle (integrated.vehicle): 50 kg" in text and "bus" in text and "40 kg" in text
    assert err.found == "60 kg, 0.24 m3"


def test_a_parcel_that_fits_a_bus_compartment_but_not_the_van_is_left_to_the_run():
    """Some villages are on a bus line: the scenario alone does not show the item is stuck."""
    s = small(
        vehicle_types={"tricycle": TRICYCLE},
        integrated={"vehicle": "tricycle"},
        bus={"generated_cargo_kg": 200.0},
        parcels={"weight_max_kg": 60.0},
    )
    sim.build_world(s)  # no error


def test_volume_too_large_names_the_m3_field():
    s = small(mode="separate", parcels={"m3_per_kg": 1.0})  # 30 kg parcels of 30 m3 > 18 m3 trunk
    err = problem(s)
    assert err.field == "parcels.m3_per_kg"
    assert "light_truck (hub.trunk_vehicle): 4000 kg, 18 m3" in str(err)


def test_a_carrier_without_vans_needs_only_the_trunk():
    tiny = {**TRICYCLE, "capacity_kg": 10.0}
    carriers = [
        {"name": "postal", "kind": "postal", "share": 0.5},
        {"name": "express", "share": 0.5, "vans_per_town": 0, "vehicle": "tiny"},
    ]
    base = {"vehicle_types": {"tiny": tiny}, "carriers": carriers, "mode": "separate"}
    sim.build_world(small(**base))  # its parcels are fetched from the outlet: no van leg
    carriers[1]["vans_per_town"] = 1
    err = problem(small(**base))
    assert err.field == "parcels.weight_max_kg"
    assert "(carriers express)" in str(err) and "tiny (carriers.1.vehicle): 10 kg" in str(err)


def test_supply_orders_without_a_truck_are_an_empty_fleet_but_produce_alone_is_not():
    err = problem(small(mode="separate", supply={"trucks": 0}))
    assert err.field == "supply.trucks"
    no_orders = {"trucks": 0, "kg_per_resident_per_week": 0.0, "farm_inputs": []}
    sim.build_world(small(mode="separate", supply=no_orders))  # produce waits and spoils (modelled)


def test_a_shift_shorter_than_the_farthest_round_trip_names_the_village_and_the_hours_needed():
    err = problem(small(operations={"shift_hours": 0.25}))
    assert err.field == "operations.shift_hours"
    assert "a shift of at least" in err.expected and err.found == "0.25 h"


def test_every_problem_is_reported_at_once():
    s = small(operations={"shift_hours": 0.25}, parcels={"m3_per_kg": 1.0}, mode="separate")
    err = problem(s)
    assert {p.field for p in err.problems} >= {"operations.shift_hours", "parcels.m3_per_kg"}
