"""Villagers' own trips to their town, in km per measured day: the one place they are counted.

Where no vehicle serves them, villagers go to the town station themselves (the model's
``sim.model.villagers``): to fetch an inbound parcel (self pickup), to take an outbound
parcel to the town outlet (self drop), or to the bank branch for a withdrawal the village
counter could not serve. Each is a round trip of :meth:`sim.records.Places.town_trip_km`.
The last-km, first-km and finance KPIs report these km one by one; the social KPIs value
their sum, from the same numbers (:func:`villager_km_per_day`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.records import RunRecord
from sim.records.ledger import DELIVERED, FETCHED, FINANCE, PARCEL_IN, PARCEL_OUT


@dataclass(frozen=True)
class VillagerKm:
    """Villagers' round-trip km to their town per measured day, by purpose."""

    self_pickup: float  # fetching inbound parcels from the town outlet
    self_drop: float  # taking outbound parcels to the town outlet
    bank: float  # withdrawals served at the town branch

    @property
    def total(self) -> float:
        """All three purposes together."""
        return self.self_pickup + self.self_drop + self.bank


def self_pickup_km_per_day(rec: RunRecord) -> float:
    """Addressees fetching measured inbound parcels; a trip fetches
    ``self_pickup.parcels_per_trip`` parcels on average, so each parcel bears its part."""
    led = rec.ledger
    rows = rec.measured_rows(PARCEL_IN)
    fetched = led.status[rows] == FETCHED
    km = rec.places.town_trip_km(led.destination[rows][fetched]) / rec.scenario.self_pickup.parcels_per_trip
    return float(km.sum()) / rec.window.days


def self_drop_km_per_day(rec: RunRecord) -> float:
    """Senders taking measured outbound parcels to the town outlet, one trip per parcel."""
    led = rec.ledger
    parcels = rec.measured_rows(PARCEL_OUT)
    dropped = np.isin(parcels, rec.self_dropped)
    km = rec.places.town_trip_km(led.origin[parcels][dropped])
    return float(km.sum()) / rec.window.days


def bank_km_per_day(rec: RunRecord) -> float:
    """Villagers whose measured transaction was not served in the village: one trip each."""
    led = rec.ledger
    rows = rec.measured_rows(FINANCE)
    local = led.status[rows] == DELIVERED
    km = rec.places.town_trip_km(led.origin[rows[~local]])
    return float(km.sum()) / rec.window.days


def villager_km_per_day(rec: RunRecord) -> VillagerKm:
    """The three kinds of villagers' trips of a run, km per measured day."""
    return VillagerKm(
        self_pickup=self_pickup_km_per_day(rec),
        self_drop=self_drop_km_per_day(rec),
        bank=bank_km_per_day(rec),
    )
