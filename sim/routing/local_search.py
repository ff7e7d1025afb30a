"""Intra-route 2-opt with vectorised move evaluation on routes as Python lists.

All segment reversals of a route are evaluated at once as a matrix of cost deltas
(built from the arc-cost matrix by fancy indexing); only improving candidates are
tested for feasibility, best first. The inter-route neighbourhoods (relocate, or-opt,
swap, 2-opt*) live in `moves.py` / `descent.py`.
"""

from __future__ import annotations

import numpy as np

from .problem import EPS, Prepared
from .routes import feasible

# Upper-triangle index pairs (offset 2) of each route size seen, built once per size.
_TRIU: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _pairs(m: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(m, 2)``, cached: the same few route sizes recur all day."""
    iu = _TRIU.get(m)
    if iu is None:
        iu = _TRIU[m] = np.triu_indices(m, 2)
    return iu


def two_opt_route(prep: Prepared, route: list[int], max_moves: int | None = None) -> tuple[list[int], float]:
    """Improve one route by segment reversals until none helps; returns (route, gain).

    Every applied reversal lowers the cost; at most ``max_moves`` are applied (default
    ``len(route) ** 2``, more than the reversals a route has, so only a cycle through
    rounding ties could reach it)."""
    gain_total = 0.0
    if len(route) < 2:
        return route, 0.0
    c = prep.arc
    check = prep.has_tw or prep.has_pickup
    for _ in range(len(route) ** 2 if max_moves is None else max_moves):
        x = np.asarray([0, *route, 0])
        a, b = x[:-1], x[1:]
        e = c[a, b]
        m = len(e)
        delta = c[a[:, None], a[None, :]] + c[b[:, None], b[None, :]] - e[:, None] - e[None, :]
        if not prep.symmetric:
            fwd = np.concatenate(([0.0], np.cumsum(e)))
            rev = np.concatenate(([0.0], np.cumsum(c[b, a])))
            # inner edges e1+1 .. e2-1 change direction
            inner = (rev[:-1][None, :] - rev[1:][:, None]) - (fwd[:-1][None, :] - fwd[1:][:, None])
            delta = delta + inner
        iu = _pairs(m)
        d = delta[iu]
        cand = np.nonzero(d < -EPS)[0]
        if cand.size == 0:
            break
        applied = False
        for k in cand[np.argsort(d[cand], kind="stable")].tolist():
            e1, e2 = int(iu[0][k]), int(iu[1][k])
            new = route[:e1] + route[e1:e2][::-1] + route[e2:]
            if not check or feasible(prep, new):
                route = new
                gain_total -= float(d[k])
                applied = True
                break
        if not applied:
            break
    return route, gain_total


def intra_two_opt(prep: Prepared, routes: list[list[int]]) -> list[list[int]]:
    """2-opt on every route."""
    return [two_opt_route(prep, r)[0] for r in routes]
