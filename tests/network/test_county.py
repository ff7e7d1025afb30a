"""The built-in Lishui-like county: determinism, counts, roads, extent."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from scipy.spatial import ConvexHull

from sim.network import ROAD_SPEEDS, generate_county, validate_graph, villages_by_town
from sim.network.county import RURAL_POPULATION, TOWNS

TOWN_NAMES = {"Yongyang", "Zhetang", "Honglan", "Shiqiu", "Dongping", "Baima", "Hefeng", "Jingqiao"}


@pytest.fixture(scope="module")
def county() -> nx.Graph:
    return generate_county(seed=0)


def _kind(G: nx.Graph, kind: str) -> list[str]:
    return [v for v, k in G.nodes(data="kind") if k == kind]


def _xy(G: nx.Graph, v: str) -> np.ndarray:
    return np.array([G.nodes[v]["x"], G.nodes[v]["y"]])


def test_same_seed_gives_identical_graph():
    a, b = generate_county(seed=5), generate_county(seed=5)
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(data=True)) == list(b.edges(data=True))


def test_different_seed_gives_different_graph():
    a, b = generate_county(seed=5), generate_county(seed=6)
    assert list(a.nodes(data=True)) != list(b.nodes(data=True))


def test_meets_the_contract(county):
    validate_graph(county)  # raises on any breach
    assert all(isinstance(v, str) for v in county)


def test_towns_stations_and_hub(county):
    stations = _kind(county, "town_station")
    assert {county.nodes[s]["town"] for s in stations} == TOWN_NAMES
    assert len(stations) == 8
    hubs = _kind(county, "county_hub")
    assert len(hubs) == 1 and county.nodes[hubs[0]]["town"] == "Yongyang"
    # Public figures from DOMAIN.md ride on the station nodes.
    by_town = {county.nodes[s]["town"]: county.nodes[s] for s in stations}
    assert by_town["Dongping"]["area_km2"] == 150.0
    assert by_town["Hefeng"]["population"] == 51_075


def test_villages_cover_every_town_and_rural_population(county):
    groups = villages_by_town(county)
    assert set(groups) == TOWN_NAMES
    assert sum(len(ids) for ids in groups.values()) == 90
    assert all(len(ids) >= 5 for ids in groups.values())
    # Largest town by area (Dongping, 150 km2) has more villages than the smallest (Hefeng).
    assert len(groups["Dongping"]) > len(groups["Hefeng"])
    pops = [county.nodes[v]["population"] for v in _kind(county, "village")]
    assert sum(pops) == RURAL_POPULATION == round(0.34 * 491_336)
    assert min(pops) > 0


@pytest.mark.parametrize("n_villages", [8, 37, 250])
def test_village_count_and_population_follow_arguments(n_villages):
    G = generate_county(seed=1, n_villages=n_villages)
    villages = _kind(G, "village")
    assert len(villages) == n_villages
    assert sum(G.nodes[v]["population"] for v in villages) == RURAL_POPULATION
    assert nx.is_connected(G)


def test_connected(county):
    assert nx.is_connected(county)


def test_speeds_follow_road_class(county):
    classes = set()
    for _, _, d in county.edges(data=True):
        assert d["speed_kmh"] == ROAD_SPEEDS[d["road_class"]]
        classes.add(d["road_class"])
    assert classes == {"county", "town", "village"}
    assert ROAD_SPEEDS == {"county": 60.0, "town": 40.0, "village": 25.0}


def test_roads_longer_than_straight_lines(county):
    ratios = []
    for u, v, d in county.edges(data=True):
        straight = float(np.linalg.norm(_xy(county, u) - _xy(county, v)))
        assert d["length_km"] >= straight > 0
        ratios.append(d["length_km"] / straight)
    assert 1.2 <= np.median(ratios) <= 1.4


def test_farms_and_pois(county):
    farms = _kind(county, "farm")
    assert farms
    crops = set()
    for f in farms:
        data = county.nodes[f]
        assert county.nodes[data["village"]]["kind"] == "village"
        assert county.has_edge(f, data["village"])
        assert county.nodes[data["village"]]["town"] == data["town"]
        crops.update(data["crops"].split(","))
    assert crops == {"strawberry", "blueberry", "blackberry", "tea"}
    strawberry_towns = {county.nodes[f]["town"] for f in farms if "strawberry" in county.nodes[f]["crops"]}
    assert strawberry_towns == {"Honglan", "Jingqiao", "Dongping", "Shiqiu"}
    berry_towns = {
        county.nodes[f]["town"]
        for f in farms
        if "berry" in county.nodes[f]["crops"] and "straw" not in county.nodes[f]["crops"]
    }
    assert berry_towns == {"Baima"}
    pois = _kind(county, "poi")
    assert len(pois) == 6
    assert {county.nodes[p]["poi_type"] for p in pois} == {"lodging", "scenic"}


def test_farm_and_poi_counts_follow_arguments():
    G = generate_county(seed=0, farms_per_producing_village=0, n_poi=9)
    assert not _kind(G, "farm")
    assert len(_kind(G, "poi")) == 9
    G3 = generate_county(seed=0, farms_per_producing_village=3)
    per_village = {}
    for f in _kind(G3, "farm"):
        per_village[G3.nodes[f]["village"]] = per_village.get(G3.nodes[f]["village"], 0) + 1
    assert set(per_village.values()) == {3}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_extent_is_about_the_county_area(seed):
    """The convex hull of all nodes lies within 80-110 % of area_km2 (nodes sit inside
    town territories whose outline is scaled to exactly area_km2)."""
    G = generate_county(seed=seed)
    pts = np.array([[d["x"], d["y"]] for _, d in G.nodes(data=True)])
    area = ConvexHull(pts).volume
    assert 0.8 * 1064 <= area <= 1.1 * 1064


def test_area_argument_scales_the_county():
    small = generate_county(seed=0, area_km2=266.0)
    pts = np.array([[d["x"], d["y"]] for _, d in small.nodes(data=True)])
    assert 0.75 * 266 <= ConvexHull(pts).volume <= 1.15 * 266


def test_yongyang_is_central(county):
    stations = {county.nodes[s]["town"]: _xy(county, s) for s in _kind(county, "town_station")}
    centroid = np.mean(list(stations.values()), axis=0)
    nearest = min(stations, key=lambda t: math.dist(stations[t], centroid))
    assert nearest == "Yongyang"
    assert len(TOWNS) == 8


def test_bad_arguments():
    with pytest.raises(ValueError):
        generate_county(n_villages=0)
    with pytest.raises(ValueError):
        generate_county(area_km2=-1.0)
