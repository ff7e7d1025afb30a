"""One simulation run: the SimPy environment, the ledger and the processes."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
import simpy

from sim.demand import Calendar, InboundParcels, draw_inbound_parcels, expected_daily_parcels
from sim.ledger import PARCEL_IN, Ledger
from sim.model.lastmile import LastMile, Operation, build_operations
from sim.model.trips import TripLog
from sim.model.world import World, build_world
from sim.scenario.schema import Scenario


@dataclass
class RawRun:
    """What a run leaves behind before KPIs: the ledger, trips and context."""

    scenario: Scenario
    seed: int
    world: World
    ledger: Ledger
    trips: TripLog
    operations: list[Operation]
    parcel_rows: np.ndarray
    parcels: InboundParcels
    calendar: Calendar
    demand_days: int
    horizon_days: int
    events: int
    wall_s: float


def drain_days(scenario: Scenario) -> int:
    """Days simulated after the last demand day so its items can be delivered."""
    return int(math.ceil(scenario.kpi.sla_hours / 24.0)) + 1


class _CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes."""

    def __init__(self) -> None:
        super().__init__()
        self.events_processed = 0

    def step(self) -> None:
        self.events_processed += 1
        super().step()


def simulate(
    scenario: Scenario,
    seed: int,
    world: World | None = None,
    on_day: Callable[[int], None] | None = None,
) -> RawRun:
    """Run the scenario once with ``seed``; every draw comes from one SeedSequence tree.

    ``on_day(day)`` is called after each demand day (for progress bars).
    """
    started = time.perf_counter()
    world = build_world(scenario) if world is None else world
    demand_days = scenario.days
    horizon = demand_days + drain_days(scenario)
    calendar = Calendar.build(scenario.start_date, horizon, scenario.parcels.promotion_dates)
    demand_seed, _reserve = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(demand_seed)
    demand_calendar = Calendar(
        weekday=calendar.weekday[:demand_days],
        promotion=calendar.promotion[:demand_days],
        dates=calendar.dates[:demand_days],
    )
    fixed = None
    if scenario.parcels.fixed_per_village is not None:
        names = world.village_names
        fixed = np.array([scenario.parcels.fixed_per_village.get(n, 0) for n in names])
        expected = np.broadcast_to(fixed, (len(scenario.carriers), len(names))).astype(float)
    else:
        expected = expected_daily_parcels(scenario.parcels, scenario.carriers, world.village_population)
    parcels = draw_inbound_parcels(
        rng,
        scenario.parcels,
        scenario.carriers,
        world.village_population,
        demand_calendar,
        fixed_counts=fixed,
        fetch_delay_hours=(
            scenario.self_pickup.delay_hours_min,
            scenario.self_pickup.delay_hours_max,
        ),
    )
    ledger = Ledger(capacity=max(1024, len(parcels)))
    sla = scenario.kpi.sla_hours * 60.0
    rows = ledger.add(
        flow=PARCEL_IN,
        operator=parcels.carrier,
        origin=world.hub,
        destination=world.villages[parcels.village],
        created_t=parcels.created_t,
        weight_kg=parcels.weight_kg,
        volume_m3=parcels.volume_m3,
        deadline_t=parcels.created_t + sla,
    )
    env = _CountingEnvironment()
    trips = TripLog()
    operations = build_operations(scenario, world, expected)
    lastmile = LastMile(
        env,
        scenario,
        world,
        ledger,
        trips,
        parcels,
        rows,
        operations,
        calendar.weekday,
        demand_days,
    )
    lastmile.start(horizon)
    if on_day is not None:
        env.process(_ticker(env, demand_days, on_day))
    env.run(until=horizon * 1440.0)
    lastmile.fetch_due(env.now)
    return RawRun(
        scenario=scenario,
        seed=seed,
        world=world,
        ledger=ledger,
        trips=trips,
        operations=operations,
        parcel_rows=rows,
        parcels=parcels,
        calendar=calendar,
        demand_days=demand_days,
        horizon_days=horizon,
        events=env.events_processed,
        wall_s=time.perf_counter() - started,
    )


def _ticker(env: simpy.Environment, days: int, on_day: Callable[[int], None]) -> Generator:
    for day in range(days):
        yield env.timeout((day + 1) * 1440.0 - env.now)
        on_day(day)
