"""References from the scenario into its world: checked whether the world is cached or not."""

from __future__ import annotations

import pytest

import sim

BASE = {"days": 2, "warmup_days": 0, "network": {"seed": 0, "n_villages": 12}}
TEA = {
    "name": "tea",
    "season_start": "03-20",
    "season_end": "05-31",
    "kg_per_farm_per_day": 15.0,
    "shelf_life_hours": 30.0,
}


def scenario(**changes) -> sim.Scenario:
    return sim.from_dict({**BASE, **changes})


def test_a_crop_town_is_checked_on_a_cached_world_too():
    world = sim.build_world(scenario())
    bad = scenario(produce={"crops": [{**TEA, "towns": ["Atlantis"]}]})
    with pytest.raises(sim.ScenarioError) as info:
        sim.build_world(bad)
    assert info.value.field == "produce.crops.0.towns.0" and info.value.found == "'Atlantis'"
    assert sim.build_world(scenario()) is world  # the bad scenario did not spoil the cache


def test_crops_the_network_grows_where_named_are_accepted():
    world = sim.build_world(scenario())
    towns = sorted({t for crops, t in zip(world.farm_crops, world.farm_town, strict=True) if "tea" in crops})
    assert towns, "the test county grows tea somewhere"
    sim.build_world(scenario(produce={"crops": [{**TEA, "towns": towns[:1]}]}))


def test_a_built_in_crop_the_network_lacks_is_not_an_error():
    """The built-in crops on a county without such farms give 0 kg: not a mistake of the file."""
    world = sim.build_world(scenario())
    assert not any("blueberry" in crops for crops in world.farm_crops)
    blueberry = {**TEA, "name": "blueberry"}
    sim.build_world(scenario(produce={"crops": [blueberry]}))
    with pytest.raises(sim.ScenarioError, match="no farm of the network grows 'rice'"):
        sim.build_world(scenario(produce={"crops": [{**TEA, "name": "rice"}]}))
