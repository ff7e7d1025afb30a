"""The model's headline claim (project issue 3), as an assertion about its behaviour:
the integrated Lishui scenario beats separate operation on vehicle-km per item delivered
and on village coverage, with paired 95 % intervals that exclude zero.

Run with ``pytest -s`` to see the margins.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.kpi import Estimate

LISHUI = Path(__file__).resolve().parents[2] / "scenarios" / "lishui.toml"


@pytest.fixture(scope="module")
def comparison() -> sim.Comparison:
    scenario = sim.load(LISHUI).model_copy(update={"days": 7, "warmup_days": 1})
    return sim.compare(scenario, ["separate", "integrated"], replications=2)


def margin(comparison: sim.Comparison, kpi: str) -> Estimate:
    sep, integ = comparison.estimates("separate")[kpi], comparison.estimates("integrated")[kpi]
    diff = comparison.difference("integrated")[kpi]
    print(
        f"\n{kpi}: separate {sep.mean:.4g}, integrated {integ.mean:.4g}, "
        f"integrated - separate {diff.mean:+.4g} (95 % CI {diff.low:+.4g} .. {diff.high:+.4g}, n={diff.n})"
    )
    return diff


def test_integrated_drives_fewer_vehicle_km_per_item(comparison):
    diff = margin(comparison, "cost.vehicle_km_per_item")
    assert diff.n == 2
    assert diff.high < 0.0, "the paired interval must lie below zero"
    for sep, integ in zip(comparison.results["separate"], comparison.results["integrated"], strict=True):
        assert integ.kpis["cost.vehicle_km_per_item"] < sep.kpis["cost.vehicle_km_per_item"]


def test_integrated_covers_more_villages(comparison):
    diff = margin(comparison, "last_km.village_coverage")
    assert diff.n == 2
    assert diff.low > 0.0, "the paired interval must lie above zero"
    for sep, integ in zip(comparison.results["separate"], comparison.results["integrated"], strict=True):
        assert integ.kpis["last_km.village_coverage"] > sep.kpis["last_km.village_coverage"]
    margin(comparison, "last_km.village_coverage_pop")


def test_first_km_coverage_not_worse(comparison):
    diff = margin(comparison, "first_km.village_coverage")
    assert not np.isnan(diff.mean)
    for sep, integ in zip(comparison.results["separate"], comparison.results["integrated"], strict=True):
        assert integ.kpis["first_km.village_coverage"] >= sep.kpis["first_km.village_coverage"]
    margin(comparison, "first_km.outbound_cutoff_share")
    margin(comparison, "first_km.fresh_share")


def test_both_modes_see_the_same_items(comparison):
    """Common random numbers: the comparison is of the policy, not of the demand draw."""
    for sep, integ in zip(comparison.results["separate"], comparison.results["integrated"], strict=True):
        assert sep.seed == integ.seed
        a, b = sep.record.ledger, integ.record.ledger
        assert np.array_equal(a.created_t, b.created_t) and np.array_equal(a.destination, b.destination)
