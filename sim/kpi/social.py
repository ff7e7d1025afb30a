"""Social cost: villagers' own trips valued in yuan and CO2, beside the operator's cost.

A policy that saves the operator vans by leaving parcels at the town outlet moves the
driving to the villagers; these KPIs put that driving on the same scale as the operator's
cost and emissions (``cost.total_*``), so the saving shows net of it. The km are the ones
the last-km, first-km and finance KPIs report (:func:`sim.kpi.villagers.villager_km_per_day`);
the money and CO2 rates are the scenario's ``[social]`` section.
"""

from __future__ import annotations

from sim.kpi.villagers import VillagerKm
from sim.scenario.schema import Social


def social_kpis(km: VillagerKm, social: Social) -> dict[str, float]:
    """Villagers' km, hours, yuan and kg CO2 per measured day.

    Hours are km at ``social.speed_kmh``; yuan are the km at ``yuan_per_km`` plus the
    hours at ``yuan_per_hour``; CO2 is the km at ``co2_kg_per_km``.
    """
    km_per_day = km.total
    hours_per_day = km_per_day / social.speed_kmh
    yuan_per_day = km_per_day * social.yuan_per_km + hours_per_day * social.yuan_per_hour
    return {
        "social.villager_km_per_day": km_per_day,
        "social.villager_hours_per_day": hours_per_day,
        "social.villager_yuan_per_day": yuan_per_day,
        "social.co2_kg_per_day": km_per_day * social.co2_kg_per_km,
    }


def total_cost_kpis(cost: dict[str, float], social: dict[str, float]) -> dict[str, float]:
    """Operator plus villagers: yuan per day (``cost.total_yuan_per_day``) and kg CO2 per day
    of vehicles and villagers' trips (``cost.total_co2_kg_per_day``)."""
    operator_yuan, vehicle_co2 = cost["cost.operator_yuan_per_day"], cost["cost.co2_kg_per_day"]
    return {
        "cost.total_yuan_per_day": operator_yuan + social["social.villager_yuan_per_day"],
        "cost.total_co2_kg_per_day": vehicle_co2 + social["social.co2_kg_per_day"],
    }
