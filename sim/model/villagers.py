"""Villagers' own trips to their town: fetching parcels, dropping parcels off, the bank.

Where no vehicle serves a village, villagers go to the town station themselves:

- **self pickup** — an addressee fetches an inbound parcel from the carrier's town
  outlet, a drawn delay after it is ready there (``self_pickup.delay_hours_*``);
- **self drop** — a sender takes an outbound parcel to the town outlet, a drawn delay
  after creating it (``outbound.self_drop_hours_max``);
- **bank trips** — a withdrawal the village counter cannot serve (or where there is no
  counter) takes a round trip to the town branch.

The km of these trips are :meth:`sim.records.Places.town_trip_km`, which the KPIs read.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from sim.model.operations import Operation
from sim.records import Ledger
from sim.setup import World
from sim.units import MINUTES_PER_DAY


class Villagers:
    """The villagers' own trips of one run.

    ``trip_delay_min`` holds, per ledger row, how long after an item is ready its
    addressee or sender goes to town (drawn with the demand).
    """

    def __init__(self, ledger: Ledger, world: World, trip_delay_min: np.ndarray, bank_speed: float) -> None:
        self.ledger, self.world = ledger, world
        self.trip_delay_min = trip_delay_min
        self.bank_speed = bank_speed
        self._fetch_rows: list[np.ndarray] = []
        self._fetch_t: list[np.ndarray] = []
        self._dropped: list[np.ndarray] = []

    # -- self pickup ----------------------------------------------------------------
    def will_fetch(self, rows: np.ndarray, ready_t: np.ndarray) -> None:
        """Parcels ready at the town outlet from ``ready_t``: their addressees will come."""
        self._fetch_rows.append(rows)
        self._fetch_t.append(ready_t + self.trip_delay_min[rows])

    def fetch_due(self, now: float) -> None:
        """Mark fetched (at their own times) the parcels whose addressees came by ``now``."""
        if not self._fetch_rows:
            return
        rows, t = np.concatenate(self._fetch_rows), np.concatenate(self._fetch_t)
        due = t <= now
        self.ledger.fetch(rows[due], t[due])
        self._fetch_rows = [rows[~due]] if (~due).any() else []
        self._fetch_t = [t[~due]] if (~due).any() else []

    def process(self, env: simpy.Environment, horizon_days: int) -> Generator:
        """Once a day, the parcels fetched since yesterday change state."""
        for day in range(1, horizon_days + 1):
            yield env.timeout(day * MINUTES_PER_DAY - env.now)
            self.fetch_due(env.now)

    # -- self drop ------------------------------------------------------------------
    def drop_off(self, op: Operation, rows: np.ndarray, point: np.ndarray) -> None:
        """Senders take outbound parcels to ``op``'s outlet in their town themselves."""
        if not len(rows):
            return
        led, w = self.ledger, self.world
        delay = self.trip_delay_min[rows]
        for t in np.unique(w.point_town[point]).tolist():
            sel = w.point_town[point] == t
            led.move(rows[sel], int(w.station[t]))
            op.station_fleet[t].outgoing.push(rows[sel], led.created_t[rows[sel]] + delay[sel])
        self._dropped.append(rows)

    def dropped(self) -> np.ndarray:
        """Outbound rows their senders took to town."""
        return np.concatenate(self._dropped) if self._dropped else np.empty(0, dtype=np.int64)

    # -- bank trips -----------------------------------------------------------------
    def go_to_bank(self, rows: np.ndarray) -> None:
        """Transactions served at the town branch: done when the villager is back."""
        led = self.ledger
        led.fetch(rows, led.created_t[rows] + self.town_trip_min(led.origin[rows]))

    def town_trip_min(self, nodes: np.ndarray) -> np.ndarray:
        """Round-trip minutes from points (node indices) to their town's station."""
        w = self.world
        station = w.station[w.point_town[w.point_of_node[nodes]]]
        return 2.0 * w.minutes[nodes, station] / self.bank_speed
