"""What a run records: the item ledger, the trip log and the run record KPIs read.

This package is the floor that the model writes and that :mod:`sim.kpi` and
:mod:`sim.report` read; it imports neither SimPy nor the model.
"""

from sim.records.fleets import FleetRecord
from sim.records.ledger import FLOW_NAMES, STATUS_NAMES, Ledger
from sim.records.run import MeasuredWindow, Places, RunRecord
from sim.records.trips import TRIP_COLUMNS, TripLog, trip_cost_yuan

__all__ = [
    "FLOW_NAMES",
    "FleetRecord",
    "STATUS_NAMES",
    "TRIP_COLUMNS",
    "Ledger",
    "MeasuredWindow",
    "Places",
    "RunRecord",
    "TripLog",
    "trip_cost_yuan",
]
