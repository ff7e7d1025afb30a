"""Collection trunks are sized to what they collect: at the strawberry peak (mid-January,
the built-in county) more produce waits at the town stations than one 4 t truck carries,
and the afternoon run sends as many trucks as it needs, so nothing spoils at a station."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import sim
from sim.records.ledger import EXPIRED, PRODUCE

ROOT = Path(__file__).resolve().parents[2]
AFTERNOON_MIN = 12 * 60  # the collection trunk leaves at 15:00; the morning one at 07:30


def test_the_afternoon_trunks_carry_the_peak_harvest_to_the_hub():
    scenario = sim.derive(
        sim.load(ROOT / "scenarios" / "lishui.toml"),
        {"days": 4, "warmup_days": 1, "start_date": "2027-01-13", "network": {"n_villages": 40}},
    )
    result = sim.run(scenario, seed=2)
    led, trips = result.record.ledger, result.trips
    produce = led.flow == PRODUCE
    assert not (produce & (led.status == EXPIRED)).any()
    truck_kg = scenario.vehicle_types[scenario.hub.trunk_vehicle].capacity_kg
    afternoon = trips[(trips.kind == "trunk") & (trips.start_t % 1440 > AFTERNOON_MIN)]
    per_day = afternoon.groupby("day").agg(trucks=("km", "size"), kg=("kg_produce", "sum"))
    assert (per_day.kg > truck_kg).any()  # the peak needs more than one truck ...
    assert (per_day.trucks >= np.ceil(per_day.kg / truck_kg)).all()  # ... and gets them
    assert (afternoon.peak_load_share <= 1.0 + 1e-9).all()
