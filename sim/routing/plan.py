"""A solution as a padded 2-D array of routes, with the prefix arrays for feasibility.

Row ``r`` of ``R`` is ``[0, c_1, ..., c_m, 0, 0, ...]``: the depot, the route's stops,
the depot, padding. Keeping routes as rows makes every per-route recurrence a plain
``axis=1`` operation, so the state needed to judge an insertion anywhere in O(1) is
recomputed for a route in a few array calls:

- ``E``: arc cost of each edge (position ``j`` to ``j+1``);
- ``load``: total delivery of each route; with pickups also ``PM`` / ``SM``, the
  running maximum of the on-board load up to / from each position;
- with time windows ``ES`` (earliest service start, waiting allowed) and ``LS``
  (latest start that keeps the rest of the route on time). Both use the max-plus
  identity ``ES_k = S_k + max_{j<=k}(ready_j - S_j)`` with ``S`` the cumulative
  service+travel time, hence ``np.maximum.accumulate`` instead of a loop.

Inserting stop ``c`` on edge ``(a, b)`` at ``j`` is then feasible when
``PM_j + delivery_c <= Q``, ``SM_j + pickup_c <= Q`` and
``max(ES_a + s_a + t_ac, ready_c) <= due_c`` and that start plus ``s_c + t_cb`` is
``<= LS_b`` — evaluated for all edges of all routes at once by `insertion_costs`.
"""

from __future__ import annotations

import numpy as np

from .problem import EPS, Prepared


class Plan:
    """Mutable routes of one solution plus the per-position arrays that judge moves."""

    def __init__(self, prep: Prepared, routes: list[list[int]], unserved: list[int]) -> None:
        self.prep = prep
        m = max((len(r) for r in routes), default=0)
        width = max(8, 2 * m + 4)
        nrows = len(routes) + (1 if len(routes) < prep.n_vehicles else 0)
        self.R = np.zeros((max(nrows, 1), width), dtype=np.int64)
        self.lens = np.zeros(self.R.shape[0], dtype=np.int64)
        for k, r in enumerate(routes):
            self.R[k, 1 : len(r) + 1] = r
            self.lens[k] = len(r)
        self.unserved = set(unserved)
        self.row_of = np.full(prep.n + 1, -1, dtype=np.int64)
        self.pos_of = np.zeros(prep.n + 1, dtype=np.int64)
        self._alloc()
        for k in range(self.R.shape[0]):
            self.update_row(k)

    # -- state arrays ----------------------------------------------------------------
    def _alloc(self) -> None:
        rows, w = self.R.shape
        p = self.prep
        self.E = np.zeros((rows, w - 1))
        self.NE = np.zeros((rows, w - 1))
        self.load = np.zeros((rows, p.d))
        self.slack = np.zeros((rows, p.d))
        if p.has_pickup:
            self.PM = np.zeros((rows, w, p.d))
            self.SM = np.zeros((rows, w, p.d))
        if p.has_tw:
            self.ES = np.zeros((rows, w))
            self.DEP = np.zeros((rows, w))
            self.LS = np.zeros((rows, w))

    def copy(self) -> Plan:
        """An independent copy (arrays copied, problem shared)."""
        new = Plan.__new__(Plan)
        new.prep = self.prep
        for name in ("R", "lens", "row_of", "pos_of", "E", "NE", "load", "slack"):
            setattr(new, name, getattr(self, name).copy())
        if self.prep.has_pickup:
            new.PM, new.SM = self.PM.copy(), self.SM.copy()
        if self.prep.has_tw:
            new.ES, new.LS, new.DEP = self.ES.copy(), self.LS.copy(), self.DEP.copy()
        new.unserved = set(self.unserved)
        return new

    def update_row(self, r: int) -> None:
        """Recompute every derived array of route ``r`` after it changed."""
        p = self.prep
        m = int(self.lens[r])
        row = self.R[r]
        row[m + 1 :] = 0
        nodes = row[: m + 2]
        cust = nodes[1 : m + 1]
        self.row_of[cust] = r
        self.pos_of[cust] = np.arange(1, m + 1)
        self.E[r] = 0.0
        e = p.arc[nodes[:-1], nodes[1:]]
        self.E[r, : m + 1] = e
        self.NE[r] = np.inf
        self.NE[r, : m + 1] = -e
        dl = p.delivery[cust]
        self.load[r] = dl.sum(axis=0)
        self.slack[r] = p.capacity + EPS - self.load[r]
        if p.has_pickup:
            prof = np.empty((m + 2, p.d))
            prof[0] = self.load[r]
            prof[1 : m + 1] = self.load[r] + np.cumsum(p.pickup[cust] - dl, axis=0)
            prof[m + 1] = prof[m]
            self.PM[r] = np.inf
            self.SM[r] = np.inf
            self.PM[r, : m + 2] = np.maximum.accumulate(prof, axis=0)
            self.SM[r, : m + 2] = np.maximum.accumulate(prof[::-1], axis=0)[::-1]
        if p.has_tw:
            w = np.zeros(m + 2)
            w[1:] = p.service[nodes[:-1]] + p.time[nodes[:-1], nodes[1:]]
            s = np.cumsum(w)
            ready = p.ready[nodes]
            due = p.due[nodes]
            self.ES[r] = np.inf
            self.LS[r] = -np.inf
            self.ES[r, : m + 2] = s + np.maximum.accumulate(ready - s)
            self.DEP[r] = self.ES[r] + p.service[row]
            self.LS[r, : m + 2] = s + np.minimum.accumulate((due - s)[::-1])[::-1]

    # -- queries ---------------------------------------------------------------------
    def routes(self) -> list[list[int]]:
        """Non-empty routes as lists of stops."""
        return [self.R[k, 1 : m + 1].tolist() for k, m in enumerate(self.lens.tolist()) if m]

    def cost(self) -> float:
        """Search objective: arc costs, per-route cost and penalties of unserved stops."""
        p = self.prep
        used = int(np.count_nonzero(self.lens))
        pen = float(p.penalty[list(self.unserved)].sum()) if self.unserved else 0.0
        return float(self.E.sum()) + p.cost_per_route * used + pen

    def insertion_costs(self, c: int) -> np.ndarray:
        """Extra cost of inserting ``c`` on every edge of every route (inf = infeasible)."""
        p = self.prep
        R = self.R
        a = R[:, :-1]
        b = R[:, 1:]
        delta = p.arc_t[c][a] + p.arc[c][b] + self.NE
        if p.has_pickup:
            cap = p.capacity + EPS
            ok = np.all(self.PM[:, :-1] + p.delivery[c] <= cap, axis=2)
            ok &= np.all(self.SM[:, :-1] + p.pickup[c] <= cap, axis=2)
        elif p.d == 1:
            delta[self.slack[:, 0] < p.delivery[c, 0]] = np.inf
            ok = None
        else:
            delta[np.any(self.slack < p.delivery[c], axis=1)] = np.inf
            ok = None
        if p.has_tw:
            start = np.maximum(self.DEP[:, :-1] + p.time_t[c][a], p.ready[c])
            tw = start <= p.due[c] + EPS
            tw &= start + (p.service[c] + p.time[c][b]) <= self.LS[:, 1:] + EPS
            ok = tw if ok is None else ok & tw
        if p.cost_per_route:
            delta[self.lens == 0] += p.cost_per_route
        if ok is None:
            return delta
        return np.where(ok, delta, np.inf)

    # -- edits -----------------------------------------------------------------------
    def insert(self, c: int, r: int, j: int) -> None:
        """Insert stop ``c`` on edge ``j`` of route ``r`` (between positions j and j+1)."""
        m = int(self.lens[r])
        if m + 3 > self.R.shape[1]:
            self._grow_cols()
        row = self.R[r]
        row[j + 2 : m + 3] = row[j + 1 : m + 2].copy()
        row[j + 1] = c
        self.lens[r] = m + 1
        self.unserved.discard(c)
        self.update_row(r)
        if m == 0:
            self._ensure_spare_row()

    def remove_many(self, stops: list[int]) -> None:
        """Take ``stops`` out of their routes (they become unserved until reinserted)."""
        rows = {}
        for c in stops:
            r = int(self.row_of[c])
            rows.setdefault(r, []).append(c)
            self.row_of[c] = -1
            self.unserved.add(c)
        for r, gone in rows.items():
            m = int(self.lens[r])
            drop = set(gone)
            keep = [v for v in self.R[r, 1 : m + 1].tolist() if v not in drop]
            self.R[r, 1 : len(keep) + 1] = keep
            self.lens[r] = len(keep)
            self.update_row(r)

    def compact(self) -> None:
        """Drop empty routes, keeping exactly one spare empty route if the fleet allows."""
        nonempty = self.lens > 0
        spare = int(nonempty.sum()) < self.prep.n_vehicles
        keep = np.nonzero(nonempty)[0]
        if spare:
            empties = np.nonzero(~nonempty)[0]
            if empties.size:
                keep = np.concatenate((keep, empties[:1]))
        if keep.size == self.R.shape[0]:
            return
        self.R = self.R[keep]
        self.lens = self.lens[keep]
        self.E, self.NE = self.E[keep], self.NE[keep]
        self.load, self.slack = self.load[keep], self.slack[keep]
        if self.prep.has_pickup:
            self.PM, self.SM = self.PM[keep], self.SM[keep]
        if self.prep.has_tw:
            self.ES, self.LS, self.DEP = self.ES[keep], self.LS[keep], self.DEP[keep]
        for k in range(keep.size):
            m = int(self.lens[k])
            self.row_of[self.R[k, 1 : m + 1]] = k
        if spare and not np.any(self.lens == 0):
            self._add_row()

    def _ensure_spare_row(self) -> None:
        if np.all(self.lens > 0) and self.R.shape[0] < self.prep.n_vehicles:
            self._add_row()

    def _add_row(self) -> None:
        p = self.prep
        w = self.R.shape[1]
        self.R = np.vstack((self.R, np.zeros((1, w), np.int64)))
        self.lens = np.append(self.lens, 0)
        self.E = np.vstack((self.E, np.zeros((1, w - 1))))
        self.NE = np.vstack((self.NE, np.zeros((1, w - 1))))
        self.load = np.vstack((self.load, np.zeros((1, p.d))))
        self.slack = np.vstack((self.slack, np.zeros((1, p.d))))
        if p.has_pickup:
            self.PM = np.concatenate((self.PM, np.zeros((1, w, p.d))))
            self.SM = np.concatenate((self.SM, np.zeros((1, w, p.d))))
        if p.has_tw:
            self.ES = np.vstack((self.ES, np.zeros((1, w))))
            self.DEP = np.vstack((self.DEP, np.zeros((1, w))))
            self.LS = np.vstack((self.LS, np.zeros((1, w))))
        self.update_row(self.R.shape[0] - 1)

    def _grow_cols(self) -> None:
        p = self.prep
        rows, w = self.R.shape
        extra = w
        self.R = np.hstack((self.R, np.zeros((rows, extra), np.int64)))
        self.E = np.hstack((self.E, np.zeros((rows, extra))))
        self.NE = np.hstack((self.NE, np.full((rows, extra), np.inf)))
        if p.has_pickup:
            pad = np.full((rows, extra, p.d), np.inf)
            self.PM = np.concatenate((self.PM, pad), axis=1)
            self.SM = np.concatenate((self.SM, pad.copy()), axis=1)
        if p.has_tw:
            self.ES = np.hstack((self.ES, np.full((rows, extra), np.inf)))
            self.DEP = np.hstack((self.DEP, np.full((rows, extra), np.inf)))
            self.LS = np.hstack((self.LS, np.full((rows, extra), -np.inf)))
