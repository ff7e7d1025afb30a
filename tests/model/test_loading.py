"""sim.model.loading by hand: capacities, load sums, splitting to fit, what fits, spoilage.

Loads are (items, kg, m3); every item counts 1 on the first dimension.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.loading import Cargo, capacity_of
from sim.records import Ledger
from sim.records.ledger import PARCEL_IN, PRODUCE
from sim.scenario.schema import VehicleType
from sim.units import FLOAT_EPS, TIME_EPS_MIN

ROOMY = 1e6  # a dimension that never binds


def cargo_of(kg: list[float], m3: float | list[float] = 0.0, flow: int = PARCEL_IN, deadline: float = 0.0):
    led = Ledger()
    rows = led.add(
        flow=flow,
        operator=0,
        origin=0,
        destination=1,
        created_t=0.0,
        weight_kg=kg,
        volume_m3=m3,
        deadline_t=deadline,
    )
    return Cargo(led), rows


def kg_room(kg: float, items: float = ROOMY) -> np.ndarray:
    return np.array([items, kg, ROOMY])


def test_capacity_of_a_vehicle_type_is_items_kg_m3():
    van = VehicleType(
        capacity_parcels=40, capacity_kg=350.0, capacity_m3=2.5, cost_per_km=1.0, co2_kg_per_km=0.2
    )
    cap = capacity_of(van)
    assert cap.tolist() == [40.0, 350.0, 2.5]
    assert cap.dtype == float


def test_total_and_sums_including_empty_groups():
    cargo, rows = cargo_of([4.0, 4.0, 1.0, 2.5], m3=[0.1, 0.1, 0.05, 0.2])
    assert cargo.total(rows).tolist() == pytest.approx([4, 11.5, 0.45])
    assert cargo.total(rows[:0]).tolist() == [0, 0, 0]
    empty = rows[:0]
    sums = cargo.sums([rows[:2], empty, rows[2:3], rows[3:], empty])
    assert sums == pytest.approx(
        np.array([[2, 8.0, 0.2], [0, 0, 0], [1, 1.0, 0.05], [1, 2.5, 0.2], [0, 0, 0]])
    )
    assert cargo.sums([empty, rows]) == pytest.approx(np.array([[0, 0, 0], [4, 11.5, 0.45]]))
    assert cargo.sums([empty, empty]).tolist() == [[0, 0, 0], [0, 0, 0]]
    assert cargo.sums([empty]).tolist() == [[0, 0, 0]]
    assert cargo.sums([rows]) == pytest.approx(np.array([[4, 11.5, 0.45]]))
    assert cargo.sums([]).shape == (0, 3)


def test_split_keeps_keys_that_fit_whole_sorted_by_key_rows_in_order():
    cargo, rows = cargo_of([1.0] * 5)
    keys, parts = cargo.split_to_fit(rows, key=np.array([7, 3, 7, 3, 9]), capacity=kg_room(10))
    assert keys.tolist() == [3, 7, 9]
    assert [p.tolist() for p in parts] == [[1, 3], [0, 2], [4]]


def test_split_with_no_rows():
    cargo, rows = cargo_of([1.0])
    keys, parts = cargo.split_to_fit(rows[:0], key=np.array([], dtype=int), capacity=kg_room(10))
    assert keys.tolist() == [] and parts == []


def test_a_key_needing_three_pieces():
    cargo, rows = cargo_of([1.0] * 8)
    key = np.array([2, 5, 5, 5, 5, 5, 5, 5])  # key 5: 7 items, a vehicle takes 3
    keys, parts = cargo.split_to_fit(rows, key=key, capacity=kg_room(ROOMY, items=3))
    # ceil(7 / 3) = 3 equal runs of rows: 3, 2, 2
    assert keys.tolist() == [2, 5, 5, 5]
    assert [p.tolist() for p in parts] == [[0], [1, 2, 3], [4, 5], [6, 7]]


def test_uneven_weights_need_one_piece_more_than_the_load_says():
    cargo, rows = cargo_of([5.0, 5.0, 5.0, 1.0, 1.0, 1.0])
    keys, parts = cargo.split_to_fit(rows, key=np.zeros(6, dtype=int), capacity=kg_room(10))
    # 18 kg in 10 kg vehicles: ceil(1.8) = 2 pieces would be [5 5 5] 15 kg + [1 1 1]: too heavy;
    # 3 pieces are [5 5] 10 kg (exactly full), [5 1] 6 kg, [1 1] 2 kg
    assert keys.tolist() == [0, 0, 0]
    assert [p.tolist() for p in parts] == [[0, 1], [2, 3], [4, 5]]
    assert all(cargo.fits(p, kg_room(10)) for p in parts)


def test_an_item_larger_than_the_vehicle_stays_alone():
    cargo, rows = cargo_of([20.0])
    keys, parts = cargo.split_to_fit(rows, key=np.array([4]), capacity=kg_room(10))
    assert keys.tolist() == [4]
    assert [p.tolist() for p in parts] == [[0]]


def test_an_oversized_item_among_others_terminates_and_comes_out_alone():
    cargo, rows = cargo_of([1.0, 20.0, 1.0, 1.0])
    keys, parts = cargo.split_to_fit(rows, key=np.zeros(4, dtype=int), capacity=kg_room(10))
    # 23 kg: 3 pieces [1 20] [1] [1] still leave 21 kg in one; then every item alone
    assert keys.tolist() == [0, 0, 0, 0]
    assert [p.tolist() for p in parts] == [[0], [1], [2], [3]]


def test_splitting_respects_every_dimension():
    cargo, rows = cargo_of([1.0] * 4, m3=[0.6, 0.6, 0.6, 0.6])
    keys, parts = cargo.split_to_fit(rows, key=np.zeros(4, dtype=int), capacity=np.array([10, 100, 1.2]))
    # 2.4 m3 in 1.2 m3 vehicles: two pieces of 1.2 m3 each (full to the float slack)
    assert [p.tolist() for p in parts] == [[0, 1], [2, 3]]


def test_fits_at_exact_capacity_within_the_float_slack():
    cargo, rows = cargo_of([0.1, 0.2])
    assert 0.1 + 0.2 > 0.3  # the float sum lands an ulp above the bound ...
    assert cargo.fits(rows, kg_room(0.3))  # ... and still fits
    assert not cargo.fits(rows, kg_room(0.3 - 1e3 * FLOAT_EPS))
    assert not cargo.fits(rows, kg_room(1.0, items=1))  # two items, room for one
    assert cargo.fits(rows[:0], kg_room(0.0, items=0))


def test_fitting_prefix_at_exact_capacity():
    cargo, rows = cargo_of([0.1, 0.2, 0.3, 0.4])
    # cumulative kg 0.1, 0.30000000000000004, 0.6000000000000001, 1.0000000000000002
    assert cargo.fitting_prefix(rows, kg_room(0.6)) == 3
    assert cargo.fitting_prefix(rows, kg_room(0.6 - 1e3 * FLOAT_EPS)) == 2
    assert cargo.fitting_prefix(rows, kg_room(1.0)) == 4
    assert cargo.fitting_prefix(rows, kg_room(0.05)) == 0
    assert cargo.fitting_prefix(rows, kg_room(ROOMY, items=2)) == 2
    assert cargo.fitting_prefix(rows[::-1], kg_room(0.7)) == 2  # in the order given: 0.4 + 0.3
    assert cargo.fitting_prefix(rows[:0], kg_room(0.0)) == 0


def test_spoiled_at_and_past_the_deadline():
    cargo, rows = cargo_of([10.0, 10.0], flow=PRODUCE, deadline=100.0)
    assert cargo.spoiled(rows, 100.0).tolist() == [False, False]  # at the deadline: still fresh
    assert cargo.spoiled(rows, 100.0 + TIME_EPS_MIN / 2).tolist() == [False, False]
    assert cargo.spoiled(rows, 100.001).tolist() == [True, True]
    assert cargo.spoiled(rows, np.array([99.0, 101.0])).tolist() == [False, True]  # a time per row


def test_only_produce_spoils():
    cargo, rows = cargo_of([1.0], flow=PARCEL_IN, deadline=100.0)
    assert cargo.spoiled(rows, 1e6).tolist() == [False]
