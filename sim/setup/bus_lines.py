"""Bus lines as the model runs them, built once per world: written, generated, or GTFS.

A :class:`BusLine` is one stop sequence from a town station with the minutes from
departure to each stop for each freight-carrying trip; only those trips matter to
freight (the rest of the timetable runs anyway). Lines come from three sources:

- ``[[bus.lines]]`` in the scenario: stops are node ids, the first a town station;
  out-and-back unless the last stop is the first;
- ``bus.generate_per_town``: loops from each town station over the larger villages,
  split among the lines by the routing core;
- ``[bus.gtfs]``: a GTFS feed's trips mapped onto the network; only lines starting at a
  town station carry cargo, and they collect only if they end where they began.

Problems are :class:`~sim.scenario.ScenarioError` naming the field, raised here, before
any run (so ``ruralsim validate`` finds them too): a stop that is not a node, or is a node
no vehicle stops at (a junction); a line whose first stop is not a town station; a freight
departure that is not a departure of the line; a bad or missing feed, a feed stop mapped
onto a junction, a reversed freight window, and a feed that gives no freight line at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.errors import did_you_mean
from sim.network import GtfsError, read_gtfs
from sim.network.gtfs import STOP_NODE_KINDS
from sim.network.gtfs_feed import load_shapes
from sim.routing import RoutingProblem, solve
from sim.scenario import Scenario
from sim.scenario.fields import format_clock
from sim.units import MINUTES_PER_DAY


@dataclass
class BusLine:
    """One line's freight trips: stop sequence, arrival offsets, departures, cargo space."""

    name: str
    town: int
    base: int  # node index of the town station the trips start from
    seq: np.ndarray  # node indices of the trip, base first
    offsets: np.ndarray  # (trips, len(seq)) minutes from departure to arrival at each stop
    departures: np.ndarray  # freight departure minutes after midnight
    capacity: np.ndarray  # cargo compartment: items, kg, m3
    km: float
    returns_to_base: bool
    first_visit: dict[int, int] = field(default_factory=dict)  # point -> index in seq
    visit_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per point
    stop_points: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # visit order
    stop_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: The road geometry the line drives, (points, 2) lon, lat degrees, from the feed's
    #: shapes.txt (None: no shape; maps draw the road paths between the stops). Drawing only.
    shape_lonlat: np.ndarray | None = None

    def index_points(self, point_of_node: np.ndarray, n_points: int) -> None:
        """Where each point is first visited on a trip, as dict and as vector lookups."""
        self.first_visit = {}
        for k, node in enumerate(self.seq.tolist()):
            p = int(point_of_node[node])
            if p >= 0 and p not in self.first_visit:
                self.first_visit[p] = k
        self.visit_index = np.full(n_points, -1, dtype=np.int64)
        ordered = sorted(self.first_visit.items(), key=lambda kv: kv[1])
        self.stop_points = np.array([p for p, _ in ordered], dtype=np.int64)
        self.stop_index = np.array([k for _, k in ordered], dtype=np.int64)
        self.visit_index[self.stop_points] = self.stop_index

    def trips_on(self, day: int) -> list[tuple[float, np.ndarray]]:
        """(departure time, arrival offsets) of each freight trip on ``day``."""
        return [
            (day * MINUTES_PER_DAY + dep, off)
            for dep, off in zip(self.departures.tolist(), self.offsets, strict=True)
        ]


def build_bus_lines(scenario: Scenario, world) -> tuple[BusLine, ...]:
    """Freight-carrying lines of the scenario: written, generated per town, then GTFS.

    ``world`` is a :class:`sim.setup.World` without its lines yet.
    """
    lines = [_written_line(scenario, world, i) for i in range(len(scenario.bus.lines))]
    if scenario.bus.generate_per_town > 0:
        lines += _generated_lines(scenario, world)
    if scenario.bus.gtfs is not None:
        lines += _gtfs_lines(scenario, world)
    for line in lines:
        line.index_points(world.point_of_node, len(world.points))
    return tuple(lines)


def _written_line(s: Scenario, w, i: int) -> BusLine:
    line, loc = s.bus.lines[i], ("bus", "lines", i, "stops")
    stops = [_stop_place(s, w, (*loc, j), name) for j, name in enumerate(line.stops)]
    if stops[0] not in set(w.station.tolist()):
        kind = w.graph.nodes[line.stops[0]].get("kind")
        raise s.error_at(
            (*loc, 0),
            f"bus line {line.name!r} must start at a town station",
            expected=f"a town_station node, e.g. {_station_names(w)}",
            found=f"{line.stops[0]!r} (a {kind})",
        )
    freight = line.departures if line.freight_departures is None else line.freight_departures
    capacity = np.array([line.cargo_parcels, line.cargo_kg, line.cargo_m3], dtype=float)
    stop_min = line.dwell_min + line.handover_min
    return _line_from_stops(
        w, line.name, stops, np.array(freight, dtype=float), line.speed_factor, stop_min, capacity
    )


def _stop_place(s: Scenario, w, loc: tuple, name: str) -> int:
    """The place index of a stop named ``name``: a node of a kind buses stop at
    (:data:`~sim.network.gtfs.STOP_NODE_KINDS`; not a junction, not a farm)."""
    kind = w.graph.nodes[name].get("kind") if name in w.graph else None
    if name in w.index and kind in STOP_NODE_KINDS:
        return int(w.index[name])
    if kind is not None:
        raise s.error_at(
            loc,
            f"node {name!r} is a {kind}, not a stop-able place",
            expected=_STOP_KINDS_TEXT,
            found=f"{name!r} (kind {kind})",
        )
    raise s.error_at(
        loc,
        f"unknown node id{did_you_mean(name, w.index)}",
        expected="a node of the network",
        found=repr(name),
    )


_STOP_KINDS_TEXT = f"a node of kind {' / '.join(sorted(STOP_NODE_KINDS))}"


def _station_names(w) -> str:
    names = [w.nodes[k] for k in w.station.tolist()]
    return ", ".join(repr(n) for n in names[:3]) + (" ..." if len(names) > 3 else "")


def _line_from_stops(
    w, name: str, stops: list[int], freight: np.ndarray, speed: float, stop_min: float, capacity: np.ndarray
) -> BusLine:
    """A line over ``stops`` (a loop if the last is the first, else out and back)."""
    loop = stops[-1] == stops[0] and len(stops) > 2
    seq = np.array(stops if loop else stops + stops[-2::-1], dtype=np.int64)
    legs = w.minutes[seq[:-1], seq[1:]] / speed
    dwell = np.where(np.arange(1, len(seq)) < len(seq) - 1, stop_min, 0.0)
    offsets = np.concatenate([[0.0], np.cumsum(legs + dwell) - dwell])
    return BusLine(
        name=name,
        town=int(np.flatnonzero(w.station == seq[0])[0]),
        base=int(seq[0]),
        seq=seq,
        offsets=np.tile(offsets, (len(freight), 1)),
        departures=np.sort(freight),
        capacity=capacity,
        km=float(w.km[seq[:-1], seq[1:]].sum()),
        returns_to_base=True,
    )


def _generated_lines(s: Scenario, w) -> list[BusLine]:
    """Loop lines per town over the larger villages (the smallest go without a direct bus)."""
    b = s.bus
    lines = []
    capacity = np.array([b.generated_cargo_parcels, b.generated_cargo_kg, b.generated_cargo_m3], dtype=float)
    freight = np.array(b.generated_freight_departures)
    for t, town in enumerate(w.towns):
        villages = np.flatnonzero(w.village_town == t)
        n_keep = int(round(b.generated_coverage * len(villages)))
        keep = villages[np.argsort(-w.village_population[villages], kind="stable")[:n_keep]]
        if not len(keep):
            continue
        nodes = np.concatenate([[w.station[t]], w.villages[np.sort(keep)]])
        for k, route in enumerate(_split_into_loops(w, nodes, b.generate_per_town)):
            stops = [int(nodes[0]), *nodes[route].tolist(), int(nodes[0])]
            lines.append(
                _line_from_stops(
                    w,
                    f"{town}-{k + 1}",
                    stops,
                    freight,
                    b.generated_speed_factor,
                    b.generated_dwell_min,
                    capacity,
                )
            )
    return lines


def _split_into_loops(w, nodes: np.ndarray, n_lines: int) -> list[np.ndarray]:
    """Short loops from ``nodes[0]`` over the other nodes, at most ceil(n / n_lines) stops each."""
    per_line = int(np.ceil((len(nodes) - 1) / n_lines))
    demand = np.zeros((len(nodes), 1))
    demand[1:] = 1.0
    problem = RoutingProblem(
        duration_min=w.minutes[np.ix_(nodes, nodes)],
        distance_km=w.km[np.ix_(nodes, nodes)],
        delivery=demand,
        capacity=np.array([float(per_line)]),
        n_vehicles=n_lines + len(nodes) - 1,
    )
    return list(solve(problem).routes)


def _gtfs_lines(s: Scenario, w) -> list[BusLine]:
    """Lines of the scenario's GTFS feed that start at a town station and carry freight;
    a feed that gives none is an error (a bus section that carries nothing is a mistake)."""
    g = s.bus.gtfs
    assert g is not None
    start, end = g.freight_between  # the schema refuses a window that ends before it starts
    tables = _read_feed(s, w)
    shapes = _read_shapes(s, [tid for tt in tables for tid in _feed_trip_ids(tt)])
    capacity = np.array([g.cargo_parcels, g.cargo_kg, g.cargo_m3], dtype=float)
    stations = set(w.station.tolist())
    lines, elsewhere = [], 0
    for tt in tables:
        seq = np.array([_feed_stop_place(s, w, tt, j) for j in range(len(tt.stops))], dtype=np.int64)
        if seq[0] not in stations:
            elsewhere += 1  # cargo is loaded at a town station: lines not starting at one carry none
            continue
        dep = tt.stop_times_min[:, 0]
        clock = dep % MINUTES_PER_DAY
        freight = (clock >= start) & (clock <= end)
        if not freight.any():
            continue
        # Cargo changes hands when the bus arrives at a stop; the trip starts at its departure.
        offsets = tt.arrival_min[freight] - dep[freight, None]
        offsets[:, 0] = 0.0
        lines.append(
            BusLine(
                name=tt.line_id,
                town=int(np.flatnonzero(w.station == seq[0])[0]),
                base=int(seq[0]),
                seq=seq,
                offsets=offsets,
                departures=dep[freight] % MINUTES_PER_DAY,
                capacity=capacity,
                km=float(w.km[seq[:-1], seq[1:]].sum()),
                returns_to_base=bool(seq[-1] == seq[0]),
                shape_lonlat=next((shapes[t] for t in _feed_trip_ids(tt) if t in shapes), None),
            )
        )
    if not lines:
        raise s.error_at(
            ("bus", "gtfs", "path"),
            f"the GTFS feed {g.path!r} gives no bus line that can carry freight",
            expected=f"a line starting at a town station ({_station_names(w)}) with a trip departing "
            f"in bus.gtfs.freight_between = {format_clock(start)} .. {format_clock(end)}",
            found=f"{len(tables)} line(s) on {tables[0].service_date if tables else 'the day'}: "
            f"{elsewhere} start elsewhere, {len(tables) - elsewhere} have no trip in the window",
        )
    return lines


def _read_feed(s: Scenario, w) -> list:
    """The feed's timetables on the scenario's network; a bad or missing feed names the field."""
    g = s.bus.gtfs
    assert g is not None
    loc = ("bus", "gtfs", "path")
    try:
        return read_gtfs(
            s.resolve_path(g.path),
            graph=w.graph,
            stop_mapping=g.stop_mapping,
            tolerance_km=g.tolerance_km,
            service_date=g.service_date,
            route_ids=g.route_ids,
        )
    except GtfsError as exc:
        raise s.error_at(loc, f"bad GTFS feed: {exc}") from None
    except OSError as exc:
        raise s.error_at(loc, "cannot read the GTFS feed", found=str(exc)) from None


def _feed_trip_ids(tt) -> list[str]:
    """The feed's trip ids behind a line's trips, each as it is and without the ``@HH:MM:SS``
    a frequency trip's departure adds (an id holding "@" itself is tried first as it is)."""
    return list(dict.fromkeys(k for t in tt.trip_ids for k in (t, t.rsplit("@", 1)[0])))


def _read_shapes(s: Scenario, trip_ids: list[str]) -> dict[str, np.ndarray]:
    """The shapes of the feed's trips (:func:`~sim.network.gtfs_feed.load_shapes`); a bad
    shapes.txt names the field like a bad feed."""
    g = s.bus.gtfs
    assert g is not None
    try:
        return load_shapes(s.resolve_path(g.path), trip_ids)
    except GtfsError as exc:
        raise s.error_at(("bus", "gtfs", "path"), f"bad GTFS feed: {exc}") from None
    except OSError as exc:
        raise s.error_at(("bus", "gtfs", "path"), "cannot read the GTFS feed", found=str(exc)) from None


def _feed_stop_place(s: Scenario, w, tt, j: int) -> int:
    """The place index of stop ``j`` of a feed line; a stop mapped onto a junction is an error."""
    node = tt.stops[j]
    kind = w.graph.nodes[node].get("kind") if node in w.graph else "node outside the network"
    if node in w.index and kind in STOP_NODE_KINDS:
        return int(w.index[node])
    stop_id = tt.gtfs_stop_ids[j]
    mapped = stop_id in (s.bus.gtfs.stop_mapping or {})
    raise s.error_at(
        ("bus", "gtfs", "stop_mapping", stop_id) if mapped else ("bus", "gtfs", "path"),
        f"GTFS stop {stop_id!r} of line {tt.line_id} is mapped onto {node!r}, a {kind}, "
        "not a stop-able place",
        expected=_STOP_KINDS_TEXT,
        found=f"{stop_id} -> {node!r} (kind {kind})",
    )
