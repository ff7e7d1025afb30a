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
from sim.model.collection import collect_on_the_way, stop_lookup
from sim.model.loading import capacity_of
from sim.model.operations import Fleet, Operation
from sim.model.priority import first_in_line, stop_penalties
from sim.model.queues import ItemQueue
from sim.model.state import CountyState
from sim.model.trip import Trip, TripSpec, peak_share, routing_problem
from sim.records.ledger import PARCEL_IN, PARCEL_OUT
from sim.routing import RoutingProblem, fixed_or_replan, route_distance, schedule, solve
from sim.units import FLOAT_EPS, MINUTES_PER_DAY, MINUTES_PER_HOUR, SECONDS_PER_MINUTE, TIME_EPS_MIN

_EMPTY = np.empty(0, dtype=np.int64)
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


def dispatch(
    st: CountyState,
    op: Operation,
    fleet: Fleet,
    day: int,
    buses: BusNetwork | None,
    vans: np.ndarray | None = None,
    overtime: bool = False,
) -> None:
    """Plan tours for the free vans (or ``vans``) over what waits, and start one trip per tour.

    Each van has what is left of its day's shift (``Fleet.shift_left``, plus the surge
    overtime when ``overtime``); tours are planned for the van with the most time left and
    given longest first to the vans with most time; a tour that does not fit its van's time
    waits, like the stops no van could take. When the owned vans leave a backlog at the
    station (:func:`_hire_for_backlog`), vans are hired for the day.
    """
    now = st.env.now
    shift = st.s.operations.shift_hours * MINUTES_PER_HOUR
    extra = st.s.surge.overtime_hours * MINUTES_PER_HOUR if overtime and st.s.surge.enabled else 0.0
    free = fleet.free_vans(now, day) if vans is None else vans
    left = fleet.shift_left(free, now, day, shift) + extra
    by_time = np.argsort(-left, kind="stable")
    available, left = free[by_time][left[by_time] > 0], left[by_time][left[by_time] > 0]
    if len(available) == 0:
        return
    cap = capacity_of(fleet.vehicle)
    deliveries, pickups = _too_large_for_vans(st, op, fleet, buses, *_waiting(st, op, fleet, buses, now), cap)
    if not len(deliveries) and not len(pickups):
        return
    deliveries, pickups = _plan_first(st, op, fleet, deliveries, pickups, len(available), cap)
    stops = _stops(st, fleet, deliveries, pickups, cap)
    problem = _tour_problem(st, fleet, stops, len(available), cap, float(left[0]))
    solution = _plan(st, fleet, problem, stops.points)
    ends = [float(schedule(problem, r)[2]) for r in solution.routes]
    longest_first = np.argsort(-np.array(ends) if ends else np.zeros(0), kind="stable")
    later = list(solution.unserved.tolist())
    for van, time_left, k in zip(available, left, longest_first, strict=False):
        route = solution.routes[k]
        if ends[k] - now > time_left + TIME_EPS_MIN:
            later += route.tolist()
            continue
        _start_trip(st, op, fleet, day, int(van), problem, route, stops, buses)
    later += [i for k in longest_first[len(available) :] for i in solution.routes[k].tolist()]
    _requeue(st, op, fleet, stops, later)
    if overtime or (vans is None and not st.s.operations.multi_trip):
        _hire_for_backlog(st, op, fleet, day, buses, stops, later, cap)


def _hire_for_backlog(
    st: CountyState,
    op: Operation,
    fleet: Fleet,
    day: int,
    buses: BusNetwork | None,
    stops: Stops,
    later: list[int],
    cap: np.ndarray,
) -> None:
    """Surge: when the owned vans have done their round (a van back reloading; with
    single-trip shifts, a dispatch wave) and still leave at least ``surge.hire_backlog_items``
    items at the station, hire vans for the day (one per vanload left, within the limit);
    they leave once loaded (:func:`_send_hired`)."""
    surge = st.s.surge
    left = sum(len(stops.deliveries[i - 1]) + len(stops.pickups[i - 1]) for i in later)
    if not surge.enabled or left < surge.hire_backlog_items:
        return
    hired = fleet.hire(day, int(np.ceil(left / cap[0])))
    if len(hired):
        st.env.process(_send_hired(st, op, fleet, day, buses, hired))


def _send_hired(
    st: CountyState, op: Operation, fleet: Fleet, day: int, buses: BusNetwork | None, hired: np.ndarray
) -> Generator:
    """Hired vans load for ``operations.reload_min`` and take what waits."""
    yield st.env.timeout(st.s.operations.reload_min)
    dispatch(st, op, fleet, day, buses, vans=hired)


def _requeue(st: CountyState, op: Operation, fleet: Fleet, stops: Stops, later: list[int]) -> None:
    """Stops (1-based) no van takes now wait again: deliveries at the base, collections at the point."""
    now, queue = st.env.now, op.pickup_queue(fleet.town)
    for i in later:
        fleet.deliveries.push(stops.deliveries[i - 1], now + REQUEUE_AFTER_MIN)
        queue.push(stops.pickups[i - 1], now)


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


def _too_large_for_vans(
    st: CountyState,
    op: Operation,
    fleet: Fleet,
    buses: BusNetwork | None,
    deliveries: np.ndarray,
    pickups: np.ndarray,
    cap: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Items larger than the fleet's vehicle are never planned or split: those a freight bus
    line of the operation can carry at their point wait for it (deliveries at the base,
    collections at the point); the rest are set aside unserved where they wait
    (:meth:`CountyState.set_aside_oversize`). Returns what the vans may plan."""
    if buses is not None and op.carries_bus:
        now, queue = st.env.now, op.pickup_queue(fleet.town)
        deliveries = _leave_big_for_bus(
            st, buses, fleet, deliveries, cap, fleet.deliveries, now + REQUEUE_AFTER_MIN
        )
        pickups = _leave_big_for_bus(st, buses, fleet, pickups, cap, queue, now, collect=True)
    return st.set_aside_oversize(deliveries, cap), st.set_aside_oversize(pickups, cap)


def _leave_big_for_bus(
    st: CountyState,
    buses: BusNetwork,
    fleet: Fleet,
    rows: np.ndarray,
    cap: np.ndarray,
    queue: ItemQueue,
    ready_t: float,
    collect: bool = False,
) -> np.ndarray:
    """Push rows too large for the van that a bus line of the fleet's town carries back to
    ``queue`` (ready at ``ready_t``); return the others."""
    if not len(rows):
        return rows
    big = st.cargo.oversize(rows, cap)
    if not big.any():
        return rows
    by_bus = np.zeros(len(rows), dtype=bool)
    by_bus[big] = buses.can_carry(st, fleet.town, rows[big], collect)
    if by_bus.any():
        queue.push(rows[by_bus], ready_t)
    return rows[~by_bus]


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
    points, deliv, pick = pair_by_point(d_key, d_parts, p_key, p_parts)
    return _stops_at(st, fleet, points, deliv, pick)


def pair_by_point(
    d_key: np.ndarray, d_parts: list[np.ndarray], p_key: np.ndarray, p_parts: list[np.ndarray]
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Merge delivery and collection pieces (each sorted by point) into stops: the k-th
    delivery piece of a point rides with its k-th collection piece. Each pass takes at
    least one piece, so ``len(d_key) + len(p_key)`` passes are the bound.

    >>> pts, d, p = pair_by_point(np.array([1, 1]), [np.array([0]), np.array([1])],
    ...                           np.array([1, 2]), [np.array([5]), np.array([6])])
    >>> pts.tolist(), [x.tolist() for x in d], [x.tolist() for x in p]
    ([1, 1, 2], [[0], [1], []], [[5], [], [6]])
    """
    points: list[int] = []
    deliv: list[np.ndarray] = []
    pick: list[np.ndarray] = []
    di = pi = 0
    none = np.iinfo(np.int64).max
    for _ in range(len(d_key) + len(p_key)):
        if di >= len(d_key) and pi >= len(p_key):
            break
        p = min(d_key[di] if di < len(d_key) else none, p_key[pi] if pi < len(p_key) else none)
        dd = d_parts[di] if di < len(d_key) and d_key[di] == p else _EMPTY
        pp = p_parts[pi] if pi < len(p_key) and p_key[pi] == p else _EMPTY
        di += dd is not _EMPTY
        pi += pp is not _EMPTY
        points.append(int(p))
        deliv.append(dd)
        pick.append(pp)
    return np.array(points, dtype=np.int64), deliv, pick


def _stops_at(
    st: CountyState, fleet: Fleet, points: np.ndarray, deliv: list[np.ndarray], pick: list[np.ndarray]
) -> Stops:
    nodes = np.concatenate([[fleet.base], st.world.points[points]])
    return Stops(points=points, deliveries=deliv, pickups=pick, nodes=nodes)


def _plan_first(
    st: CountyState,
    op: Operation,
    fleet: Fleet,
    deliveries: np.ndarray,
    pickups: np.ndarray,
    vans: int,
    cap: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """What a dispatch plans: everything, or when more waits than ``plan_backlog_factor``
    times what the free vans carry, the items first in line (``sim.model.priority``); the
    rest waits where it was."""
    now = st.env.now
    limit = st.s.operations.plan_backlog_factor * vans * cap[0]
    take = first_in_line(st, np.concatenate([deliveries, pickups]), limit, now)
    d_take, p_take = take[: len(deliveries)], take[len(deliveries) :]
    if not take.all():
        fleet.deliveries.push(deliveries[~d_take], now + REQUEUE_AFTER_MIN)
        op.pickup_queue(fleet.town).push(pickups[~p_take], now)
    return deliveries[d_take], pickups[p_take]


def _tour_problem(
    st: CountyState, fleet: Fleet, stops: Stops, vans: int, cap: np.ndarray, shift_left_min: float
) -> RoutingProblem:
    """Deliveries and collections at each stop, service time by items handled, the time the
    vans have left of their shift."""
    ops = st.s.operations
    delivery = np.vstack([np.zeros((1, 3)), st.cargo.sums(stops.deliveries)])
    pickup = np.vstack([np.zeros((1, 3)), st.cargo.sums(stops.pickups)])
    handling = ops.handling_sec_per_parcel / SECONDS_PER_MINUTE
    service = np.concatenate([[0.0], ops.stop_service_min + handling * (delivery[1:, 0] + pickup[1:, 0])])
    penalty = np.concatenate([[0.0], stop_penalties(st, stops.deliveries, stops.pickups, st.env.now)])
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
        max_duration=shift_left_min,
        penalty=penalty,
        cost_per_route=fleet.vehicle.cost_per_day,
    )


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


def _reload(
    st: CountyState, op: Operation, fleet: Fleet, day: int, van: int, back_t: float, buses: BusNetwork | None
) -> Generator:
    """Back at the base, the van reloads and takes another tour if its shift leaves time and
    the work is worth a tour (:func:`_worth_another_tour`)."""
    yield st.env.timeout(max(0.0, back_t + st.s.operations.reload_min - st.env.now))
    now = st.env.now
    if fleet.free_at[van] <= now + TIME_EPS_MIN and _worth_another_tour(st, op, fleet, now):
        dispatch(st, op, fleet, day, buses, vans=np.array([van]), overtime=True)


def _worth_another_tour(st: CountyState, op: Operation, fleet: Fleet, now: float) -> bool:
    """At least ``surge.wave_backlog_items`` deliveries (one without surge) wait at the base
    for points served today, or perishable lots wait to be collected: collections alone
    wait for the next tour."""
    rows, _ = fleet.deliveries.peek(now)
    if len(rows):
        point = st.point_of_node[st.ledger.destination[rows]]
        today = op.serves_on(point, int(st.weekday[int(now // MINUTES_PER_DAY)]))
        if today.sum() >= (st.s.surge.wave_backlog_items if st.s.surge.enabled else 1):
            return True
    waiting, _ = op.pickup_queue(fleet.town).peek(now)
    return bool(st.cargo.perishable[waiting].any())


def _collect_on_the_way(
    st: CountyState,
    op: Operation,
    fleet: Fleet,
    problem: RoutingProblem,
    route: np.ndarray,
    stops: Stops,
    begin: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, float]:
    """The one collection rule (``sim.model.collection``): at each stop the van also takes
    what became ready there by the time it arrives and fits. Returns rows, times, peak share."""
    stop_of_node = stop_lookup(len(st.world.nodes), stops.nodes[route], np.arange(len(route)))
    drops = np.asarray(problem.delivery)[route]
    picks = np.zeros_like(drops) if problem.pickup is None else np.asarray(problem.pickup)[route]
    running = drops.sum(axis=0) - np.cumsum(drops, axis=0) + np.cumsum(picks, axis=0)
    queue = op.pickup_queue(fleet.town)
    rows, times, peak = collect_on_the_way(st, queue, stop_of_node, begin, running, problem.capacity)
    share = float((peak / np.maximum(problem.capacity, FLOAT_EPS)).max()) if len(rows) else 0.0
    return rows, times, share


def _surge_pay(st: CountyState, fleet: Fleet, van: int, day: int, end: float) -> tuple[float, float]:
    """A hired van's fee for the day (on its first trip) and the overtime pay of a tour that
    ends past the van's shift (its minutes past the shift, not counted by an earlier tour)."""
    surge, now = st.s.surge, st.env.now
    hire = surge.hire_yuan_per_day if fleet.hire_fee_due(van, day) else 0.0
    shift_end = fleet.shift_start[van] + st.s.operations.shift_hours * MINUTES_PER_HOUR
    over_min = max(0.0, end - max(shift_end, now))
    return hire, over_min / MINUTES_PER_HOUR * surge.overtime_yuan_per_hour


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
    buses: BusNetwork | None,
) -> None:
    """Schedule a planned tour, board its items, and let it run to its end (then, with
    ``operations.multi_trip``, reload and go out again with what waits)."""
    now = st.env.now
    _arrival, begin, end = schedule(st.times.realised(problem, day), route)
    d_parts = [stops.deliveries[i - 1] for i in route]
    p_parts = [stops.pickups[i - 1] for i in route]
    deliv = np.concatenate(d_parts) if d_parts else _EMPTY
    pick = np.concatenate(p_parts) if p_parts else _EMPTY
    handover = np.repeat(begin, [len(x) for x in d_parts])
    picked_at = np.repeat(begin, [len(x) for x in p_parts])
    extra, extra_t, extra_share = _collect_on_the_way(st, op, fleet, problem, route, stops, begin)
    pick, picked_at = np.concatenate([pick, extra]), np.concatenate([picked_at, extra_t])
    nodes = stops.nodes
    fleet.count_out(van, now, day)
    fleet.start_shift(van, now, day)
    hire_yuan, overtime_yuan = _surge_pay(st, fleet, van, day, end)
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
        peak_load_share=max(peak_share(problem, route), extra_share),
        cost_yuan=_piece_rate_fee(st, fleet, deliv, pick),
        hire_yuan=hire_yuan,
        overtime_yuan=overtime_yuan,
        vehicle_id=van,
    )
    trip = Trip(st, op, spec, np.concatenate([deliv, pick]))
    fleet.free_at[van] = end
    if st.s.operations.multi_trip:
        st.env.process(_reload(st, op, fleet, day, van, end, buses))
    trip.board(deliv, now)
    trip.board(pick, picked_at)
    trip.visit(stops.points[route - 1], begin)
    trip.finish(deliv, handover, pick)
