"""Inbound parcels (last kilometre), drawn for the whole horizon at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.demand.calendar import Calendar
from sim.demand.items import draw_cells, draw_parcel_weights, items_of_cells, per_day
from sim.scenario.schema import Carrier, ParcelDemand
from sim.units import MINUTES_PER_DAY, MINUTES_PER_HOUR


@dataclass(frozen=True)
class InboundParcels:
    """Inbound parcels as arrays, sorted by creation time then carrier then village."""

    carrier: np.ndarray  # index into the scenario's carriers
    village: np.ndarray  # index into the world's points (villages, then +N points)
    created_t: np.ndarray  # line-haul arrival at the county hub, minutes
    weight_kg: np.ndarray
    volume_m3: np.ndarray
    fetch_delay_min: np.ndarray  # how long an addressee waits before fetching, if left at a station

    def __len__(self) -> int:
        return len(self.carrier)


def expected_daily_parcels(
    demand: ParcelDemand, carriers: Sequence[Carrier], village_population: np.ndarray
) -> np.ndarray:
    """Mean parcels per day, shape (carriers, villages), on an average day."""
    share = np.array([c.share for c in carriers])
    if demand.fixed_per_village is not None:
        raise ValueError("fixed demand has no expectation table; use fixed_counts")
    weekly = float(np.mean(demand.weekday_factors))
    per_village = per_day(village_population, demand.per_1000_residents_per_day) * weekly
    return share[:, None] * per_village[None, :]


def draw_inbound_parcels(
    rng: np.random.Generator,
    demand: ParcelDemand,
    carriers: Sequence[Carrier],
    village_population: np.ndarray,
    calendar: Calendar,
    *,
    fixed_counts: np.ndarray | None = None,
    fetch_delay_hours: tuple[float, float] = (24.0, 48.0),
    extra_per_point: np.ndarray | None = None,
) -> InboundParcels:
    """Draw all inbound parcels of the horizon.

    Counts per (day, carrier, village) are Poisson with mean population x rate
    x carrier share x weekday factor x the promotion waves' volume factor (x
    ``promotion_factor`` on single promotion days);
    ``fixed_counts`` (per village, per carrier per day) replaces the draw for
    hand-checkable scenarios. ``extra_per_point`` adds parcels per day at points
    without residents (the +N points). Weights are log-normal around the median, capped.
    """
    days = len(calendar.weekday)
    n_carriers, n_villages = len(carriers), len(village_population)
    if fixed_counts is not None:
        counts = np.broadcast_to(fixed_counts, (days, n_carriers, n_villages)).astype(np.int64)
        day, carrier, village = items_of_cells(counts)
    else:
        share = np.array([c.share for c in carriers])
        factor = np.asarray(demand.weekday_factors)[calendar.weekday]
        factor = factor * np.where(calendar.promotion, demand.promotion_factor, 1.0)
        if len(calendar.volume):
            factor = factor * calendar.volume
        rate = per_day(village_population, demand.per_1000_residents_per_day)
        if extra_per_point is not None:
            rate = rate + extra_per_point
        mean = factor[:, None, None] * share[None, :, None] * rate[None, None, :]
        day, carrier, village = draw_cells(rng, mean)
    arrival = np.array([c.linehaul_arrival for c in carriers])
    created = day * MINUTES_PER_DAY + arrival[carrier]
    n = len(day)
    weight = draw_parcel_weights(rng, demand.weight_median_kg, demand.weight_sigma, demand.weight_max_kg, n)
    lo, hi = fetch_delay_hours
    if hi > lo:
        delay = rng.uniform(lo * MINUTES_PER_HOUR, hi * MINUTES_PER_HOUR, size=n)
    else:
        delay = np.full(n, lo * MINUTES_PER_HOUR)
    order = np.lexsort((village, carrier, created))
    return InboundParcels(
        carrier=carrier[order].astype(np.int16),
        village=village[order].astype(np.int32),
        created_t=created[order],
        weight_kg=weight[order],
        volume_m3=weight[order] * demand.m3_per_kg,
        fetch_delay_min=delay[order],
    )
