"""The fixed SimPy reference workload every speed figure is divided by (issue 13).

An M/M/3 queue: 100,000 customers arrive with exponential interarrival times, each
takes one of three servers (a SimPy ``Resource`` of capacity 3) for an exponential
service time; utilisation rho = arrival rate / (3 x service rate) = 0.75. The draws come
from a seeded numpy Generator, so every run does the same SimPy work. It takes about
0.75 s on a quiet machine of the 2-core kind the targets were set on; a benchmark reports
``wall s`` and ``x reference`` (its wall time / this workload's, measured in the same
process), so that the ratio holds on any machine::

    python benchmarks/reference.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Generator

import numpy as np

CUSTOMERS = 100_000
SERVERS = 3
UTILISATION = 0.75
SERVICE_MEAN_MIN = 1.0
INTERARRIVAL_MEAN_MIN = SERVICE_MEAN_MIN / (SERVERS * UTILISATION)
SEED = 20_240_613
DEFAULT_REPEAT = 3


def mm3_queue(customers: int = CUSTOMERS, seed: int = SEED) -> float:
    """Run the M/M/3 queue; returns the minute the last customer leaves (a check that it ran)."""
    import simpy

    rng = np.random.default_rng(seed)
    gaps_min = rng.exponential(INTERARRIVAL_MEAN_MIN, customers).tolist()
    service_min = rng.exponential(SERVICE_MEAN_MIN, customers).tolist()
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)

    def customer(k: int) -> Generator:
        turn = servers.request()
        yield turn
        yield env.timeout(service_min[k])
        servers.release(turn)

    def arrivals() -> Generator:
        for k in range(customers):
            yield env.timeout(gaps_min[k])
            env.process(customer(k))

    env.process(arrivals())
    env.run()
    return float(env.now)


def reference_s(repeat: int = DEFAULT_REPEAT) -> float:
    """Median wall seconds of the reference workload over ``repeat`` runs in this process."""
    return statistics.median(timed(mm3_queue) for _ in range(repeat))


def timed(work: Callable[[], object]) -> float:
    """Wall seconds of one call of ``work``."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


class Reference:
    """The reference workload itself, so asv's history shows the machine's speed beside the rest."""

    timeout = 120

    def time_mm3_queue(self) -> None:
        mm3_queue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT)
    args = parser.parse_args(argv)
    runs = [timed(mm3_queue) for _ in range(args.repeat)]
    last_min = mm3_queue()
    print(f"M/M/{SERVERS} queue, {CUSTOMERS:,} customers, rho {UTILISATION}: last leaves {last_min:,.0f} min")
    print("wall s: " + ", ".join(f"{r:.3f}" for r in runs) + f"  (median {statistics.median(runs):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
