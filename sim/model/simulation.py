"""One simulation run: draw the items, build the operations, run the SimPy processes."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator

import numpy as np
import simpy

from sim.demand import Calendar
from sim.demand.calendar import Wave
from sim.model.bus import BusNetwork, bus_process
from sim.model.finance import CashBoxes
from sim.model.items import RunItems, draw_items
from sim.model.operations import Operation, build_operations, owner_codes
from sim.model.state import CountyState
from sim.model.trunk import trunk_process
from sim.model.vans import fleet_process
from sim.model.variability import TripTimes
from sim.model.villagers import Villagers
from sim.records import FleetRecord, MeasuredWindow, RunRecord, TripLog
from sim.records.ledger import PRODUCE, WAITING
from sim.scenario import Scenario
from sim.setup import World, build_world
from sim.units import MINUTES_PER_DAY

HOURS_PER_DAY = 24.0


def drain_days(scenario: Scenario) -> int:
    """Days simulated after the last demand day so its items can be delivered."""
    return int(math.ceil(scenario.kpi.sla_hours / HOURS_PER_DAY)) + 1


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
    manifests: bool = False,
) -> RunRecord:
    """Run the scenario once with ``seed``; every draw comes from one SeedSequence tree,
    each flow from a stream named for it (:mod:`sim.demand.streams`).

    ``on_day(day)`` is called after each demand day (for progress bars); with
    ``manifests`` every trip keeps the times its items boarded and left (for checks).
    """
    started = time.perf_counter()
    s = scenario
    world = build_world(s) if world is None else world
    horizon = s.days + drain_days(s)
    calendar = Calendar.build(s.start_date, horizon, s.parcels.promotion_dates, promotion_waves(s))
    items = draw_items(s, world, calendar.head(s.days), seed)
    ops = build_operations(s, world, items.expected_parcels)
    st = _county_state(s, world, items, ops, calendar, horizon, manifests, seed)
    offered = _finance_offered(s, world, st)
    cash = CashBoxes(st, items.finance_rows, items.finance_cash_yuan, offered)
    buses = BusNetwork(world.bus_lines if any(op.carries_bus for op in ops) else ())
    _start_processes(st, items, buses, cash, on_day)
    st.env.run(until=horizon * MINUTES_PER_DAY)
    st.villagers.fetch_due(st.env.now)
    _spoil_remaining(st, st.env.now)
    return RunRecord(
        scenario=s,
        seed=seed,
        places=world,
        ledger=items.ledger,
        trips=st.trips,
        operations=tuple(op.name for op in ops),
        dates=calendar.dates,
        window=MeasuredWindow(s.warmup_days, s.days, horizon),
        events=st.env.events_processed,
        wall_s=time.perf_counter() - started,
        self_dropped=st.villagers.dropped(),
        cash_lowest=cash.lowest,
        finance_offered=offered,
        bus_lines=len(buses.runs),
        fleets=_fleet_records(ops, world, horizon),
        cold_storage_yuan=st.cold.yuan_by_day,
        unserved=st.unserved,
    )


def promotion_waves(s: Scenario) -> list[Wave]:
    """The scenario's promotions as calendar waves."""
    return [
        Wave(p.date, p.lag_days, p.peak_factor, p.decay_days, p.length_days) for p in s.parcels.promotions
    ]


def _fleet_records(ops: list[Operation], world: World, horizon: int) -> tuple[FleetRecord, ...]:
    """Every van fleet and cooperative fleet: what it owns, and how many drove each day."""
    out = []
    for op in ops:
        for fleet in op.fleets:
            used = np.zeros(horizon, dtype=np.int64)
            for day, n in fleet.used_today.items():
                used[day] = n
            out.append(
                FleetRecord(
                    operator=op.name,
                    town=world.towns[fleet.town] if fleet.town >= 0 else "",
                    vehicle_type=fleet.vehicle_name,
                    size=fleet.owned_vehicles(),
                    day_rate_yuan=fleet.vehicle.cost_per_day,
                    vehicles_used=used,
                )
            )
    return tuple(out)


def _county_state(
    s: Scenario,
    world: World,
    items: RunItems,
    ops: list[Operation],
    calendar: Calendar,
    horizon: int,
    manifests: bool,
    seed: int,
) -> CountyState:
    op_of_owner = np.full(owner_codes(s)[1] + 1, -1, dtype=np.int64)
    for k, op in enumerate(ops):
        op_of_owner[list(op.owners)] = k
    return CountyState(
        env=_CountingEnvironment(),
        s=s,
        world=world,
        ledger=items.ledger,
        trips=TripLog(keep_manifests=manifests),
        ops=ops,
        op_of_owner=op_of_owner,
        weekday=calendar.weekday,
        demand_days=s.days,
        horizon_days=horizon,
        villagers=Villagers(items.ledger, world, items.trip_delay_min, s.finance.branch_trip_speed_factor),
        point_of_node=world.point_of_node,
        town_of_station={int(n): t for t, n in enumerate(world.station)},
        times=TripTimes.build(s.variability, seed, horizon),
        visits=[[] for _ in range(len(world.points))],
    )


def _finance_offered(s: Scenario, world: World, st: CountyState) -> np.ndarray:
    """Per point: a finance counter, where the operation owning finance offers one (villages)."""
    finance_op = st.op_of_owner[owner_codes(s)[1]]
    offered = np.zeros(len(world.points), dtype=bool)
    if finance_op >= 0 and st.ops[finance_op].offers_finance:
        offered[: len(world.villages)] = True
    return offered


def _start_processes(
    st: CountyState,
    items: RunItems,
    buses: BusNetwork,
    cash: CashBoxes,
    on_day: Callable[[int], None] | None,
) -> None:
    """Every process of the run, in a fixed order (it decides ties between events)."""
    env = st.env
    env.process(_linehaul(st, items.inbound_carrier, items.inbound_rows))
    batches = [items.outbound_rows, items.supply_rows, items.produce_rows]
    env.process(_daily_creation(st, batches, items.finance_rows))
    for op in st.ops:
        if op.station_based:
            env.process(trunk_process(st, op))
        for fleet in op.fleets:
            env.process(fleet_process(st, op, fleet, buses if op.carries_bus else None))
        if op.carries_bus:
            for i in range(len(buses.runs)):
                env.process(bus_process(st, op, buses, i))
    env.process(cash.process())
    env.process(st.villagers.process(env, st.horizon_days))
    if on_day is not None:
        env.process(_ticker(env, st.demand_days, on_day))


def _linehaul(st: CountyState, carrier: np.ndarray, rows: np.ndarray) -> Generator:
    """Each carrier's trunk reaches the county hub: its parcels come into being there."""
    led, env = st.ledger, st.env
    created = led.created_t[rows]
    times, starts = np.unique(created, return_index=True)
    bounds = np.append(starts, len(rows))
    for k, t in enumerate(times.tolist()):
        yield env.timeout(t - env.now)
        batch = rows[bounds[k] : bounds[k + 1]]
        led.create(batch, st.world.hub)
        owners = carrier[bounds[k] : bounds[k + 1]]
        for owner in np.unique(owners).tolist():
            op = st.ops[st.op_of_owner[owner]]
            st.arrive(op, batch[owners == owner], st.world.hub, t)


def _daily_creation(st: CountyState, rows: list[np.ndarray], finance: np.ndarray) -> Generator:
    """At the start of each day, that day's items are put where they start, ready at their time."""
    led, env, w = st.ledger, st.env, st.world
    day_of = [np.floor(led.created_t[r] / MINUTES_PER_DAY).astype(np.int64) for r in rows]
    bounds = [np.searchsorted(d, np.arange(st.demand_days + 1)) for d in day_of]
    f_day = np.floor(led.created_t[finance] / MINUTES_PER_DAY).astype(np.int64)
    f_bounds = np.searchsorted(f_day, np.arange(st.demand_days + 1))
    for day in range(st.demand_days):
        yield env.timeout(day * MINUTES_PER_DAY - env.now)
        led.create(
            finance[f_bounds[day] : f_bounds[day + 1]], led.origin[finance[f_bounds[day] : f_bounds[day + 1]]]
        )
        for r, b in zip(rows, bounds, strict=True):
            today = r[b[day] : b[day + 1]]
            if not len(today):
                continue
            led.create(today, led.origin[today])
            owners = led.operator[today]
            for owner in np.unique(owners).tolist():
                op = st.ops[st.op_of_owner[owner]]
                mine = today[owners == owner]
                if led.origin[mine[0]] == w.hub:
                    st.arrive(op, mine, w.hub, led.created_t[mine])
                    continue
                point = st.point_of_node[led.origin[mine]]
                served = op.in_village[point]
                town = w.point_town[point]
                for t in np.unique(town[served]).tolist():
                    sel = mine[served & (town == t)]
                    op.pickup_queue(t).push(sel, led.created_t[sel])
                if op.station_based:
                    st.villagers.drop_off(op, mine[~served], point[~served])
                # A hub-based operation without vehicles collects nothing: its lots stay at
                # the village point (and spoil there, recorded at the end of the run).


def _spoil_remaining(st: CountyState, now: float) -> None:
    """At the end, produce still waiting past its shelf life is recorded as spoiled."""
    led = st.ledger
    rows = np.flatnonzero((led.status == WAITING) & (led.flow == PRODUCE) & (led.deadline_t < now))
    if len(rows):
        led.expire(rows, led.deadline_t[rows])


def _ticker(env: simpy.Environment, days: int, on_day: Callable[[int], None]) -> Generator:
    for day in range(days):
        yield env.timeout((day + 1) * MINUTES_PER_DAY - env.now)
        on_day(day)
