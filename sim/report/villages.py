"""The per-village table of a run (``villages.csv`` and the report's table), from its records.

One row per village: its town and population, the items per measured day of every flow
that starts or ends there, the share of its inbound parcels delivered in the village, the
median lead time of those parcels, service days per week, whether it is covered (the
coverage rule of :func:`sim.kpi.village_table`), and who serves it: the operators whose
measured trips stopped there. Over several replications the numbers are means and
``covered`` is the share of runs in which the village was covered.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.kpi import village_table
from sim.records import RunRecord
from sim.records.ledger import DELIVERED, FETCHED, FLOW_NAMES, PARCEL_IN
from sim.units import MINUTES_PER_HOUR

SERVED_BY_SEPARATOR = " + "
#: Columns of the table, in order.
VILLAGE_COLUMNS = (
    "village",
    "town",
    "population",
    *(f"{f}_per_day" for f in FLOW_NAMES),
    "in_village_share",
    "lead_time_h_p50",
    "service_days_per_week",
    "covered",
    "served_by",
)


def items_per_day(rec: RunRecord) -> dict[str, np.ndarray]:
    """Per flow name, the measured items per day of each village (the item's village is its
    destination when that is a village, else its origin)."""
    led, w = rec.ledger, rec.places
    out = {}
    for code, name in enumerate(FLOW_NAMES):
        rows = rec.measured_rows(code)
        v = w.village_of_node[led.destination[rows]]
        v = np.where(v >= 0, v, w.village_of_node[led.origin[rows]])
        out[f"{name}_per_day"] = np.bincount(v[v >= 0], minlength=len(w.villages)) / rec.window.days
    return out


def lead_time_h_p50(rec: RunRecord) -> np.ndarray:
    """Per village, the median hours from hub arrival to the addressee of its measured inbound
    parcels, delivered or fetched (NaN where none was)."""
    led, w = rec.ledger, rec.places
    rows = rec.measured_rows(PARCEL_IN)
    rows = rows[np.isin(led.status[rows], (DELIVERED, FETCHED))]
    v = w.village_of_node[led.destination[rows]]
    hours = (led.delivered_t[rows] - led.created_t[rows]) / MINUTES_PER_HOUR
    out = np.full(len(w.villages), np.nan)
    for village in np.unique(v[v >= 0]):
        out[village] = float(np.median(hours[v == village]))
    return out


def serving_operators(rec: RunRecord) -> list[set[str]]:
    """Per village, the operators whose measured trips stopped there."""
    w = rec.places
    trips = rec.trip_table()
    out: list[set[str]] = [set() for _ in w.villages]
    for t, path in enumerate(rec.trips.routes):
        if not trips["measured"][t]:
            continue
        for village in np.unique(w.village_of_node[np.asarray(path, dtype=np.int64)]):
            if village >= 0:
                out[village].add(str(trips["operator"][t]))
    return out


def village_frame(rec: RunRecord) -> pd.DataFrame:
    """The per-village table of one run (columns :data:`VILLAGE_COLUMNS`)."""
    base = village_table(rec)
    frame = pd.DataFrame(
        {
            "village": base["village"],
            "town": base["town"],
            "population": base["population"],
            **items_per_day(rec),
            "in_village_share": base["in_village_share"],
            "lead_time_h_p50": lead_time_h_p50(rec),
            "service_days_per_week": base["service_days_per_week"],
            "covered": base["covered"].astype(float),
            "served_by": [SERVED_BY_SEPARATOR.join(sorted(ops)) for ops in serving_operators(rec)],
        }
    )
    return frame[list(VILLAGE_COLUMNS)]


def villages_over_runs(records: Sequence[RunRecord]) -> pd.DataFrame:
    """The per-village table over replications: means of the numbers (``covered`` becomes the
    share of runs covered), and every operator that served the village in any run."""
    frames = [village_frame(rec) for rec in records]
    numbers = [c for c in VILLAGE_COLUMNS if c not in ("village", "town", "population", "served_by")]
    mean = pd.concat([f[numbers] for f in frames]).groupby(level=0).mean()
    served = [
        SERVED_BY_SEPARATOR.join(
            sorted({op for f in frames for op in f["served_by"].iloc[i].split(SERVED_BY_SEPARATOR) if op})
        )
        for i in range(len(frames[0]))
    ]
    out = frames[0][["village", "town", "population"]].copy()
    out[numbers] = mean.to_numpy()
    out["served_by"] = served
    return out[list(VILLAGE_COLUMNS)]
