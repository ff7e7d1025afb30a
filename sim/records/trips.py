"""The trip log: one row per vehicle trip, with its distance, load, cost and CO2.

Besides the trip's totals, each row keeps what it carried of every flow: ``items_<flow>``,
``kg_<flow>`` and ``m3_<flow>`` (``sim.kpi.cost`` shares the trip's cost among the flows
by one of them, the scenario's ``kpi.cost_driver``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.records.ledger import FLOW_NAMES
from sim.scenario.schema import VehicleType
from sim.units import MINUTES_PER_HOUR

TRIP_COLUMNS = (
    "trip",
    "day",
    "operator",
    "kind",
    "vehicle_type",
    "vehicle",
    "town",
    "start_t",
    "end_t",
    "km",
    "stops",
    "items",
    "kg",
    "peak_load_share",
    "cost_yuan",
    "hire_yuan",
    "overtime_yuan",
    "co2_kg",
    *(f"items_{f}" for f in FLOW_NAMES),
    *(f"kg_{f}" for f in FLOW_NAMES),
    *(f"m3_{f}" for f in FLOW_NAMES),
)
_ITEMS, _KG, _FLOWS, _PEAK = (
    TRIP_COLUMNS.index("items"),
    TRIP_COLUMNS.index("kg"),
    TRIP_COLUMNS.index("items_parcel_in"),
    TRIP_COLUMNS.index("peak_load_share"),
)


def flow_loads(flows: np.ndarray, kg: np.ndarray, m3: np.ndarray) -> list[float]:
    """Items, then kg, then m3 of each flow (in ``FLOW_NAMES`` order) among some items,
    given per item its flow, weight and volume: the ``items_``, ``kg_`` and ``m3_`` columns."""
    codes = np.asarray(flows, dtype=np.int64)
    n = len(FLOW_NAMES)
    counts = np.bincount(codes, minlength=n).tolist()
    kgs = np.bincount(codes, weights=np.asarray(kg, dtype=float), minlength=n).tolist()
    m3s = np.bincount(codes, weights=np.asarray(m3, dtype=float), minlength=n).tolist()
    return [*counts, *kgs, *m3s]


def trip_cost_yuan(vehicle: VehicleType, km: float, minutes: float, day_rate: bool) -> float:
    """What a vehicle trip costs: per km driven, per hour on the road, plus the vehicle's
    day rate when this trip is the one that charges it (``day_rate``)."""
    cost = km * vehicle.cost_per_km + minutes / MINUTES_PER_HOUR * vehicle.cost_per_hour
    if day_rate:
        cost += vehicle.cost_per_day
    return cost


@dataclass
class TripLog:
    """Append-only list of trips; ``table`` converts to columns at the end of a run.

    Kinds: ``van`` (a van or cooperative truck from its base; ``vehicle`` numbers it in its
    fleet, hired vans after the owned ones), ``trunk`` (hub and town stations), ``bus`` (a
    bus trip carrying cargo; its km are the bus's, run anyway, and its cost is the fee paid
    to the bus operator).
    """

    rows: list[list] = field(default_factory=list)
    routes: list[np.ndarray] = field(default_factory=list)  # node indices visited, base first and last
    keep_manifests: bool = False
    # Per trip, when kept (tests, debugging): capacity (items, kg, m3), and lists of
    # (rows, times, +1 boarding / -1 leaving) load changes.
    manifests: list[tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, int]]]] = field(default_factory=list)

    def note(self, trip: int, rows: np.ndarray, t: np.ndarray | float, sign: int) -> None:
        """Record that ``rows`` board (+1) or leave (-1) trip ``trip`` at ``t``."""
        if self.keep_manifests and len(rows):
            times = np.broadcast_to(np.asarray(t, dtype=float), np.shape(rows)).copy()
            self.manifests[trip][1].append((np.asarray(rows).copy(), times, sign))

    def __len__(self) -> int:
        return len(self.rows)

    def record(
        self,
        *,
        day: int,
        operator: str,
        kind: str,
        vehicle_name: str,
        vehicle: VehicleType | None,
        town: str,
        start_t: float,
        end_t: float,
        km: float,
        stops: int,
        flows: np.ndarray,
        kg: np.ndarray,
        m3: np.ndarray,
        peak_load_share: float,
        fixed_cost: bool,
        path: np.ndarray,
        cost_yuan: float | None = None,
        capacity: np.ndarray | None = None,
        hire_yuan: float = 0.0,
        overtime_yuan: float = 0.0,
        vehicle_id: int = -1,
    ) -> int:
        """Add a trip and return its id. ``flows``, ``kg`` and ``m3`` hold one entry per item
        on board (flow code, weight, volume). Vehicle cost is :func:`trip_cost_yuan`;
        ``cost_yuan`` overrides it (bus fees, piece rates), and a trip without a vehicle
        emits nothing. A hired van's fee for the day and overtime pay are added to the cost
        and kept in their own columns."""
        if cost_yuan is None:
            assert vehicle is not None
            cost_yuan = trip_cost_yuan(vehicle, km, end_t - start_t, fixed_cost)
        cost_yuan += hire_yuan + overtime_yuan
        co2 = km * vehicle.co2_kg_per_km if vehicle is not None else 0.0
        trip = len(self.rows)
        kg = np.asarray(kg, dtype=float)
        self.rows.append(
            [
                trip,
                day,
                operator,
                kind,
                vehicle_name,
                vehicle_id,
                town,
                start_t,
                end_t,
                km,
                stops,
                int(len(flows)),
                float(kg.sum()),
                peak_load_share,
                cost_yuan,
                hire_yuan,
                overtime_yuan,
                co2,
                *flow_loads(flows, kg, m3),
            ]
        )
        self.routes.append(path)
        if self.keep_manifests:
            self.manifests.append((capacity, []))
        return trip

    def add_load(self, trip: int, flows: np.ndarray, kg: np.ndarray, m3: np.ndarray) -> None:
        """Items picked up during a trip whose loads are decided stop by stop (trunks):
        one entry per item, as in :meth:`record`; every per-flow column grows."""
        row = self.rows[trip]
        kg = np.asarray(kg, dtype=float)
        row[_ITEMS] += int(len(flows))
        row[_KG] += float(kg.sum())
        for i, value in enumerate(flow_loads(flows, kg, m3)):
            row[_FLOWS + i] += value

    def raise_peak(self, trip: int, share: float) -> None:
        """The trip's peak load share is at least ``share`` (loads taken on the way)."""
        row = self.rows[trip]
        row[_PEAK] = max(row[_PEAK], share)

    def table(self) -> dict[str, np.ndarray]:
        """Columns as arrays (an empty log gives empty columns)."""
        if not self.rows:
            return {c: np.array([]) for c in TRIP_COLUMNS}
        cols = list(zip(*self.rows, strict=True))
        return {name: np.asarray(col) for name, col in zip(TRIP_COLUMNS, cols, strict=True)}
