"""Timing and length of one route: what the simulation asks of every trip it runs.

`schedule` times one route in a handful of array operations (the simulation calls it
once per trip to time all hand-overs); `route_distance` is its length in km.
(The module is not called ``schedule`` so that ``sim.routing.schedule`` can only be
the function.)
"""

from __future__ import annotations

import numpy as np

from .problem import RoutingProblem


def schedule(
    problem: RoutingProblem, route: np.ndarray, start_min: float | None = None
) -> tuple[np.ndarray, np.ndarray, float]:
    """Arrival and service-start minute at each stop of ``route``, and the return time.

    A vehicle leaves the depot at ``start_min`` (default ``problem.start_min``) and
    waits when it arrives before a stop's ready time. Uses the max-plus identity
    ``begin_k = S_k + max_{j<=k}(ready_j - S_j)`` with ``S`` the cumulative
    service+travel time, so the whole route is timed without a Python loop.
    """
    t0 = float(problem.start_min if start_min is None else start_min)
    r = np.asarray(route, dtype=np.int64)
    if r.size == 0:
        return np.zeros(0), np.zeros(0), t0
    dur = np.asarray(problem.duration_min, dtype=np.float64)
    n1 = dur.shape[0]
    svc = np.broadcast_to(np.asarray(problem.service_min, dtype=np.float64), (n1,))
    nodes = np.concatenate(([0], r))
    prev = nodes[:-1]
    w = np.concatenate(([0.0], np.where(prev == 0, 0.0, svc[prev]) + dur[prev, r]))
    s = np.cumsum(w)
    ready = np.empty(nodes.size)
    ready[0] = t0
    ready[1:] = -np.inf if problem.ready_min is None else np.asarray(problem.ready_min)[r]
    begin = s + np.maximum.accumulate(ready - s)
    arrival = begin[:-1] + np.where(prev == 0, 0.0, svc[prev]) + dur[prev, r]
    last = int(r[-1])
    back = float(begin[-1] + svc[last] + dur[last, 0])
    return arrival, begin[1:], back


def route_distance(problem_or_matrix: RoutingProblem | np.ndarray, route: np.ndarray) -> float:
    """Kilometres of one route, depot (node 0) to depot.

    ``problem_or_matrix`` is a :class:`RoutingProblem` (its ``distance_km``) or the
    distance matrix itself; ``route`` lists the stops in visiting order.
    """
    r = np.asarray(route, dtype=np.int64)
    if r.size == 0:
        return 0.0
    matrix = (
        problem_or_matrix.distance_km if isinstance(problem_or_matrix, RoutingProblem) else problem_or_matrix
    )
    nodes = np.concatenate(([0], r, [0]))
    d = np.asarray(matrix, dtype=np.float64)
    return float(d[nodes[:-1], nodes[1:]].sum())
