"""The "fixed line, fixed time, fixed vehicle" policy.

Planners in rural counties often run routes planned once over all village points
and drive them every day, skipping villages with nothing to drop or collect. The
day's problem uses the same node numbering as the plan. `fixed_routes_for_day`
keeps each planned order, skips stops without demand, and reports whether the day's
load and timing fit; `fixed_or_replan` re-plans only on the days they do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .check import check_solution, evaluate
from .problem import RoutingProblem, RoutingSolution, restrict


@dataclass
class FixedDay:
    """The day's routes in fixed order and whether they are feasible as they stand."""

    solution: RoutingSolution
    fits: bool
    violations: list[str]


def active_stops(problem: RoutingProblem) -> np.ndarray:
    """Boolean mask over nodes 0..n: stops with any delivery or pickup today."""
    dl = np.asarray(problem.delivery, dtype=np.float64)
    act = (dl.reshape(dl.shape[0], -1) > 0).any(axis=1)
    if problem.pickup is not None:
        pk = np.asarray(problem.pickup, dtype=np.float64)
        act |= (pk.reshape(pk.shape[0], -1) > 0).any(axis=1)
    act[0] = False
    return act


def fixed_routes_for_day(
    planned_routes: list[np.ndarray],
    problem: RoutingProblem,
    active: np.ndarray | None = None,
) -> FixedDay:
    """Drive the planned routes on the day described by ``problem``.

    ``active`` (bool over nodes 0..n) marks stops to visit today; by default a stop is
    visited when it has any delivery or pickup. Stops without demand are skipped,
    the order of the rest is kept. Active stops missing from every planned route are
    reported unserved, which makes the day not fit. ``fits`` is True when the
    independent checker finds no violation (capacity, windows, shift, fleet) and
    nothing active is left out.
    """
    act = active_stops(problem) if active is None else np.asarray(active, dtype=bool).copy()
    act[0] = False
    routes = []
    covered = np.zeros(act.shape[0], dtype=bool)
    for r in planned_routes:
        r = np.asarray(r, dtype=np.int64)
        covered[r] = True
        keep = r[act[r]]
        if keep.size:
            routes.append(keep)
    missing = np.nonzero(act & ~covered)[0]
    km, cost = evaluate(problem, routes, missing)
    sol = RoutingSolution(routes=routes, unserved=missing, distance_km=km, cost=cost)
    # Inactive stops are not visited today; the checker wants every stop accounted
    # for, so they are passed to it as not served.
    served = np.concatenate(routes) if routes else np.zeros(0, np.int64)
    rest = np.setdiff1d(np.arange(1, act.shape[0]), served)
    check_sol = RoutingSolution(routes=routes, unserved=rest, distance_km=km, cost=cost)
    violations = check_solution(problem, check_sol)
    if missing.size:
        violations.append(f"stops with demand on no fixed route: {missing.tolist()}")
    return FixedDay(solution=sol, fits=not violations, violations=violations)


def fixed_or_replan(
    planned_routes: list[np.ndarray],
    problem: RoutingProblem,
    active: np.ndarray | None = None,
    **solve_kwargs: object,
) -> tuple[RoutingSolution, bool]:
    """The fixed routes when the day fits them, else a fresh plan; (solution, replanned).

    The re-plan is solved on the sub-problem of today's active stops only, and its
    routes are mapped back to the day's node numbering.
    """
    from .solver import solve

    day = fixed_routes_for_day(planned_routes, problem, active)
    if day.fits:
        return day.solution, False
    act = active_stops(problem) if active is None else np.asarray(active, dtype=bool)
    stops = np.nonzero(act)[0]
    stops = stops[stops > 0]
    sub = restrict(problem, stops)
    part = solve(sub, **solve_kwargs)  # type: ignore[arg-type]
    routes = [stops[r - 1] for r in part.routes]
    uns = stops[part.unserved - 1]
    km, cost = evaluate(problem, routes, uns)
    return RoutingSolution(routes=routes, unserved=uns, distance_km=km, cost=cost), True
