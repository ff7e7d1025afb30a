"""Invariants of every run: no item lost, no capacity exceeded, same seed same KPIs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.ledger import DELIVERED, EXPIRED, FETCHED, ON_BOARD, PENDING, WAITING


def small_scenario(**changes) -> sim.Scenario:
    data = {
        "name": "small",
        "days": 5,
        "warmup_days": 1,
        "network": {"n_villages": 16, "seed": 3},
    }
    for key, value in changes.items():
        target = data
        *parents, leaf = key.split(".")
        for p in parents:
            target = target.setdefault(p, {})
        target[leaf] = value
    return sim.from_dict(data)


def assert_conserved(result: sim.Result) -> None:
    led, trips = result.raw.ledger, result.trips
    status = led.status
    assert not (status == PENDING).any(), "every drawn item was created"
    counts = np.bincount(status, minlength=6)
    assert counts.sum() == len(led)
    waiting = status == WAITING
    assert (led.location[waiting] >= 0).all(), "waiting items name their node"
    on_board = status == ON_BOARD
    assert (led.trip[on_board] >= 0).all() and (led.trip[on_board] < len(trips)).all()
    done = np.isin(status, (DELIVERED, FETCHED, EXPIRED))
    assert np.isfinite(led.delivered_t[done]).all()
    assert (led.delivered_t[done] >= led.created_t[done]).all(), "nothing arrives before it exists"
    delivered = status == DELIVERED
    assert (led.location[delivered] == led.destination[delivered]).all()


def assert_capacity_respected(result: sim.Result) -> None:
    led, trips = result.raw.ledger, result.trips
    vt = result.scenario.vehicle_types
    # Every item that ever boarded keeps the id of its last trip: count loads per trip.
    boarded = led.trip >= 0
    per_trip_items = np.bincount(led.trip[boarded], minlength=len(trips))
    per_trip_kg = np.bincount(led.trip[boarded], weights=led.weight_kg[boarded], minlength=len(trips))
    cap_items = np.array([vt[v].capacity_parcels for v in trips.vehicle_type])
    cap_kg = np.array([vt[v].capacity_kg for v in trips.vehicle_type])
    van = (trips.kind == "van").to_numpy()
    assert (per_trip_items[van] <= cap_items[van]).all()
    assert (per_trip_kg[van] <= cap_kg[van] + 1e-9).all()
    assert (trips["items"].to_numpy() <= cap_items).all()
    assert (trips.kg.to_numpy() <= cap_kg + 1e-9).all()
    assert (trips.peak_load_share.to_numpy() <= 1.0 + 1e-9).all()
    assert (trips.end_t.to_numpy() >= trips.start_t.to_numpy()).all()
    shift = result.scenario.operations.shift_hours * 60.0
    assert ((trips.end_t - trips.start_t)[van] <= shift + 1e-6).all()


@pytest.mark.parametrize("mode", ["separate", "integrated"])
def test_builtin_county_short_run(mode):
    scenario = sim.load("scenarios/lishui.toml")
    scenario = scenario.model_copy(update={"mode": mode, "days": 5, "warmup_days": 1})
    result = sim.run(scenario, seed=11)
    assert_conserved(result)
    assert_capacity_respected(result)
    again = sim.run(scenario, seed=11)
    assert again.kpis == result.kpis
    assert np.array_equal(again.raw.ledger.delivered_t, result.raw.ledger.delivered_t, equal_nan=True)
    other = sim.run(scenario, seed=12)
    assert other.kpis != result.kpis


def test_modes_see_the_same_parcels():
    base = small_scenario()
    a = sim.run(base.model_copy(update={"mode": "separate"}), seed=4).raw.ledger
    b = sim.run(base.model_copy(update={"mode": "integrated"}), seed=4).raw.ledger
    for field in ("created_t", "destination", "weight_kg", "operator"):
        assert np.array_equal(getattr(a, field), getattr(b, field))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mode=st.sampled_from(["separate", "integrated"]),
    vans=st.integers(1, 3),
    capacity=st.integers(15, 120),
    rate=st.floats(5.0, 60.0),
    shift=st.floats(1.5, 9.0),
    dispatch=st.lists(
        st.sampled_from(["08:00", "09:00", "13:00", "16:30"]), min_size=1, max_size=3, unique=True
    ),
    seed=st.integers(0, 2**31),
)
def test_random_small_scenarios_keep_invariants(mode, vans, capacity, rate, shift, dispatch, seed):
    scenario = small_scenario(
        mode=mode,
        **{
            "integrated.vans_per_town": vans,
            "vehicle_types.micro_van": {
                "capacity_parcels": capacity,
                "capacity_kg": capacity * 2.0,
                "capacity_m3": capacity * 0.02,
                "cost_per_km": 1.0,
                "co2_kg_per_km": 0.2,
            },
            "vehicle_types.light_truck": {
                "capacity_parcels": 2000,
                "capacity_kg": 4000.0,
                "capacity_m3": 40.0,
                "cost_per_km": 2.0,
                "co2_kg_per_km": 0.4,
            },
            "parcels.per_1000_residents_per_day": rate,
            "operations.shift_hours": shift,
            "stations.dispatch_times": dispatch,
        },
    )
    result = sim.run(scenario, seed=seed)
    assert_conserved(result)
    assert_capacity_respected(result)
    assert sim.run(scenario, seed=seed).kpis == result.kpis
