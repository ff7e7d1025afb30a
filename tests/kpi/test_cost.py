"""Cost, km, CO2 and utilisation KPIs, computed by hand from a few trips (sim.kpi.cost).

Trips cost by the helper van's rates: km x 2 + hours x 30 (+ 100 when the trip charges the
day rate); CO2 is km x 0.25; a bus trip costs its fee and emits nothing of freight's.
Days 1 and 2 are measured (window.days = 2).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.kpi import compute_kpis
from sim.records.ledger import FINANCE, PARCEL_IN, PARCEL_OUT, PRODUCE, SUPPLY

from .helpers import A, B, RecordBuilder, at

FLOWS = ("parcel_in", "parcel_out", "supply", "produce")


def items(b: RecordBuilder, flow: int, n: int, day: int = 1) -> None:
    for _ in range(n):
        b.item(flow, dest=A, created_t=at(day, 7))


def allocation_county() -> RecordBuilder:
    """Measured items: 4 inbound, 2 outbound, 1 supply case, 2 produce lots (+ warm-up ones)."""
    b = RecordBuilder()
    items(b, PARCEL_IN, 3, day=1)
    items(b, PARCEL_IN, 1, day=2)
    items(b, PARCEL_OUT, 2)
    items(b, SUPPLY, 1)
    items(b, PRODUCE, 2)
    items(b, PARCEL_IN, 5, day=0)  # warm-up: not counted
    # day 1: 10 km, 2 h -> 10x2 + 2x30 = 80 yuan; 3 inbound + 1 produce lot
    b.trip(1, km=10, hours=2, flows={PARCEL_IN: 3, PRODUCE: 1})
    # day 2: 20 km, 1 h, day rate -> 20x2 + 30 + 100 = 170 yuan; 1 supply case + 1 outbound
    b.trip(2, km=20, hours=1, day_rate=True, flows={SUPPLY: 1, PARCEL_OUT: 1})
    return b


def test_each_trips_cost_is_shared_among_flows_by_the_items_it_carried():
    kpis = compute_kpis(allocation_county().record())
    # parcel_in: 80 x 3/4 = 60 yuan over 4 measured parcels = 15
    assert kpis["cost.parcel_in_yuan_per_item"] == pytest.approx(15.0)
    # produce: 80 x 1/4 = 20 yuan over 2 lots = 10
    assert kpis["cost.produce_yuan_per_item"] == pytest.approx(10.0)
    # supply: 170 x 1/2 = 85 yuan over 1 case = 85
    assert kpis["cost.supply_yuan_per_item"] == pytest.approx(85.0)
    # parcel_out: 170 x 1/2 = 85 yuan over 2 parcels = 42.5
    assert kpis["cost.parcel_out_yuan_per_item"] == pytest.approx(42.5)


def test_flow_shares_add_up_to_the_cost_of_the_trips_that_carried_items():
    rec = allocation_county().record()
    kpis = compute_kpis(rec)
    moved = {f: n for f, n in zip(FLOWS, (4, 2, 1, 2), strict=True)}
    allocated = sum(kpis[f"cost.{f}_yuan_per_item"] * n for f, n in moved.items())
    assert allocated == pytest.approx(80.0 + 170.0)
    assert kpis["cost.operator_yuan_per_day"] * rec.window.days == pytest.approx(allocated)


def test_trips_carrying_only_finance_or_nothing_are_charged_to_no_flow():
    b = allocation_county()
    b.trip(1, km=5, hours=0, flows={FINANCE: 2})  # 5 x 2 = 10 yuan: a cash run
    b.trip(2, kind="trunk", km=15, hours=0)  # 15 x 2 = 30 yuan: an empty trunk
    kpis = compute_kpis(b.record())
    # the per-flow figures are those without the two trips ...
    assert kpis["cost.parcel_in_yuan_per_item"] == pytest.approx(15.0)
    assert kpis["cost.produce_yuan_per_item"] == pytest.approx(10.0)
    assert kpis["cost.supply_yuan_per_item"] == pytest.approx(85.0)
    assert kpis["cost.parcel_out_yuan_per_item"] == pytest.approx(42.5)
    # ... but the operator pays for them: (80 + 170 + 10 + 30) / 2 days = 145
    assert kpis["cost.operator_yuan_per_day"] == pytest.approx(145.0)


def test_trips_outside_the_measured_window_are_excluded():
    b = allocation_county()
    b.trip(0, km=100, hours=5, flows={PARCEL_IN: 5})  # warm-up day
    b.trip(3, km=100, hours=5, flows={PRODUCE: 4})  # first drain day
    kpis = compute_kpis(b.record())
    assert kpis["cost.parcel_in_yuan_per_item"] == pytest.approx(15.0)
    assert kpis["cost.produce_yuan_per_item"] == pytest.approx(10.0)
    assert kpis["cost.operator_yuan_per_day"] == pytest.approx((80.0 + 170.0) / 2)
    assert kpis["cost.vehicle_km_per_day"] == pytest.approx((10.0 + 20.0) / 2)
    assert kpis["cost.van_trips_per_day"] == pytest.approx(2 / 2)


def test_a_flow_carried_but_without_measured_items_has_no_cost_per_item():
    b = RecordBuilder()
    items(b, PARCEL_IN, 2)
    b.trip(1, km=10, hours=0, flows={PARCEL_IN: 2, PRODUCE: 2})  # 20 yuan, half to produce
    kpis = compute_kpis(b.record())
    assert kpis["cost.parcel_in_yuan_per_item"] == pytest.approx(10.0 / 2)  # 20 x 2/4 over 2
    assert math.isnan(kpis["cost.produce_yuan_per_item"])  # 10 yuan, but no measured lot
    assert math.isnan(kpis["cost.supply_yuan_per_item"])


def test_cost_km_and_co2_per_day_and_per_item():
    b = RecordBuilder()
    items(b, PARCEL_IN, 6)
    items(b, SUPPLY, 2, day=2)
    for _ in range(4):  # finance transactions ride along but are not items moved
        b.item(FINANCE, origin=B, dest=B, created_t=at(1, 10))
    b.trip(1, km=30, hours=2, day_rate=True, flows={PARCEL_IN: 6})  # 60 + 60 + 100 = 220
    b.trip(2, kind="trunk", km=50, hours=1, flows={SUPPLY: 2})  # 100 + 30 = 130
    b.trip(2, kind="bus", km=40, fee=50.0, flows={PARCEL_IN: 1})  # fee 50; 40 km are the bus's
    kpis = compute_kpis(b.record())
    # cost: 220 + 130 + 50 = 400 yuan over 2 days, over 6 + 2 = 8 items
    assert kpis["cost.operator_yuan_per_day"] == pytest.approx(200.0)
    assert kpis["cost.yuan_per_item"] == pytest.approx(50.0)
    # vehicle km: 30 + 50 = 80 (bus excluded) over 2 days, over 8 items
    assert kpis["cost.vehicle_km_per_day"] == pytest.approx(40.0)
    assert kpis["cost.vehicle_km_per_item"] == pytest.approx(10.0)
    # CO2: 80 km x 0.25 = 20 kg over 2 days
    assert kpis["cost.co2_kg_per_day"] == pytest.approx(10.0)


def test_no_moved_items_leaves_the_per_item_figures_undefined():
    b = RecordBuilder()
    b.item(FINANCE, origin=A, dest=A, created_t=at(1, 10))
    b.trip(1, km=10, hours=0, flows={FINANCE: 1})
    kpis = compute_kpis(b.record())
    assert kpis["cost.operator_yuan_per_day"] == pytest.approx(10.0)
    assert math.isnan(kpis["cost.yuan_per_item"])
    assert math.isnan(kpis["cost.vehicle_km_per_item"])


def test_utilisation_is_the_mean_peak_load_share_per_kind_and_trips_per_day():
    b = RecordBuilder()
    b.trip(1, kind="van", peak=0.2)
    b.trip(1, kind="van", peak=0.6)
    b.trip(2, kind="van", peak=0.7)
    b.trip(2, kind="trunk", peak=0.9)
    b.trip(2, kind="bus", peak=0.1, fee=5.0)  # not a van or a trunk
    b.trip(0, kind="van", peak=1.0)  # warm-up
    kpis = compute_kpis(b.record())
    assert kpis["cost.van_utilisation"] == pytest.approx((0.2 + 0.6 + 0.7) / 3)
    assert kpis["cost.trunk_utilisation"] == pytest.approx(0.9)
    assert kpis["cost.van_trips_per_day"] == pytest.approx(3 / 2)
    assert kpis["cost.trunk_trips_per_day"] == pytest.approx(1 / 2)


def test_no_trunk_trip_leaves_trunk_utilisation_undefined():
    b = RecordBuilder()
    b.trip(1, kind="van", peak=0.4)
    kpis = compute_kpis(b.record())
    assert math.isnan(kpis["cost.trunk_utilisation"])
    assert kpis["cost.trunk_trips_per_day"] == 0.0


def test_the_kpi_names_do_not_depend_on_whether_a_trip_was_measured():
    with_trip = allocation_county().record()
    without = RecordBuilder()
    items(without, PARCEL_IN, 1)
    assert set(compute_kpis(without.record())) == set(compute_kpis(with_trip))


def test_an_owned_fleet_costs_its_day_rate_every_measured_day_driven_or_not():
    b = RecordBuilder()
    items(b, PARCEL_IN, 4)
    b.trip(1, km=10, hours=2, flows={PARCEL_IN: 4})  # 10 x 2 + 2 x 30 = 80 yuan
    b.fleet(size=3, day_rate=100.0, used={0: 3, 1: 1})  # 3 vans; 1 out on day 1, none on day 2
    kpis = compute_kpis(b.record())
    # standing: 3 vans x 100 yuan x 2 measured days = 600; with the trip 680 over 2 days
    assert kpis["cost.fleet_standing_yuan_per_day"] == pytest.approx(300.0)
    assert kpis["cost.operator_yuan_per_day"] == pytest.approx(340.0)
    assert kpis["cost.yuan_per_item"] == pytest.approx(680.0 / 4)
    # vehicle-days: 1 driven of 3 x 2 owned on the measured days (day 0 is warm-up)
    assert kpis["cost.vehicle_use_share"] == pytest.approx(1 / 6)


def test_a_fleet_that_never_drives_still_costs_and_no_flow_bears_it():
    b = RecordBuilder()
    items(b, PARCEL_IN, 2)
    b.trip(1, km=10, hours=0, flows={PARCEL_IN: 2}, operator="postal")  # 20 yuan
    b.fleet(size=2, day_rate=50.0, operator="express_a")  # its vans carried nothing
    kpis = compute_kpis(b.record())
    assert kpis["cost.operator_yuan_per_day"] == pytest.approx((20.0 + 2 * 50.0 * 2) / 2)
    assert kpis["cost.parcel_in_yuan_per_item"] == pytest.approx(20.0 / 2)
    assert kpis["cost.vehicle_use_share"] == pytest.approx(0.0)


def test_an_operators_standing_cost_is_shared_by_what_its_vans_carried():
    b = allocation_county()  # trips of "integrated": day 1 3 inbound + 1 lot; day 2 1 case + 1 outbound
    b.fleet(size=1, day_rate=100.0, used={1: 1, 2: 1})  # 200 yuan over the 2 days, 6 items by kg
    kpis = compute_kpis(b.record())
    # each item weighs 1 kg: parcel_in 3/6, produce 1/6, supply 1/6, parcel_out 1/6 of 200
    assert kpis["cost.parcel_in_yuan_per_item"] == pytest.approx((60.0 + 100.0) / 4)
    assert kpis["cost.produce_yuan_per_item"] == pytest.approx((20.0 + 200.0 / 6) / 2)
    assert kpis["cost.supply_yuan_per_item"] == pytest.approx(85.0 + 200.0 / 6)
    assert kpis["cost.parcel_out_yuan_per_item"] == pytest.approx((85.0 + 200.0 / 6) / 2)
    assert kpis["cost.vehicle_use_share"] == pytest.approx(1.0)
    per_day = sum(kpis[f"cost.{f}_yuan_per_day"] for f in FLOWS)
    assert per_day == pytest.approx(kpis["cost.operator_yuan_per_day"])


def test_cold_rooms_are_operator_cost_and_borne_by_produce():
    b = allocation_county()
    rec = b.record()
    rec.cold_storage_yuan = np.array([5.0, 30.0, 10.0, 7.0, 0.0, 0.0])  # days 1, 2 measured: 40
    kpis = compute_kpis(rec)
    assert kpis["cost.cold_storage_yuan_per_day"] == pytest.approx(40.0 / 2)
    assert kpis["cost.operator_yuan_per_day"] == pytest.approx((80.0 + 170.0 + 40.0) / 2)
    assert kpis["cost.produce_yuan_per_item"] == pytest.approx(10.0 + 40.0 / 2)  # 2 lots
