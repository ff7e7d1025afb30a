"""Geography: degrees of longitude and latitude to the network's km frame.

The one place of the network package that knows the Earth's size. The GTFS importer and
the CSV reader both place lon/lat points with :func:`project_lonlat`; both file readers
fill in missing road lengths (:func:`default_lengths`) and keep the origin of a graph's
km frame (:func:`set_lonlat_origin`, :func:`place_lonlat`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx
import numpy as np

from sim.network.contract import DEFAULT_DETOUR

#: Mean Earth radius (km) used by the equirectangular projection.
EARTH_RADIUS_KM = 6371.0088


def project_lonlat(
    lon: Sequence[float] | np.ndarray, lat: Sequence[float] | np.ndarray, lon0: float, lat0: float
) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection of degrees to km east/north of (lon0, lat0); vectorised.

    Good to a fraction of a percent over a county (tens of km), which is all the network
    needs; not for continents or feeds crossing the antimeridian.

    >>> x, y = project_lonlat([119.1, 119.0], [31.6, 31.7], 119.0, 31.6)
    >>> round(float(x[0]), 2), round(float(y[1]), 2)
    (9.47, 11.12)
    """
    k = np.pi / 180.0 * EARTH_RADIUS_KM
    x = (np.asarray(lon, dtype=float) - lon0) * k * np.cos(np.radians(lat0))
    return x, (np.asarray(lat, dtype=float) - lat0) * k


#: x/y given beside lon/lat are taken as their projection around a derived origin when they
#: agree with it this closely (km), so that GTFS stops can be placed on the graph.
ORIGIN_FIT_KM = 0.05


def default_lengths(G: nx.Graph) -> None:
    """A road without ``length_km`` is the straight line between its ends x DEFAULT_DETOUR.

    Ends without numeric x/y are left to the contract to name.
    """
    for u, v, data in G.edges(data=True):
        a, b = G.nodes[u], G.nodes[v]
        if "length_km" in data or not all(_is_number(n.get(k)) for n in (a, b) for k in ("x", "y")):
            continue
        data["length_km"] = math.hypot(a["x"] - b["x"], a["y"] - b["y"]) * DEFAULT_DETOUR


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def set_lonlat_origin(G: nx.Graph) -> None:
    """Keep ``graph["lon0"]``, ``["lat0"]``: the origin around which x/y project the nodes' lon/lat.

    Derived (least squares) where every node has numeric x, y, lon and lat and they agree with
    :func:`project_lonlat` around it within :data:`ORIGIN_FIT_KM`; otherwise left unset.
    """
    if "lon0" in G.graph and "lat0" in G.graph:
        return
    nodes = [d for _, d in G.nodes(data=True)]
    if not nodes or not all(_is_number(d.get(k)) for d in nodes for k in ("x", "y", "lon", "lat")):
        return
    lon, lat, x, y = ([float(d[k]) for d in nodes] for k in ("lon", "lat", "x", "y"))
    km_per_deg = math.pi / 180.0 * EARTH_RADIUS_KM
    lat0 = sum(b - yk / km_per_deg for b, yk in zip(lat, y, strict=True)) / len(nodes)
    cos0 = math.cos(math.radians(lat0))
    if cos0 <= 0:
        return
    lon0 = sum(a - xk / (km_per_deg * cos0) for a, xk in zip(lon, x, strict=True)) / len(nodes)
    px, py = project_lonlat(lon, lat, lon0, lat0)
    misfit = max(max(abs(px - x)), max(abs(py - y)))
    if misfit <= ORIGIN_FIT_KM:
        G.graph["lon0"], G.graph["lat0"] = lon0, lat0


def place_lonlat(G: nx.Graph) -> None:
    """Set x, y (km) of every node from its lon/lat, around the mean lon/lat of the file."""
    lon0 = sum(d["lon"] for _, d in G.nodes(data=True)) / len(G)
    lat0 = sum(d["lat"] for _, d in G.nodes(data=True)) / len(G)
    data = [d for _, d in G.nodes(data=True)]
    x, y = project_lonlat([d["lon"] for d in data], [d["lat"] for d in data], lon0, lat0)
    for d, xk, yk in zip(data, x.tolist(), y.tolist(), strict=True):
        d["x"], d["y"] = xk, yk
    G.graph["lon0"], G.graph["lat0"] = lon0, lat0
