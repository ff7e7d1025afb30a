"""Read and write county graphs as a pair of CSV tables (nodes and edges).

(GraphML is :mod:`sim.network.graphml`'s.) Both readers check the graph against the
contract of :mod:`sim.network.contract` and raise
:class:`~sim.network.contract.NetworkError` naming the file, the column, the 1-based
line (where the format has lines to name) and what was expected and found. Writers
replace the file whole or not at all (a temporary file, then a rename).

CSV node table
--------------
UTF-8 (a byte-order mark is allowed), comma-separated, a header row, one node a line
(quotes may enclose commas, not line breaks):

============  ========  ====================================================================
column        required  meaning
============  ========  ====================================================================
id            yes       node id (unique, non-empty text)
kind          yes       county_hub, town_station, village, farm, poi or junction
x, y          yes [1]   position, km (east, north), numbers
population    yes       integer >= 0; may be empty (0) except for villages
town          yes       town or street the node belongs to (needed for hub, stations,
                        villages; may be empty for the other kinds)
name          yes       display name (may be empty)
village       farms     id of the village a farm belongs to
crops         farms     comma-separated crops, e.g. ``"strawberry,tea"`` (quote the cell)
poi_type      POIs      lodging or scenic
lon, lat      [1]       degrees; kept as attributes
NAME:TYPE     no        any other attribute; TYPE is int, float, bool or str (the default
                        when there is no ``:TYPE``); an empty cell means "not set"
============  ========  ====================================================================

[1] Give either x and y, or lon and lat. With lon/lat only, positions are projected to km
with an equirectangular projection around the mean lon/lat of the file
(:func:`sim.network.geography.project_lonlat`):
``x = R * radians(lon - lon0) * cos(radians(lat0))``, ``y = R * radians(lat - lat0)``,
R = 6371.0088 km (error well under 0.1 % across a county).

CSV edge table
--------------
=========== ======== =============================================================
column      required meaning
=========== ======== =============================================================
source      yes      id of a node of the node table
target      yes      id of a node of the node table (roads are two-way)
road_class  yes      county, town or village
speed_kmh   no       number > 0; empty or absent: the class default 60 / 40 / 25
length_km   no       number > 0; empty or absent: straight line x 1.3 (a typical
                     rural detour factor)
NAME:TYPE   no       any other attribute, as for nodes
=========== ======== =============================================================

Example (``nodes.csv`` then ``edges.csv``)::

    id,kind,x,y,population,town,name
    hub,county_hub,0,0,0,Yongyang,County hub
    st_a,town_station,5,0,40000,A,A station
    v_a1,village,7,1,1800,A,A village 1

    source,target,road_class,length_km
    hub,st_a,county,6.2
    st_a,v_a1,town,

CSV files keep node and edge attributes; graph-level attributes (``G.graph``) are kept by
GraphML only.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

from sim.atomic import atomic_path
from sim.errors import decode_utf8
from sim.network.contract import NetworkError, validate_graph
from sim.network.geography import default_lengths, place_lonlat, set_lonlat_origin
from sim.network.tables import csv_rows, read_bytes

NODE_COLUMNS = ("id", "kind", "x", "y", "population", "town", "name")
NODE_OPTIONAL = ("village", "crops", "poi_type", "lon", "lat")
EDGE_COLUMNS = ("source", "target", "length_km", "speed_kmh", "road_class")
_KNOWN_TYPES: dict[str, type] = {
    "x": float,
    "y": float,
    "population": int,
    "lon": float,
    "lat": float,
    "length_km": float,
    "speed_kmh": float,
}
_TYPE_NAMES: dict[str, type] = {"int": int, "float": float, "bool": bool, "str": str}


def _parse(text: str, kind: type, *, path, field: str, line: int, row_id: str) -> object:
    """Parse one cell as ``kind``; raise NetworkError naming the cell."""
    try:
        if kind is int:
            return int(text)
        if kind is float:
            value = float(text)
            if not math.isfinite(value):
                raise ValueError(text)
            return value
        if kind is bool:
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return lowered in ("true", "1")
    except ValueError:
        names = {int: "an integer", float: "a number", bool: "true or false"}
        raise NetworkError(
            f"{row_id}: {field} is not {names[kind]}",
            path=path,
            field=field,
            line=line,
            expected=names[kind],
            found=repr(text),
        ) from None
    return text


def table_rows(path: str | Path, required: tuple[str, ...]) -> tuple[dict[str, type], Iterator]:
    """The column types of a CSV file and an iterator of (line, {column: text}) rows.

    The file is read whole (at most :data:`~sim.network.tables.MAX_TABLE_FILE_BYTES`) and
    decoded as UTF-8 (a byte-order mark is allowed); every problem names this file.
    """
    error = functools.partial(NetworkError, path=path)
    text = decode_utf8(read_bytes(path, error, "network file"), error)
    lines = csv_rows(text, error)
    _, header = next(lines, (1, []))
    if not header:
        raise NetworkError("empty file", path=path, line=1, expected="a header row", found="nothing")
    columns = _header_types(path, header)
    for name in required:
        if name not in columns:
            raise NetworkError(
                f"missing column {name!r}",
                path=path,
                field=name,
                line=1,
                expected=f"columns {', '.join(required)}",
                found=", ".join(columns) or "none",
            )

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for line, cells in lines:
            if not cells or all(not c.strip() for c in cells):
                continue
            breaks = sum(c.count("\n") for c in cells)
            if breaks or any("\r" in c for c in cells):
                raise NetworkError(
                    "a cell holds a line break",
                    path=path,
                    line=line,
                    expected="one row a line (is a quote not closed?)",
                    found=f"a quoted cell that runs from line {line} to line {line + breaks}",
                )
            if len(cells) != len(columns):
                raise NetworkError(
                    "wrong number of fields",
                    path=path,
                    line=line,
                    expected=f"{len(columns)} ({', '.join(columns)})",
                    found=str(len(cells)),
                )
            yield line, dict(zip(columns, cells, strict=True))

    return columns, rows()


def _header_types(path: str | Path, header: list[str]) -> dict[str, type]:
    """Column name -> type of a header row (``NAME:TYPE`` or a known column's type)."""
    columns: dict[str, type] = {}
    for raw in header:
        name, _, type_name = raw.strip().partition(":")
        if type_name and type_name not in _TYPE_NAMES:
            raise NetworkError(
                f"column {raw!r}: unknown type",
                path=path,
                field=name,
                line=1,
                expected="NAME:int, NAME:float, NAME:bool or NAME:str",
                found=repr(type_name),
            )
        if name in columns or not name:
            raise NetworkError(
                "duplicate or empty column name", path=path, field=name, line=1, found=repr(raw)
            )
        columns[name] = _TYPE_NAMES.get(type_name, _KNOWN_TYPES.get(name, str))
    return columns


def typed_cells(
    row: dict[str, str], columns: dict[str, type], skip: tuple[str, ...], *, path, line, row_id
) -> dict[str, object]:
    """Every non-empty cell outside ``skip``, parsed by its column type."""
    return {
        name: _parse(text, columns[name], path=path, field=name, line=line, row_id=row_id)
        for name, text in row.items()
        if name not in skip and text != ""
    }


def read_csv(nodes_path: str | Path, edges_path: str | Path) -> nx.Graph:
    """Read a county graph from a node table and an edge table (see the module docstring).

    >>> import tempfile, pathlib
    >>> from sim.network.county import generate_county
    >>> G = generate_county(seed=2, n_villages=12)
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_csv(G, d / "nodes.csv", d / "edges.csv")
    >>> H = read_csv(d / "nodes.csv", d / "edges.csv")
    >>> sorted(H.nodes(data=True)) == sorted(G.nodes(data=True))
    True
    """
    G, node_lines = _read_nodes(nodes_path)
    validate_graph(G, path=nodes_path, node_lines=node_lines)
    edge_lines = _read_edges(G, edges_path, Path(nodes_path).name)
    default_lengths(G)
    set_lonlat_origin(G)
    return validate_graph(G, path=edges_path, node_lines=node_lines, edge_lines=edge_lines)


def _read_nodes(nodes_path: str | Path) -> tuple[nx.Graph, dict[str, int]]:
    """The nodes of a node table (positions in km) and the file line of each node."""
    columns, rows = table_rows(nodes_path, ("id", "kind", "population", "town", "name"))
    use_lonlat = not ("x" in columns and "y" in columns)
    if use_lonlat and not ("lon" in columns and "lat" in columns):
        missing = "x" if "x" not in columns else "y"
        raise NetworkError(
            f"missing column {missing!r}",
            path=nodes_path,
            field=missing,
            line=1,
            expected="columns x and y (km), or lon and lat (degrees)",
            found=", ".join(columns),
        )
    G = nx.Graph()
    node_lines: dict[str, int] = {}
    for line, row in rows:
        node = row["id"].strip()
        if not node:
            raise NetworkError("empty node id", path=nodes_path, field="id", line=line)
        if node in node_lines:
            raise NetworkError(
                f"node {node!r} listed twice",
                path=nodes_path,
                field="id",
                line=line,
                expected="unique ids",
                found=f"also on line {node_lines[node]}",
            )
        attrs = _node_attributes(row, columns, nodes_path, line, node, use_lonlat)
        node_lines[node] = line
        G.add_node(node, **attrs)
    if use_lonlat and len(G):
        place_lonlat(G)
    return G, node_lines


def _node_attributes(
    row: dict[str, str], columns: dict[str, type], path: str | Path, line: int, node: str, use_lonlat: bool
) -> dict[str, object]:
    """One node row's typed attributes, with defaults; a village needs a population."""
    attrs = typed_cells(row, columns, ("id",), path=path, line=line, row_id=node)
    attrs.setdefault("town", "")
    attrs.setdefault("name", "")
    if "population" not in attrs:
        if attrs.get("kind") == "village":
            raise NetworkError(
                f"village {node!r} has no population",
                path=path,
                field="population",
                line=line,
                expected="an integer >= 0",
                found="an empty cell",
            )
        attrs["population"] = 0
    for field in ("lon", "lat") if use_lonlat else ("x", "y"):
        if field not in attrs:
            raise NetworkError(
                f"node {node!r}: no {field}",
                path=path,
                field=field,
                line=line,
                expected="a number",
                found="an empty cell",
            )
    return attrs


def _read_edges(G: nx.Graph, edges_path: str | Path, nodes_file: str) -> dict[tuple[str, str], int]:
    """Add the roads of an edge table to ``G``; the file line of each road."""
    columns, rows = table_rows(edges_path, ("source", "target", "road_class"))
    edge_lines: dict[tuple[str, str], int] = {}
    for line, row in rows:
        u, v = row["source"].strip(), row["target"].strip()
        for field, node in (("source", u), ("target", v)):
            if node not in G:
                raise NetworkError(
                    f"edge names an unknown node {node!r}",
                    path=edges_path,
                    field=field,
                    line=line,
                    expected=f"an id from {nodes_file}",
                    found=repr(node),
                )
        if (u, v) in edge_lines or (v, u) in edge_lines:
            first = edge_lines.get((u, v), edge_lines.get((v, u)))
            raise NetworkError(
                f"edge {u!r}-{v!r} listed twice",
                path=edges_path,
                line=line,
                expected="one row per road",
                found=f"also on line {first}",
            )
        attrs = typed_cells(row, columns, ("source", "target"), path=edges_path, line=line, row_id=f"{u}-{v}")
        edge_lines[(u, v)] = line
        G.add_edge(u, v, **attrs)
    return edge_lines


def _columns(items: list[dict], fixed: tuple[str, ...], what: str) -> list[tuple[str, str]]:
    """(attribute, header) pairs: the fixed columns, then the others with a type suffix."""
    seen: dict[str, type] = {}
    for data in items:
        for key, value in data.items():
            kind = type(value)
            if kind not in (int, float, bool, str):
                raise NetworkError(
                    f"{what} attribute {key!r} cannot go in a CSV cell",
                    field=key,
                    expected="int, float, bool or str",
                    found=kind.__name__,
                )
            if seen.setdefault(key, kind) is not kind:
                raise NetworkError(
                    f"{what} attribute {key!r} has mixed types",
                    field=key,
                    expected="one type per attribute",
                    found=f"{seen[key].__name__} and {kind.__name__}",
                )
    pairs = [(c, c) for c in fixed]
    for key in sorted(k for k in seen if k not in fixed):
        known = key in NODE_OPTIONAL and seen[key] is _KNOWN_TYPES.get(key, str)
        pairs.append((key, key if known else f"{key}:{seen[key].__name__}"))
    return pairs


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _write_table(path: str | Path, pairs: list[tuple[str, str]], rows: list[dict]) -> None:
    """One CSV table: a header of ``pairs``' headers, then a row per dict, whole or not at all."""
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([header for _, header in pairs])
        for data in rows:
            writer.writerow([_cell(data.get(key)) for key, _ in pairs])


def write_csv(G: nx.Graph, nodes_path: str | Path, edges_path: str | Path) -> None:
    """Write ``G`` as a node table and an edge table that :func:`read_csv` reads back.

    Attributes beyond the standard columns get a ``NAME:TYPE`` column, so a round trip
    keeps every node and edge attribute with its type.
    """
    nodes = [{"id": str(v), **d} for v, d in G.nodes(data=True)]
    edges = [{"source": str(u), "target": str(v), **d} for u, v, d in G.edges(data=True)]
    _write_table(nodes_path, _columns(nodes, NODE_COLUMNS, "node"), nodes)
    _write_table(edges_path, _columns(edges, EDGE_COLUMNS, "edge"), edges)
