"""Scenario fields that name places of the world, checked against the world they name.

The world is cached by what it is built from (:func:`sim.setup.build_world`); the fields
here are not part of that key, so they are checked every time a scenario meets its world,
cached or not. Each problem is a :class:`~sim.scenario.ScenarioError` at the field's line,
naming the field, the value and what the network has instead.

- ``produce.crops[i].towns``: every town named must be a town of the network (one with a
  station), and some farm there must grow the crop; otherwise the crop would give 0 kg
  without a word.
- ``produce.crops[i].name`` of a crop the file adds (not one of the built-in crops, which a
  network without such farms may simply not grow): some farm must grow it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.errors import did_you_mean
from sim.scenario import Scenario
from sim.scenario.flows import Produce

#: Crops of the built-in produce section: a network that has no farm for one is not an error.
BUILT_IN_CROPS = frozenset(c.name for c in Produce().crops)


def check_references(
    scenario: Scenario, towns: Sequence[str], farm_crops: Sequence[frozenset[str]], farm_town: Sequence[str]
) -> None:
    """Raise ScenarioError for a crop's town that is not one of the world's ``towns``, or a crop
    no farm of the named towns grows (farm ``k`` grows ``farm_crops[k]`` in ``farm_town[k]``)."""
    towns = list(towns)
    farms = list(zip(farm_crops, farm_town, strict=True))
    for i, crop in enumerate(scenario.produce.crops):
        for j, town in enumerate(crop.towns or []):
            if town not in towns:
                raise scenario.error_at(
                    ("produce", "crops", i, "towns", j),
                    f"crop {crop.name!r} is grown in an unknown town{did_you_mean(town, towns)}",
                    expected=f"a town of the network: {', '.join(towns)}",
                    found=repr(town),
                )
        growers = {town for crops, town in farms if crop.name in crops}
        if crop.towns is not None and not growers & set(crop.towns):
            raise scenario.error_at(
                ("produce", "crops", i, "towns"),
                f"no farm in produce.crops.{i}.towns grows produce.crops.{i}.name = {crop.name!r}",
                expected=f"towns with {crop.name} farms: {', '.join(sorted(growers)) or 'none here'}",
                found=", ".join(crop.towns) or "no town",
            )
        if crop.towns is None and not growers and crop.name not in BUILT_IN_CROPS:
            grown = sorted({c for crops, _ in farms for c in crops})
            raise scenario.error_at(
                ("produce", "crops", i, "name"),
                f"no farm of the network grows {crop.name!r}{did_you_mean(crop.name, grown)}",
                expected=f"a crop of the network's farms: {', '.join(grown) or 'none (no farms)'}",
                found=repr(crop.name),
            )
