"""Speed of the simulator against the targets of issue 13, beside the SimPy reference workload.

As a script it prints one table (case, wall s, x reference, what is measured, target, pass)::

    python benchmarks/bench_simulation.py [--quick] [--repeat 1]

- the built-in county, 365 days, ``integrated`` and ``separate``: wall s (<= 5), x reference
  (<= 6.5) and items per second (>= 400,000). Each year runs in a fresh process (the
  reference workload runs there too, after the year), whose max RSS after the year is the
  peak memory of a county-year (<= 600 MB; max RSS only grows, so it needs its own process);
- parcels x2 against x1, 90 days, the vans of every fleet doubled with them (<= 1.2x the time);
- the county with 900 villages against the built-in 90 (same population: the towns' own),
  30 days (<= 3x).

Wall time is ``sim.run`` on a world built beforehand (as a sweep reuses one world), so the
world's matrices are not counted; memory counts them. ``x reference`` is the wall time over
the median of three runs of ``reference.py`` in the same process. ``--quick`` runs 30-day
years (time targets pro rata), 14 days of parcels and 7 days of villages.
asv runs the classes below (``LishuiYear``, ``YearCounts``, ``ParcelVolume``, ``CountySize``).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __package__:  # asv imports the folder as the package ``benchmarks``
    from .reference import reference_s
else:  # run as a script (python benchmarks/bench_simulation.py), or benchmarks/ on sys.path
    from reference import reference_s

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "lishui.toml"
MODES = ("integrated", "separate")
SEED = 1
YEAR_DAYS, QUICK_YEAR_DAYS = 365, 30
VOLUME_DAYS, QUICK_VOLUME_DAYS = 90, 14
VILLAGES_DAYS, QUICK_VILLAGES_DAYS = 30, 7
WARMUP_DAYS, SHORT_WARMUP_DAYS = 7, 1
BUILT_IN_VILLAGES, LARGE_VILLAGES = 90, 900
DOUBLE_VOLUME = 2
KB_PER_MB = 1024.0
THOUSAND = 1000
WARM_UP_DAYS = 2  # a short run first, so the measured runs do not pay for first calls
# issue 13's targets
YEAR_TARGET_S = 5.0
YEAR_TARGET_X_REFERENCE = 6.5
TARGET_ITEMS_PER_S = 400_000
VOLUME_TARGET_RATIO = 1.2
VILLAGES_TARGET_RATIO = 3.0
PEAK_MEMORY_TARGET_MB = 600.0


def county(
    mode: str = "integrated", days: int = YEAR_DAYS, villages: int = BUILT_IN_VILLAGES, volume: int = 1
):
    """The built-in county for ``days``, with ``villages`` villages and parcels x ``volume``
    (the vans of the pooled operation and of every carrier x ``volume`` too)."""
    import sim
    from sim.scenario.load import derive

    base = sim.load(SCENARIO)
    warmup = WARMUP_DAYS if days > 4 * WARMUP_DAYS else SHORT_WARMUP_DAYS
    changes: dict = {"mode": mode, "days": days, "warmup_days": warmup, "network.n_villages": villages}
    if volume != 1:
        changes["parcels.per_1000_residents_per_day"] = base.parcels.per_1000_residents_per_day * volume
        changes["integrated.vans_per_town"] = base.integrated.vans_per_town * volume
        for carrier in base.carriers:
            changes[f"carriers.{carrier.name}.vans_per_town"] = carrier.vans_per_town * volume
    return derive(base, changes)


def measure(mode: str = "integrated", days: int = YEAR_DAYS) -> dict[str, float]:
    """One run of the built-in county (``compare_checkouts.py`` calls this in both checkouts)."""
    return measure_run(county(mode, days))


def measure_run(scenario) -> dict[str, float]:
    """Wall seconds of one run of ``scenario`` on a world built beforehand, with its counts."""
    import sim
    from sim.setup import build_world

    world = build_world(scenario)
    started = time.perf_counter()
    raw = sim.run(scenario, seed=SEED, world=world).record
    wall = time.perf_counter() - started
    items = len(raw.ledger)
    return {"wall_s": wall, "items": items, "items_per_s": items / wall, "events": raw.events}


def year_in_fresh_process(mode: str, days: int) -> dict[str, float]:
    """One county-year in a new interpreter: its wall time, counts, peak memory and reference."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(days)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(mode: str, days: int) -> None:
    """What :func:`year_in_fresh_process` runs: the year, max RSS right after it, the reference."""
    m = measure(mode, days)
    m["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KB_PER_MB
    m["reference_s"] = reference_s()
    print(json.dumps(m))


def paired_medians(a, b, repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Run scenarios ``a`` and ``b`` alternately ``repeat`` times; the median wall of each."""
    runs_a, runs_b = [], []
    for _ in range(repeat):
        runs_a.append(measure_run(a))
        runs_b.append(measure_run(b))

    def median(runs: list[dict[str, float]]) -> dict[str, float]:
        return {key: statistics.median(r[key] for r in runs) for key in runs[0]}

    return median(runs_a), median(runs_b)


@dataclass(frozen=True)
class Row:
    """One line of the table: a measured quantity against its target."""

    case: str
    wall_s: float
    reference_s: float
    quantity: str
    measured: float | None = None
    target: float | None = None
    at_most: bool = True

    @property
    def passed(self) -> bool:
        """Whether the measured value meets the target (a row without a target passes)."""
        if self.target is None or self.measured is None:
            return True
        return self.measured <= self.target if self.at_most else self.measured >= self.target

    def line(self) -> str:
        """The row as printed."""
        value = "-" if self.measured is None else _number(self.measured)
        bound = "-" if self.target is None else f"{'<=' if self.at_most else '>='} {_number(self.target)}"
        verdict = "-" if self.target is None else ("pass" if self.passed else "FAIL")
        return (
            f"{self.case:<36} {self.wall_s:>7.2f} {self.wall_s / self.reference_s:>11.2f}  "
            f"{self.quantity:<16} {value:>11} {bound:>12}  {verdict}"
        )


def _number(x: float) -> str:
    """Thousands as whole numbers with separators, smaller values to three decimals."""
    return f"{x:,.0f}" if abs(x) >= THOUSAND else f"{x:.3f}"


def year_rows(days: int) -> list[Row]:
    """Both modes' years, each in its own process: time, x reference, items/s, peak memory."""
    pro_rata = days / YEAR_DAYS
    rows = []
    for mode in MODES:
        m = year_in_fresh_process(mode, days)
        wall, ref = m["wall_s"], m["reference_s"]
        case = f"built-in county, {days} days, {mode}"
        rows += [
            Row(case, wall, ref, "wall s", wall, YEAR_TARGET_S * pro_rata),
            Row(case, wall, ref, "x reference", wall / ref, YEAR_TARGET_X_REFERENCE * pro_rata),
            Row(case, wall, ref, "items/s", m["items_per_s"], TARGET_ITEMS_PER_S, at_most=False),
            Row(case, wall, ref, "peak memory MB", m["peak_mb"], PEAK_MEMORY_TARGET_MB),
        ]
    return rows


def ratio_rows(volume_days: int, villages_days: int, repeat: int, reference: float) -> list[Row]:
    """Parcels x2 against x1 and 900 villages against 90, in this process (after a warm-up run)."""
    measure(days=WARM_UP_DAYS)
    single, double = paired_medians(
        county(days=volume_days), county(days=volume_days, volume=DOUBLE_VOLUME), repeat
    )
    small, large = paired_medians(
        county(days=villages_days), county(days=villages_days, villages=LARGE_VILLAGES), repeat
    )
    return [
        Row(f"parcels x1, {volume_days} days", single["wall_s"], reference, "(the x1)"),
        Row(
            f"parcels x2 (vans x2), {volume_days} days",
            double["wall_s"],
            reference,
            "time / x1",
            double["wall_s"] / single["wall_s"],
            VOLUME_TARGET_RATIO,
        ),
        Row("", double["wall_s"], reference, "items / x1", double["items"] / single["items"]),
        Row(f"90 villages, {villages_days} days", small["wall_s"], reference, "(the 90)"),
        Row(
            f"900 villages, {villages_days} days",
            large["wall_s"],
            reference,
            "time / 90",
            large["wall_s"] / small["wall_s"],
            VILLAGES_TARGET_RATIO,
        ),
        Row("", large["wall_s"], reference, "items / 90", large["items"] / small["items"]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30-day years, 14 and 7 days for the ratios")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs of each ratio case (median)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DAYS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return 0
    reference = reference_s()
    rows = year_rows(QUICK_YEAR_DAYS if args.quick else YEAR_DAYS)
    rows += ratio_rows(
        QUICK_VOLUME_DAYS if args.quick else VOLUME_DAYS,
        QUICK_VILLAGES_DAYS if args.quick else VILLAGES_DAYS,
        args.repeat,
        reference,
    )
    print(f"reference workload (M/M/3, 100,000 customers) in this process: {reference:.3f} s")
    print(
        f"{'case':<36} {'wall s':>7} {'x reference':>11}  {'measured':<16} {'value':>11} {'target':>12}  pass"
    )
    for row in rows:
        print(row.line())
    return 0 if all(r.passed for r in rows) else 1


class LishuiYear:
    """One year of the built-in county, each mode: time and peak memory (asv runs each in its own
    process, so peakmem is the county-year's, world included)."""

    params = list(MODES)
    param_names = ["mode"]
    timeout = 600
    number = 1
    repeat = 1

    def setup(self, mode: str) -> None:
        from sim.setup import build_world

        self.scenario = county(mode)
        self.world = build_world(self.scenario)

    def time_year(self, mode: str) -> None:
        import sim

        sim.run(self.scenario, seed=SEED, world=self.world)

    def peakmem_year(self, mode: str) -> None:
        import sim

        sim.run(self.scenario, seed=SEED, world=self.world)


class YearCounts:
    """Items per second, SimPy events per item and the year's x reference, from one run of each
    mode with the reference workload measured in the same process."""

    timeout = 900
    params = list(MODES)
    param_names = ["mode"]

    def setup_cache(self) -> dict[str, dict[str, float]]:
        counts = {mode: measure(mode) for mode in MODES}
        reference = reference_s()
        for m in counts.values():
            m["x_reference"] = m["wall_s"] / reference
        return counts

    def track_items_per_s(self, counts: dict, mode: str) -> float:
        return counts[mode]["items_per_s"]

    track_items_per_s.unit = "items/s"  # type: ignore[attr-defined]

    def track_events_per_item(self, counts: dict, mode: str) -> float:
        return counts[mode]["events"] / max(1, counts[mode]["items"])

    track_events_per_item.unit = "events/item"  # type: ignore[attr-defined]

    def track_x_reference(self, counts: dict, mode: str) -> float:
        return counts[mode]["x_reference"]

    track_x_reference.unit = "x reference"  # type: ignore[attr-defined]


class _Runs:
    """A run of a prepared scenario (setup builds the world, not timed)."""

    timeout = 600
    number = 1
    repeat = 1

    def prepare(self, scenario) -> None:
        from sim.setup import build_world

        self.scenario = scenario
        self.world = build_world(scenario)

    def run(self) -> None:
        import sim

        sim.run(self.scenario, seed=SEED, world=self.world)


class ParcelVolume(_Runs):
    """90 days of the built-in county with parcels (and vans) x1 and x2."""

    params = [1, DOUBLE_VOLUME]
    param_names = ["volume"]

    def setup(self, volume: int) -> None:
        self.prepare(county(days=VOLUME_DAYS, volume=volume))

    def time_days(self, volume: int) -> None:
        self.run()


class CountySize(_Runs):
    """30 days of the county with 90 and with 900 villages (same population)."""

    params = [BUILT_IN_VILLAGES, LARGE_VILLAGES]
    param_names = ["villages"]

    def setup(self, villages: int) -> None:
        self.prepare(county(days=VILLAGES_DAYS, villages=villages))

    def time_days(self, villages: int) -> None:
        self.run()


if __name__ == "__main__":
    sys.exit(main())
