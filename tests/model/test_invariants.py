"""Invariants of every run: no item lost, no capacity exceeded, same seed same KPIs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.kpi import compute_kpis
from sim.model import simulate
from sim.records.ledger import DELIVERED, EXPIRED, FETCHED, ON_BOARD, PENDING, WAITING


def small_scenario(**changes) -> sim.Scenario:
    data = {
        "name": "small",
        "days": 5,
        "warmup_days": 1,
        "network": {"n_villages": 16, "seed": 3},
        "variability": {"enabled": False},  # the shift check below is on planned times
    }
    for key, value in changes.items():
        target = data
        *parents, leaf = key.split(".")
        for p in parents:
            target = target.setdefault(p, {})
        target[leaf] = value
    return sim.from_dict(data)


def assert_conserved(result: sim.Result) -> None:
    led, trips = result.record.ledger, result.trips
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
    """Replay every trip's manifest: the load never exceeds capacity on any dimension."""
    trips = result.trips
    raw = result.record
    assert len(raw.trips.manifests) == len(trips), "run with manifests=True"
    for capacity, peak in peak_loads(raw):
        assert (peak <= capacity + 1e-6).all(), (peak, capacity)
    assert (trips.peak_load_share.to_numpy() <= 1.0 + 1e-9).all()
    assert (trips.end_t.to_numpy() >= trips.start_t.to_numpy()).all()
    # each van's day, first departure to last return, within its shift (+ surge overtime), as
    # planned: with variability on a day may run past it (and the minutes past are paid)
    s = result.scenario
    if s.variability.enabled:
        return
    day_min = (s.operations.shift_hours + (s.surge.overtime_hours if s.surge.enabled else 0.0)) * 60.0
    vans = trips[trips.kind == "van"].groupby(["operator", "town", "vehicle", "day"])
    assert ((vans.end_t.max() - vans.start_t.min()) <= day_min + 1e-6).all()
    assert (trips.loc[trips.kind == "van", "vehicle"] >= 0).all()


def same_kpis(a: dict[str, float], b: dict[str, float]) -> bool:
    """Bit-identical KPIs (NaN equal to NaN)."""
    return a.keys() == b.keys() and all(
        x == y or (np.isnan(x) and np.isnan(y)) for x, y in ((a[k], b[k]) for k in a)
    )


def run_checked(scenario: sim.Scenario, seed: int) -> sim.Result:
    raw = simulate(scenario, seed, manifests=True)
    return sim.Result(scenario=scenario, seed=seed, kpis=compute_kpis(raw), record=raw)


@pytest.mark.parametrize("mode", ["separate", "integrated"])
def test_builtin_county_short_run(mode):
    scenario = sim.load("scenarios/lishui.toml")
    scenario = scenario.model_copy(update={"mode": mode, "days": 5, "warmup_days": 1})
    result = run_checked(scenario, 11)
    assert_conserved(result)
    assert_capacity_respected(result)
    again = sim.run(scenario, seed=11)
    assert same_kpis(again.kpis, result.kpis)
    assert np.array_equal(again.record.ledger.delivered_t, result.record.ledger.delivered_t, equal_nan=True)
    other = sim.run(scenario, seed=12)
    assert not same_kpis(other.kpis, result.kpis)


def test_modes_see_the_same_parcels():
    base = small_scenario()
    a = sim.run(base.model_copy(update={"mode": "separate"}), seed=4).record.ledger
    b = sim.run(base.model_copy(update={"mode": "integrated"}), seed=4).record.ledger
    for field in ("created_t", "destination", "weight_kg", "operator"):
        assert np.array_equal(getattr(a, field), getattr(b, field))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
    result = run_checked(scenario, seed)
    assert_conserved(result)
    assert_capacity_respected(result)
    assert same_kpis(sim.run(scenario, seed=seed).kpis, result.kpis)


def peak_loads(raw) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per trip with a manifest: (capacity, highest load on each dimension at any moment)."""
    led = raw.ledger
    out = []
    for capacity, changes in raw.trips.manifests:
        if not changes:
            continue
        rows = np.concatenate([c[0] for c in changes])
        t = np.concatenate([c[1] for c in changes])
        sign = np.concatenate([np.full(len(c[0]), c[2]) for c in changes])
        # Leaving before boarding at the same moment: drops happen before pickups at a stop.
        order = np.lexsort((sign, t))
        delta = (
            np.column_stack([np.ones(len(rows)), led.weight_kg[rows], led.volume_m3[rows]]) * sign[:, None]
        )
        load = np.cumsum(delta[order], axis=0)
        assert load[-1] == pytest.approx(np.zeros(3), abs=1e-6), "everything that boarded left the vehicle"
        out.append((capacity, load.max(axis=0)))
    return out
