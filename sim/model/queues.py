"""Items waiting at a place, each with the time it becomes available there."""

from __future__ import annotations

import numpy as np

from sim.units import TIME_EPS_MIN

_EMPTY = np.empty(0, dtype=np.int64)


class _Marks:
    """One boolean scratch array over ledger rows, shared by every queue of the process:
    marking the rows to remove and reading the marks of the queue's rows costs two index
    operations, where ``np.isin`` sorts both arrays (10-100x slower on the queues here).
    The marks are cleared before :meth:`keep_mask` returns, so no state survives a call."""

    marks = np.zeros(0, dtype=bool)

    @classmethod
    def keep_mask(cls, rows: np.ndarray, removed: np.ndarray) -> np.ndarray:
        """Mask of ``rows`` that are not in ``removed`` (both ledger row numbers >= 0)."""
        need = int(max(rows.max(), removed.max())) + 1
        if len(cls.marks) < need:
            cls.marks = np.zeros(max(need, 2 * len(cls.marks)), dtype=bool)
        cls.marks[removed] = True
        keep = ~cls.marks[rows]
        cls.marks[removed] = False
        return keep


class ItemQueue:
    """Ledger rows waiting at one place (a hub, a station, a village point).

    Rows are kept in arrival batches and merged lazily; taking the ready ones is one
    mask over the queue, however many items it holds.
    """

    __slots__ = ("_rows", "_ready")

    def __init__(self) -> None:
        self._rows: list[np.ndarray] = []
        self._ready: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(r) for r in self._rows)

    def push(self, rows: np.ndarray, ready_t: np.ndarray | float) -> None:
        """Add rows available from ``ready_t`` (one time or one per row)."""
        n = len(rows)
        if n:
            self._rows.append(rows)
            if np.ndim(ready_t) == 0:
                self._ready.append(np.full(n, float(ready_t)))
            else:
                self._ready.append(np.array(ready_t, dtype=float))

    def _merged(self) -> tuple[np.ndarray, np.ndarray]:
        if len(self._rows) > 1:
            self._rows = [np.concatenate(self._rows)]
            self._ready = [np.concatenate(self._ready)]
        if not self._rows:
            return _EMPTY, np.empty(0)
        return self._rows[0], self._ready[0]

    def peek(self, now: float) -> tuple[np.ndarray, np.ndarray]:
        """Rows ready at ``now`` and their ready times, left in the queue."""
        rows, ready = self._merged()
        take = ready <= now + TIME_EPS_MIN
        return rows[take], ready[take]

    def pop(self, now: float, where: np.ndarray | None = None) -> np.ndarray:
        """Remove and return rows ready at ``now`` (and, if given, where ``where`` is True).

        ``where`` is a boolean mask over the ready rows in the order :meth:`peek` gives.
        """
        rows, ready = self._merged()
        if not len(rows):
            return _EMPTY
        take = ready <= now + TIME_EPS_MIN
        if where is not None:
            idx = np.flatnonzero(take)
            take[idx[~where]] = False
        keep = ~take
        self._rows = [rows[keep]] if keep.any() else []
        self._ready = [ready[keep]] if keep.any() else []
        return rows[take]

    def remove(self, rows: np.ndarray) -> None:
        """Remove the given rows wherever they are in the queue."""
        all_rows, ready = self._merged()
        if len(all_rows) and len(rows):
            keep = _Marks.keep_mask(all_rows, rows)
            self._rows = [all_rows[keep]] if keep.any() else []
            self._ready = [ready[keep]] if keep.any() else []
