"""Worst days, end-of-day backlog, recovery, stability and the service-adjusted cost, by hand
(sim.kpi.worst_days and sim.kpi.cost). Days 1 and 2 are measured (3 demand days, day 0
warm-up, 3 drain days); the SLA is 48 h.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.kpi import backlog_table, compute_kpis
from sim.kpi.worst_days import backlog_by_day, end_of_day_counts, is_stable, recovery_days
from sim.records.ledger import PARCEL_IN, PARCEL_OUT, SUPPLY

from .helpers import A, C, RecordBuilder, at


def test_end_of_day_counts_count_what_came_in_and_is_not_done_by_each_midnight():
    start = np.array([at(0, 8), at(0, 9), at(1, 8), at(2, 23)])
    done = np.array([at(0, 12), at(2, 10), np.nan, at(3, 1)])  # same day, 2 days, never, next day
    counts = end_of_day_counts(start, done, day_min=1440.0, days=4)
    assert counts.tolist() == [1, 2, 2, 1]  # day 0: the 2nd; 1: 2nd, 3rd; 2: 3rd, 4th; 3: 3rd
    kg = end_of_day_counts(start, done, day_min=1440.0, days=4, weights=np.array([1.0, 2.0, 4.0, 8.0]))
    assert kg.tolist() == [2, 6, 12, 4]


def worst_day_county() -> RecordBuilder:
    """Day 1: 2 parcels, both on time; day 2: 4 parcels, 1 on time, 2 late, 1 never delivered."""
    b = RecordBuilder()
    for _ in range(2):
        b.item(PARCEL_IN, dest=A, created_t=at(1, 6), deadline_t=at(3, 6), delivered_t=at(1, 11))
    b.item(PARCEL_IN, dest=A, created_t=at(2, 6), deadline_t=at(4, 6), delivered_t=at(2, 11))
    b.item(PARCEL_IN, dest=A, created_t=at(2, 6), deadline_t=at(4, 6), delivered_t=at(4, 9))  # 3 h late
    b.item(PARCEL_IN, dest=C, created_t=at(2, 6), deadline_t=at(4, 6), delivered_t=at(4, 16))  # 10 h late
    b.item(PARCEL_IN, dest=C, created_t=at(2, 6), deadline_t=at(4, 6))  # never: late to the end, day 6
    return b


def test_the_worst_day_and_the_95th_percentile_day_of_on_time_share():
    kpis = compute_kpis(worst_day_county().record())
    assert kpis["last_km.on_time_share"] == pytest.approx(3 / 6)
    assert kpis["last_km.on_time_share_worst_day"] == pytest.approx(1 / 4)
    # two days, shares 1.0 and 0.25: the 5th percentile lies 5 % of the way from 0.25 to 1.0
    assert kpis["last_km.on_time_share_day_p05"] == pytest.approx(0.25 + 0.05 * 0.75)


def test_worst_days_of_the_other_flows_by_their_own_success():
    b = RecordBuilder()
    b.item(SUPPLY, dest=A, created_t=at(1, 6), deadline_t=at(2, 6), delivered_t=at(1, 12))
    b.item(SUPPLY, dest=A, created_t=at(2, 6), deadline_t=at(3, 6), delivered_t=at(3, 12))  # late
    b.item(PARCEL_OUT, origin=A, created_t=at(1, 9), deadline_t=at(1, 18), delivered_t=at(1, 17))
    kpis = compute_kpis(b.record())
    assert kpis["supply.fill_share_worst_day"] == 0.0  # day 2's only case was late
    assert kpis["first_km.outbound_cutoff_share_worst_day"] == 1.0  # the only day with outbound


def test_the_largest_backlog_and_the_late_penalty():
    rec = worst_day_county().record()
    kpis = compute_kpis(rec)
    # end of day 2: the 3 parcels of day 2 not yet delivered; end of day 3: the same 3
    assert kpis["peak.backlog_items_max"] == 3.0
    assert kpis["peak.backlog_kg_max"] == pytest.approx(3.0)  # 1 kg each
    # late hours: 3 + 10 + (end of the run, day 6, minus the deadline at day 4 06:00) = 3 + 10 + 42
    penalty = (3 + 10 + 42) * rec.scenario.kpi.late_yuan_per_item_hour
    assert kpis["cost.late_penalty_yuan_per_day"] == pytest.approx(penalty / 2)
    assert kpis["cost.service_adjusted_yuan_per_item"] == pytest.approx(
        (kpis["cost.operator_yuan_per_day"] * 2 + penalty) / 6
    )


def test_hire_and_overtime_are_in_the_operator_cost_and_reported_apart():
    b = RecordBuilder()
    b.item(PARCEL_IN, dest=A, created_t=at(1, 6), deadline_t=at(3, 6), delivered_t=at(1, 11))
    b.trip(1, km=10, hours=0, flows={PARCEL_IN: 1}, hire=450.0, overtime=21.0)  # 20 + 450 + 21
    b.trip(2, km=10, hours=0, flows={PARCEL_IN: 1}, overtime=42.0)  # 20 + 42
    kpis = compute_kpis(b.record())
    assert kpis["cost.hire_yuan_per_day"] == pytest.approx(450.0 / 2)
    assert kpis["cost.overtime_yuan_per_day"] == pytest.approx(63.0 / 2)
    assert kpis["cost.operator_yuan_per_day"] == pytest.approx((491.0 + 62.0) / 2)


def test_recovery_is_counted_from_the_largest_backlog_back_to_the_median():
    assert recovery_days(np.array([10.0, 10.0, 50.0, 30.0, 10.0, 10.0])) == 2.0
    assert recovery_days(np.array([10.0, 10.0, 10.0])) == 0.0
    assert np.isnan(recovery_days(np.array([10.0, 10.0, 10.0, 20.0, 40.0])))  # still high at the end


def test_a_backlog_that_keeps_growing_is_not_stable():
    flat = np.array([100.0, 105, 98, 102, 101, 99, 100])
    growing = np.array([100.0, 150, 200, 250, 300, 350, 400])  # +50 a day
    assert is_stable(flat, items_per_day=1000.0)
    assert not is_stable(growing, items_per_day=1000.0)  # 50 > 2 % of 1000
    assert is_stable(growing, items_per_day=5000.0)  # 50 <= 2 % of 5000


def test_the_backlog_table_splits_the_backlog_by_town():
    table = backlog_table(worst_day_county().record())
    day2 = table[table["day"] == 2].set_index("town")["items"]
    assert day2.to_dict() == {"T0": 1, "T1": 2}
    assert table.groupby("day")["items"].sum().tolist()[:4] == [0, 0, 3, 3]


def test_an_item_handed_in_after_the_first_dispatch_is_owed_from_the_next_day():
    b = RecordBuilder()  # first van dispatch 09:00 (the default)
    b.item(PARCEL_OUT, origin=A, created_t=at(1, 12), deadline_t=at(1, 18), delivered_t=at(2, 11))
    b.item(PARCEL_OUT, origin=A, created_t=at(1, 12), deadline_t=at(1, 18), delivered_t=at(3, 11))
    items, _kg = backlog_by_day(b.record())
    # day 1: neither is owed yet; day 2: the second is still waiting at midnight
    assert items.tolist()[:4] == [0, 0, 1, 0]


def test_fresh_share_by_day_weighs_lots_by_kg():
    from sim.records.ledger import PRODUCE

    b = RecordBuilder()
    b.item(PRODUCE, origin=A, created_t=at(1, 7), weight_kg=30.0, deadline_t=at(2, 7), delivered_t=at(1, 15))
    b.item(PRODUCE, origin=A, created_t=at(2, 7), weight_kg=10.0, deadline_t=at(3, 7), delivered_t=at(2, 15))
    b.item(PRODUCE, origin=A, created_t=at(2, 7), weight_kg=30.0, deadline_t=at(3, 7), expired_t=at(3, 7))
    b.item(SUPPLY, dest=A, created_t=at(1, 6), deadline_t=at(2, 6), delivered_t=at(1, 12))
    b.item(PARCEL_OUT, origin=A, created_t=at(2, 9), deadline_t=at(2, 18), delivered_t=at(3, 17))
    kpis = compute_kpis(b.record())
    assert kpis["first_km.fresh_share_worst_day"] == pytest.approx(10 / 40)  # day 2: 10 of 40 kg
    assert kpis["first_km.fresh_share_day_p05"] == pytest.approx(0.25 + 0.05 * 0.75)
    assert kpis["first_km.outbound_cutoff_share_day_p05"] == 0.0  # one day, missed
    assert kpis["supply.fill_share_day_p05"] == 1.0  # one day, on time


def test_a_growing_backlog_is_unstable_and_has_not_recovered():
    kpis = compute_kpis(worst_day_county().record())
    # measured days 1, 2: backlog 0 then 3, growing by 3 a day > 2 % of the 3 items a day
    assert np.isnan(kpis["peak.recovery_days"])
    assert kpis["peak.stable"] == 0.0


def test_a_backlog_back_to_normal_is_stable_and_says_how_fast_it_recovered():
    b = RecordBuilder()
    b.item(PARCEL_IN, dest=A, created_t=at(1, 6), deadline_t=at(3, 6), delivered_t=at(2, 10))
    b.item(PARCEL_IN, dest=A, created_t=at(2, 6), deadline_t=at(4, 6), delivered_t=at(2, 10))
    kpis = compute_kpis(b.record())
    # backlog 1 at the end of day 1, 0 at the end of day 2: back at the median a day later
    assert kpis["peak.backlog_items_max"] == 1.0
    assert kpis["peak.recovery_days"] == 1.0
    assert kpis["peak.stable"] == 1.0
