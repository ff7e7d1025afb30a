"""Cost per flow by a driver (kpi.cost_driver), on hand-built run records.

Each trip's cost is shared among the flows it carried by their kg, m3 or item count. The
records are built by hand, the way ``sim.model.trip`` fills the trip log (one entry per
ledger row on board, more added on the way with ``add_load``), so every number below is
computed on paper.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim.kpi import cost_kpis
from sim.kpi.cost import MOVING_FLOWS, flow_cost_yuan
from sim.records import Ledger, MeasuredWindow, Places, RunRecord, TripLog
from sim.records.ledger import FINANCE, FLOW_NAMES, PARCEL_IN, PRODUCE, SUPPLY
from sim.scenario import from_dict
from sim.units import MINUTES_PER_DAY

DRIVERS = ("kg", "m3", "items")
WINDOW = MeasuredWindow(warmup_days=1, demand_days=3, horizon_days=5)  # days 1 and 2 count


def _places() -> Places:
    """A hub, one town station and one village, 10 km apart in a row."""
    km = np.array([[0.0, 10.0, 20.0], [10.0, 0.0, 10.0], [20.0, 10.0, 0.0]])
    return Places(
        nodes=("hub", "st", "v"),
        km=km,
        xy=np.zeros((3, 2)),
        road_xy=np.zeros((0, 2, 2)),
        hub=0,
        towns=("town",),
        station=np.array([1]),
        villages=np.array([2]),
        village_town=np.array([0]),
        village_population=np.array([500]),
        pois=np.array([], dtype=np.int64),
        poi_town=np.array([], dtype=np.int64),
    )


def _record(ledger: Ledger, trips: TripLog, driver: str) -> RunRecord:
    return RunRecord(
        scenario=from_dict({"kpi": {"cost_driver": driver}}),
        seed=1,
        places=_places(),
        ledger=ledger,
        trips=trips,
        operations=("pooled",),
        dates=tuple(dt.date(2026, 1, 5) + dt.timedelta(days=d) for d in range(WINDOW.horizon_days)),
        window=WINDOW,
        events=0,
        wall_s=0.0,
        self_dropped=np.empty(0, dtype=np.int64),
        cash_lowest=np.zeros(1),
        finance_offered=np.zeros(1, dtype=bool),
        bus_lines=0,
    )


def _items(ledger: Ledger, flow: int, kg: list[float], m3: list[float], day: int = 1) -> np.ndarray:
    """Ledger rows of one flow created on ``day``, one per entry of ``kg``."""
    return ledger.add(
        flow=flow,
        operator=0,
        origin=1,
        destination=2,
        created_t=day * MINUTES_PER_DAY + 360.0,
        weight_kg=kg,
        volume_m3=m3,
        deadline_t=day * MINUTES_PER_DAY + 3240.0,
    )


def _trip(trips: TripLog, ledger: Ledger, rows: np.ndarray, cost_yuan: float, day: int = 1) -> int:
    """A trip of ``day`` carrying ``rows`` (as ``Trip`` records it), costing ``cost_yuan``."""
    return trips.record(
        day=day,
        operator="pooled",
        kind="van",
        vehicle_name="micro_van",
        vehicle=None,
        town="town",
        start_t=day * MINUTES_PER_DAY + 540.0,
        end_t=day * MINUTES_PER_DAY + 600.0,
        km=20.0,
        stops=1,
        flows=ledger.flow[rows],
        kg=ledger.weight_kg[rows],
        m3=ledger.volume_m3[rows],
        peak_load_share=0.5,
        fixed_cost=False,
        path=np.array([1, 2, 1]),
        cost_yuan=cost_yuan,
    )


def _van_with_a_supply_case(pieces: int) -> tuple[Ledger, TripLog]:
    """One 120-yuan trip with two 1 kg parcels and a 10 kg, 0.03 m3 supply case, the case
    recorded as ``pieces`` ledger rows sharing its kg and m3 equally."""
    ledger, trips = Ledger(), TripLog()
    parcels = _items(ledger, PARCEL_IN, [1.0, 1.0], [0.005, 0.005])
    case = _items(ledger, SUPPLY, [10.0 / pieces] * pieces, [0.03 / pieces] * pieces)
    _trip(trips, ledger, np.concatenate([parcels, case]), 120.0)
    return ledger, trips


def _flow_cost(ledger: Ledger, trips: TripLog, driver: str) -> dict[str, float]:
    table = _record(ledger, trips, driver).trip_table()
    return flow_cost_yuan(table, table["measured"], driver)


def test_the_trip_log_keeps_items_kg_and_m3_of_each_flow_also_when_loaded_on_the_way():
    ledger, trips = Ledger(), TripLog()
    parcels = _items(ledger, PARCEL_IN, [1.0, 2.0], [0.004, 0.008])
    case = _items(ledger, SUPPLY, [10.0], [0.03])
    lot = _items(ledger, PRODUCE, [20.0], [0.1])
    trip = _trip(trips, ledger, np.concatenate([parcels, case]), 50.0)
    trips.add_load(trip, ledger.flow[lot], ledger.weight_kg[lot], ledger.volume_m3[lot])
    t = trips.table()
    assert t["items"][0] == 4 and t["kg"][0] == pytest.approx(33.0)
    assert (t["items_parcel_in"][0], t["items_supply"][0], t["items_produce"][0]) == (2, 1, 1)
    assert (t["kg_parcel_in"][0], t["kg_supply"][0], t["kg_produce"][0]) == pytest.approx((3.0, 10.0, 20.0))
    assert (t["m3_parcel_in"][0], t["m3_supply"][0], t["m3_produce"][0]) == pytest.approx((0.012, 0.03, 0.1))
    assert t["kg_parcel_out"][0] == 0.0 and t["m3_finance"][0] == 0.0


def test_each_driver_shares_the_trip_cost_by_what_each_flow_carried():
    ledger, trips = _van_with_a_supply_case(pieces=1)
    # kg: parcels 2 of 12 kg; m3: 0.01 of 0.04 m3; items: 2 of 3.
    assert _flow_cost(ledger, trips, "kg")["parcel_in"] == pytest.approx(120.0 * 2 / 12)
    assert _flow_cost(ledger, trips, "kg")["supply"] == pytest.approx(120.0 * 10 / 12)
    assert _flow_cost(ledger, trips, "m3")["supply"] == pytest.approx(120.0 * 0.03 / 0.04)
    assert _flow_cost(ledger, trips, "items")["supply"] == pytest.approx(120.0 / 3)


@pytest.mark.parametrize("driver", ["kg", "m3"])
def test_splitting_a_supply_case_in_two_moves_no_cost_by_kg_or_m3(driver):
    whole = _flow_cost(*_van_with_a_supply_case(pieces=1), driver)
    split = _flow_cost(*_van_with_a_supply_case(pieces=2), driver)
    assert split == pytest.approx(whole)


def test_splitting_a_supply_case_in_two_moves_cost_by_item_count():
    whole = _flow_cost(*_van_with_a_supply_case(pieces=1), "items")
    split = _flow_cost(*_van_with_a_supply_case(pieces=2), "items")
    assert whole["supply"] == pytest.approx(40.0)  # 1 of 3 items
    assert split["supply"] == pytest.approx(60.0)  # 2 of 4 items


@pytest.mark.parametrize("driver", DRIVERS)
def test_trips_with_only_finance_rows_or_nothing_are_borne_by_no_flow(driver):
    ledger, trips = _van_with_a_supply_case(pieces=1)
    alone = _flow_cost(ledger, trips, driver)
    finance = _items(ledger, FINANCE, [0.0, 0.0], [0.0, 0.0])
    _trip(trips, ledger, finance, 70.0)
    _trip(trips, ledger, np.empty(0, dtype=np.int64), 30.0)
    assert _flow_cost(ledger, trips, driver) == pytest.approx(alone)
    k = cost_kpis(_record(ledger, trips, driver), items_measured=3)
    assert k["cost.operator_yuan_per_day"] == pytest.approx((120.0 + 70.0 + 30.0) / WINDOW.days)


@pytest.mark.parametrize("driver", DRIVERS)
def test_trips_outside_the_measured_window_are_left_out(driver):
    ledger, trips = _van_with_a_supply_case(pieces=1)
    inside = _flow_cost(ledger, trips, driver)
    early = _items(ledger, SUPPLY, [10.0], [0.03], day=0)
    late = _items(ledger, PARCEL_IN, [1.0], [0.005], day=3)
    _trip(trips, ledger, early, 500.0, day=0)  # warm-up
    _trip(trips, ledger, late, 500.0, day=3)  # drain
    assert _flow_cost(ledger, trips, driver) == pytest.approx(inside)


def test_a_trip_of_weightless_items_is_shared_by_its_items():
    ledger, trips = Ledger(), TripLog()
    rows = np.concatenate(
        [_items(ledger, PARCEL_IN, [0.0], [0.0]), _items(ledger, PRODUCE, [0.0, 0.0], [0.0, 0.0])]
    )
    _trip(trips, ledger, rows, 90.0)
    got = _flow_cost(ledger, trips, "kg")
    assert (got["parcel_in"], got["produce"]) == pytest.approx((30.0, 60.0))


def _mixed_log() -> tuple[Ledger, TripLog]:
    """Several measured trips of every moving flow (one loaded on the way), an empty trip,
    a finance-only trip and trips outside the window."""
    ledger, trips = Ledger(), TripLog()
    rng = np.random.default_rng(3)
    for day in (0, 1, 2, 3):
        for _ in range(3):
            flows = rng.integers(0, len(MOVING_FLOWS), size=5)
            kg = rng.uniform(0.5, 12.0, size=5)
            rows = np.concatenate(
                [_items(ledger, int(f), [w], [w * 0.004], day) for f, w in zip(flows, kg, strict=True)]
            )
            trip = _trip(trips, ledger, rows[:3], float(rng.uniform(20, 200)), day)
            more = rows[3:]  # picked up on the way
            trips.add_load(trip, ledger.flow[more], ledger.weight_kg[more], ledger.volume_m3[more])
        _trip(trips, ledger, np.empty(0, dtype=np.int64), 45.0, day)
        _trip(trips, ledger, _items(ledger, FINANCE, [0.0], [0.0], day), 15.0, day)
    return ledger, trips


@pytest.mark.parametrize("driver", DRIVERS)
def test_the_flows_costs_add_up_to_the_measured_trips_that_carried_something(driver):
    ledger, trips = _mixed_log()
    rec = _record(ledger, trips, driver)
    t = rec.trip_table()
    carried = t["measured"] & (sum(t[f"items_{f}"] for f in MOVING_FLOWS) > 0)
    want = float(t["cost_yuan"][carried].sum())
    assert sum(flow_cost_yuan(t, t["measured"], driver).values()) == pytest.approx(want)
    k = cost_kpis(rec, items_measured=30, flow_items=dict.fromkeys(MOVING_FLOWS, 10))
    per_day = sum(k[f"cost.{f}_yuan_per_day"] for f in MOVING_FLOWS)
    assert per_day == pytest.approx(want / WINDOW.days)
    assert k["cost.operator_yuan_per_day"] == pytest.approx((want + 2 * (45.0 + 15.0)) / WINDOW.days)
    for f in MOVING_FLOWS:
        assert k[f"cost.{f}_yuan_per_item"] == pytest.approx(k[f"cost.{f}_yuan_per_day"] * WINDOW.days / 10)


def test_a_run_fills_the_per_flow_columns_and_its_flow_costs_add_up():
    """The model fills ``kg_``/``m3_`` at the start of a trip and on the way (trunks)."""
    import sim

    base = sim.load(Path(__file__).resolve().parents[2] / "scenarios" / "lishui.toml")
    s = sim.scenario.derive(base, {"days": 3, "warmup_days": 1, "network": {"n_villages": 20}})
    result = sim.run(s, 1)
    t = result.trips
    assert np.allclose(sum(t[f"kg_{f}"] for f in FLOW_NAMES), t["kg"])
    assert (sum(t[f"items_{f}"] for f in FLOW_NAMES) == t["items"]).all()
    assert t.loc[t["kind"] == "trunk", "m3_parcel_in"].sum() > 0
    measured = (t["day"] >= s.warmup_days) & (t["day"] < s.days)
    carried = measured & (sum(t[f"items_{f}"] for f in MOVING_FLOWS) > 0)
    per_day = sum(result.kpis[f"cost.{f}_yuan_per_day"] for f in MOVING_FLOWS)
    days = s.days - s.warmup_days
    vans_carried = set(t.loc[carried & (t["kind"] == "van"), "operator"])
    standing = sum(f.standing_yuan(days) for f in result.record.fleets if f.operator in vans_carried)
    assert standing > 0  # the pooled vans are owned
    assert per_day == pytest.approx((t.loc[carried, "cost_yuan"].sum() + standing) / days)


def test_cost_per_day_of_each_flow_by_kg():
    """One 120-yuan trip in the 2-day window with 2 kg of parcels and a 10 kg supply case:
    parcels bear 120 x 2/12 = 20 yuan, supply 100 yuan, over 2 measured days."""
    ledger, trips = _van_with_a_supply_case(pieces=1)
    k = cost_kpis(_record(ledger, trips, "kg"), items_measured=3)
    assert k["cost.parcel_in_yuan_per_day"] == pytest.approx(20.0 / 2)
    assert k["cost.supply_yuan_per_day"] == pytest.approx(100.0 / 2)
    assert k["cost.parcel_out_yuan_per_day"] == 0.0
    assert k["cost.produce_yuan_per_day"] == 0.0


@pytest.mark.parametrize("driver", ["kg", "m3", "items"])
def test_a_driver_given_to_cost_kpis_overrides_the_scenarios(driver):
    """The same record read by another driver gives what a scenario with that driver gives."""
    ledger, trips = _van_with_a_supply_case(pieces=1)
    by_scenario = cost_kpis(_record(ledger, trips, driver), items_measured=3)
    other = "items" if driver != "items" else "kg"
    overridden = cost_kpis(_record(ledger, trips, other), items_measured=3, driver=driver)
    assert overridden == pytest.approx(by_scenario, nan_ok=True)
