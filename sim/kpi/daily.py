"""Tables of a run: per day (items created and delivered, trips, km, cost and CO2) and per
owned fleet (vehicles, standing cost, vehicle-days driven)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.records import RunRecord
from sim.records.ledger import DELIVERED, FETCHED
from sim.units import MINUTES_PER_DAY


def daily_table(rec: RunRecord) -> pd.DataFrame:
    """One row per simulated day (drain days included, ``measured`` marks the window).

    ``vehicle_km`` counts vans, trucks and trunks; the km of bus trips that carried
    cargo are in ``bus_cargo_km`` (the bus runs anyway). ``cost_yuan`` is the day's trips
    plus what the owned fleets cost standing that day (``fleet_standing_yuan``), so the
    measured days add up to the operator cost.
    """
    led, window = rec.ledger, rec.window
    days = window.horizon_days
    created_day = np.floor(led.created_t / MINUTES_PER_DAY).astype(int)
    done_t = np.nan_to_num(led.delivered_t, nan=-MINUTES_PER_DAY)
    done_day = np.floor(done_t / MINUTES_PER_DAY).astype(int)
    delivered = (led.status == DELIVERED) & (done_day >= 0)
    fetched = (led.status == FETCHED) & (done_day >= 0)
    on_time = delivered & (led.delivered_t <= led.deadline_t)
    trips = rec.trips.table()
    trip_day = trips["day"].astype(int)
    is_bus = trips["kind"] == "bus"
    km = trips["km"].astype(float)

    def per_day(index: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(index, weights=weights, minlength=days)[:days]

    day = np.arange(days)
    standing = np.full(days, sum(f.standing_yuan(1) for f in rec.fleets), dtype=float)
    return pd.DataFrame(
        {
            "day": day,
            "date": [d.isoformat() for d in rec.dates[:days]],
            "measured": window.contains(day),
            "items_created": per_day(created_day),
            "delivered_in_village": per_day(done_day[delivered]),
            "fetched_by_villagers": per_day(done_day[fetched]),
            "delivered_on_time": per_day(created_day[on_time]),
            "trips": per_day(trip_day),
            "vehicle_km": per_day(trip_day, np.where(is_bus, 0.0, km)),
            "bus_cargo_km": per_day(trip_day, np.where(is_bus, km, 0.0)),
            "cost_yuan": per_day(trip_day, trips["cost_yuan"].astype(float)) + standing,
            "fleet_standing_yuan": standing,
            "co2_kg": per_day(trip_day, trips["co2_kg"].astype(float)),
        }
    )


def fleet_table(rec: RunRecord) -> pd.DataFrame:
    """One row per owned fleet: vehicles kept, their standing cost over the measured days,
    and the vehicle-days they drove (a fleet on piece rates owns 0 vehicles)."""
    measured = rec.measured_days()
    days = rec.window.days
    return pd.DataFrame(
        {
            "operator": [f.operator for f in rec.fleets],
            "town": [f.town for f in rec.fleets],
            "vehicle_type": [f.vehicle_type for f in rec.fleets],
            "vehicles": [f.size for f in rec.fleets],
            "standing_yuan_per_day": [f.standing_yuan(days) / days for f in rec.fleets],
            "vehicle_days_owned": [f.size * int(measured.sum()) for f in rec.fleets],
            "vehicle_days_driven": [f.used_vehicle_days(measured) for f in rec.fleets],
        },
        columns=[
            "operator",
            "town",
            "vehicle_type",
            "vehicles",
            "standing_yuan_per_day",
            "vehicle_days_owned",
            "vehicle_days_driven",
        ],
    )
