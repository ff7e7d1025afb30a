"""Owned fleets: the vehicles an operation keeps, what they cost standing, how many drove.

A county's vans and the cooperative's trucks are *owned*: each vehicle costs its
``cost_per_day`` (driver, depreciation, insurance) on every day it belongs to the fleet,
whether it drives or not, and its per-km and per-hour costs only on the trips it makes
(those are in the trip log). A fleet whose operator pays couriers a *piece rate* instead
(franchise outlets) owns nothing: its trips cost the rate per parcel and it appears here
with ``size`` 0. Trunk trucks are hired by the day they run, so they are not fleets here.

>>> import numpy as np
>>> f = FleetRecord("postal", "Baima", "micro_van", size=2, day_rate_yuan=250.0,
...                 vehicles_used=np.array([2, 1, 0]))
>>> f.standing_yuan(days=3), f.used_vehicle_days(np.array([True, True, False]))
(1500.0, 3)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FleetRecord:
    """One operation's vehicles at one base, as the run kept them."""

    operator: str
    town: str  # "" for a hub fleet
    vehicle_type: str
    size: int  # vehicles owned (0 for a fleet that owns none)
    day_rate_yuan: float  # what one owned vehicle costs a day, driven or not
    vehicles_used: np.ndarray  # (simulated days,) the most vehicles out at once each day

    def standing_yuan(self, days: int) -> float:
        """What owning the fleet costs over ``days`` days, whatever it drives."""
        return self.size * self.day_rate_yuan * days

    def used_vehicle_days(self, measured: np.ndarray) -> int:
        """Vehicle-days driven on the ``measured`` days (a mask over simulated days)."""
        return int(np.minimum(self.vehicles_used, self.size)[measured].sum())
