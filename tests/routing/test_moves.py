"""Hand-computed cases of the vectorised inter-route moves (relocate, swap, 2-opt*).

Each case builds a `Tour` on two routes whose costs are easy to add up by hand, and
checks the evaluators of `sim.routing.moves` directly: the exact delta of an
improving move, and moves that look improving but break capacity (including the
peak load mid-route with pickups) or a time window.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.routing import RoutingProblem, check_solution, solve
from sim.routing.descent import improve
from sim.routing.moves import apply_exchange, apply_two_opt_star, exchange, two_opt_star
from sim.routing.problem import Prepared
from sim.routing.tour import Tour

from .helpers import euclid, line_problem


def _all_pairs(n1: int, n2: int) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(n1)[:, None], np.arange(n2)[None, :]


def _relocations(prep: Prepared, routes: list[list[int]]) -> list[tuple[float, dict[int, list[int]]]]:
    t = Tour(prep, routes, spare=False)
    e, runs = t.edges(), t.runs((1,))
    d, i, j = exchange(t, e, runs, *_all_pairs(e.pre.size, runs.pre.size))
    out = [
        (float(dk), apply_exchange(t, e, runs, int(ik), int(jk))) for dk, ik, jk in zip(d, i, j, strict=True)
    ]
    return sorted(out, key=lambda m: m[0])


def test_relocate_improves_by_exact_delta() -> None:
    # A = [1, 2] at x = 10, 11; B = [3, 4] at x = -10, 12. Moving 4 to the end of A:
    # A 22 -> 24, B 10 + 22 + 12 = 44 -> 20, so the delta is 2 - 24 = -22 (on a line,
    # 4 between 1 and 2 ties with 4 last).
    p = line_problem([10.0, 11.0, -10.0, 12.0], [1, 1, 1, 1], capacity=10, n_vehicles=2)
    prep = Prepared(p)
    moves = _relocations(prep, [[1, 2], [3, 4]])
    assert moves[0][0] == pytest.approx(-22.0)
    best = [r for d, r in moves if d == pytest.approx(-22.0)]
    assert sorted(r[0] for r in best) == [[1, 2, 4], [1, 4, 2]]
    assert all(r[1] == [3] for r in best)
    out = improve(prep, [[1, 2], [3, 4]])
    assert sorted(map(sorted, out)) == [[1, 2, 4], [3]]


def _crossed(capacity: float) -> tuple[Prepared, Tour]:
    # A = [1, 2] at x = 10, -11 and B = [3, 4] at x = -10, 11: each costs 42.
    # Swapping 2 and 4 (or 1 and 3) gives two routes of 22: delta -40.
    p = line_problem([10.0, -11.0, -10.0, 11.0], [4, 1, 1, 4], capacity=capacity, n_vehicles=2)
    prep = Prepared(p)
    return prep, Tour(prep, [[1, 2], [3, 4]], spare=False)


def test_swap_found_with_room() -> None:
    _, t = _crossed(capacity=10)
    runs = t.runs((1,))
    d, i, j = exchange(t, runs, runs, *_all_pairs(runs.pre.size, runs.pre.size))
    assert d.size == 2 and np.allclose(d, -40.0)
    got = sorted(
        sorted(map(sorted, apply_exchange(t, runs, runs, int(a), int(b)).values()))
        for a, b in zip(i, j, strict=True)
    )
    assert got == [[[1, 4], [2, 3]], [[1, 4], [2, 3]]]


def test_swap_blocked_by_capacity() -> None:
    # demands 4, 1 | 1, 4 with capacity 6: either swap puts 8 on one van
    _, t = _crossed(capacity=6)
    runs = t.runs((1,))
    d, _, _ = exchange(t, runs, runs, *_all_pairs(runs.pre.size, runs.pre.size))
    assert d.size == 0


def _two_clusters(due_n2: float) -> tuple[RoutingProblem, Prepared, Tour]:
    # north N1 = 1 (0, 10), N2 = 4 (1, 10); south S1 = 2 (0, -10), S2 = 3 (1, -10).
    # A = [N1, S1] waits at N1 until 100; B = [S2, N2] reaches N2 at about 30.
    xy = np.array([[0.0, 0.0], [0.0, 10.0], [0.0, -10.0], [1.0, -10.0], [1.0, 10.0]])
    d = euclid(xy)
    p = RoutingProblem(
        duration_min=d,
        distance_km=d,
        delivery=np.ones((5, 1)),
        capacity=np.array([10.0]),
        n_vehicles=2,
        ready_min=np.array([0.0, 100.0, 0.0, 0.0, 0.0]),
        due_min=np.array([1e4, 1e4, 1e4, 1e4, due_n2]),
    )
    prep = Prepared(p)
    return p, prep, Tour(prep, [[1, 2], [3, 4]], spare=False)


def _star_results(t: Tour) -> list[list[list[int]]]:
    e = t.edges()
    d, i, j = two_opt_star(t, e, *_all_pairs(e.pre.size, e.pre.size))
    return [
        sorted(map(sorted, apply_two_opt_star(t, e, int(a), int(b)).values()))
        for a, b in zip(i, j, strict=True)
    ]


def test_two_opt_star_found_without_window() -> None:
    _, _, t = _two_clusters(due_n2=1e4)
    assert [[1, 4], [2, 3]] in _star_results(t)


def test_two_opt_star_blocked_by_time_window() -> None:
    # after the exchange N2 would follow N1, i.e. start after 100 > its due 50
    p, _, t = _two_clusters(due_n2=50.0)
    assert [[1, 4], [2, 3]] not in _star_results(t)
    s = solve(p)
    assert check_solution(p, s) == []


def test_pickup_peak_mid_route_blocks_insertion() -> None:
    # A = [1, 2] on a line (x = 1, 2), capacity 8: 1 collects 4, 2 receives 4, so A
    # leaves with 4, carries 8 after stop 1 and 4 after stop 2. B = [3] (x = 3)
    # receives 1. Totals fit anywhere (5 delivered, 4 collected) but after 1 or after
    # 2 the van would carry 9 past stop 1: only "3 first" fits (delta 4 - 6 = -2),
    # though "3 last" would save more (2 - 6 = -4).
    p = line_problem(
        [1.0, 2.0, 3.0],
        [0, 4, 1],
        capacity=8,
        n_vehicles=2,
        pickup=np.array([[0.0], [4.0], [0.0], [0.0]]),
    )
    prep = Prepared(p)
    moves = _relocations(prep, [[1, 2], [3]])
    assert [(round(d, 9), r) for d, r in moves if 3 in r.get(0, [])] == [(-2.0, {0: [3, 1, 2], 1: []})]
