"""The integration ladder: from separate operation to the five-in-one, one step at a time.

A county rarely integrates everything at once. The built-in *levels* are cumulative:

- ``separate`` (separate): nothing pooled, ``mode = "separate"``;
- ``express_codelivery`` (express co-delivery): every carrier whose ``kind`` is not
  "postal" -- the express brands share town stations and vans, as county co-delivery
  centres do;
- ``post_express`` (post + express): every carrier;
- ``plus_bus`` (+ bus): ... and ``"bus"`` (bus cargo space);
- ``plus_supply`` (+ supply): ... and ``"supply"`` (the cooperative);
- ``five_in_one`` (+ finance (five-in-one)): ... and ``"finance"``, the same as
  ``integrated`` mode with the default pool.

Each level is the scenario derived with ``{"mode": "integrated", "integrated":
{"pooled": [...]}}``, everything else kept. A level that would pool the same owners as the
one before it is left out (a county with no express carrier has no co-delivery level, one
with no postal carrier no post + express level); the level it would have repeated says so
in its ``note``. Any other subset of operators stays a scenario setting
(``integrated.pooled``), not a level.

:func:`ladder` runs every level on the same seeds and the same county, so that a step's
paired difference is the effect of that step alone on the same parcels, produce and
customers (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sim.api.frames import estimates_frame, headline_lines, seeds_text
from sim.api.runs import Result, replication_seeds, run
from sim.kpi import Estimate, paired_difference, summarize
from sim.scenario import Scenario, derive
from sim.setup import build_world

# name, label, what the level adds to the pool ("express", "postal" or an owner name)
_RUNGS = (
    ("separate", "separate", None),
    ("express_codelivery", "express co-delivery", "express"),
    ("post_express", "post + express", "postal"),
    ("plus_bus", "+ bus", "bus"),
    ("plus_supply", "+ supply", "supply"),
    ("five_in_one", "+ finance (five-in-one)", "finance"),
)
_WHY_SAME = {"express": "no express carrier", "postal": "no postal carrier"}


@dataclass(frozen=True)
class Level:
    """One rung of the ladder: a stable ``name``, a ``label`` for people, the derived scenario."""

    name: str
    label: str
    scenario: Scenario
    pooled: tuple[str, ...] = ()  # what this level pools, in the scenario's order
    note: str = ""  # what is special about this level in this scenario ("" when nothing)


def ladder_levels(scenario: Scenario) -> list[Level]:
    """The levels of the integration ladder for ``scenario``, from separate to the five-in-one.

    Each level is ``scenario`` derived with ``{"mode": "integrated", "integrated":
    {"pooled": [...]}}`` (the first with ``{"mode": "separate"}``); everything else in the
    scenario is kept. Levels that would pool exactly what the previous level pools are
    skipped, and the level they would repeat carries a note saying so.
    """
    carriers = [c.name for c in scenario.carriers]
    express = [c.name for c in scenario.carriers if c.kind != "postal"]
    levels: list[Level] = []
    notes: list[list[str]] = []
    pooled: list[str] = []
    for name, label, adds in _RUNGS:
        if adds == "express":
            new = express
        elif adds == "postal":
            new = carriers
        elif adds is None:
            new = []
        else:
            new = [*pooled, adds]
        if levels and new == pooled:
            notes[-1].append(f"{label} left out: {_WHY_SAME[adds]}, it would pool the same as this level")
            continue
        pooled = list(new)
        if adds is None:
            variant = derive(scenario, {"mode": "separate"})
        else:
            variant = derive(scenario, {"mode": "integrated", "integrated": {"pooled": pooled}})
        levels.append(Level(name, label, variant, tuple(pooled)))
        notes.append([])
        if len(pooled) == 1:
            notes[-1].append(f"{pooled[0]} alone on the pooled fleet: nothing shared with another operator")
    return [
        Level(lv.name, lv.label, lv.scenario, lv.pooled, "; ".join(n))
        for lv, n in zip(levels, notes, strict=True)
    ]


@dataclass(frozen=True)
class Step:
    """The paired difference ``after - before`` of two levels, per KPI (95 % t interval)."""

    name: str  # the level reached (``"total"`` for the whole ladder)
    label: str
    before: str  # level names
    after: str
    difference: dict[str, Estimate]


@dataclass
class Ladder:
    """Every level's runs, on the same seeds in the same order.

    The steps add up to the whole difference: for every seed the step differences
    ``x[1] - x[0], x[2] - x[1], ...`` telescope to ``x[-1] - x[0]``, so the sum of the
    steps' mean differences equals the total's mean difference (up to float rounding),
    for every KPI that has a value at every level in every run. Their intervals do not
    add up: each is the interval of its own step.
    """

    levels: tuple[Level, ...]
    seeds: tuple[int, ...]
    results: dict[str, list[Result]]  # level name -> runs in seed order

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(lv.name for lv in self.levels)

    def level(self, name: str) -> Level:
        for lv in self.levels:
            if lv.name == name:
                return lv
        raise KeyError(f"no level {name!r}; the levels are {list(self.names)}")

    def estimates(self, name: str) -> dict[str, Estimate]:
        """Mean and 95 % interval of every KPI over the runs of level ``name``."""
        return summarize([r.kpis for r in self.results[name]])

    def summarize(self) -> dict[str, dict[str, Estimate]]:
        """Per level (in ladder order), the estimate of every KPI."""
        return {name: self.estimates(name) for name in self.names}

    def _difference(self, before: Level, after: Level, name: str, label: str) -> Step:
        a = [r.kpis for r in self.results[before.name]]
        b = [r.kpis for r in self.results[after.name]]
        return Step(name, label, before.name, after.name, paired_difference(a, b))

    def steps(self) -> list[Step]:
        """For each level after the first, what it adds: its paired difference to the one before."""
        pairs = zip(self.levels[:-1], self.levels[1:], strict=True)
        return [self._difference(a, b, b.name, b.label) for a, b in pairs]

    def total(self) -> Step:
        """The whole ladder: the last level minus the first, paired by seed."""
        first, last = self.levels[0], self.levels[-1]
        return self._difference(first, last, "total", f"total: {first.name} -> {last.name}")

    def kpi_names(self) -> list[str]:
        """Every KPI name of the runs, in the order they first appear."""
        return list(dict.fromkeys(k for name in self.names for r in self.results[name] for k in r.kpis))

    def table(self, kpis: list[str] | None = None) -> pd.DataFrame:
        """One row per step (then the total) and KPI: the step's mean difference, its 95 %
        interval half-width and number of paired runs, and the means of the levels before
        and after it (``kpis`` default: all)."""
        names = self.kpi_names() if kpis is None else list(kpis)
        means = {lv: {k: e.mean for k, e in est.items()} for lv, est in self.summarize().items()}
        rows = []
        for step in [*self.steps(), self.total()]:
            for kpi in names:
                d = step.difference.get(kpi, Estimate(float("nan"), float("nan"), 0))
                rows.append(
                    {
                        "step": step.name,
                        "label": step.label,
                        "kpi": kpi,
                        "mean": d.mean,
                        "ci95_half_width": d.half_width,
                        "n": d.n,
                        "before": means[step.before].get(kpi, float("nan")),
                        "after": means[step.after].get(kpi, float("nan")),
                    }
                )
        return pd.DataFrame(
            rows, columns=["step", "label", "kpi", "mean", "ci95_half_width", "n", "before", "after"]
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per level and KPI: ``level``, ``label``, ``kpi``, the level's mean and
        95 % interval (``mean``, ``ci95_low``, ``ci95_high``, ``ci95_half_width``, ``n``) and
        what the step to it adds, the paired difference to the level before with its
        interval (``step_mean``, ``step_ci95_low``, ...; NaN on the first level)."""
        steps = {step.name: step.difference for step in self.steps()}
        frames = [
            estimates_frame(
                self.estimates(lv.name),
                {"level": lv.name, "label": lv.label},
                steps.get(lv.name, {}),
                "step_",
            )
            for lv in self.levels
        ]
        return pd.concat(frames, ignore_index=True)

    def __repr__(self) -> str:
        first = self.levels[0].scenario
        head = (
            f"<Ladder {first.name!r}: {len(self.levels)} levels ({', '.join(self.names)}) on "
            f"{seeds_text(self.seeds)}, {first.days} days"
        )
        ends = [self.levels[0].name, self.levels[-1].name]
        lines = headline_lines(ends, [self.estimates(n) for n in ends], self.total().difference)
        return "\n".join([head, *lines, "  (every level and step: .to_frame(), .table())>"])


def ladder(
    scenario: Scenario,
    replications: int | None = None,
    *,
    on_done: Callable[[str, Result], None] | None = None,
    on_day: Callable[[int], None] | None = None,
) -> Ladder:
    """Run every level of :func:`ladder_levels` on the same seeds and the same county.

    ``replications`` defaults to the scenario's; the seeds are
    :func:`~sim.api.runs.replication_seeds`. ``on_done(level_name, result)`` follows
    progress run by run, ``on_day`` day by day. The steps' mean differences add up to the
    total's (see :class:`Ladder`).
    """
    levels = ladder_levels(scenario)
    seeds = replication_seeds(scenario, replications)
    world = build_world(scenario)
    results: dict[str, list[Result]] = {}
    for level in levels:
        results[level.name] = []
        for seed in seeds:
            result = run(level.scenario, seed, world=world, on_day=on_day)
            results[level.name].append(result)
            if on_done is not None:
                on_done(level.name, result)
    return Ladder(levels=tuple(levels), seeds=tuple(seeds), results=results)
