"""Set-up apart from SimPy: the world of a scenario, built once and cached with it.

The world (:class:`World`) is the county's places and travel matrices and its bus lines
(:class:`BusLine`: written in the scenario, generated per town, or read from GTFS). Every
scenario error about places and lines is raised here, before a simulation starts.
"""

from sim.setup.bus_lines import BusLine, build_bus_lines
from sim.setup.world import World, build_world, load_graph

__all__ = ["BusLine", "World", "build_bus_lines", "build_world", "load_graph"]
