"""Loading: what items take up in a vehicle, how a load is split to fit, what fits in a
room left, and whether produce has spoiled.

Every vehicle (van, truck, trunk, bus compartment) has a capacity in three dimensions:
items, kg and m3 (:func:`capacity_of`). A load fits when it fits on every dimension.
All functions work on ledger rows as index arrays; none loops over items.

>>> import numpy as np
>>> from sim.records import Ledger
>>> from sim.records.ledger import PARCEL_IN
>>> led = Ledger()
>>> rows = led.add(flow=PARCEL_IN, operator=0, origin=0, destination=[1, 1, 2],
...                created_t=0.0, weight_kg=[4.0, 4.0, 1.0], volume_m3=0.1, deadline_t=60.0)
>>> cargo = Cargo(led)
>>> cargo.sums([rows[:2], rows[2:]]).tolist()
[[2.0, 8.0, 0.2], [1.0, 1.0, 0.1]]
>>> keys, parts = cargo.split_to_fit(rows, key=np.array([1, 1, 2]), capacity=np.array([10.0, 5.0, 1.0]))
>>> keys.tolist(), [p.tolist() for p in parts]
([1, 1, 2], [[0], [1], [2]])
>>> cargo.fitting_prefix(rows, room=np.array([10.0, 8.5, 1.0]))
2
"""

from __future__ import annotations

import numpy as np

from sim.records import Ledger
from sim.records.ledger import PRODUCE
from sim.scenario.schema import VehicleType
from sim.units import FLOAT_EPS, TIME_EPS_MIN

_EMPTY = np.empty(0, dtype=np.int64)


def capacity_of(vehicle: VehicleType) -> np.ndarray:
    """The three capacity dimensions of a vehicle type: items, kg, m3."""
    return np.array([vehicle.capacity_parcels, vehicle.capacity_kg, vehicle.capacity_m3], dtype=float)


class Cargo:
    """Sizes and shelf lives of a run's items, as vehicles see them.

    ``dims`` holds per ledger row (1 item, kg, m3); ``perishable`` and ``deadline`` say
    when produce spoils. Built once per run, after every item has been added.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.dims = np.column_stack([np.ones(len(ledger)), ledger.weight_kg, ledger.volume_m3])
        self.perishable = ledger.flow == PRODUCE
        self.deadline = ledger.deadline_t.copy()

    def total(self, rows: np.ndarray) -> np.ndarray:
        """(3,) items, kg, m3 of ``rows``."""
        return self.dims[rows].sum(axis=0)

    def sums(self, groups: list[np.ndarray]) -> np.ndarray:
        """(len(groups), 3) items, kg, m3 of each group of rows, in one reduction."""
        out = np.zeros((len(groups), 3))
        if not groups:
            return out
        if len(groups) == 1:
            out[0] = self.total(groups[0])
            return out
        sizes = np.array([len(g) for g in groups])
        flat = np.concatenate(groups)
        if not len(flat):
            return out
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        nz = sizes > 0
        out[nz] = np.add.reduceat(self.dims[flat], starts[nz], axis=0)
        return out

    def split_to_fit(
        self, rows: np.ndarray, key: np.ndarray, capacity: np.ndarray
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Group rows by ``key`` (a point, a town) into pieces that each fit one vehicle.

        Returns the key of each piece and its rows, pieces of one key in row order. A key
        whose load exceeds the capacity is cut into the fewest equal runs of rows that all
        fit; a single item larger than the vehicle stays a piece of its own (it fits no
        vehicle of this kind, and planning leaves it out).
        """
        if not len(rows):
            return _EMPTY.copy(), []
        order = np.argsort(key, kind="stable")
        rows, key = rows[order], key[order]
        keys, starts = np.unique(key, return_index=True)
        loads = np.add.reduceat(self.dims[rows], starts, axis=0)
        groups = np.split(rows, starts[1:])
        if (loads <= capacity + FLOAT_EPS).all():
            return keys, groups
        out_keys: list[int] = []
        out_rows: list[np.ndarray] = []
        for k, group, load in zip(keys.tolist(), groups, loads, strict=True):
            parts = self._pieces(group, load, capacity)
            out_keys += [k] * len(parts)
            out_rows += parts
        return np.array(out_keys, dtype=np.int64), out_rows

    def _pieces(self, group: np.ndarray, load: np.ndarray, capacity: np.ndarray) -> list[np.ndarray]:
        """The fewest equal runs of ``group`` that each fit ``capacity``: from the load's lower
        bound up to one item a run (the bound: ``len(group)`` runs always end the search)."""
        fewest = int(np.ceil((load / capacity).max() - FLOAT_EPS))
        if fewest <= 1:
            return [group]
        if self.oversize(group, capacity).any():  # no run of two or more items can fit
            return np.array_split(group, len(group))
        for pieces in range(min(fewest, len(group)), len(group)):
            parts = np.array_split(group, pieces)
            if all(self.fits(p, capacity) for p in parts):
                return parts
        return np.array_split(group, len(group))

    def oversize(self, rows: np.ndarray, capacity: np.ndarray) -> np.ndarray:
        """Mask of ``rows`` that alone exceed ``capacity`` on some dimension (fit no such vehicle)."""
        return (self.dims[rows] > capacity + FLOAT_EPS).any(axis=1)

    def fits(self, rows: np.ndarray, room: np.ndarray) -> bool:
        """Whether ``rows`` together fit in ``room`` on every dimension."""
        return bool((self.total(rows) <= room + FLOAT_EPS).all())

    def fitting_prefix(self, rows: np.ndarray, room: np.ndarray) -> int:
        """How many of ``rows``, taken in the order given, fit in ``room`` (items, kg, m3)."""
        cum = np.cumsum(self.dims[rows], axis=0)
        ok = (cum <= room + FLOAT_EPS).all(axis=1)
        return len(rows) if ok.all() else int(np.argmin(ok))

    def spoiled(self, rows: np.ndarray, t: np.ndarray | float) -> np.ndarray:
        """Mask of ``rows`` that are produce past their shelf life at time(s) ``t``."""
        return self.perishable[rows] & (t > self.deadline[rows] + TIME_EPS_MIN)
