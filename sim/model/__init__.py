"""The SimPy world: operations, vehicles, stations and their processes."""

from sim.model.simulation import RawRun, simulate
from sim.model.world import World, build_world

__all__ = ["RawRun", "World", "build_world", "simulate"]
