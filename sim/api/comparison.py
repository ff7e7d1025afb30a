"""Compare policies on the same county and the same seeds (common random numbers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from sim.api.frames import estimates_frame, headline_lines, seeds_text
from sim.api.runs import Result, replication_seeds, run
from sim.kpi import Estimate, paired_difference, summarize
from sim.scenario import Scenario, derive
from sim.setup import build_world


@dataclass
class Comparison:
    """Per mode, the runs and their KPI estimates; differences are against the first mode."""

    modes: tuple[str, ...]
    results: dict[str, list[Result]]

    def estimates(self, mode: str) -> dict[str, Estimate]:
        return summarize([r.kpis for r in self.results[mode]])

    def difference(self, mode: str, baseline: str | None = None) -> dict[str, Estimate]:
        """``mode`` minus ``baseline`` (default the first mode), paired by seed."""
        base = self.results[baseline or self.modes[0]]
        return paired_difference([r.kpis for r in base], [r.kpis for r in self.results[mode]])

    def to_frame(self, baseline: str | None = None) -> pd.DataFrame:
        """One row per mode and KPI: ``mode``, ``kpi``, the mean and 95 % interval
        (``mean``, ``ci95_low``, ``ci95_high``, ``ci95_half_width``, ``n``), and the paired
        difference to ``baseline`` (default the first mode) with its interval
        (``difference_mean``, ``difference_ci95_low``, ...; NaN on the baseline's rows).
        ``frame.attrs["baseline"]`` names the baseline."""
        baseline = baseline or self.modes[0]
        frames = [
            estimates_frame(
                self.estimates(m),
                {"mode": m},
                {} if m == baseline else self.difference(m, baseline),
            )
            for m in self.modes
        ]
        frame = pd.concat(frames, ignore_index=True)
        frame.attrs["baseline"] = baseline
        return frame

    def __repr__(self) -> str:
        first = self.results[self.modes[0]]
        s = first[0].scenario if first else None
        head = (
            f"<Comparison {s.name!r}: {', '.join(self.modes)} on {seeds_text([r.seed for r in first])}, "
            f"{s.days} days"
            if s is not None
            else f"<Comparison {', '.join(self.modes)}: no runs"
        )
        if s is None or len(self.modes) < 2:
            return head + ">"
        ends = [self.modes[0], self.modes[-1]]
        lines = headline_lines(ends, [self.estimates(m) for m in ends], self.difference(ends[1]))
        return "\n".join([head, *lines, "  (every KPI: .to_frame())>"])


def compare(
    scenario: Scenario,
    modes: Sequence[str] = ("separate", "integrated"),
    *,
    replications: int | None = None,
    on_done: Callable[[str, Result], None] | None = None,
    on_day: Callable[[int], None] | None = None,
) -> Comparison:
    """Run every mode on the same seeds and the same county."""
    seeds = replication_seeds(scenario, replications)
    world = build_world(scenario)
    results: dict[str, list[Result]] = {}
    for mode in modes:
        variant = derive(scenario, {"mode": mode})
        results[mode] = []
        for seed in seeds:
            result = run(variant, seed, world=world, on_day=on_day)
            results[mode].append(result)
            if on_done is not None:
                on_done(mode, result)
    return Comparison(modes=tuple(modes), results=results)
