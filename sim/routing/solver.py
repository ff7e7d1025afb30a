"""The entry point: `solve` a `RoutingProblem`.

Fast mode (no time limit, no iteration limit) runs the savings construction and a
local-search descent and is what the simulation calls every day. With a budget it
continues with the ruin-and-recreate metaheuristic.
"""

from __future__ import annotations

import time

import numpy as np

from sim.units import FLOAT_EPS

from .check import evaluate
from .construct import clarke_wright
from .descent import improve
from .local_search import intra_two_opt
from .metaheuristic import sisr
from .plan import Plan
from .problem import Prepared, RoutingProblem, RoutingSolution
from .routes import feasible

# Up to this many stops the fast mode evaluates every pair of positions; above it, only
# moves towards each stop's nearest neighbours (the full matrices grow as n^2).
FULL_NEIGHBOURHOOD_MAX = 150
MAX_EXCHANGES = 50  # unserved-for-served exchanges per clean-up
GRANULAR_FAST = 40
# kept back from a time limit for the final 2-opt and the exact evaluation after the search
FINISH_RESERVE_S = 0.01


def solve(
    problem: RoutingProblem,
    *,
    seed: int = 0,
    time_limit_s: float | None = None,
    max_iterations: int | None = None,
) -> RoutingSolution:
    """Plan routes for ``problem``.

    Deterministic for a given ``seed`` and ``max_iterations``; with ``time_limit_s``
    the search stops on the clock, so the result depends on machine speed. The time
    limit covers the whole call, the construction and descent before the search included.
    """
    t_start = time.perf_counter()
    prep = Prepared(problem)
    routes, unserved = clarke_wright(prep)
    routes = intra_two_opt(prep, routes)
    routes, unserved = drop_unprofitable(prep, routes, unserved)
    routes, unserved = exchange_unserved(prep, routes, unserved)
    # the descent only lowers the search objective, so the fast mode is never worse
    # than savings + 2-opt + the prize-collecting clean-up alone
    routes = improve(prep, routes, neighbours=None if prep.n <= FULL_NEIGHBOURHOOD_MAX else GRANULAR_FAST)
    routes, unserved = drop_unprofitable(prep, routes, unserved)
    if time_limit_s is None and max_iterations is None:
        return to_solution(problem, routes, unserved)
    rng = np.random.default_rng(seed)
    plan = Plan(prep, routes, unserved)
    search_s = None
    if time_limit_s is not None:
        spent_s = time.perf_counter() - t_start
        search_s = max(0.0, time_limit_s - spent_s - FINISH_RESERVE_S)
    best, iters = sisr(plan, rng, time_limit_s=search_s, max_iterations=max_iterations)
    routes = intra_two_opt(prep, best.routes())
    sol = to_solution(problem, routes, sorted(best.unserved))
    sol.stats["iterations"] = iters
    return sol


def drop_unprofitable(
    prep: Prepared, routes: list[list[int]], unserved: list[int]
) -> tuple[list[list[int]], list[int]]:
    """Prize-collecting clean-up: leave out stops whose detour costs more than their penalty.

    Removal gains of all stops of a route come from one array expression; the stop
    with the largest gain over its penalty goes first, and the scan repeats until no
    stop is worth dropping. Must-serve stops have a prohibitive penalty and stay.
    """
    if prep.must_serve[1:].all():
        return routes, unserved
    unserved = list(unserved)
    routes = [list(r) for r in routes]
    c = prep.arc
    for _ in range(sum(len(r) for r in routes)):  # each pass drops one stop, or ends the scan
        best, where = 0.0, None
        for k, r in enumerate(routes):
            if not r:
                continue
            x = np.asarray([0, *r, 0])
            gain = c[x[:-2], x[1:-1]] + c[x[1:-1], x[2:]] - c[x[:-2], x[2:]]
            if len(r) == 1:
                gain = gain + prep.cost_per_route
            net = gain - prep.penalty[x[1:-1]]
            i = int(np.argmax(net))
            if net[i] > best + FLOAT_EPS and feasible(prep, r[:i] + r[i + 1 :]):
                best, where = float(net[i]), (k, i)
        if where is None:
            break
        k, i = where
        unserved.append(routes[k].pop(i))
    return [r for r in routes if r], sorted(unserved)


def exchange_unserved(
    prep: Prepared, routes: list[list[int]], unserved: list[int], max_moves: int = MAX_EXCHANGES
) -> tuple[list[list[int]], list[int]]:
    """Put unserved stops in the place of served ones when that lowers the objective.

    For each unserved stop the cost of replacing every served stop (detour change plus
    the difference of penalties) is one array expression over all routes; the best
    feasible improving exchange is applied and the scan repeats.
    """
    cand = [u for u in unserved if prep.alone_ok[u]]
    if not cand or not routes:
        return routes, unserved
    routes = [list(r) for r in routes]
    unserved = list(unserved)
    c = prep.arc
    pen = prep.penalty
    for _ in range(max_moves):
        a_l, v_l, b_l, k_l, i_l = [], [], [], [], []
        for k, r in enumerate(routes):
            x = [0, *r, 0]
            a_l += x[:-2]
            v_l += r
            b_l += x[2:]
            k_l += [k] * len(r)
            i_l += list(range(len(r)))
        a, v, b = np.asarray(a_l), np.asarray(v_l), np.asarray(b_l)
        us = np.asarray([u for u in unserved if prep.alone_ok[u]])
        if us.size == 0 or v.size == 0:
            break
        old = c[a, v] + c[v, b] - pen[v]
        new = c[a[None, :], us[:, None]] + c[us[:, None], b[None, :]] - pen[us][:, None]
        delta = new - old[None, :]
        order = np.argsort(delta, axis=None, kind="stable")
        done = False
        for flat in order[:20].tolist():
            if delta.flat[flat] >= -FLOAT_EPS:
                break
            ui, pos = divmod(flat, v.size)
            k, i = k_l[pos], i_l[pos]
            trial = routes[k][:i] + [int(us[ui])] + routes[k][i + 1 :]
            if feasible(prep, trial):
                unserved.remove(int(us[ui]))
                unserved.append(routes[k][i])
                routes[k] = trial
                done = True
                break
        if not done:
            break
    return routes, sorted(unserved)


def to_solution(problem: RoutingProblem, routes: list[list[int]], unserved: list[int]) -> RoutingSolution:
    """Package internal routes as a `RoutingSolution` with exact km and objective."""
    arr = [np.asarray(r, dtype=np.int64) for r in routes if len(r) > 0]
    uns = np.asarray(sorted(unserved), dtype=np.int64)
    km, cost = evaluate(problem, arr, uns)
    return RoutingSolution(routes=arr, unserved=uns, distance_km=km, cost=cost)
