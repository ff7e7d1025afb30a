"""Random streams are named by flow: one flow's draws never depend on the others.

With streams handed out by position (``SeedSequence(seed).spawn(5)``, ``streams[k]``),
adding or removing a flow would shift every later flow onto another stream. Named
streams are found by a stable key of the flow's name.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.demand import DEMAND_FLOWS, Calendar, flow_stream, flow_streams
from sim.model.items import draw_items
from sim.records.ledger import FLOW_NAMES

COLUMNS = ("operator", "origin", "destination", "created_t", "weight_kg", "volume_m3", "deadline_t")
# Changes that leave a flow with no demand at all: its section "removed".
WITHOUT = {
    "parcel_in": {"parcels": {"per_1000_residents_per_day": 0.0}, "poi": {"parcels_per_day": 0.0}},
    "parcel_out": {"outbound": {"per_1000_residents_per_day": 0.0}},
    "supply": {"supply": {"kg_per_resident_per_week": 0.0, "farm_inputs": []}},
    "produce": {"produce": {"crops": []}},
    "finance": {"finance": {"per_1000_residents_per_day": 0.0}},
}


def test_a_stream_is_the_same_whatever_other_streams_exist():
    alone = flow_stream(7, "supply").random(5)
    among_all = flow_streams(7)["supply"].random(5)
    among_two = flow_streams(7, ["finance", "supply"])["supply"].random(5)
    assert np.array_equal(alone, among_all) and np.array_equal(alone, among_two)


def test_streams_of_different_flows_and_seeds_differ():
    draws = {name: flow_stream(7, name).random(3).tolist() for name in DEMAND_FLOWS}
    assert len({tuple(d) for d in draws.values()}) == len(DEMAND_FLOWS)
    assert flow_stream(8, "supply").random(3).tolist() != draws["supply"]


def _items_by_flow(scenario: sim.Scenario, seed: int) -> dict[str, dict[str, np.ndarray]]:
    world = sim.build_world(scenario)
    calendar = Calendar.build(scenario.start_date, scenario.days, scenario.parcels.promotion_dates)
    led = draw_items(scenario, world, calendar, seed).ledger
    return {
        name: {c: getattr(led, c)[led.flow == code] for c in COLUMNS} for code, name in enumerate(FLOW_NAMES)
    }


@pytest.mark.parametrize("removed", list(WITHOUT))
def test_removing_one_flow_leaves_the_other_flows_items_identical(removed):
    base = sim.derive(
        sim.load("scenarios/lishui.toml"), {"days": 28, "warmup_days": 1, "start_date": "2026-03-01"}
    )
    before = _items_by_flow(base, seed=3)
    after = _items_by_flow(sim.derive(base, WITHOUT[removed]), seed=3)
    assert len(before[removed]["created_t"]) > 0 and len(after[removed]["created_t"]) == 0
    for flow in FLOW_NAMES:
        if flow == removed:
            continue
        assert len(before[flow]["created_t"]) > 0, f"{flow} has items in the base scenario"
        for column in COLUMNS:
            assert np.array_equal(before[flow][column], after[flow][column]), (flow, column)
