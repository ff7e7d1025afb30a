"""Hand-checked small cases for solve, schedule and check_solution."""

from __future__ import annotations

import numpy as np
import pytest

from sim.routing import RoutingProblem, RoutingSolution, check_solution, schedule, solve

from .helpers import line_problem, random_problem


def test_three_stops_on_a_line_one_route() -> None:
    p = line_problem([1.0, 2.0, 3.0], [1, 1, 1], capacity=10)
    s = solve(p)
    assert check_solution(p, s) == []
    assert len(s.routes) == 1
    assert sorted(s.routes[0].tolist()) == [1, 2, 3]
    assert s.distance_km == pytest.approx(6.0)
    assert s.cost == pytest.approx(6.0)


def test_capacity_forces_two_routes_on_a_line() -> None:
    # stops at 1, 2, 10, 11; capacity 2 stops per vehicle: the optimum pairs neighbours
    p = line_problem([1.0, 2.0, 10.0, 11.0], [1, 1, 1, 1], capacity=2)
    s = solve(p)
    assert check_solution(p, s) == []
    assert s.distance_km == pytest.approx(4.0 + 22.0)
    assert sorted(sorted(r.tolist()) for r in s.routes) == [[1, 2], [3, 4]]


def test_schedule_waits_for_ready_time() -> None:
    p = line_problem(
        [10.0, 20.0],
        [1, 1],
        capacity=5,
        service_min=2.0,
        ready_min=np.array([0.0, 0.0, 50.0]),
        due_min=np.array([200.0, 100.0, 100.0]),
        start_min=5.0,
    )
    arrival, begin, back = schedule(p, np.array([1, 2]))
    assert arrival.tolist() == [15.0, 27.0]
    assert begin.tolist() == [15.0, 50.0]
    assert back == 72.0


def test_checker_catches_each_kind_of_violation() -> None:
    p = line_problem(
        [1.0, 2.0, 3.0],
        [3, 3, 3],
        capacity=5,
        due_min=np.array([100.0, 100.0, 100.0, 2.0]),
        max_duration_min=7.0,
        n_vehicles=1,
    )
    bad = RoutingSolution(
        routes=[np.array([1, 2]), np.array([3, 3])],
        unserved=np.array([]),
        distance_km=0.0,
        cost=0.0,
    )
    msgs = check_solution(p, bad)
    text = "\n".join(msgs)
    assert "appears 2 times" in text
    assert "2 routes but only 1 vehicles" in text
    assert "departs with load 6 > capacity 5" in text
    assert "after due" in text
    missing = RoutingSolution(routes=[np.array([1])], unserved=np.array([2]), distance_km=0, cost=0)
    assert any("stop 3 is neither" in m for m in check_solution(p, missing))
    late = RoutingSolution(routes=[np.array([3, 2, 1])], unserved=np.array([]), distance_km=0, cost=0)
    assert any(
        "duration" in m
        for m in check_solution(
            line_problem([1.0, 2.0, 3.0], [1, 1, 1], capacity=5, max_duration_min=5.0), late
        )
    )


def test_checker_tracks_load_with_pickups() -> None:
    # leaves with 4 (deliveries), stop 1 picks up 4 before stop 2 drops 2 -> peak 6 > 5
    p = line_problem([1.0, 2.0], [2, 2], capacity=5, pickup=np.array([[0.0], [4.0], [0.0]]))
    s = RoutingSolution(routes=[np.array([1, 2])], unserved=np.array([]), distance_km=0, cost=0)
    assert any("after stop 1" in m for m in check_solution(p, s))
    ok = RoutingSolution(routes=[np.array([2, 1])], unserved=np.array([]), distance_km=0, cost=0)
    assert check_solution(p, ok) == []


def test_stop_that_cannot_fit_is_reported_unserved() -> None:
    p = line_problem([1.0, 2.0], [1, 50], capacity=10)
    s = solve(p)
    assert s.unserved.tolist() == [2]
    assert check_solution(p, s) == []


def test_no_vehicles_means_everything_unserved() -> None:
    p = line_problem([1.0, 2.0], [1, 1], capacity=10, n_vehicles=0)
    s = solve(p)
    assert s.routes == [] and s.unserved.tolist() == [1, 2]


@pytest.mark.parametrize("seed", range(6))
def test_random_problems_feasible_fast_mode(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = random_problem(rng, 25, dims=2, pickups=True, windows=seed % 2 == 0, n_vehicles=6)
    s = solve(p)
    assert check_solution(p, s) == []


def test_empty_problem() -> None:
    p = RoutingProblem(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)), np.ones(1), 3)
    s = solve(p)
    assert s.routes == [] and s.unserved.size == 0 and s.cost == 0.0
