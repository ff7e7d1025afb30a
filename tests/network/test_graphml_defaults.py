"""GraphML defaults (length_km, lon0/lat0), osmnx's GraphML, and the tiny county's sample files."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

import sim
from sim.network import NetworkError, read_csv, read_graphml, write_graphml
from sim.network.contract import DEFAULT_DETOUR
from sim.network.geography import project_lonlat

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "scenarios" / "data"


def test_the_sample_graphml_and_csv_are_one_county():
    G = read_graphml(DATA / "tiny_county.graphml")
    H = read_csv(DATA / "tiny_county_nodes.csv", DATA / "tiny_county_edges.csv")
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert {frozenset(e): d for *e, d in G.edges(data=True)} == {
        frozenset(e): d for *e, d in H.edges(data=True)
    }
    assert G.graph["lon0"] == pytest.approx(H.graph["lon0"])


def test_the_tiny_county_scenario_runs_on_its_files():
    scenario = sim.load(ROOT / "scenarios" / "tiny_county.toml")
    result = sim.run(sim.derive(scenario, {"days": 2, "warmup_days": 0}))
    assert result.kpis["last_km.parcels_per_day"] > 0
    assert result.kpis["last_km.on_time_share"] > 0.5


def test_graphml_roads_without_length_take_the_csv_default(tmp_path):
    G = read_graphml(DATA / "tiny_county.graphml")
    a, b = G.nodes["st_nan"], G.nodes["x_bridge"]
    straight = math.hypot(a["x"] - b["x"], a["y"] - b["y"])
    assert G.edges["x_bridge", "st_nan"]["length_km"] == pytest.approx(straight * DEFAULT_DETOUR)
    assert "length_km" not in (DATA / "tiny_county.graphml").read_text().split('target="st_nan"')[0][-400:]


def _lonlat_graph() -> nx.Graph:
    G = read_csv(DATA / "tiny_county_nodes.csv", DATA / "tiny_county_edges.csv")
    G.graph.clear()
    return G


def test_graphml_with_node_lonlat_but_no_origin_gets_it_derived(tmp_path):
    truth = read_csv(DATA / "tiny_county_nodes.csv", DATA / "tiny_county_edges.csv").graph
    path = tmp_path / "county.graphml"
    write_graphml(_lonlat_graph(), path)
    G = read_graphml(path)
    assert (G.graph["lon0"], G.graph["lat0"]) == pytest.approx((truth["lon0"], truth["lat0"]), abs=1e-9)


def test_graphml_whose_xy_are_not_its_lonlat_gets_no_origin(tmp_path):
    G = _lonlat_graph()
    for _, d in G.nodes(data=True):
        d["x"], d["y"] = d["x"] * 2.0, d["y"]  # another projection: placing stops by it would be wrong
    path = tmp_path / "county.graphml"
    write_graphml(G, path)
    assert "lon0" not in read_graphml(path).graph


def _osmnx_graph(with_kinds: bool) -> nx.MultiDiGraph:
    """What osmnx saves: a MultiDiGraph, x/y in degrees, length in metres, highway, no kinds."""
    places = [
        ("1", 119.00, 31.60, "county_hub", "Hexi"),
        ("2", 119.02, 31.60, "town_station", "Dong"),
        ("3", 119.04, 31.61, "village", "Dong"),
        ("4", 119.03, 31.62, None, ""),
    ]
    G = nx.MultiDiGraph(crs="epsg:4326", created_with="OSMnx 1.9.0")
    for node, lon, lat, kind, town in places:
        attrs = {"x": lon, "y": lat, "street_count": 3}
        if with_kinds and kind:
            attrs.update(kind=kind, town=town, population=100 if kind == "village" else 0)
        G.add_node(node, **attrs)
    for u, v, metres, highway in [
        ("1", "2", 2100.0, "secondary"),
        ("2", "3", 2300.0, "['residential', 'tertiary']"),
        ("3", "4", 1500.0, "residential"),
        ("4", "1", 3500.0, "footway"),
    ]:
        G.add_edge(u, v, osmid=7, length=metres, highway=highway, oneway=False)
        G.add_edge(v, u, osmid=7, length=metres, highway=highway, oneway=False)
    G.add_edge("1", "2", osmid=8, length=1900.0, highway="tertiary", oneway=True)  # a parallel, shorter
    return G


def test_osmnx_graphml_is_read_as_one_undirected_road_per_pair(tmp_path):
    path = tmp_path / "osmnx.graphml"
    nx.write_graphml(_osmnx_graph(with_kinds=True), path)
    G = read_graphml(path)
    assert type(G) is nx.Graph and G.number_of_edges() == 3  # the footway is not driven
    assert G.edges["1", "2"]["length_km"] == pytest.approx(1.9)  # the shorter of the parallel roads
    assert (G.edges["1", "2"]["road_class"], G.edges["1", "2"]["speed_kmh"]) == ("town", 40.0)
    assert G.edges["2", "3"]["road_class"] == "town"  # the fastest of a merged way's highways
    assert G.nodes["4"]["kind"] == "junction"  # osmnx nodes given no kind are road junctions
    assert (G.nodes["3"]["lon"], G.nodes["3"]["lat"]) == (119.04, 31.61)
    x, y = project_lonlat([119.04], [31.61], G.graph["lon0"], G.graph["lat0"])
    assert (G.nodes["3"]["x"], G.nodes["3"]["y"]) == pytest.approx((float(x[0]), float(y[0])))
    assert abs(G.nodes["3"]["x"] - G.nodes["1"]["x"]) == pytest.approx(3.8, rel=0.01)  # km, not degrees


def test_osmnx_graphml_without_kinds_names_the_attribute_to_add(tmp_path):
    path = tmp_path / "osmnx.graphml"
    nx.write_graphml(_osmnx_graph(with_kinds=False), path)
    with pytest.raises(NetworkError, match="no node has a kind") as info:
        read_graphml(path)
    assert info.value.field == "kind" and "county_hub" in info.value.expected
    assert "from-osm" in info.value.expected


def test_a_projected_osmnx_graph_has_metres_made_km(tmp_path):
    G = _osmnx_graph(with_kinds=True)
    G.graph["crs"] = "epsg:32650"
    for _, d in G.nodes(data=True):
        d["x"], d["y"] = (d["x"] - 119.0) * 95_000.0 + 500_000.0, (d["y"] - 31.6) * 111_000.0 + 3_500_000.0
    path = tmp_path / "osmnx.graphml"
    nx.write_graphml(G, path)
    H = read_graphml(path)
    assert H.nodes["2"]["x"] - H.nodes["1"]["x"] == pytest.approx(1.9)
