"""The saltelli and morris designs: the layouts their estimators read, crossing, checks."""

from __future__ import annotations

import numpy as np
import pytest
from stores import TINY

import sim
from sim.sweep.design import Parameter, design_points, make_points
from sim.sweep.sensitivity import morris_delta, morris_unit, saltelli_unit


def test_saltelli_rows_are_a_mixes_and_b_in_salib_order():
    rows = saltelli_unit(3, 16, design_seed=4).reshape(16, 5, 3)
    a, b = rows[:, 0], rows[:, -1]
    for j in range(3):
        mixed = rows[:, j + 1]
        np.testing.assert_array_equal(mixed[:, j], b[:, j])
        np.testing.assert_array_equal(np.delete(mixed, j, axis=1), np.delete(a, j, axis=1))
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(rows.reshape(80, 3), saltelli_unit(3, 16, design_seed=4))  # seeded


def test_morris_trajectories_move_one_parameter_by_delta_each_step():
    levels = 4
    rows = morris_unit(5, 20, levels, design_seed=1).reshape(20, 6, 5)
    assert set(np.round(rows.ravel() * (levels - 1), 9)) <= {0.0, 1.0, 2.0, 3.0}  # on the grid
    steps = np.diff(rows, axis=1)
    moved = np.abs(steps) > 0
    assert (moved.sum(axis=2) == 1).all()  # one parameter per step
    assert (moved.sum(axis=1) == 1).all()  # each parameter once per trajectory
    np.testing.assert_allclose(np.abs(steps[moved]), morris_delta(levels))


def test_a_list_parameter_is_crossed_with_the_sample():
    mode = Parameter("mode", ("mode",), values=("separate", "integrated"))
    fleet = Parameter("vans", ("vans",), low=1, high=4, integer=True)
    demand = Parameter("demand", ("demand",), low=10.0, high=40.0)
    points = make_points([mode, fleet, demand], "saltelli", 8, 0)
    assert len(points) == design_points([mode, fleet, demand], "saltelli", 8) == 8 * 4 * 2
    for first, second in zip(points[0::2], points[1::2], strict=True):
        assert (first["mode"], second["mode"]) == ("separate", "integrated")
        assert (first["vans"], first["demand"]) == (second["vans"], second["demand"])
    assert design_points([mode, fleet, demand], "morris", 5) == 5 * 3 * 2


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ({"design": "morris", "samples": 4, "levels": 3}, "even number of levels"),
        ({"design": "saltelli", "samples": 4, "levels": 4}, "levels is for design"),
        ({"design": "saltelli"}, "needs samples"),
    ],
)
def test_bad_sensitivity_settings_are_located(extra, said):
    spec = {"scenario": sim.load(TINY), "parameters": {"operations.stop_service_min": {"min": 1, "max": 5}}}
    with pytest.raises(sim.ScenarioError, match=said):
        sim.sweep.sweep_from_dict({**spec, **extra})


def test_saltelli_crosses_one_list_parameter_only():
    spec = {
        "scenario": sim.load(TINY),
        "design": "saltelli",
        "samples": 4,
        "parameters": {
            "mode": ["separate", "integrated"],
            "integrated.vans_per_town": [1, 2],
            "operations.stop_service_min": {"min": 1.0, "max": 5.0},
        },
    }
    with pytest.raises(sim.ScenarioError, match="crosses one list parameter"):
        sim.sweep.sweep_from_dict(spec)
