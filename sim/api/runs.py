"""Run a scenario and get its results: the public entry points ``run`` and ``replicate``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.api.frames import HEADLINE_KPIS, estimates_frame, seeds_text, short_number
from sim.kpi import Estimate, backlog_table, compute_kpis, daily_table, fleet_table, summarize
from sim.model import simulate
from sim.records import FLOW_NAMES, STATUS_NAMES, RunRecord
from sim.scenario import Scenario
from sim.setup import World, build_world


@dataclass
class Result:
    """One run: flat KPIs plus the daily, per-trip and per-item tables behind them."""

    scenario: Scenario
    seed: int
    kpis: dict[str, float]
    record: RunRecord = field(repr=False)

    @property
    def trips(self) -> pd.DataFrame:
        """One row per vehicle trip (van, trunk, ...), with km, load, cost and CO2."""
        return pd.DataFrame(self.record.trips.table())

    @property
    def items(self) -> pd.DataFrame:
        """One row per item with readable flow, status and node names."""
        led, nodes = self.record.ledger, np.array(self.record.places.nodes)
        cols = dict(led.columns())
        table = pd.DataFrame(cols)
        table.insert(0, "id", np.arange(len(led)))
        table["flow"] = np.array(FLOW_NAMES)[cols["flow"]]
        table["status"] = np.array(STATUS_NAMES)[cols["status"]]
        for name in ("origin", "destination", "location"):
            idx = cols[name]
            table[name] = np.where(idx >= 0, nodes[np.clip(idx, 0, None)], "")
        return table

    @property
    def daily(self) -> pd.DataFrame:
        """Per simulated day: items created and delivered, trips, km, cost and CO2."""
        return daily_table(self.record)

    @property
    def fleets(self) -> pd.DataFrame:
        """Per owned fleet: vehicles, standing cost per day, vehicle-days owned and driven."""
        return fleet_table(self.record)

    @property
    def backlog(self) -> pd.DataFrame:
        """Per town station and day: items and kg owed at the end of the day."""
        return backlog_table(self.record)

    @property
    def world(self) -> World:
        """The county the run happened in (places, graph, travel matrices)."""
        return self.record.places

    def kpi_frame(self) -> pd.DataFrame:
        """One row per KPI: ``kpi``, ``mean`` (this run's value), ``ci95_low``, ``ci95_high``,
        ``ci95_half_width`` (NaN: one run has no interval) and ``n`` (1); for the interval
        over replications, :func:`kpi_frame` of the results."""
        return kpi_frame([self])

    def __repr__(self) -> str:
        s = self.scenario
        shown = ", ".join(f"{k}={short_number(self.kpis[k])}" for k in HEADLINE_KPIS if k in self.kpis)
        return (
            f"<Result {s.name!r}: {s.mode}, {s.days} days, {seeds_text([self.seed])}; {shown}; "
            f"{len(self.kpis)} KPIs in .kpis / .kpi_frame()>"
        )


def run(
    scenario: Scenario,
    seed: int | None = None,
    *,
    world: World | None = None,
    on_day: Callable[[int], None] | None = None,
) -> Result:
    """Simulate ``scenario`` once. ``seed`` defaults to the scenario's own seed.

    The result is a pure function of (scenario, seed): the same inputs give
    bit-identical KPIs.
    """
    seed = scenario.seed if seed is None else int(seed)
    record = simulate(scenario, seed, world=world, on_day=on_day)
    return Result(scenario=scenario, seed=seed, kpis=compute_kpis(record), record=record)


def replication_seeds(scenario: Scenario, replications: int | None = None) -> list[int]:
    """Seeds of the replications: the scenario seed, then the next integers."""
    n = scenario.replications if replications is None else replications
    return [scenario.seed + r for r in range(n)]


def replicate(
    scenario: Scenario,
    replications: int | None = None,
    *,
    seeds: Sequence[int] | None = None,
    on_done: Callable[[Result], None] | None = None,
    on_day: Callable[[int], None] | None = None,
) -> list[Result]:
    """Run the replications of a scenario (sharing one world); ``on_done`` follows progress."""
    seeds = list(seeds) if seeds is not None else replication_seeds(scenario, replications)
    world = build_world(scenario)
    results = []
    for seed in seeds:
        result = run(scenario, seed, world=world, on_day=on_day)
        results.append(result)
        if on_done is not None:
            on_done(result)
    return results


def summary(results: Sequence[Result]) -> dict[str, Estimate]:
    """Mean and 95 % interval of each KPI over replications."""
    return summarize([r.kpis for r in results])


def kpi_frame(results: Sequence[Result]) -> pd.DataFrame:
    """:func:`summary` as a tidy DataFrame: one row per KPI with ``kpi``, ``mean``,
    ``ci95_low``, ``ci95_high``, ``ci95_half_width`` and ``n`` (the runs that have it).

    >>> sim.kpi_frame(sim.replicate(scenario, 3)).set_index("kpi").loc["cost.yuan_per_item"]  # doctest: +SKIP
    """
    return estimates_frame(summary(results))
