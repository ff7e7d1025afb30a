"""asv benchmarks for the routing core: in-simulation speed and solution quality.

``time_*`` measure the fast mode the simulation calls every day; ``track_gap_*``
record the gap to the best-known solution at a fixed 1-second budget on a few
published instances (skipped when the shared data or vrplib is missing).
"""

from __future__ import annotations

from pathlib import Path

from sim.routing import solve
from sim.routing.instances import synthetic_problem

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
