"""Speed of one simulated year of the built-in Lishui county.

asv runs the ``time_*`` and ``track_*`` methods; as a plain script it prints
simulated days per second, items per second, SimPy events per item and peak
memory for each mode::

    python benchmarks/bench_simulation.py [--days 365] [--mode integrated]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "lishui.toml"


def _year(mode: str = "integrated", days: int = 365):
    import sim

    scenario = sim.load(SCENARIO)
    return scenario.model_copy(update={"mode": mode, "days": days, "warmup_days": 7})


class LishuiYear:
    """One year of the built-in county, each mode."""

    params = ["integrated", "separate"]
    param_names = ["mode"]
    timeout = 300

    def setup(self, mode: str) -> None:
        from sim.setup import build_world

        self.scenario = _year(mode)
        self.world = build_world(self.scenario)

    def time_year(self, mode: str) -> None:
        import sim

        sim.run(self.scenario, seed=1, world=self.world)

    def track_events_per_item(self, mode: str) -> float:
        import sim

        raw = sim.run(self.scenario, seed=1, world=self.world).record
        return raw.events / max(1, len(raw.ledger))

    track_events_per_item.unit = "events/item"


def measure(mode: str, days: int) -> dict[str, float]:
    import sim
    from sim.setup import build_world

    scenario = _year(mode, days)
    world = build_world(scenario)
    started = time.perf_counter()
    result = sim.run(scenario, seed=1, world=world)
    wall = time.perf_counter() - started
    raw = result.record
    items = len(raw.ledger)
    return {
        "days": days,
        "wall_s": wall,
        "days_per_s": days / wall,
        "items": items,
        "items_per_s": items / wall,
        "events": raw.events,
        "events_per_item": raw.events / max(1, items),
        "trips": len(raw.trips),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--mode", action="append", choices=["integrated", "separate"])
    args = parser.parse_args(argv)
    print(
        f"{'mode':<11} {'days':>5} {'wall s':>7} {'days/s':>7} {'items':>9} {'items/s':>9} "
        f"{'events':>8} {'ev/item':>8} {'trips':>7}"
    )
    for mode in args.mode or ["integrated", "separate"]:
        m = measure(mode, args.days)
        print(
            f"{mode:<11} {m['days']:>5} {m['wall_s']:>7.2f} {m['days_per_s']:>7.1f} {m['items']:>9,} "
            f"{m['items_per_s']:>9,.0f} {m['events']:>8,} {m['events_per_item']:>8.4f} {m['trips']:>7,}"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"peak memory (max RSS of this process): {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
