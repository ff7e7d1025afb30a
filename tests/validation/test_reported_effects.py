"""The built-in county beside the effects deployments reported (DOMAIN.md), on a short
horizon with paired confidence intervals: the claims that hold are asserted; the ones
that do not are strict xfails that name the reason (docs/validation.md says more).

One ladder is run for the module: Lishui, 7 days (2 warm-up), 3 replications.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.api import validation as v

ROOT = Path(__file__).resolve().parents[2]
DAYS, REPLICATIONS = 7, 3


@pytest.fixture(scope="module")
def ladder():
    scenario = sim.derive(sim.load(ROOT / "scenarios" / "lishui.toml"), {"days": DAYS})
    return sim.ladder(scenario, REPLICATIONS)


@pytest.fixture(scope="module")
def found(ladder):
    return {e.name: e for e in v.effects(ladder)}


def test_the_steps_add_up_to_the_whole_difference(ladder):
    total = ladder.total().difference
    steps = ladder.steps()
    for kpi in ("cost.operator_yuan_per_day", "cost.vehicle_km_per_day", "social.villager_km_per_day"):
        assert sum(s.difference[kpi].mean for s in steps) == pytest.approx(
            total[kpi].mean, rel=1e-9, abs=1e-6
        )


def test_the_bus_step_alone_saves_at_most_the_reported_share_of_vehicle_km(found):
    e = found["bus_distance_saving"]
    assert e.model.n == REPLICATIONS
    assert -0.071 <= e.model.mean <= 0.0 + 1e-12
    assert e.model.high <= 0.01  # it does not add km either


def test_bus_carried_parcels_reach_the_addressee_on_the_day_they_arrive(found):
    e = found["bus_parcels_same_day"]
    assert e.model.mean >= 0.5


def test_express_in_village_delivery_in_the_baseline_is_neither_none_nor_all(found):
    e = found["baseline_express_in_village"]
    assert 0.2 <= e.model.low and e.model.high <= 0.95


def test_the_five_in_one_brings_express_service_to_as_many_villages_as_reported(found):
    assert found["integrated_express_villages"].model.mean >= 0.95


def test_postal_routes_are_as_long_as_reported(found):
    e = found["postal_route_km"]
    assert 47.0 <= e.model.mean <= 75.0


def test_pooling_supply_saves_more_than_30_percent_of_the_cooperatives_cost(found):
    e = found["pooled_supply_cost"]
    assert -1.0 <= e.model.mean <= -0.30


def test_integrating_post_express_and_bus_cuts_the_parcel_networks_cost_by_10_to_35_percent(found):
    e = found["parcel_network_cost"]
    assert -0.35 <= e.model.mean <= -0.10
    assert e.model.n == REPLICATIONS and e.model.low < e.model.mean < e.model.high  # a paired interval


@pytest.mark.xfail(
    strict=True,
    reason="outside at the strawberry peak: produce crates on the shared vans take a large share of "
    "the pieces; docs/validation.md, village_delivery_cost_per_piece",
)
def test_village_bound_delivery_cost_per_piece_falls_by_10_to_35_percent(found):
    e = found["village_delivery_cost_per_piece"]
    assert -0.35 <= e.model.mean <= -0.10


@pytest.mark.xfail(
    strict=True,
    reason="outside: six carriers' trunks become one, and by kg the supply cases bear most of the "
    "shared vans' cost; docs/validation.md, village_delivery_cost",
)
def test_village_bound_delivery_cost_by_kg_falls_by_10_to_35_percent(found):
    e = found["village_delivery_cost"]
    assert -0.35 <= e.model.mean <= -0.10


@pytest.mark.xfail(
    strict=True,
    reason="outside: the bus takes the earliest-sorted parcels (postal, already delivered daily in "
    "the baseline); docs/validation.md, bus_parcels_sooner",
)
def test_bus_carried_parcels_arrive_at_least_half_a_day_sooner_than_in_the_baseline(found):
    assert found["bus_parcels_sooner"].model.mean >= 12.0


@pytest.mark.xfail(
    strict=True,
    reason="outside: one postal van a town calls at every village of its town in one tour; "
    "docs/validation.md, postal_route_villages",
)
def test_postal_routes_serve_at_most_about_9_villages(found):
    assert found["postal_route_villages"].model.mean <= 9.0


def test_the_measures_compare_the_same_parcels_in_both_levels(ladder):
    """Common random numbers: every level holds the same items, so per-parcel gains are paired."""
    base, five = ladder.results[v.BASELINE][0], ladder.results[v.FIVE_IN_ONE][0]
    a, b = base.record.ledger, five.record.ledger
    assert len(a) == len(b)
    assert np.array_equal(a.created_t, b.created_t) and np.array_equal(a.destination, b.destination)
    rows = v.bus_parcel_rows(five)
    assert len(rows) > 0
    trips = five.record.trips.table()
    assert (trips["kind"][b.trip[rows]] == "bus").all()


def test_every_effect_has_a_row_and_a_paragraph_in_docs_validation(found):
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    for name, e in found.items():
        assert f"| `{name}` |" in text, (
            f"{name}: no row in the generated table (run benchmarks/validation.py)"
        )
        assert f"### `{name}`" in text, f"{name}: no paragraph on its mechanism"
        assert not math.isnan(e.model.mean), name
