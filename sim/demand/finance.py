"""Finance: counter transactions at village points (withdrawals, deposits)."""

from __future__ import annotations

import numpy as np

from sim.demand.calendar import Calendar
from sim.demand.items import ItemBatch, draw_cells, per_day
from sim.records.ledger import FINANCE
from sim.scenario.flows import Finance
from sim.units import MINUTES_PER_DAY


def draw_transactions(
    rng: np.random.Generator,
    settings: Finance,
    village_node: np.ndarray,
    village_population: np.ndarray,
    owner: int,
    calendar: Calendar,
) -> ItemBatch:
    """Transactions per village and day (Poisson by population) during opening hours.

    ``extra["cash_yuan"]`` is the change to the counter's cash box: negative for a
    withdrawal, positive for a deposit.
    """
    rate = per_day(village_population, settings.per_1000_residents_per_day)
    day, village = draw_cells(rng, np.broadcast_to(rate, (len(calendar), len(rate))))
    n = len(day)
    created = day * MINUTES_PER_DAY + rng.uniform(
        settings.open_from, max(settings.open_until, settings.open_from), n
    )
    amount = settings.amount_median_yuan * np.exp(settings.amount_sigma * rng.standard_normal(n))
    withdrawal = rng.random(n) < settings.withdrawal_share
    node = village_node[village]
    return ItemBatch(
        flow=FINANCE,
        owner=np.full(n, owner, dtype=np.int16),
        origin=node,
        destination=node,
        created_t=created,
        weight_kg=np.zeros(n),
        volume_m3=np.zeros(n),
        deadline_t=created,
        extra={"cash_yuan": np.where(withdrawal, -amount, amount)},
    ).sorted_by_time()
