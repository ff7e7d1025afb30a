"""Supply-and-marketing orders: village shops' weekly goods and seasonal farm inputs."""

from __future__ import annotations

import numpy as np

from sim.demand.calendar import Calendar
from sim.demand.items import ItemBatch, split_into_pieces
from sim.records.ledger import SUPPLY
from sim.scenario.fields import WEEKDAYS
from sim.scenario.flows import Supply
from sim.units import MINUTES_PER_DAY, MINUTES_PER_HOUR


def draw_supply_orders(
    rng: np.random.Generator,
    settings: Supply,
    village_node: np.ndarray,
    village_population: np.ndarray,
    producing: np.ndarray,
    depot: int,
    owner: int,
    calendar: Calendar,
) -> ItemBatch:
    """Each village orders once a week on its own order day; producing villages add
    farm inputs in their seasons. Orders are split into cases (ledger rows), created
    at the depot at ``order_time`` and due ``lead_time_hours`` later."""
    n_villages = len(village_node)
    order_days = np.array([WEEKDAYS.index(d) for d in settings.order_days])
    village_day = order_days[np.arange(n_villages) % len(order_days)]
    days = np.arange(len(calendar))
    orders = calendar.weekday[:, None] == village_day[None, :]  # (days, villages)
    base = village_population * settings.kg_per_resident_per_week
    kg = np.where(
        orders, base[None, :] * np.exp(settings.order_sigma * rng.standard_normal(orders.shape)), 0.0
    )
    for inp in settings.farm_inputs:
        season = calendar.in_season(inp.season_start, inp.season_end)
        kg += np.where(
            orders & season[:, None] & producing[None, :], inp.kg_per_producing_village_per_week, 0.0
        )
    flat = kg.ravel()
    lot, case_kg = split_into_pieces(flat, settings.case_kg)
    day, village = np.unravel_index(lot, kg.shape)
    created = days[day] * MINUTES_PER_DAY + settings.order_time
    n = len(lot)
    return ItemBatch(
        flow=SUPPLY,
        owner=np.full(n, owner, dtype=np.int16),
        origin=np.full(n, depot),
        destination=village_node[village],
        created_t=created,
        weight_kg=case_kg,
        volume_m3=case_kg * settings.m3_per_kg,
        deadline_t=created + settings.lead_time_hours * MINUTES_PER_HOUR,
        extra={"order": lot},
    ).sorted_by_time()
