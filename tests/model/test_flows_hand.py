"""The five flows on a county small enough to compute by hand (project issue 3).

Road network (speeds given, so minutes are exact; every vehicle has speed factor 1)::

    hub --10 km @ 60 km/h (10 min)-- st --6 km @ 30 (12 min)-- A --4 km @ 30 (8 min)-- B
                                                                |
                                                     1 km @ 30  F (a farm of A)

One town T with station ``st``; villages A and B have 1,000 residents each. In the base
scenario below every flow is switched off; each test turns on the one it checks, so every
number is derived from the scenario written here, never copied from a run.

Shared timings (base scenario): a parcel or case created at the hub at 06:00 is sorted
by 07:00 (``hub.sort_min`` 60), leaves on the trunk at 07:30, reaches the station at
07:40 and is sorted there by 08:10 (``stations.sort_min`` 30). A van leaving the station
at 09:00 reaches A at 09:12 and B (via A) at 09:20 when it goes there directly; a stop
takes 5 min plus 15 s per item. The afternoon collection trunk leaves the hub at 15:00,
is at the station at 15:10 and back at the hub at 15:20. The cooperative's truck (separate
mode) starts at the hub: hub -> A is 22 min, hub -> B 30 min.
"""

from __future__ import annotations

import copy
import tomllib

import numpy as np
import pytest

import sim
from sim.records.ledger import DELIVERED, EXPIRED, FETCHED, FINANCE, PARCEL_IN, PARCEL_OUT, PRODUCE, SUPPLY

NODES = """\
id,kind,x,y,population,town,name,village,crops
hub,county_hub,0,0,0,T,Hub,,
st,town_station,10,0,0,T,Station,,
A,village,10,6,1000,T,A,,
B,village,10,10,1000,T,B,,
F,farm,11,6,0,T,Farm,A,"quick,keeps"
"""
EDGES = """\
source,target,road_class,length_km,speed_kmh
hub,st,county,10,60
st,A,town,6,30
A,B,village,4,30
A,F,village,1,30
"""

BASE = """\
name = "flows"
mode = "integrated"
days = 2
warmup_days = 0
seed = 3
start_date = 2026-01-05   # a Monday

[network]
source = "csv"
nodes_csv = "nodes.csv"
edges_csv = "edges.csv"

[vehicle_types.van]
capacity_parcels = 50
capacity_kg = 500.0
capacity_m3 = 5.0
speed_factor = 1.0
cost_per_km = 1.0
co2_kg_per_km = 0.2

[vehicle_types.truck]
capacity_parcels = 500
capacity_kg = 5000.0
capacity_m3 = 50.0
speed_factor = 1.0
cost_per_km = 2.0
co2_kg_per_km = 0.4

[parcels]
fixed_per_village = {}
weight_median_kg = 1.0
weight_sigma = 0.0
m3_per_kg = 0.01
promotion_dates = []

[[carriers]]
name = "postal"
kind = "postal"
share = 1.0
linehaul_arrival = "06:00"
vans_per_town = 1
vehicle = "van"

[hub]
sort_min = 60.0
trunk_departure = "07:30"
trunk_vehicle = "truck"
collection_departure = "15:00"

[stations]
sort_min = 30.0
dispatch_times = ["09:00"]

[operations]
shift_hours = 8.0
stop_service_min = 5.0
handling_sec_per_parcel = 15.0

[integrated]
vans_per_town = 1
vehicle = "van"

# Every flow off; the tests switch on what they check.
[supply]
vehicle = "truck"
trucks = 1
kg_per_resident_per_week = 0.0
farm_inputs = []
[produce]
crops = []
[outbound]
per_1000_residents_per_day = 0.0
[finance]
per_1000_residents_per_day = 0.0
[bus]
generate_per_town = 0
[poi]
parcels_per_day = 0.0
[variability]
enabled = false   # hand-computed times
"""

DAY = 1440.0


def _merge(base: dict, changes: dict) -> dict:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


@pytest.fixture
def county(tmp_path):
    """A function building a scenario on the hand county: the base plus ``changes`` (nested)."""
    (tmp_path / "nodes.csv").write_text(NODES)
    (tmp_path / "edges.csv").write_text(EDGES)

    def make(**changes) -> sim.Scenario:
        data = _merge(tomllib.loads(BASE), copy.deepcopy(changes))
        return sim.from_dict(data, path=tmp_path / "flows.toml")

    return make


def node_names(result: sim.Result, column: np.ndarray) -> np.ndarray:
    return np.array(result.world.nodes)[column]


def clock(t: np.ndarray | float) -> np.ndarray:
    """Minutes after midnight of the day."""
    return np.asarray(t) % DAY


def op_of_trip(result: sim.Result, rows: np.ndarray) -> np.ndarray:
    return result.trips.operator.to_numpy()[result.record.ledger.trip[rows]]


# ----------------------------------------------------------------------------- bus cargo
BUS_LINE = {
    "name": "L",
    "stops": ["st", "A"],
    "departures": ["06:30", "08:30", "10:30"],
    "freight_departures": ["08:30", "10:30"],
    "speed_factor": 0.5,
    "dwell_min": 1.0,
    "handover_min": 2.0,
    "cargo_parcels": 2,
}
THREE_CARRIERS = [  # one parcel a day for A from each, arriving at the hub at three times
    {"name": "early", "kind": "postal", "share": 0.34, "linehaul_arrival": "05:00", "vehicle": "van"},
    {"name": "late", "share": 0.33, "linehaul_arrival": "06:00", "vehicle": "van"},
    {"name": "middle", "share": 0.33, "linehaul_arrival": "05:30", "vehicle": "van"},
]


@pytest.mark.parametrize("van_leaves", ["09:00", "12:00"])
def test_parcels_catch_the_first_bus_trip_with_room(county, van_leaves):
    """Bus line L: st -> A -> st, speed factor 0.5, stops take dwell 1 + hand-over 2 min.

    ``_run_from_stops``: seq = [st, A, st]; each leg is 12 min / 0.5 = 24 min; offsets are
    the cumulative (leg + stop time) minus the stop time at the stop itself:
    [0, 24, 24 + 3 + 24] = [0, 24, 51]. So the 08:30 trip hands over at A at 08:54 and
    is back at 09:21; the 10:30 trip hands over at 10:54.

    Three parcels for A arrive at the hub at 05:00, 05:30 and 06:00, ride the 07:30 trunk
    and are ready at the station at 08:10. The 08:30 bus reaches A (08:54) before the van
    (09:00 + 12 = 09:12, or 12:12) and has room for 2: the two oldest go, the 05:00 and
    05:30 parcels. The 06:00 parcel: with a van at 09:00 the van is sooner than the 10:30
    bus and delivers it at 09:12; with the van at 12:00 the 10:30 bus takes it (10:54).
    Fee: 10 yuan per line-day once, plus 0.5 yuan per item.
    """
    scenario = county(
        carriers=THREE_CARRIERS,
        parcels={"fixed_per_village": {"A": 1}},
        stations={"dispatch_times": [van_leaves]},
        bus={"fee_per_line_day": 10.0, "fee_per_item": 0.5, "lines": [BUS_LINE]},
    )
    result = sim.run(scenario)
    led, trips = result.record.ledger, result.trips
    assert result.record.bus_lines == 1
    assert (led.status == DELIVERED).all()
    carrier = np.array([c["name"] for c in THREE_CARRIERS])[led.operator]
    handover = clock(led.delivered_t)
    kind = trips.kind.to_numpy()[led.trip]
    third_at = 9 * 60 + 12.0 if van_leaves == "09:00" else 10 * 60 + 54.0
    for name, at, by in [
        ("early", 8 * 60 + 54.0, "bus"),
        ("middle", 8 * 60 + 54.0, "bus"),
        ("late", third_at, "van" if van_leaves == "09:00" else "bus"),
    ]:
        mine = carrier == name
        assert mine.sum() == 2  # one a day, two days
        assert np.allclose(handover[mine], at), name
        assert (kind[mine] == by).all(), name

    bus = trips[trips.kind == "bus"].sort_values("start_t")
    per_day = 2 if van_leaves == "12:00" else 1
    assert len(bus) == 2 * per_day
    assert np.allclose(clock(bus.start_t), [8.5 * 60, 10.5 * 60][:per_day] * 2)
    assert np.allclose(bus.end_t - bus.start_t, 51.0)
    assert np.allclose(bus.km, 12.0)  # 6 km out and back
    assert list(bus["items"]) == [2, 1][:per_day] * 2
    assert np.allclose(bus.cost_yuan, [10.0 + 2 * 0.5, 1 * 0.5][:per_day] * 2)  # fee once per line-day
    k = result.kpis
    bus_items = 2 + (1 if van_leaves == "12:00" else 0)
    assert k["bus.items_per_day"] == bus_items
    assert k["bus.cargo_trips_per_day"] == per_day
    assert k["bus.fee_yuan_per_day"] == pytest.approx(10.0 + 0.5 * bus_items)
    assert k["bus.utilisation"] == pytest.approx(np.mean([2 / 2, 1 / 2][:per_day]))
    # Buses run anyway: only the trunk (20 km) and the van (12 km when it runs) count.
    assert k["cost.vehicle_km_per_day"] == pytest.approx(20.0 + (12.0 if van_leaves == "09:00" else 0.0))


def test_no_freight_on_a_departure_not_marked_for_freight(county):
    """Same line, freight only on the 10:30 trip: the 08:30 trip takes nothing; all three
    parcels (room 2) are split 2 on the 10:30 bus (10:54) and 1 on the 12:00 van (12:12)."""
    line = {**BUS_LINE, "freight_departures": ["10:30"]}
    scenario = county(
        carriers=THREE_CARRIERS,
        parcels={"fixed_per_village": {"A": 1}},
        stations={"dispatch_times": ["12:00"]},
        bus={"lines": [line]},
    )
    result = sim.run(scenario)
    led = result.record.ledger
    handover = np.sort(clock(led.delivered_t[: len(led) // 2]))
    assert np.allclose(handover, [10 * 60 + 54, 10 * 60 + 54, 12 * 60 + 12])


# ----------------------------------------------------------------------------- produce
def crop(name: str, shelf_life_hours: float) -> dict:
    # One crate per lot (crate_kg far above a lot), harvested at 07:00 all year round.
    return {
        "name": name,
        "season_start": "01-01",
        "season_end": "12-31",
        "kg_per_farm_per_day": 10.0,
        "shelf_life_hours": shelf_life_hours,
        "harvest_time": "07:00",
        "crate_kg": 1000.0,
    }


@pytest.mark.parametrize("mode", ["integrated", "separate"])
def test_produce_missing_its_shelf_life_is_spoiled_the_other_delivered(county, mode):
    """Farm F (of village A) grows "quick" (shelf life 2 h) and "keeps" (24 h); both are
    handed in at A at 07:00 each day, one crate per lot.

    Vehicles leave at 10:00. "quick" is due at 09:00: when the vehicle takes the waiting
    lots at 10:00 it is spoiled and recorded EXPIRED where it waits (A), at 09:00.
    "keeps": integrated, the van picks it up at A at 10:12 and is back at the station at
    10:12 + 5.25 + 12 = 10:29.25, sorted by 10:59.25; the 15:00 collection trunk loads it at
    15:10 and hands it over at the hub at 15:20. Separate, the cooperative's truck leaves
    the hub at 10:00, picks up at 10:22, and is back at the hub at 10:22 + 5.25 + 22 =
    10:49.25.
    """
    scenario = county(
        mode=mode,
        produce={"crops": [crop("quick", 2.0), crop("keeps", 24.0)]},
        stations={"dispatch_times": ["10:00"]},
        supply={"dispatch_time": "10:00"},
    )
    result = sim.run(scenario)
    led, k = result.record.ledger, result.kpis
    assert (led.flow == PRODUCE).all() and len(led) == 4  # 2 crops x 2 days
    shelf_h = (led.deadline_t - led.created_t) / 60.0
    quick, keeps = shelf_h == 2.0, shelf_h == 24.0
    assert quick.sum() == keeps.sum() == 2
    assert (led.status[quick] == EXPIRED).all()
    assert np.allclose(clock(led.delivered_t[quick]), 9 * 60.0)
    assert (node_names(result, led.location[quick]) == "A").all()
    assert (led.status[keeps] == DELIVERED).all()
    arrive = 15 * 60 + 20.0 if mode == "integrated" else 10 * 60 + 49.25
    assert np.allclose(clock(led.delivered_t[keeps]), arrive)
    assert np.allclose(clock(led.picked_t[keeps]), 10 * 60 + (12.0 if mode == "integrated" else 22.0))
    assert (led.delivered_t[keeps] <= led.deadline_t[keeps]).all()
    kg = led.weight_kg
    assert k["first_km.spoiled_kg_per_day"] == pytest.approx(kg[quick].sum() / 2)
    assert k["first_km.fresh_share"] == pytest.approx(kg[keeps].sum() / kg.sum())
    assert k["first_km.produce_kg_per_day"] == pytest.approx(kg.sum() / 2)
    assert k["first_km.village_coverage"] == 0.0  # "quick" lots are never picked up
    assert k["first_km.produce_hours_to_hub_p50"] == pytest.approx((arrive - 7 * 60) / 60.0)


def test_produce_collected_on_time_covers_its_village(county):
    """Vehicles at 09:00 instead: "quick" (due 09:00) is taken at 09:00 (not yet spoiled)
    with "keeps" (two crates: 5 + 2 x 0.25 min at A), reaches the station at 09:00 + 12 +
    5.5 + 12 = 09:29.5, past its shelf life: it is spoiled on arrival there. With shelf lives of
    12 h and 24 h both crops reach the hub at 15:20 (8 h 20 min after harvest)."""
    scenario = county(produce={"crops": [crop("quick", 2.0), crop("keeps", 24.0)]})
    result = sim.run(scenario)
    led = result.record.ledger
    quick = (led.deadline_t - led.created_t) == 120.0
    assert (led.status[quick] == EXPIRED).all()
    assert np.allclose(clock(led.delivered_t[quick]), 9 * 60 + 29.5)
    assert (node_names(result, led.location[quick]) == "st").all()

    scenario = county(produce={"crops": [crop("quick", 12.0), crop("keeps", 24.0)]})
    result = sim.run(scenario)
    led, k = result.record.ledger, result.kpis
    assert (led.status == DELIVERED).all()
    assert np.allclose(clock(led.delivered_t), 15 * 60 + 20.0)
    assert k["first_km.fresh_share"] == 1.0
    assert k["first_km.spoiled_kg_per_day"] == 0.0
    assert k["first_km.village_coverage"] == 1.0


def test_bus_collects_produce_on_its_way_back(county):
    """Bus line L (offsets [0, 24, 51]) on its 08:30 trip reaches A at 08:54 and is back at the
    station at 09:21, before the 10:00 van: it collects both lots harvested at 07:00 (room 2).
    "quick" (due 09:00) is past its shelf life on arrival at the station (09:21) and spoils
    there; "keeps" is sorted by 09:51 and reaches the hub on the 15:00 trunk at 15:20."""
    scenario = county(
        produce={"crops": [crop("quick", 2.0), crop("keeps", 24.0)]},
        stations={"dispatch_times": ["10:00"]},
        bus={"fee_per_line_day": 10.0, "lines": [BUS_LINE]},
    )
    result = sim.run(scenario)
    led, trips = result.record.ledger, result.trips
    quick = (led.deadline_t - led.created_t) == 120.0
    assert np.allclose(clock(led.picked_t), 8 * 60 + 54.0)
    assert (led.status[quick] == EXPIRED).all()
    assert np.allclose(clock(led.delivered_t[quick]), 9 * 60 + 21.0)
    assert (node_names(result, led.location[quick]) == "st").all()
    assert (led.status[~quick] == DELIVERED).all()
    assert np.allclose(clock(led.delivered_t[~quick]), 15 * 60 + 20.0)
    bus = trips[trips.kind == "bus"]
    assert len(bus) == 2 and list(bus["items_produce"]) == [2, 2] and np.allclose(bus.cost_yuan, 10.0)
    assert "van" not in set(trips.kind)


# ----------------------------------------------------------------------------- finance
CASH = {
    "per_1000_residents_per_day": 6.0,
    "withdrawal_share": 1.0,
    "amount_median_yuan": 400.0,
    "amount_sigma": 0.0,
    "cash_start_yuan": 1000.0,
    "cash_target_yuan": 2000.0,
}


def expected_cash(counts: np.ndarray, visit_before: bool, visited: bool) -> tuple[np.ndarray, float]:
    """Served withdrawals of 400 per day and the lowest balance, by the rule of the model.

    The box starts at 1,000; a visit brings it to 2,000, before the day's withdrawals when
    the van comes first, otherwise after them (ready for the next day).
    """
    balance, lowest, served = 1000.0, 1000.0, []
    for n in counts:
        if visited and visit_before:
            balance = 2000.0
        k = min(int(n), int(balance // 400))
        served.append(k)
        balance -= 400.0 * k
        lowest = min(lowest, balance)
        if visited and not visit_before:
            balance = 2000.0
    return np.array(served), lowest


@pytest.mark.parametrize("opening", ["08:00", "10:00"])
def test_withdrawals_beyond_the_cash_go_to_town_and_visits_top_up(county, opening):
    """Withdrawals of exactly 400 yuan, all at ``opening`` (open_from = open_until), Poisson
    counts (6 per 1,000 residents a day). One parcel a day for A brings the van to A at 09:12;
    B is never visited. A's box is topped up to 2,000 by each visit: at 10:00 the visit came
    first (5 withdrawals served a day); at 08:00 it comes after (day 0 serves 2 of the 1,000
    start, later days 5). B serves 2 on its first day and never again (200 left).
    Fetched transactions take the villager to the station and back at 0.8 x road speed:
    A 2 x 12 / 0.8 = 30 min, B 2 x 20 / 0.8 = 50 min.
    """
    days = 3
    scenario = county(
        days=days,
        parcels={"fixed_per_village": {"A": 1}},
        finance={**CASH, "open_from": opening, "open_until": opening},
    )
    result = sim.run(scenario)
    raw, k = result.record, result.kpis
    led = raw.ledger
    fin = np.flatnonzero(led.flow == FINANCE)
    assert np.allclose(clock(led.created_t[fin]), int(opening[:2]) * 60.0)
    village = node_names(result, led.origin[fin])
    day = (led.created_t[fin] // DAY).astype(int)
    served_total, fetched_km = 0, 0.0
    lowest = {}
    for name, km, trip_min, visited in [("A", 6.0, 30.0, True), ("B", 10.0, 50.0, False)]:
        here = village == name
        counts = np.bincount(day[here], minlength=days)
        want, lowest[name] = expected_cash(counts, visit_before=opening == "10:00", visited=visited)
        got = np.bincount(day[here & (led.status[fin] == DELIVERED)], minlength=days)
        assert got.tolist() == want.tolist(), name
        fetched = fin[here & (led.status[fin] == FETCHED)]
        assert len(fetched) == counts.sum() - want.sum()
        assert np.allclose(led.delivered_t[fetched] - led.created_t[fetched], trip_min)
        served_total += want.sum()
        fetched_km += 2 * km * len(fetched)
    assert served_total < len(fin), "the scenario must run out of cash somewhere"
    assert np.isin(led.status[fin], (DELIVERED, FETCHED)).all()
    served = fin[led.status[fin] == DELIVERED]
    assert np.array_equal(led.delivered_t[served], led.created_t[served])  # served on the spot
    assert k["finance.local_share"] == pytest.approx(served_total / len(fin))
    assert k["finance.villager_travel_km_per_day"] == pytest.approx(fetched_km / days)
    assert (raw.cash_lowest >= 0).all()
    names = node_names(result, result.world.points)
    assert raw.cash_lowest[names == "A"][0] == lowest["A"]
    assert raw.cash_lowest[names == "B"][0] == lowest["B"]
    assert k["finance.lowest_cash_yuan"] == min(lowest.values())


def test_no_village_counter_in_separate_mode_unless_offered(county):
    """Separate mode: no counter (all fetched); with ``offered_in_separate`` the postal
    van's visits top A up just as the pooled van did (withdrawals at 10:00)."""
    fin = {**CASH, "open_from": "10:00", "open_until": "10:00"}
    common = {"mode": "separate", "days": 3, "parcels": {"fixed_per_village": {"A": 1}}}
    result = sim.run(county(**common, finance=fin))
    led = result.record.ledger
    rows = np.flatnonzero(led.flow == FINANCE)
    assert (led.status[rows] == FETCHED).all()
    assert result.kpis["finance.local_share"] == 0.0

    result = sim.run(county(**common, finance={**fin, "offered_in_separate": True}))
    led = result.record.ledger
    rows = np.flatnonzero(led.flow == FINANCE)
    at_a = node_names(result, led.origin[rows]) == "A"
    day = (led.created_t[rows] // DAY).astype(int)
    want, _ = expected_cash(np.bincount(day[at_a], minlength=3), visit_before=True, visited=True)
    got = np.bincount(day[at_a & (led.status[rows] == DELIVERED)], minlength=3)
    assert got.tolist() == want.tolist()
    assert (result.record.cash_lowest >= 0).all()


# ----------------------------------------------------------------------------- outbound
OUTBOUND = {
    "per_1000_residents_per_day": 2.0,
    "created_from": "08:00",
    "created_until": "08:00",
    "cutoff": "18:00",
    "self_drop_hours_max": 0.0,
}


def test_outbound_collected_by_van_makes_the_cutoff_except_on_days_without_a_van(county):
    """Outbound parcels handed in at 08:00 in A and B. The 09:00 van collects them (A 09:12,
    B 09:20 on a direct run), the 15:00 collection trunk brings them to the hub at 15:20,
    before the 18:00 cut-off. No van runs on Wednesday: Wednesday's parcels are collected
    on Thursday and reach the hub Thursday 15:20, a day past their cut-off."""
    days = 4  # Mon .. Thu
    scenario = county(days=days, outbound=OUTBOUND, integrated={"van_days": ["mon", "tue", "thu"]})
    result = sim.run(scenario)
    led, k = result.record.ledger, result.kpis
    assert (led.flow == PARCEL_OUT).all() and (led.status == DELIVERED).all()
    assert (node_names(result, led.location) == "hub").all()
    created_day = (led.created_t // DAY).astype(int)
    arrival_day = np.where(created_day == 2, 3, created_day)
    assert np.allclose(led.delivered_t, arrival_day * DAY + 15 * 60 + 20)
    assert (clock(led.picked_t) >= 9 * 60 + 12).all() and (clock(led.picked_t) <= 9 * 60 + 40).all()
    made = created_day != 2
    assert 0 < made.sum() < len(led)
    assert k["first_km.outbound_cutoff_share"] == pytest.approx(made.mean())
    assert k["first_km.outbound_per_day"] == pytest.approx(len(led) / days)
    assert k["first_km.sender_travel_km_per_day"] == 0.0


def test_senders_take_parcels_to_town_where_the_carrier_does_not_collect(county):
    """Separate mode, two carriers: "postal" collects everywhere, "exp" in no village
    (``in_village_min_parcels_per_day`` 1 above its expected 0 inbound). exp's senders take
    their parcels to the station at once (self_drop_hours_max 0): 2 x 6 km from A, 2 x 10 km
    from B, per parcel. Both reach the hub on the 15:00 collection trunks at 15:20."""
    days = 2
    carriers = [
        {"name": "postal", "kind": "postal", "share": 0.5, "vehicle": "van"},
        {"name": "exp", "share": 0.5, "vehicle": "van", "in_village_min_parcels_per_day": 1.0},
    ]
    scenario = county(mode="separate", days=days, outbound=OUTBOUND, carriers=carriers)
    result = sim.run(scenario)
    led, k, trips = result.record.ledger, result.kpis, result.trips
    assert (led.status == DELIVERED).all()
    assert np.allclose(clock(led.delivered_t), 15 * 60 + 20)
    exp = led.operator == 1
    assert exp.any() and (~exp).any()
    # exp's parcels never ride a van: picked up by exp's trunk at the station at 15:10.
    assert np.allclose(clock(led.picked_t[exp]), 15 * 60 + 10)
    assert (trips.kind.to_numpy()[led.trip[exp]] == "trunk").all()
    assert (op_of_trip(result, np.flatnonzero(exp)) == "exp").all()
    assert set(trips[trips.operator == "exp"].kind) == {"trunk"}
    assert np.array_equal(np.sort(result.record.self_dropped), np.flatnonzero(exp))
    origin = node_names(result, led.origin[exp])
    km = np.where(origin == "A", 12.0, 20.0).sum()
    assert k["first_km.sender_travel_km_per_day"] == pytest.approx(km / days)
    assert k["first_km.outbound_cutoff_share"] == 1.0


# ----------------------------------------------------------------------------- supply
SUPPLY_SETTINGS = {
    "kg_per_resident_per_week": 0.05,  # about 50 kg a week per village, in 10 kg cases
    "case_kg": 10.0,
    "order_days": ["mon", "tue"],  # A (first village) orders on Monday, B on Tuesday
    "order_time": "06:00",
    "lead_time_hours": 24.0,
    "delivery_days": ["mon", "thu"],
    "dispatch_time": "09:00",
}


@pytest.mark.parametrize("mode", ["separate", "integrated"])
def test_weekly_supply_order_in_cases(county, mode):
    """A orders on Monday, B on Tuesday, at 06:00 at the hub, due 24 h later.

    Separate: the cooperative's truck leaves the hub at 09:00 on Mondays and Thursdays:
    A's cases arrive Monday 09:22 (on time), B's Thursday 09:30 (late: fill share is A's
    cases / all cases). Integrated: the cases ride the 07:30 trunk and the pooled 09:00
    van: A Monday 09:12, B Tuesday 09:20 (direct run), all on time.
    """
    days = 7
    scenario = county(mode=mode, days=days, supply=SUPPLY_SETTINGS)
    result = sim.run(scenario)
    led, k, trips = result.record.ledger, result.kpis, result.trips
    assert (led.flow == SUPPLY).all() and (led.status == DELIVERED).all()
    dest = node_names(result, led.destination)
    a, b = dest == "A", dest == "B"
    assert a.sum() >= 3 and b.sum() >= 3  # ~50 kg in cases of at most 10 kg
    assert (led.weight_kg <= 10.0 + 1e-9).all()
    for cases in (a, b):  # one order split into near-equal cases: ceil(kg / 10) of them
        assert np.allclose(led.weight_kg[cases], led.weight_kg[cases][0])
        assert cases.sum() == int(np.ceil(led.weight_kg[cases].sum() / 10.0 - 1e-9))
    assert np.allclose(led.created_t[a], 6 * 60.0) and np.allclose(led.created_t[b], DAY + 6 * 60.0)
    if mode == "separate":
        want_a, want_b = 9 * 60 + 22.0, 3 * DAY + 9 * 60 + 30.0
        operator, kind = "cooperative", "van"
        fill = a.sum() / len(led)
    else:
        want_a, want_b = 9 * 60 + 12.0, DAY + 9 * 60 + 20.0
        operator, kind = "integrated", "van"
        fill = 1.0
    assert np.allclose(led.delivered_t[a], want_a)
    assert np.allclose(led.delivered_t[b], want_b)
    assert (op_of_trip(result, np.arange(len(led))) == operator).all()
    assert (trips.kind.to_numpy()[led.trip] == kind).all()
    if mode == "separate":
        assert set(trips.operator) == {"cooperative"}  # no trunk: the truck starts at the hub
    else:
        assert set(trips.operator) == {"integrated"} and "trunk" in set(trips.kind)
    assert k["supply.fill_share"] == pytest.approx(fill)
    assert k["supply.cases_per_day"] == pytest.approx(len(led) / days)
    lead_h = (led.delivered_t - led.created_t) / 60.0
    assert k["supply.lead_time_h_p50"] == pytest.approx(np.percentile(lead_h, 50))


# ----------------------------------------------------------------------------- partial pooling
def test_partial_pooling_leaves_the_others_alone(county):
    """``integrated.pooled = ["postal"]``: postal rides the integrated operation; the express
    carrier keeps its own trunk and van; supply keeps the cooperative's truck; finance and
    bus are not pooled, so there is no village counter and no bus cargo (lines generated).

    Postal (2 for A, 1 for B) and exp (the same) each: trunk 07:30, van 09:00, A at 09:12
    (5 + 2 x 0.25 min there), B at 09:12 + 5.5 + 8 = 09:25.5. The cooperative truck: A at
    09:22, B at 09:22 + 5.25 + 8 = 09:35.25 (one case each).
    """
    carriers = [
        {"name": "postal", "kind": "postal", "share": 0.5, "vehicle": "van", "linehaul_arrival": "05:30"},
        {"name": "exp", "share": 0.5, "vehicle": "van"},
    ]
    scenario = county(
        days=1,
        carriers=carriers,
        parcels={"fixed_per_village": {"A": 2, "B": 1}},
        integrated={"pooled": ["postal"]},
        supply={"kg_per_resident_per_week": 0.02, "case_kg": 100.0, "order_days": ["mon"]},
        finance={"per_1000_residents_per_day": 3.0},
        bus={"generate_per_town": 1},
    )
    result = sim.run(scenario)
    led, k, trips = result.record.ledger, result.kpis, result.trips
    assert list(result.record.operations) == ["integrated", "exp", "cooperative"]
    assert result.record.bus_lines == 0 and "bus" not in set(trips.kind)
    parcels = np.flatnonzero(led.flow == PARCEL_IN)
    supply = np.flatnonzero(led.flow == SUPPLY)
    assert (led.status[parcels] == DELIVERED).all() and (led.status[supply] == DELIVERED).all()
    owner = np.array(["postal", "exp"])[led.operator[parcels]]
    want_op = np.where(owner == "postal", "integrated", "exp")
    assert (op_of_trip(result, parcels) == want_op).all()
    assert (op_of_trip(result, supply) == "cooperative").all()
    for name in ("integrated", "exp"):
        assert sorted(trips[trips.operator == name].kind) == ["trunk", "van"]
    assert list(trips[trips.operator == "cooperative"].kind) == ["van"]
    dest = node_names(result, led.destination)
    assert np.allclose(led.delivered_t[parcels][dest[parcels] == "A"], 9 * 60 + 12.0)
    assert np.allclose(led.delivered_t[parcels][dest[parcels] == "B"], 9 * 60 + 25.5)
    assert np.allclose(led.delivered_t[supply][dest[supply] == "A"], 9 * 60 + 22.0)
    assert np.allclose(led.delivered_t[supply][dest[supply] == "B"], 9 * 60 + 35.25)
    fin = led.flow == FINANCE
    assert fin.any() and (led.status[fin] == FETCHED).all()
    assert k["finance.local_share"] == 0.0


def test_produce_with_no_cooperative_truck_waits_and_spoils(county):
    """Separate mode without cooperative trucks: nobody collects produce. The lots must stay
    at A and be recorded spoiled at the end of their 24 h shelf life (nothing vanishes)."""
    scenario = county(mode="separate", produce={"crops": [crop("keeps", 24.0)]}, supply={"trucks": 0})
    result = sim.run(scenario)
    led = result.record.ledger
    assert (led.status == EXPIRED).all()
    assert (node_names(result, led.location) == "A").all()
    assert np.allclose(led.delivered_t, led.deadline_t)
    assert result.kpis["first_km.fresh_share"] == 0.0
