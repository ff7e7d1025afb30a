"""Every loop of the routing core has a bound, and each test here drives one to it (issue 11).

Each problem is built so that the loop would go on (or go on for very long) without its
bound; the test checks that it ends and that the answer is still a feasible solution.
"""

from __future__ import annotations

import time

import numpy as np

from sim.routing import check_solution, metaheuristic, solve
from sim.routing.construct import clarke_wright, fit_fleet
from sim.routing.descent import improve
from sim.routing.local_search import two_opt_route
from sim.routing.problem import Prepared
from sim.routing.solver import drop_unprofitable, to_solution

from .helpers import line_problem, random_problem


def test_fit_fleet_dissolves_at_most_the_routes_over_the_fleet_and_ends_feasible():
    """Every stop fills a vehicle: no dissolved route's stop fits elsewhere, so fit_fleet
    runs its full bound (routes - vehicles passes) and leaves the rest unserved."""
    n, vehicles = 30, 3
    p = line_problem([float(i + 1) for i in range(n)], [10.0] * n, 10.0, n_vehicles=vehicles)
    prep = Prepared(p)
    routes, unserved = fit_fleet(prep, [[v] for v in range(1, n + 1)], [])
    assert len(routes) == vehicles and len(unserved) == n - vehicles
    sol = solve(p)
    assert check_solution(p, sol) == [] and len(sol.unserved) == n - vehicles


def test_many_full_or_oversized_stops_for_few_vehicles_end_quickly():
    """The hang of issue 11 in the routing core: a thousand stops each filling (or exceeding)
    a vehicle, two vehicles. Oversized stops are unserved at once; the full ones are not
    tried position by position in routes that cannot take them."""
    n = 1000
    demand = [10.0 if i % 2 else 11.0 for i in range(n)]  # 11 > capacity: fits no vehicle
    p = line_problem([float(i % 50 + 1) for i in range(n)], demand, 10.0, n_vehicles=2)
    started = time.perf_counter()
    sol = solve(p)
    assert time.perf_counter() - started < 30.0
    assert check_solution(p, sol) == []
    assert len(sol.routes) <= 2 and len(sol.unserved) == n - len(sol.routes)


def test_drop_unprofitable_drops_every_stop_within_its_bound():
    """Penalty 0: every stop is worth dropping, one per pass, until none is left."""
    n = 12
    p = line_problem([float(i + 1) for i in range(n)], [1.0] * n, 100.0, unserved_penalty=0.0)
    prep = Prepared(p)
    routes, unserved = drop_unprofitable(prep, [list(range(1, n + 1))], [])
    assert routes == [] and unserved == list(range(1, n + 1))


def test_two_opt_stops_at_its_move_bound_with_a_valid_route():
    p = line_problem([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1.0] * 6, 100.0)
    prep = Prepared(p)
    zigzag = [1, 6, 2, 5, 3, 4]
    one, gain_one = two_opt_route(prep, zigzag, max_moves=1)
    full, gain_full = two_opt_route(prep, zigzag)
    assert sorted(one) == sorted(full) == sorted(zigzag)
    assert 0.0 < gain_one < gain_full  # the bound stopped it after one improving reversal
    x = np.r_[0, full, 0]
    assert float(prep.arc[x[:-1], x[1:]].sum()) == 12.0  # out to 6 km and back: the optimum


def test_descent_with_one_round_is_feasible_and_never_better_than_more_rounds():
    rng = np.random.default_rng(3)
    p = random_problem(rng, 40, n_vehicles=8)
    prep = Prepared(p)
    start, unserved = clarke_wright(prep)
    short, long = improve(prep, start, max_rounds=1), improve(prep, start)
    for routes in (short, long):
        assert check_solution(p, to_solution(p, routes, unserved)) == []
    cost = lambda rs: sum(float(prep.arc[np.r_[0, r], np.r_[r, 0]].sum()) for r in rs)  # noqa: E731
    assert cost(long) <= cost(short) + 1e-9


def test_the_clock_driven_search_stops_at_its_iteration_bound(monkeypatch):
    monkeypatch.setattr(metaheuristic, "MAX_SISR_ITERATIONS", 7)
    p = random_problem(np.random.default_rng(1), 25, n_vehicles=6)
    sol = solve(p, time_limit_s=3600.0)  # would run an hour without the bound
    assert sol.stats["iterations"] == 7
    assert check_solution(p, sol) == []


def test_ruin_keeps_a_bounded_block_when_the_split_would_never_stop(monkeypatch):
    """SPLIT_DEPTH < 0: the kept run between the removed strings would grow for ever; it
    stops at the route's length."""
    monkeypatch.setattr(metaheuristic, "SPLIT_DEPTH", -1.0)
    monkeypatch.setattr(metaheuristic, "SPLIT_RATE", -1.0)
    p = random_problem(np.random.default_rng(2), 30, n_vehicles=4)
    sol = solve(p, max_iterations=20)
    assert sol.stats["iterations"] == 20
    assert check_solution(p, sol) == []
