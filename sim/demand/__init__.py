"""Draw every item of a run at once, vectorised.

Demand depends only on the scenario's demand settings and the seed, never on the
mode under test: separate and integrated runs with the same seed see the same
items (common random numbers), so their difference is the policy's.
"""

from sim.demand.calendar import Calendar
from sim.demand.finance import draw_transactions
from sim.demand.firstmile import draw_outbound_parcels, draw_produce
from sim.demand.items import ItemBatch, split_into_pieces
from sim.demand.parcels import InboundParcels, draw_inbound_parcels, expected_daily_parcels
from sim.demand.streams import DEMAND_FLOWS, flow_stream, flow_streams
from sim.demand.supply import draw_supply_orders

__all__ = [
    "DEMAND_FLOWS",
    "Calendar",
    "InboundParcels",
    "ItemBatch",
    "draw_inbound_parcels",
    "draw_outbound_parcels",
    "draw_produce",
    "draw_supply_orders",
    "draw_transactions",
    "expected_daily_parcels",
    "flow_stream",
    "flow_streams",
    "split_into_pieces",
]
