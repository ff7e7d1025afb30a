"""The last kilometre: line-haul to the hub, trunks to the towns, vans to the villages.

An *operation* runs one fleet for one or more carriers. In ``separate`` mode
every carrier is its own operation with its own town outlets and vans; in
``integrated`` mode the pooled carriers hand over at the county hub and share
one trunk, the town stations and one van fleet per town. Villages an operation
does not serve in the village get their parcels by self pickup: the parcel
waits at the town outlet until the addressee fetches it.

SimPy events here are per line-haul arrival, trunk stop, dispatch and van
trip, never per parcel: a van trip's hand-over times are computed in one array
operation when it starts, and its parcels change state when it ends.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.demand import InboundParcels
from sim.ledger import Ledger
from sim.model.trips import TripLog
from sim.model.world import World
from sim.routing import RoutingProblem, schedule, solve
from sim.scenario.schema import WEEKDAYS, Scenario, VehicleType

UNSERVED_PENALTY = 1.0e5  # objective units per stop left out; only capacity or shift forces it


@dataclass
class Operation:
    """One fleet: who it carries for, which villages it serves in the village, with what."""

    name: str
    carriers: tuple[int, ...]
    vehicle_name: str
    vehicle: VehicleType
    vans_per_town: int
    van_days: frozenset[int]
    in_village: np.ndarray  # (villages,) bool


def build_operations(scenario: Scenario, world: World, expected: np.ndarray) -> list[Operation]:
    """The operations of the scenario's mode; ``expected`` is parcels/day (carriers, villages)."""
    carriers = scenario.carriers
    n_villages = len(world.villages)
    pooled: list[int] = []
    if scenario.mode == "integrated":
        names = scenario.integrated.pooled
        pooled = [i for i, c in enumerate(carriers) if names is None or c.name in names]
    ops: list[Operation] = []
    if pooled:
        integ = scenario.integrated
        ops.append(
            Operation(
                name="integrated",
                carriers=tuple(pooled),
                vehicle_name=integ.vehicle,
                vehicle=scenario.vehicle_types[integ.vehicle],
                vans_per_town=integ.vans_per_town,
                van_days=frozenset(WEEKDAYS.index(d) for d in integ.van_days),
                in_village=np.full(n_villages, integ.vans_per_town > 0),
            )
        )
    for i, c in enumerate(carriers):
        if i in pooled:
            continue
        serves = expected[i] >= c.in_village_min_parcels_per_day
        ops.append(
            Operation(
                name=c.name,
                carriers=(i,),
                vehicle_name=c.vehicle,
                vehicle=scenario.vehicle_types[c.vehicle],
                vans_per_town=c.vans_per_town,
                van_days=frozenset(WEEKDAYS.index(d) for d in c.van_days),
                in_village=serves & (c.vans_per_town > 0),
            )
        )
    return ops


@dataclass
class _Queue:
    """Items waiting at one place, with the time each becomes available."""

    rows: list[np.ndarray] = field(default_factory=list)
    ready_t: list[np.ndarray] = field(default_factory=list)

    def push(self, rows: np.ndarray, ready_t: np.ndarray | float) -> None:
        if len(rows):
            self.rows.append(rows)
            self.ready_t.append(np.broadcast_to(np.asarray(ready_t, dtype=float), rows.shape).copy())

    def pop_ready(self, now: float) -> np.ndarray:
        """Remove and return the items available at ``now``."""
        if not self.rows:
            return np.empty(0, dtype=np.int64)
        rows = np.concatenate(self.rows)
        ready = np.concatenate(self.ready_t)
        take = ready <= now + 1e-9
        self.rows = [rows[~take]] if (~take).any() else []
        self.ready_t = [ready[~take]] if (~take).any() else []
        return rows[take]

    def put_back(self, rows: np.ndarray, ready_t: float) -> None:
        self.push(rows, ready_t)


class LastMile:
    """SimPy processes of the inbound parcel flow for every operation."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        world: World,
        ledger: Ledger,
        trips: TripLog,
        parcels: InboundParcels,
        rows: np.ndarray,
        operations: list[Operation],
        calendar_weekday: np.ndarray,  # weekday of every simulated day, drain days included
        demand_days: int,
    ) -> None:
        self.env, self.s, self.world, self.ledger, self.trips = env, scenario, world, ledger, trips
        self.parcels, self.rows, self.ops = parcels, rows, operations
        self.weekday = calendar_weekday
        self.demand_days = demand_days
        self.op_of_carrier = np.empty(len(scenario.carriers), dtype=int)
        for k, op in enumerate(operations):
            self.op_of_carrier[list(op.carriers)] = k
        n_towns = len(world.towns)
        self.hub_queue = [_Queue() for _ in operations]
        self.station_queue = [[_Queue() for _ in range(n_towns)] for _ in operations]
        self.trunk_ready = [np.zeros(n_towns) for _ in operations]  # when today's trunk load is sorted
        self.fetch_rows: list[np.ndarray] = []
        self.fetch_t: list[np.ndarray] = []
        self.van_free_at = [[np.zeros(op.vans_per_town) for _ in range(n_towns)] for op in operations]
        self.vans_used_today: dict[tuple[int, int, int], int] = {}
        # Parcels are sorted by creation time then carrier: slice them per (day, carrier).
        key = parcels.day.astype(np.int64) * len(scenario.carriers) + parcels.carrier
        bounds = np.searchsorted(key, np.arange(demand_days * len(scenario.carriers) + 1))
        self._slices = bounds.reshape(-1)
        self.village_of_row = np.empty(len(ledger), dtype=np.int32)
        self.village_of_row[rows] = parcels.village
        self.fetch_delay = np.empty(len(ledger))
        self.fetch_delay[rows] = parcels.fetch_delay_min

    # -- processes -------------------------------------------------------------
    def start(self, horizon_days: int) -> None:
        for c in range(len(self.s.carriers)):
            self.env.process(self._linehaul(c))
        for k in range(len(self.ops)):
            self.env.process(self._trunk(k, horizon_days))
            for town in range(len(self.world.towns)):
                self.env.process(self._dispatch(k, town, horizon_days))
        self.env.process(self._self_pickup(horizon_days))

    def _linehaul(self, carrier: int) -> Generator:
        arrival = self.s.carriers[carrier].linehaul_arrival
        n_carriers = len(self.s.carriers)
        for day in range(self.demand_days):
            yield self.env.timeout(day * 1440.0 + arrival - self.env.now)
            k = day * n_carriers + carrier
            rows = self.rows[self._slices[k] : self._slices[k + 1]]
            self.ledger.create(rows, self.world.hub)
            self.hub_queue[self.op_of_carrier[carrier]].push(rows, self.env.now + self.s.hub.sort_min)

    def _trunk(self, k: int, horizon_days: int) -> Generator:
        """Each day the operation's trunk takes the sorted parcels to the town stations."""
        depart = self.s.hub.trunk_departure
        for day in range(horizon_days):
            yield self.env.timeout(day * 1440.0 + depart - self.env.now)
            rows = self.hub_queue[k].pop_ready(self.env.now)
            if len(rows):
                self._send_trunk(k, day, rows)

    def _send_trunk(self, k: int, day: int, rows: np.ndarray) -> None:
        op, w, s = self.ops[k], self.world, self.s
        truck_name = s.hub.trunk_vehicle
        truck = s.vehicle_types[truck_name]
        town = w.village_town[self.village_of_row[rows]]
        order = np.argsort(town, kind="stable")
        rows, town = rows[order], town[order]
        towns, starts = np.unique(town, return_index=True)
        groups = np.split(rows, starts[1:])
        stop_rows, stop_town = self._chunk(groups, towns, truck)
        nodes = np.concatenate([[w.hub], w.station[stop_town]])
        # Reach each station in time for its first van dispatch if the trucks can; stops that
        # cannot make it are routed in a second pass without the deadline.
        first_dispatch = day * 1440.0 + min(s.stations.dispatch_times) - s.stations.sort_min
        due = np.full(len(nodes), np.inf)
        due[1:] = max(first_dispatch, self.env.now)
        problem = self._problem(
            nodes,
            stop_rows,
            truck,
            n_vehicles=len(stop_rows),
            service=0.0,
            due=due,
            penalty=UNSERVED_PENALTY,
        )
        solution = solve(problem)
        routes = list(solution.routes)
        if len(solution.unserved):
            late = np.concatenate([[0], solution.unserved])
            late_problem = self._problem(
                nodes[late],
                [stop_rows[i - 1] for i in solution.unserved],
                truck,
                n_vehicles=len(late) - 1,
                service=0.0,
            )
            late_solution = solve(late_problem)
            routes += [late[r] for r in late_solution.routes]
        problem = self._problem(nodes, stop_rows, truck, n_vehicles=len(stop_rows), service=0.0)
        for route in routes:
            arrival, _, end = schedule(problem, route)
            for town, t in zip(stop_town[route - 1], arrival, strict=True):
                self.trunk_ready[k][town] = max(self.trunk_ready[k][town], t + s.stations.sort_min)
            chunks = [stop_rows[i - 1] for i in route]
            trip_rows = np.concatenate(chunks)
            self.ledger.board(trip_rows, trip=len(self.trips), t=self.env.now)
            km = _route_km(problem, route)
            self.trips.record(
                day=day,
                operator=op.name,
                kind="trunk",
                vehicle_name=truck_name,
                vehicle=truck,
                town="",
                start_t=self.env.now,
                end_t=end,
                km=km,
                stops=len(route),
                items=len(trip_rows),
                kg=float(self.ledger.weight_kg[trip_rows].sum()),
                peak_load_share=_peak_share(problem, route),
                fixed_cost=True,
                path=np.concatenate([[w.hub], nodes[route], [w.hub]]),
            )
            self.env.process(self._trunk_drops(k, chunks, stop_town[route - 1], arrival))

    def _trunk_drops(
        self, k: int, chunks: list[np.ndarray], towns: np.ndarray, arrival: np.ndarray
    ) -> Generator:
        op, w = self.ops[k], self.world
        for chunk, town, t in zip(chunks, towns, arrival, strict=True):
            yield self.env.timeout(t - self.env.now)
            self.ledger.move(chunk, w.station[town])
            served = op.in_village[self.village_of_row[chunk]]
            ready = t + self.s.stations.sort_min
            self.station_queue[k][town].push(chunk[served], ready)
            fetched = chunk[~served]
            if len(fetched):
                self.fetch_rows.append(fetched)
                self.fetch_t.append(ready + self.fetch_delay[fetched])

    def _dispatch(self, k: int, town: int, horizon_days: int) -> Generator:
        op = self.ops[k]
        if op.vans_per_town == 0 or not op.in_village[self.world.village_town == town].any():
            return
        times = sorted(self.s.stations.dispatch_times)
        for day in range(horizon_days):
            if int(self.weekday[day]) not in op.van_days:
                continue
            for t in times:
                yield self.env.timeout(max(0.0, day * 1440.0 + t - self.env.now))
                # Vans wait for today's trunk if it is on its way to this station.
                if self.trunk_ready[k][town] > self.env.now:
                    yield self.env.timeout(self.trunk_ready[k][town] - self.env.now)
                rows = self.station_queue[k][town].pop_ready(self.env.now)
                if len(rows):
                    self._send_vans(k, town, day, rows)

    def _send_vans(self, k: int, town: int, day: int, rows: np.ndarray) -> None:
        op, w, s = self.ops[k], self.world, self.s
        free = self.van_free_at[k][town]
        available = np.flatnonzero(free <= self.env.now + 1e-9)
        if len(available) == 0:
            self.station_queue[k][town].put_back(rows, self.env.now)
            return
        village = self.village_of_row[rows]
        order = np.argsort(village, kind="stable")
        rows, village = rows[order], village[order]
        villages, starts = np.unique(village, return_index=True)
        stop_rows, stop_village = self._chunk(np.split(rows, starts[1:]), villages, op.vehicle)
        stop_rows, stop_village = self._oldest_that_could_fit(
            k, town, stop_rows, stop_village, len(available)
        )
        nodes = np.concatenate([[w.station[town]], w.villages[stop_village]])
        handling = s.operations.handling_sec_per_parcel / 60.0
        service = np.array([0.0] + [s.operations.stop_service_min + handling * len(r) for r in stop_rows])
        # Older parcels first when not everything fits: the penalty grows with waiting days.
        age_days = np.array(
            [0.0] + [(self.env.now - self.ledger.created_t[r].min()) / 1440.0 for r in stop_rows]
        )
        problem = self._problem(
            nodes,
            stop_rows,
            op.vehicle,
            n_vehicles=len(available),
            service=service,
            max_duration=s.operations.shift_hours * 60.0,
            penalty=UNSERVED_PENALTY * (1.0 + age_days),
        )
        solution = solve(problem)
        if len(solution.unserved):
            left = np.concatenate([stop_rows[i - 1] for i in solution.unserved])
            self.station_queue[k][town].put_back(left, self.env.now + 1.0)
        used_key = (k, town, day)
        for van, route in zip(available, solution.routes, strict=False):
            arrival, service_start, end = schedule(problem, route)
            chunks = [stop_rows[i - 1] for i in route]
            trip_rows = np.concatenate(chunks)
            handover = np.repeat(service_start, [len(c) for c in chunks])
            used = self.vans_used_today.get(used_key, 0)
            n_busy = int((free > self.env.now + 1e-9).sum())
            fixed = n_busy + 1 > used
            if fixed:
                self.vans_used_today[used_key] = n_busy + 1
            trip = self.trips.record(
                day=day,
                operator=op.name,
                kind="van",
                vehicle_name=op.vehicle_name,
                vehicle=op.vehicle,
                town=w.towns[town],
                start_t=self.env.now,
                end_t=end,
                km=_route_km(problem, route),
                stops=len(route),
                items=len(trip_rows),
                kg=float(self.ledger.weight_kg[trip_rows].sum()),
                peak_load_share=_peak_share(problem, route),
                fixed_cost=fixed,
                path=np.concatenate([[nodes[0]], nodes[route], [nodes[0]]]),
            )
            free[van] = end
            self.ledger.board(trip_rows, trip=trip, t=self.env.now)
            self.env.process(self._van_trip(trip_rows, handover, end))

    def _van_trip(self, rows: np.ndarray, handover: np.ndarray, end: float) -> Generator:
        yield self.env.timeout(end - self.env.now)
        self.ledger.deliver(rows, handover)

    def _self_pickup(self, horizon_days: int) -> Generator:
        """Once a day, parcels whose addressees have come by are marked fetched (at their own times)."""
        for day in range(1, horizon_days + 1):
            yield self.env.timeout(day * 1440.0 - self.env.now)
            self.fetch_due(self.env.now)

    def fetch_due(self, now: float) -> None:
        if not self.fetch_rows:
            return
        rows, t = np.concatenate(self.fetch_rows), np.concatenate(self.fetch_t)
        due = t <= now
        self.ledger.fetch(rows[due], t[due])
        self.fetch_rows = [rows[~due]] if (~due).any() else []
        self.fetch_t = [t[~due]] if (~due).any() else []

    # -- helpers ---------------------------------------------------------------
    def _oldest_that_could_fit(
        self, k: int, town: int, stop_rows: list[np.ndarray], stop_village: np.ndarray, vans: int
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Keep the planning problem small when a backlog has built up.

        Only the oldest stops up to 1.5 times what the available vans can carry go to
        the planner; the rest wait in the station queue for the next dispatch.
        """
        v = self.ops[k].vehicle
        parcels = np.array([len(r) for r in stop_rows], dtype=float)
        if parcels.sum() <= 1.5 * vans * v.capacity_parcels:
            return stop_rows, stop_village
        oldest = np.array([self.ledger.created_t[r].min() for r in stop_rows])
        order = np.argsort(oldest, kind="stable")
        keep_n = int(
            np.searchsorted(np.cumsum(parcels[order]), 1.5 * vans * v.capacity_parcels, side="right")
        )
        keep = np.sort(order[: max(1, keep_n)])
        rest = np.setdiff1d(np.arange(len(stop_rows)), keep)
        if len(rest):
            self.station_queue[k][town].put_back(
                np.concatenate([stop_rows[i] for i in rest]), self.env.now + 1.0
            )
        return [stop_rows[i] for i in keep], stop_village[keep]

    def _chunk(
        self, groups: list[np.ndarray], places: np.ndarray, vehicle: VehicleType
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Split each place's items into stops that fit one vehicle on every dimension."""
        out_rows: list[np.ndarray] = []
        out_place: list[int] = []
        kg, m3 = self.ledger.weight_kg, self.ledger.volume_m3
        for rows, place in zip(groups, places, strict=True):
            need = max(
                len(rows) / vehicle.capacity_parcels,
                kg[rows].sum() / vehicle.capacity_kg,
                m3[rows].sum() / vehicle.capacity_m3,
            )
            pieces = max(1, int(np.ceil(need * 1.000001)))
            if pieces > 1:
                pieces = max(pieces, int(np.ceil(len(rows) / vehicle.capacity_parcels)))
                parts = np.array_split(rows, pieces)
                while any(
                    kg[p].sum() > vehicle.capacity_kg or m3[p].sum() > vehicle.capacity_m3 for p in parts
                ):
                    pieces += 1
                    parts = np.array_split(rows, pieces)
            else:
                parts = [rows]
            out_rows.extend(parts)
            out_place.extend([int(place)] * len(parts))
        return out_rows, np.array(out_place, dtype=int)

    def _problem(
        self,
        nodes: np.ndarray,
        stop_rows: list[np.ndarray],
        vehicle: VehicleType,
        *,
        n_vehicles: int,
        service: np.ndarray | float,
        max_duration: float = np.inf,
        penalty: np.ndarray | float | None = None,
        due: np.ndarray | None = None,
    ) -> RoutingProblem:
        w, kg, m3 = self.world, self.ledger.weight_kg, self.ledger.volume_m3
        delivery = np.zeros((len(nodes), 3))
        for i, r in enumerate(stop_rows, start=1):
            delivery[i] = (len(r), kg[r].sum(), m3[r].sum())
        sub = np.ix_(nodes, nodes)
        return RoutingProblem(
            duration_min=w.minutes[sub] / vehicle.speed_factor,
            distance_km=w.km[sub],
            delivery=delivery,
            capacity=np.array([vehicle.capacity_parcels, vehicle.capacity_kg, vehicle.capacity_m3]),
            n_vehicles=max(1, n_vehicles),
            service_min=service,
            start_min=self.env.now,
            max_duration_min=max_duration,
            unserved_penalty=penalty,
            due_min=due,
            cost_per_km=vehicle.cost_per_km,
            cost_per_min=vehicle.cost_per_hour / 60.0,
        )


def _route_km(problem: RoutingProblem, route: np.ndarray) -> float:
    path = np.concatenate([[0], route, [0]])
    return float(problem.distance_km[path[:-1], path[1:]].sum())


def _peak_share(problem: RoutingProblem, route: np.ndarray) -> float:
    """Highest share of capacity used on any dimension at any point of the route."""
    load = problem.delivery[route].sum(axis=0)
    peak = load.copy()
    if problem.pickup is not None:
        running = load - np.cumsum(problem.delivery[route], axis=0) + np.cumsum(problem.pickup[route], axis=0)
        peak = np.maximum(peak, running.max(axis=0))
    return float((peak / problem.capacity).max())
