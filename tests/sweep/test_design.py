"""Designs (grid, Latin hypercube, Sobol) and seeds."""

from __future__ import annotations

import numpy as np

from sim.sweep.design import Parameter, grid_points, make_points, run_seed


def test_grid_is_every_combination_last_fastest() -> None:
    a = Parameter("a", ("a",), values=(1, 2))
    b = Parameter("b", ("b",), values=("x", "y", "z"))
    points = grid_points([a, b])
    assert points[:4] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"}, {"a": 2, "b": "x"}]
    assert len(points) == 6
    assert grid_points([]) == [{}]


def test_latin_hypercube_is_stratified_typed_and_seeded() -> None:
    x = Parameter("x", ("x",), low=0.0, high=10.0)
    k = Parameter("k", ("k",), low=1, high=4, integer=True)
    c = Parameter("c", ("c",), values=("a", "b"))
    points = make_points([x, k, c], "lhs", 40, design_seed=3)
    xs = np.array([p["x"] for p in points])
    # one sample in each of the 40 equal strata of x
    assert sorted(np.floor(xs / 10.0 * 40).astype(int)) == list(range(40))
    ks = [p["k"] for p in points]
    assert all(type(v) is int for v in ks) and {ks.count(v) for v in range(1, 5)} == {10}
    assert {p["c"] for p in points} == {"a", "b"}
    assert make_points([x, k, c], "lhs", 40, design_seed=3) == points
    assert make_points([x, k, c], "lhs", 40, design_seed=4) != points


def test_sobol_and_log_ranges_stay_inside() -> None:
    r = Parameter("r", ("r",), low=10.0, high=1000.0, log=True)
    points = make_points([r], "sobol", 64, design_seed=0)
    values = np.array([p["r"] for p in points])
    assert values.min() >= 10.0 and values.max() <= 1000.0
    # log-uniform: about half the points below the geometric midpoint 100
    assert 24 <= (values < 100.0).sum() <= 40


def test_seeds_common_random_numbers_and_independent() -> None:
    assert [run_seed(7, p, 2) for p in range(5)] == [9] * 5
    independent = {run_seed(7, p, r, common_random_numbers=False) for p in range(50) for r in range(4)}
    assert len(independent) == 200
    assert all(0 <= s < 2**63 for s in independent)
    assert run_seed(7, 3, 1, False) == run_seed(7, 3, 1, False)
    assert run_seed(7, 3, 1, False) != run_seed(8, 3, 1, False)
