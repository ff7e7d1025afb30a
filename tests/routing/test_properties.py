"""Property tests: any random small problem gives a solution the checker accepts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.routing import check_solution, solve

from .helpers import line_problem, random_problem

problems = st.builds(
    lambda seed, n, dims, pickups, windows, fleet, pen, shift: random_problem(
        np.random.default_rng(seed),
        n,
        dims=dims,
        pickups=pickups,
        windows=windows,
        n_vehicles=fleet,
        penalty=pen,
        max_duration=shift,
    ),
    seed=st.integers(0, 2**31),
    n=st.integers(0, 14),
    dims=st.integers(1, 3),
    pickups=st.booleans(),
    windows=st.booleans(),
    fleet=st.integers(0, 5),
    pen=st.one_of(st.none(), st.floats(0.0, 200.0)),
    shift=st.sampled_from([np.inf, 120.0, 300.0]),
)


def _accounted(p, s) -> None:  # noqa: ANN001
    served = np.concatenate(s.routes) if s.routes else np.zeros(0, np.int64)
    allv = np.sort(np.concatenate((served, s.unserved)))
    assert allv.tolist() == list(range(1, p.n_stops + 1))


@settings(max_examples=60, deadline=None)
@given(problems)
def test_fast_mode_always_checker_clean(p) -> None:  # noqa: ANN001
    s = solve(p)
    assert check_solution(p, s) == []
    _accounted(p, s)


@settings(max_examples=30, deadline=None)
@given(problems, st.integers(0, 3))
def test_metaheuristic_always_checker_clean(p, seed) -> None:  # noqa: ANN001
    fast = solve(p)
    s = solve(p, seed=seed, max_iterations=40)
    assert check_solution(p, s) == []
    _accounted(p, s)
    # the search starts from the fast solution and keeps the best: never worse
    # (must-serve stops left out count before cost)
    if p.unserved_penalty is None:
        assert (s.unserved.size, s.cost) <= (fast.unserved.size, fast.cost + 1e-6)
    else:
        assert s.cost <= fast.cost + 1e-6


def test_same_seed_same_solution() -> None:
    p = random_problem(np.random.default_rng(7), 40, pickups=True, windows=True, n_vehicles=8)
    a = solve(p, seed=3, max_iterations=150)
    b = solve(p, seed=3, max_iterations=150)
    assert [r.tolist() for r in a.routes] == [r.tolist() for r in b.routes]
    assert a.cost == b.cost


def test_prize_collecting_leaves_out_what_cannot_fit() -> None:
    # one vehicle of capacity 10; stops 1, 2 near the depot and 3 far away, 5 each
    p = line_problem([1.0, 2.0, 50.0], [5, 5, 5], capacity=10, n_vehicles=1, unserved_penalty=1e3)
    for s in (solve(p), solve(p, max_iterations=100)):
        assert s.unserved.tolist() == [3]
        assert check_solution(p, s) == []
        assert s.cost == 4.0 + 1e3


def test_prize_collecting_drops_stop_not_worth_its_detour() -> None:
    # stop 3 costs a 96 km detour but its penalty is only 10
    pen = np.array([0.0, 1e3, 1e3, 10.0])
    p = line_problem([1.0, 2.0, 50.0], [1, 1, 1], capacity=10, unserved_penalty=pen)
    for s in (solve(p), solve(p, max_iterations=50)):
        assert s.unserved.tolist() == [3]
        assert s.cost == 4.0 + 10.0


def test_must_serve_stop_that_cannot_fit_reported() -> None:
    p = line_problem([1.0, 2.0, 3.0], [6, 6, 6], capacity=10, n_vehicles=2)
    for s in (solve(p), solve(p, max_iterations=50)):
        assert s.unserved.size == 1
        assert len(s.routes) == 2
        assert check_solution(p, s) == []


def _savings_two_opt(p):  # noqa: ANN001, ANN202
    """The fast mode without the inter-route descent (the baseline it must not lose to)."""
    from sim.routing.construct import clarke_wright
    from sim.routing.local_search import intra_two_opt
    from sim.routing.problem import Prepared
    from sim.routing.solver import drop_unprofitable, exchange_unserved, to_solution

    prep = Prepared(p)
    routes, unserved = clarke_wright(prep)
    routes = intra_two_opt(prep, routes)
    routes, unserved = drop_unprofitable(prep, routes, unserved)
    routes, unserved = exchange_unserved(prep, routes, unserved)
    return to_solution(p, routes, unserved)


bigger = st.builds(
    lambda seed, n, dims, pickups, windows, fleet, pen, shift: random_problem(
        np.random.default_rng(seed),
        n,
        dims=dims,
        pickups=pickups,
        windows=windows,
        n_vehicles=fleet,
        penalty=pen,
        max_duration=shift,
    ),
    seed=st.integers(0, 2**31),
    n=st.integers(0, 40),
    dims=st.integers(1, 3),
    pickups=st.booleans(),
    windows=st.booleans(),
    fleet=st.integers(1, 12),
    pen=st.one_of(st.none(), st.floats(0.0, 200.0)),
    shift=st.sampled_from([np.inf, 120.0, 300.0]),
)


@settings(max_examples=50, deadline=None)
@given(bigger)
def test_fast_mode_never_worse_than_savings_two_opt(p) -> None:  # noqa: ANN001
    s = solve(p)
    assert check_solution(p, s) == []
    _accounted(p, s)
    base = _savings_two_opt(p)
    if p.unserved_penalty is None:  # must-serve stops left out count before cost
        assert s.unserved.size <= base.unserved.size
    assert s.cost <= base.cost + 1e-6


@settings(max_examples=30, deadline=None)
@given(bigger, st.integers(2, 6))
def test_granular_descent_keeps_routes_feasible(p, k) -> None:  # noqa: ANN001
    from sim.routing.construct import clarke_wright
    from sim.routing.descent import improve
    from sim.routing.problem import Prepared
    from sim.routing.routes import feasible, route_arc_cost

    prep = Prepared(p)
    routes, _ = clarke_wright(prep)
    out = improve(prep, routes, neighbours=k)
    assert sorted(v for r in out for v in r) == sorted(v for r in routes for v in r)
    assert len(out) <= prep.n_vehicles
    assert all(feasible(prep, r) for r in out)
    before = sum(route_arc_cost(prep, r) for r in routes)
    assert sum(route_arc_cost(prep, r) for r in out) <= before + 1e-6


def test_fast_mode_deterministic() -> None:
    p = random_problem(np.random.default_rng(11), 40, dims=3, pickups=True, windows=True, n_vehicles=9)
    a, b = solve(p), solve(p)
    assert [r.tolist() for r in a.routes] == [r.tolist() for r in b.routes]
