"""The trip log: one row per vehicle trip, with its distance, load, cost and CO2."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.scenario.schema import VehicleType

TRIP_COLUMNS = (
    "trip",
    "day",
    "operator",
    "kind",
    "vehicle_type",
    "town",
    "start_t",
    "end_t",
    "km",
    "stops",
    "items",
    "kg",
    "peak_load_share",
    "cost_yuan",
    "co2_kg",
)


@dataclass
class TripLog:
    """Append-only list of trips; ``rows`` converts to a table at the end of a run."""

    rows: list[tuple] = field(default_factory=list)
    routes: list[np.ndarray] = field(default_factory=list)  # node indices visited, depot first and last

    def __len__(self) -> int:
        return len(self.rows)

    def record(
        self,
        *,
        day: int,
        operator: str,
        kind: str,
        vehicle_name: str,
        vehicle: VehicleType,
        town: str,
        start_t: float,
        end_t: float,
        km: float,
        stops: int,
        items: int,
        kg: float,
        peak_load_share: float,
        fixed_cost: bool,
        path: np.ndarray,
    ) -> int:
        """Add a trip and return its id; cost is per km, per hour, plus the day rate once."""
        cost = km * vehicle.cost_per_km + (end_t - start_t) / 60.0 * vehicle.cost_per_hour
        if fixed_cost:
            cost += vehicle.cost_per_day
        trip = len(self.rows)
        self.rows.append(
            (
                trip,
                day,
                operator,
                kind,
                vehicle_name,
                town,
                start_t,
                end_t,
                km,
                stops,
                items,
                kg,
                peak_load_share,
                cost,
                km * vehicle.co2_kg_per_km,
            )
        )
        self.routes.append(path)
        return trip

    def table(self) -> dict[str, np.ndarray]:
        """Columns as arrays (an empty log gives empty columns)."""
        if not self.rows:
            return {c: np.array([]) for c in TRIP_COLUMNS}
        cols = list(zip(*self.rows, strict=True))
        return {name: np.asarray(col) for name, col in zip(TRIP_COLUMNS, cols, strict=True)}
