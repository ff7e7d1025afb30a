"""Scenario files: the TOML format, its schema and its validation."""

from sim.scenario.errors import ScenarioError
from sim.scenario.load import from_dict, load
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "from_dict", "load"]
