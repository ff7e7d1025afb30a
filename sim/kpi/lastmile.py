"""Last-kilometre KPIs (DESIGN.md): on-time share, coverage, lead times, self pickup."""

from __future__ import annotations

import numpy as np

from sim.kpi.stats import share
from sim.kpi.villagers import VillagerKm, self_pickup_km_per_day
from sim.kpi.worst_days import share_by_day, worst_day_kpis
from sim.records import RunRecord
from sim.records.ledger import DELIVERED, FETCHED, PARCEL_IN
from sim.units import FLOAT_EPS, MINUTES_PER_DAY, MINUTES_PER_HOUR

DAYS_PER_WEEK = 7.0


def last_km_kpis(rec: RunRecord, km: VillagerKm | None = None) -> dict[str, float]:
    """KPIs of inbound parcels: shares, coverage (plain and population-weighted), lead times,
    and the addressees' km to fetch them (from ``km`` when given, else computed here)."""
    s, led = rec.scenario, rec.ledger
    rows = rec.measured_rows(PARCEL_IN)
    n = len(rows)
    status = led.status[rows]
    lead_h = (led.delivered_t[rows] - led.created_t[rows]) / MINUTES_PER_HOUR
    in_village = status == DELIVERED
    fetched = status == FETCHED
    done = in_village | fetched
    on_time = in_village & (lead_h <= s.kpi.sla_hours + FLOAT_EPS)
    out: dict[str, float] = {
        "last_km.parcels_per_day": n / rec.window.days,
        "last_km.on_time_share": share(on_time.sum(), n),
        "last_km.in_village_share": share(in_village.sum(), n),
        "last_km.self_pickup_share": share(fetched.sum(), n),
        "last_km.undelivered_share": share((~done).sum(), n),
        **worst_day_kpis("last_km.on_time_share", share_by_day(rec, rows, on_time)),
    }
    for q in (50, 90, 99):
        out[f"last_km.lead_time_h_p{q}"] = float(np.percentile(lead_h[done], q)) if done.any() else np.nan

    # Coverage: visits on enough days a week and nearly all parcels delivered in the village.
    villages = village_table(rec)
    covered, pop = villages["covered"], villages["population"]
    out["last_km.village_coverage"] = float(covered.mean())
    out["last_km.village_coverage_pop"] = share((pop * covered).sum(), pop.sum())
    out["last_km.service_days_per_week"] = float(villages["service_days_per_week"].mean())

    # Villagers' own trips to fetch parcels from the town outlet, and back.
    out["last_km.villager_travel_km_per_day"] = km.self_pickup if km else self_pickup_km_per_day(rec)
    return out


def village_table(rec: RunRecord) -> dict[str, np.ndarray]:
    """Per village: parcels, in-village share, service days per week, coverage (for maps)."""
    s, w, led = rec.scenario, rec.places, rec.ledger
    rows = rec.measured_rows(PARCEL_IN)
    v = w.village_of_node[led.destination[rows]]
    rows, v = rows[v >= 0], v[v >= 0]
    in_village = led.status[rows] == DELIVERED
    n_villages = len(w.villages)
    total = np.bincount(v, minlength=n_villages)
    local = np.bincount(v[in_village], minlength=n_villages)
    days = rec.window.horizon_days + 1
    delivered_day = np.floor(led.delivered_t[rows][in_village] / MINUTES_PER_DAY).astype(np.int64)
    in_window = rec.window.contains(delivered_day)  # service days are counted in the window only
    pairs = np.unique(v[in_village][in_window] * days + delivered_day[in_window])
    per_week = np.bincount(pairs // days, minlength=n_villages) / rec.window.days * DAYS_PER_WEEK
    in_village_share = np.divide(local, total, out=np.zeros(n_villages), where=total > 0)
    covered = (
        (per_week >= s.kpi.min_service_days - FLOAT_EPS)
        & (in_village_share >= s.kpi.in_village_share)
        & (total > 0)
    )
    return {
        "village": np.array(w.village_names),
        "town": np.array([w.towns[t] for t in w.village_town]),
        "population": w.village_population,
        "parcels": total,
        "in_village_share": in_village_share,
        "service_days_per_week": per_week,
        "covered": covered,
    }
