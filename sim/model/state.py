"""The shared state of a run and what happens when items reach a place.

Every process (line-haul, trunks, vans, buses, finance) works on one
:class:`CountyState`. :meth:`CountyState.arrive` is the one rule for items
reaching a node: delivered if it is their destination, spoiled if they are
produce past their shelf life, otherwise queued for the next leg (a station's
van queue, its outgoing queue to the hub, the hub's trunk queue, or self pickup).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.ledger import PRODUCE, Ledger
from sim.model.operations import Fleet, Operation
from sim.model.trips import TripLog
from sim.model.world import World
from sim.routing import RoutingProblem
from sim.scenario.schema import Scenario, VehicleType

UNSERVED_PENALTY = 1.0e5  # objective units per stop left out; only capacity or shift forces it


@dataclass
class CountyState:
    env: simpy.Environment
    s: Scenario
    world: World
    ledger: Ledger
    trips: TripLog
    ops: list[Operation]
    op_of_owner: np.ndarray
    weekday: np.ndarray  # per simulated day, drain days included
    demand_days: int
    horizon_days: int
    fetch_delay: np.ndarray  # per ledger row (inbound parcels), minutes
    point_of_node: np.ndarray
    town_of_station: dict[int, int]
    visits: list[list[float]] = field(default_factory=list)  # per point, finance top-up times today
    self_dropped: list[np.ndarray] = field(default_factory=list)  # outbound rows taken to town by senders
    dims: np.ndarray = field(init=False)  # per row: 1 item, kg, m3 (the three capacity dimensions)
    perishable: np.ndarray = field(init=False)
    deadline: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        led = self.ledger
        self.dims = np.column_stack([np.ones(len(led)), led.weight_kg, led.volume_m3])
        self.perishable = led.flow == PRODUCE
        self.deadline = led.deadline_t.copy()

    # -- where items go -----------------------------------------------------------
    def arrive(self, op: Operation, rows: np.ndarray, node: int, t: float | np.ndarray) -> None:
        """Items of ``op`` reach ``node`` at ``t``: deliver, spoil, or queue the next leg."""
        if not len(rows):
            return
        led = self.ledger
        t_rows = np.broadcast_to(np.asarray(t, dtype=float), rows.shape)
        here = led.destination[rows] == node
        if here.any():
            self.deliver(rows[here], t_rows[here], node)
        rows, t_rows = rows[~here], t_rows[~here]
        rows, t_rows = self.spoil(rows, t_rows, node)
        if not len(rows):
            return
        led.move(rows, node)
        if node == self.world.hub:
            if op.station_based:
                op.hub_queue.push(rows, t_rows + self.s.hub.sort_min)
            else:
                op.fleets[0].deliveries.push(rows, t_rows)
            return
        town = self.town_of_station[node]
        fleet = op.station_fleet[town]
        point = self.point_of_node[led.destination[rows]]
        local = (point >= 0) & (self.world.point_town[np.maximum(point, 0)] == town)
        ready = t_rows + self.s.stations.sort_min
        served = local & op.in_village[np.maximum(point, 0)]
        fleet.deliveries.push(rows[served], ready[served])
        fetched = local & ~served
        if fetched.any():
            op.fetch_rows.append(rows[fetched])
            op.fetch_t.append(ready[fetched] + self.fetch_delay[rows[fetched]])
        onward = ~local
        fleet.outgoing.push(rows[onward], ready[onward])

    def deliver(self, rows: np.ndarray, t: np.ndarray | float, node: int | None = None) -> None:
        """Hand items over at their destination; produce past its shelf life is spoiled there."""
        if not len(rows):
            return
        t = np.broadcast_to(np.asarray(t, dtype=float), rows.shape)
        led = self.ledger
        late = (led.flow[rows] == PRODUCE) & (t > led.deadline_t[rows] + 1e-9)
        if late.any():
            led.move(rows[late], led.destination[rows[late]])
            led.expire(rows[late], t[late])
        led.deliver(rows[~late], t[~late])

    def spoil(self, rows: np.ndarray, t: np.ndarray, node: int) -> tuple[np.ndarray, np.ndarray]:
        """Expire produce found past its shelf life at ``node``; return the rest."""
        led = self.ledger
        bad = (led.flow[rows] == PRODUCE) & (t > led.deadline_t[rows] + 1e-9)
        if bad.any():
            led.move(rows[bad], node)
            led.expire(rows[bad], t[bad])
        return rows[~bad], t[~bad]

    def spoil_waiting(self, rows: np.ndarray, now: float) -> np.ndarray:
        """Of rows taken from a queue at ``now``, expire spoiled produce where it waits."""
        if not len(rows):
            return rows
        bad = self.perishable[rows] & (now > self.deadline[rows] + 1e-9)
        if bad.any():
            self.ledger.expire(rows[bad], self.deadline[rows[bad]])
            return rows[~bad]
        return rows

    # -- planning helpers -----------------------------------------------------------
    def problem(
        self,
        nodes: np.ndarray,
        delivery: np.ndarray,
        vehicle: VehicleType,
        *,
        n_vehicles: int,
        service: np.ndarray | float,
        pickup: np.ndarray | None = None,
        max_duration: float = np.inf,
        penalty: np.ndarray | float | None = None,
        due: np.ndarray | None = None,
    ) -> RoutingProblem:
        """A routing problem over world nodes (``nodes[0]`` is the base)."""
        w = self.world
        sub = np.ix_(nodes, nodes)
        return RoutingProblem(
            duration_min=w.minutes[sub] / vehicle.speed_factor,
            distance_km=w.km[sub],
            delivery=delivery,
            pickup=pickup,
            capacity=capacity_of(vehicle),
            n_vehicles=max(1, n_vehicles),
            service_min=service,
            start_min=self.env.now,
            max_duration_min=max_duration,
            unserved_penalty=penalty,
            due_min=due,
            cost_per_km=vehicle.cost_per_km,
            cost_per_min=vehicle.cost_per_hour / 60.0,
        )

    def loads(self, groups: list[np.ndarray]) -> np.ndarray:
        """(len(groups), 3) items, kg, m3 of each group of rows."""
        out = np.zeros((len(groups), 3))
        if not groups:
            return out
        if len(groups) == 1:
            out[0] = self.dims[groups[0]].sum(axis=0)
            return out
        sizes = np.array([len(g) for g in groups])
        flat = np.concatenate(groups)
        if not len(flat):
            return out
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        nz = sizes > 0
        out[nz] = np.add.reduceat(self.dims[flat], starts[nz], axis=0)
        return out

    def charge_day_rate(self, fleet: Fleet, day: int) -> bool:
        """True when this vehicle is the n-th out at once today for the first time."""
        busy = int((fleet.free_at > self.env.now + 1e-9).sum()) + 1
        if busy > fleet.used_today.get(day, 0):
            fleet.used_today[day] = busy
            return True
        return False

    def record_visits(self, op: Operation, points: np.ndarray, t: np.ndarray) -> None:
        if op.offers_finance:
            for p, when in zip(points.tolist(), np.asarray(t).tolist(), strict=True):
                self.visits[p].append(when)


def capacity_of(vehicle: VehicleType) -> np.ndarray:
    return np.array([vehicle.capacity_parcels, vehicle.capacity_kg, vehicle.capacity_m3], dtype=float)


def route_km(problem: RoutingProblem, route: np.ndarray) -> float:
    path = np.concatenate([[0], route, [0]])
    return float(problem.distance_km[path[:-1], path[1:]].sum())


def peak_share(problem: RoutingProblem, route: np.ndarray) -> float:
    """Highest share of capacity used on any dimension at any point of the route."""
    load = problem.delivery[route].sum(axis=0)
    peak = load.copy()
    if problem.pickup is not None:
        running = load - np.cumsum(problem.delivery[route], axis=0) + np.cumsum(problem.pickup[route], axis=0)
        peak = np.maximum(peak, running.max(axis=0))
    return float((peak / problem.capacity).max())
