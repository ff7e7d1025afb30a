"""Run a scenario and get its results: the public entry points ``run`` and ``replicate``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.kpi import Estimate, compute_kpis, summarize
from sim.ledger import DELIVERED, FETCHED, FLOW_NAMES, STATUS_NAMES
from sim.model import RawRun, World, build_world, simulate
from sim.scenario import Scenario


@dataclass
class Result:
    """One run: flat KPIs plus the daily, per-trip and per-item tables behind them."""

    scenario: Scenario
    seed: int
    kpis: dict[str, float]
    raw: RawRun = field(repr=False)

    @property
    def trips(self) -> pd.DataFrame:
        """One row per vehicle trip (van, trunk, ...), with km, load, cost and CO2."""
        return pd.DataFrame(self.raw.trips.table())

    @property
    def items(self) -> pd.DataFrame:
        """One row per item with readable flow, status and node names."""
        led, nodes = self.raw.ledger, np.array(self.raw.world.nodes)
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
        """Per simulated day: items created and delivered, trips, km, cost and CO2.

        ``vehicle_km`` counts vans, trucks and trunks; the km of bus trips that carried
        cargo are in ``bus_cargo_km`` (the bus runs anyway).
        """
        raw = self.raw
        led, days = raw.ledger, raw.horizon_days
        created_day = np.floor(led.created_t / 1440.0).astype(int)
        done_day = np.floor(np.nan_to_num(led.delivered_t, nan=-1440.0) / 1440.0).astype(int)
        delivered = (led.status == DELIVERED) & (done_day >= 0)
        fetched = (led.status == FETCHED) & (done_day >= 0)
        on_time = delivered & (led.delivered_t <= led.deadline_t)
        trips = raw.trips.table()
        tday = trips["day"].astype(int) if len(trips["trip"]) else np.zeros(0, dtype=int)
        is_bus = trips["kind"] == "bus" if len(tday) else np.zeros(0, dtype=bool)  # buses run anyway

        def per_day(index: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
            return np.bincount(index, weights=weights, minlength=days)[:days]

        return pd.DataFrame(
            {
                "day": np.arange(days),
                "date": [d.isoformat() for d in raw.calendar.dates[:days]],
                "measured": (np.arange(days) >= self.scenario.warmup_days)
                & (np.arange(days) < raw.demand_days),
                "items_created": per_day(created_day),
                "delivered_in_village": per_day(done_day[delivered]),
                "fetched_by_villagers": per_day(done_day[fetched]),
                "delivered_on_time": per_day(created_day[on_time]),
                "trips": per_day(tday),
                "vehicle_km": per_day(
                    tday, np.where(is_bus, 0.0, trips["km"].astype(float)) if len(tday) else None
                ),
                "bus_cargo_km": per_day(
                    tday, np.where(is_bus, trips["km"].astype(float), 0.0) if len(tday) else None
                ),
                "cost_yuan": per_day(tday, trips["cost_yuan"].astype(float) if len(tday) else None),
                "co2_kg": per_day(tday, trips["co2_kg"].astype(float) if len(tday) else None),
            }
        )

    @property
    def world(self) -> World:
        return self.raw.world


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
    raw = simulate(scenario, seed, world=world, on_day=on_day)
    return Result(scenario=scenario, seed=seed, kpis=compute_kpis(raw), raw=raw)


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
