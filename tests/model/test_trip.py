"""sim.model.trip by hand: the peak load of a tour, the routing problem a trip builds, and one
van trip driven in a real SimPy environment over a county of four nodes.

Road network (as in test_hand_computed: speeds given, so minutes are exact)::

    hub --10 km @ 60 km/h-- station --6 km @ 30-- A --4 km @ 30-- B
              10 min                  12 min          8 min

The van costs 1.5 yuan/km, 30 yuan/h and 200 yuan/day, and emits 0.25 kg CO2/km.
"""

from __future__ import annotations

import numpy as np
import pytest
import simpy

import sim
from sim.model.operations import build_operations
from sim.model.state import CountyState
from sim.model.trip import Trip, TripSpec, peak_share, routing_problem
from sim.model.variability import TripTimes
from sim.model.villagers import Villagers
from sim.records import Ledger, TripLog
from sim.records.ledger import DELIVERED, EXPIRED, ON_BOARD, PARCEL_IN, PARCEL_OUT, PRODUCE, WAITING
from sim.routing import RoutingProblem

NODES = """\
id,kind,x,y,population,town,name
hub,county_hub,0,0,0,T,Hub
st,town_station,10,0,1000,T,Station
A,village,10,6,1000,T,A
B,village,10,10,1000,T,B
"""
EDGES = """\
source,target,road_class,length_km,speed_kmh
hub,st,county,10,60
st,A,town,6,30
A,B,village,4,30
"""
VAN = {
    "capacity_parcels": 10,
    "capacity_kg": 100.0,
    "capacity_m3": 1.0,
    "speed_factor": 0.8,
    "cost_per_km": 1.5,
    "cost_per_hour": 30.0,
    "cost_per_day": 200.0,
    "co2_kg_per_km": 0.25,
}
STATION_SORT_MIN = 30.0


@pytest.fixture(scope="module")
def world_and_scenario(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trip")
    (folder / "nodes.csv").write_text(NODES, encoding="utf-8")
    (folder / "edges.csv").write_text(EDGES, encoding="utf-8")
    scenario = sim.from_dict(
        {
            "name": "trip",
            "days": 2,
            "warmup_days": 1,
            "network": {"source": "csv", "nodes_csv": "nodes.csv", "edges_csv": "edges.csv"},
            "vehicle_types": {"van": VAN},
            "carriers": [{"name": "postal", "kind": "postal", "share": 1.0, "vehicle": "van"}],
            "integrated": {"vehicle": "van", "vans_per_town": 1},
            "stations": {"sort_min": STATION_SORT_MIN},
            "bus": {"generate_per_town": 0},
            "variability": {"enabled": False},  # hand-computed times
        },
        path=folder / "trip.toml",
    )
    return sim.build_world(scenario), scenario


class County:
    """A CountyState of the four-node county with hand-made items (no demand drawn)."""

    def __init__(self, world, scenario, start_t: float) -> None:
        self.world, self.s = world, scenario
        self.hub, self.st, self.a, self.b = (world.index[n] for n in ("hub", "st", "A", "B"))
        led = self.ledger = Ledger()
        # three inbound parcels waiting at the station (2 for A, 1 for B), 2 kg each
        self.deliv = led.add(
            flow=PARCEL_IN, operator=0, origin=self.hub, destination=[self.a, self.a, self.b],
            created_t=360.0, weight_kg=2.0, volume_m3=0.02, deadline_t=360.0 + 48 * 60,
        )  # fmt: skip
        led.create(self.deliv, location=self.hub)
        led.move(self.deliv, location=self.st)
        # an outbound parcel at B, and a produce lot at B whose shelf life ends during the trip
        self.outbound = led.add(
            flow=PARCEL_OUT, operator=0, origin=self.b, destination=self.hub,
            created_t=480.0, weight_kg=1.0, volume_m3=0.01, deadline_t=1080.0,
        )  # fmt: skip
        self.lot = led.add(
            flow=PRODUCE, operator=1, origin=self.b, destination=self.hub,
            created_t=420.0, weight_kg=30.0, volume_m3=0.1, deadline_t=start_t + 45.0,
        )  # fmt: skip
        led.create(np.concatenate([self.outbound, self.lot]), location=self.b)
        self.ops = build_operations(scenario, world, np.zeros((1, len(world.villages))))
        self.op = self.ops[0]
        self.state = CountyState(
            env=simpy.Environment(initial_time=start_t),
            s=scenario,
            world=world,
            ledger=led,
            trips=TripLog(keep_manifests=True),
            ops=self.ops,
            op_of_owner=np.zeros(3, dtype=np.int64),  # postal, cooperative, finance: all pooled
            weekday=np.array([0, 1, 2, 3, 4, 5]),
            demand_days=2,
            horizon_days=6,
            villagers=Villagers(led, world, np.zeros(len(led)), 1.0),
            point_of_node=world.point_of_node,
            town_of_station={int(n): t for t, n in enumerate(world.station)},
            times=TripTimes.build(scenario.variability, 1, 6),
            visits=[[] for _ in range(len(world.points))],
        )


@pytest.fixture
def county(world_and_scenario):
    world, scenario = world_and_scenario
    return County(world, scenario, start_t=540.0)  # 09:00 on day 0


# -- peak_share ---------------------------------------------------------------------------

CAPACITY = np.array([10.0, 100.0, 1.0])
DELIVERY = np.array([[0, 0, 0], [3, 30, 0.1], [2, 10, 0.05]])
PICKUP = np.array([[0, 0, 0], [0, 0, 0], [4, 80, 0.2]])


def toy_problem(pickup: np.ndarray | None) -> RoutingProblem:
    zeros = np.zeros((3, 3))
    return RoutingProblem(zeros, zeros, DELIVERY, CAPACITY, n_vehicles=1, pickup=pickup)


def test_peak_share_of_deliveries_only_is_the_load_leaving_the_base():
    # leaves with 5 items, 40 kg, 0.15 m3 of 10, 100, 1: the items dimension binds, 0.5
    assert peak_share(toy_problem(None), np.array([1, 2])) == pytest.approx(0.5)


def test_peak_share_with_pickups_follows_the_load_along_the_route():
    p = toy_problem(PICKUP)
    # 1 then 2: leaves [5, 40, 0.15]; after 1: [2, 10, 0.05]; after 2: [0 + 4, 0 + 80, 0.2]
    # peak per dimension [5, 80, 0.2] / [10, 100, 1] -> 0.8 (kg)
    assert peak_share(p, np.array([1, 2])) == pytest.approx(0.8)
    # 2 then 1: after 2 it holds [5 - 2 + 4, 40 - 10 + 80, 0.15 - 0.05 + 0.2] = [7, 110, 0.3]
    # -> 110 / 100 = 1.1: the order of the stops matters, and overload shows above 1
    assert peak_share(p, np.array([2, 1])) == pytest.approx(1.1)


# -- routing_problem ----------------------------------------------------------------------


def test_routing_problem_divides_minutes_by_the_speed_factor_and_prices_minutes(county):
    st, c = county.state, county
    van = st.s.vehicle_types["van"]
    nodes = np.array([c.st, c.a, c.b])
    delivery = np.array([[0, 0, 0], [2, 4, 0.04], [1, 2, 0.02]])
    problem = routing_problem(st, nodes, delivery, van, CAPACITY, n_vehicles=0, service=5.0)
    # road minutes station-A 12, A-B 8, station-B 20, at 0.8 of the road speed: / 0.8
    expected_min = np.array([[0, 12, 20], [12, 0, 8], [20, 8, 0]]) / 0.8
    assert problem.duration_min == pytest.approx(expected_min)
    assert problem.distance_km == pytest.approx(np.array([[0, 6, 10], [6, 0, 4], [10, 4, 0]]))
    assert problem.cost_per_km == 1.5
    assert problem.cost_per_min == pytest.approx(30.0 / 60)  # 30 yuan/h
    assert problem.start_min == 540.0  # now
    assert problem.n_vehicles == 1  # at least one
    assert problem.service_min == 5.0
    assert problem.delivery is delivery and problem.pickup is None


# -- a van trip in a SimPy environment ----------------------------------------------------

# The tour station -> A -> B -> station leaves at 09:00 (540). Hand-over times are given
# (the start of service at each stop): A at 555, B at 575 (the outbound parcel and the
# produce lot are picked up there); back at the station at 605.
# 20 km (6 + 4 + 10), 65 min: 20 x 1.5 + 65/60 x 30 = 30 + 32.5 = 62.5 yuan, + 200 day rate
START, AT_A, AT_B, END, KM = 540.0, 555.0, 575.0, 605.0, 20.0


def van_trip(c: County, day_rate: bool = True) -> Trip:
    spec = TripSpec(
        day=0,
        kind="van",
        vehicle_name="van",
        vehicle=c.s.vehicle_types["van"],
        capacity=CAPACITY,
        town="T",
        start_t=START,
        end_t=END,
        km=KM,
        stops=2,
        path=np.array([c.st, c.a, c.b, c.st]),
        base=c.st,
        peak_load_share=0.3,
        day_rate=day_rate,
    )
    return Trip(c.state, c.op, spec, np.concatenate([c.deliv, c.outbound, c.lot]))


@pytest.mark.parametrize(("day_rate", "cost"), [(True, 62.5 + 200.0), (False, 62.5)])
def test_the_trip_log_row(county, day_rate, cost):
    trip = van_trip(county, day_rate)
    row = county.state.trips.table()
    assert trip.id == 0 and row["trip"].tolist() == [0]
    assert row["km"][0] == KM
    assert row["cost_yuan"][0] == pytest.approx(cost)
    assert row["co2_kg"][0] == pytest.approx(KM * 0.25)
    assert row["items"][0] == 5
    assert (row["items_parcel_in"][0], row["items_parcel_out"][0], row["items_produce"][0]) == (3, 1, 1)
    assert row["kg"][0] == pytest.approx(3 * 2.0 + 1.0 + 30.0)
    assert row["kind"][0] == "van" and row["operator"][0] == county.op.name
    assert county.state.trips.routes[0].tolist() == [county.st, county.a, county.b, county.st]


def test_boarding_puts_items_on_the_trip(county):
    led, trip = county.ledger, van_trip(county)
    trip.board(county.deliv, START)
    picked = np.concatenate([county.outbound, county.lot])
    trip.board(picked, AT_B)
    rows = np.concatenate([county.deliv, picked])
    assert (led.status[rows] == ON_BOARD).all()
    assert (led.trip[rows] == trip.id).all()
    assert led.picked_t[rows].tolist() == [START] * 3 + [AT_B] * 2


def drive(c: County) -> Trip:
    trip = van_trip(c)
    picked = np.concatenate([c.outbound, c.lot])
    trip.board(c.deliv, START)
    trip.board(picked, AT_B)
    trip.finish(c.deliv, np.array([AT_A, AT_A, AT_B]), picked)
    return trip


def test_finish_delivers_at_the_hand_over_times_when_the_trip_ends(county):
    led, env = county.ledger, county.state.env
    drive(county)
    env.run(until=END - 1)  # under way: nothing handed over yet in the ledger
    assert (led.status[county.deliv] == ON_BOARD).all()
    env.run(until=END + 1)
    assert (led.status[county.deliv] == DELIVERED).all()
    assert led.delivered_t[county.deliv].tolist() == [AT_A, AT_A, AT_B]
    assert led.location[county.deliv].tolist() == [county.a, county.a, county.b]


def test_collected_items_arrive_at_the_base_at_the_end(county):
    led, env = county.ledger, county.state.env
    drive(county)
    env.run(until=END + 1)
    # the outbound parcel waits at the station for the hub, ready after station sorting
    (row,) = county.outbound
    assert led.status[row] == WAITING and led.location[row] == county.st
    outgoing = county.op.station_fleet[0].outgoing
    assert outgoing.peek(np.inf)[0].tolist() == [row]
    assert outgoing.peek(END + STATION_SORT_MIN)[1].tolist() == [END + STATION_SORT_MIN]
    assert not len(outgoing.peek(END + STATION_SORT_MIN - 1)[0])
    # the produce lot's shelf life ended at 585, before the van was back: spoiled at the station
    (lot,) = county.lot
    assert led.status[lot] == EXPIRED and led.location[lot] == county.st
    assert led.delivered_t[lot] == END


def test_the_manifest_notes_each_boarding_and_leaving(county):
    trip = drive(county)
    capacity, changes = county.state.trips.manifests[trip.id]
    assert capacity.tolist() == CAPACITY.tolist()
    picked = np.concatenate([county.outbound, county.lot])
    expected = [
        (county.deliv, [START] * 3, +1),
        (picked, [AT_B] * 2, +1),
        (county.deliv, [AT_A, AT_A, AT_B], -1),
        (picked, [END] * 2, -1),
    ]
    assert len(changes) == len(expected)
    for (rows, times, sign), (want_rows, want_times, want_sign) in zip(changes, expected, strict=True):
        assert rows.tolist() == want_rows.tolist()
        assert times.tolist() == want_times
        assert sign == want_sign
    # every item that boarded leaves once
    on = np.concatenate([r for r, _, s in changes if s > 0])
    off = np.concatenate([r for r, _, s in changes if s < 0])
    assert sorted(on.tolist()) == sorted(off.tolist())


def test_visits_top_up_cash_boxes_of_the_finance_operation(county):
    trip = van_trip(county)
    assert county.op.offers_finance  # integrated mode pools finance
    points = county.world.point_of_node[[county.a, county.b]]
    trip.visit(points, np.array([AT_A, AT_B]))
    assert county.state.visits[points[0]] == [AT_A]
    assert county.state.visits[points[1]] == [AT_B]
