"""KPIs of the first kilometre, supply, finance and bus cargo (DESIGN.md "KPIs")."""

from __future__ import annotations

import numpy as np

from sim.kpi.stats import share
from sim.kpi.villagers import VillagerKm, bank_km_per_day, self_drop_km_per_day
from sim.kpi.worst_days import share_by_day, worst_day_kpis
from sim.records import RunRecord
from sim.records.ledger import DELIVERED, EXPIRED, FINANCE, PARCEL_OUT, PRODUCE, SUPPLY
from sim.units import MINUTES_PER_DAY, MINUTES_PER_HOUR, TIME_EPS_MIN


def _percentile(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def first_km_kpis(rec: RunRecord, km: VillagerKm | None = None) -> dict[str, float]:
    """Produce reaching the hub fresh, producing villages collected every harvest day,
    outbound parcels making the same-day line-haul cut-off, and the km of senders who took
    theirs to town (from ``km`` when given, else computed here)."""
    w, led, days = rec.places, rec.ledger, rec.window.days
    out: dict[str, float] = {}
    rows = rec.measured_rows(PRODUCE)
    kg = led.weight_kg[rows]
    fresh = led.status[rows] == DELIVERED
    out["first_km.produce_kg_per_day"] = float(kg.sum()) / days
    out["first_km.fresh_share"] = share(kg[fresh].sum(), kg.sum())
    out["first_km.spoiled_kg_per_day"] = float(kg[led.status[rows] == EXPIRED].sum()) / days
    out.update(worst_day_kpis("first_km.fresh_share", share_by_day(rec, rows, fresh, weights=kg)))
    # A producing village is covered when every harvest day's lots were all picked up that day.
    village = w.point_of_node[led.origin[rows]]
    day = np.floor(led.created_t[rows] / MINUTES_PER_DAY).astype(np.int64)
    picked_day = np.floor(np.nan_to_num(led.picked_t[rows], nan=-1.0) / MINUTES_PER_DAY)
    same_day = picked_day.astype(np.int64) == day
    producing = np.unique(village)
    missed = np.unique(village[~same_day])
    out["first_km.producing_villages"] = float(len(producing))
    out["first_km.village_coverage"] = (
        float(1.0 - len(missed) / len(producing)) if len(producing) else float("nan")
    )
    hours = (led.delivered_t[rows][fresh] - led.created_t[rows][fresh]) / MINUTES_PER_HOUR
    out["first_km.produce_hours_to_hub_p50"] = _percentile(hours, 50)
    parcels = rec.measured_rows(PARCEL_OUT)
    made = (led.status[parcels] == DELIVERED) & (
        led.delivered_t[parcels] <= led.deadline_t[parcels] + TIME_EPS_MIN
    )
    out["first_km.outbound_per_day"] = len(parcels) / days
    out["first_km.outbound_cutoff_share"] = share(made.sum(), len(parcels))
    out.update(worst_day_kpis("first_km.outbound_cutoff_share", share_by_day(rec, parcels, made)))
    out["first_km.sender_travel_km_per_day"] = km.self_drop if km else self_drop_km_per_day(rec)
    return out


def supply_kpis(rec: RunRecord) -> dict[str, float]:
    """Supply cases delivered within the order lead time, and how long they took."""
    led = rec.ledger
    rows = rec.measured_rows(SUPPLY)
    done = led.status[rows] == DELIVERED
    hours = (led.delivered_t[rows] - led.created_t[rows]) / MINUTES_PER_HOUR
    on_time = done & (led.delivered_t[rows] <= led.deadline_t[rows] + TIME_EPS_MIN)
    return {
        "supply.cases_per_day": len(rows) / rec.window.days,
        "supply.fill_share": share(on_time.sum(), len(rows)),
        "supply.lead_time_h_p50": _percentile(hours[done], 50),
        "supply.lead_time_h_p90": _percentile(hours[done], 90),
        **worst_day_kpis("supply.fill_share", share_by_day(rec, rows, on_time)),
    }


def finance_kpis(rec: RunRecord, km: VillagerKm | None = None) -> dict[str, float]:
    """Transactions served at the village point, and villagers' km to the town branch
    (from ``km`` when given, else computed here)."""
    led, days = rec.ledger, rec.window.days
    rows = rec.measured_rows(FINANCE)
    local = led.status[rows] == DELIVERED
    return {
        "finance.transactions_per_day": len(rows) / days,
        "finance.local_share": share(local.sum(), len(rows)),
        "finance.villager_travel_km_per_day": km.bank if km else bank_km_per_day(rec),
        "finance.lowest_cash_yuan": float(rec.cash_lowest[rec.finance_offered].min())
        if rec.finance_offered.any()
        else float("nan"),
    }


def bus_kpis(rec: RunRecord) -> dict[str, float]:
    """Cargo on bus trips: items, utilisation of the compartment, fees paid."""
    trips, days = rec.trip_table(), rec.window.days
    mask = trips["measured"] & (trips["kind"] == "bus")
    items = float(trips["items"][mask].sum()) if mask.any() else 0.0
    return {
        "bus.freight_lines": float(rec.bus_lines),
        "bus.cargo_trips_per_day": float(mask.sum()) / days,
        "bus.items_per_day": items / days,
        "bus.utilisation": float(trips["peak_load_share"][mask].mean()) if mask.any() else float("nan"),
        "bus.fee_yuan_per_day": float(trips["cost_yuan"][mask].sum()) / days if mask.any() else 0.0,
    }
