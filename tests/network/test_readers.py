"""The readers turn every failure of a file into a located error (issue 11, class 5).

Node and edge tables, GraphML, GTFS zips and folders, and the TOML reader shared by
scenarios and sweeps: encodings (a BOM is accepted, other encodings are named), CSV
dialect errors blamed on the right file and line, oversized cells, damaged and
over-large zip members, XML entities, deep nesting, folders and missing files.
"""

from __future__ import annotations

import codecs
import importlib
import zipfile
from pathlib import Path

import pytest

from sim.errors import LocatedError, decode_utf8
from sim.network import GtfsError, NetworkError, read_csv, read_graphml, write_graphml
from sim.network.gtfs_feed import load_schedule
from sim.scenario import ScenarioError
from sim.scenario.load import MAX_TOML_NESTING, read_toml

NODES = """\
id,kind,x,y,population,town,name
hub,county_hub,0,0,0,Yongyang,County hub
st_a,town_station,5,0,40000,A,A station
v_a1,village,7,1,1800,A,A village 1
"""
EDGES = """\
source,target,road_class,length_km
hub,st_a,county,6.2
st_a,v_a1,town,
"""
SAMPLE_ROWS = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Bus,http://x,Asia/Shanghai\n",
    "routes.txt": "route_id,route_short_name,route_long_name,route_type\nR1,1,One,3\n",
    "trips.txt": "route_id,service_id,trip_id\nR1,S,T1\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,Alpha,28.45,119.91\nB,Beta,28.46,119.92\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
    "start_date,end_date\nS,1,1,1,1,1,1,1,20260101,20261231\n",
}


def _tables(tmp_path: Path, nodes: str | bytes = NODES, edges: str | bytes = EDGES) -> tuple[Path, Path]:
    n, e = tmp_path / "nodes.csv", tmp_path / "edges.csv"
    for path, text in ((n, nodes), (e, edges)):
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return n, e


def _feed(tmp_path: Path, replace: dict[str, bytes] | None = None, stored: bool = False) -> Path:
    path = tmp_path / "feed.zip"
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, text in SAMPLE_ROWS.items():
            zf.writestr(name, (replace or {}).get(name, text.encode("utf-8")))
    return path


# --------------------------------------------------------------------------- encodings


def test_decode_utf8_drops_a_bom_and_names_the_line_and_a_likely_encoding():
    assert decode_utf8(codecs.BOM_UTF8 + "丽水".encode(), LocatedError) == "丽水"
    with pytest.raises(LocatedError) as info:
        decode_utf8("a\nb\nname = 丽水\n".encode("gbk"), LocatedError)
    assert info.value.line == 3
    assert "GBK/GB18030" in info.value.found and "at byte 8 of the line" in info.value.found
    with pytest.raises(LocatedError, match="Latin-1/Windows-1252"):
        decode_utf8("café,1\n".encode("cp1252"), LocatedError)
    with pytest.raises(LocatedError, match="UTF-16"):
        decode_utf8("a = 1".encode("utf-16"), LocatedError)


def test_node_table_with_a_bom_reads_like_one_without(tmp_path):
    n, e = _tables(tmp_path, nodes=codecs.BOM_UTF8 + NODES.encode())
    assert sorted(read_csv(n, e).nodes) == ["hub", "st_a", "v_a1"]


def test_node_table_in_gbk_names_the_file_and_line(tmp_path):
    n, e = _tables(tmp_path, nodes=NODES.replace("A village 1", "甲村").encode("gbk"))
    with pytest.raises(NetworkError) as info:
        read_csv(n, e)
    assert (info.value.path, info.value.line) == (str(n), 4)
    assert "GBK" in info.value.found


# --------------------------------------------------------------------------- CSV dialect


def test_an_open_quote_in_the_node_table_is_blamed_on_its_line_not_on_the_edges(tmp_path):
    n, e = _tables(tmp_path, nodes=NODES.replace(",A station", ',"A station'))
    with pytest.raises(NetworkError) as info:
        read_csv(n, e)
    assert (info.value.path, info.value.line) == (str(n), 3)
    assert info.value.message == "a quote is not closed"


def test_a_quote_closed_mid_cell_is_a_located_error(tmp_path):
    n, e = _tables(tmp_path, nodes=NODES.replace(",A station", ',"A" station'))
    with pytest.raises(NetworkError) as info:
        read_csv(n, e)
    assert info.value.line == 3
    assert "closes in the middle of a cell" in info.value.message


def test_a_quote_that_swallows_the_next_row_is_blamed_where_it_opens(tmp_path):
    """Before, v_a1 vanished into a name and the edge table was blamed for naming it."""
    nodes = NODES.replace(",A station", ',"A station').replace("village 1", 'village 1"')
    n, e = _tables(tmp_path, nodes=nodes)
    with pytest.raises(NetworkError) as info:
        read_csv(n, e)
    assert (info.value.path, info.value.line) == (str(n), 3)
    assert info.value.message == "a cell holds a line break"
    assert "runs from line 3 to line 4" in info.value.found


def test_a_quote_closed_rows_later_mid_cell_names_both_lines(tmp_path):
    nodes = NODES.replace(",A station", ',"A station') + 'v_a2,village,8,1,10,A,"x"\n'
    n, e = _tables(tmp_path, nodes=nodes)
    with pytest.raises(NetworkError) as info:
        read_csv(n, e)
    assert info.value.line == 3  # where the quote opens, not where it closes
    assert "the row runs from line 3 to line 5" in info.value.found


def test_an_oversized_cell_is_a_located_error(tmp_path):
    n, e = _tables(tmp_path, edges=EDGES + "st_a,v_a1,town," + "9" * 200_000 + "\n")
    with pytest.raises(NetworkError) as info:
        read_csv(n, e)
    assert (info.value.path, info.value.line) == (str(e), 4)
    assert info.value.message == "a cell is too long"


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("which", ["nodes", "edges"])
def test_a_folder_or_missing_table_names_that_table(tmp_path, which):
    n, e = _tables(tmp_path)
    folder = tmp_path / "folder"
    folder.mkdir()
    args = (folder, e) if which == "nodes" else (n, folder)
    with pytest.raises(NetworkError, match="a folder") as info:
        read_csv(*args)
    assert info.value.path == str(folder)
    missing = tmp_path / "missing.csv"
    with pytest.raises(NetworkError, match="no such network file") as info:
        read_csv(*((missing, e) if which == "nodes" else (n, missing)))
    assert info.value.path == str(missing)


def test_an_empty_table_is_a_located_error(tmp_path):
    n, e = _tables(tmp_path, edges="")
    with pytest.raises(NetworkError, match="empty file") as info:
        read_csv(n, e)
    assert info.value.path == str(e)


# --------------------------------------------------------------------------- GraphML


def test_graphml_that_is_a_csv_is_not_valid_xml(tmp_path):
    path = tmp_path / "county.graphml"
    path.write_text(NODES)
    with pytest.raises(NetworkError, match="not valid XML") as info:
        read_graphml(path)
    assert info.value.line == 1


def test_graphml_entities_are_refused_before_expansion(tmp_path):
    path = tmp_path / "county.graphml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE g [\n<!ENTITY a "aaaaaaaaaa">\n]>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">'
        '<node id="&a;"/></graph></graphml>\n'
    )
    with pytest.raises(NetworkError, match="declares XML entities") as info:
        read_graphml(path)
    assert info.value.line == 3


GRAPHML = """<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key id="k" for="node" attr.name="kind" attr.type="string"/>
<graph edgedefault="undirected">
<node id="hub"><data key="k">county_hub</data></node>
<node id="v"><data key="k">{kind}</data></node>
<edge source="hub" target="v"/>
{more}</graph></graphml>
"""


@pytest.mark.parametrize(
    ("more", "message", "first_line"),
    [
        ('<node id="v"/>\n', "node 'v' listed twice", 5),
        ('<edge source="v" target="hub"/>\n', "edge 'v'-'hub' listed twice", 6),
    ],
    ids=["node", "edge-reversed"],
)
def test_graphml_nodes_and_roads_given_twice_are_refused(tmp_path, more, message, first_line):
    """networkx would keep the last node of an id, and merge the two roads, silently."""
    path = tmp_path / "county.graphml"
    path.write_text(GRAPHML.format(kind="village", more=more))
    with pytest.raises(NetworkError, match=message) as info:
        read_graphml(path)
    assert (info.value.line, info.value.found) == (7, f"also on line {first_line}")


def test_graphml_contract_errors_name_the_line(tmp_path):
    n, e = _tables(tmp_path)
    path = tmp_path / "county.graphml"
    write_graphml(read_csv(n, e), path)
    text = path.read_text()
    path.write_text(text.replace(">village<", ">vilage<"))
    with pytest.raises(NetworkError, match="unknown node kind") as info:
        read_graphml(path)
    assert info.value.line == text[: text.index('<node id="v_a1"')].count("\n") + 1


def test_graphml_value_that_does_not_fit_its_type_is_located(tmp_path):
    path = tmp_path / "county.graphml"
    path.write_text(
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="d0" for="node" attr.name="population" attr.type="int"/>'
        '<graph edgedefault="undirected"><node id="a"><data key="d0">many</data></node></graph></graphml>'
    )
    with pytest.raises(NetworkError, match="does not fit its key") as info:
        read_graphml(path)
    assert "many" in info.value.found


# --------------------------------------------------------------------------- GTFS


def test_the_sample_feed_of_this_module_reads(tmp_path):
    assert load_schedule(_feed(tmp_path), None).trip_ids == ["T1"]


def test_a_bad_crc_names_the_member(tmp_path):
    path = _feed(tmp_path, stored=True)
    data = bytearray(path.read_bytes())
    at = data.index(b"Alpha")
    data[at] = ord("a")
    path.write_bytes(bytes(data))
    with pytest.raises(GtfsError, match="Bad CRC-32") as info:
        load_schedule(path, None)
    assert info.value.file == "feed.zip/stops.txt"


def test_a_truncated_zip_is_a_located_error(tmp_path):
    path = _feed(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:40] + data[-22:])  # the end record survives, the members do not
    with pytest.raises(GtfsError) as info:
        load_schedule(path, None)
    assert info.value.file is not None and info.value.file.startswith("feed.zip")


def test_a_member_larger_than_the_ceiling_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr("sim.network.tables.MAX_TABLE_FILE_BYTES", 10)
    with pytest.raises(GtfsError, match="too large") as info:
        load_schedule(_feed(tmp_path), None)
    assert info.value.file == "feed.zip/routes.txt"  # the first member read


def test_gtfs_member_in_gbk_and_with_a_long_line(tmp_path):
    gbk = SAMPLE_ROWS["stops.txt"].replace("Alpha", "甲").encode("gbk")
    with pytest.raises(GtfsError, match="not UTF-8") as info:
        load_schedule(_feed(tmp_path, {"stops.txt": gbk}), None)
    assert (info.value.file, info.value.line) == ("feed.zip/stops.txt", 2)
    long_line = b"stop_id,stop_name,stop_lat,stop_lon\n" + b"x" * 200_000 + b"\n"
    with pytest.raises(GtfsError, match="a cell is too long") as info:
        load_schedule(_feed(tmp_path, {"stops.txt": long_line}), None)
    assert info.value.line == 2


def test_a_gtfs_folder_member_that_is_a_folder(tmp_path):
    feed = tmp_path / "feed"
    feed.mkdir()
    for name, text in SAMPLE_ROWS.items():
        (feed / name).write_text(text)
    (feed / "stops.txt").unlink()
    (feed / "stops.txt").mkdir()
    with pytest.raises(GtfsError, match="a folder") as info:
        load_schedule(feed, None)
    assert info.value.file == "feed/stops.txt"


# --------------------------------------------------------------------------- TOML


def test_toml_with_a_bom_is_read(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes(codecs.BOM_UTF8 + b'name = "bom"\n')
    assert read_toml(path)[0] == {"name": "bom"}


@pytest.mark.parametrize(
    "text",
    [
        "a = 1\nx = " + "[" * 5000 + "]" * 5000 + "\n",  # tomllib itself recurses
        "a = 1\nx = " + "[" * (MAX_TOML_NESTING + 1) + "]" * (MAX_TOML_NESTING + 1) + "\n",
        "a = 1\n" + "x." * 3000 + "y = 1\n",  # dotted keys: parsed, but too deep for later
    ],
    ids=["recursion", "just-too-deep", "dotted"],
)
def test_deep_nesting_is_refused_at_its_line(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match="nested too deeply") as info:
        read_toml(path, "sweep file")
    assert info.value.line == 2


def test_nesting_at_the_limit_is_read(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("x = " + "[" * (MAX_TOML_NESTING - 1) + "]" * (MAX_TOML_NESTING - 1) + "\n")
    assert "x" in read_toml(path)[0]


def test_toml_not_utf8_and_too_large(tmp_path, monkeypatch):
    path = tmp_path / "s.toml"
    path.write_bytes('name = "丽水"\n'.encode("gb18030"))
    with pytest.raises(ScenarioError, match="not UTF-8") as info:
        read_toml(path)
    assert info.value.line == 1 and "GBK/GB18030" in info.value.found
    loader = importlib.import_module("sim.scenario.load")  # the attribute is the function load
    monkeypatch.setattr(loader, "MAX_TOML_FILE_BYTES", 4)
    with pytest.raises(ScenarioError, match="too large"):
        read_toml(path)
