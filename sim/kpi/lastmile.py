"""Last-kilometre KPIs (DESIGN.md): on-time share, coverage, lead times, self pickup."""

from __future__ import annotations

import numpy as np

from sim.ledger import DELIVERED, FETCHED, PARCEL_IN
from sim.model.simulation import RawRun


def measured_rows(raw: RawRun, flow: int = PARCEL_IN) -> np.ndarray:
    """Items of a flow created after the warm-up and before the end of demand."""
    led = raw.ledger
    day = np.floor(led.created_t / 1440.0)
    keep = (led.flow == flow) & (day >= raw.scenario.warmup_days) & (day < raw.demand_days)
    return np.flatnonzero(keep)


def last_km_kpis(raw: RawRun) -> dict[str, float]:
    """KPIs of inbound parcels: shares, coverage (plain and population-weighted), lead times."""
    s, w, led = raw.scenario, raw.world, raw.ledger
    rows = measured_rows(raw)
    n = len(rows)
    status = led.status[rows]
    lead_h = (led.delivered_t[rows] - led.created_t[rows]) / 60.0
    in_village = status == DELIVERED
    fetched = status == FETCHED
    done = in_village | fetched
    on_time = in_village & (lead_h <= s.kpi.sla_hours + 1e-9)
    out: dict[str, float] = {
        "last_km.parcels_per_day": n / max(1, raw.demand_days - s.warmup_days),
        "last_km.on_time_share": _share(on_time.sum(), n),
        "last_km.in_village_share": _share(in_village.sum(), n),
        "last_km.self_pickup_share": _share(fetched.sum(), n),
        "last_km.undelivered_share": _share((~done).sum(), n),
    }
    for q in (50, 90, 99):
        out[f"last_km.lead_time_h_p{q}"] = float(np.percentile(lead_h[done], q)) if done.any() else np.nan

    # Coverage: visits on enough days a week and nearly all parcels delivered in the village.
    villages = village_table(raw)
    covered, pop = villages["covered"], villages["population"]
    out["last_km.village_coverage"] = float(covered.mean())
    out["last_km.village_coverage_pop"] = _share((pop * covered).sum(), pop.sum())
    out["last_km.service_days_per_week"] = float(villages["service_days_per_week"].mean())

    days_measured = raw.demand_days - s.warmup_days
    # Villagers' own trips to fetch parcels from the town outlet, and back.
    dest = led.destination[rows][fetched]
    station = w.station[w.point_town[w.point_of_node[dest]]]
    km = 2.0 * w.km[dest, station] / s.self_pickup.parcels_per_trip
    out["last_km.villager_travel_km_per_day"] = float(km.sum()) / max(days_measured, 1)
    return out


def village_table(raw: RawRun) -> dict[str, np.ndarray]:
    """Per village: parcels, in-village share, service days per week, coverage (for maps)."""
    s, w, led = raw.scenario, raw.world, raw.ledger
    rows = measured_rows(raw)
    v = _village_index(raw, led.destination[rows])
    rows, v = rows[v >= 0], v[v >= 0]
    in_village = led.status[rows] == DELIVERED
    n_villages = len(w.villages)
    total = np.bincount(v, minlength=n_villages)
    local = np.bincount(v[in_village], minlength=n_villages)
    days_measured = max(raw.demand_days - s.warmup_days, 1)
    delivered_day = np.floor(led.delivered_t[rows][in_village] / 1440.0).astype(np.int64)
    pairs = np.unique(v[in_village] * (raw.horizon_days + 1) + delivered_day)
    per_week = np.bincount(pairs // (raw.horizon_days + 1), minlength=n_villages) / days_measured * 7.0
    share = np.divide(local, total, out=np.zeros(n_villages), where=total > 0)
    covered = (per_week >= s.kpi.min_service_days - 1e-9) & (share >= s.kpi.in_village_share) & (total > 0)
    return {
        "village": np.array(w.village_names),
        "town": np.array([w.towns[t] for t in w.village_town]),
        "population": w.village_population,
        "parcels": total,
        "in_village_share": share,
        "service_days_per_week": per_week,
        "covered": covered,
    }


def _village_index(raw: RawRun, nodes: np.ndarray) -> np.ndarray:
    """Village number (0..V-1) of node indices."""
    village_of_node = np.full(len(raw.world.nodes), -1)
    village_of_node[raw.world.villages] = np.arange(len(raw.world.villages))
    return village_of_node[nodes]


def _share(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole else float("nan")
