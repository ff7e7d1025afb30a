"""A county small enough to compute by hand: one town, two villages, one van.

Road network (speeds given, so minutes are exact)::

    hub --10 km @ 60 km/h-- station --6 km @ 30-- A --4 km @ 30-- B

Every day the postal line-haul reaches the hub at 06:00 with 3 parcels for A and
2 for B (2 kg each). Sorting takes 60 min (ready 07:00), the trunk leaves at 07:30
and reaches the station at 07:40 (10 min), station sorting takes 30 min, the van
leaves at 09:00. A two-stop tour on a line has the same length in both directions,
so both visiting orders are computed and the run must match one of them exactly.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import sim
from sim.records.ledger import DELIVERED

SCENARIO = """\
name = "tiny"
mode = "{mode}"
days = 3
warmup_days = 1
seed = 5
start_date = 2026-01-05

[network]
source = "csv"
nodes_csv = "nodes.csv"
edges_csv = "edges.csv"

[vehicle_types.van]
capacity_parcels = 10
capacity_kg = 100.0
capacity_m3 = 1.0
speed_factor = 1.0
cost_per_km = 1.5
cost_per_hour = 30.0
cost_per_day = 200.0
co2_kg_per_km = 0.25

[vehicle_types.truck]
capacity_parcels = 100
capacity_kg = 1000.0
capacity_m3 = 10.0
speed_factor = 1.0
cost_per_km = 3.0
cost_per_day = 100.0
co2_kg_per_km = 0.5

[parcels]
fixed_per_village = {{ A = 3, B = 2 }}
weight_median_kg = 2.0
weight_sigma = 0.0
m3_per_kg = 0.01
promotion_dates = []

[[carriers]]
name = "postal"
kind = "postal"
share = 1.0
linehaul_arrival = "06:00"
vans_per_town = 1
vehicle = "van"

[hub]
sort_min = 60.0
trunk_departure = "07:30"
trunk_vehicle = "truck"

[stations]
sort_min = 30.0
dispatch_times = ["09:00"]

[operations]
shift_hours = 8.0
stop_service_min = 5.0
handling_sec_per_parcel = 15.0

[integrated]
vans_per_town = 1
vehicle = "van"

# Only inbound parcels in this county: the other flows are switched off.
[supply]
vehicle = "truck"
trucks = 0
kg_per_resident_per_week = 0.0
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


@pytest.fixture(params=["separate", "integrated"])
def tiny(hand_county, request):
    tmp_path = hand_county
    path = tmp_path / "tiny.toml"
    path.write_text(textwrap.dedent(SCENARIO.format(mode=request.param)))
    return sim.load(path)


def expected_tour(first: str) -> dict[str, float]:
    """Hand-computed hand-over minutes after midnight and the van's return, per order."""
    service = {"A": 5 + 3 * 15 / 60, "B": 5 + 2 * 15 / 60}
    leave = 9 * 60.0
    if first == "A":
        at_a = leave + 12
        at_b = at_a + service["A"] + 8
        back = at_b + service["B"] + 20
    else:
        at_b = leave + 20
        at_a = at_b + service["B"] + 8
        back = at_a + service["A"] + 12
    return {"A": at_a, "B": at_b, "back": back}


def test_lead_times_km_and_cost_are_exact(tiny):
    result = sim.run(tiny)
    led, world = result.record.ledger, result.world
    assert (led.status == DELIVERED).all()
    day = np.floor(led.created_t / 1440.0)
    assert np.all(led.created_t - day * 1440.0 == 360.0)
    handover = led.delivered_t - day * 1440.0
    names = np.array(world.nodes)[led.destination]
    order = "A" if handover[names == "A"][0] < handover[names == "B"][0] else "B"
    want = expected_tour(order)
    for village in "AB":
        assert np.allclose(handover[names == village], want[village])
    lead_min = led.delivered_t - led.created_t
    assert np.allclose(np.sort(np.unique(lead_min)), sorted({want["A"] - 360, want["B"] - 360}))

    trips = result.trips
    vans, trunks = trips[trips.kind == "van"], trips[trips.kind == "trunk"]
    assert len(vans) == len(trunks) == 3 and set(vans.day) == {0, 1, 2}
    assert np.allclose(vans.km, 20.0) and np.allclose(trunks.km, 20.0)
    assert np.allclose(vans.start_t - vans.day * 1440, 540.0)
    assert np.allclose(vans.end_t - vans.day * 1440, want["back"])
    duration_h = (want["back"] - 540.0) / 60.0
    van_cost = 20 * 1.5 + duration_h * 30.0  # the owned van's 200 a day is the fleet's
    trunk_cost = 20 * 3.0 + 100.0  # the hired truck's day rate is the trip's
    assert np.allclose(vans.cost_yuan, van_cost)
    assert np.allclose(trunks.cost_yuan, trunk_cost)
    assert np.allclose(vans.peak_load_share, 5 / 10)

    k = result.kpis
    assert k["last_km.parcels_per_day"] == 5
    assert k["last_km.on_time_share"] == 1.0
    assert k["last_km.village_coverage"] == 1.0
    assert k["cost.vehicle_km_per_day"] == pytest.approx(40.0)
    assert k["cost.co2_kg_per_day"] == pytest.approx(20 * 0.25 + 20 * 0.5)
    assert k["cost.fleet_standing_yuan_per_day"] == pytest.approx(200.0)
    assert k["cost.operator_yuan_per_day"] == pytest.approx(van_cost + trunk_cost + 200.0)
    assert k["cost.yuan_per_item"] == pytest.approx((van_cost + trunk_cost + 200.0) / 5)
    leads_h = sorted([(want["A"] - 360) / 60] * 3 + [(want["B"] - 360) / 60] * 2)
    assert k["last_km.lead_time_h_p50"] == pytest.approx(np.percentile(leads_h * 2, 50))


def test_village_left_to_self_pickup_when_volume_is_too_low(tiny, tmp_path):
    data = tiny.model_dump(mode="json")
    data["mode"] = "separate"
    data["carriers"][0]["in_village_min_parcels_per_day"] = 2.5  # A (3/day) served, B (2/day) not
    scenario = sim.from_dict(data, path=tmp_path / "tiny.toml")
    result = sim.run(scenario)
    led, world = result.record.ledger, result.world
    names = np.array(world.nodes)[led.destination]
    fetched = led.status == sim.records.ledger.FETCHED
    assert (fetched == (names == "B")).all()
    # Fetched parcels are ready at the station at 08:10 and fetched 24-48 h later.
    day = np.floor(led.created_t / 1440.0)
    wait = led.delivered_t[fetched] - (day[fetched] * 1440.0 + 490.0)
    assert wait.min() >= 24 * 60 and wait.max() <= 48 * 60
    k = result.kpis
    assert k["last_km.on_time_share"] == pytest.approx(3 / 5)
    assert k["last_km.village_coverage"] == 0.5
    # Each fetched parcel costs a villager a 2 x 10 km round trip (B-A-station), 1.5 parcels a trip.
    assert k["last_km.villager_travel_km_per_day"] == pytest.approx(2 * 2 * 10 / 1.5)
    assert np.allclose(result.trips[result.trips.kind == "van"].km, 12.0)
