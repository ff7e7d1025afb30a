"""The per-day table (sim.kpi.daily) and the measured window (sim.records.MeasuredWindow).

The default record simulates 3 demand days (day 0 warm-up) and 3 drain days: 6 rows, days
1 and 2 measured.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.kpi import compute_kpis, daily_table, fleet_table
from sim.records import MeasuredWindow
from sim.records.ledger import FINANCE, PARCEL_IN, PARCEL_OUT, SUPPLY

from .helpers import HUB, A, B, RecordBuilder, at


def day_county() -> RecordBuilder:
    b = RecordBuilder()
    # created day 0, delivered day 1 within its deadline
    b.item(PARCEL_IN, dest=A, created_t=at(0, 6), deadline_t=at(2, 6), delivered_t=at(1, 10))
    # created day 1, delivered day 1 exactly at its deadline (on time), and one past it
    b.item(PARCEL_OUT, origin=A, created_t=at(1, 9), deadline_t=at(1, 18), delivered_t=at(1, 18))
    b.item(PARCEL_OUT, origin=A, created_t=at(1, 9), deadline_t=at(1, 18), delivered_t=at(3, 12))
    # created day 2, fetched day 4; created day 2, still waiting
    b.item(PARCEL_IN, dest=B, created_t=at(2, 6), deadline_t=at(4, 6), fetched_t=at(4, 15))
    b.item(SUPPLY, dest=B, created_t=at(2, 6), deadline_t=at(4, 6))
    # a finance transaction served locally on day 2, without a deadline here: not "on time"
    b.item(FINANCE, origin=A, dest=A, created_t=at(2, 10), delivered_t=at(2, 10))
    b.trip(0, km=10, hours=1)  # 10 x 2 + 30 = 50 yuan, 2.5 kg CO2
    b.trip(1, km=20, hours=2, day_rate=True)  # 40 + 60 + 100 = 200 yuan, 5 kg
    b.trip(1, kind="bus", km=35, fee=15.0)  # 15 yuan, bus km apart, no CO2
    b.trip(4, kind="trunk", km=8, hours=0)  # drain day: 16 yuan, 2 kg
    return b


def test_one_row_per_simulated_day_with_the_measured_flag_and_dates():
    table = daily_table(day_county().record())
    assert table["day"].tolist() == [0, 1, 2, 3, 4, 5]
    assert table["measured"].tolist() == [False, True, True, False, False, False]
    start = dt.date(2026, 1, 5)  # the scenario's default start date
    assert table["date"].tolist() == [(start + dt.timedelta(days=d)).isoformat() for d in range(6)]


def test_items_created_delivered_fetched_and_on_time_per_day():
    table = daily_table(day_county().record())
    assert table["items_created"].tolist() == [1, 2, 3, 0, 0, 0]
    # delivered (any flow): day 1 the inbound parcel and the on-time outbound one,
    # day 2 the finance transaction, day 3 the late outbound parcel
    assert table["delivered_in_village"].tolist() == [0, 2, 1, 1, 0, 0]
    assert table["fetched_by_villagers"].tolist() == [0, 0, 0, 0, 1, 0]
    # on time, by the day the item was created: day 0's parcel and day 1's exact-deadline one
    assert table["delivered_on_time"].tolist() == [1, 1, 0, 0, 0, 0]


def test_trips_km_cost_and_co2_per_day_with_bus_km_apart():
    table = daily_table(day_county().record())
    assert table["trips"].tolist() == [1, 2, 0, 0, 1, 0]
    assert table["vehicle_km"].tolist() == pytest.approx([10, 20, 0, 0, 8, 0])
    assert table["bus_cargo_km"].tolist() == pytest.approx([0, 35, 0, 0, 0, 0])
    assert table["cost_yuan"].tolist() == pytest.approx([50, 215, 0, 0, 16, 0])
    assert table["co2_kg"].tolist() == pytest.approx([2.5, 5, 0, 0, 2, 0])


def test_owned_fleets_cost_their_standing_on_every_day_of_the_table():
    b = day_county()
    b.fleet(size=2, day_rate=40.0)  # 80 yuan a day, driven or not
    table = daily_table(b.record())
    assert table["fleet_standing_yuan"].tolist() == pytest.approx([80] * 6)
    assert table["cost_yuan"].tolist() == pytest.approx([130, 295, 80, 80, 96, 80])


@pytest.mark.parametrize("fleet_size", [0, 2])
def test_measured_rows_of_the_table_add_up_to_the_per_day_kpis(fleet_size):
    b = day_county()
    b.fleet(size=fleet_size, day_rate=40.0)
    rec = b.record()
    table, kpis = daily_table(rec), compute_kpis(rec)
    measured = table[table["measured"]]
    days = rec.window.days
    assert measured["cost_yuan"].sum() == pytest.approx(kpis["cost.operator_yuan_per_day"] * days)
    assert measured["vehicle_km"].sum() == pytest.approx(kpis["cost.vehicle_km_per_day"] * days)
    assert measured["co2_kg"].sum() == pytest.approx(kpis["cost.co2_kg_per_day"] * days)


def test_an_empty_run_has_zero_rows_of_counts():
    table = daily_table(RecordBuilder().record())
    assert len(table) == 6
    for col in ("items_created", "trips", "vehicle_km", "cost_yuan"):
        assert (table[col] == 0).all(), col


# -- the measured window ------------------------------------------------------------------


def test_the_window_holds_demand_days_after_the_warm_up():
    w = MeasuredWindow(warmup_days=2, demand_days=5, horizon_days=8)
    assert w.days == 3
    assert w.contains(np.arange(8)).tolist() == [False, False, True, True, True, False, False, False]
    assert w.contains(np.array([1.999, 2.0, 4.999, 5.0])).tolist() == [False, True, True, False]


@pytest.mark.parametrize(("warmup", "demand"), [(0, 0), (3, 3), (4, 3)])
def test_window_days_is_at_least_one(warmup, demand):
    w = MeasuredWindow(warmup_days=warmup, demand_days=demand, horizon_days=6)
    assert w.days == 1
    assert not w.contains(np.arange(6)).any()


def test_measured_rows_start_at_the_first_minute_after_warm_up_and_stop_at_the_drain():
    b = RecordBuilder()
    edge = [
        b.item(PARCEL_IN, dest=A, created_t=t)
        for t in (at(1, 0) - 1e-6, at(1, 0), at(3, 0) - 1e-6, at(3, 0), at(5, 0))
    ]
    b.item(PARCEL_OUT, origin=A, dest=HUB, created_t=at(1, 0))  # another flow
    rec = b.record()
    assert rec.measured_rows(PARCEL_IN).tolist() == [edge[1], edge[2]]


def test_trip_table_marks_the_trips_of_measured_days():
    b = RecordBuilder()
    for day in range(6):
        b.trip(day)
    assert b.record().trip_table()["measured"].tolist() == [False, True, True, False, False, False]


def test_warm_up_and_drain_days_change_no_kpi():
    """Items and trips of day 0 and of days 3..5 move no KPI: the window's contents alone count."""
    inside = day_county()
    outside = day_county()
    outside.item(PARCEL_IN, dest=A, created_t=at(0, 7), fetched_t=at(1, 7))
    outside.item(PARCEL_IN, dest=B, created_t=at(3, 7), delivered_t=at(5, 7))
    outside.item(SUPPLY, dest=B, created_t=at(4, 7))
    outside.trip(0, km=500, hours=9, flows={PARCEL_IN: 1})
    outside.trip(3, kind="bus", km=500, fee=900.0, flows={PARCEL_IN: 1})
    outside.trip(5, kind="trunk", km=500, flows={SUPPLY: 1})
    a, b = compute_kpis(inside.record()), compute_kpis(outside.record())
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == pytest.approx(b[name], nan_ok=True), name


def test_the_fleet_table_has_one_row_per_fleet_with_owned_and_driven_vehicle_days():
    b = RecordBuilder()
    b.fleet(size=2, day_rate=40.0, used={0: 2, 1: 1, 2: 2, 4: 1})  # days 1, 2 measured
    b.fleet(size=0, day_rate=40.0, used={1: 3}, operator="express_a")  # piece rates: owns none
    table = fleet_table(b.record())
    assert table["operator"].tolist() == ["integrated", "express_a"]
    assert table["vehicles"].tolist() == [2, 0]
    assert table["standing_yuan_per_day"].tolist() == pytest.approx([80.0, 0.0])
    assert table["vehicle_days_owned"].tolist() == [4, 0]
    assert table["vehicle_days_driven"].tolist() == [3, 0]
