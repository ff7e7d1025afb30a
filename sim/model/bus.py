"""Rural bus lines with a cargo compartment.

Buses run their timetable whatever the cargo; only the trips marked for freight
take items. When the pooled operation carries bus cargo, a freight trip leaving
a town station takes the waiting items for its stops that it hands over sooner
than the next van would, as far as the compartment has room, and on its way
collects produce and outbound parcels, which ride back to the station (load is
checked at every stop). The van dispatcher leaves items for a bus trip that will
reach the village first. Freight pays a fee per line-day and per item; the bus's
own running cost and emissions are not charged to freight.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np

from sim.model.operations import Fleet, Operation
from sim.model.state import CountyState
from sim.model.world import World
from sim.scenario.errors import ScenarioError, dotted, line_of
from sim.scenario.schema import Scenario


@dataclass
class BusRun:
    """A line as the model runs it: one trip sequence and its freight departures."""

    name: str
    town: int
    base: int  # node index of the town station the trips start from
    seq: np.ndarray  # node indices of the trip, base first
    offsets: np.ndarray  # (trips, len(seq)) minutes from departure to arrival at each stop
    departures: np.ndarray  # freight departure minutes after midnight
    cap: np.ndarray
    km: float
    returns_to_base: bool
    first_visit: dict[int, int] = field(default_factory=dict)  # point -> index in seq
    visit_index: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )  # per point, -1 off line
    stop_points: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # in visit order
    stop_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def index_points(self, n_points: int) -> None:
        """Vector lookups of where each point is first visited on a trip."""
        self.visit_index = np.full(n_points, -1, dtype=np.int64)
        ordered = sorted(self.first_visit.items(), key=lambda kv: kv[1])
        self.stop_points = np.array([p for p, _ in ordered], dtype=np.int64)
        self.stop_index = np.array([k for _, k in ordered], dtype=np.int64)
        self.visit_index[self.stop_points] = self.stop_index

    def trips_on(self, day: int) -> list[tuple[float, np.ndarray]]:
        return [
            (day * 1440.0 + dep, off) for dep, off in zip(self.departures.tolist(), self.offsets, strict=True)
        ]


class BusNetwork:
    """All freight-carrying bus lines, by town, with the holds the vans leave for them."""

    def __init__(self, runs: list[BusRun], n_points: int = 0) -> None:
        self.runs = runs
        for r in runs:
            r.index_points(n_points)
        self.by_town: dict[int, list[BusRun]] = {}
        for r in runs:
            self.by_town.setdefault(r.town, []).append(r)
        self.reserved: dict[tuple[int, float], np.ndarray] = {}
        self.fee_days: set[tuple[str, int]] = set()

    def hold_for_bus(self, st: CountyState, fleet: Fleet, rows: np.ndarray, now: float) -> np.ndarray:
        """Mask of rows to leave for a later bus trip today that reaches their point first."""
        held = np.zeros(len(rows), dtype=bool)
        runs = self.by_town.get(fleet.town, [])
        if not runs:
            return held
        led, w = st.ledger, st.world
        point = st.point_of_node[led.destination[rows]]
        day_end = (now // 1440 + 1) * 1440.0
        speed = fleet.vehicle.speed_factor
        for p in np.unique(point).tolist():
            mask = point == p
            van_at = now + w.minutes[fleet.base, w.points[p]] / speed
            load = st.loads([rows[mask]])[0]
            best: tuple[float, tuple[int, float]] | None = None
            for i, run in enumerate(self.runs):
                if run.town != fleet.town or p not in run.first_visit:
                    continue
                k = run.first_visit[p]
                for dep, off in run.trips_on(int(now // 1440)):
                    if dep < now or dep >= day_end:
                        continue
                    arrive = dep + off[k]
                    used = self.reserved.get((i, dep), np.zeros(3))
                    if (
                        arrive < van_at
                        and (used + load <= run.cap + 1e-9).all()
                        and (best is None or arrive < best[0])
                    ):
                        best = (arrive, (i, dep))
            if best is not None:
                key = best[1]
                self.reserved[key] = self.reserved.get(key, np.zeros(3)) + load
                held |= mask
        return held


def bus_process(st: CountyState, op: Operation, net: BusNetwork, index: int) -> Generator:
    run = net.runs[index]
    env = st.env
    for day in range(st.horizon_days):
        for dep, off in run.trips_on(day):
            yield env.timeout(max(0.0, dep - env.now))
            _trip(st, op, net, index, run, day, off)


def _trip(
    st: CountyState, op: Operation, net: BusNetwork, index: int, run: BusRun, day: int, off: np.ndarray
) -> None:
    env, led, w, s = st.env, st.ledger, st.world, st.s
    now = env.now
    fleet = op.station_fleet[run.town]
    net.reserved.pop((index, now), None)
    pickups_waiting = run.returns_to_base and bool(op.pickup_queue(run.town)._rows)
    if not fleet.deliveries._rows and not pickups_waiting:
        return
    rows, _ready = fleet.deliveries.peek(now)
    take = np.zeros(len(rows), dtype=bool)
    if len(rows):
        point = st.point_of_node[led.destination[rows]]
        idx = run.visit_index[np.maximum(point, 0)]
        idx[point < 0] = -1
        on_line = idx >= 0
        if on_line.any():
            next_van = fleet.next_dispatch_after(now, st.weekday)
            van_at = (
                next_van + w.minutes[fleet.base, w.points[np.maximum(point, 0)]] / fleet.vehicle.speed_factor
            )
            bus_at = now + off[np.maximum(idx, 0)]
            eligible = on_line & (bus_at < van_at)
            order = np.flatnonzero(eligible)[np.argsort(led.created_t[rows[eligible]], kind="stable")]
            cum = np.cumsum(st.dims[rows[order]], axis=0)
            fits = (cum <= run.cap + 1e-9).all(axis=1)
            n = len(order) if fits.all() else int(np.argmin(fits))
            take[order[:n]] = True
    deliv = fleet.deliveries.pop(now, where=take) if take.any() else np.empty(0, dtype=np.int64)
    deliv = st.spoil_waiting(deliv, now)
    d_idx = run.visit_index[st.point_of_node[led.destination[deliv]]]
    d_load = np.zeros((len(run.seq), 3))
    if len(deliv):
        np.add.at(d_load, d_idx, st.dims[deliv])
    remaining_after = d_load.sum(axis=0) - np.cumsum(d_load, axis=0)
    picked: list[np.ndarray] = []
    picked_t: list[np.ndarray] = []
    carried = np.zeros(3)
    peak = d_load.sum(axis=0)
    queue = op.pickup_queue(run.town)
    if run.returns_to_base and queue._rows:
        rows_q, ready_q = queue.peek(now + off[-1])
        k_of = run.visit_index[st.point_of_node[led.origin[rows_q]]]
        reach = np.where(k_of >= 0, now + off[np.maximum(k_of, 0)], -np.inf)
        cand = (k_of >= 0) & (ready_q <= reach + 1e-9)
        if cand.any():
            rows_c, k_c, reach_c = rows_q[cand], k_of[cand], reach[cand]
            bad = st.perishable[rows_c] & (reach_c > st.deadline[rows_c] + 1e-9)
            if bad.any():  # spoiled before the bus comes: recorded where they wait
                led.expire(rows_c[bad], st.deadline[rows_c[bad]])
                queue.remove(rows_c[bad])
                rows_c, k_c = rows_c[~bad], k_c[~bad]
            order = np.lexsort((st.deadline[rows_c], k_c))
            rows_c, k_c = rows_c[order], k_c[order]
            chosen: list[np.ndarray] = []
            for k in np.unique(k_c).tolist():
                here = rows_c[k_c == k]
                room = run.cap - remaining_after[k] - carried
                cum = np.cumsum(st.dims[here], axis=0)
                ok = (cum <= room + 1e-9).all(axis=1)
                n = len(here) if ok.all() else int(np.argmin(ok))
                got = here[:n]
                if len(got):
                    chosen.append(got)
                    picked.append(got)
                    picked_t.append(np.full(len(got), now + off[k]))
                    carried = carried + st.dims[got].sum(axis=0)
                    peak = np.maximum(peak, remaining_after[k] + carried)
            if chosen:
                queue.remove(np.concatenate(chosen))
    pick = np.concatenate(picked) if picked else np.empty(0, dtype=np.int64)
    if not len(deliv) and not len(pick):
        return
    items = np.concatenate([deliv, pick])
    fee = s.bus.fee_per_item * len(items)
    if (run.name, day) not in net.fee_days:
        net.fee_days.add((run.name, day))
        fee += s.bus.fee_per_line_day
    end = now + off[-1] if run.returns_to_base else now + off[-1]
    share = float((peak / np.maximum(run.cap, 1e-9)).max()) if run.cap.max() > 0 else 0.0
    trip = st.trips.record(
        day=day,
        operator=op.name,
        kind="bus",
        vehicle_name=run.name,
        vehicle=None,
        town=w.towns[run.town],
        start_t=now,
        end_t=end,
        km=run.km,
        stops=len(run.first_visit),
        flows=led.flow[items],
        kg=float(led.weight_kg[items].sum()),
        peak_load_share=share,
        fixed_cost=False,
        path=run.seq,
        cost_yuan=fee,
        capacity=run.cap,
    )
    if len(deliv):
        led.board(deliv, trip=trip, t=now)
    if len(pick):
        led.board(pick, trip=trip, t=np.concatenate(picked_t))
    handover = now + off[d_idx] if len(deliv) else np.zeros(0)
    st.trips.note(trip, deliv, now, +1)
    st.trips.note(trip, deliv, handover, -1)
    st.trips.note(trip, pick, np.concatenate(picked_t) if len(pick) else 0.0, +1)
    st.trips.note(trip, pick, end, -1)
    st.record_visits(op, run.stop_points, now + off[run.stop_index])
    st.env.process(_finish(st, op, run, deliv, handover, pick, end))


def _finish(st: CountyState, op: Operation, run: BusRun, deliv, handover, pick, end) -> Generator:
    yield st.env.timeout(max(0.0, end - st.env.now))
    st.deliver(deliv, handover)
    st.arrive(op, pick, run.base, end)


# -- building the lines -------------------------------------------------------------
def build_bus_network(scenario: Scenario, world: World) -> BusNetwork:
    """Freight-carrying lines from the scenario: explicit, generated per town, and GTFS."""
    s, w = scenario, world
    runs: list[BusRun] = []
    for i, line in enumerate(s.bus.lines):
        loc = ("bus", "lines", i, "stops")
        stops = []
        for j, name in enumerate(line.stops):
            if name not in w.index:
                raise _error(s, (*loc, j), "unknown node id", "a node of the network", repr(name))
            stops.append(w.index[name])
        base = stops[0]
        if base not in set(w.station.tolist()):
            raise _error(
                s,
                (*loc, 0),
                "a bus line must start at a town station",
                "a town_station node",
                repr(line.stops[0]),
            )
        freight = line.departures if line.freight_departures is None else line.freight_departures
        runs.append(
            _run_from_stops(
                w,
                line.name,
                stops,
                np.array(freight, dtype=float),
                line.speed_factor,
                line.dwell_min + line.handover_min,
                np.array([line.cargo_parcels, line.cargo_kg, line.cargo_m3], dtype=float),
            )
        )
    if s.bus.generate_per_town > 0:
        runs += _generated_lines(s, w)
    if s.bus.gtfs is not None:
        runs += _gtfs_lines(s, w)
    return BusNetwork(runs, len(w.points))


def _run_from_stops(
    w: World, name: str, stops: list[int], freight: np.ndarray, speed: float, stop_min: float, cap: np.ndarray
) -> BusRun:
    loop = stops[-1] == stops[0] and len(stops) > 2
    seq = np.array(stops if loop else stops + stops[-2::-1], dtype=np.int64)
    legs = w.minutes[seq[:-1], seq[1:]] / speed
    dwell = np.where(np.arange(1, len(seq)) < len(seq) - 1, stop_min, 0.0)
    offsets = np.concatenate([[0.0], np.cumsum(legs + dwell) - dwell])
    km = float(w.km[seq[:-1], seq[1:]].sum())
    point_of_node = w.point_of_node
    first_visit: dict[int, int] = {}
    for k, node in enumerate(seq.tolist()):
        p = int(point_of_node[node])
        if p >= 0 and p not in first_visit:
            first_visit[p] = k
    town = int(np.flatnonzero(w.station == seq[0])[0])
    return BusRun(
        name=name,
        town=town,
        base=int(seq[0]),
        seq=seq,
        offsets=np.tile(offsets, (len(freight), 1)),
        departures=np.sort(freight),
        cap=cap,
        km=km,
        returns_to_base=True,
        first_visit=first_visit,
    )


def _generated_lines(s: Scenario, w: World) -> list[BusRun]:
    """Loop lines per town over the larger villages (the smallest go without a direct bus)."""
    from sim.routing import RoutingProblem, solve

    b = s.bus
    runs = []
    cap = np.array([b.generated_cargo_parcels, b.generated_cargo_kg, b.generated_cargo_m3], dtype=float)
    for t, town in enumerate(w.towns):
        villages = np.flatnonzero(w.village_town == t)
        if not len(villages):
            continue
        n_keep = int(round(b.generated_coverage * len(villages)))
        keep = villages[np.argsort(-w.village_population[villages], kind="stable")[:n_keep]]
        if not len(keep):
            continue
        nodes = np.concatenate([[w.station[t]], w.villages[np.sort(keep)]])
        per_line = int(np.ceil(len(keep) / b.generate_per_town))
        demand = np.zeros((len(nodes), 1))
        demand[1:] = 1.0
        problem = RoutingProblem(
            duration_min=w.minutes[np.ix_(nodes, nodes)],
            distance_km=w.km[np.ix_(nodes, nodes)],
            delivery=demand,
            capacity=np.array([float(per_line)]),
            n_vehicles=b.generate_per_town + len(keep),
        )
        for k, route in enumerate(solve(problem).routes):
            stops = [int(nodes[0]), *nodes[route].tolist(), int(nodes[0])]
            runs.append(
                _run_from_stops(
                    w, f"{town}-{k + 1}", stops, np.array(b.generated_freight_departures), 0.75, 3.0, cap
                )
            )
    return runs


def _gtfs_lines(s: Scenario, w: World) -> list[BusRun]:
    from sim.network import GtfsError, read_gtfs

    g = s.bus.gtfs
    assert g is not None
    try:
        tables = read_gtfs(
            s.resolve_path(g.path),
            graph=w.graph,
            stop_mapping=g.stop_mapping,
            tolerance_km=g.tolerance_km,
            service_date=g.service_date,
            route_ids=g.route_ids,
        )
    except GtfsError as exc:
        raise _error(s, ("bus", "gtfs", "path"), f"bad GTFS feed: {exc}", None, None) from None
    except OSError as exc:
        raise _error(s, ("bus", "gtfs", "path"), "cannot read the GTFS feed", None, str(exc)) from None
    cap = np.array([g.cargo_parcels, g.cargo_kg, g.cargo_m3], dtype=float)
    lo, hi = g.freight_between
    stations = set(w.station.tolist())
    runs = []
    for tt in tables:
        seq = np.array([w.index[n] for n in tt.stops], dtype=np.int64)
        if seq[0] not in stations:
            continue  # cargo is loaded at a town station: lines not starting at one carry none
        dep = tt.stop_times_min[:, 0]
        freight = (dep % 1440 >= lo) & (dep % 1440 <= hi)
        if not freight.any():
            continue
        # Cargo changes hands when the bus arrives at a stop; the trip starts at its departure.
        offsets = tt.arrival_min[freight] - dep[freight, None]
        offsets[:, 0] = 0.0
        first_visit: dict[int, int] = {}
        for k, node in enumerate(seq.tolist()):
            p = int(w.point_of_node[node])
            if p >= 0 and p not in first_visit:
                first_visit[p] = k
        runs.append(
            BusRun(
                name=tt.line_id,
                town=int(np.flatnonzero(w.station == seq[0])[0]),
                base=int(seq[0]),
                seq=seq,
                offsets=offsets,
                departures=dep[freight] % 1440,
                cap=cap,
                km=float(w.km[seq[:-1], seq[1:]].sum()),
                returns_to_base=bool(seq[-1] == seq[0]),
                first_visit=first_visit,
            )
        )
    return runs


def _error(s: Scenario, loc: tuple, message: str, expected: str | None, found: str | None) -> ScenarioError:
    return ScenarioError(
        message, path=s._source, field=dotted(loc), line=line_of(s._text, loc), expected=expected, found=found
    )
