"""Cold rooms at the town stations (sim.model.cold_store) and the warm-loss model (each lot's
shelf life within its spread): cooling stretches what is left of a lot's life, within the
room's capacity, and costs its kg-days; with a late collection trunk, the warm county loses
produce and the cold one does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.demand.firstmile import shelf_life_min
from sim.model.cold_store import ColdRooms
from sim.model.loading import Cargo
from sim.records import Ledger
from sim.records.ledger import PARCEL_OUT, PRODUCE
from sim.scenario.flows import ColdChain, Crop

ROOT = Path(__file__).resolve().parents[2]
STATION = 3


def rooms(capacity_kg=50.0):
    led = Ledger()
    rows = led.add(
        flow=[PRODUCE, PRODUCE, PRODUCE, PARCEL_OUT], operator=0, origin=5, destination=0,
        created_t=420.0, weight_kg=[20.0, 20.0, 20.0, 1.0], volume_m3=0.1,
        deadline_t=[1500.0, 1300.0, 1400.0, 1080.0],
    )  # fmt: skip
    led.create(rows, location=STATION)
    settings = ColdChain(enabled=True, capacity_kg=capacity_kg, shelf_life_factor=10.0, yuan_per_kg_day=0.3)
    cargo = Cargo(led)
    return ColdRooms(settings, led, cargo, horizon_days=3), led, cargo, rows


def test_cooling_stretches_what_is_left_of_a_lots_life_within_the_room():
    cold, led, cargo, rows = rooms(capacity_kg=50.0)
    cold.cool(rows, np.full(4, 600.0), STATION)
    # room for two 20 kg lots: the two due soonest (1300, 1400); the parcel is not produce
    assert led.deadline_t[rows].tolist() == [1500.0, 600 + 700 * 10, 600 + 800 * 10, 1080.0]
    assert np.array_equal(cargo.deadline[rows], led.deadline_t[rows])
    assert cold.stored_kg[STATION] == 40.0


def test_leaving_the_room_pays_its_kg_days_and_frees_it():
    cold, _led, _cargo, rows = rooms()
    cold.cool(rows, np.full(4, 600.0), STATION)
    cold.release(rows[1:2], STATION, 600.0 + 720.0)  # 20 kg for half a day
    assert cold.yuan_by_day[0] == pytest.approx(20 * 0.5 * 0.3)
    assert cold.stored_kg[STATION] == 20.0
    cold.release(rows[1:2], STATION, 2000.0)  # already out: nothing more
    assert cold.yuan_by_day.sum() == pytest.approx(3.0)


def test_each_lots_warm_life_lies_within_its_spread():
    crop = Crop(name="s", season_start="12-01", season_end="04-30", kg_per_farm_per_day=1.0,
                shelf_life_hours=18.0, shelf_life_spread=1 / 3)  # fmt: skip
    life_h = shelf_life_min(np.random.default_rng(2), crop, 10_000) / 60.0
    assert 12.0 <= life_h.min() and life_h.max() <= 24.0
    assert life_h.mean() == pytest.approx(18.0, abs=0.1)
    flat = Crop(**{**crop.model_dump(), "shelf_life_spread": 0.0})
    assert (shelf_life_min(np.random.default_rng(2), flat, 5) == 18.0 * 60).all()


def test_with_a_late_trunk_warm_produce_spoils_and_cold_rooms_keep_it():
    late = {
        "days": 4,
        "warmup_days": 1,
        "hub": {"collection_departure": "23:00"},
        "network": {"n_villages": 40},
    }
    warm = sim.run(sim.derive(sim.load(ROOT / "scenarios" / "lishui.toml"), late), seed=1).kpis
    cold = sim.run(sim.derive(sim.load(ROOT / "scenarios" / "lishui_cold.toml"), late), seed=1).kpis
    assert warm["first_km.spoiled_kg_per_day"] > 0.0 and warm["cost.cold_storage_yuan_per_day"] == 0.0
    assert cold["first_km.spoiled_kg_per_day"] < warm["first_km.spoiled_kg_per_day"]
    assert cold["first_km.fresh_share"] > warm["first_km.fresh_share"]
    assert cold["cost.cold_storage_yuan_per_day"] > 0.0
    # the cold rooms are produce's cost, and part of the operator's
    assert cold["cost.produce_yuan_per_day"] > warm["cost.produce_yuan_per_day"]
