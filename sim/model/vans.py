"""Vans (and the cooperative's trucks): deliver and collect on one tour from their base.

At each dispatch time on a service day the fleet takes the items waiting at its
base for the points it serves and the items waiting at those points to be
collected, plans tours with ``sim.routing`` (load checked along the whole tour as
deliveries leave and collections come aboard), and starts one trip per tour. All
hand-over times of a trip are computed in one array operation when it starts;
the trip's items change state when it ends.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import numpy as np

from sim.model.bus import BusNetwork
from sim.model.loading import capacity_of
from sim.model.operations import Fleet, Operation
from sim.model.state import CountyState
from sim.model.trip import Trip, TripSpec, peak_share, routing_problem
from sim.records.ledger import PARCEL_IN, PARCEL_OUT
from sim.routing import RoutingProblem, fixed_or_replan, route_distance, schedule, solve
from sim.units import MINUTES_PER_DAY, MINUTES_PER_HOUR, SECONDS_PER_MINUTE, TIME_EPS_MIN

_EMPTY = np.empty(0, dtype=np.int64)
UNSERVED_PENALTY = 1.0e5  # objective units per stop left out; only capacity or shift forces it
PERISHABLE_PRIORITY = 2.0  # extra penalty units for leaving out produce that spoils within a day
REQUEUE_AFTER_MIN = 1.0  # deliveries left out wait this long before the next plan may take them


@dataclass
class Stops:
    """The stops of one dispatch: per stop a point, the rows to deliver and to collect there.

    ``nodes`` are the world nodes of the routing problem: the base, then each stop's point.
    """

    points: np.ndarray
    deliveries: list[np.ndarray]
    pickups: list[np.ndarray]
    nodes: np.ndarray


def fleet_process(st: CountyState, op: Operation, fleet: Fleet, buses: BusNetwork | None) -> Generator:
    """Dispatch ``fleet`` at its times on its days, for the whole horizon."""
    if fleet.size == 0 or len(fleet.points) == 0:
        return
    env = st.env
    for day in range(st.horizon_days):
        if int(st.weekday[day]) not in fleet.days:
            continue
        for clock in fleet.dispatch_times:
            yield env.timeout(max(0.0, day * MINUTES_PER_DAY + clock - env.now))
            if op.station_based and op.trunk_ready[fleet.town] > env.now:
                yield env.timeout(op.trunk_ready[fleet.town] - env.now)  # wait for today's trunk
            dispatch(st, op, fleet, day, buses)


def dispatch(st: CountyState, op: Operation, fleet: Fleet, day: int, buses: BusNetwork | None) -> None:
    """Plan tours for the free vans over what waits, and start one trip per tour."""
    now = st.env.now
    available = np.flatnonzero(fleet.free_at <= now + TIME_EPS_MIN)
    if len(available) == 0:
        return
    deliveries, pickups = _waiting(st, op, fleet, buses, now)
    if not len(deliveries) and not len(pickups):
        return
    cap = capacity_of(fleet.vehicle)
    stops = _stops(st, fleet, deliveries, pickups, cap)
    stops = _oldest_stops(st, op, fleet, stops, len(available), cap)
    problem = _tour_problem(st, fleet, stops, len(available), cap)
    solution = _plan(st, fleet, problem, stops.points)
    queue = op.pickup_queue(fleet.town)
    for i in solution.unserved.tolist():
        fleet.deliveries.push(stops.deliveries[i - 1], now + REQUEUE_AFTER_MIN)
        queue.push(stops.pickups[i - 1], now)
    for van, route in zip(available, solution.routes, strict=False):
        _start_trip(st, op, fleet, day, int(van), problem, route, stops)


def _waiting(
    st: CountyState, op: Operation, fleet: Fleet, buses: BusNetwork | None, now: float
) -> tuple[np.ndarray, np.ndarray]:
    """Deliveries ready at the base (less those left for a sooner bus) and collections ready,
    at the points served today (the others wait for their next service day)."""
    deliveries = _served_today(
        st, op, fleet.deliveries, st.spoil_waiting(fleet.deliveries.pop(now), now), True
    )
    if buses is not None and op.carries_bus and len(deliveries):
        held = buses.hold_for_bus(st, fleet, deliveries, now)
        if held.any():
            fleet.deliveries.push(deliveries[held], now)
            deliveries = deliveries[~held]
    queue = op.pickup_queue(fleet.town)
    pickups = st.spoil_waiting(queue.pop(now), now) if len(queue) else _EMPTY
    return deliveries, _served_today(st, op, queue, pickups, False)


def _served_today(st: CountyState, op: Operation, queue, rows: np.ndarray, deliveries: bool) -> np.ndarray:
    """Rows whose point is served today; the rest go back to ``queue`` until tomorrow."""
    if not len(rows):
        return rows
    led, now = st.ledger, st.env.now
    point = st.point_of_node[led.destination[rows] if deliveries else led.origin[rows]]
    today = op.serves_on(point, int(st.weekday[int(now // MINUTES_PER_DAY)]))
    if not today.all():
        queue.push(rows[~today], (now // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY)
    return rows[today]


def _stops(
    st: CountyState, fleet: Fleet, deliveries: np.ndarray, pickups: np.ndarray, cap: np.ndarray
) -> Stops:
    """Per point, delivery pieces paired with collection pieces, each fitting one van."""
    led = st.ledger
    d_key, d_parts = st.cargo.split_to_fit(deliveries, st.point_of_node[led.destination[deliveries]], cap)
    p_key, p_parts = st.cargo.split_to_fit(pickups, st.point_of_node[led.origin[pickups]], cap)
    points: list[int] = []
    deliv: list[np.ndarray] = []
    pick: list[np.ndarray] = []
    di = pi = 0
    none = np.iinfo(np.int64).max
    while di < len(d_key) or pi < len(p_key):
        p = min(d_key[di] if di < len(d_key) else none, p_key[pi] if pi < len(p_key) else none)
        dd = d_parts[di] if di < len(d_key) and d_key[di] == p else _EMPTY
        pp = p_parts[pi] if pi < len(p_key) and p_key[pi] == p else _EMPTY
        di += dd is not _EMPTY
        pi += pp is not _EMPTY
        points.append(int(p))
        deliv.append(dd)
        pick.append(pp)
    return _stops_at(st, fleet, np.array(points, dtype=np.int64), deliv, pick)


def _stops_at(
    st: CountyState, fleet: Fleet, points: np.ndarray, deliv: list[np.ndarray], pick: list[np.ndarray]
) -> Stops:
    nodes = np.concatenate([[fleet.base], st.world.points[points]])
    return Stops(points=points, deliveries=deliv, pickups=pick, nodes=nodes)


def _oldest_stops(
    st: CountyState, op: Operation, fleet: Fleet, stops: Stops, vans: int, cap: np.ndarray
) -> Stops:
    """Stops to plan: all, or when the backlog is too large the oldest (the rest wait)."""
    keep = _oldest_that_could_fit(st, stops.deliveries, stops.pickups, vans, cap)
    if keep is None:
        return stops
    now, queue = st.env.now, op.pickup_queue(fleet.town)
    for i in np.setdiff1d(np.arange(len(stops.points)), keep):
        fleet.deliveries.push(stops.deliveries[i], now + REQUEUE_AFTER_MIN)
        queue.push(stops.pickups[i], now)
    deliv = [stops.deliveries[i] for i in keep]
    pick = [stops.pickups[i] for i in keep]
    return _stops_at(st, fleet, stops.points[keep], deliv, pick)


def _tour_problem(st: CountyState, fleet: Fleet, stops: Stops, vans: int, cap: np.ndarray) -> RoutingProblem:
    """Deliveries and collections at each stop, service time by items handled, shift limit."""
    ops = st.s.operations
    delivery = np.vstack([np.zeros((1, 3)), st.cargo.sums(stops.deliveries)])
    pickup = np.vstack([np.zeros((1, 3)), st.cargo.sums(stops.pickups)])
    handling = ops.handling_sec_per_parcel / SECONDS_PER_MINUTE
    service = np.concatenate([[0.0], ops.stop_service_min + handling * (delivery[1:, 0] + pickup[1:, 0])])
    penalty = np.concatenate([[0.0], _penalties(st, stops.deliveries, stops.pickups, st.env.now)])
    has_pickup = pickup[1:, 0].sum() > 0
    return routing_problem(
        st,
        stops.nodes,
        delivery,
        fleet.vehicle,
        cap,
        n_vehicles=vans,
        service=service,
        pickup=pickup if has_pickup else None,
        max_duration=ops.shift_hours * MINUTES_PER_HOUR,
        penalty=penalty,
    )


def _penalties(st: CountyState, deliv: list[np.ndarray], pick: list[np.ndarray], now: float) -> np.ndarray:
    """Per stop: older items first when not everything fits; perishable collections before all."""
    both = [np.concatenate([d, p]) if len(p) else d for d, p in zip(deliv, pick, strict=True)]
    sizes = np.array([len(b) for b in both])
    flat = np.concatenate(both)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    oldest = np.minimum.reduceat(st.ledger.created_t[flat], starts)
    cargo = st.cargo
    soon = (cargo.perishable[flat] & (cargo.deadline[flat] < now + MINUTES_PER_DAY)).astype(np.int64)
    urgent = np.add.reduceat(soon, starts) > 0
    return UNSERVED_PENALTY * (1.0 + PERISHABLE_PRIORITY * urgent + (now - oldest) / MINUTES_PER_DAY)


def _oldest_that_could_fit(
    st: CountyState, deliv: list[np.ndarray], pick: list[np.ndarray], vans: int, cap: np.ndarray
) -> np.ndarray | None:
    """Indices of the stops to plan when a backlog exceeds ``operations.plan_backlog_factor``
    times what the free vans carry (the oldest first)."""
    items = np.array([len(d) + len(p) for d, p in zip(deliv, pick, strict=True)], dtype=float)
    limit = st.s.operations.plan_backlog_factor * vans * cap[0]
    if items.sum() <= limit:
        return None
    led = st.ledger
    oldest = np.array(
        [
            min(led.created_t[d].min() if len(d) else np.inf, led.created_t[p].min() if len(p) else np.inf)
            for d, p in zip(deliv, pick, strict=True)
        ]
    )
    order = np.argsort(oldest, kind="stable")
    n = int(np.searchsorted(np.cumsum(items[order]), limit, side="right"))
    return np.sort(order[: max(1, n)])


def _plan(st: CountyState, fleet: Fleet, problem, points: np.ndarray):
    """Daily re-planning, or fixed routes re-planned only when the day does not fit them."""
    if st.s.operations.routing_policy != "fixed" or len(set(points.tolist())) != len(points):
        return solve(problem)
    if fleet.fixed_routes is None:
        fleet.fixed_routes = _plan_fixed_routes(st, fleet)
    order = {int(p): i + 1 for i, p in enumerate(fleet.points)}
    # Express the fixed routes (over all the fleet's points) in today's stop numbering.
    today = {int(p): i + 1 for i, p in enumerate(points)}
    routes = []
    for r in fleet.fixed_routes:
        stops = [today[int(fleet.points[k - 1])] for k in r if int(fleet.points[k - 1]) in today]
        if stops:
            routes.append(np.array(stops, dtype=np.int64))
    missing = [i for p, i in today.items() if p not in order]
    if missing:
        return solve(problem)
    solution, _replanned = fixed_or_replan(routes, problem)
    return solution


def _plan_fixed_routes(st: CountyState, fleet: Fleet) -> list[np.ndarray]:
    """Routes over every point of the fleet, planned once for an average day."""
    w = st.world
    nodes = np.concatenate([[fleet.base], w.points[fleet.points]])
    n = len(fleet.points)
    avg = np.zeros((n + 1, 3))
    avg[1:, 0] = 1.0
    problem = routing_problem(
        st,
        nodes,
        avg,
        fleet.vehicle,
        capacity_of(fleet.vehicle),
        n_vehicles=fleet.size,
        service=st.s.operations.stop_service_min,
        max_duration=st.s.operations.shift_hours * MINUTES_PER_HOUR,
    )
    return list(solve(problem).routes)


def _piece_rate_fee(
    st: CountyState, fleet: Fleet, deliveries: np.ndarray, pickups: np.ndarray
) -> float | None:
    """What couriers paid by the piece earn on a trip (parcels delivered and collected);
    None for an owned fleet, whose trips cost the vehicle's km and hours."""
    if fleet.piece_rate is None:
        return None
    flows = st.ledger.flow[np.concatenate([deliveries, pickups])]
    return fleet.piece_rate * int(np.isin(flows, (PARCEL_IN, PARCEL_OUT)).sum())


def _start_trip(
    st: CountyState,
    op: Operation,
    fleet: Fleet,
    day: int,
    van: int,
    problem: RoutingProblem,
    route: np.ndarray,
    stops: Stops,
) -> None:
    """Schedule a planned tour, board its items, and let it run to its end."""
    now = st.env.now
    _arrival, begin, end = schedule(problem, route)
    d_parts = [stops.deliveries[i - 1] for i in route]
    p_parts = [stops.pickups[i - 1] for i in route]
    deliv = np.concatenate(d_parts) if d_parts else _EMPTY
    pick = np.concatenate(p_parts) if p_parts else _EMPTY
    handover = np.repeat(begin, [len(x) for x in d_parts])
    picked_at = np.repeat(begin, [len(x) for x in p_parts])
    nodes = stops.nodes
    spec = TripSpec(
        day=day,
        kind="van",
        vehicle_name=fleet.vehicle_name,
        vehicle=fleet.vehicle,
        capacity=problem.capacity,
        town=st.world.towns[fleet.town] if fleet.town >= 0 else "",
        start_t=now,
        end_t=end,
        km=route_distance(problem, route),
        stops=len(route),
        path=np.concatenate([[nodes[0]], nodes[route], [nodes[0]]]),
        base=fleet.base,
        peak_load_share=peak_share(problem, route),
        cost_yuan=_piece_rate_fee(st, fleet, deliv, pick),
    )
    fleet.count_out(now, day)
    trip = Trip(st, op, spec, np.concatenate([deliv, pick]))
    fleet.free_at[van] = end
    trip.board(deliv, now)
    trip.board(pick, picked_at)
    trip.visit(stops.points[route - 1], begin)
    trip.finish(deliv, handover, pick)
