"""Last-kilometre KPIs by hand (sim.kpi.lastmile): on time within the SLA, shares, lead-time
percentiles, villagers' km, and village coverage (service days a week, in-village share)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.kpi import compute_kpis, last_km_kpis, village_table
from sim.records.ledger import PARCEL_IN

from .helpers import S0, A, B, C, RecordBuilder, at

SLA_H = 48.0
CREATED = at(1, 6)  # line-haul arrival on day 1 at 06:00


def shares_county() -> RecordBuilder:
    """Five measured inbound parcels created day 1 06:00, and two outside the window."""
    b = RecordBuilder(self_pickup={"parcels_per_trip": 2.0})
    b.item(PARCEL_IN, dest=A, created_t=CREATED, delivered_t=CREATED + 10 * 60)  # 10 h
    b.item(PARCEL_IN, dest=A, created_t=CREATED, delivered_t=CREATED + SLA_H * 60)  # 48 h: boundary
    b.item(PARCEL_IN, dest=B, created_t=CREATED, delivered_t=CREATED + SLA_H * 60 + 1)  # 48 h 1 min
    b.item(PARCEL_IN, dest=B, created_t=CREATED, fetched_t=CREATED + 5 * 60)  # fetched after 5 h
    b.item(PARCEL_IN, dest=C, created_t=CREATED)  # still waiting at the hub
    b.item(PARCEL_IN, dest=C, created_t=at(0, 6), fetched_t=at(0, 8))  # warm-up day
    b.item(PARCEL_IN, dest=C, created_t=at(3, 6), fetched_t=at(3, 8))  # day 3: no demand day
    return b


def test_on_time_counts_in_village_deliveries_within_the_sla_including_the_boundary():
    kpis = last_km_kpis(shares_county().record())
    # on time: the 10 h and the exactly-48 h parcels; not 48 h 1 min, not the fetched one
    assert kpis["last_km.on_time_share"] == pytest.approx(2 / 5)


def test_a_fetched_parcel_is_never_on_time():
    b = RecordBuilder()
    b.item(PARCEL_IN, dest=A, created_t=CREATED, fetched_t=CREATED + 60)  # 1 h, well within the SLA
    assert last_km_kpis(b.record())["last_km.on_time_share"] == 0.0


def test_the_sla_comes_from_the_scenario():
    b = RecordBuilder(kpi={"sla_hours": 12.0})
    b.item(PARCEL_IN, dest=A, created_t=CREATED, delivered_t=CREATED + 12 * 60)
    b.item(PARCEL_IN, dest=A, created_t=CREATED, delivered_t=CREATED + 13 * 60)
    assert last_km_kpis(b.record())["last_km.on_time_share"] == pytest.approx(1 / 2)


def test_shares_and_parcels_per_day():
    kpis = last_km_kpis(shares_county().record())
    assert kpis["last_km.parcels_per_day"] == pytest.approx(5 / 2)  # 5 measured over 2 days
    assert kpis["last_km.in_village_share"] == pytest.approx(3 / 5)
    assert kpis["last_km.self_pickup_share"] == pytest.approx(1 / 5)
    assert kpis["last_km.undelivered_share"] == pytest.approx(1 / 5)


def test_lead_time_percentiles_cover_delivered_and_fetched_parcels():
    kpis = last_km_kpis(shares_county().record())
    # lead times (h), sorted: 5 (fetched), 10, 48, 48 + 1/60; the waiting parcel has none.
    # numpy's linear percentile at position q/100 x 3:
    # p50 at 1.5  -> (10 + 48) / 2 = 29
    # p90 at 2.7  -> 48 + 0.7 x 1/60
    # p99 at 2.97 -> 48 + 0.97 x 1/60
    assert kpis["last_km.lead_time_h_p50"] == pytest.approx(29.0)
    assert kpis["last_km.lead_time_h_p90"] == pytest.approx(48.0 + 0.7 / 60)
    assert kpis["last_km.lead_time_h_p99"] == pytest.approx(48.0 + 0.97 / 60)


def test_no_delivered_parcel_leaves_lead_times_undefined():
    b = RecordBuilder()
    b.item(PARCEL_IN, dest=A, created_t=CREATED)
    kpis = last_km_kpis(b.record())
    assert all(math.isnan(kpis[f"last_km.lead_time_h_p{q}"]) for q in (50, 90, 99))
    assert kpis["last_km.undelivered_share"] == 1.0


def test_villager_km_is_the_round_trip_to_the_town_station_per_parcels_per_trip():
    b = RecordBuilder(self_pickup={"parcels_per_trip": 2.0})
    b.item(PARCEL_IN, dest=B, created_t=CREATED, fetched_t=CREATED + 60)  # B-S0 5 km: 10 km
    b.item(PARCEL_IN, dest=C, created_t=CREATED, fetched_t=CREATED + 60)  # C-S1 4 km: 8 km
    b.item(PARCEL_IN, dest=A, created_t=CREATED, delivered_t=CREATED + 60)  # delivered: no trip
    b.item(PARCEL_IN, dest=A, created_t=at(0, 6), fetched_t=at(0, 9))  # warm-up: not counted
    kpis = last_km_kpis(b.record())
    # (10 + 8) km / 2 parcels a trip = 9 km over 2 days
    assert kpis["last_km.villager_travel_km_per_day"] == pytest.approx(4.5)


# -- coverage -----------------------------------------------------------------------------


def deliver_on_days(b: RecordBuilder, village: int, days: range, per_day: int = 1) -> None:
    for d in days:
        for _ in range(per_day):
            b.item(PARCEL_IN, dest=village, created_t=at(d, 6), delivered_t=at(d, 11))


def week() -> RecordBuilder:
    """Seven measured days (1..7) after one warm-up day."""
    return RecordBuilder(warmup_days=1, days=8)


def test_service_days_per_week_and_the_min_service_days_boundary():
    b = week()
    deliver_on_days(b, A, range(1, 6))  # 5 days of 7: exactly min_service_days
    deliver_on_days(b, B, range(1, 5))  # 4 days of 7
    deliver_on_days(b, C, range(1, 8), per_day=2)  # every day
    table = village_table(b.record())
    assert table["village"].tolist() == ["A", "B", "C"]
    assert table["town"].tolist() == ["T0", "T0", "T1"]
    assert table["parcels"].tolist() == [5, 4, 14]
    assert table["service_days_per_week"] == pytest.approx([5.0, 4.0, 7.0])  # days / 7 x 7
    assert table["in_village_share"] == pytest.approx([1.0, 1.0, 1.0])
    assert table["covered"].tolist() == [True, False, True]


def test_in_village_share_per_village_against_the_threshold():
    b = week()
    deliver_on_days(b, A, range(1, 8), per_day=3)  # 21 in the village ...
    deliver_on_days(b, B, range(1, 8), per_day=3)
    b.item(PARCEL_IN, dest=B, created_t=at(1, 6), fetched_t=at(2, 6))  # ... B: 21 of 22 = 0.9545
    deliver_on_days(b, C, range(1, 8), per_day=2)  # 14 ...
    for _ in range(2):  # ... C: 14 of 16 = 0.875
        b.item(PARCEL_IN, dest=C, created_t=at(1, 6), fetched_t=at(2, 6))
    table = village_table(b.record())
    assert table["in_village_share"] == pytest.approx([1.0, 21 / 22, 14 / 16])
    assert table["covered"].tolist() == [True, True, False]


@pytest.mark.parametrize(("fetched", "covered"), [(1, True), (2, False)])
def test_in_village_share_exactly_at_the_threshold(fetched, covered):
    b = week()
    # 19 parcels delivered in the village on 7 days, and `fetched` more fetched:
    # 19 / 20 = 0.95 (the default threshold) is covered, 19 / 21 is not
    deliver_on_days(b, A, range(1, 8), per_day=2)  # 14
    deliver_on_days(b, A, range(1, 6))  # + 5 = 19
    for _ in range(fetched):
        b.item(PARCEL_IN, dest=A, created_t=at(3, 6), fetched_t=at(4, 6))
    table = village_table(b.record())
    assert table["parcels"][0] == 19 + fetched
    assert bool(table["covered"][0]) is covered


def test_a_village_without_parcels_is_not_covered():
    b = RecordBuilder(kpi={"min_service_days": 0.0, "in_village_share": 0.0})
    deliver_on_days(b, A, range(1, 3))
    table = village_table(b.record())
    assert table["parcels"].tolist() == [2, 0, 0]
    assert table["covered"].tolist() == [True, False, False]


def test_coverage_plain_and_population_weighted():
    b = week()
    deliver_on_days(b, A, range(1, 6))  # covered, population 1000
    deliver_on_days(b, B, range(1, 5))  # 4 days: not covered, population 3000
    deliver_on_days(b, C, range(1, 8))  # covered, population 6000
    kpis = compute_kpis(b.record())
    assert kpis["last_km.village_coverage"] == pytest.approx(2 / 3)
    assert kpis["last_km.village_coverage_pop"] == pytest.approx((1000 + 6000) / 10000)
    assert kpis["last_km.service_days_per_week"] == pytest.approx((5 + 4 + 7) / 3)


def test_coverage_thresholds_come_from_the_scenario():
    b = RecordBuilder(warmup_days=1, days=8, kpi={"min_service_days": 4.0})
    deliver_on_days(b, B, range(1, 5))  # 4 days a week: enough now
    assert village_table(b.record())["covered"].tolist() == [False, True, False]


def test_parcels_for_other_points_count_in_shares_but_not_in_the_village_table():
    b = RecordBuilder()
    b.item(PARCEL_IN, dest=A, created_t=CREATED, delivered_t=CREATED + 60)
    b.item(PARCEL_IN, dest=S0, created_t=CREATED, delivered_t=CREATED + 60)  # not a village
    rec = b.record()
    assert village_table(rec)["parcels"].tolist() == [1, 0, 0]
    assert last_km_kpis(rec)["last_km.parcels_per_day"] == pytest.approx(2 / 2)


def test_service_days_per_week_never_exceed_seven():
    b = RecordBuilder(warmup_days=1, days=2)  # one measured day: day 1
    b.item(PARCEL_IN, dest=A, created_t=at(1, 6), delivered_t=at(1, 11))
    b.item(PARCEL_IN, dest=A, created_t=at(1, 20), delivered_t=at(2, 11))  # delivered on a drain day
    per_week = village_table(b.record())["service_days_per_week"]
    assert per_week[0] <= 7.0, per_week  # found: 2 days / 1 day x 7 = 14
    assert np.all(per_week <= 7.0)
