"""Routing core benchmarks: in-loop speed on the simulator's own problems, and solution quality.

``InLoop`` times the fast mode (what every van dispatch calls) on the simulator's own daily
problems with pickups at 20 / 50 / 100 / 200 stops (``daily_problems.py``: captured from
runs of the county, cached under ``.asv/``), with the cost against a 1-second solve of the
same problem beside it. Targets (issue 13): 100 stops in at most 20 ms, 200 in at most
60 ms, median per call. ``FastMode`` times synthetic problems; ``Gap`` records the gap to
the best-known solution at 1 s on a few published instances (skipped when the shared data
is missing). As a script it prints the in-loop table, with the reference workload
(``reference.py``) measured in the same process::

    python benchmarks/bench_routing.py [--calls 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

if __package__:  # asv imports the folder as the package ``benchmarks``
    from .daily_problems import SIZES, SizedProblems, daily_problems
    from .reference import reference_s
else:  # run as a script (python benchmarks/bench_routing.py), or benchmarks/ on sys.path
    from daily_problems import SIZES, SizedProblems, daily_problems
    from reference import reference_s

from sim.routing import solve
from sim.routing.instances import synthetic_problem

CALLS_PER_PROBLEM = 5
MS_PER_S = 1000.0
PERCENT = 100.0
TARGET_MS = {100: 20.0, 200: 60.0}

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "vrp"


class FastMode:
    """Daily re-planning of one town's villages (fast construction + local search)."""

    params = [5, 20, 30, 50]
    param_names = ["stops"]

    def setup(self, n: int) -> None:
        self.problem = synthetic_problem(n, seed=1, pickups=True)
        self.windows = synthetic_problem(n, seed=1, pickups=True, windows=True)

    def time_pickup_delivery(self, n: int) -> None:
        solve(self.problem)

    def time_pickup_delivery_windows(self, n: int) -> None:
        solve(self.windows)


class Gap:
    """Gap to best-known (%) at 1 s on published instances."""

    params = ["A/A-n54-k7.vrp", "X/X-n101-k25.vrp", "Solomon/R101.txt"]
    param_names = ["instance"]
    timeout = 120
    unit = "%"

    def setup(self, name: str) -> None:
        if not (DATA / name).is_file():
            raise NotImplementedError("shared benchmark data not available")
        try:
            from sim.routing.instances import read_instance

            self.bench = read_instance(DATA / name)
        except ImportError as exc:  # vrplib missing
            raise NotImplementedError(str(exc)) from exc

    def track_gap_1s(self, name: str) -> float:
        sol = solve(self.bench.problem, seed=0, time_limit_s=1.0)
        return 100.0 * (sol.cost / self.bench.scale / self.bench.bks - 1.0)

    track_gap_1s.unit = "%"  # type: ignore[attr-defined]


def fast_calls_ms(sized: SizedProblems, calls: int = CALLS_PER_PROBLEM) -> list[float]:
    """Milliseconds of every fast-mode call: each problem ``calls`` times, interleaved."""
    times_ms = []
    for _ in range(calls):
        for problem in sized.problems:
            started = time.perf_counter()
            solve(problem)
            times_ms.append((time.perf_counter() - started) * MS_PER_S)
    return times_ms


def cost_vs_1s_percent(sized: SizedProblems) -> float:
    """Mean excess of the fast mode's cost over a 1-second solve's, in percent."""
    excess = [solve(p).cost / cost_1s - 1.0 for p, cost_1s in zip(sized.problems, sized.cost_1s, strict=True)]
    return PERCENT * statistics.fmean(excess)


class InLoop:
    """The fast mode on the simulator's own daily problems with pickups, by stops."""

    params = list(SIZES)
    param_names = ["stops"]
    timeout = 600  # the first run captures the problems and solves each for 1 s

    def setup_cache(self) -> dict[int, SizedProblems]:
        return daily_problems()

    def time_fast_solve(self, sized: dict[int, SizedProblems], stops: int) -> None:
        solve(sized[stops].problems[0])

    def track_median_ms(self, sized: dict[int, SizedProblems], stops: int) -> float:
        return statistics.median(fast_calls_ms(sized[stops]))

    track_median_ms.unit = "ms"  # type: ignore[attr-defined]

    def track_cost_vs_1s(self, sized: dict[int, SizedProblems], stops: int) -> float:
        return cost_vs_1s_percent(sized[stops])

    track_cost_vs_1s.unit = "%"  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=CALLS_PER_PROBLEM, help="fast solves of each problem")
    args = parser.parse_args(argv)
    problems = daily_problems()
    reference = reference_s()
    print(f"reference workload (M/M/3, 100,000 customers): {reference:.3f} s")
    print(
        f"{'stops':>5} {'problems':>8} {'median ms':>9} {'x reference':>11} {'cost vs 1 s':>11} "
        f"{'target':>9} pass"
    )
    for stops, sized in problems.items():
        median_ms = statistics.median(fast_calls_ms(sized, args.calls))
        x_reference = median_ms / MS_PER_S / reference
        target = TARGET_MS.get(stops)
        verdict = "-" if target is None else ("yes" if median_ms <= target else "NO")
        shown = "-" if target is None else f"<= {target:.0f} ms"
        print(
            f"{stops:>5} {len(sized.problems):>8} {median_ms:>9.1f} {x_reference:>11.4f} "
            f"{cost_vs_1s_percent(sized):>+10.2f}% {shown:>9} {verdict}"
        )
    print("problems: " + "; ".join(f"{s}: {', '.join(p.captured_from)}" for s, p in problems.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
