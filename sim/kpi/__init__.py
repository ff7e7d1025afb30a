"""KPIs from the ledger and the trip log, vectorised (definitions in DESIGN.md)."""

from sim.kpi.cost import cost_kpis
from sim.kpi.lastmile import last_km_kpis, measured_rows, village_table
from sim.kpi.stats import Estimate, estimate, paired_difference, summarize
from sim.model.simulation import RawRun


def compute_kpis(raw: RawRun) -> dict[str, float]:
    """The flat KPI mapping of one run."""
    kpis = last_km_kpis(raw)
    kpis.update(cost_kpis(raw, len(measured_rows(raw))))
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
