"""Trunks between the county hub and the town stations.

Every day each station-based operation runs a morning trunk (hub -> stations ->
hub at ``hub.trunk_departure``) that drops the sorted items for each town, and an
afternoon collection trunk (``hub.collection_departure``) that brings what vans
and buses collected back to the hub. Both load whatever waits at a station's
outgoing queue as far as the truck has room. The operation's policy sets the morning
trunk's deadline: the pooled operation's trucks reach each station before its first van
dispatch (stations one cannot reach in time get another truck); a carrier alone runs
one truck sized to its volume, a second only when one cannot carry the load, and its
vans wait for it.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from sim.model.loading import capacity_of
from sim.model.operations import Operation
from sim.model.priority import UNSERVED_PENALTY
from sim.model.state import CountyState
from sim.model.trip import Trip, TripSpec, peak_share, routing_problem
from sim.routing import RoutingProblem, route_distance, schedule, solve
from sim.units import MINUTES_PER_DAY


def trunk_process(st: CountyState, op: Operation) -> Generator:
    """The operation's two trunk runs, every day of the horizon."""
    s, env = st.s, st.env
    runs = sorted([(s.hub.trunk_departure, True), (s.hub.collection_departure, False)])
    for day in range(st.horizon_days):
        for clock, morning in runs:
            yield env.timeout(max(0.0, day * MINUTES_PER_DAY + clock - env.now))
            _run(st, op, day, morning)


def _run(st: CountyState, op: Operation, day: int, morning: bool) -> None:
    """Route trucks over the stations with items to drop or to collect, and start them."""
    s, now = st.s, st.env.now
    truck = s.vehicle_types[s.hub.trunk_vehicle]
    cap = capacity_of(truck)
    drops = st.set_aside_oversize(st.spoil_waiting(op.hub_queue.pop(now), now), cap)
    stop_town, stop_drops, stop_picks = _station_stops(st, op, drops, truck.speed_factor, cap)
    if not len(stop_town):
        return
    nodes = np.concatenate([[st.world.hub], st.world.station[stop_town]])
    delivery = np.vstack([np.zeros((1, 3)), st.cargo.sums(stop_drops)])
    pickup = np.vstack([np.zeros((1, 3)), st.cargo.sums(stop_picks)])
    loads = (delivery, pickup if pickup.sum() > 0 else None)
    due = _due(st, len(nodes), day, morning, op.trunk_meets_first_dispatch)
    routes = _routes(st, nodes, loads, truck, cap, due)
    plain = routing_problem(
        st, nodes, delivery, truck, cap, n_vehicles=len(stop_drops), service=0.0, pickup=loads[1]
    )
    for route in routes:
        _start(st, op, day, morning, plain, route, stop_town, stop_drops)


def _station_stops(
    st: CountyState, op: Operation, drops: np.ndarray, speed: float, cap: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Stations to visit (town per stop), what to drop and what to collect at each, in
    truck-sized pieces, so that the routing sends as many trucks as the loads both ways need.

    A station is visited when items wait at the hub for its town, or when items wait at
    the station to go to the hub by the time the truck gets there (those are what it will
    collect; the truck takes at each stop what waits then and fits).
    """
    w, led, now = st.world, st.ledger, st.env.now
    town_of_row = w.point_town[st.point_of_node[led.destination[drops]]] if len(drops) else np.zeros(0, int)
    collect = []
    for t, fleet in op.station_fleet.items():
        reach = now + w.minutes[w.hub, fleet.base] / speed
        collect.append((t, fleet.outgoing.peek(reach)[0]))
    picks = np.concatenate([rows for _, rows in collect]) if collect else np.zeros(0, np.int64)
    pick_town = (
        np.concatenate([np.full(len(rows), t) for t, rows in collect]) if collect else np.zeros(0, int)
    )
    d_keys, d_parts = st.cargo.split_to_fit(drops, town_of_row, cap)
    p_keys, p_parts = st.cargo.split_to_fit(picks, pick_town, cap)
    stop_town: list[int] = []
    stop_drops: list[np.ndarray] = []
    stop_picks: list[np.ndarray] = []
    empty = np.empty(0, dtype=np.int64)
    for t in sorted(set(town_of_row.tolist()) | set(pick_town.tolist())):
        mine_d = [p for k, p in zip(d_keys.tolist(), d_parts, strict=True) if k == t]
        mine_p = [p for k, p in zip(p_keys.tolist(), p_parts, strict=True) if k == t]
        for k in range(max(len(mine_d), len(mine_p), 1)):
            stop_town.append(t)
            stop_drops.append(mine_d[k] if k < len(mine_d) else empty)
            stop_picks.append(mine_p[k] if k < len(mine_p) else empty)
    return np.array(stop_town, dtype=np.int64), stop_drops, stop_picks


def _due(st: CountyState, n_nodes: int, day: int, morning: bool, meets_deadlines: bool) -> np.ndarray | None:
    """Deadlines of a trunk run of an operation whose trunks meet deadlines
    (``trunk_deadline = "first_dispatch"``), else None: a morning trunk reaches every station
    by the first van dispatch less sorting; an afternoon collection is back at the hub
    ``hub.cutoff_margin_min`` before the outbound line-haul cut-off (when it leaves before
    that), so what it collects makes the day's line-haul."""
    s, now = st.s, st.env.now
    due = np.full(n_nodes, np.inf)
    if not meets_deadlines:
        return None
    if morning:
        due[1:] = max(day * MINUTES_PER_DAY + min(s.stations.dispatch_times) - s.stations.sort_min, now)
        return due
    cutoff = day * MINUTES_PER_DAY + s.outbound.cutoff - s.hub.cutoff_margin_min
    if now < cutoff:
        due[0] = cutoff
        return due
    return None


def _routes(st: CountyState, nodes, loads, truck, cap, due: np.ndarray | None) -> list[np.ndarray]:
    """With deadlines (:func:`_due`) the stations one truck cannot serve in time get more
    trucks; stations no truck can serve in time are still visited, by trucks without the
    deadline. Otherwise as few trucks as the loads need (the vans wait for them).
    ``loads`` are the deliveries and the collections (or None) per node."""
    delivery, pickup = loads
    n = len(nodes) - 1
    deadline = due is not None
    problem = routing_problem(
        st,
        nodes,
        delivery,
        truck,
        cap,
        n_vehicles=n,
        service=0.0,
        pickup=pickup,
        due=due,
        penalty=UNSERVED_PENALTY if deadline else None,
    )
    solution = solve(problem)
    routes = list(solution.routes)
    if len(solution.unserved):
        late = np.concatenate([[0], solution.unserved])
        sub = routing_problem(
            st,
            nodes[late],
            delivery[late],
            truck,
            cap,
            n_vehicles=len(late) - 1,
            service=0.0,
            pickup=None if pickup is None else pickup[late],
        )
        routes += [late[r] for r in solve(sub).routes]
    return routes


def _start(
    st: CountyState,
    op: Operation,
    day: int,
    morning: bool,
    problem: RoutingProblem,
    route: np.ndarray,
    stop_town: np.ndarray,
    stop_drops: list[np.ndarray],
) -> None:
    """Schedule one truck's route, board its drops, and drive it stop by stop."""
    s, w, now = st.s, st.world, st.env.now
    arrival, _, end = schedule(st.times.realised(problem, day), route)
    parts = [stop_drops[i - 1] for i in route]
    rows = np.concatenate(parts)
    nodes = np.concatenate([[w.hub], w.station[stop_town]])
    spec = TripSpec(
        day=day,
        kind="trunk",
        vehicle_name=s.hub.trunk_vehicle,
        vehicle=s.vehicle_types[s.hub.trunk_vehicle],
        capacity=problem.capacity,
        town="",
        start_t=now,
        end_t=end,
        km=route_distance(problem, route),
        stops=len(route),
        path=np.concatenate([[w.hub], nodes[route], [w.hub]]),
        base=w.hub,
        peak_load_share=peak_share(problem, route),
        day_rate=op.charge_trunk_day_rate(now, end, day),
    )
    trip = Trip(st, op, spec, rows)
    trip.board(rows, now)
    for part, when in zip(parts, arrival.tolist(), strict=True):
        trip.leave(part, when)
    towns_on_route = stop_town[route - 1]
    if morning:
        for t, when in zip(towns_on_route.tolist(), arrival.tolist(), strict=True):
            op.trunk_ready[t] = max(op.trunk_ready[t], when + s.stations.sort_min)
    st.env.process(_drive(st, op, trip, parts, towns_on_route, arrival, problem.capacity))


def _drive(st: CountyState, op: Operation, trip: Trip, parts, towns, arrival, cap) -> Generator:
    """Stop by stop: drop the town's items, load what waits to go to the hub, return."""
    env, led = st.env, st.ledger
    drop_loads = st.cargo.sums(parts)
    remaining = drop_loads.sum(axis=0) if parts else np.zeros(3)
    loaded: list[np.ndarray] = []
    carried = np.zeros(3)
    for k, (rows, town, when) in enumerate(zip(parts, towns.tolist(), arrival.tolist(), strict=True)):
        yield env.timeout(max(0.0, when - env.now))
        st.arrive(op, rows, int(st.world.station[town]), env.now)
        remaining = remaining - drop_loads[k]
        outgoing = op.station_fleet[town].outgoing
        if not len(outgoing.peek(env.now)[0]):
            continue
        popped = outgoing.pop(env.now)
        ready = st.spoil_waiting(popped, env.now)
        station = int(st.world.station[town])
        st.cold.release(np.setdiff1d(popped, ready), station, env.now)  # spoiled where they waited
        order = np.argsort(led.deadline_t[ready], kind="stable")  # earliest deadline first
        take = np.zeros(len(ready), dtype=bool)
        take[order[: st.cargo.fitting_prefix(ready[order], cap - remaining - carried)]] = True
        if (~take).any():
            outgoing.push(ready[~take], env.now)
        got = ready[take]
        st.cold.release(got, station, env.now)
        if len(got):
            trip.load_more(got, env.now)
            carried = carried + st.cargo.total(got)
            loaded.append(got)
            trip.raise_peak(float(((remaining + carried) / cap).max()))
    yield env.timeout(max(0.0, trip.spec.end_t - env.now))
    if loaded:
        rows = np.concatenate(loaded)
        trip.leave(rows, env.now)
        trip.arrive_at_base(rows)
