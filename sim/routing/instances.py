"""Read published benchmark instances (CVRPLIB, Solomon) into `RoutingProblem`.

`vrplib` is a test and benchmark dependency only, imported inside the functions so
the simulator never needs it. Each set has its own rounding convention, and a gap
to a best-known value is only meaningful under the same one:

- CVRPLIB ``EUC_2D`` (sets A, X): Euclidean distances rounded to the nearest
  integer; the number of vehicles is not limited.
- Solomon VRPTW with distance-only best-known solutions (DIMACS): distances
  truncated to one decimal. We work in integer units of 0.1 (``floor(10 * d)``) and
  scale windows and service times by 10, so costs compare exactly after dividing
  by ``scale``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.units import FLOAT_EPS

from .problem import RoutingProblem


@dataclass
class Benchmark:
    """A benchmark instance: the problem, its best-known cost, and the cost scale."""

    name: str
    problem: RoutingProblem
    bks: float | None
    scale: float  # problem cost / scale is comparable with bks
    kind: str  # "cvrp" or "vrptw"


def _is_solomon(path: Path) -> bool:
    if path.suffix.lower() == ".txt":
        return True
    head = path.read_text(errors="replace")[:400].upper()
    return "CUST NO." in head or ("VEHICLE" in head and "NUMBER" in head and ":" not in head)


def read_bks(path: str | Path) -> float | None:
    """Best-known cost from the ``.sol`` file beside ``path`` (None if there is none)."""
    import vrplib

    sol = Path(path).with_suffix(".sol")
    if not sol.is_file():
        return None
    cost = vrplib.read_solution(str(sol)).get("cost")
    return None if cost is None else float(cost)


def read_instance(path: str | Path) -> Benchmark:
    """Read a CVRPLIB (``.vrp``) or Solomon (``.txt``) instance and its BKS if present."""
    import vrplib

    path = Path(path)
    bks = read_bks(path)
    if _is_solomon(path):
        data = vrplib.read_instance(str(path), instance_format="solomon")
        xy = np.asarray(data["node_coord"], dtype=np.float64)
        diff = xy[:, None, :] - xy[None, :, :]
        dist = np.floor(10.0 * np.sqrt((diff**2).sum(-1)) + FLOAT_EPS)
        tw = np.asarray(data["time_window"], dtype=np.float64) * 10.0
        svc = np.asarray(data["service_time"], dtype=np.float64) * 10.0
        dem = np.asarray(data["demand"], dtype=np.float64)
        problem = RoutingProblem(
            duration_min=dist,
            distance_km=dist,
            delivery=dem[:, None],
            capacity=np.array([float(data["capacity"])]),
            n_vehicles=int(data["vehicles"]),
            service_min=svc,
            ready_min=tw[:, 0],
            due_min=tw[:, 1],
            start_min=float(tw[0, 0]),
        )
        return Benchmark(str(data.get("name", path.stem)), problem, bks, 10.0, "vrptw")
    data = vrplib.read_instance(str(path))
    dist = np.asarray(data["edge_weight"], dtype=np.float64)
    if str(data.get("edge_weight_type", "")).upper() in ("EUC_2D", "CEIL_2D", "ATT"):
        if str(data["edge_weight_type"]).upper() == "CEIL_2D":
            dist = np.ceil(dist - FLOAT_EPS)
        else:
            dist = np.floor(dist + 0.5)
    dem = np.asarray(data["demand"], dtype=np.float64)
    depot = int(np.asarray(data.get("depot", [0])).reshape(-1)[0])
    order = np.concatenate(([depot], np.delete(np.arange(dist.shape[0]), depot)))
    dist = dist[np.ix_(order, order)]
    dem = dem[order]
    svc = np.asarray(data["service_time"], float)[order] if "service_time" in data else 0.0
    n = dist.shape[0] - 1
    vehicles = int(data.get("vehicles", n)) if "vehicles" in data else n
    problem = RoutingProblem(
        duration_min=dist,
        distance_km=dist,
        delivery=dem[:, None],
        capacity=np.array([float(data["capacity"])]),
        n_vehicles=vehicles,
        service_min=svc,
    )
    return Benchmark(str(data.get("name", path.stem)), problem, bks, 1.0, "cvrp")


def synthetic_problem(
    n: int,
    seed: int = 0,
    *,
    pickups: bool = True,
    windows: bool = False,
    dims: int = 2,
) -> RoutingProblem:
    """A county-like daily problem for benchmarks: ``n`` villages around a town station.

    Villages lie in a 40 km square (road distance 1.3x straight line, 35 km/h),
    drops and collections of parcels and kg, vans of 60 parcels / 400 kg, 5 minutes
    per stop, an 8-hour shift; optional village opening hours.
    """
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0.0, 40.0, size=(n + 1, 2))
    xy[0] = 20.0
    km = 1.3 * np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    minutes = km / 35.0 * 60.0
    parcels = rng.poisson(6.0, size=n + 1).astype(float)
    kg = parcels * rng.uniform(1.0, 4.0, size=n + 1)
    dl = np.stack((parcels, kg), axis=1)[:, :dims]
    dl[0] = 0.0
    pk = None
    if pickups:
        lots = rng.poisson(2.0, size=n + 1).astype(float)
        pk = np.stack((lots, lots * rng.uniform(5.0, 20.0, size=n + 1)), axis=1)[:, :dims]
        pk[0] = 0.0
    ready = due = None
    if windows:
        ready = rng.choice([420.0, 480.0, 540.0], size=n + 1)
        due = ready + rng.choice([180.0, 240.0, 480.0], size=n + 1)
        ready[0], due[0] = 420.0, 420.0 + 600.0
    return RoutingProblem(
        duration_min=minutes,
        distance_km=km,
        delivery=dl,
        capacity=np.array([60.0, 400.0])[:dims],
        n_vehicles=max(1, n // 4),
        pickup=pk,
        service_min=5.0,
        ready_min=ready,
        due_min=due,
        start_min=420.0,
        max_duration_min=480.0,
        cost_per_km=1.2,
        cost_per_min=0.5,
    )
