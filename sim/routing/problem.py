"""The routing problem and solution types, and their normalised internal form.

`RoutingProblem` is what the simulation builds (travel matrices between the nodes
that matter, demands, fleet, time windows); `RoutingSolution` is what it gets back.
`Prepared` turns optional fields into plain arrays once per solve, so that every
algorithm downstream works on the same dense representation and never has to ask
"is there a time window here?" per stop.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import inf

import numpy as np

# Tolerance used in every feasibility comparison (times in minutes, loads in units).
EPS = 1e-6


@dataclass(frozen=True)
class RoutingProblem:
    """One depot, a homogeneous fleet, stops 1..n.

    Matrices are indexed by node: 0 is the depot, 1..n the stops. Loads have ``d``
    dimensions (e.g. parcels, kg, m3) and are checked on every dimension at every
    point of a route: a vehicle leaves the depot carrying all deliveries of its
    route, drops ``delivery`` and loads ``pickup`` at each stop.

    Times are absolute minutes. A vehicle leaves the depot at ``start_min``, waits
    when it arrives before ``ready_min``, must start service no later than
    ``due_min``; ``due_min[0]`` is the depot closing time (latest return) and
    ``max_duration_min`` caps departure-to-return time (a driver's shift).

    ``unserved_penalty`` makes the problem prize-collecting: a stop may be left out
    at that cost. With ``None`` every stop must be served; if that is impossible the
    stop is still reported in `RoutingSolution.unserved`, never dropped silently.

    The objective is ``cost_per_km * km + cost_per_min * duration`` summed over
    routes, plus ``cost_per_route`` per route used, plus the penalties of unserved
    stops.
    """

    duration_min: np.ndarray
    distance_km: np.ndarray
    delivery: np.ndarray
    capacity: np.ndarray
    n_vehicles: int
    pickup: np.ndarray | None = None
    service_min: np.ndarray | float = 0.0
    ready_min: np.ndarray | None = None
    due_min: np.ndarray | None = None
    start_min: float = 0.0
    max_duration_min: float = inf
    unserved_penalty: np.ndarray | float | None = None
    cost_per_km: float = 1.0
    cost_per_min: float = 0.0
    cost_per_route: float = 0.0

    @property
    def n_stops(self) -> int:
        """Number of stops (nodes 1..n)."""
        return int(np.asarray(self.distance_km).shape[0]) - 1


@dataclass
class RoutingSolution:
    """Routes (stop indices in visit order, depot excluded) and unserved stops."""

    routes: list[np.ndarray]
    unserved: np.ndarray
    distance_km: float
    cost: float
    stats: dict = field(default_factory=dict)


def _as_2d(a: np.ndarray, n1: int) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.shape[0] != n1:
        raise ValueError(f"expected {n1} rows (depot + stops), got {a.shape[0]}")
    return a


class Prepared:
    """Dense, validated arrays derived from a `RoutingProblem` (built once per solve).

    ``arc`` is the arc cost used by the search: ``cost_per_km * km + cost_per_min *
    travel minutes``. Waiting and service time also count in the reported objective
    (through route duration) but the moves do not price them; see docs in solve().
    The depot's latest return folds in the shift cap: ``due[0] = min(due_min[0],
    start + max_duration)``, so duration needs no separate check in the search.
    """

    def __init__(self, p: RoutingProblem) -> None:
        dist = np.asarray(p.distance_km, dtype=np.float64)
        dur = np.asarray(p.duration_min, dtype=np.float64)
        if dist.ndim != 2 or dist.shape[0] != dist.shape[1] or dur.shape != dist.shape:
            raise ValueError("distance_km and duration_min must be square and of equal shape")
        n1 = dist.shape[0]
        self.n = n1 - 1
        self.dist = dist
        self.time = dur
        self.arc = p.cost_per_km * dist
        if p.cost_per_min:
            self.arc = self.arc + p.cost_per_min * dur
        # exact symmetry is the common case (and cheap to test); else allow rounding noise
        self.symmetric = _symmetric(self.arc) and _symmetric(dur)
        self._arc_t: np.ndarray | None = None
        self._time_t: np.ndarray | None = None
        self.delivery = _as_2d(p.delivery, n1).copy()
        self.delivery[0] = 0.0
        self.d = self.delivery.shape[1]
        self.capacity = np.asarray(p.capacity, dtype=np.float64).reshape(-1)
        if self.capacity.shape[0] != self.d:
            raise ValueError("capacity must have one entry per load dimension")
        self.capacity_list = self.capacity.tolist()
        self.room_list = (self.capacity + EPS).tolist()
        if p.pickup is None:
            self.pickup = np.zeros_like(self.delivery)
            self.has_pickup = False
        else:
            self.pickup = _as_2d(p.pickup, n1).copy()
            self.pickup[0] = 0.0
            self.has_pickup = bool(np.any(self.pickup > 0))
        self.service = np.broadcast_to(np.asarray(p.service_min, dtype=np.float64), (n1,)).copy()
        self.service[0] = 0.0
        self.start = float(p.start_min)
        self.ready = np.full(n1, -inf) if p.ready_min is None else np.asarray(p.ready_min, float).copy()
        self.due = np.full(n1, inf) if p.due_min is None else np.asarray(p.due_min, float).copy()
        self.ready[0] = self.start
        self.due[0] = min(self.due[0], self.start + float(p.max_duration_min))
        self.has_tw = bool(np.isfinite(self.due).any() or (self.ready[1:] > self.start + EPS).any())
        self.n_vehicles = int(max(0, p.n_vehicles))
        self.cost_per_min = float(p.cost_per_min)
        self.cost_per_route = float(p.cost_per_route)
        big = 1e3 * (2.0 * float(np.abs(self.arc).max(initial=0.0)) + self.cost_per_route + 1.0)
        if p.unserved_penalty is None:
            self.penalty = np.full(n1, big)
            self.must_serve = np.ones(n1, dtype=bool)
        else:
            self.penalty = np.broadcast_to(np.asarray(p.unserved_penalty, dtype=np.float64), (n1,)).copy()
            self.must_serve = np.zeros(n1, dtype=bool)
        self.penalty[0] = 0.0
        self.must_serve[0] = False
        self._neighbours: np.ndarray | None = None
        self._time_rows: list[list[float]] | None = None
        # Python lists of the per-stop rows, for the per-route loops of `routes.py`
        self.delivery_rows = self.delivery.tolist()
        self.pickup_rows = self.pickup.tolist()
        self.service_list = self.service.tolist()
        self.ready_list = self.ready.tolist()
        self.due_list = self.due.tolist()
        # A stop that cannot be served even alone on a fresh vehicle.
        self.alone_ok = self._alone_feasible()

    @property
    def arc_t(self) -> np.ndarray:
        """The transposed arc-cost matrix, contiguous (column gathers become row gathers)."""
        if self._arc_t is None:
            self._arc_t = np.ascontiguousarray(self.arc.T)
        return self._arc_t

    @property
    def time_rows(self) -> list[list[float]]:
        """The travel-time matrix as nested Python lists (built on first use)."""
        if self._time_rows is None:
            self._time_rows = self.time.tolist()
        return self._time_rows

    @property
    def time_t(self) -> np.ndarray:
        """The transposed travel-time matrix, contiguous."""
        if self._time_t is None:
            self._time_t = np.ascontiguousarray(self.time.T)
        return self._time_t

    def _alone_feasible(self) -> np.ndarray:
        idx = np.arange(self.n + 1)
        cap_ok = np.all(self.delivery <= self.capacity + EPS, axis=1) & np.all(
            self.pickup <= self.capacity + EPS, axis=1
        )
        arrive = self.start + self.time[0, idx]
        begin = np.maximum(arrive, self.ready)
        back = begin + self.service + self.time[idx, 0]
        tw_ok = (begin <= self.due + EPS) & (back <= self.due[0] + EPS)
        ok = cap_ok & tw_ok & (self.n_vehicles > 0)
        ok[0] = False
        return ok

    @property
    def neighbours(self) -> np.ndarray:
        """For each node, all stops 1..n sorted by arc cost from it (itself first)."""
        if self._neighbours is None:
            sym = self.arc[1:, 1:] + self.arc_t[1:, 1:]
            np.fill_diagonal(sym, -1.0)
            nb = np.argsort(sym, axis=1, kind="stable") + 1
            self._neighbours = np.vstack((np.zeros((1, self.n), np.int64), nb))
        return self._neighbours


def _symmetric(a: np.ndarray) -> bool:
    return bool(np.array_equal(a, a.T)) or bool(np.allclose(a, a.T))


def restrict(problem: RoutingProblem, stops: np.ndarray) -> RoutingProblem:
    """The sub-problem on the depot and ``stops`` (node k of it is ``stops[k-1]``)."""
    idx = np.concatenate(([0], np.asarray(stops, dtype=np.int64)))

    def rows(a: np.ndarray | float | None) -> np.ndarray | float | None:
        if a is None or np.ndim(a) == 0:
            return a
        return np.asarray(a)[idx]

    return replace(
        problem,
        duration_min=np.asarray(problem.duration_min)[np.ix_(idx, idx)],
        distance_km=np.asarray(problem.distance_km)[np.ix_(idx, idx)],
        delivery=np.asarray(problem.delivery)[idx],
        pickup=rows(problem.pickup),
        service_min=rows(problem.service_min),
        ready_min=rows(problem.ready_min),
        due_min=rows(problem.due_min),
        unserved_penalty=rows(problem.unserved_penalty),
    )
