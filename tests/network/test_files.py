"""GraphML and CSV graph files: round trips, lon/lat, and the error catalogue."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

from sim.network import (
    NetworkError,
    generate_county,
    read_csv,
    read_graphml,
    write_csv,
    write_graphml,
)

NODES = """\
id,kind,x,y,population,town,name
hub,county_hub,0,0,0,Yongyang,County hub
st_a,town_station,5,0,40000,A,A station
v_a1,village,7,1,1800,A,A village 1
f_a1,farm,7.5,1.5,,A,Farm
"""
EDGES = """\
source,target,road_class,length_km
hub,st_a,county,6.2
st_a,v_a1,town,
v_a1,f_a1,village,0.9
"""


def _edge_set(G: nx.Graph) -> set:
    return {(frozenset((u, v)), tuple(sorted(d.items()))) for u, v, d in G.edges(data=True)}


def _same(G: nx.Graph, H: nx.Graph) -> None:
    assert list(G.nodes) == list(H.nodes)
    for v in G:
        assert G.nodes[v] == H.nodes[v]
        assert [type(x) for x in G.nodes[v].values()] == [type(H.nodes[v][k]) for k in G.nodes[v]]
    assert _edge_set(G) == _edge_set(H)
    for u, v, d in G.edges(data=True):
        assert all(type(d[k]) is type(H.edges[u, v][k]) for k in d)


def _write(tmp_path: Path, nodes: str, edges: str = EDGES) -> tuple[Path, Path]:
    n, e = tmp_path / "nodes.csv", tmp_path / "edges.csv"
    n.write_text(nodes, encoding="utf-8")
    e.write_text(edges, encoding="utf-8")
    return n, e


@pytest.fixture(scope="module")
def county() -> nx.Graph:
    return generate_county(seed=4)


def _farm_nodes() -> str:
    rows = NODES.splitlines()
    rows[0] += ",village,crops"
    rows[1:4] = [r + ",," for r in rows[1:4]]
    rows[4] += ",v_a1,strawberry"
    return "\n".join(rows) + "\n"


def test_graphml_round_trip(county, tmp_path):
    path = tmp_path / "county.graphml"
    write_graphml(county, path)
    H = read_graphml(path)
    _same(county, H)
    assert H.graph == county.graph
    assert nx.utils.graphs_equal(county, H)


def test_csv_round_trip(county, tmp_path):
    n, e = tmp_path / "n.csv", tmp_path / "e.csv"
    write_csv(county, n, e)
    _same(county, read_csv(n, e))
    assert n.read_text().splitlines()[0].startswith("id,kind,x,y,population,town,name")


def test_csv_round_trip_keeps_extra_typed_attributes(tmp_path):
    G = read_csv(*_write(tmp_path, _farm_nodes()))
    G.nodes["v_a1"]["shop"] = True
    G.nodes["v_a1"]["counters"] = 2
    G.edges["hub", "st_a"]["toll"] = "yes"
    n, e = tmp_path / "n2.csv", tmp_path / "e2.csv"
    write_csv(G, n, e)
    assert "counters:int" in n.read_text() and "shop:bool" in n.read_text()
    H = read_csv(n, e)
    _same(G, H)
    assert "shop" not in H.nodes["hub"]  # empty cell: attribute not set


def test_csv_defaults(tmp_path):
    G = read_csv(*_write(tmp_path, _farm_nodes()))
    assert G.edges["hub", "st_a"]["speed_kmh"] == 60.0  # from road_class
    assert G.edges["v_a1", "f_a1"]["speed_kmh"] == 25.0
    assert G.edges["st_a", "v_a1"]["length_km"] == pytest.approx(math.hypot(2, 1) * 1.3)
    assert G.nodes["f_a1"]["population"] == 0
    assert isinstance(G.nodes["hub"]["x"], float)
    assert G.nodes["v_a1"]["population"] == 1800


def test_csv_lon_lat(tmp_path):
    nodes = """\
id,kind,lon,lat,population,town,name
hub,county_hub,119.00,31.60,0,Yongyang,Hub
st_a,town_station,119.10,31.60,1,A,A
v_a1,village,119.10,31.70,1,A,A1
"""
    edges = "source,target,road_class\nhub,st_a,county\nst_a,v_a1,town\n"
    G = read_csv(*_write(tmp_path, nodes, edges))
    a, b, c = (G.nodes[v] for v in ("hub", "st_a", "v_a1"))
    # 0.1 degree of longitude at 31.63 N is about 9.47 km; of latitude about 11.12 km.
    assert b["x"] - a["x"] == pytest.approx(9.47, abs=0.01)
    assert c["y"] - b["y"] == pytest.approx(11.12, abs=0.01)
    assert sum(d["x"] for _, d in G.nodes(data=True)) == pytest.approx(0.0, abs=1e-9)
    assert a["lon"] == 119.0 and c["lat"] == 31.7
    assert G.edges["hub", "st_a"]["length_km"] == pytest.approx(9.47 * 1.3, abs=0.02)
    # Written back with x, y and lon, lat; read back identical.
    n, e = tmp_path / "n2.csv", tmp_path / "e2.csv"
    write_csv(G, n, e)
    _same(G, read_csv(n, e))


def _error(tmp_path, nodes: str, edges: str = EDGES) -> NetworkError:
    with pytest.raises(NetworkError) as info:
        read_csv(*_write(tmp_path, nodes, edges))
    return info.value


def test_error_unknown_kind(tmp_path):
    err = _error(tmp_path, _farm_nodes().replace("v_a1,village", "v_a1,vilage"))
    assert (err.field, err.line, err.found) == ("kind", 4, "'vilage'")
    assert "nodes.csv:4: kind:" in str(err) and "county_hub" in str(err)


def test_error_bad_number_names_its_line(tmp_path):
    err = _error(tmp_path, _farm_nodes().replace("7,1,1800", "7,one,1800"))
    assert (err.field, err.line, err.found) == ("y", 4, "'one'")
    assert str(err).startswith(f"{tmp_path / 'nodes.csv'}:4: y:")


def test_error_negative_length(tmp_path):
    err = _error(tmp_path, _farm_nodes(), EDGES.replace("6.2", "-6.2"))
    assert (err.field, err.line) == ("length_km", 2)
    assert err.path.endswith("edges.csv") and "'hub'-'st_a'" in str(err)


def test_error_edge_names_unknown_node(tmp_path):
    err = _error(tmp_path, _farm_nodes(), EDGES.replace("st_a,v_a1", "st_a,v_a9"))
    assert (err.field, err.line, err.found) == ("target", 3, "'v_a9'")
    assert "v_a9" in str(err) and "edges.csv:3" in str(err)


def test_error_missing_column(tmp_path):
    nodes = _farm_nodes().replace("population,", "pop,", 1)
    err = _error(tmp_path, nodes)
    assert (err.field, err.line) == ("population", 1)
    assert "missing column 'population'" in str(err)
    err = _error(tmp_path, _farm_nodes(), EDGES.replace("road_class", "class", 1))
    assert err.field == "road_class"


def test_error_no_county_hub(tmp_path):
    err = _error(tmp_path, _farm_nodes().replace("county_hub", "junction"))
    assert "no county_hub" in str(err)


def test_error_catalogue_more(tmp_path):
    err = _error(tmp_path, NODES)  # no village or crops column: the farm names no village
    assert (err.field, err.line) == ("village", 5)
    dup = _farm_nodes() + "v_a1,village,1,1,5,A,again,,\n"
    err = _error(tmp_path, dup)
    assert err.line == 6 and "twice" in str(err)
    err = _error(tmp_path, _farm_nodes().replace("1800", ""))
    assert (err.field, err.line) == ("population", 4)
    err = _error(tmp_path, _farm_nodes().replace("Yongyang,County hub,,", "Yongyang"))
    assert err.line == 2 and "fields" in str(err)
    err = _error(tmp_path, _farm_nodes(), EDGES.replace("town,", "lane,"))
    assert (err.field, err.line) == ("road_class", 3)
    err = _error(tmp_path, _farm_nodes(), EDGES + "st_a,hub,county,1\n")
    assert err.line == 5 and "twice" in str(err)
    err = _error(tmp_path, _farm_nodes().replace("v_a1,strawberry", "st_a,strawberry"))
    assert (err.field, err.line) == ("village", 5)
    err = _error(tmp_path, _farm_nodes().replace("x,y", "x,y:date", 1))
    assert err.line == 1 and "unknown type" in str(err)
    err = _error(
        tmp_path, _farm_nodes().replace("st_a,town_station,5,0,40000,A", "st_a,town_station,5,0,40000,B")
    )
    assert "'A' has villages but no town_station" in str(err)


def test_missing_x_without_lon_lat(tmp_path):
    err = _error(tmp_path, _farm_nodes().replace(",y,", ",yy,", 1))
    assert err.field == "y" and err.line == 1


def test_graphml_errors(tmp_path):
    bad = tmp_path / "bad.graphml"
    bad.write_text("<graphml><graph>\n<node id='a'>\n</graph>")
    with pytest.raises(NetworkError) as info:
        read_graphml(bad)
    assert info.value.line is not None
    G = nx.Graph()
    G.add_node("hub", kind="county_hub", x=0.0, y=0.0, town="Yongyang", name="Hub")
    G.add_node("v", kind="village", x=1.0, y=0.0, population=3, town="A", name="V")
    path = tmp_path / "nostation.graphml"
    write_graphml(G, path)
    with pytest.raises(NetworkError, match="no town_station"):
        read_graphml(path)
    with pytest.raises(NetworkError, match="no such network file"):
        read_graphml(tmp_path / "missing.graphml")
