"""Speed of two checkouts side by side: the one-year benchmark and sweep throughput.

Each round runs every workload once in each checkout (alternating, in fresh processes,
each checkout's own ``benchmarks/`` code with its own ``sim`` first on the path), so both
see the same machine load; it reports the median of the rounds and their ratio::

    git worktree add ../baseline <commit>
    python benchmarks/compare_checkouts.py ../baseline . [--rounds 3] [--days 365]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

YEAR = "import bench_simulation as b; print(b.measure('{mode}', {{days}})['wall_s'])"
WORKLOADS = {
    "year integrated, wall s": YEAR.format(mode="integrated"),
    "year separate, wall s": YEAR.format(mode="separate"),
    "sweep, runs/s (1 worker)": (
        "import bench_sweep as b; print(b.run_sweep(workers=1, replications={reps})['runs_per_s'])"
    ),
}


def measure(checkout: Path, code: str) -> float:
    """Run ``code`` in a fresh interpreter with ``checkout``'s sim and benchmarks first."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(checkout), str(checkout / "benchmarks")]))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=checkout, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--replications", type=int, default=4, help="sweep: 2 modes x 5 fleets x this")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, list[float]]] = {w: {"before": [], "after": []} for w in WORKLOADS}
    for _ in range(args.rounds):
        for name, template in WORKLOADS.items():
            code = template.format(days=args.days, reps=args.replications)
            for side in ("before", "after"):
                results[name][side].append(measure(getattr(args, side).resolve(), code))
    print(f"{'workload':<28} {'before':>9} {'after':>9} {'after/before':>13}")
    for name, sides in results.items():
        b, a = statistics.median(sides["before"]), statistics.median(sides["after"])
        print(f"{name:<28} {b:>9.2f} {a:>9.2f} {a / b:>13.3f}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
