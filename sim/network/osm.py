"""A county graph from an OpenStreetMap extract (``.osm.pbf``) and a table of places.

``ruralsim network from-osm`` (:mod:`sim.cli.network`) calls :func:`read_osm_roads`, then
:func:`read_places` and :func:`place_on_roads`, then writes GraphML that a scenario names
(``[network] source = "graphml"``). Decisions (also in docs/design.md):

* **Roads.** pyrosm's ``driving`` network, then only the ``highway`` values of
  :data:`sim.network.roads.HIGHWAY_ROADS`, each with its road class and speed (the table
  says which speeds come from DOMAIN.md and which are estimates; a smaller numeric
  ``maxspeed`` lowers the speed). Roads are two-way (``oneway`` is not kept: vans and
  buses of a county graph drive both ways); of two roads between one pair of nodes the
  shorter is kept; ``length_km`` is pyrosm's length along the way.
* **One connected part.** The largest connected component is kept; the rest (islands,
  private yards cut off by the filter) is counted and dropped.
* **Nodes** are ``"n<OSM id>"`` junctions, with lon/lat and x/y (km) projected around
  the mean lon/lat of the kept nodes (kept as ``graph["lon0"]``, ``["lat0"]``, so a GTFS
  feed can be placed on the graph).
* **Places.** Each row of the places table (hub, stations, villages) takes the nearest
  road node no earlier row took, which becomes that place (its id, kind, name, town,
  population); the distance is kept as ``snap_km`` and reported, with a warning past
  ``--snap-warn-km``. Without a table the road node nearest the middle becomes the hub.

pyrosm (the ``geo`` extra: ``pip install "ruralsim[geo]"``) is imported only here, only
when an extract is read; without it :class:`GeoExtraMissing` says how to install it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np

from sim.network.contract import NetworkError, validate_graph
from sim.network.files import table_rows, typed_cells
from sim.network.geography import project_lonlat
from sim.network.roads import highway_road, road_speed_kmh

#: Kinds a row of the places table may have (the other nodes are road junctions).
PLACE_KINDS = ("county_hub", "town_station", "village")
#: A place farther than this from its road node is warned about (km; ``--snap-warn-km``).
SNAP_WARN_KM = 1.0
#: Prefix of the ids of road nodes (OSM node ids are numbers; place ids are names).
ROAD_NODE_PREFIX = "n"
PLACE_COLUMNS = ("name", "lon", "lat", "population", "town")
INSTALL_GEO = 'pip install "ruralsim[geo]"'


class GeoExtraMissing(NetworkError):
    """pyrosm is not installed: the ``geo`` extra is needed to read OpenStreetMap extracts."""


@dataclass
class RoadStats:
    """What the importer kept and dropped of an extract, for the command's report."""

    roads_read: int = 0
    not_driven: Counter = field(default_factory=Counter)  # highway value -> roads dropped
    nodes_outside_largest_part: int = 0
    kept_by_class: Counter = field(default_factory=Counter)  # road class -> roads kept


@dataclass(frozen=True)
class Place:
    """One row of the places table: a hub, station or village at lon/lat."""

    id: str
    kind: str
    name: str
    lon: float
    lat: float
    population: int
    town: str
    line: int


@dataclass(frozen=True)
class Snap:
    """A place and the road node it took, ``km`` away."""

    place: Place
    node_km: float


def read_osm_roads(extract: str | Path) -> tuple[nx.Graph, RoadStats]:
    """The drivable roads of an ``.osm.pbf`` extract as a connected junction graph (see above)."""
    edges, nodes = _pyrosm_network(extract)
    stats = RoadStats(roads_read=len(edges))
    G = nx.Graph(source=str(extract))
    for u, v, length_m, highway, maxspeed in edges:
        road = highway_road(highway)
        if road is None:
            stats.not_driven[str(highway)] += 1
            continue
        a, b = f"{ROAD_NODE_PREFIX}{u}", f"{ROAD_NODE_PREFIX}{v}"
        km = float(length_m) / 1000.0
        if a == b or not (km > 0 and math.isfinite(km)) or (G.has_edge(a, b) and G[a][b]["length_km"] <= km):
            continue
        G.add_edge(a, b, length_km=km, speed_kmh=road_speed_kmh(road, maxspeed), road_class=road.road_class)
    if not len(G):
        raise NetworkError(
            "the extract has no road vans drive",
            path=extract,
            expected="ways tagged highway = " + " / ".join(("primary", "tertiary", "residential", "...")),
            found=f"{stats.roads_read} roads of pyrosm's driving network",
        )
    largest = max(nx.connected_components(G), key=len)
    stats.nodes_outside_largest_part = len(G) - len(largest)
    G.remove_nodes_from([n for n in list(G) if n not in largest])
    _place_junctions(G, nodes)
    stats.kept_by_class = Counter(c for _, _, c in G.edges(data="road_class"))
    return G, stats


def _pyrosm_network(extract: str | Path) -> tuple[list[tuple], dict[str, tuple[float, float]]]:
    """(u, v, length m, highway, maxspeed) of pyrosm's driving roads, and lon/lat of their nodes."""
    try:
        import pyrosm
        from pyrosm.exceptions import PBFException
    except ImportError:
        raise GeoExtraMissing(
            "reading OpenStreetMap extracts needs the optional geo extra (pyrosm)",
            path=extract,
            expected=f"pyrosm installed: {INSTALL_GEO}",
            found="pyrosm is not installed",
        ) from None
    if not Path(extract).is_file():
        raise NetworkError("no such file", path=extract, expected="an OpenStreetMap extract (.osm.pbf)")
    try:
        nodes, edges = pyrosm.OSM(str(extract)).get_network(network_type="driving", nodes=True)
    except (PBFException, ValueError, OSError) as exc:
        raise NetworkError(
            "not a readable OpenStreetMap extract", path=extract, expected="an .osm.pbf file", found=str(exc)
        ) from None
    if edges is None or nodes is None or not len(edges):
        return [], {}
    maxspeed = edges["maxspeed"] if "maxspeed" in edges else [None] * len(edges)
    rows = list(zip(edges["u"], edges["v"], edges["length"], edges["highway"], maxspeed, strict=True))
    lonlat = {
        f"{ROAD_NODE_PREFIX}{i}": (float(lon), float(lat))
        for i, lon, lat in zip(nodes["id"], nodes["lon"], nodes["lat"], strict=True)
    }
    return rows, lonlat


def _place_junctions(G: nx.Graph, lonlat: dict[str, tuple[float, float]]) -> None:
    """Every node a junction at its lon/lat and x/y (km) around the mean lon/lat."""
    ids = list(G)
    lon = np.array([lonlat[n][0] for n in ids])
    lat = np.array([lonlat[n][1] for n in ids])
    lon0, lat0 = float(lon.mean()), float(lat.mean())
    x, y = project_lonlat(lon, lat, lon0, lat0)
    for k, node in enumerate(ids):
        G.nodes[node].update(
            kind="junction", x=float(x[k]), y=float(y[k]), lon=float(lon[k]), lat=float(lat[k]), population=0
        )
    G.graph["lon0"], G.graph["lat0"] = lon0, lat0


def read_places(path: str | Path) -> list[Place]:
    """The rows of a places table (CSV: name, lon, lat, population, town[, kind][, id]).

    ``kind`` defaults to village, ``id`` to the name. Every problem names the file and line.
    """
    columns, rows = table_rows(path, PLACE_COLUMNS)
    places: list[Place] = []
    lines: dict[str, int] = {}
    for line, row in rows:
        cells = typed_cells(row, columns, (), path=path, line=line, row_id=row.get("name", "?"))
        place = _place(cells, path, line)
        if place.id in lines:
            raise NetworkError(
                f"place {place.id!r} listed twice",
                path=path,
                field="id" if "id" in columns else "name",
                line=line,
                expected="one row per place (give an id column to tell places of one name apart)",
                found=f"also on line {lines[place.id]}",
            )
        lines[place.id] = line
        places.append(place)
    return places


def _place(cells: dict[str, object], path: str | Path, line: int) -> Place:
    """One row as a :class:`Place`; a missing or out-of-range value is named."""
    for name in PLACE_COLUMNS:
        if name not in cells:
            raise NetworkError(f"no {name}", path=path, field=name, line=line, found="an empty cell")
    kind = str(cells.get("kind", "village"))
    if kind not in PLACE_KINDS:
        raise NetworkError(
            "unknown kind of place",
            path=path,
            field="kind",
            line=line,
            expected=" / ".join(PLACE_KINDS),
            found=repr(kind),
        )
    population = cells["population"]
    if not isinstance(population, int) or population < 0:
        raise NetworkError(
            "bad population",
            path=path,
            field="population",
            line=line,
            expected="an integer >= 0",
            found=repr(population),
        )
    for name, bound in (("lon", 180.0), ("lat", 90.0)):
        value = cells[name]
        if not (isinstance(value, float) and -bound <= value <= bound):
            raise NetworkError(
                f"{name} out of range",
                path=path,
                field=name,
                line=line,
                expected=f"degrees in [-{bound:g}, {bound:g}]",
                found=repr(value),
            )
    place_id = str(cells.get("id", cells["name"])).strip()
    if not place_id or place_id.startswith(ROAD_NODE_PREFIX) and place_id[1:].isdigit():
        raise NetworkError(
            "bad place id",
            path=path,
            field="id",
            line=line,
            expected=f"a non-empty name, not {ROAD_NODE_PREFIX}<digits> (the road nodes' ids)",
            found=repr(place_id),
        )
    return Place(
        place_id, kind, str(cells["name"]), float(cells["lon"]), float(cells["lat"]),
        population, str(cells["town"]), line,
    )  # fmt: skip


def place_on_roads(
    roads: nx.Graph, places: list[Place], *, places_path: str | Path | None = None, hub_town: str = "County"
) -> tuple[nx.Graph, list[Snap]]:
    """The county: each place takes the nearest road node no earlier place took (see above).

    No places: the road node nearest the middle becomes the hub of ``hub_town``. The graph
    is checked against the contract; its errors name the places table and line.
    """
    G = roads.copy()
    if not places:
        mid = min(G, key=lambda n: math.hypot(G.nodes[n]["x"], G.nodes[n]["y"]))
        lon, lat = G.nodes[mid]["lon"], G.nodes[mid]["lat"]
        places = [Place("hub", "county_hub", "County hub", lon, lat, 0, hub_town, 0)]
    if len(places) > len(G):
        raise NetworkError(
            "more places than road nodes", path=places_path, expected=f"at most {len(G)}",
            found=str(len(places)),
        )  # fmt: skip
    ids = list(G)
    xy = np.array([(G.nodes[n]["x"], G.nodes[n]["y"]) for n in ids])
    px, py = project_lonlat(
        [p.lon for p in places], [p.lat for p in places], G.graph["lon0"], G.graph["lat0"]
    )
    free = np.ones(len(ids), bool)
    snaps, renames = [], {}
    for k, place in enumerate(places):
        dist = np.where(free, np.hypot(xy[:, 0] - px[k], xy[:, 1] - py[k]), np.inf)
        j = int(np.argmin(dist))
        free[j] = False
        renames[ids[j]] = place.id
        G.nodes[ids[j]].update(
            kind=place.kind, name=place.name, town=place.town, population=place.population,
            snap_km=float(dist[j]),
        )  # fmt: skip
        snaps.append(Snap(place, float(dist[j])))
    nx.relabel_nodes(G, renames, copy=False)
    lines = {p.id: p.line for p in places if p.line}
    return validate_graph(G, path=places_path, node_lines=lines), snaps
