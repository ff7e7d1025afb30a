"""The simulated days: dates, weekdays, promotion days and waves, and seasons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Wave:
    """A promotion's parcels arriving over the days after the sale (see ``Promotion``)."""

    month_day: str  # "MM-DD" of the sale
    lag_days: int
    peak_factor: float
    decay_days: float
    length_days: int


def wave_volume(dates: Sequence[dt.date], waves: Sequence[Wave]) -> np.ndarray:
    """Per date, the inbound volume factor of the waves: 1 plus each wave's extra
    ``(peak - 1) exp(-t / decay)`` on day ``t`` of it (a sale of the year before counts too).

    >>> d = [dt.date(2026, 11, 12) + dt.timedelta(days=k) for k in range(3)]
    >>> wave_volume(d, [Wave("11-11", 2, 2.0, 3.0, 10)]).round(3).tolist()
    [1.0, 2.0, 1.717]
    """
    out = np.ones(len(dates))
    if not len(dates):
        return out
    ordinal = np.array([d.toordinal() for d in dates])
    for w in waves:
        month, day = (int(x) for x in w.month_day.split("-"))
        for year in range(dates[0].year - 1, dates[-1].year + 1):
            try:
                sale = dt.date(year, month, day).toordinal()
            except ValueError:  # 29 February in a common year
                continue
            t = ordinal - sale - w.lag_days
            on = (t >= 0) & (t < w.length_days)
            out[on] += (w.peak_factor - 1.0) * np.exp(-t[on] / w.decay_days)
    return out


@dataclass(frozen=True)
class Calendar:
    """Per simulated day: weekday (0 = Monday), single promotion days, the date, and the
    inbound volume factor of promotion waves."""

    weekday: np.ndarray
    promotion: np.ndarray
    dates: tuple[dt.date, ...]
    volume: np.ndarray = field(default_factory=lambda: np.ones(0))

    @classmethod
    def build(
        cls, start: dt.date, days: int, promotion_dates: Sequence[str] = (), waves: Sequence[Wave] = ()
    ) -> Calendar:
        dates = tuple(start + dt.timedelta(days=d) for d in range(days))
        weekday = np.array([d.weekday() for d in dates], dtype=np.int8)
        promo = {str(p) for p in promotion_dates}
        promotion = np.array([d.strftime("%m-%d") in promo for d in dates], dtype=bool)
        return cls(weekday=weekday, promotion=promotion, dates=dates, volume=wave_volume(dates, waves))

    def __len__(self) -> int:
        return len(self.dates)

    def head(self, days: int) -> Calendar:
        """The first ``days`` days."""
        return Calendar(self.weekday[:days], self.promotion[:days], self.dates[:days], self.volume[:days])

    def in_season(self, start: str, end: str) -> np.ndarray:
        """Days whose "MM-DD" lies in [start, end]; a season may wrap over the new year."""
        md = np.array([d.strftime("%m-%d") for d in self.dates])
        if start <= end:
            return (md >= start) & (md <= end)
        return (md >= start) | (md <= end)
