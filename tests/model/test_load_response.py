"""How the built-in county responds to load (integrated mode, 7 days, 2 warm-up, seed 1):
with the surge rules on, three times the parcels are still delivered on time; as parcel or
produce volume rises, the backlog and spoilage never fall, and neither does the cost the
operator pays plus the late-item penalty (a cost that cannot fall as service collapses).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[2]
PARCELS_PER_1000 = 20.0
STRAWBERRY_TONNES = 15_000.0


@pytest.fixture(scope="module")
def base():
    return sim.derive(sim.load(ROOT / "scenarios" / "lishui.toml"), {"days": 7})


def kpis(scenario, changes):
    return sim.run(sim.derive(scenario, changes), seed=1).kpis


@pytest.fixture(scope="module")
def by_demand(base):
    return [
        kpis(base, {"parcels": {"per_1000_residents_per_day": PARCELS_PER_1000 * f}}) for f in (1, 2, 3, 4)
    ]


@pytest.fixture(scope="module")
def by_produce(base):
    crops = [c.model_dump(mode="json") for c in base.produce.crops]
    out = []
    for f in (1, 3, 10):
        scaled = [
            dict(c, season_tonnes=STRAWBERRY_TONNES * f) if c["name"] == "strawberry" else c for c in crops
        ]
        out.append(kpis(base, {"produce": {"crops": scaled}}))
    return out


def non_decreasing(values, slack=1e-9):
    return all(b >= a - slack * max(1.0, abs(a)) for a, b in zip(values, values[1:], strict=False))


def test_with_surge_three_times_the_parcels_are_still_delivered_on_time(by_demand):
    x3 = by_demand[2]
    assert x3["last_km.on_time_share"] >= 0.95
    assert x3["peak.stable"] == 1.0
    assert x3["cost.hire_yuan_per_day"] + x3["cost.overtime_yuan_per_day"] >= 0.0


def test_backlog_and_paid_cost_never_fall_as_parcel_volume_rises(by_demand):
    assert non_decreasing([k["last_km.parcels_per_day"] for k in by_demand])
    assert non_decreasing([k["peak.backlog_items_max"] for k in by_demand])
    paid = [k["cost.operator_yuan_per_day"] + k["cost.late_penalty_yuan_per_day"] for k in by_demand]
    assert non_decreasing(paid)


def test_spoilage_and_backlog_never_fall_as_produce_volume_rises(by_produce):
    assert non_decreasing([k["first_km.produce_kg_per_day"] for k in by_produce])
    assert non_decreasing([k["first_km.spoiled_kg_per_day"] for k in by_produce])
    assert non_decreasing([k["peak.backlog_kg_max"] for k in by_produce])
    paid = [k["cost.operator_yuan_per_day"] + k["cost.late_penalty_yuan_per_day"] for k in by_produce]
    assert non_decreasing(paid)
