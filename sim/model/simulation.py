"""One simulation run: draw the items, build the operations, run the SimPy processes."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
import simpy

from sim.demand import (
    Calendar,
    ItemBatch,
    draw_inbound_parcels,
    draw_outbound_parcels,
    draw_produce,
    draw_supply_orders,
    draw_transactions,
    expected_daily_parcels,
)
from sim.ledger import PARCEL_IN, Ledger
from sim.model.bus import BusNetwork, build_bus_network, bus_process
from sim.model.finance import CashBoxes
from sim.model.operations import Operation, build_operations, owner_codes
from sim.model.state import CountyState
from sim.model.trips import TripLog
from sim.model.trunk import trunk_process
from sim.model.vans import fleet_process
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
    calendar: Calendar
    demand_days: int
    horizon_days: int
    events: int
    wall_s: float
    self_dropped: np.ndarray  # outbound rows the sender took to the town outlet
    cash_lowest: np.ndarray  # per point, the lowest cash balance seen
    finance_offered: np.ndarray  # per point
    bus_lines: int


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
    manifests: bool = False,
) -> RawRun:
    """Run the scenario once with ``seed``; every draw comes from one SeedSequence tree.

    ``on_day(day)`` is called after each demand day (for progress bars); with
    ``manifests`` every trip keeps the times its items boarded and left (for checks).
    """
    started = time.perf_counter()
    s = scenario
    world = build_world(s) if world is None else world
    demand_days = s.days
    horizon = demand_days + drain_days(s)
    calendar = Calendar.build(s.start_date, horizon, s.parcels.promotion_dates)
    demand_cal = calendar.head(demand_days)
    streams = [np.random.default_rng(x) for x in np.random.SeedSequence(seed).spawn(5)]
    supply_owner, finance_owner = owner_codes(s)
    n_villages = len(world.villages)
    village_pop = world.village_population

    # -- demand: every item of the run, vectorised ------------------------------------
    fixed = None
    if s.parcels.fixed_per_village is not None:
        names = world.village_names
        fixed = np.array([s.parcels.fixed_per_village.get(n, 0) for n in names])
        expected = np.broadcast_to(fixed, (len(s.carriers), n_villages)).astype(float)
    else:
        expected = expected_daily_parcels(s.parcels, s.carriers, village_pop)
    point_pop = np.concatenate([village_pop, np.full(len(world.pois), 0.0)])
    inbound = draw_inbound_parcels(
        streams[0],
        s.parcels,
        s.carriers,
        point_pop,
        demand_cal,
        fixed_counts=None if fixed is None else np.concatenate([fixed, np.zeros(len(world.pois), int)]),
        fetch_delay_hours=(s.self_pickup.delay_hours_min, s.self_pickup.delay_hours_max),
        extra_per_point=np.concatenate(
            [np.zeros(n_villages), np.full(len(world.pois), s.poi.parcels_per_day)]
        )
        if fixed is None
        else None,
    )
    producing = np.zeros(n_villages, dtype=bool)
    producing[world.farm_point] = True
    poi_of_town = {
        world.towns[t]: int(p) for p, t in zip(world.pois.tolist(), world.poi_town.tolist(), strict=True)
    }
    other: list[ItemBatch] = [
        draw_outbound_parcels(
            streams[1], s.outbound, s.carriers, world.villages, village_pop, world.hub, demand_cal
        ),
        draw_supply_orders(
            streams[2], s.supply, world.villages, village_pop, producing, world.hub, supply_owner, demand_cal
        ),
        draw_produce(
            streams[3],
            s.produce,
            world.farm_crops,
            world.farm_town,
            world.villages[world.farm_point],
            world.hub,
            supply_owner,
            demand_cal,
            poi_of_town,
        ),
        draw_transactions(streams[4], s.finance, world.villages, village_pop, finance_owner, demand_cal),
    ]
    ledger = Ledger(capacity=max(1024, len(inbound) + sum(len(b) for b in other)))
    sla = s.kpi.sla_hours * 60.0
    points = world.points
    in_rows = ledger.add(
        flow=PARCEL_IN,
        operator=inbound.carrier,
        origin=world.hub,
        destination=points[inbound.village],
        created_t=inbound.created_t,
        weight_kg=inbound.weight_kg,
        volume_m3=inbound.volume_m3,
        deadline_t=inbound.created_t + sla,
    )
    batch_rows = [
        ledger.add(
            flow=b.flow,
            operator=b.owner,
            origin=b.origin,
            destination=b.destination,
            created_t=b.created_t,
            weight_kg=b.weight_kg,
            volume_m3=b.volume_m3,
            deadline_t=b.deadline_t,
        )
        for b in other
    ]
    own_trip_delay = np.zeros(len(ledger))  # how long addressees / senders take to go to town
    own_trip_delay[in_rows] = inbound.fetch_delay_min
    own_trip_delay[batch_rows[0]] = other[0].extra["self_drop_delay_min"]

    # -- operations and processes -------------------------------------------------------
    env = _CountingEnvironment()
    ops = build_operations(s, world, expected)
    op_of_owner = np.full(finance_owner + 1, -1, dtype=np.int64)
    for k, op in enumerate(ops):
        op_of_owner[list(op.owners)] = k
    st = CountyState(
        env=env,
        s=s,
        world=world,
        ledger=ledger,
        trips=TripLog(keep_manifests=manifests),
        ops=ops,
        op_of_owner=op_of_owner,
        weekday=calendar.weekday,
        demand_days=demand_days,
        horizon_days=horizon,
        fetch_delay=own_trip_delay,
        point_of_node=world.point_of_node,
        town_of_station={int(n): t for t, n in enumerate(world.station)},
        visits=[[] for _ in range(len(points))],
    )
    fin_op = ops[op_of_owner[finance_owner]] if op_of_owner[finance_owner] >= 0 else None
    offered = np.zeros(len(points), dtype=bool)
    if fin_op is not None and fin_op.offers_finance:
        offered[:n_villages] = True
    cash = CashBoxes(st, batch_rows[3], other[3].extra["cash_yuan"], offered)
    buses = build_bus_network(s, world) if any(op.carries_bus for op in ops) else BusNetwork([], len(points))

    env.process(_linehaul(st, inbound.carrier, in_rows))
    env.process(_daily_creation(st, batch_rows[:3], batch_rows[3]))
    for op in ops:
        if op.station_based:
            env.process(trunk_process(st, op))
        for fleet in op.fleets:
            env.process(fleet_process(st, op, fleet, buses if op.carries_bus else None))
        if op.carries_bus:
            for i in range(len(buses.runs)):
                env.process(bus_process(st, op, buses, i))
    env.process(cash.process())
    env.process(_self_pickup(st))
    if on_day is not None:
        env.process(_ticker(env, demand_days, on_day))
    env.run(until=horizon * 1440.0)
    _fetch_due(st, env.now)
    _spoil_remaining(st, env.now)
    return RawRun(
        scenario=s,
        seed=seed,
        world=world,
        ledger=ledger,
        trips=st.trips,
        operations=ops,
        calendar=calendar,
        demand_days=demand_days,
        horizon_days=horizon,
        events=env.events_processed,
        wall_s=time.perf_counter() - started,
        self_dropped=np.concatenate(st.self_dropped) if st.self_dropped else np.empty(0, dtype=np.int64),
        cash_lowest=cash.lowest,
        finance_offered=offered,
        bus_lines=len(buses.runs),
    )


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
    day_of = [np.floor(led.created_t[r] / 1440.0).astype(np.int64) for r in rows]
    bounds = [np.searchsorted(d, np.arange(st.demand_days + 1)) for d in day_of]
    f_day = np.floor(led.created_t[finance] / 1440.0).astype(np.int64)
    f_bounds = np.searchsorted(f_day, np.arange(st.demand_days + 1))
    for day in range(st.demand_days):
        yield env.timeout(day * 1440.0 - env.now)
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
                    _self_drop(st, op, mine[~served], point[~served])
                # A hub-based operation without vehicles collects nothing: its lots stay at
                # the village point (and spoil there, recorded at the end of the run).


def _self_drop(st: CountyState, op: Operation, rows: np.ndarray, point: np.ndarray) -> None:
    """Senders in villages without pickup take their parcels to the town outlet themselves."""
    if not len(rows):
        return
    led, w = st.ledger, st.world
    delay = st.fetch_delay[rows]
    for t in np.unique(w.point_town[point]).tolist():
        sel = w.point_town[point] == t
        station = int(w.station[t])
        led.move(rows[sel], station)
        op.station_fleet[t].outgoing.push(rows[sel], led.created_t[rows[sel]] + delay[sel])
    st.self_dropped.append(rows)


def _self_pickup(st: CountyState) -> Generator:
    """Once a day, parcels whose addressees have come by are marked fetched (at their own times)."""
    for day in range(1, st.horizon_days + 1):
        yield st.env.timeout(day * 1440.0 - st.env.now)
        _fetch_due(st, st.env.now)


def _fetch_due(st: CountyState, now: float) -> None:
    for op in st.ops:
        if not op.fetch_rows:
            continue
        rows, t = np.concatenate(op.fetch_rows), np.concatenate(op.fetch_t)
        due = t <= now
        st.ledger.fetch(rows[due], t[due])
        op.fetch_rows = [rows[~due]] if (~due).any() else []
        op.fetch_t = [t[~due]] if (~due).any() else []


def _spoil_remaining(st: CountyState, now: float) -> None:
    """At the end, produce still waiting past its shelf life is recorded as spoiled."""
    led = st.ledger
    from sim.ledger import PRODUCE, WAITING

    rows = np.flatnonzero((led.status == WAITING) & (led.flow == PRODUCE) & (led.deadline_t < now))
    if len(rows):
        led.expire(rows, led.deadline_t[rows])


def _ticker(env: simpy.Environment, days: int, on_day: Callable[[int], None]) -> Generator:
    for day in range(days):
        yield env.timeout((day + 1) * 1440.0 - env.now)
        on_day(day)
