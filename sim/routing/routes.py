"""Per-route feasibility and timing helpers on plain Python lists.

The construction and the fast local search work on a few routes of a few stops; for
them a short loop over a route is cheaper than any array set-up. These helpers give
each route's load profile summary and its earliest / latest service-start times,
which make a merge or a splice checkable in O(1).
"""

from __future__ import annotations

import numpy as np

from .problem import EPS, Prepared


def forward_times(prep: Prepared, route: list[int]) -> list[float]:
    """Earliest service start at each stop (waiting when early), depot departure first.

    Returns ``len(route) + 2`` values: departure, each stop, and the return time. Runs on
    the Python row lists of `Prepared` (the same IEEE arithmetic as the arrays, without
    a numpy scalar per stop).
    """
    t = prep.start
    out = [t]
    prev = 0
    time = prep.time_rows
    svc = prep.service_list
    ready = prep.ready_list
    for v in route:
        t = t + svc[prev] + time[prev][v]
        if t < ready[v]:
            t = ready[v]
        out.append(t)
        prev = v
    out.append(t + svc[prev] + time[prev][0])
    return out


def time_feasible(prep: Prepared, route: list[int]) -> bool:
    """True when every stop starts within its window and the vehicle returns in time."""
    if not prep.has_tw:
        return True
    t = forward_times(prep, route)
    due = prep.due_list
    for k, v in enumerate(route, start=1):
        if t[k] > due[v] + EPS:
            return False
    return t[-1] <= due[0] + EPS


def load_summary(prep: Prepared, route: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(total delivery, total pickup, peak load) of a route, each a ``(d,)`` vector."""
    if not route:
        z = np.zeros(prep.d)
        return z, z.copy(), z.copy()
    idx = np.asarray(route)
    dl = prep.delivery[idx]
    tot_d = dl.sum(axis=0)
    if not prep.has_pickup:
        return tot_d, np.zeros(prep.d), tot_d.copy()
    pk = prep.pickup[idx]
    prof = tot_d + np.cumsum(pk - dl, axis=0)
    peak = np.maximum(tot_d, prof.max(axis=0))
    return tot_d, pk.sum(axis=0), peak


def load_feasible(prep: Prepared, route: list[int]) -> bool:
    """True when the load stays within capacity on every dimension along the route.

    Plain Python on the row lists: a daily route has a handful of stops and a few
    dimensions, where a loop beats any array set-up. The on-board load after stop k is
    the total delivery plus the running sum of ``pickup - delivery``, accumulated in the
    same order as `load_summary`'s cumulative sum.
    """
    if not route:
        return True
    dl_rows = prep.delivery_rows
    room = prep.room_list
    for k, cap in enumerate(room):
        total = 0.0
        for v in route:
            total += dl_rows[v][k]
        if total > cap:
            return False
    if not prep.has_pickup:
        return True
    pk_rows = prep.pickup_rows
    for k, cap in enumerate(room):
        total = 0.0
        for v in route:
            total += dl_rows[v][k]
        run = 0.0
        for v in route:
            run += pk_rows[v][k] - dl_rows[v][k]
            if total + run > cap:
                return False
    return True


def feasible(prep: Prepared, route: list[int]) -> bool:
    """Capacity and time feasibility of one route."""
    return load_feasible(prep, route) and time_feasible(prep, route)


def route_arc_cost(prep: Prepared, route: list[int]) -> float:
    """Search cost of one route (arc costs depot to depot, plus the per-route cost)."""
    if not route:
        return 0.0
    nodes = np.asarray([0, *route, 0])
    return float(prep.arc[nodes[:-1], nodes[1:]].sum()) + prep.cost_per_route
