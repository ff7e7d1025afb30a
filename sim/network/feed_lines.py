"""A GTFS feed's bus lines placed on a county network, with how far each stop was moved.

``ruralsim network from-gtfs`` (:mod:`sim.cli.network`) reads the feed with
:func:`sim.network.gtfs.read_gtfs` on the network, exactly as a scenario's ``[bus.gtfs]``
section will, lists each used stop with the node it took and the distance, and writes the
section to paste (:func:`gtfs_section`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np

from sim.network.geography import project_lonlat
from sim.network.gtfs import BusTimetable, read_gtfs
from sim.network.gtfs_feed import load_schedule


@dataclass(frozen=True)
class StopSnap:
    """A GTFS stop of the selected lines, the node it is placed on and how far that is (km)."""

    stop_id: str
    stop_name: str
    node: str
    km: float


def place_feed(
    feed: str | Path,
    graph: nx.Graph,
    *,
    route_ids: Sequence[str] | None = None,
    tolerance_km: float = 0.5,
    service_date: str | None = None,
) -> tuple[list[BusTimetable], list[StopSnap]]:
    """The feed's lines on ``graph`` (as a scenario reads them) and every used stop's snap.

    Raises :class:`~sim.network.gtfs.GtfsError` (a stop with no node near enough is one
    error naming the tolerance that would place it).
    """
    lines = read_gtfs(
        feed, graph=graph, tolerance_km=tolerance_km, service_date=service_date, route_ids=route_ids
    )
    sched = load_schedule(feed, route_ids)
    index = {s: k for k, s in enumerate(sched.stop_ids)}
    node_of = {s: n for line in lines for s, n in zip(line.gtfs_stop_ids, line.stops, strict=True)}
    stops = sorted(node_of)
    k = np.array([index[s] for s in stops], dtype=np.int64)
    lon0, lat0 = graph.graph.get("lon0", math.nan), graph.graph.get("lat0", math.nan)
    sx, sy = project_lonlat(sched.lon[k], sched.lat[k], lon0, lat0)  # NaN: every stop was mapped
    snaps = []
    for i, stop in enumerate(stops):
        node = graph.nodes[node_of[stop]]
        km = math.hypot(float(sx[i]) - node["x"], float(sy[i]) - node["y"])
        snaps.append(StopSnap(stop, sched.stop_names[k[i]], node_of[stop], km))
    return lines, snaps


def gtfs_section(
    feed_text: str, route_ids: Sequence[str] | None, tolerance_km: float, service_date: str
) -> str:
    """The ``[bus.gtfs]`` TOML section that reads the feed as :func:`place_feed` did."""
    out = ["[bus.gtfs]", f"path = {_toml_string(feed_text)}"]
    if route_ids:
        out.append("route_ids = [" + ", ".join(_toml_string(r) for r in route_ids) + "]")
    out.append(f"tolerance_km = {tolerance_km:g}")
    out.append(f"service_date = {_toml_string(service_date)}")
    return "\n".join(out) + "\n"


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
