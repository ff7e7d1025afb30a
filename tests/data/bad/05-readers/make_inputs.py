"""Build the supporting files of the 05-readers cases (run from anywhere; files are committed).

    python tests/data/bad/05-readers/make_inputs.py

A small county as node and edge tables (valid), broken copies of its node table, GraphML
files that are not usable, and broken copies of the GTFS reference sample feed with a
county made of its stops. The zip bomb is a few kB on disk: one member that declares
(and would expand to) 600 MiB.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from sim.network import gtfs_stop_graph, write_graphml
from sim.network.county import generate_county
from sim.network.files import write_csv

HERE = Path(__file__).resolve().parent
FEED_IN_SHARED = Path("shared", "data", "gtfs", "sample_gtfs.zip")
SAMPLE_FEED = next(p / FEED_IN_SHARED for p in HERE.parents if (p / FEED_IN_SHARED).is_file())
BOMB_MEMBER_BYTES = 600 * 2**20  # above sim.network.tables.MAX_TABLE_FILE_BYTES (512 MiB)
LONG_LINE_CHARS = 140_000  # above the csv module's field limit (131,072 characters)


def county_tables() -> list[str]:
    """nodes.csv and edges.csv of a small generated county; returns the node table's lines."""
    write_csv(generate_county(seed=3, n_villages=12), HERE / "nodes.csv", HERE / "edges.csv")
    return (HERE / "nodes.csv").read_text(encoding="utf-8").split("\n")


def broken_node_tables(lines: list[str]) -> None:
    """Node tables with a quote left open, one closed a row later, in GBK, with a long cell."""
    quote = list(lines)
    cells = quote[4].split(",")
    cells[6] = '"' + cells[6]  # the name cell of line 5 opens a quote and never closes it
    quote[4] = ",".join(cells)
    (HERE / "nodes_open_quote.csv").write_text("\n".join(quote), encoding="utf-8")
    swallow = list(lines)
    cells = swallow[4].split(",")
    cells[6] = '"' + cells[6]  # opens a quote on line 5 ...
    swallow[4] = ",".join(cells)
    swallow[5] += '"'  # ... that closes at the end of line 6: node 6 becomes part of a name
    (HERE / "nodes_swallowed_row.csv").write_text("\n".join(swallow), encoding="utf-8")
    gbk = list(lines)
    gbk[3] = gbk[3].replace("station", "站 (丽水)")
    (HERE / "nodes_gbk.csv").write_bytes("\n".join(gbk).encode("gbk"))
    big = list(lines)
    cells = big[5].split(",")
    cells[6] = "x" * LONG_LINE_CHARS
    big[5] = ",".join(cells)
    (HERE / "nodes_long_cell.csv").write_text("\n".join(big), encoding="utf-8")


def graphml_files() -> None:
    """GraphML files: a CSV, an entity expansion bomb, a village given twice."""
    write_graphml(generate_county(seed=3, n_villages=12), HERE / "duplicate_node.graphml")
    text = (HERE / "duplicate_node.graphml").read_text(encoding="utf-8")
    start = text.index('<node id="v_')
    village = text[start : text.index("</node>", start) + len("</node>")]
    text = text.replace("</graph>", f"  {village}\n  </graph>")
    (HERE / "duplicate_node.graphml").write_text(text, encoding="utf-8")
    (HERE / "not_xml.graphml").write_text("id,kind,x,y\nhub,county_hub,0,0\n", encoding="utf-8")
    entities = ['<!ENTITY lol0 "lol">']
    refs = ["&lol{}; ".strip().format(i - 1) * 10 for i in range(1, 10)]  # ten of the entity before
    entities += [f'<!ENTITY lol{i} "{ref}">' for i, ref in enumerate(refs, start=1)]
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE graphml [\n' + "\n".join(entities) + "\n]>\n"
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        '<graph edgedefault="undirected"><node id="&lol9;"/></graph>\n</graphml>\n'
    )
    (HERE / "entity_bomb.graphml").write_text(bomb, encoding="utf-8")


def _feed_copy(name: str, replace: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """The sample feed with some members replaced, as ``name``."""
    out = HERE / name
    with zipfile.ZipFile(SAMPLE_FEED) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            dst.writestr(info, replace.get(info.filename, src.read(info)), compression)
    return out


def gtfs_feeds() -> None:
    """A county of the sample feed's stops, and broken copies of the feed."""
    graph = gtfs_stop_graph(SAMPLE_FEED, population=800)
    graph.nodes["STAGECOACH"]["kind"] = "town_station"
    graph.nodes["BULLFROG"]["kind"] = "village"
    write_graphml(graph, HERE / "gtfs_county.graphml")
    stop = graph.nodes["AMV"]
    graph.add_node("j_amv", **{**stop, "kind": "junction", "name": "junction by AMV", "population": 0})
    graph.add_edge("j_amv", "AMV", length_km=0.2, speed_kmh=40.0, road_class="village")
    write_graphml(graph, HERE / "gtfs_county_junction.graphml")
    with zipfile.ZipFile(SAMPLE_FEED) as src:
        stops = src.read("stops.txt").decode("utf-8")
    # A stored (uncompressed) member with one byte changed: the CRC-32 no longer matches.
    out = _feed_copy("feed_bad_crc.zip", {}, zipfile.ZIP_STORED)
    data = bytearray(out.read_bytes())
    at = data.index(b"Resort (Demo),,36.425288")
    data[at] = ord("s")
    out.write_bytes(bytes(data))
    _feed_copy("feed_gbk_stops.zip", {"stops.txt": stops.replace("Resort", "度假村").encode("gbk")})
    long_line = b"stop_id,stop_name,stop_lat,stop_lon\n" + b"x" * LONG_LINE_CHARS + b"\n"
    _feed_copy("feed_long_line.zip", {"stops.txt": long_line})
    _feed_copy("feed_ok.zip", {})
    _feed_copy("not_a_zip.zip", {}).write_bytes(b"PK\x03\x04 this is not a zip archive")
    _zip_bomb(HERE / "feed_bomb.zip")


def _zip_bomb(out: Path) -> None:
    """The sample feed whose stop_times.txt expands to BOMB_MEMBER_BYTES of one line."""
    with zipfile.ZipFile(SAMPLE_FEED) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as dst:
        for info in src.infolist():
            if info.filename != "stop_times.txt":
                dst.writestr(info, src.read(info), zipfile.ZIP_BZIP2)
        bomb = zipfile.ZipInfo("stop_times.txt", date_time=src.getinfo("stop_times.txt").date_time)
        bomb.compress_type = zipfile.ZIP_BZIP2
        with dst.open(bomb, "w", force_zip64=True) as member:
            member.write(b"trip_id,arrival_time,departure_time,stop_id,stop_sequence\n")
            chunk = b"9" * 2**20
            for _ in range(BOMB_MEMBER_BYTES // len(chunk)):
                member.write(chunk)
    assert out.stat().st_size < 2**20, f"the bomb should be small, is {out.stat().st_size} bytes"


if __name__ == "__main__":
    broken_node_tables(county_tables())
    graphml_files()
    gtfs_feeds()
