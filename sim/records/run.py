"""The record of one run: what KPIs, tables and figures read, and nothing that runs.

A :class:`RunRecord` holds the item ledger, the trip log, the places of the county as
arrays (:class:`Places`), the simulated dates, the names of the operations and the
measured window. It is all that :mod:`sim.kpi` and :mod:`sim.report` see of a run:
they never import the SimPy model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from sim.records.fleets import FleetRecord
from sim.records.ledger import Ledger
from sim.records.trips import TripLog
from sim.scenario import Scenario
from sim.units import MINUTES_PER_DAY


@dataclass
class Places:
    """The places that matter, indexed 0..k-1, with the km between them.

    Items' ``origin``, ``destination`` and ``location`` are indices into ``nodes``.
    *Points* are where vehicles deliver and collect: the villages, then the +N points.
    ``road_xy`` holds every road of the network as a segment ``[[x0, y0], [x1, y1]]`` (km),
    for maps.
    """

    nodes: tuple[str, ...]
    km: np.ndarray  # (k, k) length of the fastest path
    xy: np.ndarray  # (k, 2) km
    road_xy: np.ndarray  # (roads, 2, 2) km
    hub: int
    towns: tuple[str, ...]
    station: np.ndarray  # node index of each town's station
    villages: np.ndarray  # node index of each village
    village_town: np.ndarray  # town index of each village
    village_population: np.ndarray
    pois: np.ndarray  # node index of each +N point
    poi_town: np.ndarray

    @property
    def village_names(self) -> list[str]:
        return [self.nodes[i] for i in self.villages]

    @cached_property
    def points(self) -> np.ndarray:
        """Delivery and collection points: the villages, then the +N points."""
        return np.concatenate([self.villages, self.pois])

    @cached_property
    def point_town(self) -> np.ndarray:
        return np.concatenate([self.village_town, self.poi_town])

    @cached_property
    def point_of_node(self) -> np.ndarray:
        """Point number of each node index, -1 where the node is not a point."""
        out = np.full(len(self.nodes), -1, dtype=np.int64)
        out[self.points] = np.arange(len(self.points))
        return out

    @cached_property
    def village_of_node(self) -> np.ndarray:
        """Village number (0..V-1) of each node index, -1 where the node is not a village."""
        out = np.full(len(self.nodes), -1, dtype=np.int64)
        out[self.villages] = np.arange(len(self.villages))
        return out

    def town_trip_km(self, nodes: np.ndarray) -> np.ndarray:
        """Round-trip km from points (node indices) to their town's station.

        What a villager drives to fetch a parcel, drop one off or visit the bank branch.
        """
        station = self.station[self.point_town[self.point_of_node[nodes]]]
        return 2.0 * self.km[nodes, station]


@dataclass(frozen=True)
class MeasuredWindow:
    """Which simulated days count: demand days after the warm-up.

    A run simulates ``demand_days`` days of demand and then drains until ``horizon_days``;
    KPIs count items created, and trips made, on days ``[warmup_days, demand_days)``.
    """

    warmup_days: int
    demand_days: int
    horizon_days: int

    @property
    def days(self) -> int:
        """Measured days (at least 1, so per-day rates are defined)."""
        return max(self.demand_days - self.warmup_days, 1)

    def contains(self, day: np.ndarray) -> np.ndarray:
        """Mask of days (int or float day numbers) inside the window."""
        return (day >= self.warmup_days) & (day < self.demand_days)


@dataclass
class RunRecord:
    """What a run leaves behind: the ledger, the trips, and what they refer to."""

    scenario: Scenario
    seed: int
    places: Places
    ledger: Ledger
    trips: TripLog
    operations: tuple[str, ...]  # names, in the order trips name them
    dates: tuple[dt.date, ...]  # per simulated day, drain days included
    window: MeasuredWindow
    events: int  # SimPy events processed
    wall_s: float
    self_dropped: np.ndarray  # outbound rows the sender took to the town outlet
    cash_lowest: np.ndarray  # per point, the lowest cash balance seen
    finance_offered: np.ndarray  # per point
    bus_lines: int  # freight-carrying bus lines used by the run
    fleets: tuple[FleetRecord, ...] = ()  # owned vans and cooperative trucks
    cold_storage_yuan: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per simulated day
    unserved: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per row: fits no vehicle

    def measured_rows(self, flow: int) -> np.ndarray:
        """Ledger rows of a flow created inside the measured window."""
        led = self.ledger
        day = np.floor(led.created_t / MINUTES_PER_DAY)
        return np.flatnonzero((led.flow == flow) & self.window.contains(day))

    def measured_days(self) -> np.ndarray:
        """Mask over the simulated days (drain days included) of the measured ones."""
        return self.window.contains(np.arange(self.window.horizon_days))

    def trip_table(self) -> dict[str, np.ndarray]:
        """The trip log as columns, plus ``measured``: the trip's day is in the window."""
        table = self.trips.table()
        table["measured"] = self.window.contains(table["day"])
        return table
