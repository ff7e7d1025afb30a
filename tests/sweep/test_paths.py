"""Field paths: tables, dict keys, list entries by number, by name and with *."""

from __future__ import annotations

import pytest

import sim
from sim.scenario.paths import PathError, assign, leaf_paths, locate


@pytest.fixture(scope="module")
def data() -> dict:
    return sim.from_dict({}).model_dump(mode="json")


def test_tables_dicts_and_top_level(data: dict) -> None:
    assert locate(data, "mode") == [("mode",)]
    assert locate(data, "integrated.vans_per_town") == [("integrated", "vans_per_town")]
    assert locate(data, "vehicle_types.micro_van.capacity_parcels") == [
        ("vehicle_types", "micro_van", "capacity_parcels")
    ]


def test_list_entries_by_number_name_and_star(data: dict) -> None:
    names = [c["name"] for c in data["carriers"]]
    assert locate(data, "carriers.0.share") == [("carriers", 0, "share")]
    assert locate(data, "carriers.-1.share") == [("carriers", len(names) - 1, "share")]
    assert locate(data, f"carriers.{names[2]}.share") == [("carriers", 2, "share")]
    assert locate(data, "carriers.*.vans_per_town") == [
        ("carriers", i, "vans_per_town") for i in range(len(names))
    ]
    assert locate(data, "vehicle_types.*.cost_per_km") == [
        ("vehicle_types", k, "cost_per_km") for k in data["vehicle_types"]
    ]


def test_assign_sets_in_place(data: dict) -> None:
    copy = sim.from_dict({}).model_dump(mode="json")
    for loc in locate(copy, "carriers.*.vans_per_town"):
        assign(copy, loc, 4)
    assert {c["vans_per_town"] for c in copy["carriers"]} == {4}
    assert sim.from_dict(copy).carriers[1].vans_per_town == 4


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("integrated.vans_per_twon", ["'vans_per_twon'", "did you mean 'integrated.vans_per_town'"]),
        ("integratd.vans_per_town", ["did you mean 'integrated.vans_per_town'"]),
        ("carriers.postl.vans_per_town", ["did you mean 'carriers.postal.vans_per_town'"]),
        ("carriers.99.share", ["no entry 99"]),
        ("mode.x", ["is a value", "no field 'x'"]),
        ("vans_per_town", ["did you mean"]),
        ("integrated..vans", ["empty part"]),
    ],
)
def test_bad_paths_say_what_and_suggest(data: dict, path: str, words: list[str]) -> None:
    with pytest.raises(PathError) as caught:
        locate(data, path)
    for word in words:
        assert word in caught.value.message


def test_leaf_paths_use_names(data: dict) -> None:
    paths = set(leaf_paths(data))
    assert "carriers.postal.vans_per_town" in paths
    assert "vehicle_types.micro_van.capacity_kg" in paths
    assert "mode" in paths
