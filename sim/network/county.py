"""The built-in generator of a Lishui-like county (Lishui District, Nanjing).

The county is laid out from :data:`TOWNS`, one row per real town or street. Each town's
territory is a disc of its public area around an *estimated* seat position; the whole
layout is then scaled so that the county outline (the convex hull of the town discs)
covers ``area_km2``. Villages are sampled inside their town's territory (a point belongs
to the town whose seat is nearest relative to the town's radius, so territories do not
overlap) with a minimum spacing, and joined by roads:

* county roads (60 km/h) from the county hub to every town station and between
  neighbouring towns, each bent at a junction half-way;
* town roads (40 km/h) inside each town: the minimum spanning tree of the station and
  its villages plus the short Delaunay edges (so there are loops), one road between the
  nearest villages of neighbouring towns, and a spur from each county-road junction to
  a village within reach;
* village roads (25 km/h) from a village to its farms and to nearby POIs.

Every road is longer than the straight line by a random detour factor in
:data:`DETOUR_RANGE`. All randomness comes from one ``numpy.random.Generator`` seeded
with ``seed``: the same arguments give the identical graph (node order included).

>>> G = generate_county(seed=1)
>>> sum(1 for _, k in G.nodes(data="kind") if k == "town_station")
8
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import ConvexHull, Delaunay, QhullError

from sim.network.contract import ROAD_SPEEDS


@dataclass(frozen=True)
class Town:
    """One town or street: estimated seat position, public area and population."""

    name: str
    x: float  # km east of Yongyang (estimate, before scaling)
    y: float  # km north of Yongyang (estimate, before scaling)
    area_km2: float
    population: int
    crops: tuple[str, ...]


# Area km2 and population: DOMAIN.md, "Towns, 2004 yearbook area km2 / population".
# Positions are our own estimates of the seats' relative places on a map of Lishui
# (Yongyang central; Zhetang north towards Lukou airport; Dongping north-east; Baima east;
# Shiqiu west; Honglan south; Hefeng south-west; Jingqiao south-east). Crops: DOMAIN.md,
# "Produce" (strawberry: Honglan, Jingqiao, Dongping, Shiqiu; blueberry and blackberry:
# Baima). Tea towns are an estimate: the hilly east and south-east (Dongping, Baima,
# Jingqiao), since DOMAIN.md gives the tea area (16,000 mu) but not where it grows.
TOWNS: tuple[Town, ...] = (
    #    name        x      y     area  population  crops
    Town("Yongyang", 0.0, 0.0, 133.0, 105_369, ()),
    Town("Zhetang", -1.0, 12.5, 101.0, 44_500, ()),
    Town("Dongping", 10.5, 9.0, 150.0, 47_786, ("strawberry", "tea")),
    Town("Baima", 13.0, -4.0, 124.0, 40_026, ("blueberry", "blackberry", "tea")),
    Town("Shiqiu", -13.0, 1.0, 127.0, 52_000, ("strawberry",)),
    Town("Honglan", -3.0, -12.5, 109.0, 48_000, ("strawberry",)),
    Town("Hefeng", -14.0, -13.0, 99.0, 51_075, ()),
    Town("Jingqiao", 8.0, -17.5, 143.0, 36_700, ("strawberry", "tea")),
)
SEAT = "Yongyang"  # the county hub's town
#: DOMAIN.md: resident population 491,336 (2020 census), about 66 % urban.
CENSUS_POPULATION = 491_336
RURAL_SHARE = 0.34
#: Village service points serve the rural population: 167,054 people over all villages.
RURAL_POPULATION = round(CENSUS_POPULATION * RURAL_SHARE)
DETOUR_RANGE = (1.2, 1.4)  # road length / straight line, drawn per road
PRODUCING_SHARE = 0.6  # share of villages in a crop town that have farms (estimate)
VILLAGE_SIZE_SIGMA = 0.4  # lognormal spread of village populations (estimate)
HUB_OFFSET = (1.5, 0.6)  # hub (county bus station) from the Yongyang station, km
#: Share of berry farms in a town of both berries that grow both (estimate).
BOTH_BERRIES_SHARE = 0.3
#: Named POIs, used in this order (then generic ones): town, poi_type, name.
POIS: tuple[tuple[str, str, str], ...] = (
    ("Yongyang", "scenic", "Tianshengqiao scenic area"),
    ("Honglan", "scenic", "Fujiabian orchard park"),
    ("Yongyang", "scenic", "Wuxiang Mountain forest park"),
    ("Baima", "lodging", "Baima berry farm stay"),
    ("Hefeng", "scenic", "Shijiu Lake shore"),
    ("Jingqiao", "lodging", "Jingqiao hill guesthouse"),
)


def _apportion(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    n = len(weights)
    base = np.full(n, minimum if total >= minimum * n else 0, dtype=np.int64)
    rest = total - int(base.sum())
    share = rest * weights / weights.sum()
    counts = np.floor(share).astype(np.int64)
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[: rest - int(counts.sum())]] += 1
    return base + counts


def _layout(area_km2: float) -> tuple[np.ndarray, np.ndarray]:
    """Seat positions and territory radii, scaled so the county outline has ``area_km2``."""
    centres = np.array([[t.x, t.y] for t in TOWNS])
    radii = np.sqrt(np.array([t.area_km2 for t in TOWNS]) / math.pi)
    angles = np.linspace(0.0, 2 * math.pi, 90, endpoint=False)
    ring = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    rim = (centres[:, None, :] + radii[:, None, None] * ring[None, :, :]).reshape(-1, 2)
    scale = math.sqrt(area_km2 / ConvexHull(rim).volume)
    return centres * scale, radii * scale


def _sample_villages(
    rng: np.random.Generator, counts: np.ndarray, centres: np.ndarray, radii: np.ndarray
) -> list[np.ndarray]:
    """Village positions per town: inside the territory, spaced apart (dart throwing)."""
    placed = np.empty((len(centres) + int(counts.sum()), 2))
    placed[: len(centres)] = centres
    n_placed = len(centres)
    result = []
    for i, k in enumerate(counts):
        spacing = 0.6 * math.sqrt(math.pi * radii[i] ** 2 / max(k, 1))
        points: list[np.ndarray] = []
        while len(points) < k:
            for _ in range(40):
                r = radii[i] * 0.95 * np.sqrt(rng.random(64))
                a = rng.random(64) * 2 * math.pi
                cand = centres[i] + np.stack([r * np.cos(a), r * np.sin(a)], axis=1)
                rel = np.linalg.norm(cand[:, None, :] - centres[None], axis=2) / radii
                cand = cand[rel.argmin(axis=1) == i]
                for p in cand:
                    d = np.linalg.norm(placed[:n_placed] - p, axis=1).min()
                    if d >= spacing:
                        points.append(p)
                        placed[n_placed] = p
                        n_placed += 1
                        if len(points) == k:
                            break
                if len(points) == k:
                    break
            spacing *= 0.8  # crowded: relax the spacing and keep going
        result.append(np.array(points).reshape(-1, 2))
    return result


def _neighbours(centres: np.ndarray, radii: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of towns whose territories touch (seat distance within 1.15 x radii sum)."""
    pairs = []
    for i in range(len(centres)):
        for j in range(i + 1, len(centres)):
            if np.linalg.norm(centres[i] - centres[j]) < 1.15 * (radii[i] + radii[j]):
                pairs.append((i, j))
    return pairs


def _local_edges(points: np.ndarray) -> list[tuple[int, int]]:
    """Minimum spanning tree plus Delaunay edges no longer than 1.5 x the median tree edge."""
    n = len(points)
    if n < 2:
        return []
    dist = np.linalg.norm(points[:, None, :] - points[None], axis=2)
    tree = minimum_spanning_tree(dist).tocoo()
    edges = {(min(a, b), max(a, b)) for a, b in zip(tree.row, tree.col, strict=True)}
    if n >= 4:
        limit = 1.5 * float(np.median(tree.data))
        try:
            tri = Delaunay(points)
        except QhullError:  # degenerate (collinear) points: the tree will do
            tri = None
        if tri is not None:
            for simplex in tri.simplices:
                for a, b in ((0, 1), (1, 2), (0, 2)):
                    u, v = sorted((int(simplex[a]), int(simplex[b])))
                    if dist[u, v] <= limit:
                        edges.add((u, v))
    return sorted((int(a), int(b)) for a, b in edges)


def generate_county(
    seed: int = 0,
    *,
    n_villages: int = 90,
    area_km2: float = 1064.0,
    farms_per_producing_village: int = 2,
    n_poi: int = 6,
) -> nx.Graph:
    """Generate a Lishui-like county road graph (see the module docstring).

    ``n_villages`` administrative villages are shared among the towns by area (each town
    gets at least one when there are enough); their populations add up to
    :data:`RURAL_POPULATION` whatever their number, drawn lognormal around the town's
    population density (Yongyang's density is taken as the median of the other towns',
    since most of its census population is the urban seat). Town stations carry the
    town's public ``area_km2`` and ``population``.

    The steps below draw from one generator in a fixed order (villages' places, their
    populations, county roads, town roads, farms, POIs): do not reorder them.

    >>> G = generate_county(seed=3, n_villages=20)
    >>> sum(p for _, p in G.nodes(data="population") if p) > 0
    True
    """
    if n_villages < 1 or area_km2 <= 0 or farms_per_producing_village < 0 or n_poi < 0:
        raise ValueError("n_villages >= 1, area_km2 > 0, farms and POIs >= 0 are required")
    rng = np.random.default_rng(seed)
    centres, radii = _layout(area_km2)
    areas = np.array([t.area_km2 for t in TOWNS])
    counts = _apportion(n_villages, areas, minimum=1)
    positions = _sample_villages(rng, counts, centres, radii)
    county = _County(nx.Graph(name="Lishui-like county", seed=seed, area_km2=float(area_km2)), rng)
    county.scale = radii[0] / math.sqrt(TOWNS[0].area_km2 / math.pi)
    _add_hub_and_stations(county, centres)
    villages = _add_villages(county, counts, positions)
    _add_county_roads(county, villages, centres, radii)
    _add_town_roads(county, villages, centres, radii)
    if farms_per_producing_village:
        _add_farms(county, villages, farms_per_producing_village)
    _add_pois(county, villages, n_poi)
    return county.G


class _County:
    """The graph being built, node positions, and the generator every step draws from."""

    def __init__(self, G: nx.Graph, rng: np.random.Generator) -> None:
        self.G = G
        self.rng = rng
        self.xy: dict[str, np.ndarray] = {}
        self.hub = "hub"
        self.seat = next(i for i, t in enumerate(TOWNS) if t.name == SEAT)
        self.stations = [f"st_{t.name.lower()}" for t in TOWNS]
        self.scale = 1.0  # layout scale: km of the county per km of the TOWNS estimates

    def add_node(self, node: str, point: np.ndarray, **attrs: object) -> None:
        """A node at ``point`` (km, rounded to metres) with its contract attributes."""
        x, y = (round(float(c), 3) for c in point)
        self.xy[node] = np.array([x, y])
        self.G.add_node(node, kind=attrs.pop("kind"), x=x, y=y, **attrs)

    def add_road(self, u: str, v: str, road_class: str) -> None:
        """A road of ``road_class``: straight line times a random detour (one draw)."""
        if u == v or self.G.has_edge(u, v):
            return
        straight = float(np.linalg.norm(self.xy[u] - self.xy[v]))
        length = max(round(straight * self.rng.uniform(*DETOUR_RANGE), 3), 0.001)
        self.G.add_edge(u, v, length_km=length, speed_kmh=ROAD_SPEEDS[road_class], road_class=road_class)

    def distance(self, node: str, point: np.ndarray) -> float:
        return float(np.linalg.norm(self.xy[node] - point))


def _add_hub_and_stations(county: _County, centres: np.ndarray) -> None:
    """The county hub beside the seat's station, and one station per town at its seat."""
    county.add_node(
        county.hub,
        centres[county.seat] + county.scale * np.array(HUB_OFFSET),
        kind="county_hub",
        population=0,
        town=SEAT,
        name="Lishui county logistics hub",
    )
    for t, node, centre in zip(TOWNS, county.stations, centres, strict=True):
        county.add_node(
            node,
            centre,
            kind="town_station",
            population=t.population,
            town=t.name,
            name=f"{t.name} station",
            area_km2=t.area_km2,
        )


def _add_villages(county: _County, counts: np.ndarray, positions: list[np.ndarray]) -> list[list[str]]:
    """Village nodes of each town, populations lognormal around the town's density."""
    density = np.array([t.population / t.area_km2 for t in TOWNS])
    density[county.seat] = float(np.median(np.delete(density, county.seat)))
    weights = np.concatenate(
        [density[i] * county.rng.lognormal(0.0, VILLAGE_SIZE_SIGMA, k) for i, k in enumerate(counts)]
    )
    populations = iter(_apportion(RURAL_POPULATION, weights).tolist())
    villages: list[list[str]] = []
    width = max(2, len(str(int(counts.max()))))
    for t, pts in zip(TOWNS, positions, strict=True):
        ids = [f"v_{t.name.lower()}_{k + 1:0{width}d}" for k in range(len(pts))]
        for k, (node, p) in enumerate(zip(ids, pts, strict=True)):
            county.add_node(
                node,
                p,
                kind="village",
                population=int(next(populations)),
                town=t.name,
                name=f"{t.name} village {k + 1}",
            )
        villages.append(ids)
    return villages


def _add_county_roads(
    county: _County, villages: list[list[str]], centres: np.ndarray, radii: np.ndarray
) -> None:
    """County roads from the hub to every station and between neighbouring towns.

    Roads of 6 km or more bend at a junction near half-way, which gets a town-road spur
    to the nearest village within reach.
    """
    hub, stations, seat, xy = county.hub, county.stations, county.seat, county.xy
    all_villages = [v for ids in villages for v in ids]
    pairs = [(hub, st) for st in stations]
    pairs += [(stations[i], stations[j]) for i, j in _neighbours(centres, radii) if seat not in (i, j)]
    for n, (a, b) in enumerate(pairs, start=1):
        straight = xy[b] - xy[a]
        length = float(np.linalg.norm(straight))
        if length < 6.0:
            county.add_road(a, b, "county")
            continue
        normal = np.array([-straight[1], straight[0]]) / length
        junction = f"j_{n:03d}"
        point = xy[a] + 0.5 * straight + county.rng.normal(0.0, 0.06 * length) * normal
        near_town = min((a, b), key=lambda s: county.distance(s, point))
        county.add_node(
            junction,
            point,
            kind="junction",
            population=0,
            town=county.G.nodes[near_town]["town"],
            name=f"Junction {n}",
        )
        county.add_road(a, junction, "county")
        county.add_road(junction, b, "county")
        if all_villages:
            spur = min(all_villages, key=lambda v: county.distance(v, point))
            if county.distance(spur, point) < 3.0 * county.scale:
                county.add_road(junction, spur, "town")


def _add_town_roads(
    county: _County, villages: list[list[str]], centres: np.ndarray, radii: np.ndarray
) -> None:
    """Town roads inside each town, and between the nearest villages of neighbouring towns."""
    xy = county.xy
    for station, ids in zip(county.stations, villages, strict=True):
        local = [station, *ids]
        for a, b in _local_edges(np.array([xy[v] for v in local])):
            county.add_road(local[a], local[b], "town")
    for i, j in _neighbours(centres, radii):
        if villages[i] and villages[j]:
            pi = np.array([xy[v] for v in villages[i]])
            pj = np.array([xy[v] for v in villages[j]])
            gap = np.linalg.norm(pi[:, None, :] - pj[None], axis=2)
            a, b = np.unravel_index(int(gap.argmin()), gap.shape)
            county.add_road(villages[i][a], villages[j][b], "town")


def _add_farms(county: _County, villages: list[list[str]], farms_per_producing_village: int) -> None:
    """Farms of a share of the villages of each crop town, linked by village roads."""
    rng = county.rng
    for t, ids in zip(TOWNS, villages, strict=True):
        if not t.crops or not ids:
            continue
        n_producing = max(1, round(PRODUCING_SHARE * len(ids)))
        producing = sorted(rng.choice(len(ids), size=n_producing, replace=False).tolist())
        for k in producing:
            village = ids[k]
            for f in range(farms_per_producing_village):
                crops = _farm_crops(rng, t.crops)
                angle = rng.uniform(0.0, 2 * math.pi)
                offset = rng.uniform(0.6, 2.0) * np.array([math.cos(angle), math.sin(angle)])
                farm = f"f_{village[2:]}_{f + 1}"
                county.add_node(
                    farm,
                    county.xy[village] + offset,
                    kind="farm",
                    population=0,
                    town=t.name,
                    name=f"{crops[0].capitalize()} farm {f + 1} of {county.G.nodes[village]['name']}",
                    village=village,
                    crops=",".join(crops),
                )
                county.add_road(village, farm, "village")


def _farm_crops(rng: np.random.Generator, town_crops: tuple[str, ...]) -> list[str]:
    """One of the town's crops; a berry farm in a town of both berries grows both at times."""
    crops = [town_crops[int(rng.integers(len(town_crops)))]]
    berries = ("blueberry", "blackberry")
    if set(berries) <= set(town_crops) and crops[0] in berries and rng.random() < BOTH_BERRIES_SHARE:
        crops = list(berries)
    return crops


def _add_pois(county: _County, villages: list[list[str]], n_poi: int) -> None:
    """POIs: the named spots first, then generic ones in turn over the towns."""
    rng = county.rng
    for p in range(n_poi):
        if p < len(POIS):
            town, poi_type, name = POIS[p]
        else:
            town = TOWNS[p % len(TOWNS)].name
            poi_type = ("scenic", "lodging")[p % 2]
            name = f"{town} {'scenic spot' if poi_type == 'scenic' else 'guesthouse'} {p + 1}"
        i = next(k for k, t in enumerate(TOWNS) if t.name == town)
        anchor = villages[i][int(rng.integers(len(villages[i])))] if villages[i] else county.stations[i]
        angle = rng.uniform(0.0, 2 * math.pi)
        offset = rng.uniform(1.0, 3.0) * np.array([math.cos(angle), math.sin(angle)])
        node = f"poi_{p + 1}"
        county.add_node(
            node,
            county.xy[anchor] + offset,
            kind="poi",
            population=0,
            town=town,
            name=name,
            poi_type=poi_type,
        )
        county.add_road(anchor, node, "village")
