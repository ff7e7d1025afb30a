"""Vectorised evaluation of relocate, or-opt, swap and 2-opt* on a `Tour`.

Two move families cover the inter-route neighbourhoods:

- **exchange** of a run of ``L1`` stops of route A with a run of ``L2`` stops of
  route B (``L1 = 0`` is an edge, i.e. an insertion point): ``(0, 1)`` is relocate,
  ``(0, 2)`` and ``(0, 3)`` or-opt, ``(1, 1)`` swap. With ``L1 = 0`` the two runs may
  also lie in the same route (intra-route relocate / or-opt);
- **2-opt\\***: cut route A after position ``e1`` and route B after ``e2`` and
  exchange the tails.

Each evaluator takes index arrays ``ci``, ``cj`` into two `Segments` tables that
broadcast against each other: ``ci[:, None], cj[None, :]`` evaluates every pair (the
fast mode), two 1-D arrays evaluate a granular candidate list (nearest neighbours,
inside the metaheuristic). The cost deltas of all pairs are one array expression;
only the improving pairs are then tested for feasibility, again as arrays, with the
O(1) concatenation rules of `tour.py`: no route is ever re-timed to judge a move.

Each returns ``(delta, i, j)`` arrays of the improving, feasible moves.
"""

from __future__ import annotations

import numpy as np

from .problem import EPS
from .routes import feasible
from .tour import Segments, Tour

Found = tuple[np.ndarray, np.ndarray, np.ndarray]
# Intra-route candidates are checked one by one (pieces overlap): only the best few.
INTRA_CHECKS = 3


def _load_ok(t: Tour, a: np.ndarray, b: np.ndarray, mid_dl, mid_pk, mid_peak, out_dl) -> np.ndarray:  # noqa: ANN001
    """Capacity check of ``prefix(..a) + middle + suffix(b..)`` on every dimension."""
    p = t.prep
    cap = p.capacity + EPS
    if not p.has_pickup:
        return np.all(t.TD[t.rid[a]] - out_dl + mid_dl <= cap, axis=-1)
    sd, pp = t.SD[b], t.PP[a]
    peak = np.maximum(t.PL[a] + mid_dl + sd, mid_peak + pp + sd)
    peak = np.maximum(peak, t.SL[b] + pp + mid_pk)
    return np.all(peak <= cap, axis=-1)


def _time_ok(t: Tour, a: np.ndarray, b: np.ndarray, s: Segments, j: np.ndarray) -> np.ndarray:
    """Time-window check of ``prefix(..a) + run j of s + suffix(b..)``."""
    p = t.prep
    x = t.x
    xa, xb = x[a], x[b]
    if s.edges:
        return t.DEP[a] + p.time[xa, xb] <= t.LS[b] + EPS
    arrive = t.DEP[a] + p.time[xa, s.first[j]]
    ok = arrive <= s.late[j] + EPS
    leave = np.maximum(arrive + s.dur[j], s.early[j])
    return ok & (leave + p.time[s.last[j], xb] <= t.LS[b] + EPS)


def _route_cost_change(t: Tour, s_out: Segments, s_in: Segments, i: np.ndarray) -> np.ndarray | float:
    """Per-route cost change of the route of ``s_out[i]`` when it gets a run of ``s_in``."""
    cpr = t.prep.cost_per_route
    if not cpr:
        return 0.0
    m = t.lens[s_out.rid[i]]
    if s_in.edges:
        return np.where(m == s_out.size[i], -cpr, 0.0)
    return np.where(m == 0, cpr, 0.0)


def _select(ci: np.ndarray, cj: np.ndarray, mask: np.ndarray, delta: np.ndarray) -> Found:
    """The masked entries of a pair evaluation, as (delta, i, j) 1-D arrays."""
    if mask.ndim == 2:
        r, c = np.nonzero(mask)
        return delta[r, c], ci[r, 0], cj[0, c]
    sel = np.flatnonzero(mask)
    return delta[sel], ci[sel], cj[sel]


def exchange(t: Tour, s1: Segments, s2: Segments, ci: np.ndarray, cj: np.ndarray) -> Found:
    """Improving feasible exchanges of run ``s1[i]`` (route A) and run ``s2[j]`` (route B).

    ``s1`` may be the edge table (relocate / or-opt, also within one route) or the same
    run table as ``s2`` (swap of runs between two routes, each pair once).
    """
    p = t.prep
    c = p.arc
    x = t.x
    xa1, xb1, xa2, xb2 = x[s1.pre[ci]], x[s1.post[ci]], x[s2.pre[cj]], x[s2.post[cj]]
    if s1.edges:
        out1 = c[xa1, xb1]
        in1 = c[xa2, xb2]
    else:
        out1 = c[xa1, s1.first[ci]] + c[s1.last[ci], xb1]
        in1 = c[xa2, s1.first[ci]] + c[s1.last[ci], xb2]
    out2 = c[xa2, s2.first[cj]] + c[s2.last[cj], xb2]
    in2 = c[xa1, s2.first[cj]] + c[s2.last[cj], xb1]
    delta = in1 + in2 - out1 - out2
    if p.cost_per_route:
        delta = delta + _route_cost_change(t, s1, s2, ci) + _route_cost_change(t, s2, s1, cj)
    ra, rb = s1.rid[ci], s2.rid[cj]
    if s1.edges:
        # same route: relocate only onto an edge that neither touches nor lies in the run
        pre1, pre2 = s1.pre[ci], s2.pre[cj]
        ok = (ra != rb) | (pre1 < pre2) | (pre1 > pre2 + s2.size[cj])
    else:
        ok = ra < rb
    d, i, j = _select(ci, cj, ok & (delta < -EPS), delta)
    if i.size == 0:
        return d, i, j
    same = s1.rid[i] == s2.rid[j]
    good = np.ones(i.size, dtype=bool)
    cross = ~same
    if cross.any():
        ic, jc = i[cross], j[cross]
        a1, b1, a2, b2 = s1.pre[ic], s1.post[ic], s2.pre[jc], s2.post[jc]
        g = _load_ok(t, a1, b1, s2.dl[jc], s2.pk[jc], s2.peak[jc], s1.dl[ic])
        g &= _load_ok(t, a2, b2, s1.dl[ic], s1.pk[ic], s1.peak[ic], s2.dl[jc])
        if p.has_tw:
            g &= _time_ok(t, a1, b1, s2, jc) & _time_ok(t, a2, b2, s1, ic)
        good[cross] = g
    if same.any() and (p.has_tw or p.has_pickup):
        # within one route the pieces overlap: check the few best candidates directly
        idx = np.nonzero(same)[0]
        idx = idx[np.argsort(d[idx], kind="stable")]
        good[idx[INTRA_CHECKS:]] = False
        for k in idx[:INTRA_CHECKS].tolist():
            r = int(s1.rid[i[k]])
            good[k] = feasible(p, apply_exchange(t, s1, s2, int(i[k]), int(j[k]))[r])
    return d[good], i[good], j[good]


def two_opt_star(t: Tour, e: Segments, ci: np.ndarray, cj: np.ndarray) -> Found:
    """Improving feasible tail exchanges between edge ``e[i]`` (route A) and ``e[j]`` (B)."""
    p = t.prep
    c = p.arc
    x = t.x
    a1, b1, a2, b2 = e.pre[ci], e.post[ci], e.pre[cj], e.post[cj]
    delta = c[x[a1], x[b2]] + c[x[a2], x[b1]] - t.C[a1] - t.C[a2]
    ra, rb = e.rid[ci], e.rid[cj]
    if p.cost_per_route:
        sa, sb, ea, eb = t.start[ra], t.start[rb], t.end[ra], t.end[rb]
        after = ((a1 > sa) | (b2 < eb)).astype(float) + ((a2 > sb) | (b1 < ea))
        before = (t.lens[ra] > 0).astype(float) + (t.lens[rb] > 0)
        delta = delta + p.cost_per_route * (after - before)
    d, i, j = _select(ci, cj, (ra < rb) & (delta < -EPS), delta)
    if i.size == 0:
        return d, i, j
    a1, b1, a2, b2 = e.pre[i], e.post[i], e.pre[j], e.post[j]
    cap = p.capacity + EPS
    if p.has_pickup:
        g = np.all(np.maximum(t.PL[a1] + t.SD[b2], t.SL[b2] + t.PP[a1]) <= cap, axis=-1)
        g &= np.all(np.maximum(t.PL[a2] + t.SD[b1], t.SL[b1] + t.PP[a2]) <= cap, axis=-1)
    else:
        g = np.all(t.PD[a1] + t.SD[b2] <= cap, axis=-1) & np.all(t.PD[a2] + t.SD[b1] <= cap, axis=-1)
    if p.has_tw:
        g &= t.DEP[a1] + p.time[x[a1], x[b2]] <= t.LS[b2] + EPS
        g &= t.DEP[a2] + p.time[x[a2], x[b1]] <= t.LS[b1] + EPS
    return d[g], i[g], j[g]


# -- applying moves ------------------------------------------------------------------------
def apply_exchange(t: Tour, s1: Segments, s2: Segments, i: int, j: int) -> dict[int, list[int]]:
    """New stop lists of the routes an exchange changes (route id -> stops)."""
    ra, rb = int(s1.rid[i]), int(s2.rid[j])
    sa, sb = int(t.start[ra]), int(t.start[rb])
    A, B = t.routes[ra], t.routes[rb]
    lo1, hi1 = int(s1.pre[i]) - sa, int(s1.post[i]) - sa - 1
    lo2, hi2 = int(s2.pre[j]) - sb, int(s2.post[j]) - sb - 1
    run2 = B[lo2:hi2]
    if ra == rb:  # intra-route relocate: s1 is an edge (lo1 == hi1)
        if lo1 <= lo2:
            return {ra: A[:lo1] + run2 + A[lo1:lo2] + A[hi2:]}
        return {ra: A[:lo2] + A[hi2:lo1] + run2 + A[lo1:]}
    run1 = A[lo1:hi1]
    return {ra: A[:lo1] + run2 + A[hi1:], rb: B[:lo2] + run1 + B[hi2:]}


def apply_two_opt_star(t: Tour, e: Segments, i: int, j: int) -> dict[int, list[int]]:
    """New stop lists of the two routes whose tails a 2-opt* move exchanges."""
    ra, rb = int(e.rid[i]), int(e.rid[j])
    ka, kb = int(e.pre[i]) - int(t.start[ra]), int(e.pre[j]) - int(t.start[rb])
    A, B = t.routes[ra], t.routes[rb]
    return {ra: A[:ka] + B[kb:], rb: B[:kb] + A[ka:]}
