"""Objective evaluation and the independent feasibility checker.

`evaluate` is the exact objective of a set of routes (timed by
:func:`~sim.routing.timing.schedule`). `check_solution` is deliberately written as
plain loops over stops, independently of the solver's vectorised incremental checks,
so that the tests compare two implementations rather than one with itself.
"""

from __future__ import annotations

from math import isfinite

import numpy as np

from .problem import EPS, Prepared, RoutingProblem, RoutingSolution
from .timing import route_distance, schedule


def evaluate(problem: RoutingProblem, routes: list[np.ndarray], unserved: np.ndarray) -> tuple[float, float]:
    """Total km and objective of a set of routes (exact: includes waiting time)."""
    km = 0.0
    minutes = 0.0
    used = 0
    for r in routes:
        if len(r) == 0:
            continue
        used += 1
        km += route_distance(problem, r)
        if problem.cost_per_min:
            minutes += schedule(problem, r)[2] - problem.start_min
    prep_pen = _penalty(problem, unserved)
    cost = problem.cost_per_km * km + problem.cost_per_min * minutes
    cost += problem.cost_per_route * used + prep_pen
    return km, float(cost)


def _penalty(problem: RoutingProblem, unserved: np.ndarray) -> float:
    if problem.unserved_penalty is None:
        return 0.0
    u = np.asarray(unserved, dtype=np.int64)
    pen = np.broadcast_to(np.asarray(problem.unserved_penalty, float), (problem.n_stops + 1,))
    return float(pen[u].sum())


def _coverage_problems(n: int, routes: list[np.ndarray], unserved: np.ndarray) -> list[str]:
    """Every stop 1..n exactly once, in a route or in ``unserved``; nothing else there."""
    out: list[str] = []
    seen = np.zeros(n + 1, dtype=np.int64)
    for k, r in enumerate(routes):
        for v in r.tolist():
            if v < 1 or v > n:
                out.append(f"route {k}: node {v} is not a stop (valid 1..{n})")
            else:
                seen[v] += 1
    for v in np.asarray(unserved, dtype=np.int64).reshape(-1).tolist():
        if v < 1 or v > n:
            out.append(f"unserved: node {v} is not a stop")
        else:
            seen[v] += 1
    for v in range(1, n + 1):
        if seen[v] == 0:
            out.append(f"stop {v} is neither served nor reported unserved")
        elif seen[v] > 1:
            out.append(f"stop {v} appears {seen[v]} times")
    return out


def check_solution(problem: RoutingProblem, solution: RoutingSolution) -> list[str]:
    """All constraint violations of ``solution`` as readable strings (empty = feasible).

    Checks, with explicit loops: every stop 1..n appears exactly once in the routes or
    in ``unserved``; at most ``n_vehicles`` non-empty routes; the load on every
    dimension stays within capacity at departure and after every stop (a vehicle
    leaves with all its route's deliveries, drops them and loads pickups as it goes);
    service starts within each stop's window after any waiting; the vehicle returns
    before the depot closes and within ``max_duration_min``.
    """
    prep = Prepared(problem)
    n = prep.n
    routes = [np.asarray(r, dtype=np.int64).reshape(-1) for r in solution.routes]
    out = _coverage_problems(n, routes, solution.unserved)
    used = sum(1 for r in routes if len(r) > 0)
    if used > problem.n_vehicles:
        out.append(f"{used} routes but only {problem.n_vehicles} vehicles")
    cap = prep.capacity
    tmax = float(problem.max_duration_min)
    due0 = float(problem.due_min[0]) if problem.due_min is not None else float("inf")
    for k, r in enumerate(routes):
        if len(r) == 0 or np.any((r < 1) | (r > n)):
            continue
        load = [float(sum(prep.delivery[v, j] for v in r.tolist())) for j in range(prep.d)]
        for j in range(prep.d):
            if load[j] > cap[j] + EPS:
                out.append(f"route {k}: departs with load {load[j]:g} > capacity {cap[j]:g} (dim {j})")
        t = prep.start
        prev = 0
        for v in r.tolist():
            t += (prep.service[prev] if prev else 0.0) + prep.time[prev, v]
            if problem.ready_min is not None:
                t = max(t, float(problem.ready_min[v]))
            if problem.due_min is not None and t > float(problem.due_min[v]) + EPS:
                out.append(f"route {k}: stop {v} starts at {t:.2f} after due {problem.due_min[v]:g}")
            for j in range(prep.d):
                load[j] += prep.pickup[v, j] - prep.delivery[v, j]
                if load[j] > cap[j] + EPS:
                    out.append(f"route {k}: load {load[j]:g} > capacity {cap[j]:g} after stop {v} (dim {j})")
            prev = v
        t += prep.service[prev] + prep.time[prev, 0]
        if isfinite(due0) and t > due0 + EPS:
            out.append(f"route {k}: returns at {t:.2f} after depot closes at {due0:g}")
        if isfinite(tmax) and t - prep.start > tmax + EPS:
            out.append(f"route {k}: duration {t - prep.start:.2f} > max {tmax:g}")
    return out
