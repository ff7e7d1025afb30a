"""KPIs from the run record (ledger and trip log), vectorised (definitions in DESIGN.md).

Reads :mod:`sim.records` only: importing it loads neither SimPy nor the model.
"""

from sim.kpi.cost import cost_kpis
from sim.kpi.daily import daily_table, fleet_table
from sim.kpi.flows import bus_kpis, finance_kpis, first_km_kpis, supply_kpis
from sim.kpi.lastmile import last_km_kpis, village_table
from sim.kpi.social import social_kpis, total_cost_kpis
from sim.kpi.stats import Estimate, estimate, paired_difference, share, summarize
from sim.kpi.unserved import unserved_kpis, unserved_places
from sim.kpi.villagers import VillagerKm, villager_km_per_day
from sim.kpi.worst_days import backlog_kpis, backlog_table
from sim.records import RunRecord
from sim.records.ledger import FLOW_NAMES, PARCEL_IN, PARCEL_OUT, PRODUCE, SUPPLY


def compute_kpis(rec: RunRecord) -> dict[str, float]:
    """The flat KPI mapping of one run, section by section.

    Villagers' km are computed once and used both by the sections that report them and by
    the social cost, which is added to the operator's in ``cost.total_*``.
    """
    km = villager_km_per_day(rec)
    kpis = last_km_kpis(rec, km)
    kpis.update(first_km_kpis(rec, km))
    kpis.update(supply_kpis(rec))
    kpis.update(finance_kpis(rec, km))
    kpis.update(bus_kpis(rec))
    kpis.update(backlog_kpis(rec))
    kpis.update(unserved_kpis(rec))
    moved = {FLOW_NAMES[f]: len(rec.measured_rows(f)) for f in (PARCEL_IN, PARCEL_OUT, SUPPLY, PRODUCE)}
    cost = cost_kpis(rec, sum(moved.values()), moved)
    social = social_kpis(km, rec.scenario.social)
    kpis.update(cost)
    kpis.update(total_cost_kpis(cost, social))
    kpis.update(social)
    return kpis


__all__ = [
    "Estimate",
    "VillagerKm",
    "bus_kpis",
    "compute_kpis",
    "cost_kpis",
    "backlog_kpis",
    "backlog_table",
    "daily_table",
    "fleet_table",
    "estimate",
    "finance_kpis",
    "first_km_kpis",
    "last_km_kpis",
    "paired_difference",
    "share",
    "social_kpis",
    "summarize",
    "supply_kpis",
    "total_cost_kpis",
    "unserved_kpis",
    "unserved_places",
    "village_table",
    "villager_km_per_day",
]
