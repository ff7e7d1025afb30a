"""Read and write county graphs as GraphML.

The reader checks the graph against the contract of :mod:`sim.network.contract` and
raises :class:`~sim.network.contract.NetworkError` naming the file, the attribute, the
line of the ``<node>`` or ``<edge>`` and what was expected and found; the writer replaces
the file whole or not at all. (The CSV tables are :mod:`sim.network.files`'.)

GraphML
-------
Any GraphML whose nodes and edges carry the attributes of the contract (what
:func:`write_graphml` writes, or networkx, Gephi, yEd exports after adding the
attributes). Attribute types travel with the file. What can be derived is derived, as
for CSV:

* an edge without ``length_km`` takes its ``length`` in metres / 1000 (osmnx), else the
  straight line x 1.3 (:data:`~sim.network.contract.DEFAULT_DETOUR`);
* an edge without ``road_class`` but with an OSM ``highway`` takes its class and speed from
  :data:`sim.network.roads.HIGHWAY_ROADS`; an edge whose highway vans do not drive
  (footway, path, track ...) is left out;
* a directed graph or one with parallel edges (osmnx saves a ``MultiDiGraph``) becomes
  one undirected road per pair of nodes, the shortest of them;
* a graph whose ``crs`` is EPSG:4326 (osmnx unprojected) has x/y in degrees: they are
  kept as ``lon``/``lat`` and x/y projected to km (as for CSV lon/lat); another ``crs``
  (osmnx projected) has x/y in metres, divided by 1000;
* in such a street network (directed, parallel roads or a ``crs``) a node without ``kind``
  is a junction; a file none of whose nodes has a ``kind`` is refused naming what to add
  (``kind`` = county_hub, town_station, village, with ``town`` and ``population``);
* a graph with node lon/lat keeps the origin of its km frame as ``graph["lon0"]`` and
  ``["lat0"]`` (GTFS stops are placed with it): given, or derived where x/y are that
  projection of lon/lat.
"""

from __future__ import annotations

import functools
import io
import math
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

import networkx as nx

from sim.atomic import atomic_path
from sim.network.contract import NetworkError, validate_graph
from sim.network.geography import default_lengths, place_lonlat, set_lonlat_origin
from sim.network.roads import highway_road, road_speed_kmh
from sim.network.tables import read_bytes


def read_graphml(path: str | Path) -> nx.Graph:
    """Read a GraphML county graph and check it against the contract.

    >>> import tempfile, pathlib
    >>> from sim.network.county import generate_county
    >>> G = generate_county(seed=2, n_villages=12)
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "county.graphml"
    >>> write_graphml(G, p)
    >>> nx.utils.graphs_equal(read_graphml(p), G)
    True
    """
    error = functools.partial(NetworkError, path=path)
    data = read_bytes(path, error, "network file")
    if not data.strip():
        raise NetworkError("empty file", path=path, line=1, expected="a GraphML document", found="nothing")
    _refuse_entities(data, path)
    node_lines, edge_lines = _graphml_lines(data, path)
    try:
        G = nx.read_graphml(io.BytesIO(data), node_type=str)
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise NetworkError(
            "not valid XML", path=path, line=line, expected="a GraphML (XML) document", found=str(exc)
        ) from None
    except nx.NetworkXError as exc:
        raise NetworkError("not a usable GraphML file", path=path, found=str(exc)) from None
    except (KeyError, ValueError, TypeError) as exc:  # networkx converting a <data> by its attr.type
        raise NetworkError(
            "a GraphML value does not fit its key",
            path=path,
            expected="attr.type boolean, int, long, float, double or string, and values of that type",
            found=str(exc),
        ) from None
    for key in ("node_default", "edge_default"):  # bookkeeping networkx adds on reading
        if not G.graph.get(key):
            G.graph.pop(key, None)
    G = _derive_defaults(G, path)
    return validate_graph(G, path=path, node_lines=node_lines, edge_lines=edge_lines)


#: x/y of a GraphML whose ``crs`` is not EPSG:4326 are metres (osmnx projected): km = m / this.
METRES_PER_KM = 1000.0


def _derive_defaults(G: nx.Graph, path: str | Path) -> nx.Graph:
    """What a GraphML file leaves out but its other attributes give (see the module docstring)."""
    crs = str(G.graph.get("crs", "")).lower()
    street_network = bool(crs) or G.is_directed() or G.is_multigraph()  # osmnx's, or the like
    if G.is_directed() or G.is_multigraph():
        G = _one_road_per_pair(G)
    if crs:
        _coordinates_from_crs(G, crs)
    _edges_from_osm(G)
    kinds = [d for _, d in G.nodes(data=True) if "kind" in d]
    if street_network and kinds:
        for _, d in G.nodes(data=True):
            d.setdefault("kind", "junction")
    if len(G) and not kinds:
        raise NetworkError(
            f"no node has a kind: {len(G)} nodes of a street network, no county hub, stations or villages",
            path=path,
            field="kind",
            expected="a node attribute kind: county_hub on one node, town_station and village "
            "(with town and population) on others; or build the file with `ruralsim network from-osm "
            "EXTRACT.osm.pbf --villages villages.csv`",
            found="no kind attribute",
        )
    default_lengths(G)
    set_lonlat_origin(G)
    return G


def _one_road_per_pair(G: nx.Graph) -> nx.Graph:
    """An undirected simple graph: one road per pair of nodes, the shortest (osmnx's MultiDiGraph)."""
    H = nx.Graph()
    H.graph.update(G.graph)
    H.add_nodes_from(G.nodes(data=True))
    for u, v, data in G.edges(data=True):
        if H.has_edge(u, v) and _metres(H.edges[u, v]) <= _metres(data):
            continue
        H.add_edge(u, v, **data)
    return H


def _metres(data: dict) -> float:
    if "length_km" in data:
        return float(data["length_km"]) * METRES_PER_KM
    return float(data.get("length", math.inf))


def _coordinates_from_crs(G: nx.Graph, crs: str) -> None:
    """x/y in degrees (EPSG:4326) become lon/lat and km; other systems' metres become km."""
    data = [d for _, d in G.nodes(data=True) if "x" in d and "y" in d]
    if "4326" in crs:
        for d in data:
            d.setdefault("lon", d["x"])
            d.setdefault("lat", d["y"])
        if data and len(data) == len(G) and all(_is_degrees(d) for d in data):
            place_lonlat(G)
    else:
        for d in data:
            d["x"], d["y"] = float(d["x"]) / METRES_PER_KM, float(d["y"]) / METRES_PER_KM
    G.graph.pop("crs")


def _is_degrees(d: dict) -> bool:
    return all(isinstance(d[k], int | float) and math.isfinite(d[k]) for k in ("lon", "lat"))


def _edges_from_osm(G: nx.Graph) -> None:
    """Roads with an OSM ``highway`` and no ``road_class`` get theirs; undriven ones go."""
    undriven = []
    for u, v, data in G.edges(data=True):
        if "length_km" not in data and isinstance(data.get("length"), int | float):
            data["length_km"] = float(data["length"]) / METRES_PER_KM
        if "road_class" in data or "highway" not in data:
            continue
        road = highway_road(data["highway"])
        if road is None:
            undriven.append((u, v))
            continue
        data["road_class"] = road.road_class
        data.setdefault("speed_kmh", road_speed_kmh(road, data.get("maxspeed")))
    G.remove_edges_from(undriven)


def _graphml_lines(data: bytes, path: str | Path) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """The line of every <node> and <edge> of a GraphML text; a node or road given twice is refused.

    networkx would keep the last of two nodes with one id (and merge two edges between the
    same nodes) without a word: a village counted once with the other's attributes.
    """
    node_lines: dict[str, int] = {}
    edge_lines: dict[tuple[str, str], int] = {}
    parser = expat.ParserCreate(namespace_separator=" ")
    directed = False  # a directed file (osmnx) has a road each way and parallel roads: kept once

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal directed
        tag, line = name.rsplit(" ", 1)[-1], parser.CurrentLineNumber
        if tag == "graph":
            directed = attrs.get("edgedefault") == "directed"
        elif tag == "node" and "id" in attrs:
            _first_line(node_lines, attrs["id"], line, path, f"node {attrs['id']!r}", "unique node ids")
        elif tag == "edge" and "source" in attrs and "target" in attrs:
            u, v = attrs["source"], attrs["target"]
            key = (v, u) if (v, u) in edge_lines else (u, v)
            if directed and key in edge_lines:
                return
            _first_line(edge_lines, key, line, path, f"edge {u!r}-{v!r}", "one <edge> per road")

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise NetworkError(
            "not valid XML",
            path=path,
            line=exc.lineno,
            expected="a GraphML (XML) document",
            found=expat.ErrorString(exc.code),
        ) from None
    return node_lines, edge_lines


def _first_line(
    lines: dict[Any, int], key: Any, line: int, path: str | Path, what: str, expected: str
) -> None:
    """Record ``key``'s line; a key seen before is an error naming both lines."""
    if key in lines:
        found = f"also on line {lines[key]}"
        raise NetworkError(f"{what} listed twice", path=path, line=line, expected=expected, found=found)
    lines[key] = line


def _refuse_entities(data: bytes, path: str | Path) -> None:
    """GraphML needs no entity declarations; refuse them (entity expansion bombs) before parsing.

    The XML parser (expat >= 2.4) also stops an expansion that amplifies its input too much;
    this says why in a planner's words, naming the line of the declaration.
    """
    prolog_end = data.find(b"<graphml")
    prolog = data if prolog_end < 0 else data[:prolog_end]
    at = prolog.find(b"<!ENTITY")
    if at >= 0:
        raise NetworkError(
            "the GraphML file declares XML entities",
            path=path,
            line=prolog.count(b"\n", 0, at) + 1,
            expected="plain GraphML without <!ENTITY declarations",
            found=prolog[at : at + 40].decode("utf-8", "replace").split("\n")[0],
        )


def write_graphml(G: nx.Graph, path: str | Path) -> None:
    """Write ``G`` as GraphML (all node, edge and graph attributes, with their types)."""
    with atomic_path(path) as tmp:
        nx.write_graphml(G, tmp)
