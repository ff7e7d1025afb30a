"""Social cost of villagers' own trips, computed by hand on hand-built run records.

The county: a hub, one town station ``st`` and two villages, ``near`` 5 km and ``far``
10 km from the station (round trips 10 and 20 km). Two measured days (day 0 is warm-up,
day 3 the drain). Rates: 0.5 yuan/km, 20 yuan/h, 25 km/h, 0.1 kg CO2/km.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.kpi import compute_kpis, cost_kpis, social_kpis, total_cost_kpis, villager_km_per_day
from sim.kpi.villagers import VillagerKm
from sim.records import Ledger, MeasuredWindow, Places, RunRecord, TripLog
from sim.records.ledger import FINANCE, PARCEL_IN, PARCEL_OUT
from sim.scenario import from_dict
from sim.units import MINUTES_PER_DAY

WINDOW = MeasuredWindow(warmup_days=1, demand_days=3, horizon_days=5)  # days 1 and 2 count
HUB, ST, NEAR, FAR = range(4)
RATES = {"yuan_per_km": 0.5, "yuan_per_hour": 20.0, "speed_kmh": 25.0, "co2_kg_per_km": 0.1}


def _places() -> Places:
    km = np.array(
        [
            [0.0, 20.0, 25.0, 30.0],
            [20.0, 0.0, 5.0, 10.0],
            [25.0, 5.0, 0.0, 15.0],
            [30.0, 10.0, 15.0, 0.0],
        ]
    )
    return Places(
        nodes=("hub", "st", "near", "far"),
        km=km,
        xy=np.zeros((4, 2)),
        road_xy=np.zeros((0, 2, 2)),
        hub=HUB,
        towns=("town",),
        station=np.array([ST]),
        villages=np.array([NEAR, FAR]),
        village_town=np.array([0, 0]),
        village_population=np.array([400, 600]),
        pois=np.array([], dtype=np.int64),
        poi_town=np.array([], dtype=np.int64),
    )


def _add(ledger: Ledger, flow: int, origin: list[int], destination: list[int], day: int) -> np.ndarray:
    """Items of ``flow`` created on ``day`` and waiting where they start."""
    n = len(origin)
    rows = ledger.add(
        flow=flow,
        operator=0,
        origin=origin,
        destination=destination,
        created_t=np.full(n, day * MINUTES_PER_DAY + 480.0),
        weight_kg=np.ones(n),
        volume_m3=np.full(n, 0.004),
        deadline_t=np.full(n, day * MINUTES_PER_DAY + 3240.0),
    )
    ledger.create(rows, location=np.asarray(origin))
    return rows


def _villagers_drive(parcels_fetched: int = 3) -> Ledger:
    """On measured day 1: ``parcels_fetched`` parcels for ``far`` fetched from the station
    and one delivered in the village; two outbound parcels of ``near``; two withdrawals of
    ``far`` served at the town branch, one of ``near`` in the village. The same happens on
    the warm-up and drain days (with two parcels fetched), where nothing counts."""
    led = Ledger()
    for day in (0, 1, 3):
        n = parcels_fetched if WINDOW.contains(day) else 2
        led.fetch(_add(led, PARCEL_IN, [ST] * n, [FAR] * n, day), day * MINUTES_PER_DAY + 600.0)
        led.deliver(_add(led, PARCEL_IN, [FAR], [FAR], day), day * MINUTES_PER_DAY + 600.0)
        _add(led, PARCEL_OUT, [NEAR, NEAR], [HUB, HUB], day)
        led.fetch(_add(led, FINANCE, [FAR, FAR], [FAR, FAR], day), day * MINUTES_PER_DAY + 700.0)
        led.deliver(_add(led, FINANCE, [NEAR], [NEAR], day), day * MINUTES_PER_DAY + 700.0)
    return led


def _record(ledger: Ledger, self_dropped: np.ndarray, trips: TripLog | None = None) -> RunRecord:
    return RunRecord(
        scenario=from_dict({"social": RATES, "self_pickup": {"parcels_per_trip": 1.5}}),
        seed=1,
        places=_places(),
        ledger=ledger,
        trips=trips or TripLog(),
        operations=("pooled",),
        dates=tuple(dt.date(2026, 1, 5) + dt.timedelta(days=d) for d in range(WINDOW.horizon_days)),
        window=WINDOW,
        events=0,
        wall_s=0.0,
        self_dropped=self_dropped,
        cash_lowest=np.zeros(2),
        finance_offered=np.ones(2, dtype=bool),
        bus_lines=0,
    )


def _hand_record() -> RunRecord:
    """:func:`_villagers_drive`, with one measured sender (and every unmeasured one) going
    to town with the parcel."""
    led = _villagers_drive()
    outbound = np.flatnonzero(led.flow == PARCEL_OUT)
    measured = WINDOW.contains(led.created_t[outbound] // MINUTES_PER_DAY)
    return _record(led, np.concatenate([outbound[measured][:1], outbound[~measured]]))


def test_villagers_km_by_purpose_by_hand():
    km = villager_km_per_day(_hand_record())
    # One measured day (day 1): 3 parcels x 20 km / 1.5 parcels a trip = 40 km; one sender
    # x 10 km; two withdrawals x 20 km = 40 km. Two measured days.
    assert km.self_pickup == pytest.approx(40.0 / 2)
    assert km.self_drop == pytest.approx(10.0 / 2)
    assert km.bank == pytest.approx(40.0 / 2)
    assert km.total == pytest.approx(45.0)


def test_social_kpis_by_hand():
    k = social_kpis(
        VillagerKm(self_pickup=20.0, self_drop=5.0, bank=20.0), from_dict({"social": RATES}).social
    )
    assert k["social.villager_km_per_day"] == pytest.approx(45.0)
    assert k["social.villager_hours_per_day"] == pytest.approx(45.0 / 25.0)  # 1.8 h
    assert k["social.villager_yuan_per_day"] == pytest.approx(45.0 * 0.5 + 1.8 * 20.0)  # 58.5
    assert k["social.co2_kg_per_day"] == pytest.approx(4.5)


def test_social_km_are_the_three_km_kpis_summed():
    k = compute_kpis(_hand_record())
    three = (
        k["last_km.villager_travel_km_per_day"],
        k["first_km.sender_travel_km_per_day"],
        k["finance.villager_travel_km_per_day"],
    )
    assert three == pytest.approx((20.0, 5.0, 20.0))
    assert k["social.villager_km_per_day"] == sum(three)
    assert k["social.villager_yuan_per_day"] == pytest.approx(58.5)
    assert k["cost.total_yuan_per_day"] == pytest.approx(k["cost.operator_yuan_per_day"] + 58.5)
    assert k["cost.total_co2_kg_per_day"] == pytest.approx(k["cost.co2_kg_per_day"] + 4.5)


def _van_day(trips: TripLog, day: int, cost_yuan: float, co2_per_km: float) -> None:
    """One van trip of 40 km on ``day`` (empty: only its cost and CO2 matter here)."""
    vehicle = (
        from_dict({})
        .vehicle_types["micro_van"]
        .model_copy(
            update={"cost_per_km": cost_yuan / 40.0, "cost_per_day": 0.0, "co2_kg_per_km": co2_per_km}
        )
    )
    trips.record(
        day=day,
        operator="pooled",
        kind="van",
        vehicle_name="micro_van",
        vehicle=vehicle,
        town="town",
        start_t=day * MINUTES_PER_DAY + 540.0,
        end_t=day * MINUTES_PER_DAY + 600.0,
        km=40.0,
        stops=2,
        flows=np.empty(0, dtype=np.int64),
        kg=np.empty(0),
        m3=np.empty(0),
        peak_load_share=0.0,
        fixed_cost=False,
        path=np.array([ST, NEAR, FAR, ST]),
    )


def test_a_mode_that_saves_vans_by_making_villagers_drive_shows_it():
    """Mode A sends a van to ``far`` every day (60 yuan, 6 kg CO2), so nobody fetches;
    mode B sends none and 6 parcels a day are fetched: 6 x 20 / 1.5 = 80 km a day, 3.2 h,
    80 x 0.5 + 3.2 x 20 = 104 yuan and 8 kg CO2 a day. B's operator cost is lower, its
    total cost higher."""
    van = TripLog()
    for day in (1, 2):
        _van_day(van, day, cost_yuan=60.0, co2_per_km=0.15)
    led_a = _villagers_drive(parcels_fetched=0)
    led_b = _villagers_drive(parcels_fetched=12)  # all on day 1: 6 a day over two days
    a = compute_kpis(_record(led_a, np.empty(0, dtype=np.int64), van))
    b = compute_kpis(_record(led_b, np.empty(0, dtype=np.int64)))
    bank = 20.0 * 0.5 + 20.0 / 25.0 * 20.0  # both modes: 20 km a day to the bank
    assert a["cost.operator_yuan_per_day"] == pytest.approx(60.0)
    assert b["cost.operator_yuan_per_day"] == pytest.approx(0.0)
    assert a["cost.total_yuan_per_day"] == pytest.approx(60.0 + bank)
    assert b["cost.total_yuan_per_day"] == pytest.approx(104.0 + bank)
    assert b["cost.total_yuan_per_day"] > a["cost.total_yuan_per_day"]
    assert a["cost.total_co2_kg_per_day"] == pytest.approx(6.0 + 2.0)  # van 40 km x 0.15 + bank
    assert b["cost.total_co2_kg_per_day"] == pytest.approx(8.0 + 2.0)  # 80 km x 0.1 + bank


def test_the_operator_cost_part_is_the_cost_kpis():
    rec = _hand_record()
    cost = cost_kpis(rec, items_measured=0)
    social = social_kpis(villager_km_per_day(rec), rec.scenario.social)
    totals = total_cost_kpis(cost, social)
    assert totals["cost.total_yuan_per_day"] == cost["cost.operator_yuan_per_day"] + 58.5
