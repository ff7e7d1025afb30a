"""The per-route loops of `routes.py` against array formulations of the same checks."""

from __future__ import annotations

import numpy as np
import pytest

from sim.routing.problem import EPS, Prepared
from sim.routing.routes import forward_times, load_feasible, load_summary, time_feasible
from sim.routing.timing import schedule

from .helpers import line_problem, random_problem


@pytest.mark.parametrize("pickups", [False, True])
def test_load_loop_agrees_with_the_array_profile(pickups: bool) -> None:
    """On random routes (many at the capacity limit) the loop says feasible exactly when the
    array profile's peak is within capacity on every dimension."""
    rng = np.random.default_rng(7)
    verdicts = set()
    for trial in range(60):
        prep = Prepared(random_problem(rng, 12, dims=3, pickups=pickups))
        route = rng.permutation(np.arange(1, 13))[: 1 + trial % 12].tolist()
        expected = bool(np.all(load_summary(prep, route)[2] <= prep.capacity + EPS))
        assert load_feasible(prep, route) == expected
        verdicts.add(expected)
    assert verdicts == {True, False}  # both outcomes were exercised


def test_load_loop_hand_case() -> None:
    """Capacity 10: deliver 6 and 4 (leave with 10), pick up 5 at the first stop: 9 on
    board; a pickup of 7 there makes 11."""
    p = line_problem([1.0, 2.0], [6.0, 4.0], 10.0, pickup=np.array([[0.0], [5.0], [0.0]]))
    assert load_feasible(Prepared(p), [1, 2])
    p = line_problem([1.0, 2.0], [6.0, 4.0], 10.0, pickup=np.array([[0.0], [7.0], [0.0]]))
    assert not load_feasible(Prepared(p), [1, 2])
    assert load_feasible(Prepared(p), [2, 1])  # drop 4, then at stop 1 drop 6 and load 7


def test_forward_times_agree_with_schedule() -> None:
    """The list-based timing equals the vectorised `schedule` (which sums in another order)."""
    rng = np.random.default_rng(3)
    for _ in range(30):
        problem = random_problem(rng, 10, windows=True)
        prep = Prepared(problem)
        route = rng.permutation(np.arange(1, 11))[:6].tolist()
        t = forward_times(prep, route)
        _, begin, back = schedule(problem, np.asarray(route))
        assert t[1:-1] == pytest.approx(begin.tolist(), rel=1e-12)
        assert t[-1] == pytest.approx(back, rel=1e-12)
        on_time = all(b <= prep.due[v] + EPS for b, v in zip(begin, route, strict=True))
        assert time_feasible(prep, route) == (on_time and back <= prep.due[0] + EPS)
