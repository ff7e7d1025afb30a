"""Cost, distance and emission KPIs from the trip log, per measured day and per item."""

from __future__ import annotations

import numpy as np

from sim.ledger import FLOW_NAMES
from sim.model.simulation import RawRun


def cost_kpis(raw: RawRun, items_measured: int, flow_items: dict[str, int] | None = None) -> dict[str, float]:
    """Operator cost (vehicles and bus fees), vehicle-km, CO2 and utilisation over the measured days.

    ``items_measured`` counts the items that move (finance transactions do not);
    ``flow_items`` per flow name, for the cost per item of each flow.
    """
    flow_items = flow_items or {}
    s = raw.scenario
    trips = raw.trips.table()
    days = max(raw.demand_days - s.warmup_days, 1)
    if len(trips["trip"]):
        keep = (trips["day"] >= s.warmup_days) & (trips["day"] < raw.demand_days)
    else:
        keep = np.zeros(0, dtype=bool)
    cost = float(trips["cost_yuan"][keep].sum()) if keep.any() else 0.0
    driven = keep & (trips["kind"] != "bus") if keep.any() else keep  # buses run anyway
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
        mask = keep & (trips["kind"] == kind) if keep.any() else keep
        out[f"cost.{kind}_trips_per_day"] = float(mask.sum()) / days
        out[f"cost.{kind}_utilisation"] = (
            float(trips["peak_load_share"][mask].mean()) if mask.any() else float("nan")
        )
    # Cost per flow: each trip's cost shared by the items it carried.
    if keep.any():
        carried = np.column_stack([trips[f"items_{f}"][keep].astype(float) for f in FLOW_NAMES[:4]])
        total = carried.sum(axis=1)
        share = np.divide(carried, total[:, None], out=np.zeros_like(carried), where=total[:, None] > 0)
        per_flow = (share * trips["cost_yuan"][keep].astype(float)[:, None]).sum(axis=0)
        for f, c in zip(FLOW_NAMES[:4], per_flow, strict=True):
            n = flow_items.get(f, 0)
            out[f"cost.{f}_yuan_per_item"] = c / n if n else float("nan")
    return out
