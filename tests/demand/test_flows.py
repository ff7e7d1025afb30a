"""Demand of the flows beyond inbound parcels: supply orders, produce, outbound parcels, finance.

Statistical checks use fixed seeds and bounds several standard errors wide.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.demand import Calendar, draw_outbound_parcels, draw_produce, draw_supply_orders, draw_transactions
from sim.records.ledger import FINANCE, PARCEL_OUT, PRODUCE, SUPPLY
from sim.scenario.fields import WEEKDAYS
from sim.scenario.flows import Crop, FarmInput, Finance, Outbound, Produce, Supply
from sim.scenario.schema import Carrier

VILLAGE_NODE = np.array([10, 11, 12, 13, 14])
POP = np.array([1000.0, 600.0, 2000.0, 300.0, 800.0])
HUB = 0
MONDAY = dt.date(2026, 1, 5)


# ----------------------------------------------------------------------------- supply
def test_each_village_orders_once_a_week_on_its_own_day():
    settings = Supply(
        kg_per_resident_per_week=0.15,
        case_kg=10.0,
        order_days=["mon", "wed", "fri"],
        order_time="06:30",
        lead_time_hours=36.0,
        farm_inputs=[],
    )
    weeks = 20
    cal = Calendar.build(MONDAY, 7 * weeks)
    producing = np.zeros(len(POP), dtype=bool)
    b = draw_supply_orders(np.random.default_rng(1), settings, VILLAGE_NODE, POP, producing, HUB, 7, cal)
    assert b.flow == SUPPLY and (b.owner == 7).all() and (b.origin == HUB).all()
    village = np.searchsorted(VILLAGE_NODE, b.destination)
    day = (b.created_t // 1440).astype(int)
    assert np.allclose(b.created_t % 1440, 6 * 60 + 30)
    assert np.allclose(b.deadline_t, b.created_t + 36 * 60)
    for v in range(len(POP)):
        order_day = WEEKDAYS.index(settings.order_days[v % 3])  # mon, wed, fri, mon, wed
        days_v = np.unique(day[village == v])
        assert (cal.weekday[days_v] == order_day).all()
        assert len(days_v) == weeks, "one order every week"
        # Mean order: population x kg per resident per week x E[exp(0.2 Z)] (log-normal).
        kg = np.bincount(day[village == v], weights=b.weight_kg[village == v])[days_v]
        want = POP[v] * 0.15 * np.exp(0.02)
        assert kg.mean() == pytest.approx(want, rel=4 * 0.2 / np.sqrt(weeks))
    # Cases: at most case_kg, equal within an order, as few as possible.
    assert (b.weight_kg <= 10.0 + 1e-9).all()
    order = b.extra["order"]
    for o in np.unique(order)[:50]:
        w = b.weight_kg[order == o]
        assert np.allclose(w, w[0]) and len(w) == int(np.ceil(w.sum() / 10.0 - 1e-9))
    assert np.allclose(b.volume_m3, b.weight_kg * settings.m3_per_kg)


def test_farm_inputs_only_for_producing_villages_in_season():
    fert = FarmInput(
        name="fertiliser", season_start="02-20", season_end="04-20", kg_per_producing_village_per_week=150
    )
    settings = Supply(kg_per_resident_per_week=0.0, order_days=["tue"], farm_inputs=[fert])
    cal = Calendar.build(dt.date(2026, 1, 1), 180)
    producing = np.array([True, False, True, False, False])
    b = draw_supply_orders(np.random.default_rng(3), settings, VILLAGE_NODE, POP, producing, HUB, 7, cal)
    village = np.searchsorted(VILLAGE_NODE, b.destination)
    day = (b.created_t // 1440).astype(int)
    assert set(village.tolist()) == {0, 2}
    season = cal.in_season("02-20", "04-20")
    assert season[day].all() and (cal.weekday[day] == 1).all()
    # Exactly 150 kg per producing village per order (no random factor on farm inputs).
    kg = np.bincount(day * 10 + village, weights=b.weight_kg)
    assert np.allclose(kg[kg > 0], 150.0)
    tuesdays_in_season = int((season & (cal.weekday == 1)).sum())
    assert len(np.unique(day)) == tuesdays_in_season


# ----------------------------------------------------------------------------- produce
FARM_CROPS = (frozenset({"strawberry"}), frozenset({"tea", "strawberry"}), frozenset({"tea"}), frozenset())
FARM_TOWN = ("Honglan", "Baima", "Baima", "Honglan")
FARM_POINT = np.array([10, 11, 12, 13])  # node of each farm's village


def strawberry(**changes) -> Crop:
    base = {
        "name": "strawberry",
        "season_start": "12-01",
        "season_end": "02-15",
        "kg_per_farm_per_day": 40.0,
        "shelf_life_hours": 24.0,
        "harvest_time": "07:00",
        "crate_kg": 5.0,
        "m3_per_kg": 0.005,
    }
    return Crop(**{**base, **changes})


def test_produce_only_in_season_and_only_where_the_crop_grows():
    tea = strawberry(
        name="tea",
        season_start="03-20",
        season_end="05-31",
        kg_per_farm_per_day=15.0,
        shelf_life_hours=30.0,
        harvest_time="08:00",
        m3_per_kg=0.02,
    )
    settings = Produce(crops=[strawberry(), tea])
    cal = Calendar.build(dt.date(2026, 11, 1), 240)  # Nov 2026 .. Jun 2027: strawberry wraps the year
    b = draw_produce(np.random.default_rng(8), settings, FARM_CROPS, FARM_TOWN, FARM_POINT, HUB, 6, cal)
    assert b.flow == PRODUCE and (b.owner == 6).all() and (b.destination == HUB).all()
    crop = b.extra["crop"]
    day = (b.created_t // 1440).astype(int)
    straw, tea_rows = crop == 0, crop == 1
    assert straw.any() and tea_rows.any()
    assert cal.in_season("12-01", "02-15")[day[straw]].all()
    assert cal.in_season("03-20", "05-31")[day[tea_rows]].all()
    assert set(b.origin[straw].tolist()) == {10, 11} and set(b.origin[tea_rows].tolist()) == {11, 12}
    assert np.allclose(b.created_t[straw] % 1440, 7 * 60) and np.allclose(
        b.created_t[tea_rows] % 1440, 8 * 60
    )
    assert np.allclose(b.deadline_t - b.created_t, np.where(straw, 24 * 60, 30 * 60))
    assert np.allclose(b.volume_m3, b.weight_kg * np.where(straw, 0.005, 0.02))
    assert (b.weight_kg <= 5.0 + 1e-9).all() and (b.weight_kg > 0).all()
    # Every season day has a harvest at every growing farm; the mean lot is 40 x E[exp(0.3 Z)].
    season_days = np.flatnonzero(cal.in_season("12-01", "02-15"))
    assert set(day[straw].tolist()) == set(season_days.tolist())
    lot_kg = np.bincount(day[straw] * 100 + b.origin[straw], weights=b.weight_kg[straw])
    lot_kg = lot_kg[lot_kg > 0]
    assert len(lot_kg) == 2 * len(season_days)
    assert lot_kg.mean() == pytest.approx(40.0 * np.exp(0.045), rel=4 * 0.31 / np.sqrt(len(lot_kg)))


def test_crop_towns_restrict_the_farms_and_poi_sales_go_to_the_town_point():
    settings = Produce(crops=[strawberry(towns=["Baima"])])
    cal = Calendar.build(dt.date(2026, 12, 1), 30)
    b = draw_produce(np.random.default_rng(2), settings, FARM_CROPS, FARM_TOWN, FARM_POINT, HUB, 6, cal)
    assert set(b.origin.tolist()) == {11}
    settings = Produce(crops=[strawberry()], poi_sales_share=0.4)
    cal = Calendar.build(dt.date(2026, 12, 1), 75)
    b = draw_produce(
        np.random.default_rng(2), settings, FARM_CROPS, FARM_TOWN, FARM_POINT, HUB, 6, cal, {"Honglan": 99}
    )
    from_honglan = b.origin == 10
    assert set(b.destination[~from_honglan].tolist()) == {HUB}, "Baima has no +N point: all to the hub"
    sold = b.destination[from_honglan] == 99
    assert set(b.destination[from_honglan].tolist()) == {HUB, 99}
    lots = np.unique((b.created_t[from_honglan] // 1440)[sold])
    share = len(lots) / 75
    assert share == pytest.approx(0.4, abs=4 * np.sqrt(0.24 / 75))
    # A lot is sold whole: all its crates go to the same place.
    day = (b.created_t // 1440).astype(int)
    for d in np.unique(day[from_honglan]):
        assert len(set(b.destination[from_honglan & (day == d)].tolist())) == 1


# ----------------------------------------------------------------------------- outbound
def test_outbound_parcels_in_the_day_window_due_at_the_cutoff():
    carriers = [Carrier(name="postal", kind="postal", share=0.25), Carrier(name="x", share=0.75)]
    settings = Outbound(
        per_1000_residents_per_day=3.0,
        created_from="07:00",
        created_until="15:00",
        cutoff="18:00",
        weight_median_kg=1.0,
        weight_sigma=0.0,
        self_drop_hours_max=24.0,
    )
    days = 300
    cal = Calendar.build(MONDAY, days)
    b = draw_outbound_parcels(np.random.default_rng(6), settings, carriers, VILLAGE_NODE, POP, HUB, cal)
    assert b.flow == PARCEL_OUT and (b.destination == HUB).all() and np.isin(b.origin, VILLAGE_NODE).all()
    clock = b.created_t % 1440
    assert (clock >= 7 * 60).all() and (clock <= 15 * 60).all()
    assert np.allclose(b.deadline_t, (b.created_t // 1440) * 1440 + 18 * 60)
    assert np.all(b.weight_kg == 1.0) and np.allclose(b.volume_m3, 0.004)
    delay = b.extra["self_drop_delay_min"]
    assert (delay >= 0).all() and (delay <= 24 * 60).all()
    per_village = np.bincount(np.searchsorted(VILLAGE_NODE, b.origin), minlength=len(POP)) / days
    want = POP * 3.0 / 1000.0
    assert np.all(np.abs(per_village - want) < 5 * np.sqrt(want / days))
    share = np.bincount(b.owner, minlength=2) / len(b)
    assert share[0] == pytest.approx(0.25, abs=5 * np.sqrt(0.25 * 0.75 / len(b)))


# ----------------------------------------------------------------------------- finance
def test_transactions_during_opening_hours_with_signed_amounts():
    settings = Finance(
        per_1000_residents_per_day=5.0,
        withdrawal_share=0.7,
        amount_median_yuan=500.0,
        amount_sigma=0.7,
        open_from="08:00",
        open_until="17:00",
    )
    days = 200
    cal = Calendar.build(MONDAY, days)
    b = draw_transactions(np.random.default_rng(4), settings, VILLAGE_NODE, POP, 9, cal)
    assert b.flow == FINANCE and (b.owner == 9).all()
    assert np.array_equal(b.origin, b.destination) and np.isin(b.origin, VILLAGE_NODE).all()
    assert np.array_equal(b.deadline_t, b.created_t)
    assert not b.weight_kg.any() and not b.volume_m3.any()
    clock = b.created_t % 1440
    assert (clock >= 8 * 60).all() and (clock <= 17 * 60).all()
    assert (np.diff(b.created_t) >= 0).all()
    cash = b.extra["cash_yuan"]
    assert (cash != 0).all()
    n = len(b)
    assert (cash < 0).mean() == pytest.approx(0.7, abs=5 * np.sqrt(0.21 / n))
    assert np.median(np.abs(cash)) == pytest.approx(500.0, rel=0.05)
    per_village = np.bincount(np.searchsorted(VILLAGE_NODE, b.origin), minlength=len(POP)) / days
    want = POP * 5.0 / 1000.0
    assert np.all(np.abs(per_village - want) < 5 * np.sqrt(want / days))


@pytest.mark.parametrize("share, sign", [(1.0, -1), (0.0, 1)])
def test_all_withdrawals_or_all_deposits_of_one_amount(share, sign):
    settings = Finance(
        withdrawal_share=share,
        amount_median_yuan=400.0,
        amount_sigma=0.0,
        open_from="10:00",
        open_until="10:00",
    )
    cal = Calendar.build(MONDAY, 20)
    b = draw_transactions(np.random.default_rng(1), settings, VILLAGE_NODE, POP, 9, cal)
    assert len(b) > 0
    assert np.all(b.extra["cash_yuan"] == sign * 400.0)
    assert np.all(b.created_t % 1440 == 600.0)


def test_a_season_from_public_tonnes_spreads_the_network_share_over_days_and_farms():
    from sim.demand.firstmile import kg_per_farm_day, season_length_days

    crop = strawberry(kg_per_farm_per_day=None, season_tonnes=760.0, network_share=0.1, harvest_sigma=0.0)
    assert season_length_days("12-01", "02-15") == 31 + 31 + 15
    # 760 t x 10 % over 77 days and the 2 strawberry farms
    assert kg_per_farm_day(crop, 2) == pytest.approx(760_000 * 0.1 / 77 / 2)
    cal = Calendar.build(dt.date(2026, 12, 1), 77)  # exactly one season
    b = draw_produce(
        np.random.default_rng(1), Produce(crops=[crop]), FARM_CROPS, FARM_TOWN, FARM_POINT, HUB, 6, cal
    )
    assert b.weight_kg.sum() == pytest.approx(760_000 * 0.1)


def test_a_peak_date_shapes_the_season_as_a_triangle_around_it():
    crop = strawberry(peak_date="01-15", harvest_sigma=0.0)
    cal = Calendar.build(dt.date(2026, 12, 1), 77)
    b = draw_produce(
        np.random.default_rng(1), Produce(crops=[crop]), FARM_CROPS, FARM_TOWN, FARM_POINT, HUB, 6, cal
    )
    per_day = np.bincount((b.created_t // 1440).astype(int), weights=b.weight_kg, minlength=77)
    peak = [d.strftime("%m-%d") for d in cal.dates].index("01-15")
    assert int(np.argmax(per_day)) == peak
    assert per_day[peak] == pytest.approx(2 * 40.0 * 2, rel=0.03)  # 2 farms x 40 kg x 2 at the peak
    assert per_day.mean() == pytest.approx(2 * 40.0, rel=0.03)  # the season's mean day is the average
    assert (np.diff(per_day[: peak + 1]) > 0).all() and (np.diff(per_day[peak:]) < 0).all()


def test_a_crop_needs_exactly_one_way_to_give_its_volume():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="one of them"):
        strawberry(season_tonnes=100.0)  # and kg_per_farm_per_day
    with pytest.raises(ValidationError, match="one of them"):
        strawberry(kg_per_farm_per_day=None)
