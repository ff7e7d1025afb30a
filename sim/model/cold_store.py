"""Cold rooms at the town stations: produce waiting for the trunk keeps longer, at a cost.

A lot reaching a station with a cold room (``cold_chain.enabled``) goes in while there is
room (``capacity_kg`` per station): while it is cold it ages ``shelf_life_factor`` times
slower, so what is left of its warm shelf life is stretched by that factor from the moment
it is cooled (it is kept cold until the trunk takes it: a lot on a trunk is assumed to stay
cold for the short ride to the hub). It pays ``yuan_per_kg_day`` for the kg-days it stays.
Without a cold room produce waits warm and spoils at its deadline.
"""

from __future__ import annotations

import numpy as np

from sim.model.loading import Cargo
from sim.records import Ledger
from sim.records.ledger import PRODUCE
from sim.scenario.flows import ColdChain
from sim.units import MINUTES_PER_DAY


class ColdRooms:
    """The cold rooms of the town stations of one run, and what they cost per day."""

    def __init__(self, settings: ColdChain, ledger: Ledger, cargo: Cargo, horizon_days: int) -> None:
        self.settings, self.ledger, self.cargo = settings, ledger, cargo
        self.stored_kg: dict[int, float] = {}  # station node -> kg in its cold room
        self.cooled_at = np.full(len(ledger), np.nan)  # per ledger row: when it went in
        self.yuan_by_day = np.zeros(horizon_days)

    def cool(self, rows: np.ndarray, t: np.ndarray, station: int) -> None:
        """Produce among ``rows`` reaching ``station`` at ``t`` goes into its cold room while
        there is room (earliest deadline first); its deadline stretches."""
        s = self.settings
        if not s.enabled or not len(rows):
            return
        lots = np.flatnonzero(self.ledger.flow[rows] == PRODUCE)
        if not len(lots):
            return
        lots = lots[np.argsort(self.cargo.deadline[rows[lots]], kind="stable")]
        kg = self.ledger.weight_kg[rows[lots]]
        room = s.capacity_kg - self.stored_kg.get(station, 0.0)
        fits = np.cumsum(kg) <= room + 1e-9
        chosen, when = rows[lots[fits]], t[lots[fits]]
        if not len(chosen):
            return
        left = np.maximum(self.cargo.deadline[chosen] - when, 0.0)
        stretched = when + left * s.shelf_life_factor
        self.cargo.deadline[chosen] = stretched
        self.ledger.deadline_t[chosen] = stretched
        self.stored_kg[station] = self.stored_kg.get(station, 0.0) + float(kg[fits].sum())
        self.cooled_at[chosen] = when

    def release(self, rows: np.ndarray, station: int, now: float) -> None:
        """``rows`` leave ``station`` at ``now``: the cooled ones free their room and pay."""
        if not self.settings.enabled or not len(rows):
            return
        out = rows[~np.isnan(self.cooled_at[rows])]
        if not len(out):
            return
        since = self.cooled_at[out]
        self.cooled_at[out] = np.nan
        kg = self.ledger.weight_kg[out]
        self.stored_kg[station] = max(0.0, self.stored_kg.get(station, 0.0) - float(kg.sum()))
        kg_days = float((kg * (now - since)).sum()) / MINUTES_PER_DAY
        day = min(int(now // MINUTES_PER_DAY), len(self.yuan_by_day) - 1)
        self.yuan_by_day[day] += kg_days * self.settings.yuan_per_kg_day
