"""The item ledger: every parcel, order, produce lot and transaction is a row.

Items never become SimPy processes. The ledger keeps one numpy array per field
and moves items between states by index operations, so the cost of a hand-over
does not depend on how many parcels change hands.

States (``status``):

- ``PENDING``   drawn for the run but not yet created (``created_t`` in the future)
- ``WAITING``   at a node (``location`` is the node's index in the world)
- ``ON_BOARD``  on a vehicle trip (``trip`` holds the trip id)
- ``DELIVERED`` handed over at its destination (``delivered_t`` set)
- ``FETCHED``   collected by the addressee from a station (self pickup)
- ``EXPIRED``   spoiled before delivery (produce only)

Conservation: every row is in exactly one state; at the end of a run nothing is
``PENDING`` and every row not delivered, fetched or expired names where it is.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

PENDING, WAITING, ON_BOARD, DELIVERED, FETCHED, EXPIRED = range(6)
STATUS_NAMES = ("pending", "waiting", "on_board", "delivered", "fetched", "expired")

# Flows (DESIGN.md "Items").
PARCEL_IN, PARCEL_OUT, SUPPLY, PRODUCE, FINANCE = range(5)
FLOW_NAMES = ("parcel_in", "parcel_out", "supply", "produce", "finance")

_ALLOWED: dict[tuple[int, ...], np.ndarray] = {}

FIELDS: dict[str, type] = {
    "flow": np.int8,
    "operator": np.int16,
    "origin": np.int32,
    "destination": np.int32,
    "created_t": np.float64,
    "weight_kg": np.float64,
    "volume_m3": np.float64,
    "deadline_t": np.float64,
    "status": np.int8,
    "location": np.int32,
    "trip": np.int32,
    "picked_t": np.float64,
    "delivered_t": np.float64,
}


class Ledger:
    """Columnar store of items with vectorised state transitions.

    >>> ledger = Ledger()
    >>> rows = ledger.add(flow=PARCEL_IN, operator=0, origin=0, destination=[3, 4],
    ...                   created_t=360.0, weight_kg=[1.0, 2.5], volume_m3=0.01, deadline_t=3240.0)
    >>> ledger.create(rows, location=0)
    >>> ledger.board(rows, trip=7, t=540.0)
    >>> ledger.deliver(rows, t=np.array([560.0, 575.0]))
    >>> ledger.count_by_status()["delivered"]
    2
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._n = 0
        self._cols: dict[str, np.ndarray] = {}
        for name, dtype in FIELDS.items():
            self._cols[name] = np.empty(capacity, dtype=dtype)

    def __len__(self) -> int:
        return self._n

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("_cols")
        if cols is not None and name in cols:
            return cols[name][: self._n]
        raise AttributeError(name)

    @property
    def id(self) -> np.ndarray:
        """Item ids are row numbers."""
        return np.arange(self._n)

    def add(self, **columns: object) -> np.ndarray:
        """Append items (``PENDING``) and return their row indices.

        Scalars broadcast; arrays must share one length. Unset times are NaN.
        """
        lengths = {np.size(v) for v in columns.values() if np.ndim(v) > 0}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        count = lengths.pop() if lengths else 1
        self._reserve(self._n + count)
        start, stop = self._n, self._n + count
        for name, dtype in FIELDS.items():
            col = self._cols[name]
            if name in columns:
                col[start:stop] = np.asarray(columns[name], dtype=dtype)
            elif np.issubdtype(dtype, np.floating):
                col[start:stop] = np.nan
            else:
                col[start:stop] = -1
        self._cols["status"][start:stop] = PENDING
        self._n = stop
        return np.arange(start, stop)

    def _reserve(self, size: int) -> None:
        current = len(self._cols["status"])
        if size <= current:
            return
        new = max(size, 2 * current)
        for name, col in self._cols.items():
            grown = np.empty(new, dtype=col.dtype)
            grown[: self._n] = col[: self._n]
            self._cols[name] = grown

    # -- transitions -----------------------------------------------------
    def _expect(self, rows: np.ndarray, allowed: tuple[int, ...], action: str) -> None:
        if not len(rows):
            return
        if int(rows.min()) < 0 or int(rows.max()) >= self._n:
            raise IndexError(f"cannot {action}: rows outside the ledger's {self._n} items")
        ok = _ALLOWED.get(allowed)
        if ok is None:
            ok = _ALLOWED[allowed] = np.isin(np.arange(len(STATUS_NAMES)), allowed)
        good = ok[self._cols["status"][rows]]
        if not good.all():
            bad = rows[~good][:5]
            names = [STATUS_NAMES[s] for s in self._cols["status"][bad]]
            raise RuntimeError(f"cannot {action} items {bad.tolist()} in states {names}")

    def create(self, rows: np.ndarray, location: int | np.ndarray) -> None:
        """Items come into being at a node (their ``created_t`` has come)."""
        self._expect(rows, (PENDING,), "create")
        self._cols["status"][rows] = WAITING
        self._cols["location"][rows] = location

    def move(self, rows: np.ndarray, location: int | np.ndarray) -> None:
        """Waiting items are now at another node (e.g. after a trunk leg)."""
        self._expect(rows, (WAITING, ON_BOARD), "move")
        self._cols["status"][rows] = WAITING
        self._cols["location"][rows] = location
        self._cols["trip"][rows] = -1

    def board(self, rows: np.ndarray, trip: int, t: float | np.ndarray) -> None:
        """Waiting items are loaded on a trip; the first pick-up time is kept."""
        self._expect(rows, (WAITING,), "board")
        self._cols["status"][rows] = ON_BOARD
        self._cols["trip"][rows] = trip
        picked = self._cols["picked_t"]
        first = np.isnan(picked[rows])
        picked[rows[first]] = np.broadcast_to(t, rows.shape)[first]

    def deliver(self, rows: np.ndarray, t: float | np.ndarray) -> None:
        """Items reach their destination at times ``t``."""
        self._expect(rows, (ON_BOARD, WAITING), "deliver")
        self._cols["status"][rows] = DELIVERED
        self._cols["delivered_t"][rows] = t
        self._cols["location"][rows] = self._cols["destination"][rows]

    def fetch(self, rows: np.ndarray, t: float | np.ndarray) -> None:
        """Addressees collect waiting items themselves (self pickup)."""
        self._expect(rows, (WAITING,), "fetch")
        self._cols["status"][rows] = FETCHED
        self._cols["delivered_t"][rows] = t

    def expire(self, rows: np.ndarray, t: float | np.ndarray) -> None:
        """Items spoil where they are (their location is kept)."""
        self._expect(rows, (WAITING, ON_BOARD), "expire")
        self._cols["status"][rows] = EXPIRED
        self._cols["delivered_t"][rows] = t

    # -- summaries -------------------------------------------------------
    def count_by_status(self, rows: np.ndarray | None = None) -> dict[str, int]:
        """How many items are in each state."""
        status = self.status if rows is None else self._cols["status"][rows]
        counts = np.bincount(status, minlength=len(STATUS_NAMES))
        return dict(zip(STATUS_NAMES, counts.tolist(), strict=True))

    def columns(self) -> Mapping[str, np.ndarray]:
        """All fields as arrays of the current length (views, do not modify)."""
        return {name: col[: self._n] for name, col in self._cols.items()}
