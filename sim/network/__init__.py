"""The village graph: the built-in county generator, graph files, GTFS bus lines, travel matrices.

See :mod:`sim.network.contract` for the node and edge attributes every graph carries,
and :mod:`sim.network.graphml` and :mod:`sim.network.files` for the file formats.
"""

from sim.network.contract import NODE_KINDS, POI_TYPES, ROAD_SPEEDS, NetworkError, validate_graph
from sim.network.county import generate_county
from sim.network.files import read_csv, write_csv
from sim.network.graphml import read_graphml, write_graphml
from sim.network.gtfs import BusTimetable, GtfsError, gtfs_stop_graph, project_lonlat, read_gtfs
from sim.network.matrices import TravelMatrices, nodes_of_kind, travel_matrices, villages_by_town

__all__ = [
    "BusTimetable",
    "GtfsError",
    "gtfs_stop_graph",
    "project_lonlat",
    "read_gtfs",
    "NODE_KINDS",
    "POI_TYPES",
    "ROAD_SPEEDS",
    "NetworkError",
    "TravelMatrices",
    "generate_county",
    "nodes_of_kind",
    "read_csv",
    "read_graphml",
    "travel_matrices",
    "validate_graph",
    "villages_by_town",
    "write_csv",
    "write_graphml",
]
