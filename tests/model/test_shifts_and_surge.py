"""Multi-trip shifts and surge rules: a van back before the end of its shift reloads and goes
out again; vans are hired when a backlog reaches the threshold; overtime within its limit.

The hand county: hub -10 km- station -6 km- A -4 km- B, roads at 30 km/h past the station
(60 on the county road), one pooled van of 10 parcels. Every day 10 parcels for A and 5 for
B reach the hub at 06:00; the trunk has them at the station by 08:10, the van leaves at 09:00.
One van cannot carry 15, so the first tour serves A (12 km round trip, cheaper than B's 20),
and B waits:

    tour 1  09:00 -> A 09:12, 5 min + 10 x 15 s = 7.5 min -> back 09:31.5
    reload  20 min                                    -> leaves 09:51.5
    tour 2  09:51.5 -> B 10:11.5, 5 min + 5 x 15 s -> back 10:37.75
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import sim
from sim.records.ledger import DELIVERED

SCENARIO = """\
name = "multi"
mode = "integrated"
days = 2
warmup_days = 0
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

[parcels]
fixed_per_village = { A = 10, B = 5 }
weight_median_kg = 2.0
weight_sigma = 0.0
m3_per_kg = 0.01
promotion_dates = []

[[carriers]]
name = "postal"
kind = "postal"
share = 1.0
linehaul_arrival = "06:00"

[hub]
sort_min = 60.0
trunk_departure = "07:30"

[stations]
sort_min = 30.0
dispatch_times = ["09:00"]

[operations]
shift_hours = 8.0
stop_service_min = 5.0
handling_sec_per_parcel = 15.0
reload_min = 20.0

[integrated]
vans_per_town = 1
vehicle = "van"

[supply]
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
AT_A, BACK_1 = 9 * 60 + 12.0, 9 * 60 + 31.5
LEAVE_2, AT_B, BACK_2 = 9 * 60 + 51.5, 10 * 60 + 11.5, 10 * 60 + 37.75


@pytest.fixture
def county(hand_county):
    tmp_path = hand_county
    (tmp_path / "multi.toml").write_text(textwrap.dedent(SCENARIO))
    return sim.load(tmp_path / "multi.toml")


def day_zero(result):
    led, world = result.record.ledger, result.world
    first = led.created_t < 1440
    names = np.array(world.nodes)[led.destination]
    return led, first & (names == "A"), first & (names == "B")


def test_the_van_reloads_and_serves_what_did_not_fit_on_the_same_day(county):
    result = sim.run(county, seed=1)
    led, to_a, to_b = day_zero(result)
    assert (led.status[to_a | to_b] == DELIVERED).all()
    assert np.allclose(led.delivered_t[to_a], AT_A)
    assert np.allclose(led.delivered_t[to_b], AT_B)
    vans = result.trips[(result.trips.kind == "van") & (result.trips.day == 0)]
    assert vans.start_t.tolist() == pytest.approx([9 * 60.0, LEAVE_2])
    assert vans.end_t.tolist() == pytest.approx([BACK_1, BACK_2])
    assert vans.km.tolist() == pytest.approx([12.0, 20.0])
    (fleet,) = result.record.fleets
    assert fleet.vehicles_used[0] == 1  # one van, two tours


def test_without_multi_trip_what_did_not_fit_waits_for_the_next_day(county):
    single = sim.derive(county, {"operations": {"multi_trip": False}})
    result = sim.run(single, seed=1)
    led, to_a, to_b = day_zero(result)
    assert np.allclose(led.delivered_t[to_a], AT_A)
    assert (led.delivered_t[to_b] >= 1440).all()
    assert (result.trips[result.trips.kind == "van"].day == 0).sum() == 1


def test_the_shift_is_the_days_limit_not_each_tours(county):
    """With a 1-hour shift the second tour (09:51.5 to 10:37.75) would end past 10:00: it
    does not go, and B's parcels wait for the next day."""
    short = sim.derive(county, {"operations": {"shift_hours": 1.0}, "surge": {"enabled": False}})
    result = sim.run(short, seed=1)
    led, to_a, to_b = day_zero(result)
    assert np.allclose(led.delivered_t[to_a], AT_A)
    assert (led.delivered_t[to_b] >= 1440).all()
    vans = result.trips[result.trips.kind == "van"]
    for day, trips in vans.groupby("day"):
        assert trips.end_t.max() - trips.start_t.min() <= 60.0 + 1e-6, day


# -- surge -------------------------------------------------------------------------------

HIRE_YUAN, OVERTIME_RATE = 450.0, 42.0
AT_B_HIRED = 9 * 60 + 20.0 + 20.0  # hired at 09:00, loaded in 20 min, 10 km to B at 30 km/h


def with_surge(scenario, **surge):
    rates = {"hire_yuan_per_day": HIRE_YUAN, "overtime_yuan_per_hour": OVERTIME_RATE}
    changes = {"surge": {"enabled": True, **rates, **surge}}
    changes["operations"] = {"multi_trip": False}  # single tours: the wave decides the hire
    return sim.derive(scenario, changes)


@pytest.mark.parametrize(("threshold", "hired"), [(5, True), (6, False)])
def test_a_van_is_hired_exactly_when_the_backlog_reaches_the_threshold(county, threshold, hired):
    result = sim.run(with_surge(county, hire_backlog_items=threshold, max_hired_vans_per_town=1), seed=1)
    led, to_a, to_b = day_zero(result)
    assert np.allclose(led.delivered_t[to_a], AT_A)
    vans = result.trips[(result.trips.kind == "van") & (result.trips.day == 0)]
    if hired:
        assert np.allclose(led.delivered_t[to_b], AT_B_HIRED)  # B's 5 parcels on the hired van
        assert vans["hire_yuan"].tolist() == [0.0, HIRE_YUAN]
        assert result.kpis["cost.hire_yuan_per_day"] == pytest.approx(HIRE_YUAN)  # one hire each day
    else:
        assert (led.delivered_t[to_b] >= 1440).all()
        assert vans["hire_yuan"].sum() == 0.0
    (fleet,) = result.record.fleets
    assert fleet.size == 1 and (fleet.vehicles_used <= 1).all()  # a hired van is not owned


def test_a_van_back_with_work_left_works_overtime_within_the_limit(county):
    """Shift 1 h: the second tour (09:51.5 to 10:37.75) ends 37.75 min past 10:00."""
    changes = {"operations": {"shift_hours": 1.0, "multi_trip": True}}
    changes["surge"] = {"enabled": True, "overtime_hours": 1.0, "overtime_yuan_per_hour": OVERTIME_RATE}
    result = sim.run(sim.derive(county, changes), seed=1)
    led, _to_a, to_b = day_zero(result)
    assert (led.delivered_t[to_b] < 1440).all()
    vans = result.trips[(result.trips.kind == "van") & (result.trips.day == 0)]
    assert vans.end_t.tolist()[-1] == pytest.approx(BACK_2)
    assert vans["overtime_yuan"].tolist() == pytest.approx([0.0, 37.75 / 60 * OVERTIME_RATE])
    too_short = sim.derive(county, {**changes, "surge": {**changes["surge"], "overtime_hours": 0.5}})
    led2, _a, to_b2 = day_zero(sim.run(too_short, seed=1))
    assert (led2.delivered_t[to_b2] >= 1440).all()  # 37.75 min > 30 min of overtime allowed


def test_with_surge_off_nobody_is_hired_and_nobody_works_overtime(county):
    off = sim.derive(county, {"surge": {"enabled": False}, "operations": {"shift_hours": 1.0}})
    trips = sim.run(off, seed=1).trips
    assert trips["hire_yuan"].sum() == 0.0 and trips["overtime_yuan"].sum() == 0.0


@pytest.mark.parametrize(("threshold", "second_tour"), [(5, True), (6, False)])
def test_a_van_goes_out_again_only_when_the_backlog_reaches_the_wave_threshold(
    county, threshold, second_tour
):
    changes = {"surge": {"enabled": True, "wave_backlog_items": threshold, "max_hired_vans_per_town": 0}}
    result = sim.run(sim.derive(county, changes), seed=1)
    led, _to_a, to_b = day_zero(result)
    vans = result.trips[(result.trips.kind == "van") & (result.trips.day == 0)]
    assert len(vans) == (2 if second_tour else 1)  # B's 5 parcels wait after the first tour
    assert (led.delivered_t[to_b] < 1440).all() == second_tour
