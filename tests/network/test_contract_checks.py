"""Cross-checks of the graph contract: lon/lat in range, a county's size, unique GraphML ids."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from sim.network import NetworkError, generate_county, read_csv, read_graphml, validate_graph, write_graphml
from sim.network.contract import MAX_COUNTY_SPAN_KM

NODES = "id,kind,{a},{b},population,town,name\n"
EDGES = "source,target,road_class\nhub,st_a,county\nst_a,v_a1,town\n"


def small_graph(**village) -> nx.Graph:
    G = nx.Graph()
    G.add_node("hub", kind="county_hub", x=0.0, y=0.0, town="Y", name="hub")
    G.add_node("st_a", kind="town_station", x=5.0, y=0.0, town="A", name="st")
    G.add_node("v_a1", kind="village", x=7.0, y=1.0, population=100, town="A", name="v", **village)
    G.add_edge("hub", "st_a", length_km=6.0, road_class="county")
    G.add_edge("st_a", "v_a1", length_km=3.0, road_class="town")
    return G


def write_tables(tmp_path: Path, header: tuple[str, str], rows: list[str]) -> tuple[Path, Path]:
    nodes, edges = tmp_path / "nodes.csv", tmp_path / "edges.csv"
    nodes.write_text(NODES.format(a=header[0], b=header[1]) + "\n".join(rows) + "\n")
    edges.write_text(EDGES)
    return nodes, edges


def test_swapped_lon_lat_columns_are_named_at_the_first_row(tmp_path):
    rows = [
        "hub,county_hub,119.0,31.6,0,Y,h",
        "st_a,town_station,119.05,31.6,1,A,s",
        "v_a1,village,119.07,31.61,9,A,v",
    ]
    nodes, edges = write_tables(tmp_path, ("lat", "lon"), rows)
    with pytest.raises(NetworkError) as info:
        read_csv(nodes, edges)
    err = info.value
    assert (err.field, err.line) == ("lat", 2)
    assert "swapped" in err.message and err.found == "119.0"


def test_lon_lat_in_range_are_read(tmp_path):
    rows = [
        "hub,county_hub,31.6,119.0,0,Y,h",
        "st_a,town_station,31.6,119.05,1,A,s",
        "v_a1,village,31.61,119.07,9,A,v",
    ]
    G = read_csv(*write_tables(tmp_path, ("lat", "lon"), rows))
    assert G.nodes["hub"]["lat"] == 31.6


@pytest.mark.parametrize(
    ("field", "value"), [("lon", 181.0), ("lon", -200.0), ("lat", -90.5), ("lat", "north")]
)
def test_a_degree_out_of_range_is_an_error(field, value):
    with pytest.raises(NetworkError) as info:
        validate_graph(small_graph(**{field: value}))
    assert info.value.field == field and "out of range" in info.value.message


def test_a_county_wider_than_the_bound_is_an_error_naming_its_size():
    G = small_graph()
    G.nodes["v_a1"]["x"] = MAX_COUNTY_SPAN_KM + 1.0
    with pytest.raises(NetworkError) as info:
        validate_graph(G)
    assert info.value.field == "x" and "1,001 km" in info.value.found
    G.nodes["v_a1"]["x"] = MAX_COUNTY_SPAN_KM - 1.0
    validate_graph(G)


def test_the_built_in_county_is_well_inside_the_span_bound():
    G = generate_county(1)
    xs = [d["x"] for _, d in G.nodes(data=True)]
    assert max(xs) - min(xs) < MAX_COUNTY_SPAN_KM / 10
    validate_graph(G)


def test_a_graphml_node_given_twice_is_named_with_both_lines(tmp_path):
    path = tmp_path / "g.graphml"
    write_graphml(small_graph(), path)
    text = path.read_text()
    start = text.index('<node id="v_a1">')
    block = text[start : text.index("</node>", start) + len("</node>")]
    path.write_text(text.replace(block, block + "\n" + block))
    first = text[:start].count("\n") + 1
    second = first + block.count("\n") + 1
    with pytest.raises(NetworkError) as info:
        read_graphml(path)
    assert info.value.line == second
    assert info.value.found == f"also on line {first}"
