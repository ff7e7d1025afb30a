"""A solution as one flat "giant tour" with per-position prefix and suffix arrays.

Every route ``r`` occupies positions ``start[r] .. end[r]`` of the flat node array
``x`` as ``[0, c_1, ..., c_m, 0]`` (its own depot copies), so any per-route quantity
is a segmented scan over one array, and any pair of positions (in the same route or
in two routes) is a pair of indices. That makes the deltas of relocate, swap, or-opt
and 2-opt* between *all* routes a single broadcast expression (see `moves.py`).

Feasibility of the routes a move creates comes from concatenating at most three
pieces whose summaries are known in O(1):

- **load** (all dimensions, simultaneous pickup and delivery): a piece traversed on
  its own departs carrying its deliveries ``D`` and ends carrying its pickups ``P``;
  ``peak`` is its largest on-board load. ``X + Y`` has ``D = D_X + D_Y``,
  ``P = P_X + P_Y`` and ``peak = max(peak_X + D_Y, peak_Y + P_X)``. Prefix peaks
  ``PL`` and suffix peaks ``SL`` are running maxima (segmented per route);
- **time**: a prefix is summarised by its departure time ``DEP`` from its last node
  (earliest, waiting when early), a suffix by the latest service start ``LS`` at its
  first node that keeps the rest of the route on time (depot return and shift cap
  included), and a short segment by ``(dur, early, late)``: entered at ``t <= late``
  it is left at ``max(t + dur, early)``.

Segmented scans use an offset per route (route ``r`` gets ``+ r * BIG``), which turns
a running maximum of the whole array into independent running maxima per route.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import Prepared


@dataclass
class Segments:
    """Summaries of runs of consecutive stops (or of edges, as runs of no stop).

    Index ``i`` describes the segment whose predecessor is at position ``pre[i]`` and
    whose successor is at ``post[i]``; ``first`` / ``last`` are its end nodes.
    """

    size: np.ndarray  # stops in each run (0: an edge)
    pre: np.ndarray
    post: np.ndarray
    first: np.ndarray
    last: np.ndarray
    rid: np.ndarray
    dl: np.ndarray  # (k, d) deliveries carried in
    pk: np.ndarray  # (k, d) pickups carried out
    peak: np.ndarray  # (k, d) peak load when traversed on its own
    dur: np.ndarray  # time model: entered at t <= late, left at max(t + dur, early)
    early: np.ndarray
    late: np.ndarray
    edges: bool = False  # True: every entry is an edge (size 0)


def _seg_scan_max(v: np.ndarray, rid: np.ndarray, big: np.ndarray | float, reverse: bool) -> np.ndarray:
    """Running maximum of ``v`` restarted at each route (forward or backward)."""
    shape = (-1,) + (1,) * (v.ndim - 1)
    if not reverse:
        off = rid.reshape(shape) * big
        return np.maximum.accumulate(v + off, axis=0) - off
    off = (rid[-1] - rid).reshape(shape) * big
    return np.maximum.accumulate((v + off)[::-1], axis=0)[::-1] - off


class Tour:
    """Flat routes plus the prefix/suffix arrays that judge inter-route moves."""

    def __init__(self, prep: Prepared, routes: list[list[int]], spare: bool) -> None:
        self.prep = prep
        self.routes = [list(r) for r in routes]
        if spare:
            self.routes.append([])
        nr = len(self.routes)
        sizes = np.fromiter((len(r) + 2 for r in self.routes), np.int64, nr)
        flat: list[int] = []
        for r in self.routes:
            flat.append(0)
            flat.extend(r)
            flat.append(0)
        x = np.asarray(flat, dtype=np.int64)
        self.x = x
        self.n_pos = x.size
        self.end = np.cumsum(sizes) - 1
        self.start = self.end - sizes + 1
        self.rid = np.repeat(np.arange(nr), sizes)
        self.lens = sizes - 2
        # edge k joins positions k and k+1 of the same route
        edge_ok = np.ones(x.size, dtype=bool)
        edge_ok[self.end] = False
        self.edge_ok = edge_ok
        c = np.zeros(x.size)
        c[:-1] = prep.arc[x[:-1], x[1:]]
        c[self.end] = 0.0
        self.C = c
        self._loads()
        if prep.has_tw:
            self._times()

    # -- construction ------------------------------------------------------------------
    def _loads(self) -> None:
        p = self.prep
        x, rid, start, end = self.x, self.rid, self.start, self.end
        dl = p.delivery[x]
        cdl = np.cumsum(dl, axis=0)
        self.PD = cdl - cdl[start][rid]
        self.TD = self.PD[end]
        self.SD = self.TD[rid] - self.PD + dl
        if not p.has_pickup:
            return
        pk = p.pickup[x]
        cpk = np.cumsum(pk, axis=0)
        self.PP = cpk - cpk[start][rid]
        self.TP = self.PP[end]
        self.SP = self.TP[rid] - self.PP + pk
        big = 4.0 * (cdl[-1] + cpk[-1]) + 1.0
        self.PL = self.PD + _seg_scan_max(self.PP - self.PD, rid, big, reverse=False)
        self.SL = self.SP + _seg_scan_max(self.SD - self.SP, rid, big, reverse=True)

    def _times(self) -> None:
        p = self.prep
        x, rid, start = self.x, self.rid, self.start
        w = np.zeros(x.size)
        w[1:] = p.service[x[:-1]] + p.time[x[:-1], x[1:]]
        w[start] = 0.0
        s = np.cumsum(w)
        s = s - s[start][rid]
        horizon = abs(p.start) + float(s.max()) + float(np.abs(p.ready[np.isfinite(p.ready)]).max()) + 1.0
        horizon += float(np.abs(p.due[np.isfinite(p.due)]).max(initial=0.0))
        ready = np.maximum(p.ready[x], -horizon)
        due = np.minimum(p.due[x], horizon)
        big = 8.0 * horizon
        self.S = s
        self.svc = p.service[x]
        self.RS = ready - s
        self.DS = due - s
        self.ES = s + _seg_scan_max(self.RS, rid, big, reverse=False)
        self.DEP = self.ES + self.svc
        self.LS = s - _seg_scan_max(-self.DS, rid, big, reverse=True)

    # -- segments ----------------------------------------------------------------------
    def edges(self) -> Segments:
        """Every edge as an empty run (an insertion point, or a cut for 2-opt*)."""
        pre = np.nonzero(self.edge_ok)[0]
        z = np.zeros((pre.size, self.prep.d))
        inf = np.full(pre.size, np.inf)
        zero = np.zeros(pre.size)
        return Segments(np.zeros(pre.size, np.int64), pre, pre + 1, self.x[pre], self.x[pre + 1],
                        self.rid[pre], z, z, z, zero, -inf, inf, True)  # fmt: skip

    def runs(self, lengths: tuple[int, ...]) -> Segments:
        """Summaries of all runs of consecutive stops of the given lengths (1, 2, 3, ...)."""
        p = self.prep
        x, rid = self.x, self.rid
        stops = np.flatnonzero(x)
        u = np.repeat(stops, len(lengths))
        w = u + np.tile(np.asarray(lengths, dtype=np.int64) - 1, stops.size)
        keep = w < self.end[rid[u]]
        u, w = u[keep], w[keep]
        size = w - u + 1
        # positions u+1, u+2, ... clipped to the run's last stop (runs are at most 3 long)
        inner = [np.minimum(u + k, w) for k in range(1, max(lengths))]
        dl = self.PD[w] - self.PD[u - 1]
        if p.has_pickup:
            pk = self.PP[w] - self.PP[u - 1]
            v = self.PP - self.PD
            best = np.maximum(v[u - 1], v[u])
            for m in inner:
                best = np.maximum(best, v[m])
            peak = self.PD[w] - self.PP[u - 1] + best
        else:
            pk = np.zeros_like(dl)
            peak = dl
        if p.has_tw:
            # entered at t, stop k starts at max(t + S_k - S_u, max_j<=k ready_j + S_k - S_j):
            # the run is left at max(t + dur, early) and is on time iff t <= late (the
            # run's own windows hold: it is part of a feasible route)
            rs, ds = self.RS[u], self.DS[u]
            for m in inner:
                rs = np.maximum(rs, self.RS[m])
                ds = np.minimum(ds, self.DS[m])
            tail = self.S[w] + self.svc[w]
            dur = tail - self.S[u]
            early = tail + rs
            late = self.S[u] + ds
        else:
            dur = early = late = np.zeros(u.size)
        return Segments(size, u - 1, w + 1, x[u], x[w], rid[u], dl, pk, peak, dur, early, late)
