"""Descent over the vectorised neighbourhoods: relocate, or-opt, swap, 2-opt*, 2-opt.

One round builds a `Tour`, evaluates every neighbourhood as arrays of deltas
(`moves.py`), and applies the improving feasible moves best first, skipping any
that touch a route an earlier move of the round already changed: moves on disjoint
routes are independent, so their deltas and feasibility stay exact, and one round
applies many moves for the price of one evaluation. Routes that changed are then
re-optimised by intra-route 2-opt. Rounds repeat until nothing improves.

``neighbours=None`` evaluates every pair of positions (the fast mode, a few dozen
stops); ``neighbours=k`` restricts candidates to moves that create an arc to one of
the ``k`` nearest neighbours of a stop (granular neighbourhoods, for large problems
inside the metaheuristic).
"""

from __future__ import annotations

import numpy as np

from .local_search import two_opt_route
from .moves import apply_exchange, apply_two_opt_star, exchange, two_opt_star
from .problem import Prepared
from .tour import Segments, Tour

# Lengths of the runs of stops moved or exchanged (1: relocate / swap, 2-3: or-opt).
RUN_LENGTHS = (1, 2, 3)


def _full(s1: Segments, s2: Segments) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(s1.pre.size)[:, None], np.arange(s2.pre.size)[None, :]


def _index_by_pre(t: Tour, s: Segments) -> np.ndarray:
    out = np.full(t.n_pos + 1, -1, dtype=np.int64)
    out[s.pre] = np.arange(s.pre.size)
    return out


def _granular(
    t: Tour, s1: Segments, s2: Segments, nb: np.ndarray, star: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs whose move creates an arc from a stop to one of its neighbours."""
    k = nb.shape[1]
    n_pos = t.n_pos
    pos_of = np.full(t.prep.n + 1, n_pos, dtype=np.int64)
    stops = t.x != 0
    pos_of[t.x[stops]] = np.nonzero(stops)[0]
    idx1 = _index_by_pre(t, s1)
    if star:  # new arc x[pre_i] -> w, i.e. w = x[post_j]
        i = np.repeat(np.arange(s1.pre.size), k)
        j = idx1[pos_of[nb[s1.first, :].reshape(-1)] - 1]
        ok = (j >= 0) & (s1.first[i] != 0)
        i, j = i[ok], j[ok]
        swap = s1.rid[i] > s1.rid[j]
        return np.where(swap, j, i), np.where(swap, i, j)
    j = np.repeat(np.arange(s2.pre.size), k)
    w_first = pos_of[nb[s2.first, :].reshape(-1)]
    w_last = pos_of[nb[s2.last, :].reshape(-1)]
    if s1.edges:  # the run goes right after w, or right before w
        cand = np.concatenate((w_first, w_last - 1))
    else:  # the other run starts right after w, or ends right before w
        cand = np.concatenate((w_first + 1, w_last - 1))
    i = idx1[np.minimum(cand, n_pos)]
    j = np.concatenate((j, j))
    ok = i >= 0
    i, j = i[ok], j[ok]
    if not s1.edges:
        swap = s1.rid[i] > s2.rid[j]
        i, j = np.where(swap, j, i), np.where(swap, i, j)
    return i, j


def _round(t: Tour, nb: np.ndarray | None) -> dict[int, list[int]]:
    """Evaluate all neighbourhoods once; apply the best improving moves on disjoint routes."""
    edges = t.edges()
    runs = t.runs(RUN_LENGTHS)
    tables = ((edges, runs), (runs, runs), (edges, edges))
    found = []
    for kind, (s1, s2) in enumerate(tables):
        if nb is None:
            ij = _full(s1, s2)
        else:
            ij = _granular(t, s1, s2, nb, star=kind == 2)
        if kind == 2:
            d, i, j = two_opt_star(t, s1, *ij)
        else:
            d, i, j = exchange(t, s1, s2, *ij)
        if d.size:
            found.append((d, np.full(d.size, kind), i, j))
    if not found:
        return {}
    deltas, kinds, ii, jj = (np.concatenate(f) for f in zip(*found, strict=True))
    touched: set[int] = set()
    new: dict[int, list[int]] = {}
    for k in np.argsort(deltas, kind="stable").tolist():
        kind, i, j = int(kinds[k]), int(ii[k]), int(jj[k])
        s1, s2 = tables[kind]
        ra, rb = int(s1.rid[i]), int(s2.rid[j])
        if ra in touched or rb in touched:
            continue
        if kind == 2:
            new.update(apply_two_opt_star(t, s1, i, j))
        else:
            new.update(apply_exchange(t, s1, s2, i, j))
        touched.update((ra, rb))
    return new


def improve(
    prep: Prepared,
    routes: list[list[int]],
    *,
    max_rounds: int = 100,
    neighbours: int | None = None,
) -> list[list[int]]:
    """Apply improving inter- and intra-route moves until none is left (or ``max_rounds``)."""
    routes = [list(r) for r in routes if r]
    if not routes or (len(routes) == 1 and len(routes[0]) == 1):
        return routes  # a lone stop on a lone route: no move changes anything
    nb = None
    if neighbours is not None and prep.n > neighbours:
        nb = prep.neighbours[:, 1 : neighbours + 1]
    for _ in range(max_rounds):
        t = Tour(prep, routes, spare=len(routes) < prep.n_vehicles)
        new = _round(t, nb)
        if not new:
            break
        for r, stops in new.items():
            if len(stops) > 2:
                stops = two_opt_route(prep, stops)[0]
            t.routes[r] = stops
        routes = [r for r in t.routes if r]
    return routes
