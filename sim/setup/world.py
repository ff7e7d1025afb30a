"""The world a run happens in: the village graph, the matrices between places, the bus lines.

Building the world is where scenario settings meet the network: node ids named in the
scenario must exist, every village must be reachable by road, bus lines must start at a
town station. Every problem becomes a :class:`~sim.scenario.ScenarioError` with the field path that
caused it, raised here, before any simulation starts.

A world is built once and cached per process: replications, the modes of a comparison
and the runs of a sweep on one worker share it. Treat it as read-only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import networkx as nx
import numpy as np

from sim.network import NetworkError, generate_county, read_csv, read_graphml, travel_matrices
from sim.records import Places
from sim.scenario import Scenario
from sim.setup.bus_lines import BusLine, build_bus_lines
from sim.setup.feasibility import check_feasibility
from sim.setup.references import check_references

CACHED_WORLDS = 4  # per process; a sweep rarely varies the county itself
CACHED_COUNTIES = 4
NETWORK_FILE_FIELD = {"graphml": "path", "csv": "nodes_csv"}
#: A generated county gives each village at least this much land (a hectare: 100 m x 100 m);
#: less puts villages on the same metre and leaves some without a road.
MIN_AREA_KM2_PER_VILLAGE = 0.01


@dataclass
class World(Places):
    """The places of a run (:class:`~sim.records.Places`) plus what only the model needs:
    the graph, node ids, travel minutes, the farms and the freight-carrying bus lines.

    ``minutes`` are at the roads' own speeds; a vehicle type divides them by its
    ``speed_factor``.
    """

    graph: nx.Graph
    index: dict[str, int]
    minutes: np.ndarray
    farm_point: np.ndarray  # point number (village) each farm hands its produce in at
    farm_crops: tuple[frozenset[str], ...]
    farm_town: tuple[str, ...]
    bus_lines: tuple[BusLine, ...] = ()

    def __repr__(self) -> str:
        return (
            f"World({len(self.towns)} towns, {len(self.villages)} villages, {len(self.pois)} +N points, "
            f"{len(self.farm_point)} farms, {len(self.bus_lines)} bus lines)"
        )


_WORLDS: dict[str, World] = {}
_COUNTIES: dict[tuple, nx.Graph] = {}


def build_world(scenario: Scenario) -> World:
    """Graph, key places, travel matrices and bus lines of a scenario (cached per process).

    The cache key is everything the world depends on: the network and bus sections, the hub
    node, the villages named in ``parcels.fixed_per_village``, and the size and time of
    every file read; a changed file builds a new world. The scenario's references into the
    world that the key leaves out (crops' towns) are checked on every call, cached or not, and
    so is the busiest day's work for the network's villagers (``Scenario.check_daily_work``).
    """
    key = _world_key(scenario)
    if key not in _WORLDS:
        if len(_WORLDS) >= CACHED_WORLDS:
            _WORLDS.pop(next(iter(_WORLDS)))
        world = _places_of(scenario, load_graph(scenario))
        world.bus_lines = build_bus_lines(scenario, world)
        _WORLDS[key] = world
    world = _WORLDS[key]
    check_references(scenario, world.towns, world.farm_crops, world.farm_town)
    scenario.check_daily_work(float(world.village_population.sum()))
    check_feasibility(scenario, world)
    return world


def _world_key(s: Scenario) -> str:
    files = [s.network.path, s.network.nodes_csv, s.network.edges_csv]
    if s.bus.gtfs is not None:
        files.append(s.bus.gtfs.path)
    stamps = [_file_stamp(s.resolve_path(f)) for f in files if f]
    parts = {
        "network": s.network.model_dump(mode="json"),
        "bus": s.bus.model_dump(mode="json"),
        "hub": s.hub.node,
        "fixed_villages": sorted(s.parcels.fixed_per_village or {}),
        "files": stamps,
    }
    return json.dumps(parts, sort_keys=True)


def _file_stamp(path: str) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (path, -1, -1)  # reading it will fail with a located error
    return (os.path.abspath(path), st.st_size, st.st_mtime_ns)


def load_graph(scenario: Scenario) -> nx.Graph:
    """The scenario's village graph: generated (cached per process), or read from files."""
    spec = scenario.network
    if spec.source != "generated":
        return _read_graph(scenario)
    key = (spec.seed, spec.n_villages, spec.area_km2)
    if key not in _COUNTIES:
        if len(_COUNTIES) >= CACHED_COUNTIES:
            _COUNTIES.pop(next(iter(_COUNTIES)))
        _COUNTIES[key] = _read_graph(scenario)
    return _COUNTIES[key]


def _read_graph(scenario: Scenario) -> nx.Graph:
    """Generate or read the graph; a bad file is a ScenarioError naming the field."""
    spec = scenario.network
    loc = ("network", NETWORK_FILE_FIELD.get(spec.source, "source"))
    try:
        if spec.source == "generated":
            _check_area(scenario)
            return generate_county(spec.seed, n_villages=spec.n_villages, area_km2=spec.area_km2)
        if spec.source == "graphml":
            return read_graphml(scenario.resolve_path(spec.path or ""))
        return read_csv(
            scenario.resolve_path(spec.nodes_csv or ""), scenario.resolve_path(spec.edges_csv or "")
        )
    except NetworkError as exc:
        raise scenario.error_at(loc, f"bad network file: {exc}") from None
    except OSError as exc:
        raise scenario.error_at(loc, "cannot read the network file", found=str(exc)) from None


def _check_area(scenario: Scenario) -> None:
    """A generated county's area leaves each village :data:`MIN_AREA_KM2_PER_VILLAGE`."""
    spec = scenario.network
    least = MIN_AREA_KM2_PER_VILLAGE * spec.n_villages
    if spec.area_km2 < least:
        raise scenario.error_at(
            ("network", "area_km2"),
            f"the area_km2 = {spec.area_km2:g} is too small for n_villages = {spec.n_villages}",
            expected=f">= {least:g} km2 ({MIN_AREA_KM2_PER_VILLAGE:g} km2 a village), or fewer villages",
            found=f"{spec.area_km2:g}",
        )


def _places_of(scenario: Scenario, graph: nx.Graph) -> World:
    """The key places of the graph in a fixed order (hub, stations, villages, farms and +N)
    and the travel matrices between them."""
    kinds = nx.get_node_attributes(graph, "kind")
    hub = _hub_node(scenario, graph, kinds)
    stations = _nodes_of_kind(kinds, "town_station")
    villages = _nodes_of_kind(kinds, "village")
    if not stations:
        raise scenario.error_at(
            ("network",), "the network has no town_station node", expected=">= 1", found="0"
        )
    if not villages:
        raise scenario.error_at(("network",), "the network has no village node", expected=">= 1", found="0")
    _check_fixed_villages(scenario, graph, kinds)
    key = [hub, *stations, *villages]
    key += sorted((n for n, k in kinds.items() if k in ("farm", "poi")), key=lambda n: str(n))
    key = list(dict.fromkeys(key))
    try:
        tm = travel_matrices(graph, key)
    except NetworkError as exc:
        spec = scenario.network
        hint = (
            f" (a generated county of area_km2 = {spec.area_km2:g} for n_villages = {spec.n_villages}:"
            " is the area too small?)"
            if spec.source == "generated"
            else ""
        )
        raise scenario.error_at(
            ("network",),
            f"not every place is reachable by road{hint}",
            expected=exc.expected or "every village, station and farm connected to the hub",
            found=exc.found or str(exc),
        ) from None
    towns = tuple(str(graph.nodes[s].get("town", s)) for s in stations)
    return _world(scenario, graph, kinds, key, tm, hub, stations, villages, towns)


def _hub_node(scenario: Scenario, graph: nx.Graph, kinds: dict) -> str:
    hub = scenario.hub.node
    if hub is not None:
        if hub not in graph:
            raise scenario.error_at(
                ("hub", "node"), "unknown node id", expected="a node of the network", found=repr(hub)
            )
        return hub
    hubs = sorted(n for n, k in kinds.items() if k == "county_hub")
    if len(hubs) != 1:
        raise scenario.error_at(
            ("network",), "the network needs exactly one county_hub node", expected="1", found=str(len(hubs))
        )
    return hubs[0]


def _nodes_of_kind(kinds: dict, kind: str) -> list:
    return sorted((n for n, k in kinds.items() if k == kind), key=lambda n: str(n))


def _check_fixed_villages(scenario: Scenario, graph: nx.Graph, kinds: dict) -> None:
    for name in scenario.parcels.fixed_per_village or {}:
        if name not in graph or kinds.get(name) != "village":
            raise scenario.error_at(
                ("parcels", "fixed_per_village", name),
                "unknown village node id",
                expected="a village node of the network",
                found=repr(name),
            )


def _village_towns(scenario: Scenario, graph: nx.Graph, villages: list, towns: tuple) -> np.ndarray:
    town_of = {t: i for i, t in enumerate(towns)}
    out = []
    for v in villages:
        town = graph.nodes[v].get("town")
        if town not in town_of:
            raise scenario.error_at(
                ("network",),
                f"village {v!r} belongs to no town with a station",
                expected=f"one of {list(towns)}",
                found=repr(town),
            )
        out.append(town_of[town])
    return np.array(out)


def _world(scenario, graph, kinds, key, tm, hub, stations, villages, towns) -> World:
    index = dict(tm.index)
    town_of = {t: i for i, t in enumerate(towns)}
    village_town = _village_towns(scenario, graph, villages, towns)
    nodes = graph.nodes
    pois = [n for n in key if kinds.get(n) == "poi" and nodes[n].get("town") in town_of]
    farms = [n for n in key if kinds.get(n) == "farm" and nodes[n].get("village") in set(villages)]
    village_number = {v: i for i, v in enumerate(villages)}
    return World(
        graph=graph,
        nodes=tuple(key),
        index=index,
        minutes=np.asarray(tm.minutes, dtype=float),
        km=np.asarray(tm.km, dtype=float),
        hub=index[hub],
        towns=towns,
        station=np.array([index[s] for s in stations]),
        villages=np.array([index[v] for v in villages]),
        village_town=village_town,
        village_population=np.array([float(nodes[v].get("population", 0) or 0) for v in villages]),
        xy=np.array([[float(nodes[n].get("x", 0.0)), float(nodes[n].get("y", 0.0))] for n in key]),
        road_xy=_road_segments(graph),
        pois=np.array([index[p] for p in pois], dtype=np.int64),
        poi_town=np.array([town_of[nodes[p]["town"]] for p in pois], dtype=np.int64),
        farm_point=np.array([village_number[nodes[f]["village"]] for f in farms], dtype=np.int64),
        farm_crops=tuple(_crops(nodes[f]) for f in farms),
        farm_town=tuple(str(nodes[nodes[f]["village"]].get("town")) for f in farms),
    )


def _crops(farm: dict) -> frozenset[str]:
    """The crops a farm grows, from its comma-separated ``crops`` attribute."""
    return frozenset(c.strip() for c in str(farm.get("crops", "")).split(",") if c.strip())


def _road_segments(graph: nx.Graph) -> np.ndarray:
    """Every road as a segment [[x0, y0], [x1, y1]] in km (for maps)."""
    pos = {n: (float(d.get("x", 0.0)), float(d.get("y", 0.0))) for n, d in graph.nodes(data=True)}
    segments = [(pos[u], pos[v]) for u, v in graph.edges()]
    return np.array(segments, dtype=float).reshape(-1, 2, 2)
