"""Clarke-Wright savings construction with a vectorised savings matrix.

The savings ``s_ij = c_i0 + c_0j - c_ij`` of all candidate pairs are computed in one
array expression and sorted once; the merge loop then only tests O(1) conditions per
pair (route ends, a load summary, the departure time at one end against the latest
start at the other), so the loop stays cheap even for a thousand stops.

Routes are merged end-to-start ("A then B"); for symmetric problems without time
windows or pickups a route may also be reversed, which is the classic parallel
savings algorithm. If more routes remain than vehicles, the smallest routes are
dissolved and their stops inserted elsewhere or reported unserved.
"""

from __future__ import annotations

import numpy as np

from .problem import EPS, Prepared
from .routes import feasible, forward_times, latest_starts, load_summary, route_arc_cost

# Above this many stops only the nearest neighbours of each stop are savings candidates.
_DENSE_LIMIT = 250
_NEIGHBOURS = 40


def savings_pairs(prep: Prepared, directed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i, j) sorted by decreasing saving, computed as arrays."""
    n = prep.n
    c = prep.arc
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if n <= _DENSE_LIMIT:
        s = c[1:, 0][:, None] + c[0, 1:][None, :] - c[1:, 1:]
        ii, jj = np.nonzero(~np.eye(n, dtype=bool) if directed else np.triu(np.ones((n, n), bool), 1))
        vals = s[ii, jj]
        ii = ii + 1
        jj = jj + 1
    else:
        k = min(_NEIGHBOURS, n - 1)
        sub = c[1:, 1:] + np.diag(np.full(n, np.inf))
        nb = np.argpartition(sub, k, axis=1)[:, :k]
        ii = np.repeat(np.arange(1, n + 1), k)
        jj = nb.reshape(-1) + 1
        if not directed:
            lo, hi = np.minimum(ii, jj), np.maximum(ii, jj)
            key = np.unique(lo * (n + 1) + hi)
            ii, jj = key // (n + 1), key % (n + 1)
        vals = c[ii, 0] + c[0, jj] - c[ii, jj]
    # Stable sort on (-saving, i, j) keeps the construction deterministic.
    order = np.lexsort((jj, ii, -vals))
    keep = vals[order] > -prep.cost_per_route - EPS
    order = order[keep]
    return ii[order], jj[order]


class _Route:
    __slots__ = ("nodes", "dl", "pk", "peak", "depart_last", "late_first")

    def __init__(self, prep: Prepared, nodes: list[int]) -> None:
        self.nodes = nodes
        self.refresh(prep)

    def refresh(self, prep: Prepared) -> None:
        self.dl, self.pk, self.peak = load_summary(prep, self.nodes)
        if prep.has_tw:
            ft = forward_times(prep, self.nodes)
            self.depart_last = ft[-2] + prep.service[self.nodes[-1]]
            self.late_first = latest_starts(prep, self.nodes)[1]
        else:
            self.depart_last = 0.0
            self.late_first = np.inf


def _can_join(prep: Prepared, a: _Route, b: _Route) -> bool:
    """Whether route ``a`` followed by route ``b`` is feasible (O(d) work)."""
    cap = prep.capacity + EPS
    if prep.has_pickup:
        if np.any(a.peak + b.dl > cap) or np.any(a.pk + b.peak > cap):
            return False
    elif np.any(a.dl + b.dl > cap):
        return False
    if prep.has_tw:
        i, j = a.nodes[-1], b.nodes[0]
        arrive = max(a.depart_last + prep.time[i, j], prep.ready[j])
        if arrive > b.late_first + EPS:
            return False
    return True


def clarke_wright(prep: Prepared) -> tuple[list[list[int]], list[int]]:
    """Savings routes and the stops that could not be placed on any vehicle."""
    n = prep.n
    stops = [v for v in range(1, n + 1) if prep.alone_ok[v]]
    unserved = [v for v in range(1, n + 1) if not prep.alone_ok[v]]
    route_of: list[_Route | None] = [None] * (n + 1)
    for v in stops:
        route_of[v] = _Route(prep, [v])
    reversible = prep.symmetric and not prep.has_tw and not prep.has_pickup
    ii, jj = savings_pairs(prep, directed=not reversible)
    for i, j in zip(ii.tolist(), jj.tolist(), strict=True):
        ra, rb = route_of[i], route_of[j]
        if ra is None or rb is None or ra is rb:
            continue
        a_first, a_last = ra.nodes[0] == i, ra.nodes[-1] == i
        b_first, b_last = rb.nodes[0] == j, rb.nodes[-1] == j
        if reversible:
            if not (a_first or a_last) or not (b_first or b_last):
                continue
            if a_first and not a_last:
                ra.nodes.reverse()
            if b_last and not b_first:
                rb.nodes.reverse()
        elif not (a_last and b_first):
            continue
        if not _can_join(prep, ra, rb):
            continue
        ra.nodes.extend(rb.nodes)
        for v in rb.nodes:
            route_of[v] = ra
        ra.refresh(prep)
    seen: set[int] = set()
    routes: list[list[int]] = []
    for v in stops:
        r = route_of[v]
        if r is not None and id(r) not in seen:
            seen.add(id(r))
            routes.append(r.nodes)
    return fit_fleet(prep, routes, unserved)


def cheapest_insertion(prep: Prepared, routes: list[list[int]], v: int) -> tuple[float, int, int]:
    """Cheapest feasible (extra cost, route, position) to insert ``v``; route -1 if none."""
    best = (np.inf, -1, -1)
    c = prep.arc
    for k, r in enumerate(routes):
        nodes = [0, *r, 0]
        a = np.asarray(nodes[:-1])
        b = np.asarray(nodes[1:])
        delta = c[a, v] + c[v, b] - c[a, b]
        for pos in np.argsort(delta, kind="stable").tolist():
            if delta[pos] >= best[0]:
                break
            cand = r[:pos] + [v] + r[pos:]
            if feasible(prep, cand):
                best = (float(delta[pos]), k, pos)
                break
    return best


def fit_fleet(
    prep: Prepared, routes: list[list[int]], unserved: list[int]
) -> tuple[list[list[int]], list[int]]:
    """Dissolve the cheapest-to-lose routes until at most ``n_vehicles`` remain."""
    routes = [r for r in routes if r]
    while len(routes) > prep.n_vehicles:
        k = min(range(len(routes)), key=lambda i: (len(routes[i]), route_arc_cost(prep, routes[i])))
        gone = routes.pop(k)
        for v in sorted(gone, key=lambda x: -float(prep.delivery[x].sum())):
            _, rk, pos = cheapest_insertion(prep, routes, v)
            if rk < 0:
                unserved.append(v)
            else:
                routes[rk].insert(pos, v)
    return routes, sorted(unserved)
