"""Morris effects through a sweep store: a hand-computed effect and an unused parameter."""

from __future__ import annotations

import math

import pytest
from models import ISHIGAMI_A, ISHIGAMI_FIELDS, ishigami
from stores import ranges, run_sweep

import sim

UNUSED = "social.yuan_per_km"  # swept, never read by the model


@pytest.fixture(scope="module")
def morris_store(tmp_path_factory):
    parameters = ranges({**ISHIGAMI_FIELDS, UNUSED: (0.1, 0.5)})
    db = tmp_path_factory.mktemp("morris") / "m.sqlite"
    return run_sweep(db, ishigami, design="morris", samples=30, levels=4, parameters=parameters)


def test_morris_effects_hand_computed_and_a_dummy_parameter(morris_store):
    table = sim.analyze(morris_store, method="morris", kpis=["ishigami"]).table.set_index("parameter")
    # On 4 levels x2 is one of -pi, -pi/3, pi/3, pi, and a step of delta = 2/3 always goes
    # between sin^2 = 0 and 3/4: every effect of x2 is +-a * 3/4 / (2/3).
    x2 = "self_pickup.parcels_per_trip"
    assert table.loc[x2, "mu_star"] == pytest.approx(ISHIGAMI_A * 0.75 / (2.0 / 3.0))
    assert table.loc[UNUSED, "mu_star"] == 0.0 and table.loc[UNUSED, "sigma"] == 0.0
    assert (table.drop(index=UNUSED)["mu_star"] > 1.0).all()
    assert (table["trajectories"] == 30).all()
    assert not any(math.isnan(v) for v in table["mu_star_ci95"])


def test_morris_asks_for_a_morris_design(morris_store):
    with pytest.raises(sim.ScenarioError, match="Sobol indices need a saltelli design"):
        sim.analyze(morris_store, method="sobol")
