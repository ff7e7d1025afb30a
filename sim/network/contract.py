"""The graph contract shared by the generator, the file readers and the matrices.

A county is an undirected :class:`networkx.Graph` with string node ids.

Node attributes
    ``kind`` (one of :data:`NODE_KINDS`), ``x``, ``y`` (km, float), ``population``
    (int, 0 where not meaningful), ``town`` (str; the county hub belongs to
    "Yongyang"), ``name`` (display name). Farms also carry ``village`` (id of their
    village node) and ``crops`` (comma-separated str); POIs carry ``poi_type``
    (one of :data:`POI_TYPES`). Other attributes are allowed and kept.

Edge attributes
    ``length_km`` (float > 0), ``speed_kmh`` (float > 0) and ``road_class`` (one of
    :data:`ROAD_SPEEDS`, whose value is the default speed the class implies).

There is exactly one ``county_hub`` and every town that has a village has exactly one
``town_station``. Where a node keeps ``lon`` / ``lat`` (degrees), they are within
[-180, 180] / [-90, 90] (a latitude of 119 is a longitude: the columns are swapped), and
the county is at most :data:`MAX_COUNTY_SPAN_KM` across. :func:`validate_graph` checks
all of this and fills in a missing ``speed_kmh`` from the road class (a node id given
twice in a GraphML file is the reader's to refuse: :mod:`sim.network.graphml`).
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx

from sim.errors import LocatedError

NODE_KINDS: tuple[str, ...] = ("county_hub", "town_station", "village", "farm", "poi", "junction")
POI_TYPES: tuple[str, ...] = ("lodging", "scenic")
#: Default speed of each road class in km/h (DOMAIN.md: rural road speeds, design speeds).
ROAD_SPEEDS: dict[str, float] = {"county": 60.0, "town": 40.0, "village": 25.0}
#: Road length assumed when a file gives none: straight line times this factor.
DEFAULT_DETOUR = 1.3
#: Degrees a node's ``lon`` and ``lat`` may take.
LON_RANGE_DEG = (-180.0, 180.0)
LAT_RANGE_DEG = (-90.0, 90.0)
#: A county is at most this wide or high (China's largest, Ruoqiang, is about 600 km across):
#: more is a wrong unit or a lon/lat mix-up, not a county.
MAX_COUNTY_SPAN_KM = 1000.0


class NetworkError(LocatedError):
    """A graph or graph file that breaks the contract, said for a planner.

    ``path`` is the file (or None for an in-memory graph), ``field`` the column or
    attribute, ``line`` the 1-based line in the file where known, ``expected`` and
    ``found`` what should have been there and what was.

    >>> str(NetworkError("unknown node kind", path="n.csv", field="kind", line=4,
    ...                  expected="one of county_hub, village", found="'vilage'"))
    "n.csv:4: kind: unknown node kind (expected one of county_hub, village; found 'vilage')"
    """

    unnamed_source = "<graph>"
    subject = "the graph"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def validate_graph(
    G: nx.Graph,
    *,
    path: str | Path | None = None,
    node_lines: dict[str, int] | None = None,
    edge_lines: dict[tuple[str, str], int] | None = None,
) -> nx.Graph:
    """Check ``G`` against the contract, fill defaults in place, and return it.

    A missing ``speed_kmh`` is set from ``road_class``; a missing ``population`` is 0.
    ``node_lines`` / ``edge_lines`` map ids to file lines so that errors can name them.
    Raises :class:`NetworkError` on the first problem.

    >>> G = nx.Graph()
    >>> G.add_node("hub", kind="county_hub", x=0.0, y=0.0, town="Yongyang", name="Hub")
    >>> validate_graph(G).nodes["hub"]["population"]
    0
    """
    node_lines = node_lines or {}
    edge_lines = edge_lines or {}
    if G.is_directed() or G.is_multigraph():
        raise NetworkError(
            "the road graph must be undirected and simple",
            path=path,
            expected="networkx.Graph",
            found=type(G).__name__,
        )
    for node, data in G.nodes(data=True):
        _check_node(G, node, data, path, node_lines.get(node))
    _check_hub_and_stations(G, path, node_lines)
    _check_span(G, path)
    for u, v, data in G.edges(data=True):
        _check_edge(u, v, data, path, edge_lines.get((u, v), edge_lines.get((v, u))))
    return G


def _check_node(G: nx.Graph, node: object, data: dict, path: str | Path | None, line: int | None) -> None:
    """One node's id, kind, coordinates, population, town and name, and its kind's extras."""

    def fail(field: str, message: str, expected: str, found: object) -> None:
        raise NetworkError(
            f"node {node!r}: {message}",
            path=path,
            field=field,
            line=line,
            expected=expected,
            found=repr(found),
        )

    if not isinstance(node, str) or not node:
        fail("id", "bad node id", "a non-empty string", node)
    kind = data.get("kind")
    if kind not in NODE_KINDS:
        fail("kind", "unknown node kind", f"one of {', '.join(NODE_KINDS)}", kind)
    for field in ("x", "y"):
        if not _is_number(data.get(field)):
            fail(field, "coordinate is not a number", "a finite number (km)", data.get(field))
        data[field] = float(data[field])
    for field, (low, high) in (("lon", LON_RANGE_DEG), ("lat", LAT_RANGE_DEG)):
        value = data.get(field)
        if field in data and not (_is_number(value) and low <= value <= high):
            swapped = " (are lon and lat swapped?)" if field == "lat" and _is_number(value) else ""
            fail(field, f"{field} out of range{swapped}", f"degrees in [{low:g}, {high:g}]", value)
    population = data.setdefault("population", 0)
    if isinstance(population, float) and population.is_integer():
        population = data["population"] = int(population)  # e.g. GraphML "double"
    if not isinstance(population, int) or isinstance(population, bool) or population < 0:
        fail("population", "bad population", "an integer >= 0", population)
    for field in ("town", "name"):
        data.setdefault(field, "")
        if not isinstance(data[field], str):
            fail(field, "not a string", "a string", data[field])
    if kind in ("county_hub", "town_station", "village") and not data["town"]:
        fail("town", f"a {kind} needs a town", "a town name", data["town"])
    if kind == "farm":
        village = data.get("village")
        if village not in G or G.nodes[village].get("kind") != "village":
            fail("village", "a farm must name its village", "the id of a village", village)
        if not isinstance(data.get("crops"), str) or not data["crops"]:
            fail("crops", "a farm needs crops", 'e.g. "strawberry"', data.get("crops"))
    elif kind == "poi" and data.get("poi_type") not in POI_TYPES:
        fail("poi_type", "bad POI type", " or ".join(POI_TYPES), data.get("poi_type"))


def _check_hub_and_stations(G: nx.Graph, path: str | Path | None, node_lines: dict[str, int]) -> None:
    """Exactly one county hub; one town station per town, and one in every town with villages."""
    hubs = [n for n, kind in G.nodes(data="kind") if kind == "county_hub"]
    stations: dict[str, list[str]] = {}
    for node, data in G.nodes(data=True):
        if data["kind"] == "town_station":
            stations.setdefault(data["town"], []).append(node)
    if len(hubs) != 1:
        raise NetworkError(
            "the graph needs exactly one county hub" if hubs else "no county_hub node",
            path=path,
            field="kind",
            expected="exactly one node of kind county_hub",
            found=f"{len(hubs)}" + (f": {', '.join(sorted(hubs))}" if hubs else ""),
        )
    for town, ids in sorted(stations.items()):
        if len(ids) > 1:
            raise NetworkError(
                f"town {town!r} has several stations",
                path=path,
                field="kind",
                line=node_lines.get(ids[1]),
                expected="one town_station per town",
                found=", ".join(sorted(ids)),
            )
    village_towns = {d["town"] for _, d in G.nodes(data=True) if d["kind"] == "village"}
    for town in sorted(village_towns - set(stations)):
        raise NetworkError(
            f"town {town!r} has villages but no town_station",
            path=path,
            field="town",
            expected="one town_station per town",
            found="none",
        )


def _check_span(G: nx.Graph, path: str | Path | None) -> None:
    """The county fits in :data:`MAX_COUNTY_SPAN_KM` (east-west and north-south)."""
    if not len(G):
        return
    for field in ("x", "y"):
        values = [d[field] for _, d in G.nodes(data=True)]
        low, high = min(values), max(values)
        if high - low > MAX_COUNTY_SPAN_KM:
            ends = [n for n, d in G.nodes(data=True) if d[field] in (low, high)][:2]
            raise NetworkError(
                f"the county is {high - low:,.0f} km across ({field} from {low:g} to {high:g} km, "
                f"nodes {', '.join(map(repr, ends))}): a wrong unit, or lon and lat mixed up?",
                path=path,
                field=field,
                expected=f"at most {MAX_COUNTY_SPAN_KM:g} km across",
                found=f"{high - low:,.0f} km",
            )


def _check_edge(u: str, v: str, data: dict, path: str | Path | None, line: int | None) -> None:
    """One road: no loop, a known class, positive length and speed (speed filled from the class)."""
    label = f"edge {u!r}-{v!r}"
    if u == v:
        raise NetworkError(f"{label}: a road cannot loop on itself", path=path, line=line, found=repr(u))
    road_class = data.get("road_class")
    if road_class not in ROAD_SPEEDS:
        raise NetworkError(
            f"{label}: unknown road class",
            path=path,
            field="road_class",
            line=line,
            expected=" / ".join(ROAD_SPEEDS),
            found=repr(road_class),
        )
    data.setdefault("speed_kmh", ROAD_SPEEDS[road_class])
    for field in ("length_km", "speed_kmh"):
        value = data.get(field)
        if not _is_number(value) or value <= 0:
            raise NetworkError(
                f"{label}: bad {field}",
                path=path,
                field=field,
                line=line,
                expected="a number > 0",
                found=repr(value),
            )
        data[field] = float(value)
