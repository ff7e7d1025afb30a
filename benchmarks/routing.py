"""Routing benchmark: cost, gap to best-known and time per instance, at a fixed budget.

Usage::

    python benchmarks/routing.py ../shared/data/vrp/A/*.vrp --budget 1
    python benchmarks/routing.py ../shared/data/vrp/Solomon/*.txt --budget 1 10 --solver all

Works on any CVRPLIB (``.vrp``) or Solomon (``.txt``) instance; the best-known cost is
read from the ``.sol`` file beside each instance (gap shown as "-" without one).
``--solver all`` also runs OR-Tools routing (guided local search) and PyVRP at the
same budget when they are installed; they are optional benchmark dependencies and
never needed by the simulator. Each line ends with the gap as a percentage; a
summary of mean gaps per solver and budget follows.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("sim") is None:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from sim.routing.check import check_solution  # noqa: E402
from sim.routing.instances import Benchmark, read_instance  # noqa: E402
from sim.routing.solver import solve  # noqa: E402


def run_ours(b: Benchmark, path: Path, budget: float, seed: int) -> tuple[float | None, str]:
    """Our solver; returns (cost in BKS units or None if infeasible, note)."""
    sol = solve(b.problem, seed=seed, time_limit_s=budget)
    bad = check_solution(b.problem, sol)
    if bad or sol.unserved.size:
        return None, f"infeasible: {bad[:1]} unserved={sol.unserved.size}"
    return sol.cost / b.scale, f"routes={len(sol.routes)} it={sol.stats.get('iterations', 0)}"


def run_ortools(b: Benchmark, path: Path, budget: float, seed: int) -> tuple[float | None, str]:
    """OR-Tools routing with guided local search on the same integer matrices."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    p = b.problem
    dist = np.rint(np.asarray(p.distance_km)).astype(np.int64)
    n1 = dist.shape[0]
    dem = np.rint(np.asarray(p.delivery)[:, 0]).astype(np.int64)
    cap = int(np.asarray(p.capacity)[0])
    vehicles = int(p.n_vehicles)
    if vehicles >= n1 - 1:  # "unlimited": a generous bound keeps OR-Tools tractable
        vehicles = min(n1 - 1, int(np.ceil(1.3 * dem.sum() / cap)) + 3)
    manager = pywrapcp.RoutingIndexManager(n1, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    dl = dist.tolist()

    def arc(i: int, j: int) -> int:
        return dl[manager.IndexToNode(i)][manager.IndexToNode(j)]

    cb = routing.RegisterTransitCallback(arc)
    routing.SetArcCostEvaluatorOfAllVehicles(cb)
    dml = dem.tolist()
    dcb = routing.RegisterUnaryTransitCallback(lambda i: dml[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(dcb, 0, [cap] * vehicles, True, "load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    fs = routing_enums_pb2.FirstSolutionStrategy
    params.first_solution_strategy = fs.PATH_CHEAPEST_ARC
    if p.due_min is not None:
        svc = np.broadcast_to(np.asarray(p.service_min, float), (n1,))
        svl = np.rint(svc).astype(np.int64).tolist()
        tl = np.rint(np.asarray(p.duration_min)).astype(np.int64).tolist()

        def tt(i: int, j: int) -> int:
            a, c = manager.IndexToNode(i), manager.IndexToNode(j)
            return svl[a] + tl[a][c]

        tcb = routing.RegisterTransitCallback(tt)
        horizon = int(np.asarray(p.due_min)[0])
        routing.AddDimension(tcb, horizon, horizon, False, "time")
        td = routing.GetDimensionOrDie("time")
        ready, due = np.asarray(p.ready_min), np.asarray(p.due_min)
        for node in range(1, n1):
            td.CumulVar(manager.NodeToIndex(node)).SetRange(int(ready[node]), int(due[node]))
        for v in range(vehicles):
            td.CumulVar(routing.Start(v)).SetRange(int(ready[0]), int(due[0]))
            td.CumulVar(routing.End(v)).SetRange(int(ready[0]), int(due[0]))
        params.first_solution_strategy = fs.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(budget * 1000))
    sol = routing.SolveWithParameters(params)
    if sol is None:
        return None, "no solution"
    return sol.ObjectiveValue() / b.scale, f"vehicles={vehicles}"


def run_pyvrp(b: Benchmark, path: Path, budget: float, seed: int) -> tuple[float | None, str]:
    """PyVRP's hybrid genetic search, reading the file with the same convention."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    if b.kind == "vrptw":
        data = _pyvrp_model(b).data()
    else:
        data = pyvrp.read(str(path), round_func="round")
    res = pyvrp.solve(data, stop=MaxRuntime(budget), seed=seed, display=False)
    if not res.is_feasible():
        return None, "infeasible"
    return res.cost() / b.scale, f"routes={res.best.num_routes()}"


def _pyvrp_model(b: Benchmark):  # noqa: ANN202 - pyvrp is optional
    """A PyVRP model on our integer matrices (used for time-window instances)."""
    import pyvrp

    p = b.problem
    n1 = p.n_stops + 1
    dist = np.rint(np.asarray(p.distance_km)).astype(int)
    dur = np.rint(np.asarray(p.duration_min)).astype(int)
    svc = np.broadcast_to(np.asarray(p.service_min, float), (n1,)).astype(int)
    ready = np.asarray(p.ready_min).astype(int)
    due = np.asarray(p.due_min).astype(int)
    dem = np.rint(np.asarray(p.delivery)[:, 0]).astype(int)
    m = pyvrp.Model()
    locs = [m.add_location(0.0, 0.0) for _ in range(n1)]
    depot = m.add_depot(locs[0], tw_early=int(ready[0]), tw_late=int(due[0]))
    m.add_vehicle_type(
        int(p.n_vehicles),
        capacity=int(np.asarray(p.capacity)[0]),
        start_depot=depot,
        end_depot=depot,
        tw_early=int(ready[0]),
        tw_late=int(due[0]),
    )
    for i in range(1, n1):
        m.add_client(
            locs[i],
            delivery=int(dem[i]),
            service_duration=int(svc[i]),
            tw_early=int(ready[i]),
            tw_late=int(due[i]),
        )
    for i in range(n1):
        for j in range(n1):
            if i != j:
                m.add_edge(locs[i], locs[j], int(dist[i, j]), int(dur[i, j]))
    return m


def sim_timings(repeats: int = 200) -> None:
    """Median wall time of the fast mode (the simulation's entry point) per problem size."""
    from sim.routing.instances import synthetic_problem

    print(f"{'daily problem':<34}{'median_ms':>10}{'p90_ms':>8}")
    for n in (5, 20, 30, 50):
        for windows in (False, True):
            probs = [synthetic_problem(n, seed=s, windows=windows) for s in range(10)]
            times = []
            for k in range(repeats):
                p = probs[k % len(probs)]
                t = time.perf_counter()
                solve(p)
                times.append(time.perf_counter() - t)
            label = f"{n} stops, pickup+delivery" + (", windows" if windows else "")
            ms = 1000.0 * np.asarray(times)
            print(f"{label:<34}{np.median(ms):>10.2f}{np.percentile(ms, 90):>8.2f}")


SOLVERS = {"ours": run_ours, "ortools": run_ortools, "pyvrp": run_pyvrp}


def _available(name: str) -> bool:
    mod = {"ours": None, "ortools": "ortools", "pyvrp": "pyvrp"}[name]
    if mod is None:
        return True
    try:
        __import__(mod)
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("instances", nargs="*", type=Path)
    ap.add_argument("--sim", action="store_true", help="time the fast mode on synthetic daily problems")
    ap.add_argument("--budget", type=float, nargs="+", default=[1.0], help="seconds per run")
    ap.add_argument("--solver", nargs="+", default=["ours"], help="ours, ortools, pyvrp or all")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.sim:
        sim_timings()
    names = list(SOLVERS) if "all" in args.solver else args.solver
    names = [s for s in names if _available(s) or print(f"# {s} not installed, skipped")]
    gaps: dict[tuple[str, float], list[float]] = {}
    print(f"{'instance':<14}{'solver':<9}{'budget':>7}{'cost':>12}{'bks':>12}{'time_s':>8}  gap")
    for path in args.instances:
        b = read_instance(path)
        for budget in args.budget:
            for name in names:
                t = time.perf_counter()
                try:
                    cost, note = SOLVERS[name](b, path, budget, args.seed)
                except Exception as exc:  # a peer solver failing is a result, not a crash
                    cost, note = None, f"error: {exc}"
                dt = time.perf_counter() - t
                if cost is None:
                    gap_s = "-"
                    note = f"  # {note}"
                elif b.bks:
                    gap = 100.0 * (cost / b.bks - 1.0)
                    gaps.setdefault((name, budget), []).append(gap)
                    gap_s = f"{gap:.2f}%"
                    note = ""
                else:
                    gap_s, note = "-", ""
                cost_s = "-" if cost is None else f"{cost:.1f}"
                bks_s = "-" if b.bks is None else f"{b.bks:g}"
                print(
                    f"{b.name:<14}{name:<9}{budget:>7g}{cost_s:>12}{bks_s:>12}{dt:>8.2f}  {gap_s}{note}",
                    flush=True,
                )
    print("# mean gap per solver and budget (instances with a feasible result and a BKS)")
    for (name, budget), g in sorted(gaps.items()):
        print(f"# {name:<8} {budget:>6g}s  n={len(g):<3} mean gap {np.mean(g):.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
