"""What the report shows beyond the KPIs, computed from the runs' records: the measured days
as series (volume, on-time share, backlog) and each flow's share of the CO2.

Over replications a day's values are the means over the runs (paired by day number);
per-flow CO2 is an estimate over runs like any KPI.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.kpi import Estimate, backlog_table, daily_table, summarize
from sim.kpi.cost import MOVING_FLOWS, flow_cost_yuan
from sim.records import RunRecord

CO2_KPI = "co2.{flow}_kg_per_day"  # names of the per-flow CO2 estimates


def daily_series(records: Sequence[RunRecord]) -> pd.DataFrame:
    """Per measured day (mean over ``records``): ``items_created``, ``on_time_share`` (the
    day's items delivered on time, of those created) and ``backlog_items`` (end of day)."""
    frames = []
    for rec in records:
        daily = daily_table(rec)
        backlog = backlog_table(rec).groupby("day")["items"].sum()
        created = daily["items_created"].to_numpy(float)
        frame = pd.DataFrame(
            {
                "day": daily["day"],
                "items_created": created,
                "on_time_share": np.divide(
                    daily["delivered_on_time"].to_numpy(float),
                    created,
                    out=np.full(len(created), np.nan),
                    where=created > 0,
                ),
                "backlog_items": backlog.reindex(daily["day"], fill_value=0).to_numpy(float),
            }
        )
        frames.append(frame[daily["measured"].to_numpy()])
    return pd.concat(frames).groupby("day", as_index=False).mean()


def flow_co2_kg_per_day(rec: RunRecord) -> dict[str, float]:
    """Each moving flow's share of the measured trips' CO2 per day, shared among the flows as
    :func:`sim.kpi.cost.flow_cost_yuan` shares cost (by the scenario's ``kpi.cost_driver``)."""
    trips = rec.trip_table()
    by_co2 = {**trips, "cost_yuan": trips["co2_kg"]}
    kg = flow_cost_yuan(by_co2, trips["measured"], rec.scenario.kpi.cost_driver)
    return {CO2_KPI.format(flow=f): kg[f] / rec.window.days for f in MOVING_FLOWS}


def flow_co2_estimates(records: Sequence[RunRecord]) -> dict[str, Estimate]:
    """:func:`flow_co2_kg_per_day` as estimates over replications."""
    return summarize([flow_co2_kg_per_day(rec) for rec in records])
