"""Owned fleets and piece rates: vans cost their day rate every day whether they drive or not.

The hand county: hub -10 km- station -6 km- A -4 km- B, one express carrier with 3 parcels
a day for A and 2 for B, served daily. The micro_van costs 1.2 yuan/km and 250 yuan a day;
its tour station -> A -> B -> station is 6 + 4 + 10 = 20 km (B back to the station by road).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import sim
from sim.records.ledger import DELIVERED, PARCEL_IN

SCENARIO = """\
name = "fleets"
mode = "separate"
days = 5
warmup_days = 1
start_date = 2026-01-05   # a Monday

[network]
source = "csv"
nodes_csv = "nodes.csv"
edges_csv = "edges.csv"

[parcels]
fixed_per_village = { A = 3, B = 2 }
weight_sigma = 0.0
promotion_dates = []

[[carriers]]
name = "exp"
share = 1.0
linehaul_arrival = "06:00"

[stations]
dispatch_times = ["09:00"]

[supply]
kg_per_resident_per_week = 0.0
trucks = 0
farm_inputs = []
[produce]
crops = []
[outbound]
per_1000_residents_per_day = 0.0
[finance]
per_1000_residents_per_day = 0.0
[bus]
generate_per_town = 0
[poi]
parcels_per_day = 0.0
[variability]
enabled = false   # hand-computed times
"""
VAN_DAY_YUAN = 250.0
PARCELS_A_DAY = 5
MEASURED_DAYS = 4


@pytest.fixture
def county(hand_county):
    tmp_path = hand_county
    (tmp_path / "fleets.toml").write_text(textwrap.dedent(SCENARIO))
    return sim.load(tmp_path / "fleets.toml")


def with_carrier(scenario, **changes):
    carrier = dict(scenario.carriers[0].model_dump(mode="json"), **changes)
    return sim.derive(scenario, {"carriers": [carrier]})


def test_a_second_van_that_never_drives_costs_its_day_rate_and_changes_nothing_else(county):
    one, two = (sim.run(with_carrier(county, vans_per_town=n), seed=1) for n in (1, 2))
    k1, k2 = one.kpis, two.kpis
    assert k2["cost.operator_yuan_per_day"] - k1["cost.operator_yuan_per_day"] == pytest.approx(VAN_DAY_YUAN)
    assert k1["cost.fleet_standing_yuan_per_day"] == pytest.approx(VAN_DAY_YUAN)
    assert k2["cost.fleet_standing_yuan_per_day"] == pytest.approx(2 * VAN_DAY_YUAN)
    assert k1["cost.vehicle_use_share"] == pytest.approx(1.0)  # one tour a day, one van
    assert k2["cost.vehicle_use_share"] == pytest.approx(0.5)
    for name in ("last_km.on_time_share", "cost.vehicle_km_per_day", "last_km.lead_time_h_p50"):
        assert k1[name] == pytest.approx(k2[name]), name
    vans = one.trips[one.trips.kind == "van"]
    assert vans["cost_yuan"].to_numpy() == pytest.approx(np.full(len(vans), 20 * 1.2))


def test_couriers_paid_by_the_piece_own_no_van_and_cost_the_rate_per_parcel(county):
    rate = 1.2
    result = sim.run(with_carrier(county, piece_rate_yuan_per_parcel=rate), seed=1)
    vans = result.trips[result.trips.kind == "van"]
    assert len(vans) and (vans["items_parcel_in"] == PARCELS_A_DAY).all()
    assert vans["cost_yuan"].to_numpy() == pytest.approx(rate * vans["items_parcel_in"].to_numpy())
    assert vans["km"].to_numpy() == pytest.approx(np.full(len(vans), 20.0))  # still driven
    assert result.kpis["cost.fleet_standing_yuan_per_day"] == 0.0
    assert {f.operator: f.size for f in result.record.fleets} == {"exp": 0, "cooperative": 0}
    led = result.record.ledger
    assert (led.status[led.flow == PARCEL_IN] == DELIVERED).all()


def test_vehicles_out_never_exceed_the_fleet_and_are_counted_per_day(county):
    result = sim.run(with_carrier(county, vans_per_town=3), seed=1)
    (fleet,) = [f for f in result.record.fleets if f.operator == "exp"]
    assert fleet.size == 3
    vans = result.trips[result.trips.kind == "van"]
    per_day = np.bincount(vans["day"].to_numpy(), minlength=len(fleet.vehicles_used))
    assert (fleet.vehicles_used <= fleet.size).all()
    assert (fleet.vehicles_used == np.minimum(per_day, 1)).all()  # one tour, one van, each day


def test_the_pooled_fleet_trades_standing_cost_for_service(tmp_path):
    """Lishui, 20 villages, 4 days: each extra van per town costs 8 towns x 250 yuan a day,
    and service does not get worse with more vans."""
    base = sim.derive(
        sim.load("scenarios/lishui.toml"),
        {"days": 4, "warmup_days": 1, "network": {"n_villages": 20}, "mode": "integrated"},
    )
    kpis = [sim.run(sim.derive(base, {"integrated": {"vans_per_town": n}}), seed=3).kpis for n in (1, 2, 3)]
    towns = len(sim.build_world(base).towns)
    standing = [k["cost.fleet_standing_yuan_per_day"] for k in kpis]
    assert standing == pytest.approx([towns * VAN_DAY_YUAN * n for n in (1, 2, 3)])
    on_time = [k["last_km.on_time_share"] for k in kpis]
    assert on_time[0] <= on_time[1] + 1e-9 <= on_time[2] + 2e-9
    use = [k["cost.vehicle_use_share"] for k in kpis]
    assert use[0] >= use[1] >= use[2]
