"""KPIs of the first kilometre, supply, finance and bus cargo (DESIGN.md "KPIs")."""

from __future__ import annotations

import numpy as np

from sim.kpi.lastmile import _share, measured_rows
from sim.ledger import DELIVERED, EXPIRED, FINANCE, PARCEL_OUT, PRODUCE, SUPPLY
from sim.model.simulation import RawRun


def first_km_kpis(raw: RawRun) -> dict[str, float]:
    """Produce reaching the hub fresh, producing villages collected every harvest day,
    and outbound parcels making the same-day line-haul cut-off."""
    s, w, led = raw.scenario, raw.world, raw.ledger
    out: dict[str, float] = {}
    days = max(raw.demand_days - s.warmup_days, 1)
    rows = measured_rows(raw, PRODUCE)
    kg = led.weight_kg[rows]
    fresh = led.status[rows] == DELIVERED
    out["first_km.produce_kg_per_day"] = float(kg.sum()) / days
    out["first_km.fresh_share"] = _share(kg[fresh].sum(), kg.sum())
    out["first_km.spoiled_kg_per_day"] = float(kg[led.status[rows] == EXPIRED].sum()) / days
    # A producing village is covered when every harvest day's lots were all picked up that day.
    village = w.point_of_node[led.origin[rows]]
    day = np.floor(led.created_t[rows] / 1440.0).astype(np.int64)
    same_day = np.floor(np.nan_to_num(led.picked_t[rows], nan=-1.0) / 1440.0).astype(np.int64) == day
    producing = np.unique(village)
    missed = np.unique(village[~same_day])
    out["first_km.producing_villages"] = float(len(producing))
    out["first_km.village_coverage"] = (
        float(1.0 - len(missed) / len(producing)) if len(producing) else float("nan")
    )
    hours = (led.delivered_t[rows][fresh] - led.created_t[rows][fresh]) / 60.0
    out["first_km.produce_hours_to_hub_p50"] = float(np.percentile(hours, 50)) if len(hours) else float("nan")
    parcels = measured_rows(raw, PARCEL_OUT)
    made = (led.status[parcels] == DELIVERED) & (led.delivered_t[parcels] <= led.deadline_t[parcels] + 1e-9)
    out["first_km.outbound_per_day"] = len(parcels) / days
    out["first_km.outbound_cutoff_share"] = _share(made.sum(), len(parcels))
    dropped = np.isin(parcels, raw.self_dropped)
    dest = led.origin[parcels][dropped]
    station = w.station[w.point_town[w.point_of_node[dest]]]
    out["first_km.sender_travel_km_per_day"] = float((2.0 * w.km[dest, station]).sum()) / days
    return out


def supply_kpis(raw: RawRun) -> dict[str, float]:
    """Supply cases delivered within the order lead time, and how long they took."""
    led = raw.ledger
    rows = measured_rows(raw, SUPPLY)
    done = led.status[rows] == DELIVERED
    hours = (led.delivered_t[rows] - led.created_t[rows]) / 60.0
    on_time = done & (led.delivered_t[rows] <= led.deadline_t[rows] + 1e-9)
    days = max(raw.demand_days - raw.scenario.warmup_days, 1)
    return {
        "supply.cases_per_day": len(rows) / days,
        "supply.fill_share": _share(on_time.sum(), len(rows)),
        "supply.lead_time_h_p50": float(np.percentile(hours[done], 50)) if done.any() else float("nan"),
        "supply.lead_time_h_p90": float(np.percentile(hours[done], 90)) if done.any() else float("nan"),
    }


def finance_kpis(raw: RawRun) -> dict[str, float]:
    """Transactions served at the village point, and villagers' trips to the town branch."""
    w, led = raw.world, raw.ledger
    rows = measured_rows(raw, FINANCE)
    local = led.status[rows] == DELIVERED
    days = max(raw.demand_days - raw.scenario.warmup_days, 1)
    away = rows[~local]
    station = w.station[w.point_town[w.point_of_node[led.origin[away]]]]
    return {
        "finance.transactions_per_day": len(rows) / days,
        "finance.local_share": _share(local.sum(), len(rows)),
        "finance.villager_travel_km_per_day": float((2.0 * w.km[led.origin[away], station]).sum()) / days,
        "finance.lowest_cash_yuan": float(raw.cash_lowest[raw.finance_offered].min())
        if raw.finance_offered.any()
        else float("nan"),
    }


def bus_kpis(raw: RawRun) -> dict[str, float]:
    """Cargo on bus trips: items, utilisation of the compartment, fees paid."""
    s = raw.scenario
    trips = raw.trips.table()
    days = max(raw.demand_days - s.warmup_days, 1)
    if not len(trips["trip"]):
        mask = np.zeros(0, dtype=bool)
    else:
        mask = (trips["kind"] == "bus") & (trips["day"] >= s.warmup_days) & (trips["day"] < raw.demand_days)
    items = float(trips["items"][mask].sum()) if mask.any() else 0.0
    return {
        "bus.freight_lines": float(raw.bus_lines),
        "bus.cargo_trips_per_day": float(mask.sum()) / days,
        "bus.items_per_day": items / days,
        "bus.utilisation": float(trips["peak_load_share"][mask].mean()) if mask.any() else float("nan"),
        "bus.fee_yuan_per_day": float(trips["cost_yuan"][mask].sum()) / days if mask.any() else 0.0,
    }
