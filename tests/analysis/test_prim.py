"""PRIM finds a planted box; the condition language."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from models import ISHIGAMI_FIELDS

import sim
from sim.analysis.condition import Condition


def field_value(name: str, x: float) -> float:
    """The scenario value standing for the model input x in [-pi, pi]."""
    lo, hi = ISHIGAMI_FIELDS[name]
    return lo + (x + math.pi) / (2 * math.pi) * (hi - lo)


def test_prim_finds_the_planted_box(planted_box_store):
    result = sim.analyze(planted_box_store, method="prim", condition="in_box > 0.5")
    limits = result.table.set_index("parameter")
    x1, x2 = "operations.stop_service_min", "self_pickup.parcels_per_trip"
    assert set(limits.index) == {x1, x2}  # the third parameter is not restricted
    spacing = {x1: 10 / 400 * 8, x2: 2 / 400 * 8}  # a few sample spacings of each range
    assert limits.loc[x1, "low"] == pytest.approx(field_value(x1, -1.0), abs=spacing[x1])
    assert limits.loc[x1, "high"] == pytest.approx(field_value(x1, 1.0), abs=spacing[x1])
    assert limits.loc[x2, "low"] == pytest.approx(field_value(x2, 1.0), abs=spacing[x2])
    chosen = result.prim.trajectory.loc[result.prim.chosen]
    assert chosen["coverage"] >= 0.9 and chosen["density"] >= 0.9
    frame = result.to_frame()
    assert {"coverage", "density", "condition"} <= set(frame.columns)
    names = set(result.figures())
    assert {"trajectory", "box", "parameters"} <= names


def test_conditions_evaluate_on_columns_and_refuse_code():
    table = pd.DataFrame({"a.x": [1.0, 2.0, 3.0, np.nan], "b.x": [2.0, 2.0, 2.0, 2.0]})
    assert Condition("a.x < b.x * 0.8", list(table)).holds(table).tolist() == [True, False, False, False]
    assert Condition("1 < a.x <= 3 and not b.x > 5", list(table)).holds(table).tolist() == [
        False,
        True,
        True,
        False,
    ]
    for bad, said in [
        ("a.x <", "does not parse"),
        ("a.y > 1", "unknown KPI 'a.y'"),
        ("open('f') > 1", "KPI names, numbers"),
        ("a.x", "not a comparison"),
        ("a.x ** 2 > 1", "unsupported operator"),
    ]:
        with pytest.raises(sim.ScenarioError, match=said):
            Condition(bad, list(table))


def test_prim_reads_integer_parameters():
    """An integer parameter (a fleet size) in a run table: PRIM restricts it too."""
    rng = np.random.default_rng(0)
    n = 300
    vans, demand = rng.integers(1, 5, n), rng.uniform(10.0, 40.0, n)
    runs = pd.DataFrame(
        {
            "sweep": "s",
            "point": range(n),
            "replication": 0,
            "seed": 1,
            "status": "done",
            "vans": vans,
            "demand": demand,
            "late": ((vans <= 2) & (demand > 25.0)).astype(float),
        }
    )
    limits = sim.analyze(runs, method="prim", condition="late > 0.5", parameters=["vans", "demand"]).table
    limits = limits.set_index("parameter")
    assert limits.loc["vans", "high"] < 3 and limits.loc["demand", "low"] == pytest.approx(
        25.0, abs=2.0
    )  # density >= 0.8 allows a margin
