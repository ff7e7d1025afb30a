"""Cost, distance and emission KPIs from the trip log, per measured day and per item."""

from __future__ import annotations

import numpy as np

from sim.model.simulation import RawRun


def cost_kpis(raw: RawRun, items_measured: int) -> dict[str, float]:
    """Operator cost, vehicle-km, CO2 and utilisation over the measured days."""
    s = raw.scenario
    trips = raw.trips.table()
    days = max(raw.demand_days - s.warmup_days, 1)
    if len(trips["trip"]):
        keep = (trips["day"] >= s.warmup_days) & (trips["day"] < raw.demand_days)
    else:
        keep = np.zeros(0, dtype=bool)
    cost = float(trips["cost_yuan"][keep].sum()) if keep.any() else 0.0
    km = float(trips["km"][keep].sum()) if keep.any() else 0.0
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
    return out
