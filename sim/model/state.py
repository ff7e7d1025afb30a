"""The shared state of a run and the one rule for items reaching a place.

Every process (line-haul, trunks, vans, buses, finance, villagers) works on one
:class:`CountyState`. :meth:`CountyState.arrive` is the one rule for items reaching a
node: delivered if it is their destination, spoiled if they are produce past their
shelf life, otherwise queued for the next leg (a station's van queue, its outgoing
queue to the hub, the hub's trunk queue, or the addressee's own trip to town).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.model.cold_store import ColdRooms
from sim.model.loading import Cargo
from sim.model.operations import Operation
from sim.model.variability import TripTimes
from sim.model.villagers import Villagers
from sim.records import Ledger, TripLog
from sim.scenario.schema import Scenario
from sim.setup import World


@dataclass
class CountyState:
    """What every process of a run shares: clock, county, items, trips and operations."""

    env: simpy.Environment
    s: Scenario
    world: World
    ledger: Ledger
    trips: TripLog
    ops: list[Operation]
    op_of_owner: np.ndarray
    weekday: np.ndarray  # per simulated day, drain days included
    demand_days: int
    horizon_days: int
    villagers: Villagers
    point_of_node: np.ndarray
    town_of_station: dict[int, int]
    times: TripTimes  # realised travel and service times
    visits: list[list[float]] = field(default_factory=list)  # per point, finance top-up times today
    cargo: Cargo = field(init=False)
    cold: ColdRooms = field(init=False)
    unserved: np.ndarray = field(init=False)  # per ledger row: set aside, no vehicle can carry it

    def __post_init__(self) -> None:
        self.cargo = Cargo(self.ledger)
        self.cold = ColdRooms(self.s.cold_chain, self.ledger, self.cargo, self.horizon_days)
        self.unserved = np.zeros(len(self.ledger), dtype=bool)

    def set_aside_oversize(self, rows: np.ndarray, capacity: np.ndarray) -> np.ndarray:
        """Of ``rows`` taken from a queue for a vehicle of ``capacity``, set aside those larger
        than it: marked unserved, they stay waiting where they are (at a named node) and are
        never queued, planned or split again. Returns the rest."""
        if not len(rows):
            return rows
        big = self.cargo.oversize(rows, capacity)
        if not big.any():
            return rows
        self.unserved[rows[big]] = True
        return rows[~big]

    def arrive(self, op: Operation, rows: np.ndarray, node: int, t: float | np.ndarray) -> None:
        """Items of ``op`` reach ``node`` at ``t``: deliver, spoil, or queue the next leg."""
        if not len(rows):
            return
        led = self.ledger
        t_rows = np.broadcast_to(np.asarray(t, dtype=float), rows.shape)
        here = led.destination[rows] == node
        if here.any():
            self.deliver(rows[here], t_rows[here])
        rows, t_rows = rows[~here], t_rows[~here]
        rows, t_rows = self._spoil_at(rows, t_rows, node)
        if not len(rows):
            return
        led.move(rows, node)
        if node == self.world.hub:
            if op.station_based:
                op.hub_queue.push(rows, t_rows + self.s.hub.sort_min)
            else:
                op.fleets[0].deliveries.push(rows, t_rows)
            return
        self._sort_at_station(op, rows, t_rows, node)

    def _sort_at_station(self, op: Operation, rows: np.ndarray, t_rows: np.ndarray, node: int) -> None:
        """At a town station: to the van queue, to the addressee's own trip, or onward to the hub."""
        town = self.town_of_station[node]
        fleet = op.station_fleet[town]
        point = self.point_of_node[self.ledger.destination[rows]]
        local = (point >= 0) & (self.world.point_town[np.maximum(point, 0)] == town)
        ready = t_rows + self.s.stations.sort_min
        served = local & op.in_village[np.maximum(point, 0)]
        fleet.deliveries.push(rows[served], ready[served])
        fetched = local & ~served
        if fetched.any():
            self.villagers.will_fetch(rows[fetched], ready[fetched])
        onward = ~local
        self.cold.cool(rows[onward], t_rows[onward], node)
        fleet.outgoing.push(rows[onward], ready[onward])

    def deliver(self, rows: np.ndarray, t: np.ndarray | float) -> None:
        """Hand items over at their destination; produce past its shelf life is spoiled there."""
        if not len(rows):
            return
        t = np.broadcast_to(np.asarray(t, dtype=float), rows.shape)
        led = self.ledger
        late = self.cargo.spoiled(rows, t)
        if late.any():
            led.move(rows[late], led.destination[rows[late]])
            led.expire(rows[late], t[late])
        led.deliver(rows[~late], t[~late])

    def _spoil_at(self, rows: np.ndarray, t: np.ndarray, node: int) -> tuple[np.ndarray, np.ndarray]:
        """Expire produce found past its shelf life at ``node``; return the rest."""
        bad = self.cargo.spoiled(rows, t)
        if bad.any():
            self.ledger.move(rows[bad], node)
            self.ledger.expire(rows[bad], t[bad])
        return rows[~bad], t[~bad]

    def spoil_waiting(self, rows: np.ndarray, now: float) -> np.ndarray:
        """Of rows taken from a queue at ``now``, expire spoiled produce where it waits
        (at its deadline); return the rest."""
        if not len(rows):
            return rows
        bad = self.cargo.spoiled(rows, now)
        if bad.any():
            self.ledger.expire(rows[bad], self.cargo.deadline[rows[bad]])
            return rows[~bad]
        return rows
