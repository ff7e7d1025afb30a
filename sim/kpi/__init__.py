"""KPIs from the ledger and the trip log, vectorised (definitions in DESIGN.md)."""

from sim.kpi.cost import cost_kpis
from sim.kpi.flows import bus_kpis, finance_kpis, first_km_kpis, supply_kpis
from sim.kpi.lastmile import last_km_kpis, measured_rows, village_table
from sim.kpi.stats import Estimate, estimate, paired_difference, summarize
from sim.ledger import FLOW_NAMES, PARCEL_IN, PARCEL_OUT, PRODUCE, SUPPLY
from sim.model.simulation import RawRun


def compute_kpis(raw: RawRun) -> dict[str, float]:
    """The flat KPI mapping of one run, section by section."""
    kpis = last_km_kpis(raw)
    kpis.update(first_km_kpis(raw))
    kpis.update(supply_kpis(raw))
    kpis.update(finance_kpis(raw))
    kpis.update(bus_kpis(raw))
    moved = {FLOW_NAMES[f]: len(measured_rows(raw, f)) for f in (PARCEL_IN, PARCEL_OUT, SUPPLY, PRODUCE)}
    kpis.update(cost_kpis(raw, sum(moved.values()), moved))
    return kpis


__all__ = [
    "Estimate",
    "compute_kpis",
    "cost_kpis",
    "estimate",
    "last_km_kpis",
    "paired_difference",
    "summarize",
    "village_table",
]
