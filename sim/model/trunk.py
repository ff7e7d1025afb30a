"""Trunks between the county hub and the town stations.

Every day each station-based operation runs a morning trunk (hub -> stations ->
hub at ``hub.trunk_departure``) that drops the sorted items for each town, and an
afternoon collection trunk (``hub.collection_departure``) that brings what vans
and buses collected back to the hub. Both load whatever waits at a station's
outgoing queue as far as the truck has room. The morning trunk is routed to reach
each station before its first van dispatch; stations it cannot reach in time get
another truck.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from sim.model.operations import Operation
from sim.model.state import UNSERVED_PENALTY, CountyState, capacity_of, peak_share, route_km
from sim.routing import schedule, solve


def trunk_process(st: CountyState, op: Operation) -> Generator:
    """The operation's two trunk runs, every day of the horizon."""
    s, env = st.s, st.env
    runs = sorted([(s.hub.trunk_departure, True), (s.hub.collection_departure, False)])
    for day in range(st.horizon_days):
        for clock, morning in runs:
            yield env.timeout(max(0.0, day * 1440.0 + clock - env.now))
            _run(st, op, day, morning)


def _run(st: CountyState, op: Operation, day: int, morning: bool) -> None:
    s, w, led, now = st.s, st.world, st.ledger, st.env.now
    drops = st.spoil_waiting(op.hub_queue.pop(now), now)
    town_of_row = w.point_town[st.point_of_node[led.destination[drops]]] if len(drops) else np.zeros(0, int)
    visit = set(town_of_row.tolist())
    truck = s.vehicle_types[s.hub.trunk_vehicle]
    for t, fleet in op.station_fleet.items():
        reach = now + w.minutes[w.hub, fleet.base] / truck.speed_factor
        if len(fleet.outgoing.peek(reach)[0]):
            visit.add(t)
    if not visit:
        return
    truck_name = s.hub.trunk_vehicle
    truck = s.vehicle_types[truck_name]
    cap = capacity_of(truck)
    towns = np.array(sorted(visit), dtype=np.int64)
    stop_town: list[int] = []
    stop_drops: list[np.ndarray] = []
    for t in towns.tolist():
        rows = drops[town_of_row == t]
        parts = _split(st, rows, cap)
        for part in parts:
            stop_town.append(t)
            stop_drops.append(part)
    stop_town_arr = np.array(stop_town, dtype=np.int64)
    nodes = np.concatenate([[w.hub], w.station[stop_town_arr]])
    delivery = np.vstack([np.zeros((1, 3)), st.loads(stop_drops)])
    due = None
    if morning:
        due = np.full(len(nodes), np.inf)
        due[1:] = max(day * 1440.0 + min(s.stations.dispatch_times) - s.stations.sort_min, now)
    problem = st.problem(
        nodes,
        delivery,
        truck,
        n_vehicles=len(stop_drops),
        service=0.0,
        due=due,
        penalty=UNSERVED_PENALTY if morning else None,
    )
    solution = solve(problem)
    routes = list(solution.routes)
    if len(solution.unserved):
        late = np.concatenate([[0], solution.unserved])
        sub = st.problem(nodes[late], delivery[late], truck, n_vehicles=len(late) - 1, service=0.0)
        routes += [late[r] for r in solve(sub).routes]
    plain = st.problem(nodes, delivery, truck, n_vehicles=len(stop_drops), service=0.0)
    for route in routes:
        arrival, _, end = schedule(plain, route)
        parts = [stop_drops[i - 1] for i in route]
        rows = np.concatenate(parts)
        trip = st.trips.record(
            day=day,
            operator=op.name,
            kind="trunk",
            vehicle_name=truck_name,
            vehicle=truck,
            town="",
            start_t=now,
            end_t=end,
            km=route_km(plain, route),
            stops=len(route),
            flows=led.flow[rows],
            kg=float(led.weight_kg[rows].sum()),
            peak_load_share=peak_share(plain, route),
            fixed_cost=True,
            path=np.concatenate([[w.hub], nodes[route], [w.hub]]),
        )
        if len(rows):
            led.board(rows, trip=trip, t=now)
            st.trips.note(trip, rows, now, +1)
            for part, when in zip(parts, arrival.tolist(), strict=True):
                st.trips.note(trip, part, when, -1)
        towns_on_route = stop_town_arr[route - 1]
        if morning:
            for t, when in zip(towns_on_route.tolist(), arrival.tolist(), strict=True):
                op.trunk_ready[t] = max(op.trunk_ready[t], when + s.stations.sort_min)
        st.env.process(_drive(st, op, trip, parts, towns_on_route, arrival, end, cap))


def _split(st: CountyState, rows: np.ndarray, cap: np.ndarray) -> list[np.ndarray]:
    if not len(rows):
        return [rows]
    need = int(np.ceil((st.loads([rows])[0] / cap).max() - 1e-9))
    return list(np.array_split(rows, max(1, need))) if need > 1 else [rows]


def _drive(st: CountyState, op: Operation, trip: int, parts, towns, arrival, end, cap) -> Generator:
    """Stop by stop: drop the town's items, load what waits to go to the hub, return."""
    env, led = st.env, st.ledger
    remaining = st.loads(parts)[:, :].sum(axis=0) if parts else np.zeros(3)
    drop_loads = st.loads(parts)
    loaded: list[np.ndarray] = []
    carried = np.zeros(3)
    for k, (rows, town, when) in enumerate(zip(parts, towns.tolist(), arrival.tolist(), strict=True)):
        yield env.timeout(max(0.0, when - env.now))
        station = int(st.world.station[town])
        st.arrive(op, rows, station, env.now)
        remaining = remaining - drop_loads[k]
        fleet = op.station_fleet[town]
        ready, _ = fleet.outgoing.peek(env.now)
        if len(ready):
            ready = st.spoil_waiting(fleet.outgoing.pop(env.now), env.now)
            room = cap - remaining - carried
            take = _fits(st, ready, room)
            if (~take).any():
                fleet.outgoing.push(ready[~take], env.now)
            got = ready[take]
            if len(got):
                led.board(got, trip=trip, t=env.now)
                st.trips.note(trip, got, env.now, +1)
                st.trips.add_load(trip, led.flow[got], float(led.weight_kg[got].sum()))
                carried = carried + st.loads([got])[0]
                loaded.append(got)
    yield env.timeout(max(0.0, end - env.now))
    if loaded:
        st.trips.note(trip, np.concatenate(loaded), env.now, -1)
        st.arrive(op, np.concatenate(loaded), st.world.hub, env.now)


def _fits(st: CountyState, rows: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Mask of rows taken, earliest deadline first, while all dimensions fit ``room``."""
    led = st.ledger
    order = np.argsort(led.deadline_t[rows], kind="stable")
    cum = np.cumsum(
        np.column_stack([np.ones(len(rows)), led.weight_kg[rows], led.volume_m3[rows]])[order], axis=0
    )
    ok = (cum <= room + 1e-9).all(axis=1)
    n = int(np.argmin(ok)) if not ok.all() else len(rows)
    mask = np.zeros(len(rows), dtype=bool)
    mask[order[:n]] = True
    return mask
