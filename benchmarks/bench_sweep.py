"""Throughput of parameter sweeps: runs per second by executor, and Dask's start-up cost.

The sweep is 200 runs of the built-in Lishui county over a short horizon (7 days,
1 warm-up): both modes x 5 fleet sizes x 20 replications, stored in a fresh
SQLite file, as ``ruralsim sweep`` would. asv runs the ``time_*`` methods; as a
plain script it prints runs per second for each executor and the time to start
(and stop) a Dask LocalCluster, each wall time also as a multiple of the reference
workload (``reference.py``) measured in the same process::

    python benchmarks/bench_sweep.py [--workers 1 2] [--replications 20] [--dask]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

if __package__:  # asv imports the folder as the package ``benchmarks``
    from .reference import reference_s
else:  # run as a script (python benchmarks/bench_sweep.py), or benchmarks/ on sys.path
    from reference import reference_s

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "lishui.toml"


def sweep_definition(replications: int = 20, days: int = 7) -> dict:
    """2 modes x 5 fleet sizes x ``replications``: 200 runs by default."""
    return {
        "name": "bench",
        "scenario": str(SCENARIO),
        "replications": replications,
        "seed": 1,
        "base": {"days": days, "warmup_days": 1},
        "parameters": {
            "mode": ["separate", "integrated"],
            "integrated.vans_per_town": {"values": [1, 2, 3, 4, 5], "also": ["carriers.*.vans_per_town"]},
        },
    }


def run_sweep(workers: int | None = None, scheduler: str | None = None, replications: int = 20) -> dict:
    """Run the benchmark sweep into a temporary store; wall time and runs per second."""
    import sim

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        runs = sim.sweep(
            sweep_definition(replications), workers=workers, scheduler=scheduler, db=Path(folder) / "b.sqlite"
        )
        wall = time.perf_counter() - started
    done = int((runs["status"] == "done").sum())
    return {"runs": len(runs), "done": done, "wall_s": wall, "runs_per_s": len(runs) / wall}


def dask_startup(workers: int = 2) -> dict:
    """Seconds to start a LocalCluster of worker processes with a client, and to close it."""
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster)
    client.wait_for_workers(workers)
    up = time.perf_counter() - started
    started = time.perf_counter()
    client.close()
    cluster.close()
    return {"start_s": up, "close_s": time.perf_counter() - started}


class Sweep200:
    """A 200-run sweep of the built-in county, 7 days, on 1 and 2 local workers."""

    params = [1, 2]
    param_names = ["workers"]
    timeout = 900
    number = 1
    repeat = 1

    def time_sweep(self, workers: int) -> None:
        run_sweep(workers=workers)


class DaskStartup:
    """Start and stop a Dask LocalCluster of 2 worker processes."""

    timeout = 120
    number = 1
    repeat = 3

    def time_local_cluster(self) -> None:
        dask_startup(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--replications", type=int, default=20, help="per point; 10 points (default 20)")
    parser.add_argument("--dask", action="store_true", help="also run the sweep on a Dask LocalCluster")
    args = parser.parse_args(argv)
    reference = reference_s()
    print(f"reference workload (M/M/3, 100,000 customers) in this process: {reference:.3f} s")
    print(f"sweep: 10 points x {args.replications} replications, Lishui county, 7 days")
    print(f"  {'executor':<44} {'runs':>5} {'wall s':>7} {'x reference':>11} {'runs/s':>7}")

    def line(executor: str, r: dict) -> None:
        print(
            f"  {executor:<44} {r['runs']:>5} {r['wall_s']:>7.1f} {r['wall_s'] / reference:>11.1f} "
            f"{r['runs_per_s']:>7.2f}"
        )

    for workers in args.workers:
        line(f"process pool, {workers} worker(s)", run_sweep(workers=workers, replications=args.replications))
    if args.dask:
        r = run_sweep(workers=2, scheduler="local", replications=args.replications)
        line("Dask LocalCluster, 2 workers (start-up included)", r)
    startups = [dask_startup(2) for _ in range(3)]
    best = min(s["start_s"] for s in startups)
    close = startups[0]["close_s"]
    print(
        f"Dask LocalCluster, 2 worker processes: start {best:.2f} s = {best / reference:.2f} x reference "
        f"(best of 3), close {close:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
