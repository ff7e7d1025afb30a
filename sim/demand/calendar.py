"""The simulated days: dates, weekdays, promotion days and seasons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Calendar:
    """Per simulated day: weekday (0 = Monday), promotion flag and the date."""

    weekday: np.ndarray
    promotion: np.ndarray
    dates: tuple[dt.date, ...]

    @classmethod
    def build(cls, start: dt.date, days: int, promotion_dates: Sequence[str] = ()) -> Calendar:
        dates = tuple(start + dt.timedelta(days=d) for d in range(days))
        weekday = np.array([d.weekday() for d in dates], dtype=np.int8)
        promo = {str(p) for p in promotion_dates}
        promotion = np.array([d.strftime("%m-%d") in promo for d in dates], dtype=bool)
        return cls(weekday=weekday, promotion=promotion, dates=dates)

    def __len__(self) -> int:
        return len(self.dates)

    def head(self, days: int) -> Calendar:
        """The first ``days`` days."""
        return Calendar(self.weekday[:days], self.promotion[:days], self.dates[:days])

    def in_season(self, start: str, end: str) -> np.ndarray:
        """Days whose "MM-DD" lies in [start, end]; a season may wrap over the new year."""
        md = np.array([d.strftime("%m-%d") for d in self.dates])
        if start <= end:
            return (md >= start) & (md <= end)
        return (md >= start) | (md <= end)
