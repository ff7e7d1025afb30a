"""Rural bus lines with a cargo compartment.

Buses run their timetable whatever the cargo; only the trips marked for freight
take items. When the pooled operation carries bus cargo, a freight trip leaving
a town station takes the waiting items for its stops that it hands over sooner
than the next van would, as far as the compartment has room, and on its way
collects produce and outbound parcels, which ride back to the station (load is
checked at every stop). The van dispatcher leaves items for a bus trip that will
reach the village first. Freight pays a fee per line-day and per item; the bus's
own running cost and emissions are not charged to freight.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from sim.model.collection import collect_on_the_way, stop_lookup
from sim.model.operations import Fleet, Operation
from sim.model.state import CountyState
from sim.model.trip import Trip, TripSpec
from sim.setup import BusLine
from sim.units import FLOAT_EPS, MINUTES_PER_DAY


class BusNetwork:
    """All freight-carrying bus lines, by town, with the holds the vans leave for them."""

    def __init__(self, runs: tuple[BusLine, ...]) -> None:
        self.runs = runs
        self.by_town: dict[int, list[BusLine]] = {}
        for r in runs:
            self.by_town.setdefault(r.town, []).append(r)
        self.reserved: dict[tuple[int, float], np.ndarray] = {}
        self.fee_days: set[tuple[str, int]] = set()

    def hold_for_bus(self, st: CountyState, fleet: Fleet, rows: np.ndarray, now: float) -> np.ndarray:
        """Mask of rows to leave for a later bus trip today that reaches their point first."""
        held = np.zeros(len(rows), dtype=bool)
        runs = self.by_town.get(fleet.town, [])
        if not runs:
            return held
        led, w = st.ledger, st.world
        point = st.point_of_node[led.destination[rows]]
        day_end = (now // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY
        speed = fleet.vehicle.speed_factor
        for p in np.unique(point).tolist():
            mask = point == p
            van_at = now + w.minutes[fleet.base, w.points[p]] / speed
            load = st.cargo.total(rows[mask])
            best: tuple[float, tuple[int, float]] | None = None
            for i, run in enumerate(self.runs):
                if run.town != fleet.town or p not in run.first_visit:
                    continue
                k = run.first_visit[p]
                for dep, off in run.trips_on(int(now // MINUTES_PER_DAY)):
                    if dep < now or dep >= day_end:
                        continue
                    arrive = dep + off[k]
                    used = self.reserved.get((i, dep), np.zeros(3))
                    if (
                        arrive < van_at
                        and (used + load <= run.capacity + FLOAT_EPS).all()
                        and (best is None or arrive < best[0])
                    ):
                        best = (arrive, (i, dep))
            if best is not None:
                key = best[1]
                self.reserved[key] = self.reserved.get(key, np.zeros(3)) + load
                held |= mask
        return held

    def can_carry(self, st: CountyState, town: int, rows: np.ndarray, collect: bool) -> np.ndarray:
        """Mask of ``rows`` that fit the compartment of a freight line of ``town`` stopping at
        their point (their origin when ``collect``: lines that return to the station)."""
        out = np.zeros(len(rows), dtype=bool)
        led = st.ledger
        point = st.point_of_node[led.origin[rows] if collect else led.destination[rows]]
        for run in self.by_town.get(town, []):
            if collect and not run.returns_to_base:
                continue
            stops = (point >= 0) & (run.visit_index[np.maximum(point, 0)] >= 0)
            out |= stops & (st.cargo.dims[rows] <= run.capacity + FLOAT_EPS).all(axis=1)
        return out


def bus_process(st: CountyState, op: Operation, net: BusNetwork, index: int) -> Generator:
    """The freight trips of line ``index``, every day of the horizon."""
    run = net.runs[index]
    env = st.env
    for day in range(st.horizon_days):
        for dep, off in run.trips_on(day):
            yield env.timeout(max(0.0, dep - env.now))
            _trip(st, op, net, index, run, day, off)


def _trip(
    st: CountyState, op: Operation, net: BusNetwork, index: int, run: BusLine, day: int, off: np.ndarray
) -> None:
    """One freight trip: take what it hands over first, collect on the way, pay the fee."""
    now = st.env.now
    fleet = op.station_fleet[run.town]
    net.reserved.pop((index, now), None)
    queue = op.pickup_queue(run.town)
    pickups_waiting = run.returns_to_base and len(queue) > 0
    if not len(fleet.deliveries) and not pickups_waiting:
        return
    deliv = st.spoil_waiting(_take_deliveries(st, fleet, run, off, now), now)
    d_idx = run.visit_index[st.point_of_node[st.ledger.destination[deliv]]]
    d_load = np.zeros((len(run.seq), 3))
    if len(deliv):
        np.add.at(d_load, d_idx, st.cargo.dims[deliv])
    pick, picked_t, peak = _collect(st, op, run, off, now, d_load)
    if not len(deliv) and not len(pick):
        return
    items = np.concatenate([deliv, pick])
    end = now + off[-1]
    spec = TripSpec(
        day=day,
        kind="bus",
        vehicle_name=run.name,
        vehicle=None,
        capacity=run.capacity,
        town=st.world.towns[run.town],
        start_t=now,
        end_t=end,
        km=run.km,
        stops=len(run.first_visit),
        path=run.seq,
        base=run.base,
        peak_load_share=_share_of(peak, run.capacity),
        cost_yuan=_fee(st, net, run, day, len(items)),
    )
    trip = Trip(st, op, spec, items)
    trip.board(deliv, now)
    trip.board(pick, picked_t)
    trip.visit(run.stop_points, now + off[run.stop_index])
    trip.finish(deliv, now + off[d_idx] if len(deliv) else np.zeros(0), pick)


def _take_deliveries(st: CountyState, fleet: Fleet, run: BusLine, off: np.ndarray, now: float) -> np.ndarray:
    """Waiting items for the line's stops that the bus hands over before the next van would,
    oldest first, while the compartment has room."""
    led, w = st.ledger, st.world
    rows, _ready = fleet.deliveries.peek(now)
    take = np.zeros(len(rows), dtype=bool)
    if len(rows):
        point = st.point_of_node[led.destination[rows]]
        idx = run.visit_index[np.maximum(point, 0)]
        idx[point < 0] = -1
        on_line = idx >= 0
        if on_line.any():
            next_van = fleet.next_dispatch_after(now, st.weekday)
            van_minutes = w.minutes[fleet.base, w.points[np.maximum(point, 0)]] / fleet.vehicle.speed_factor
            eligible = on_line & (now + off[np.maximum(idx, 0)] < next_van + van_minutes)
            order = np.flatnonzero(eligible)[np.argsort(led.created_t[rows[eligible]], kind="stable")]
            take[order[: st.cargo.fitting_prefix(rows[order], run.capacity)]] = True
    return fleet.deliveries.pop(now, where=take) if take.any() else np.empty(0, dtype=np.int64)


def _collect(
    st: CountyState, op: Operation, run: BusLine, off: np.ndarray, now: float, d_load: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """On a line that returns to its station: collect waiting items stop by stop as far as the
    room left by the deliveries still on board allows (``sim.model.collection``, the rule of
    every vehicle). Returns rows, pick-up times, peak load."""
    departure = d_load.sum(axis=0)
    queue = op.pickup_queue(run.town)
    if not run.returns_to_base or not len(queue):
        return np.empty(0, dtype=np.int64), np.zeros(0), departure
    points = np.flatnonzero(run.visit_index >= 0)
    stop_of_node = stop_lookup(len(st.world.nodes), st.world.points[points], run.visit_index[points])
    on_board_after = departure - np.cumsum(d_load, axis=0)
    rows, times, peak = collect_on_the_way(st, queue, stop_of_node, now + off, on_board_after, run.capacity)
    return rows, times, np.maximum(peak, departure)


def _share_of(load: np.ndarray, capacity: np.ndarray) -> float:
    """Highest share of the compartment used on any dimension (0 for a line without cargo space)."""
    if capacity.max() <= 0:
        return 0.0
    return float((load / np.maximum(capacity, FLOAT_EPS)).max())


def _fee(st: CountyState, net: BusNetwork, run: BusLine, day: int, items: int) -> float:
    """What freight pays the bus operator: per item, plus once per line-day with cargo."""
    fee = st.s.bus.fee_per_item * items
    if (run.name, day) not in net.fee_days:
        net.fee_days.add((run.name, day))
        fee += st.s.bus.fee_per_line_day
    return fee
