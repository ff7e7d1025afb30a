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
from .routes import feasible, route_arc_cost

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
    """A route under construction with O(1) summaries of its load and timing.

    Load: total delivery ``dl`` and pickup ``pk`` and the peak on-board ``peak`` (per
    dimension, as Python floats). Time: the route without its depot legs as one
    segment ``(dur, early, late)``: entered (arriving at the first stop) at
    ``t <= late``, it is left at ``max(t + dur, early)``. Both concatenate in O(1),
    so a merge is judged and applied without re-walking either route.
    """

    __slots__ = ("nodes", "dl", "pk", "peak", "dur", "early", "late")

    def __init__(self, prep: Prepared, v: int) -> None:
        self.nodes = [v]
        self.dl = prep.delivery[v].tolist()
        self.pk = prep.pickup[v].tolist()
        self.peak = [max(a, b) for a, b in zip(self.dl, self.pk, strict=True)]
        svc = float(prep.service[v])
        self.dur = svc
        self.early = float(prep.ready[v]) + svc
        self.late = float(prep.due[v])


def _joined_time(prep: Prepared, a: _Route, b: _Route) -> tuple[float, float, float] | None:
    """Time segment of ``a`` then ``b``, or None when it breaks a window or the return."""
    tau = float(prep.time[a.nodes[-1], b.nodes[0]])
    if a.early + tau > b.late + EPS:
        return None
    dur = a.dur + tau + b.dur
    early = max(a.early + tau + b.dur, b.early)
    late = min(a.late, b.late - tau - a.dur)
    arrive = prep.start + float(prep.time[0, a.nodes[0]])
    if arrive > late + EPS:
        return None
    if max(arrive + dur, early) + float(prep.time[b.nodes[-1], 0]) > prep.due[0] + EPS:
        return None
    return dur, early, late


def _join(prep: Prepared, a: _Route, b: _Route) -> bool:
    """Append ``b`` to ``a`` when the result is feasible; True if it was."""
    cap = prep.capacity_list
    if prep.has_pickup:
        peak = [max(pa + db, pb + ka) for pa, db, pb, ka in zip(a.peak, b.dl, b.peak, a.pk, strict=True)]
        if any(x > c + EPS for x, c in zip(peak, cap, strict=True)):
            return False
    else:
        peak = [x + y for x, y in zip(a.dl, b.dl, strict=True)]
        if any(x > c + EPS for x, c in zip(peak, cap, strict=True)):
            return False
    if prep.has_tw:
        tm = _joined_time(prep, a, b)
        if tm is None:
            return False
        a.dur, a.early, a.late = tm
    a.peak = peak
    a.dl = [x + y for x, y in zip(a.dl, b.dl, strict=True)]
    a.pk = [x + y for x, y in zip(a.pk, b.pk, strict=True)]
    a.nodes.extend(b.nodes)
    return True


def clarke_wright(prep: Prepared) -> tuple[list[list[int]], list[int]]:
    """Savings routes and the stops that could not be placed on any vehicle."""
    n = prep.n
    alone = prep.alone_ok.tolist()
    stops = [v for v in range(1, n + 1) if alone[v]]
    unserved = [v for v in range(1, n + 1) if not alone[v]]
    route_of: list[_Route | None] = [None] * (n + 1)
    for v in stops:
        route_of[v] = _Route(prep, v)
    reversible = prep.symmetric and not prep.has_tw and not prep.has_pickup
    ii, jj = savings_pairs(prep, directed=not reversible)
    for i, j in zip(ii.tolist(), jj.tolist(), strict=True):
        ra, rb = route_of[i], route_of[j]
        if ra is None or rb is None or ra is rb:
            continue
        a_nodes, b_nodes = ra.nodes, rb.nodes
        if reversible:
            a_first, a_last = a_nodes[0] == i, a_nodes[-1] == i
            b_first, b_last = b_nodes[0] == j, b_nodes[-1] == j
            if not (a_first or a_last) or not (b_first or b_last):
                continue
            if a_first and not a_last:
                a_nodes.reverse()
            if b_last and not b_first:
                b_nodes.reverse()
        elif a_nodes[-1] != i or b_nodes[0] != j:
            continue
        if _join(prep, ra, rb):
            for v in b_nodes:
                route_of[v] = ra
    seen: set[int] = set()
    routes: list[list[int]] = []
    for v in stops:
        r = route_of[v]
        if r is not None and id(r) not in seen:
            seen.add(id(r))
            routes.append(r.nodes)
    return fit_fleet(prep, routes, unserved)


def _may_take(prep: Prepared, route: list[int], v: int, room: np.ndarray) -> bool:
    """Whether ``route`` plus ``v`` may fit: its deliveries (on board at departure) and its
    pickups (on board at the return) each within ``room``. A necessary condition of every
    insertion position, so a route that fails it is skipped without trying them."""
    if (prep.delivery[route].sum(axis=0) + prep.delivery[v] > room).any():
        return False
    return not (prep.has_pickup and (prep.pickup[route].sum(axis=0) + prep.pickup[v] > room).any())


def cheapest_insertion(prep: Prepared, routes: list[list[int]], v: int) -> tuple[float, int, int]:
    """Cheapest feasible (extra cost, route, position) to insert ``v``; route -1 if none."""
    best = (np.inf, -1, -1)
    c = prep.arc
    room = prep.capacity + EPS
    for k, r in enumerate(routes):
        if not _may_take(prep, r, v, room):
            continue
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
    """Dissolve the cheapest-to-lose routes until at most ``n_vehicles`` remain.

    Each pass removes one route and inserts its stops into the others (never into a new
    route), so ``len(routes) - n_vehicles`` passes are the bound."""
    routes = [r for r in routes if r]
    for _ in range(max(0, len(routes) - prep.n_vehicles)):
        k = min(range(len(routes)), key=lambda i: (len(routes[i]), route_arc_cost(prep, routes[i])))
        gone = routes.pop(k)
        for v in sorted(gone, key=lambda x: -float(prep.delivery[x].sum())):
            _, rk, pos = cheapest_insertion(prep, routes, v)
            if rk < 0:
                unserved.append(v)
            else:
                routes[rk].insert(pos, v)
    return routes, sorted(unserved)
