"""The items of one run: every parcel, case, lot and transaction drawn, written into the ledger.

Demand (:mod:`sim.demand`) draws each flow from its own random stream; this module puts
the draws into one :class:`~sim.records.Ledger` and keeps what the processes need of them
(which rows belong to which flow, how long villagers take to go to town, the cash amounts).
Demand never depends on the mode: separate and integrated runs of one seed see the same
items.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.demand import (
    Calendar,
    InboundParcels,
    ItemBatch,
    draw_inbound_parcels,
    draw_outbound_parcels,
    draw_produce,
    draw_supply_orders,
    draw_transactions,
    expected_daily_parcels,
    flow_streams,
)
from sim.model.operations import owner_codes
from sim.records import Ledger
from sim.records.ledger import PARCEL_IN
from sim.scenario import Scenario
from sim.setup import World
from sim.units import MINUTES_PER_HOUR

MIN_LEDGER_ROWS = 1024


@dataclass
class RunItems:
    """The ledger of a run and the row sets the processes start from."""

    ledger: Ledger
    expected_parcels: np.ndarray  # (carriers, villages) parcels per average day
    inbound_rows: np.ndarray
    inbound_carrier: np.ndarray
    outbound_rows: np.ndarray
    supply_rows: np.ndarray
    produce_rows: np.ndarray
    finance_rows: np.ndarray
    finance_cash_yuan: np.ndarray  # per finance row: + deposit, - withdrawal
    trip_delay_min: np.ndarray  # per ledger row: how long addressees / senders take to go to town


def draw_items(s: Scenario, world: World, calendar: Calendar, seed: int) -> RunItems:
    """Draw every item of the demand days, each flow from its own named stream, and write
    them into a new ledger."""
    streams = flow_streams(seed)
    expected, fixed = _expected_parcels(s, world)
    inbound = _draw_inbound(s, world, calendar, streams["parcel_in"], fixed)
    batches = _draw_batches(s, world, calendar, streams)
    ledger = Ledger(capacity=max(MIN_LEDGER_ROWS, len(inbound) + sum(len(b) for b in batches)))
    in_rows = ledger.add(
        flow=PARCEL_IN,
        operator=inbound.carrier,
        origin=world.hub,
        destination=world.points[inbound.village],
        created_t=inbound.created_t,
        weight_kg=inbound.weight_kg,
        volume_m3=inbound.volume_m3,
        deadline_t=inbound.created_t + s.kpi.sla_hours * MINUTES_PER_HOUR,
    )
    rows = [
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
        for b in batches
    ]
    delay = np.zeros(len(ledger))
    delay[in_rows] = inbound.fetch_delay_min
    delay[rows[0]] = batches[0].extra["self_drop_delay_min"]
    return RunItems(
        ledger=ledger,
        expected_parcels=expected,
        inbound_rows=in_rows,
        inbound_carrier=inbound.carrier,
        outbound_rows=rows[0],
        supply_rows=rows[1],
        produce_rows=rows[2],
        finance_rows=rows[3],
        finance_cash_yuan=batches[3].extra["cash_yuan"],
        trip_delay_min=delay,
    )


def _expected_parcels(s: Scenario, world: World) -> tuple[np.ndarray, np.ndarray | None]:
    """Parcels per average day (carriers, villages), and the fixed counts if the scenario sets them."""
    if s.parcels.fixed_per_village is None:
        return expected_daily_parcels(s.parcels, s.carriers, world.village_population), None
    fixed = np.array([s.parcels.fixed_per_village.get(n, 0) for n in world.village_names])
    return np.broadcast_to(fixed, (len(s.carriers), len(world.villages))).astype(float), fixed


def _draw_inbound(
    s: Scenario, world: World, calendar: Calendar, rng: np.random.Generator, fixed: np.ndarray | None
) -> InboundParcels:
    """Inbound parcels for every point: villages by population, +N points at their own rate."""
    n_pois = len(world.pois)
    point_pop = np.concatenate([world.village_population, np.full(n_pois, 0.0)])
    extra = None
    if fixed is None:
        extra = np.concatenate([np.zeros(len(world.villages)), np.full(n_pois, s.poi.parcels_per_day)])
    return draw_inbound_parcels(
        rng,
        s.parcels,
        s.carriers,
        point_pop,
        calendar,
        fixed_counts=None if fixed is None else np.concatenate([fixed, np.zeros(n_pois, int)]),
        fetch_delay_hours=(s.self_pickup.delay_hours_min, s.self_pickup.delay_hours_max),
        extra_per_point=extra,
    )


def _draw_batches(
    s: Scenario, world: World, calendar: Calendar, streams: dict[str, np.random.Generator]
) -> list[ItemBatch]:
    """Outbound parcels, supply cases, produce lots and counter transactions, in that order."""
    supply_owner, finance_owner = owner_codes(s)
    w, pop = world, world.village_population
    producing = np.zeros(len(w.villages), dtype=bool)
    producing[w.farm_point] = True
    poi_of_town = {w.towns[t]: int(p) for p, t in zip(w.pois.tolist(), w.poi_town.tolist(), strict=True)}
    farm_villages = w.villages[w.farm_point]
    return [
        draw_outbound_parcels(
            streams["parcel_out"], s.outbound, s.carriers, w.villages, pop, w.hub, calendar
        ),
        draw_supply_orders(
            streams["supply"], s.supply, w.villages, pop, producing, w.hub, supply_owner, calendar
        ),
        draw_produce(
            streams["produce"],
            s.produce,
            w.farm_crops,
            w.farm_town,
            farm_villages,
            w.hub,
            supply_owner,
            calendar,
            poi_of_town,
        ),
        draw_transactions(streams["finance"], s.finance, w.villages, pop, finance_owner, calendar),
    ]
