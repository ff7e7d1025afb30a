"""The worst days of a run: service per day, the backlog at the end of each day, recovery.

Means over a month hide the days a planner must plan for. Here each service share is also
taken day by day (by the day items came in), and the *backlog* is counted at the end of
every day: items that were there for the day's first van dispatch (came in before it, or
on an earlier day) and are still not with their addressee, or at the hub for the first
kilometre. An outbound parcel handed in at noon is not backlog that night; it is the next
night if no vehicle took it all day. A run is *stable* when that backlog does not grow over the last week
of demand; a backlog that grows without limit means the fleet cannot carry the load, and
then every share depends on how long the run is.

>>> import numpy as np
>>> end_of_day_counts(np.array([0.0, 10.0]), np.array([20.0, np.nan]), day_min=10.0, days=3)
array([1., 2., 1.])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.records import RunRecord
from sim.records.ledger import FETCHED, FINANCE
from sim.units import MINUTES_PER_DAY

WORST_DAY_PERCENTILE = 5  # the "95th-percentile day": a share that 95 % of days reach
STABLE_LAST_DAYS = 7  # the last week of demand decides stability
STABLE_GROWTH_SHARE = 0.02  # backlog growth per day, as a share of a day's items, still stable


def end_of_day_counts(
    start_t: np.ndarray, done_t: np.ndarray, *, day_min: float, days: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """Per day ``0..days-1``, the (weighted) items started by the end of the day and not done
    by then; ``done_t`` NaN means never done."""
    first = np.floor(start_t / day_min).astype(np.int64)
    last = np.where(np.isnan(done_t), days, np.floor(np.nan_to_num(done_t) / day_min)).astype(np.int64)
    w = np.ones(len(start_t)) if weights is None else np.asarray(weights, dtype=float)
    keep = last > first  # done on its first day: never in an end-of-day backlog
    first, last, w = np.clip(first[keep], 0, days), np.clip(last[keep], 0, days), w[keep]
    change = np.bincount(first, weights=w, minlength=days + 1) - np.bincount(
        last, weights=w, minlength=days + 1
    )
    return np.cumsum(change)[:days]


def share_by_day(
    rec: RunRecord, rows: np.ndarray, ok: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Per measured day with items, the (weighted) share of the items created that day that
    are ``ok``."""
    day = np.floor(rec.ledger.created_t[rows] / MINUTES_PER_DAY).astype(np.int64)
    w = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=float)
    n = rec.window.horizon_days
    total = np.bincount(day, weights=w, minlength=n)
    good = np.bincount(day[ok], weights=w[ok], minlength=n)
    days = rec.measured_days() & (total > 0)
    return good[days] / total[days]


def worst_day_kpis(prefix: str, shares: np.ndarray) -> dict[str, float]:
    """``<prefix>_worst_day`` and ``<prefix>_day_p05`` from a share per day."""
    if not len(shares):
        return {f"{prefix}_worst_day": np.nan, f"{prefix}_day_p05": np.nan}
    return {
        f"{prefix}_worst_day": float(shares.min()),
        f"{prefix}_day_p05": float(np.percentile(shares, WORST_DAY_PERCENTILE)),
    }


def _backlog_rows(rec: RunRecord) -> np.ndarray:
    """Items the operators owe: every moving item except parcels left for villagers to fetch
    at the town outlet (those wait for their addressee, not for a vehicle)."""
    led = rec.ledger
    return np.flatnonzero((led.flow != FINANCE) & (led.status != FETCHED))


def backlog_by_day(rec: RunRecord, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """End-of-day backlog per simulated day: items and kg owed (:func:`_backlog_rows`)."""
    led = rec.ledger
    rows = _backlog_rows(rec) if rows is None else rows
    days = rec.window.horizon_days
    start, done = owed_from(rec, led.created_t[rows]), led.delivered_t[rows]
    items = end_of_day_counts(start, done, day_min=MINUTES_PER_DAY, days=days)
    kg = end_of_day_counts(start, done, day_min=MINUTES_PER_DAY, days=days, weights=led.weight_kg[rows])
    return items, kg


def owed_from(rec: RunRecord, created_t: np.ndarray) -> np.ndarray:
    """When items created at ``created_t`` are owed: the day's start if they came in before
    its first van dispatch (``stations.dispatch_times``), else the next day's start."""
    first_dispatch = min(rec.scenario.stations.dispatch_times)
    day = np.floor(created_t / MINUTES_PER_DAY)
    late = created_t - day * MINUTES_PER_DAY > first_dispatch
    return (day + late) * MINUTES_PER_DAY


def backlog_kpis(rec: RunRecord) -> dict[str, float]:
    """Largest end-of-day backlog in the measured window, days to recover from it, and
    whether the backlog stops growing (``peak.stable``: 1 or 0)."""
    items, kg = backlog_by_day(rec)
    measured = rec.measured_days()
    days = np.flatnonzero(measured)
    created = np.bincount(
        np.floor(rec.ledger.created_t[_backlog_rows(rec)] / MINUTES_PER_DAY).astype(np.int64),
        minlength=len(items),
    )[: len(items)]
    return {
        "peak.backlog_items_max": float(items[measured].max()),
        "peak.backlog_kg_max": float(kg[measured].max()),
        "peak.recovery_days": recovery_days(items[days]),
        "peak.stable": float(is_stable(items[days], float(created[days].mean()))),
    }


def recovery_days(backlog: np.ndarray) -> float:
    """Days from the largest backlog until it is back at the window's median (0 when the
    largest is the median); NaN when it is not back before the window ends."""
    if not len(backlog):
        return np.nan
    peak = int(np.argmax(backlog))
    normal = float(np.median(backlog))
    back = np.flatnonzero(backlog[peak:] <= normal + 1e-9)
    return float(back[0]) if len(back) else np.nan


def is_stable(backlog: np.ndarray, items_per_day: float) -> bool:
    """Whether the backlog's trend over the last ``STABLE_LAST_DAYS`` days grows by at most
    ``STABLE_GROWTH_SHARE`` of a day's items a day."""
    last = backlog[-STABLE_LAST_DAYS:]
    if len(last) < 2:
        return True
    slope = float(np.polyfit(np.arange(len(last)), last, 1)[0])
    return slope <= STABLE_GROWTH_SHARE * max(items_per_day, 1.0)


def backlog_table(rec: RunRecord) -> pd.DataFrame:
    """End-of-day backlog per town station and day: items and kg owed for (or from) villages
    of the town, every simulated day (``measured`` marks the window)."""
    led, w = rec.ledger, rec.places
    rows = _backlog_rows(rec)
    inbound = w.point_of_node[led.destination[rows]]
    point = np.where(inbound >= 0, inbound, w.point_of_node[led.origin[rows]])
    town = np.where(point >= 0, w.point_town[np.clip(point, 0, None)], -1)
    frames = []
    for t, name in enumerate(w.towns):
        items, kg = backlog_by_day(rec, rows[town == t])
        frames.append(pd.DataFrame({"day": np.arange(len(items)), "town": name, "items": items, "kg": kg}))
    table = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["day", "town", "items", "kg"])
    )
    table["measured"] = rec.window.contains(table["day"].to_numpy())
    return table
