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

import numpy as np

from sim.model.bus import BusNetwork
from sim.model.operations import Fleet, Operation
from sim.model.state import UNSERVED_PENALTY, CountyState, capacity_of, peak_share, route_km
from sim.routing import fixed_or_replan, schedule, solve

_EMPTY = np.empty(0, dtype=np.int64)


def fleet_process(st: CountyState, op: Operation, fleet: Fleet, buses: BusNetwork | None) -> Generator:
    """Dispatch ``fleet`` at its times on its days, for the whole horizon."""
    if fleet.size == 0 or len(fleet.points) == 0:
        return
    env = st.env
    for day in range(st.horizon_days):
        if int(st.weekday[day]) not in fleet.days:
            continue
        for clock in fleet.dispatch_times:
            yield env.timeout(max(0.0, day * 1440.0 + clock - env.now))
            if op.station_based and op.trunk_ready[fleet.town] > env.now:
                yield env.timeout(op.trunk_ready[fleet.town] - env.now)  # wait for today's trunk
            dispatch(st, op, fleet, day, buses)


def _split(
    st: CountyState, rows: np.ndarray, key: np.ndarray, cap: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group rows by ``key`` (a point) into pieces that each fit one vehicle: (key per piece, rows)."""
    if not len(rows):
        return np.empty(0, dtype=np.int64), []
    order = np.argsort(key, kind="stable")
    rows, key = rows[order], key[order]
    keys, starts = np.unique(key, return_index=True)
    loads = np.add.reduceat(st.dims[rows], starts, axis=0)
    groups = np.split(rows, starts[1:])
    if (loads <= cap + 1e-9).all():
        return keys, groups
    out_keys: list[int] = []
    out_rows: list[np.ndarray] = []
    for k, g, load in zip(keys.tolist(), groups, loads, strict=True):
        pieces = int(np.ceil((load / cap).max() - 1e-9))
        parts = [g]
        while pieces > 1:
            parts = np.array_split(g, pieces)
            if all((st.dims[p].sum(axis=0) <= cap + 1e-9).all() for p in parts):
                break
            pieces += 1
        out_keys += [k] * len(parts)
        out_rows += parts
    return np.array(out_keys, dtype=np.int64), out_rows


def dispatch(st: CountyState, op: Operation, fleet: Fleet, day: int, buses: BusNetwork | None) -> None:
    env, led, s = st.env, st.ledger, st.s
    now = env.now
    available = np.flatnonzero(fleet.free_at <= now + 1e-9)
    if len(available) == 0:
        return
    deliveries = st.spoil_waiting(fleet.deliveries.pop(now), now)
    if buses is not None and op.carries_bus and len(deliveries):
        held = buses.hold_for_bus(st, fleet, deliveries, now)
        if held.any():
            fleet.deliveries.push(deliveries[held], now)
            deliveries = deliveries[~held]
    queue = op.pickup_queue(fleet.town)
    pickups = st.spoil_waiting(queue.pop(now), now) if queue._rows else _EMPTY
    if not len(deliveries) and not len(pickups):
        return
    cap = capacity_of(fleet.vehicle)
    # Stops: per point, delivery pieces paired with pickup pieces (most points have one of each).
    d_key, d_parts = _split(st, deliveries, st.point_of_node[led.destination[deliveries]], cap)
    p_key, p_parts = _split(st, pickups, st.point_of_node[led.origin[pickups]], cap)
    stop_point: list[int] = []
    stop_deliv: list[np.ndarray] = []
    stop_pick: list[np.ndarray] = []
    di = pi = 0
    while di < len(d_key) or pi < len(p_key):
        p = min(
            d_key[di] if di < len(d_key) else np.iinfo(np.int64).max,
            p_key[pi] if pi < len(p_key) else np.iinfo(np.int64).max,
        )
        dd = d_parts[di] if di < len(d_key) and d_key[di] == p else _EMPTY
        pp = p_parts[pi] if pi < len(p_key) and p_key[pi] == p else _EMPTY
        di += dd is not _EMPTY
        pi += pp is not _EMPTY
        stop_point.append(int(p))
        stop_deliv.append(dd)
        stop_pick.append(pp)
    keep = _oldest_that_could_fit(st, stop_deliv, stop_pick, len(available), cap)
    if keep is not None:
        for i in np.setdiff1d(np.arange(len(stop_point)), keep):
            fleet.deliveries.push(stop_deliv[i], now + 1.0)
            queue.push(stop_pick[i], now)
        stop_point = [stop_point[i] for i in keep]
        stop_deliv = [stop_deliv[i] for i in keep]
        stop_pick = [stop_pick[i] for i in keep]
    points = np.array(stop_point, dtype=np.int64)
    nodes = np.concatenate([[fleet.base], st.world.points[points]])
    delivery = np.vstack([np.zeros((1, 3)), st.loads(stop_deliv)])
    pickup = np.vstack([np.zeros((1, 3)), st.loads(stop_pick)])
    handling = s.operations.handling_sec_per_parcel / 60.0
    service = np.concatenate(
        [[0.0], s.operations.stop_service_min + handling * (delivery[1:, 0] + pickup[1:, 0])]
    )
    penalty = np.concatenate([[0.0], _penalties(st, stop_deliv, stop_pick, now)])
    has_pickup = pickup[1:, 0].sum() > 0
    problem = st.problem(
        nodes,
        delivery,
        fleet.vehicle,
        n_vehicles=len(available),
        service=service,
        pickup=pickup if has_pickup else None,
        max_duration=s.operations.shift_hours * 60.0,
        penalty=penalty,
    )
    solution = _plan(st, fleet, problem, points)
    for i in solution.unserved.tolist():
        fleet.deliveries.push(stop_deliv[i - 1], now + 1.0)
        queue.push(stop_pick[i - 1], now)
    for van, route in zip(available, solution.routes, strict=False):
        _start_trip(st, op, fleet, day, int(van), problem, route, nodes, stop_deliv, stop_pick, points)


def _penalties(st: CountyState, deliv: list[np.ndarray], pick: list[np.ndarray], now: float) -> np.ndarray:
    """Per stop: older items first when not everything fits; perishable collections before all."""
    both = [np.concatenate([d, p]) if len(p) else d for d, p in zip(deliv, pick, strict=True)]
    sizes = np.array([len(b) for b in both])
    flat = np.concatenate(both)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    oldest = np.minimum.reduceat(st.ledger.created_t[flat], starts)
    soon = (st.perishable[flat] & (st.deadline[flat] < now + 1440.0)).astype(np.int64)
    urgent = np.add.reduceat(soon, starts) > 0
    return UNSERVED_PENALTY * (1.0 + 2.0 * urgent + (now - oldest) / 1440.0)


def _oldest_that_could_fit(
    st: CountyState, deliv: list[np.ndarray], pick: list[np.ndarray], vans: int, cap: np.ndarray
) -> np.ndarray | None:
    """Indices of the stops to plan when a backlog exceeds 1.5x what the free vans carry."""
    items = np.array([len(d) + len(p) for d, p in zip(deliv, pick, strict=True)], dtype=float)
    limit = 1.5 * vans * cap[0]
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
    problem = st.problem(
        nodes,
        avg,
        fleet.vehicle,
        n_vehicles=fleet.size,
        service=st.s.operations.stop_service_min,
        max_duration=st.s.operations.shift_hours * 60.0,
    )
    return list(solve(problem).routes)


def _start_trip(
    st: CountyState,
    op: Operation,
    fleet: Fleet,
    day: int,
    van: int,
    problem,
    route: np.ndarray,
    nodes: np.ndarray,
    stop_deliv: list[np.ndarray],
    stop_pick: list[np.ndarray],
    points: np.ndarray,
) -> None:
    env, led = st.env, st.ledger
    _arrival, begin, end = schedule(problem, route)
    d_parts = [stop_deliv[i - 1] for i in route]
    p_parts = [stop_pick[i - 1] for i in route]
    deliv = np.concatenate(d_parts) if d_parts else _EMPTY
    pick = np.concatenate(p_parts) if p_parts else _EMPTY
    handover = np.repeat(begin, [len(x) for x in d_parts])
    picked_at = np.repeat(begin, [len(x) for x in p_parts])
    items = np.concatenate([deliv, pick])
    trip = st.trips.record(
        day=day,
        operator=op.name,
        kind="van",
        vehicle_name=fleet.vehicle_name,
        vehicle=fleet.vehicle,
        town=st.world.towns[fleet.town] if fleet.town >= 0 else "",
        start_t=env.now,
        end_t=end,
        km=route_km(problem, route),
        stops=len(route),
        flows=led.flow[items],
        kg=float(led.weight_kg[items].sum()),
        peak_load_share=peak_share(problem, route),
        fixed_cost=st.charge_day_rate(fleet, day),
        path=np.concatenate([[nodes[0]], nodes[route], [nodes[0]]]),
    )
    fleet.free_at[van] = end
    if len(deliv):
        led.board(deliv, trip=trip, t=env.now)
    if len(pick):
        led.board(pick, trip=trip, t=picked_at)
    st.trips.note(trip, deliv, env.now, +1)
    st.trips.note(trip, deliv, handover, -1)
    st.trips.note(trip, pick, picked_at, +1)
    st.trips.note(trip, pick, end, -1)
    st.record_visits(op, points[route - 1], begin)
    env.process(_finish(st, op, fleet, deliv, handover, pick, end))


def _finish(st, op, fleet, deliv, handover, pick, end) -> Generator:
    yield st.env.timeout(end - st.env.now)
    st.deliver(deliv, handover)
    st.arrive(op, pick, fleet.base, end)
