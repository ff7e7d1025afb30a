"""The fixed-route policy: skip stops without demand, re-plan only when needed."""

from __future__ import annotations

import numpy as np

from sim.routing import check_solution, fixed_or_replan, fixed_routes_for_day, solve

from .helpers import line_problem


def test_fixed_routes_skip_idle_stops_and_keep_order() -> None:
    plan_p = line_problem([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1], capacity=10)
    plan = solve(plan_p).routes
    day = line_problem([1.0, 2.0, 3.0, 4.0], [1, 0, 3, 0], capacity=10)
    out = fixed_routes_for_day(plan, day)
    assert out.fits
    order = [v for r in plan for v in r.tolist() if v in (1, 3)]
    assert [v for r in out.solution.routes for v in r.tolist()] == order
    assert out.solution.unserved.size == 0


def test_fixed_routes_report_overload_and_replan_fits() -> None:
    plan_p = line_problem([1.0, 2.0, 3.0], [1, 1, 1], capacity=10)
    plan = solve(plan_p).routes
    assert len(plan) == 1
    day = line_problem([1.0, 2.0, 3.0], [6, 6, 0], capacity=10)
    out = fixed_routes_for_day(plan, day)
    assert not out.fits
    assert any("capacity" in v for v in out.violations)
    sol, replanned = fixed_or_replan(plan, day)
    assert replanned
    assert len(sol.routes) == 2
    assert check_solution(day, sol) == [] or all("neither" in m for m in check_solution(day, sol))
    served = sorted(v for r in sol.routes for v in r.tolist())
    assert served == [1, 2]


def test_fixed_routes_when_day_fits_returns_plan() -> None:
    plan_p = line_problem([1.0, 2.0], [1, 1], capacity=10)
    plan = solve(plan_p).routes
    sol, replanned = fixed_or_replan(plan, line_problem([1.0, 2.0], [2, 2], capacity=10))
    assert not replanned
    assert np.array_equal(np.concatenate(sol.routes), np.concatenate(plan))
