"""One vehicle trip, the same for vans, cooperative trucks, trunks and buses.

A trip goes through five steps:

1. **plan** — the caller picks the stops (a van fleet or a trunk solves a routing problem
   built by :func:`routing_problem`; a bus follows its line);
2. **schedule** — every stop time is computed when the trip starts, in one array
   operation (:func:`sim.routing.schedule`, or the line's timetable);
3. **board** — :meth:`Trip.board` puts items on the vehicle at their pick-up times;
4. **hand over** — :meth:`Trip.leave` notes when each item leaves the vehicle;
5. **finish** — :meth:`Trip.finish` waits for the trip's end, then delivers what was
   handed over and lets what was collected arrive at the base (``CountyState.arrive``).

A trunk, whose loads at stations depend on what waits when it gets there, drives stop by
stop instead of step 5, with :meth:`Trip.load_more` and :meth:`Trip.arrive_at_base`.
SimPy sees one event per trip (two for a trunk stop), never one per item.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import numpy as np

from sim.model.finance import note_visits
from sim.model.operations import Operation
from sim.model.state import CountyState
from sim.routing import RoutingProblem
from sim.scenario.schema import VehicleType
from sim.units import MINUTES_PER_HOUR


def routing_problem(
    st: CountyState,
    nodes: np.ndarray,
    delivery: np.ndarray,
    vehicle: VehicleType,
    capacity: np.ndarray,
    *,
    n_vehicles: int,
    service: np.ndarray | float,
    pickup: np.ndarray | None = None,
    max_duration: float = np.inf,
    penalty: np.ndarray | float | None = None,
    due: np.ndarray | None = None,
    cost_per_route: float = 0.0,
) -> RoutingProblem:
    """The routing problem of a trip over world nodes (``nodes[0]`` is the base), at now, with
    the day's travel-time factor (the weather is known when planning).
    ``cost_per_route`` weighs each vehicle the plan sends out (its day rate), so a plan does
    not send another vehicle out to save a few km."""
    w = st.world
    sub = np.ix_(nodes, nodes)
    return RoutingProblem(
        duration_min=w.minutes[sub] / vehicle.speed_factor * st.times.day_factor_at(st.env.now),
        distance_km=w.km[sub],
        delivery=delivery,
        pickup=pickup,
        capacity=capacity,
        n_vehicles=max(1, n_vehicles),
        service_min=service,
        start_min=st.env.now,
        max_duration_min=max_duration,
        unserved_penalty=penalty,
        due_min=due,
        cost_per_km=vehicle.cost_per_km,
        cost_per_min=vehicle.cost_per_hour / MINUTES_PER_HOUR,
        cost_per_route=cost_per_route,
    )


def peak_share(problem: RoutingProblem, route: np.ndarray) -> float:
    """Highest share of capacity used on any dimension at any point of the route."""
    load = problem.delivery[route].sum(axis=0)
    peak = load.copy()
    if problem.pickup is not None:
        running = load - np.cumsum(problem.delivery[route], axis=0) + np.cumsum(problem.pickup[route], axis=0)
        peak = np.maximum(peak, running.max(axis=0))
    return float((peak / problem.capacity).max())


@dataclass(frozen=True)
class TripSpec:
    """What a planned trip is: who drives what where, when, and what it carries."""

    day: int
    kind: str  # "van" (van or cooperative truck), "trunk", "bus"
    vehicle_name: str
    vehicle: VehicleType | None  # None for a bus: its running cost is not freight's
    capacity: np.ndarray
    town: str
    start_t: float
    end_t: float
    km: float
    stops: int
    path: np.ndarray  # node indices visited, base first and last
    base: int  # where collected items arrive at the end
    peak_load_share: float
    day_rate: bool = False  # this trip charges the vehicle's day rate
    cost_yuan: float | None = None  # a fee instead of the vehicle's cost (bus freight)
    hire_yuan: float = 0.0  # a hired van's fee for the day, on its first trip of the day
    overtime_yuan: float = 0.0  # pay for the minutes past the driver's shift
    vehicle_id: int = -1  # the van's number in its fleet (-1 for trunks and buses)


class Trip:
    """A trip under way: its id in the trip log and its hand-overs."""

    def __init__(self, st: CountyState, op: Operation, spec: TripSpec, items: np.ndarray) -> None:
        led = st.ledger
        self.st, self.op, self.spec = st, op, spec
        self.id = st.trips.record(
            day=spec.day,
            operator=op.name,
            kind=spec.kind,
            vehicle_name=spec.vehicle_name,
            vehicle=spec.vehicle,
            town=spec.town,
            start_t=spec.start_t,
            end_t=spec.end_t,
            km=spec.km,
            stops=spec.stops,
            flows=led.flow[items],
            kg=led.weight_kg[items],
            m3=led.volume_m3[items],
            peak_load_share=spec.peak_load_share,
            fixed_cost=spec.day_rate,
            path=spec.path,
            cost_yuan=spec.cost_yuan,
            capacity=spec.capacity,
            hire_yuan=spec.hire_yuan,
            overtime_yuan=spec.overtime_yuan,
            vehicle_id=spec.vehicle_id,
        )

    def board(self, rows: np.ndarray, t: np.ndarray | float) -> None:
        """Items get on at ``t`` (one time, or one per row)."""
        if len(rows):
            self.st.ledger.board(rows, trip=self.id, t=t)
            self.st.trips.note(self.id, rows, t, +1)

    def leave(self, rows: np.ndarray, t: np.ndarray | float) -> None:
        """Items will get off at ``t``: handed over at a stop, or unloaded at the end."""
        self.st.trips.note(self.id, rows, t, -1)

    def load_more(self, rows: np.ndarray, t: float) -> None:
        """Items picked up on the way, counted in the trip's load as they board (trunks)."""
        if len(rows):
            self.board(rows, t)
            led = self.st.ledger
            self.st.trips.add_load(self.id, led.flow[rows], led.weight_kg[rows], led.volume_m3[rows])

    def raise_peak(self, share: float) -> None:
        """Loads taken on the way filled the vehicle to at least ``share`` of its capacity."""
        self.st.trips.raise_peak(self.id, share)

    def visit(self, points: np.ndarray, t: np.ndarray) -> None:
        """The vehicle is at these points at these times (cash boxes are topped up)."""
        note_visits(self.st, self.op, points, t)

    def finish(self, deliveries: np.ndarray, handover: np.ndarray, pickups: np.ndarray) -> None:
        """At the trip's end: deliveries are handed over (at their times), collections arrive."""
        self.leave(deliveries, handover)
        self.leave(pickups, self.spec.end_t)
        self.st.env.process(self._finish(deliveries, handover, pickups))

    def _finish(self, deliveries: np.ndarray, handover: np.ndarray, pickups: np.ndarray) -> Generator:
        yield self.st.env.timeout(max(0.0, self.spec.end_t - self.st.env.now))
        self.st.deliver(deliveries, handover)
        self.arrive_at_base(pickups)

    def arrive_at_base(self, rows: np.ndarray) -> None:
        """Collected items reach the trip's base (they go on from there by the arrival rule)."""
        self.st.arrive(self.op, rows, self.spec.base, self.spec.end_t)
