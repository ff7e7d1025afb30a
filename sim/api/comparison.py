"""Compare policies on the same county and the same seeds (common random numbers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
