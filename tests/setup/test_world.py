"""The world of a scenario is built once per world, before any simulation, and cached.

Bus lines (written, generated, GTFS) are part of it: a scenario error about them is
raised by ``sim.build_world``, never from inside a SimPy process.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.setup import world as world_module

LISHUI = "scenarios/lishui.toml"


def short(**changes) -> sim.Scenario:
    return sim.derive(sim.load(LISHUI), {"days": 2, "warmup_days": 1, **changes})


def test_the_same_world_is_shared_by_runs_modes_and_seeds():
    a = sim.build_world(short())
    b = sim.build_world(short(mode="separate", seed=9))
    assert a is b
    # generate_per_town = 2 in the built-in scenario: at least two loops from each station
    towns = [line.town for line in a.bus_lines]
    assert all(towns.count(t) >= 2 for t in range(len(a.towns)))
    assert all(line.base == a.station[line.town] == line.seq[0] == line.seq[-1] for line in a.bus_lines)


def test_runs_do_not_rebuild_bus_lines(monkeypatch):
    scenario = short(bus={"generated_cargo_parcels": 33})  # a world not built by another test
    calls = []
    real = world_module.build_bus_lines
    monkeypatch.setattr(world_module, "build_bus_lines", lambda *a: calls.append(1) or real(*a))
    for seed in (1, 2, 3):
        sim.run(scenario, seed)
    sim.compare(scenario, ["separate", "integrated"], replications=2)
    assert len(calls) == 1


def test_a_changed_bus_section_gets_its_own_world():
    a = sim.build_world(short())
    b = sim.build_world(short(bus={"generate_per_town": 1}))
    assert a is not b and len(b.bus_lines) < len(a.bus_lines)
    assert np.array_equal(a.km, b.km)  # the same county


def test_a_changed_network_file_is_read_again(tmp_path):
    graph = sim.build_world(short()).graph
    from sim.network import write_graphml

    write_graphml(graph, tmp_path / "county.graphml")
    path = tmp_path / "county.toml"
    path.write_text('days = 2\nwarmup_days = 1\n[network]\nsource = "graphml"\npath = "county.graphml"\n')
    first = sim.build_world(sim.load(path))
    assert sim.build_world(sim.load(path)) is first
    village = next(n for n, d in graph.nodes(data=True) if d.get("kind") == "village")
    graph2 = graph.copy()
    graph2.nodes[village]["population"] = 12345
    write_graphml(graph2, tmp_path / "county.graphml")
    second = sim.build_world(sim.load(path))
    assert second is not first
    assert 12345 in second.village_population


def test_an_unknown_bus_stop_is_a_scenario_error_from_the_world(tmp_path):
    world = sim.build_world(short())
    station, village = world.nodes[world.station[0]], world.nodes[world.villages[0]]
    scenario = short(
        bus={"lines": [{"name": "L1", "stops": [station, village, "nowhere"], "departures": ["09:00"]}]}
    )
    with pytest.raises(sim.ScenarioError) as info:
        sim.build_world(scenario)
    assert info.value.field == "bus.lines.0.stops.2"
    assert info.value.found == "'nowhere'"


def test_places_give_the_round_trip_to_the_town_station():
    world = sim.build_world(short())
    v = world.villages[:3]
    station = world.station[world.village_town[:3]]
    assert np.array_equal(world.town_trip_km(v), 2.0 * world.km[v, station])
