"""Items no vehicle can carry are set aside and counted, never looped over (issue 11, class 1).

The hand county: hub -10 km- station -6 km- A -4 km- B. The pooled vans are tricycles of
50 kg, a bus line runs station -> A -> station with a 200 kg compartment, every parcel
weighs 60 kg. The scenario passes the pre-run check (a bus can carry the parcels), but only
A is on the line: B's parcels fit no vehicle that goes there. They must be set aside at the
station, counted in ``peak.unserved_items``, and A's delivered by bus.
"""

from __future__ import annotations

import textwrap
import time

import numpy as np
import pytest

import sim
from sim.model.loading import Cargo
from sim.model.vans import pair_by_point
from sim.records import Ledger
from sim.records.ledger import DELIVERED, PARCEL_IN, WAITING

SCENARIO = """\
name = "unserved"
mode = "integrated"
days = 3
warmup_days = 0
start_date = 2026-01-05

[network]
source = "csv"
nodes_csv = "nodes.csv"
edges_csv = "edges.csv"

[vehicle_types.tricycle]
capacity_parcels = 60
capacity_kg = 50.0
capacity_m3 = 1.0
cost_per_km = 0.3
co2_kg_per_km = 0.0

[parcels]
fixed_per_village = { A = 2, B = 3 }
weight_median_kg = 60.0
weight_sigma = 0.0
weight_max_kg = 60.0
m3_per_kg = 0.001
promotion_dates = []

[[carriers]]
name = "exp"
share = 1.0
linehaul_arrival = "06:00"

[integrated]
vans_per_town = 1
vehicle = "tricycle"

[[bus.lines]]
name = "L1"
stops = ["st", "A"]
departures = ["10:00", "14:00"]
cargo_kg = 200.0
cargo_m3 = 1.0

[bus]
generate_per_town = 0

[supply]
kg_per_resident_per_week = 0.0
farm_inputs = []
[produce]
crops = []
[outbound]
per_1000_residents_per_day = 0.0
[finance]
per_1000_residents_per_day = 0.0
[poi]
parcels_per_day = 0.0
[variability]
enabled = false
"""
DAYS, A_A_DAY, B_A_DAY = 3, 2, 3


@pytest.fixture
def result(hand_county):
    (hand_county / "unserved.toml").write_text(textwrap.dedent(SCENARIO))
    return sim.run(sim.load(hand_county / "unserved.toml"), seed=1)


def test_parcels_no_vehicle_reaches_are_set_aside_where_they_wait_and_counted(result):
    led, rec = result.record.ledger, result.record
    nodes = np.array(rec.places.nodes)
    parcels = led.flow == PARCEL_IN
    to_b = parcels & (nodes[led.destination] == "B")
    to_a = parcels & (nodes[led.destination] == "A")
    assert to_b.sum() == DAYS * B_A_DAY and to_a.sum() == DAYS * A_A_DAY
    assert rec.unserved[to_b].all() and not rec.unserved[to_a].any()
    assert (led.status[to_b] == WAITING).all() and (nodes[led.location[to_b]] == "st").all()
    assert (led.status[to_a] == DELIVERED).all()  # by bus: the tricycle cannot take them
    k = result.kpis
    assert k["peak.unserved_items"] == DAYS * B_A_DAY
    assert k["peak.unserved_items_parcel_in"] == DAYS * B_A_DAY
    assert k["peak.unserved_items_supply"] == 0.0
    assert k["peak.unserved_share"] == pytest.approx(B_A_DAY / (A_A_DAY + B_A_DAY))
    assert k["peak.unserved_places"] == 1.0
    assert sim.kpi.unserved_places(rec) == [("st", DAYS * B_A_DAY)]


def test_no_van_trip_carries_a_parcel_it_cannot_hold(result):
    trips = result.record.trip_table()
    assert (trips["peak_load_share"] <= 1.0 + 1e-9).all()


def test_a_feasible_run_reports_no_unserved_kpi():
    scenario = sim.derive(sim.load("scenarios/lishui.toml"), {"days": 2, "warmup_days": 1})
    kpis = sim.run(scenario, 1).kpis
    assert not any(name.startswith("peak.unserved") for name in kpis)


def _cargo(kg: list[float]) -> tuple[Cargo, np.ndarray]:
    led = Ledger()
    rows = led.add(
        flow=PARCEL_IN,
        operator=0,
        origin=0,
        destination=1,
        created_t=0.0,
        weight_kg=kg,
        volume_m3=0.0,
        deadline_t=1.0,
    )
    return Cargo(led), rows


def test_the_split_search_ends_at_its_bound_one_item_a_piece():
    """Two 9 kg items side by side in a 10 kg vehicle: no equal runs of two or more fit, so
    the search goes up to its bound (one item per piece) and ends there."""
    cargo, rows = _cargo([9.0, 9.0, 1.0, 1.0, 1.0, 1.0])
    keys, parts = cargo.split_to_fit(rows, np.zeros(6, dtype=np.int64), np.array([100.0, 10.0, 1.0]))
    assert [p.tolist() for p in parts] == [[r] for r in rows.tolist()]
    assert all(cargo.fits(p, np.array([100.0, 10.0, 1.0])) for p in parts)


def test_an_oversized_item_among_thousands_does_not_hang_the_split():
    """The hang of issue 11: one item heavier than the van in a large group used to try every
    number of runs up to the group's size, each checked run by run."""
    kg = [1.0] * 20_000
    kg[7] = 900.0
    cargo, rows = _cargo(kg)
    cap = np.array([400.0, 700.0, 2.5])
    started = time.perf_counter()
    _keys, parts = cargo.split_to_fit(rows, np.zeros(len(rows), dtype=np.int64), cap)
    assert time.perf_counter() - started < 5.0
    assert sum(len(p) for p in parts) == len(rows)
    assert cargo.oversize(rows, cap).tolist().count(True) == 1


def test_pairing_stops_takes_every_piece_within_its_bound():
    d_key, p_key = np.array([1, 3, 5]), np.array([2, 4, 6])  # no point in common: the bound
    d_parts = [np.array([i]) for i in range(3)]
    p_parts = [np.array([10 + i]) for i in range(3)]
    points, deliv, pick = pair_by_point(d_key, d_parts, p_key, p_parts)
    assert points.tolist() == [1, 2, 3, 4, 5, 6]
    assert sorted(np.concatenate(deliv).tolist()) == [0, 1, 2]
    assert sorted(np.concatenate(pick).tolist()) == [10, 11, 12]
