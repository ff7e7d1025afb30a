"""Cost, distance and emission KPIs from the trip log, per measured day and per item."""

from __future__ import annotations

import numpy as np

from sim.records import RunRecord
from sim.records.ledger import FLOW_NAMES, PARCEL_IN, PARCEL_OUT, SUPPLY
from sim.units import MINUTES_PER_DAY, MINUTES_PER_HOUR

MOVING_FLOWS = FLOW_NAMES[:4]  # finance transactions ride along but are not carried


def cost_kpis(
    rec: RunRecord, items_measured: int, flow_items: dict[str, int] | None = None, driver: str | None = None
) -> dict[str, float]:
    """Operator cost (trips, bus fees and owned fleets standing), vehicle-km, CO2 and
    utilisation over the measured days.

    ``items_measured`` counts the items that move (finance transactions do not);
    ``flow_items`` per flow name, for the cost per item of each flow, whose share of
    each trip's cost follows ``driver`` (default the scenario's ``kpi.cost_driver``,
    :func:`flow_cost_yuan`).
    """
    flow_items = flow_items or {}
    trips, days = rec.trip_table(), rec.window.days
    keep = trips["measured"]
    standing = sum(f.standing_yuan(days) for f in rec.fleets)
    cold = float(rec.cold_storage_yuan[rec.measured_days()[: len(rec.cold_storage_yuan)]].sum())
    cost = (float(trips["cost_yuan"][keep].sum()) if keep.any() else 0.0) + standing + cold
    driven = keep & (trips["kind"] != "bus")  # buses run anyway
    km = float(trips["km"][driven].sum()) if driven.any() else 0.0
    co2 = float(trips["co2_kg"][keep].sum()) if keep.any() else 0.0
    out = {
        "cost.operator_yuan_per_day": cost / days,
        "cost.yuan_per_item": cost / items_measured if items_measured else float("nan"),
        "cost.vehicle_km_per_day": km / days,
        "cost.co2_kg_per_day": co2 / days,
        "cost.vehicle_km_per_item": km / items_measured if items_measured else float("nan"),
        **_fleet_kpis(rec, standing),
        "cost.cold_storage_yuan_per_day": cold / days,
        **_service_cost_kpis(rec, trips, keep, cost, items_measured),
    }
    for kind in ("van", "trunk"):
        mask = keep & (trips["kind"] == kind)
        out[f"cost.{kind}_trips_per_day"] = float(mask.sum()) / days
        out[f"cost.{kind}_utilisation"] = (
            float(trips["peak_load_share"][mask].mean()) if mask.any() else float("nan")
        )
    driver = driver or rec.scenario.kpi.cost_driver
    shares = flow_cost_yuan(trips, keep, driver)
    for f, c in standing_cost_yuan(rec, trips, keep, driver).items():
        shares[f] += c
    shares["produce"] += cold  # cold rooms hold produce only
    out.update(_cost_per_flow(shares, flow_items, days))
    return out


LATE_FLOWS = (PARCEL_IN, PARCEL_OUT, SUPPLY)  # produce past its deadline spoils: counted in kg


def late_item_hours(rec: RunRecord) -> float:
    """Hours past their deadline of the measured items of ``LATE_FLOWS``, until the item is
    with its addressee (or at the hub), or until the end of the run if it never is."""
    led = rec.ledger
    rows = np.concatenate([rec.measured_rows(f) for f in LATE_FLOWS])
    end = rec.window.horizon_days * MINUTES_PER_DAY
    done = np.where(np.isnan(led.delivered_t[rows]), end, led.delivered_t[rows])
    late = np.clip(done - led.deadline_t[rows], 0.0, None)
    return float(np.nansum(late)) / MINUTES_PER_HOUR


def _service_cost_kpis(
    rec: RunRecord, trips: dict[str, np.ndarray], keep: np.ndarray, cost: float, items: int
) -> dict[str, float]:
    """Hire and overtime (already in operator cost), the late-item penalty beside it, and the
    cost per item with the penalty: a cost that cannot fall when service collapses."""
    days = rec.window.days
    penalty = late_item_hours(rec) * rec.scenario.kpi.late_yuan_per_item_hour
    return {
        "cost.hire_yuan_per_day": float(trips["hire_yuan"][keep].sum()) / days,
        "cost.overtime_yuan_per_day": float(trips["overtime_yuan"][keep].sum()) / days,
        "cost.late_penalty_yuan_per_day": penalty / days,
        "cost.service_adjusted_yuan_per_item": (cost + penalty) / items if items else float("nan"),
    }


def _fleet_kpis(rec: RunRecord, standing: float) -> dict[str, float]:
    """What owned fleets cost standing per day, and the share of their vehicle-days driven."""
    measured = rec.measured_days()
    owned = sum(f.size for f in rec.fleets) * int(measured.sum())
    used = sum(f.used_vehicle_days(measured) for f in rec.fleets)
    return {
        "cost.fleet_standing_yuan_per_day": standing / rec.window.days,
        "cost.vehicle_use_share": used / owned if owned else float("nan"),
    }


def standing_cost_yuan(
    rec: RunRecord, trips: dict[str, np.ndarray], keep: np.ndarray, driver: str
) -> dict[str, float]:
    """Each moving flow's share of the owned fleets' standing cost over the measured days.

    An operator's fleets are shared among the flows in proportion to what its measured
    van trips carried of each (by ``driver``, as :func:`flow_cost_yuan` shares a trip); an
    operator whose vans carried nothing in the window is borne by no flow.
    """
    out = dict.fromkeys(MOVING_FLOWS, 0.0)
    vans = keep & (trips["kind"] == "van")
    for operator in sorted({f.operator for f in rec.fleets}):
        standing = sum(f.standing_yuan(rec.window.days) for f in rec.fleets if f.operator == operator)
        mine = vans & (trips["operator"] == operator)
        carried = np.array([trips[f"{driver}_{f}"][mine].sum() for f in MOVING_FLOWS], dtype=float)
        if carried.sum() <= 0.0:
            carried = np.array([trips[f"items_{f}"][mine].sum() for f in MOVING_FLOWS], dtype=float)
        if standing and carried.sum() > 0.0:
            for f, part in zip(MOVING_FLOWS, carried / carried.sum(), strict=True):
                out[f] += standing * float(part)
    return out


def flow_cost_yuan(trips: dict[str, np.ndarray], keep: np.ndarray, driver: str) -> dict[str, float]:
    """Yuan of the ``keep`` trips' cost borne by each moving flow (``MOVING_FLOWS``).

    Each trip's cost is shared among the flows in proportion to what it carried of each
    by ``driver`` (its ``kg_<flow>``, ``m3_<flow>`` or ``items_<flow>`` columns), so that
    splitting a case into pieces moves no cost under kg or m3. A trip whose items weigh
    (or measure) nothing is shared by its items instead; a trip that carried no moving
    item (nothing, or finance only) is borne by no flow. The flows' shares therefore add
    up to the cost of the kept trips that carried something.
    """
    carried = np.column_stack([trips[f"{driver}_{f}"][keep].astype(float) for f in MOVING_FLOWS])
    items = np.column_stack([trips[f"items_{f}"][keep].astype(float) for f in MOVING_FLOWS])
    weightless = carried.sum(axis=1) <= 0.0
    carried[weightless] = items[weightless]
    total = carried.sum(axis=1)
    part = np.divide(carried, total[:, None], out=np.zeros_like(carried), where=total[:, None] > 0)
    per_flow = (part * trips["cost_yuan"][keep].astype(float)[:, None]).sum(axis=0)
    return {f: float(c) for f, c in zip(MOVING_FLOWS, per_flow, strict=True)}


def _cost_per_flow(shares: dict[str, float], flow_items: dict[str, int], days: int) -> dict[str, float]:
    """Each flow's share of the cost (yuan over the measured days), per day and per item."""
    out = {}
    for f, c in shares.items():
        n = flow_items.get(f, 0)
        out[f"cost.{f}_yuan_per_item"] = c / n if n else float("nan")
        out[f"cost.{f}_yuan_per_day"] = c / days
    return out
