"""The entry point: `solve` a `RoutingProblem`.

Fast mode (no time limit, no iteration limit) runs the savings construction and a
local-search descent and is what the simulation calls every day. With a budget it
continues with the ruin-and-recreate metaheuristic.
"""

from __future__ import annotations

import numpy as np

from .check import evaluate
from .construct import clarke_wright
from .local_search import intra_two_opt
from .metaheuristic import sisr
from .plan import Plan
from .problem import Prepared, RoutingProblem, RoutingSolution


def solve(
    problem: RoutingProblem,
    *,
    seed: int = 0,
    time_limit_s: float | None = None,
    max_iterations: int | None = None,
) -> RoutingSolution:
    """Plan routes for ``problem``.

    Deterministic for a given ``seed`` and ``max_iterations``; with ``time_limit_s``
    the search stops on the clock, so the result depends on machine speed.
    """
    prep = Prepared(problem)
    routes, unserved = clarke_wright(prep)
    routes = intra_two_opt(prep, routes)
    if time_limit_s is None and max_iterations is None:
        return to_solution(problem, routes, unserved)
    rng = np.random.default_rng(seed)
    plan = Plan(prep, routes, unserved)
    best, iters = sisr(plan, rng, time_limit_s=time_limit_s, max_iterations=max_iterations)
    routes = intra_two_opt(prep, best.routes())
    sol = to_solution(problem, routes, sorted(best.unserved))
    sol.stats["iterations"] = iters
    return sol


def to_solution(problem: RoutingProblem, routes: list[list[int]], unserved: list[int]) -> RoutingSolution:
    """Package internal routes as a `RoutingSolution` with exact km and objective."""
    arr = [np.asarray(r, dtype=np.int64) for r in routes if len(r) > 0]
    uns = np.asarray(sorted(unserved), dtype=np.int64)
    km, cost = evaluate(problem, arr, uns)
    return RoutingSolution(routes=arr, unserved=uns, distance_km=km, cost=cost)
