"""Cost, distance and emission KPIs from the trip log, per measured day and per item."""

from __future__ import annotations

import numpy as np

from sim.records import RunRecord
from sim.records.ledger import FLOW_NAMES

MOVING_FLOWS = FLOW_NAMES[:4]  # finance transactions ride along but are not carried


def cost_kpis(
    rec: RunRecord, items_measured: int, flow_items: dict[str, int] | None = None
) -> dict[str, float]:
    """Operator cost (vehicles and bus fees), vehicle-km, CO2 and utilisation over the measured days.

    ``items_measured`` counts the items that move (finance transactions do not);
    ``flow_items`` per flow name, for the cost per item of each flow.
    """
    flow_items = flow_items or {}
    trips, days = rec.trip_table(), rec.window.days
    keep = trips["measured"]
    cost = float(trips["cost_yuan"][keep].sum()) if keep.any() else 0.0
    driven = keep & (trips["kind"] != "bus")  # buses run anyway
    km = float(trips["km"][driven].sum()) if driven.any() else 0.0
    co2 = float(trips["co2_kg"][keep].sum()) if keep.any() else 0.0
    out = {
        "cost.operator_yuan_per_day": cost / days,
        "cost.yuan_per_item": cost / items_measured if items_measured else float("nan"),
        "cost.vehicle_km_per_day": km / days,
        "cost.co2_kg_per_day": co2 / days,
        "cost.vehicle_km_per_item": km / items_measured if items_measured else float("nan"),
    }
    for kind in ("van", "trunk"):
        mask = keep & (trips["kind"] == kind)
        out[f"cost.{kind}_trips_per_day"] = float(mask.sum()) / days
        out[f"cost.{kind}_utilisation"] = (
            float(trips["peak_load_share"][mask].mean()) if mask.any() else float("nan")
        )
    if keep.any():
        out.update(_cost_per_flow(trips, keep, flow_items))
    return out


def _cost_per_flow(trips: dict[str, np.ndarray], keep: np.ndarray, flow_items: dict[str, int]) -> dict:
    """Each trip's cost shared among the flows by the items it carried, per item of each flow."""
    carried = np.column_stack([trips[f"items_{f}"][keep].astype(float) for f in MOVING_FLOWS])
    total = carried.sum(axis=1)
    part = np.divide(carried, total[:, None], out=np.zeros_like(carried), where=total[:, None] > 0)
    per_flow = (part * trips["cost_yuan"][keep].astype(float)[:, None]).sum(axis=0)
    out = {}
    for f, c in zip(MOVING_FLOWS, per_flow, strict=True):
        n = flow_items.get(f, 0)
        out[f"cost.{f}_yuan_per_item"] = c / n if n else float("nan")
    return out
