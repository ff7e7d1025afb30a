"""Scenario files: the TOML format, its schema and its validation."""

from sim.scenario.errors import ScenarioError
from sim.scenario.load import derive, from_dict, load
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "derive", "from_dict", "load"]
