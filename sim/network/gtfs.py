"""Bus lines and their timetables from a GTFS feed.

A bus line in the simulator is one stop sequence (graph node ids) with the departure
times of its trips on one service day. GTFS has routes, trips and stop times; here the
trips that run on the chosen day are grouped into lines by (route_id, direction_id,
exact stop sequence), so one GTFS route with a short-turn variant gives two lines.

Decisions (also in docs/design.md). Reading files is in :mod:`sim.network.gtfs_feed`.

* **Service day.** ``service_date="YYYYMMDD"`` takes the trips whose service runs that
  day: calendar.txt weekday flag within start/end date, then calendar_dates.txt
  exceptions (1 adds, 2 removes). ``None`` takes the day with the most departures
  (frequency trips counted once per departure), the earliest such day on a tie.
* **Times** are minutes after midnight of the service day, as floats (seconds kept);
  GTFS times past 24:00 stay past 1440. A blank departure_time takes the arrival_time
  and vice versa; stops with neither are interpolated linearly by straight-line distance
  along the trip (by stop index where the distance is unknown or zero). The first and
  last stop of a trip must have a time, and times must not decrease along a trip.
* **frequencies.txt** replaces its template trip by departures at start_time,
  start_time + headway, ... strictly before end_time; the template's stop times are
  shifted to each departure. exact_times=1 means exactly this; exact_times=0 ("about
  every headway") gets the same regular departures as a deterministic stand-in.
  Expanded trip ids are ``"{trip_id}@HH:MM:SS"``.
* **Stops onto the graph.** ``stop_mapping`` (GTFS stop_id -> node id) wins; other stops
  go to the nearest node of a stop kind (:data:`STOP_NODE_KINDS`, not junctions or
  farms) within ``tolerance_km``. Stop lon/lat are placed in the graph's km frame by
  :func:`project_lonlat` around ``graph.graph["lon0"], graph.graph["lat0"]``, which a
  graph built from lon/lat must carry. Only stops used by the selected trips need a
  node; unmapped stops are one error that lists them. Two GTFS stops may map to the same
  node; the line keeps both (``gtfs_stop_ids`` stays one-to-one with ``stops``).
* Trips with fewer than two stop times are dropped; route_type is not filtered.

>>> lines = read_gtfs("cairns_gtfs.zip", graph=gtfs_stop_graph("cairns_gtfs.zip"))  # doctest: +SKIP
>>> lines[0].line_id, lines[0].stop_times_min.shape  # doctest: +SKIP
('110-423:0:0', (30, 35))
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np

from sim.network.geography import project_lonlat
from sim.network.gtfs_feed import (
    GtfsError,
    Schedule,
    day_text,
    hms,
    listing,
    load_schedule,
    parse_date,
    service_calendar,
)

__all__ = [
    "STOP_NODE_KINDS",
    "BusTimetable",
    "GtfsError",
    "gtfs_stop_graph",
    "project_lonlat",
    "read_gtfs",
]

#: Node kinds a GTFS stop may be matched to by distance (junctions and farms are not stops).
STOP_NODE_KINDS = frozenset({"county_hub", "town_station", "village", "poi"})


@dataclass(frozen=True, eq=False)
class BusTimetable:
    """One bus line on one service day: a stop sequence and its trips' departures.

    ``stop_times_min[i, j]`` is the departure of trip ``trip_ids[i]`` from ``stops[j]`` in
    minutes after midnight (past 1440 after midnight), ``arrival_min[i, j]`` its arrival
    there; rows are sorted by first departure. The arrays are read-only; equality
    compares the departures by value.

    >>> t = BusTimetable("R:0:0", "1 Town", ("a", "b"), ("s1", "s2"),
    ...                  np.array([[480.0, 490.0]]), ("T1",))
    >>> t.n_trips, float(t.stop_times_min[0, -1])
    (1, 490.0)
    """

    line_id: str
    name: str
    stops: tuple[str, ...]
    gtfs_stop_ids: tuple[str, ...]
    stop_times_min: np.ndarray
    trip_ids: tuple[str, ...]
    service_date: str = field(default="")
    arrival_min: np.ndarray | None = None  # arrivals at each stop, same shape; default the departures

    def __post_init__(self) -> None:
        times = np.array(self.stop_times_min, dtype=float)
        shape = (len(self.trip_ids), len(self.stops))
        if times.shape != shape or len(self.gtfs_stop_ids) != len(self.stops):
            raise ValueError(
                f"line {self.line_id}: stop_times_min has shape {times.shape}, "
                f"expected {shape} with one gtfs stop id per stop"
            )
        times.setflags(write=False)
        object.__setattr__(self, "stop_times_min", times)
        arrivals = times if self.arrival_min is None else np.array(self.arrival_min, dtype=float)
        if arrivals.shape != shape:
            raise ValueError(f"line {self.line_id}: arrival_min has shape {arrivals.shape}, expected {shape}")
        arrivals.setflags(write=False)
        object.__setattr__(self, "arrival_min", arrivals)

    @property
    def n_trips(self) -> int:
        return len(self.trip_ids)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusTimetable):
            return NotImplemented
        keys = ("line_id", "name", "stops", "gtfs_stop_ids", "trip_ids", "service_date")
        return all(getattr(self, k) == getattr(other, k) for k in keys) and np.array_equal(
            self.stop_times_min, other.stop_times_min
        )

    __hash__ = None  # type: ignore[assignment]


def read_gtfs(
    path: str | Path,
    *,
    graph: nx.Graph | None = None,
    stop_mapping: dict[str, str] | None = None,
    tolerance_km: float = 0.5,
    service_date: str | None = None,
    route_ids: Sequence[str] | None = None,
    node_kinds: Collection[str] | None = STOP_NODE_KINDS,
) -> list[BusTimetable]:
    """The bus lines of a GTFS feed (zip or directory) on one service day, on ``graph``.

    ``service_date`` "YYYYMMDD" or None for the day with the most departures;
    ``route_ids`` restricts to those routes. Stops map to nodes by ``stop_mapping``, then
    by the nearest node whose kind is in ``node_kinds`` (None: any node) within
    ``tolerance_km`` (the graph must carry ``graph.graph["lon0"]`` and ``["lat0"]``).
    Without a graph, stops keep their GTFS stop_id unless ``stop_mapping`` renames them.
    Each line is one (route_id, direction_id, stop sequence), with line_id
    ``"{route_id}:{direction_id}:{k}"``, k counting the stop patterns of a route direction
    from the most-run one; lines come sorted by route_id, direction_id, k.
    Raises :class:`GtfsError`.

    >>> lines = read_gtfs("sample_gtfs.zip", service_date="20070604")  # doctest: +SKIP
    >>> [(t.line_id, t.n_trips) for t in lines][:2]  # doctest: +SKIP
    [('AB:0:0', 1), ('AB:1:0', 1)]
    """
    sched = load_schedule(path, route_ids)
    day, running = _service_day(sched, service_date)
    groups = _stop_patterns(sched, running)
    used = sorted({s for key in groups for s in key[2]})
    node = _map_stops(sched, used, graph, stop_mapping, tolerance_km, node_kinds)
    return _timetables(sched, groups, node, day_text(day))


def _service_day(sched: Schedule, service_date: str | None) -> tuple[int, np.ndarray]:
    """The service day (ordinal) and which trips run on it (with at least two stop times).

    ``service_date`` None picks the day with most departures, the earliest on a tie.
    """
    services, first, active = service_calendar(sched.feed)
    n_days = active.shape[1]
    n_trips = len(sched.trip_ids)
    svc = np.array([services.get(s, -1) for s in sched.trip_service], dtype=np.int64)
    runs = np.diff(sched.bounds) >= 2
    weight = np.array([len(sched.departures(t)) if runs[t] else 0 for t in range(n_trips)])
    span = f"{day_text(first)}..{day_text(first + n_days - 1)}" if n_days else "no days"
    if service_date is None:
        ok = svc >= 0
        per_service = np.bincount(svc[ok], weights=weight[ok], minlength=len(services))
        per_day = per_service @ active
        if not n_days or per_day.max() == 0:
            raise GtfsError(
                "no selected trip runs on any day of the calendar",
                file=f"{sched.feed.name}/trips.txt",
                found=f"calendar {span}",
            )
        day = first + int(np.argmax(per_day))
    else:
        try:
            day = parse_date(service_date)
        except (ValueError, TypeError):
            raise GtfsError(
                "bad service_date",
                column="service_date",
                expected="YYYYMMDD",
                found=repr(service_date),
            ) from None
    col = day - first
    running = np.zeros(n_trips, bool)
    if 0 <= col < n_days:
        running = (svc >= 0) & active[np.maximum(svc, 0), col] & runs
    if not running.any():
        raise GtfsError(
            f"no selected trip runs on {day_text(day)}",
            column="service_date",
            expected=f"a day with service within {span}",
            found=day_text(day),
        )
    return day, running


#: (route_id, direction_id, stop indices) -> trips as (first departure, trip id, departures, arrivals).
_Patterns = dict[tuple[str, str, tuple[int, ...]], list[tuple[float, str, np.ndarray, np.ndarray]]]


def _stop_patterns(sched: Schedule, running: np.ndarray) -> _Patterns:
    """The running trips grouped by route, direction and exact stop sequence.

    A frequency-based trip contributes one trip per departure, its times shifted.
    """
    groups: _Patterns = {}
    for t in np.flatnonzero(running):
        a, b = sched.bounds[t], sched.bounds[t + 1]
        key = (sched.trip_route[t], sched.trip_dir[t], tuple(sched.st_stop[a:b].tolist()))
        dep, arr, tid = sched.st_dep[a:b], sched.st_arr[a:b], sched.trip_ids[t]
        rows = groups.setdefault(key, [])
        if t in sched.freq:
            rows.extend(
                (s, f"{tid}@{hms(s)}", dep - dep[0] + s, arr - dep[0] + s) for s in sched.departures(t)
            )
        else:
            rows.append((float(dep[0]), tid, dep, arr))
    return groups


def _timetables(sched: Schedule, groups: _Patterns, node: dict[int, str], date: str) -> list[BusTimetable]:
    """One :class:`BusTimetable` per stop pattern, numbered from the most-run one per direction."""
    ranked = sorted(groups.items(), key=lambda kv: (kv[0][:2], -len(kv[1]), min(r[0] for r in kv[1]), kv[0]))
    lines, k, last = [], 0, None
    for (route, direction, pattern), rows in ranked:
        k = k + 1 if (route, direction) == last else 0
        last = (route, direction)
        rows.sort(key=lambda r: (r[0], r[1]))
        lines.append(
            BusTimetable(
                line_id=f"{route}:{direction}:{k}",
                name=sched.route_names[route],
                stops=tuple(node[s] for s in pattern),
                gtfs_stop_ids=tuple(sched.stop_ids[s] for s in pattern),
                stop_times_min=np.stack([r[2] for r in rows]),
                trip_ids=tuple(r[1] for r in rows),
                service_date=date,
                arrival_min=np.stack([r[3] for r in rows]),
            )
        )
    return lines


def _map_stops(
    sched: Schedule,
    used: list[int],
    graph: nx.Graph | None,
    mapping: dict[str, str] | None,
    tolerance_km: float,
    node_kinds: Collection[str] | None,
) -> dict[int, str]:
    """Graph node of each used stop index: explicit mapping first, then nearest node."""
    mapping = dict(mapping or {})
    stops_file = f"{sched.feed.name}/stops.txt"
    unknown = sorted(set(mapping) - set(sched.stop_ids))
    if unknown:
        raise GtfsError(
            "stop_mapping names stops the feed does not have",
            file=stops_file,
            column="stop_id",
            found=listing(unknown),
        )
    if graph is None:
        return {s: str(mapping.get(sched.stop_ids[s], sched.stop_ids[s])) for s in used}
    absent = sorted(f"{k} -> {v!r}" for k, v in mapping.items() if v not in graph)
    if absent:
        raise GtfsError(
            "stop_mapping points at nodes not in the graph",
            column="stop_mapping",
            expected="node ids of the graph",
            found=listing(absent),
        )
    node = {s: mapping[sched.stop_ids[s]] for s in used if sched.stop_ids[s] in mapping}
    rest = np.array([s for s in used if s not in node], dtype=np.int64)
    if rest.size:
        node.update(_place_by_distance(sched, rest, graph, tolerance_km, node_kinds))
    return node


def _place_by_distance(
    sched: Schedule,
    rest: np.ndarray,
    graph: nx.Graph,
    tolerance_km: float,
    node_kinds: Collection[str] | None,
) -> dict[int, str]:
    """Nearest node (of ``node_kinds``) within ``tolerance_km`` of each stop in ``rest``.

    Stops are placed in the graph's km frame around its lon/lat origin; the stops with
    no node near enough are one error that lists them.
    """
    stops_file = f"{sched.feed.name}/stops.txt"
    label = [f"{sched.stop_ids[s]} {sched.stop_names[s]!r}" for s in rest]
    lon0, lat0 = graph.graph.get("lon0"), graph.graph.get("lat0")
    if lon0 is None or lat0 is None:
        raise GtfsError(
            "cannot place GTFS stops on a graph without its lon/lat origin",
            column="graph",
            expected="a network with lon/lat (a CSV node table with lon and lat columns, or GraphML with "
            "node lon/lat and graph attributes lon0, lat0: the lon/lat where x = y = 0 km), "
            "or a stop_mapping entry for each of these stops",
            found=listing(label),
        )
    cand = [
        (n, d["x"], d["y"])
        for n, d in graph.nodes(data=True)
        if (node_kinds is None or d.get("kind") in node_kinds) and "x" in d and "y" in d
    ]
    ids = [c[0] for c in cand]
    nxy = np.array([c[1:] for c in cand], dtype=float).reshape(-1, 2)
    sx, sy = project_lonlat(sched.lon[rest], sched.lat[rest], float(lon0), float(lat0))
    best, arg = _nearest(sx, sy, nxy)
    far = np.flatnonzero(~(best <= tolerance_km))
    if far.size:
        found = [
            f"{label[i]} (no coordinates)"
            if np.isnan(sx[i])
            else f"{label[i]} (no candidate node)"
            if not ids
            else f"{label[i]} at {sched.lon[rest[i]]:.5f},{sched.lat[rest[i]]:.5f} "
            f"(nearest {ids[arg[i]]!r} at {best[i]:.2f} km)"
            for i in far
        ]
        needed = best[far][np.isfinite(best[far])]
        raise_to = f"raise tolerance_km to {math.ceil(needed.max() * 100) / 100:g}, " if needed.size else ""
        raise GtfsError(
            f"{len(far)} GTFS stops have no graph node within {tolerance_km} km",
            file=stops_file,
            expected=f"{raise_to}add a node near each stop (at its lon,lat) or map it in stop_mapping",
            found=listing(found),
        )
    return {int(s): ids[arg[i]] for i, s in enumerate(rest)}


def _nearest(sx: np.ndarray, sy: np.ndarray, nxy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance (km) to and index of the nearest of the points ``nxy`` for each (sx, sy).

    Works in chunks of 4096 candidates, which keeps the distance matrix small on OSM graphs.
    """
    best = np.full(len(sx), np.inf)
    arg = np.zeros(len(sx), dtype=np.int64)
    for c in range(0, len(nxy), 4096):
        d = np.hypot(sx[:, None] - nxy[None, c : c + 4096, 0], sy[:, None] - nxy[None, c : c + 4096, 1])
        j = np.argmin(d, axis=1)
        dj = d[np.arange(len(sx)), j]
        better = dj < best
        best[better], arg[better] = dj[better], j[better] + c
    return best, arg


def gtfs_stop_graph(
    path: str | Path,
    *,
    route_ids: Sequence[str] | None = None,
    detour_factor: float = 1.3,
    default_speed_kmh: float = 25.0,
    speed_range_kmh: tuple[float, float] = (5.0, 80.0),
    population: int = 0,
) -> nx.Graph:
    """A village-like graph on the stops that a feed's trips use, for tests and trials.

    Nodes are GTFS stop_ids at km coordinates :func:`project_lonlat` around the stops'
    mean lon/lat (kept as ``graph.graph["lon0"], ["lat0"]``, so :func:`read_gtfs` maps
    each stop exactly onto its own node), kind "village" with ``population``; to meet the
    network contract the stop with the most stop times is the "county_hub" and the
    next-busiest the "town_station", all in one town named after the feed. An edge joins
    every pair of consecutive stops of a trip: ``length_km`` is the straight line times
    ``detour_factor`` (at least 10 m), ``speed_kmh`` the median scheduled speed over the
    trips that run it (``default_speed_kmh`` where no trip takes time), clipped to
    ``speed_range_kmh``; ``road_class`` is "county" (>= 50 km/h), "town" (>= 32) or
    "village". The graph need not be connected.

    >>> G = gtfs_stop_graph("cairns_gtfs.zip")  # doctest: +SKIP
    >>> G.number_of_nodes(), G.graph["lon0"]  # doctest: +SKIP
    (416, 145.7298...)
    """
    sched = load_schedule(path, route_ids)
    stop = sched.st_stop
    used, count = np.unique(stop, return_counts=True)
    _check_coordinates(sched, used)
    lon0, lat0 = float(np.mean(sched.lon[used])), float(np.mean(sched.lat[used]))
    x, y = project_lonlat(sched.lon, sched.lat, lon0, lat0)
    town = Path(sched.feed.name).stem
    G = nx.Graph(name=town, lon0=lon0, lat0=lat0, source=str(sched.feed.path))
    rank = used[np.argsort(-count, kind="stable")]
    kinds = {int(rank[0]): "county_hub", int(rank[1]): "town_station"} if len(rank) > 1 else {}
    for s in used.tolist():
        G.add_node(
            sched.stop_ids[s],
            kind=kinds.get(s, "village"),
            x=float(x[s]),
            y=float(y[s]),
            lon=float(sched.lon[s]),
            lat=float(sched.lat[s]),
            population=population,
            town=town,
            name=sched.stop_names[s] or sched.stop_ids[s],
        )
    _add_stop_edges(G, sched, x, y, detour_factor, default_speed_kmh, speed_range_kmh)
    return G


def _check_coordinates(sched: Schedule, used: np.ndarray) -> None:
    """Every used stop needs stop_lat and stop_lon; one error lists those without."""
    nocoord = [
        f"{sched.stop_ids[s]} {sched.stop_names[s]!r}"
        for s in used
        if np.isnan(sched.lon[s]) or np.isnan(sched.lat[s])
    ]
    if nocoord:
        raise GtfsError(
            "stops without coordinates",
            file=f"{sched.feed.name}/stops.txt",
            column="stop_lat",
            expected="stop_lat and stop_lon",
            found=listing(nocoord),
        )


def _add_stop_edges(
    G: nx.Graph,
    sched: Schedule,
    x: np.ndarray,
    y: np.ndarray,
    detour_factor: float,
    default_speed_kmh: float,
    speed_range_kmh: tuple[float, float],
) -> None:
    """An edge for every pair of consecutive stops of a trip (see :func:`gtfs_stop_graph`)."""
    stop = sched.st_stop
    starts = np.zeros(len(stop), bool)
    starts[sched.bounds[:-1][np.diff(sched.bounds) > 0]] = True
    seg = np.flatnonzero(~starts[1:] & (stop[1:] != stop[:-1]))
    a, b = stop[seg], stop[seg + 1]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    minutes = sched.st_arr[seg + 1] - sched.st_dep[seg]
    length = np.maximum(np.hypot(x[a] - x[b], y[a] - y[b]) * detour_factor, 0.01)
    pair = lo * len(sched.stop_ids) + hi
    order = np.lexsort((minutes, minutes <= 0, pair))  # per pair: timed runs first, by time
    pair, minutes, length = pair[order], minutes[order], length[order]
    head = np.unique(pair, return_index=True)[1]
    n_timed = np.add.reduceat((minutes > 0).astype(np.int64), head) if len(head) else head
    for h, n_t in zip(head.tolist(), n_timed.tolist(), strict=True):
        speed = length[h] / minutes[h + (n_t - 1) // 2] * 60 if n_t else default_speed_kmh
        speed = float(np.clip(speed, *speed_range_kmh))
        road = "county" if speed >= 50 else "town" if speed >= 32 else "village"
        u, v = (
            sched.stop_ids[pair[h] // len(sched.stop_ids)],
            sched.stop_ids[pair[h] % len(sched.stop_ids)],
        )
        G.add_edge(u, v, length_km=float(length[h]), speed_kmh=speed, road_class=road)
