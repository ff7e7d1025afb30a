"""Travel-time and distance matrices between the nodes that matter.

The routing layer never sees the graph: it sees a :class:`TravelMatrices` over a subset
of nodes (hub, stations, villages, farms, POIs), computed once per scenario by one
vectorised ``scipy.sparse.csgraph.dijkstra`` call from all sources at once.

``minutes`` is the travel time along the fastest path; ``km`` is the length of *that
same* path (not of the shortest-distance path), recovered from Dijkstra's predecessor
tree by pointer jumping, so that cost and emissions per km match the time driven.

>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_edge("a", "b", length_km=10.0, speed_kmh=60.0)
>>> G.add_edge("b", "c", length_km=5.0, speed_kmh=30.0)
>>> m = travel_matrices(G, ["a", "c"])
>>> float(m.minutes[0, 1]), float(m.km[0, 1])
(20.0, 15.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components, dijkstra

from sim.network.contract import NetworkError
from sim.units import MINUTES_PER_HOUR


@dataclass(frozen=True)
class TravelMatrices:
    """Travel minutes and km between ``nodes``; ``index`` maps a node id to its row."""

    nodes: tuple[str, ...]
    index: dict[str, int]
    minutes: np.ndarray  # (k, k) float64, fastest-path travel time
    km: np.ndarray  # (k, k) float64, length of that fastest path

    def __len__(self) -> int:
        return len(self.nodes)

    def rows(self, ids: Sequence[str]) -> np.ndarray:
        """Row indices of ``ids`` (an int array), for fancy indexing the matrices."""
        return np.fromiter((self.index[i] for i in ids), dtype=np.int64, count=len(ids))


def _edge_arrays(
    G: nx.Graph, order: dict[str, int], speed_factor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Both directions of every edge: source, target, minutes, km."""
    m = G.number_of_edges()
    src = np.empty(m, dtype=np.int64)
    dst = np.empty(m, dtype=np.int64)
    km = np.empty(m, dtype=np.float64)
    speed = np.empty(m, dtype=np.float64)
    for e, (u, v, data) in enumerate(G.edges(data=True)):
        src[e], dst[e] = order[u], order[v]
        km[e] = data["length_km"]
        speed[e] = data["speed_kmh"]
    if m and (not np.all(km > 0) or not np.all(speed > 0)):
        bad = int(np.flatnonzero(~((km > 0) & (speed > 0)))[0])
        u, v = list(G.edges())[bad]
        raise NetworkError(
            f"edge {u!r}-{v!r} has a non-positive length or speed",
            field="length_km/speed_kmh",
            expected="numbers > 0",
            found=f"{km[bad]} km at {speed[bad]} km/h",
        )
    minutes = km / (speed * speed_factor) * MINUTES_PER_HOUR
    keep = src != dst
    src, dst, minutes, km = src[keep], dst[keep], minutes[keep], km[keep]
    return (
        np.concatenate([src, dst]),
        np.concatenate([dst, src]),
        np.concatenate([minutes, minutes]),
        np.concatenate([km, km]),
    )


def _check_reachable(n: int, src: np.ndarray, dst: np.ndarray, ids: list[str], sources: np.ndarray):
    """Raise NetworkError naming the requested nodes outside the main component."""
    graph = csr_array((np.ones(len(src)), (src, dst)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    requested = labels[sources]
    if np.all(requested == requested[0]):
        return
    values, counts = np.unique(requested, return_counts=True)
    main = values[np.argmax(counts)]  # the largest group; ties go to the lowest label
    anchor = ids[int(sources[np.flatnonzero(requested == main)[0]])]
    lost = [ids[int(s)] for s in sources[requested != main]]
    shown = ", ".join(lost[:20]) + (f" and {len(lost) - 20} more" if len(lost) > 20 else "")
    raise NetworkError(
        f"{len(lost)} node(s) unreachable by road from {anchor!r}: {shown}",
        field="nodes",
        expected="every node reachable from every other",
        found=f"unreachable: {shown}",
    )


_BLOCK = 4_000_000


def _tree_km(pred: np.ndarray, keys: np.ndarray, km_sorted: np.ndarray) -> np.ndarray:
    """km from each source (row) to every node along its shortest-path tree ``pred``.

    The km of the edge into each node is looked up among the sorted edge keys
    ``source * n + target``; the km to the root is then summed by pointer jumping
    (log2 of the tree depth rounds, each one array operation over all rows).
    """
    k, n = pred.shape
    rows = np.arange(k)[:, None]
    own = np.arange(n)[None, :]
    has_pred = pred >= 0
    # The root and unreached nodes point to themselves with 0 km, so sums stop there.
    parent = np.where(has_pred, pred, own)
    pos = np.clip(np.searchsorted(keys, parent * n + own), 0, max(len(keys) - 1, 0))
    step = np.where(has_pred, km_sorted[pos], 0.0) if len(keys) else np.zeros((k, n))
    # Invariant: step[s, v] is the km from v up to parent[s, v].
    while True:
        grand = parent[rows, parent]
        if np.array_equal(grand, parent):
            return step
        step = step + step[rows, parent]
        parent = grand


def _node_index(G: nx.Graph, nodes: tuple[str, ...]) -> dict[str, int]:
    """Row of each requested node; every node must be in ``G`` and listed once."""
    missing = [v for v in nodes if v not in G]
    if missing:
        raise NetworkError(
            f"{len(missing)} node(s) not in the graph: {', '.join(map(str, missing[:20]))}",
            field="nodes",
            expected="ids of graph nodes",
            found=", ".join(map(repr, missing[:20])),
        )
    index = {v: i for i, v in enumerate(nodes)}
    if len(index) != len(nodes):
        dup = sorted({v for v in nodes if nodes.count(v) > 1})
        raise NetworkError("node listed twice", field="nodes", expected="distinct ids", found=", ".join(dup))
    return index


def travel_matrices(G: nx.Graph, nodes: Sequence[str], *, speed_factor: float = 1.0) -> TravelMatrices:
    """Fastest-path minutes and the km of that path between every pair of ``nodes``.

    Edge time is ``length_km / (speed_kmh * speed_factor) * 60``. Raises
    :class:`NetworkError` if a node is not in ``G``, is listed twice, or cannot be
    reached from the others (naming the unreachable ids).

    >>> from sim.network.county import generate_county
    >>> G = generate_county(seed=0, n_villages=20)
    >>> m = travel_matrices(G, ["hub", "st_baima"])
    >>> bool(m.minutes[0, 1] == m.minutes[1, 0] > 0)
    True
    """
    if not speed_factor > 0:
        raise NetworkError("bad speed factor", field="speed_factor", expected="> 0", found=repr(speed_factor))
    nodes = tuple(nodes)
    index = _node_index(G, nodes)
    k = len(nodes)
    if k == 0:
        empty = np.zeros((0, 0))
        return TravelMatrices(nodes, index, empty, empty.copy())

    ids = list(G.nodes())
    order = {v: i for i, v in enumerate(ids)}
    n = len(ids)
    src, dst, minutes, km = _edge_arrays(G, order, speed_factor)
    sources = np.fromiter((order[v] for v in nodes), dtype=np.int64, count=k)
    _check_reachable(n, src, dst, ids, sources)

    time_graph = csr_array((minutes, (src, dst)), shape=(n, n))
    keys = src * n + dst
    sort = np.argsort(keys, kind="stable")
    keys, km_sorted = keys[sort], km[sort]
    # One Dijkstra call over all sources; in blocks only when k x n would exceed
    # _BLOCK entries (thousands of villages), to bound memory.
    block = max(1, _BLOCK // max(n, 1))
    minutes_matrix = np.empty((k, k))
    km_matrix = np.empty((k, k))
    for lo in range(0, k, block):
        chunk = sources[lo : lo + block]
        dist, pred = dijkstra(time_graph, directed=True, indices=chunk, return_predecessors=True)
        minutes_matrix[lo : lo + block] = dist[:, sources]
        km_matrix[lo : lo + block] = _tree_km(pred, keys, km_sorted)[:, sources]
    # Roads are two-way: i->j and j->i are the same path, summed in another order
    # (differences ~1e-14). Make the matrices exactly symmetric for the routing layer.
    minutes_matrix = (minutes_matrix + minutes_matrix.T) / 2.0
    km_matrix = (km_matrix + km_matrix.T) / 2.0
    np.fill_diagonal(km_matrix, 0.0)
    np.fill_diagonal(minutes_matrix, 0.0)
    return TravelMatrices(nodes, index, minutes_matrix, km_matrix)


def nodes_of_kind(G: nx.Graph, kind: str) -> list[str]:
    """Ids of the nodes of ``kind``, sorted.

    >>> from sim.network.county import generate_county
    >>> nodes_of_kind(generate_county(), "county_hub")
    ['hub']
    """
    return sorted(v for v, k in G.nodes(data="kind") if k == kind)


def villages_by_town(G: nx.Graph) -> dict[str, list[str]]:
    """Village ids grouped by town; towns and ids sorted."""
    groups: dict[str, list[str]] = {}
    for v, data in G.nodes(data=True):
        if data.get("kind") == "village":
            groups.setdefault(data.get("town", ""), []).append(v)
    return {town: sorted(ids) for town, ids in sorted(groups.items())}
