"""Small problem builders shared by the routing tests."""

from __future__ import annotations

import numpy as np

from sim.routing import RoutingProblem


def euclid(xy: np.ndarray) -> np.ndarray:
    """Euclidean distance matrix of points ``xy`` (k, 2)."""
    diff = xy[:, None, :] - xy[None, :, :]
    return np.sqrt((diff**2).sum(-1))


def line_problem(positions: list[float], demand: list[float], capacity: float, **kw) -> RoutingProblem:
    """Depot at 0 and stops on a line; travel minutes equal km."""
    x = np.asarray([0.0, *positions])
    d = np.abs(x[:, None] - x[None, :])
    return RoutingProblem(
        duration_min=d,
        distance_km=d,
        delivery=np.asarray([0.0, *demand])[:, None],
        capacity=np.array([capacity]),
        n_vehicles=kw.pop("n_vehicles", 10),
        **kw,
    )


def random_problem(
    rng: np.random.Generator,
    n: int,
    *,
    dims: int = 1,
    pickups: bool = False,
    windows: bool = False,
    n_vehicles: int | None = None,
    penalty: float | None = None,
    max_duration: float = np.inf,
) -> RoutingProblem:
    """A random problem on a 30 x 30 km square at 40 km/h with optional features."""
    xy = rng.uniform(0, 30, size=(n + 1, 2))
    xy[0] = 15.0
    km = euclid(xy)
    minutes = km * 1.5
    dl = rng.integers(0, 6, size=(n + 1, dims)).astype(float)
    dl[0] = 0
    pk = None
    if pickups:
        pk = rng.integers(0, 6, size=(n + 1, dims)).astype(float)
        pk[0] = 0
    ready = due = None
    if windows:
        ready = rng.uniform(0, 200, n + 1)
        due = ready + rng.uniform(30, 240, n + 1)
        ready[0], due[0] = 0.0, 600.0
    return RoutingProblem(
        duration_min=minutes,
        distance_km=km,
        delivery=dl,
        capacity=np.full(dims, 20.0),
        n_vehicles=n if n_vehicles is None else n_vehicles,
        pickup=pk,
        service_min=5.0,
        ready_min=ready,
        due_min=due,
        max_duration_min=max_duration,
        unserved_penalty=penalty,
    )
