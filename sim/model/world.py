"""The world a run happens in: the village graph and the matrices between places.

Building the world is where scenario settings meet the network: node ids named
in the scenario must exist, and every village must be reachable by road. Both
problems become :class:`ScenarioError` with the field path that caused them.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from sim.network import NetworkError, generate_county, read_csv, read_graphml, travel_matrices
from sim.scenario.errors import ScenarioError, dotted, line_of
from sim.scenario.schema import Scenario

KEY_KINDS = ("county_hub", "town_station", "village", "farm", "poi")


@dataclass
class World:
    """Places that matter, indexed 0..k-1, with travel minutes and km between them.

    ``minutes`` are at the roads' own speeds; a vehicle type divides them by its
    ``speed_factor``. Items' ``origin``, ``destination`` and ``location`` are
    indices into ``nodes``.
    """

    graph: nx.Graph
    nodes: tuple[str, ...]
    index: dict[str, int]
    minutes: np.ndarray
    km: np.ndarray
    hub: int
    towns: tuple[str, ...]
    station: np.ndarray  # node index of each town's station
    villages: np.ndarray  # node index of each village
    village_town: np.ndarray  # town index of each village
    village_population: np.ndarray
    xy: np.ndarray  # (k, 2) km
    pois: np.ndarray  # node index of each +N point
    poi_town: np.ndarray
    farm_point: np.ndarray  # point number (village) each farm hands its produce in at
    farm_crops: tuple[frozenset[str], ...]
    farm_town: tuple[str, ...]

    @property
    def village_names(self) -> list[str]:
        return [self.nodes[i] for i in self.villages]

    @property
    def points(self) -> np.ndarray:
        """Delivery and collection points: the villages, then the +N points."""
        return np.concatenate([self.villages, self.pois])

    @property
    def point_town(self) -> np.ndarray:
        return np.concatenate([self.village_town, self.poi_town])

    @property
    def point_of_node(self) -> np.ndarray:
        """Point number of each node index, -1 where the node is not a point."""
        out = np.full(len(self.nodes), -1, dtype=np.int64)
        out[self.points] = np.arange(len(self.points))
        return out

    def station_of_town(self, town: str) -> int:
        return int(self.station[self.towns.index(town)])


def _error(scenario: Scenario, loc: tuple, message: str, **kw: str | None) -> ScenarioError:
    return ScenarioError(
        message,
        path=scenario._source,
        field=dotted(loc),
        line=line_of(scenario._text, loc),
        **kw,
    )


_GENERATED: dict[tuple, nx.Graph] = {}


def load_graph(scenario: Scenario) -> nx.Graph:
    """The scenario's village graph: generated, or read from GraphML or CSV files.

    Generated counties are cached per process (by seed, villages and area): sweeps and
    replications in one worker build the county once. Treat the graph as read-only.
    """
    spec = scenario.network
    if spec.source == "generated":
        key = (spec.seed, spec.n_villages, spec.area_km2)
        if key not in _GENERATED:
            if len(_GENERATED) >= 4:
                _GENERATED.pop(next(iter(_GENERATED)))
            _GENERATED[key] = _load_graph(scenario)
        return _GENERATED[key]
    return _load_graph(scenario)


def _load_graph(scenario: Scenario) -> nx.Graph:
    spec = scenario.network
    try:
        if spec.source == "generated":
            return generate_county(spec.seed, n_villages=spec.n_villages, area_km2=spec.area_km2)
        if spec.source == "graphml":
            return read_graphml(scenario.resolve_path(spec.path or ""))
        return read_csv(
            scenario.resolve_path(spec.nodes_csv or ""), scenario.resolve_path(spec.edges_csv or "")
        )
    except NetworkError as exc:
        loc = ("network", {"graphml": "path", "csv": "nodes_csv"}.get(spec.source, "source"))
        raise _error(scenario, loc, f"bad network file: {exc}") from None
    except OSError as exc:
        loc = ("network", {"graphml": "path", "csv": "nodes_csv"}.get(spec.source, "source"))
        raise _error(scenario, loc, "cannot read the network file", found=str(exc)) from None


_MATRICES: dict[tuple, object] = {}


def _matrices(graph: nx.Graph, nodes: list[str]):
    """Travel matrices, cached per process for a cached (generated) graph."""
    county = next((k for k, g in _GENERATED.items() if g is graph), None)
    if county is None:
        return travel_matrices(graph, nodes)
    key = (county, tuple(nodes))
    if key not in _MATRICES:
        if len(_MATRICES) >= 4:
            _MATRICES.pop(next(iter(_MATRICES)))
        _MATRICES[key] = travel_matrices(graph, nodes)
    return _MATRICES[key]


def build_world(scenario: Scenario, graph: nx.Graph | None = None) -> World:
    """Graph, key places and travel matrices for a scenario; errors name the field."""
    graph = load_graph(scenario) if graph is None else graph
    kinds = nx.get_node_attributes(graph, "kind")
    hubs = sorted(n for n, k in kinds.items() if k == "county_hub")
    hub = scenario.hub.node
    if hub is not None:
        if hub not in graph:
            raise _error(
                scenario,
                ("hub", "node"),
                "unknown node id",
                expected="a node of the network",
                found=repr(hub),
            )
    elif len(hubs) != 1:
        raise _error(
            scenario,
            ("network",),
            "the network needs exactly one county_hub node",
            expected="1",
            found=str(len(hubs)),
        )
    else:
        hub = hubs[0]
    stations = sorted((n for n, k in kinds.items() if k == "town_station"), key=lambda n: str(n))
    towns = tuple(str(graph.nodes[s].get("town", s)) for s in stations)
    if not stations:
        raise _error(
            scenario,
            ("network",),
            "the network has no town_station node",
            expected=">= 1",
            found="0",
        )
    villages = sorted((n for n, k in kinds.items() if k == "village"), key=lambda n: str(n))
    if not villages:
        raise _error(scenario, ("network",), "the network has no village node", expected=">= 1", found="0")
    fixed = scenario.parcels.fixed_per_village or {}
    for name in fixed:
        if name not in graph or kinds.get(name) != "village":
            raise _error(
                scenario,
                ("parcels", "fixed_per_village", name),
                "unknown village node id",
                expected="a village node of the network",
                found=repr(name),
            )
    key = [hub, *stations, *villages]
    key += sorted((n for n, k in kinds.items() if k in ("farm", "poi")), key=lambda n: str(n))
    key = list(dict.fromkeys(key))
    try:
        tm = _matrices(graph, key)
    except NetworkError as exc:
        raise _error(
            scenario,
            ("network",),
            "not every place is reachable by road",
            expected=exc.expected or "every village, station and farm connected to the hub",
            found=exc.found or str(exc),
        ) from None
    index = dict(tm.index)
    town_of = {t: i for i, t in enumerate(towns)}
    village_town = []
    for v in villages:
        town = graph.nodes[v].get("town")
        if town not in town_of:
            raise _error(
                scenario,
                ("network",),
                f"village {v!r} belongs to no town with a station",
                expected=f"one of {list(towns)}",
                found=repr(town),
            )
        village_town.append(town_of[town])
    xy = np.array([[float(graph.nodes[n].get("x", 0.0)), float(graph.nodes[n].get("y", 0.0))] for n in key])
    pois = [n for n in key if kinds.get(n) == "poi" and graph.nodes[n].get("town") in town_of]
    farms = [n for n in key if kinds.get(n) == "farm" and graph.nodes[n].get("village") in set(villages)]
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
        village_town=np.array(village_town),
        village_population=np.array([float(graph.nodes[v].get("population", 0) or 0) for v in villages]),
        xy=xy,
        pois=np.array([index[p] for p in pois], dtype=np.int64),
        poi_town=np.array([town_of[graph.nodes[p]["town"]] for p in pois], dtype=np.int64),
        farm_point=np.array([village_number[graph.nodes[f]["village"]] for f in farms], dtype=np.int64),
        farm_crops=tuple(
            frozenset(c.strip() for c in str(graph.nodes[f].get("crops", "")).split(",") if c.strip())
            for f in farms
        ),
        farm_town=tuple(str(graph.nodes[graph.nodes[f]["village"]].get("town")) for f in farms),
    )
