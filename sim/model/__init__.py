"""The SimPy world: operations, vehicles, stations and their processes."""

from sim.model.simulation import simulate

__all__ = ["simulate"]
