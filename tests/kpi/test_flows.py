"""First-kilometre, supply, finance and bus KPIs by hand (sim.kpi.flows).

Days 1 and 2 are measured (window.days = 2); items of day 0 (warm-up) and day 3 (drain)
are there to show they are left out.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.kpi import bus_kpis, finance_kpis, first_km_kpis, supply_kpis
from sim.records.ledger import FINANCE, PARCEL_OUT, PRODUCE, SUPPLY

from .helpers import HUB, A, B, C, RecordBuilder, at

# -- first kilometre: produce ---------------------------------------------------------------


def lot(b: RecordBuilder, village: int, day: int, kg: float, **fate) -> int:
    """A produce lot harvested at ``village`` at 07:00 on ``day`` for the hub, shelf life 48 h."""
    t = at(day, 7)
    deadline = t + 48 * 60
    return b.item(PRODUCE, origin=village, dest=HUB, created_t=t, weight_kg=kg, deadline_t=deadline, **fate)


def produce_county() -> RecordBuilder:
    b = RecordBuilder()
    # A: both harvest days picked up that day, both fresh at the hub (after 7 h and 5 h)
    lot(b, A, 1, 100.0, picked_t=at(1, 9), delivered_t=at(1, 14))
    lot(b, A, 2, 50.0, picked_t=at(2, 8), delivered_t=at(2, 12))
    # B: picked up the next day, still fresh at the hub after 29 h
    lot(b, B, 1, 40.0, picked_t=at(2, 8), delivered_t=at(2, 12))
    # C: never picked up, spoiled at its deadline where it waited
    lot(b, C, 1, 10.0, expired_t=at(3, 7))
    # warm-up and drain-day lots do not count (nor would their misses)
    lot(b, A, 0, 1000.0, expired_t=at(2, 7))
    lot(b, A, 3, 1000.0, expired_t=at(5, 7))
    return b


def test_fresh_share_by_kg_and_spoiled_kg_per_day():
    kpis = first_km_kpis(produce_county().record())
    # harvested 100 + 50 + 40 + 10 = 200 kg, fresh 190 kg, spoiled 10 kg, over 2 days
    assert kpis["first_km.produce_kg_per_day"] == pytest.approx(100.0)
    assert kpis["first_km.fresh_share"] == pytest.approx(190 / 200)
    assert kpis["first_km.spoiled_kg_per_day"] == pytest.approx(5.0)


def test_fresh_share_weighs_lots_by_kg_not_by_count():
    b = RecordBuilder()
    lot(b, A, 1, 90.0, picked_t=at(1, 9), delivered_t=at(1, 14))
    for _ in range(9):
        lot(b, B, 1, 1.0, expired_t=at(3, 7))
    kpis = first_km_kpis(b.record())
    assert kpis["first_km.fresh_share"] == pytest.approx(90 / 99)  # 1 lot of 10 by count


def test_village_coverage_needs_every_lot_picked_up_on_its_harvest_day():
    kpis = first_km_kpis(produce_county().record())
    # A: every lot picked up on its day; B: a day late; C: never. 1 of 3 producing villages
    assert kpis["first_km.producing_villages"] == 3.0
    assert kpis["first_km.village_coverage"] == pytest.approx(1 / 3)


def test_one_late_lot_uncovers_a_village_and_pickup_day_not_freshness_decides():
    b = RecordBuilder()
    lot(b, A, 1, 10.0, picked_t=at(1, 9), delivered_t=at(1, 12))
    lot(b, A, 2, 10.0, picked_t=at(3, 9), delivered_t=at(3, 12))  # day 2's lot on day 3
    # B's lot was picked up on its day and spoiled later: B is still covered
    lot(b, B, 1, 10.0, picked_t=at(1, 9), expired_t=at(3, 7))
    kpis = first_km_kpis(b.record())
    assert kpis["first_km.producing_villages"] == 2.0
    assert kpis["first_km.village_coverage"] == pytest.approx(1 / 2)


def test_no_produce_leaves_coverage_and_shares_undefined():
    kpis = first_km_kpis(RecordBuilder().record())
    assert kpis["first_km.producing_villages"] == 0.0
    assert math.isnan(kpis["first_km.village_coverage"])
    assert math.isnan(kpis["first_km.fresh_share"])
    assert math.isnan(kpis["first_km.produce_hours_to_hub_p50"])
    assert math.isnan(kpis["first_km.outbound_cutoff_share"])


def test_hours_to_hub_p50_over_fresh_lots():
    kpis = first_km_kpis(produce_county().record())
    # fresh lots took 7 h (A day 1), 5 h (A day 2), 29 h (B): median 7 h; C spoiled: no time
    assert kpis["first_km.produce_hours_to_hub_p50"] == pytest.approx(7.0)


# -- first kilometre: outbound parcels --------------------------------------------------------


def outbound(b: RecordBuilder, village: int, day: int, **fate) -> int:
    """An outbound parcel created at 09:00 whose same-day cut-off is 18:00."""
    return b.item(PARCEL_OUT, origin=village, dest=HUB, created_t=at(day, 9), deadline_t=at(day, 18), **fate)


def outbound_county() -> RecordBuilder:
    b = RecordBuilder()
    outbound(b, A, 1, picked_t=at(1, 10), delivered_t=at(1, 17))  # before the cut-off
    outbound(b, A, 1, picked_t=at(1, 10), delivered_t=at(1, 18))  # exactly at it: made
    outbound(b, A, 2, picked_t=at(2, 10), delivered_t=at(3, 9))  # next day: missed
    outbound(b, A, 2)  # still waiting: missed
    outbound(b, B, 2, self_dropped=True, delivered_t=at(2, 16))  # sender drove 2 x 5 km; made
    outbound(b, C, 2, self_dropped=True, delivered_t=at(3, 16))  # sender drove 2 x 4 km; missed
    outbound(b, C, 0, self_dropped=True, delivered_t=at(0, 16))  # warm-up: not counted
    return b


def test_outbound_cutoff_share_includes_the_exact_cutoff():
    kpis = first_km_kpis(outbound_county().record())
    assert kpis["first_km.outbound_per_day"] == pytest.approx(6 / 2)
    assert kpis["first_km.outbound_cutoff_share"] == pytest.approx(3 / 6)


def test_sender_km_counts_the_round_trips_of_self_dropped_parcels():
    kpis = first_km_kpis(outbound_county().record())
    # B: 2 x 5 km, C: 2 x 4 km (the warm-up one excluded) = 18 km over 2 days
    assert kpis["first_km.sender_travel_km_per_day"] == pytest.approx(9.0)


# -- supply ---------------------------------------------------------------------------------


def case(b: RecordBuilder, day: int, hours: float | None, lead_h: float = 48.0) -> int:
    t = at(day, 6)
    fate = {} if hours is None else {"picked_t": t + 60, "delivered_t": t + hours * 60}
    return b.item(SUPPLY, origin=HUB, dest=A, created_t=t, deadline_t=t + lead_h * 60, **fate)


def test_supply_fill_within_the_lead_time_and_lead_time_percentiles():
    b = RecordBuilder()
    case(b, 1, 20.0)  # in time
    case(b, 1, 48.0)  # exactly at the deadline: in time
    case(b, 2, 50.0)  # late
    case(b, 2, None)  # not delivered
    case(b, 0, 100.0)  # warm-up
    kpis = supply_kpis(b.record())
    assert kpis["supply.cases_per_day"] == pytest.approx(4 / 2)
    assert kpis["supply.fill_share"] == pytest.approx(2 / 4)
    # delivered lead times 20, 48, 50 h: p50 = 48; p90 at position 0.9 x 2 = 1.8 -> 48 + 0.8 x 2
    assert kpis["supply.lead_time_h_p50"] == pytest.approx(48.0)
    assert kpis["supply.lead_time_h_p90"] == pytest.approx(49.6)


def test_no_supply_cases():
    kpis = supply_kpis(RecordBuilder().record())
    assert kpis["supply.cases_per_day"] == 0.0
    assert math.isnan(kpis["supply.fill_share"])
    assert math.isnan(kpis["supply.lead_time_h_p50"])


# -- finance --------------------------------------------------------------------------------


def transaction(b: RecordBuilder, village: int, day: int, local: bool) -> int:
    t = at(day, 10)
    fate = {"delivered_t": t} if local else {"fetched_t": t + 90}
    return b.item(FINANCE, origin=village, dest=village, created_t=t, **fate)


def test_finance_local_share_and_villager_km():
    b = RecordBuilder()
    transaction(b, A, 1, local=True)
    transaction(b, A, 2, local=True)
    transaction(b, B, 1, local=False)  # to the T0 branch and back: 10 km
    transaction(b, C, 2, local=False)  # to the T1 branch and back: 8 km
    transaction(b, C, 0, local=False)  # warm-up
    kpis = finance_kpis(b.record())
    assert kpis["finance.transactions_per_day"] == pytest.approx(4 / 2)
    assert kpis["finance.local_share"] == pytest.approx(2 / 4)
    assert kpis["finance.villager_travel_km_per_day"] == pytest.approx((10 + 8) / 2)


def test_lowest_cash_is_taken_over_the_points_offering_finance_only():
    b = RecordBuilder()
    b.cash_lowest = np.array([500.0, -1.0, 200.0])  # B offers no counter: its box does not count
    b.finance_offered = np.array([True, False, True])
    assert finance_kpis(b.record())["finance.lowest_cash_yuan"] == 200.0


def test_lowest_cash_is_undefined_without_counters():
    b = RecordBuilder()
    b.cash_lowest = np.array([500.0, 0.0, 200.0])
    assert math.isnan(finance_kpis(b.record())["finance.lowest_cash_yuan"])


# -- bus cargo ------------------------------------------------------------------------------


def test_bus_cargo_trips_items_utilisation_and_fees():
    b = RecordBuilder()
    b.bus_lines = 2
    b.trip(1, kind="bus", km=30, fee=30.0, peak=0.2, flows={PRODUCE: 1, SUPPLY: 2})
    b.trip(2, kind="bus", km=30, fee=20.0, peak=0.4, flows={PARCEL_OUT: 5})
    b.trip(0, kind="bus", km=30, fee=99.0, peak=1.0, flows={PARCEL_OUT: 9})  # warm-up
    b.trip(1, kind="van", km=30, peak=0.9, flows={PARCEL_OUT: 9})  # not a bus
    kpis = bus_kpis(b.record())
    assert kpis["bus.freight_lines"] == 2.0
    assert kpis["bus.cargo_trips_per_day"] == pytest.approx(2 / 2)
    assert kpis["bus.items_per_day"] == pytest.approx((3 + 5) / 2)
    assert kpis["bus.utilisation"] == pytest.approx((0.2 + 0.4) / 2)
    assert kpis["bus.fee_yuan_per_day"] == pytest.approx((30 + 20) / 2)


def test_no_bus_cargo():
    b = RecordBuilder()
    b.trip(1, kind="van", km=10)
    kpis = bus_kpis(b.record())
    assert kpis["bus.freight_lines"] == 0.0
    assert kpis["bus.cargo_trips_per_day"] == 0.0
    assert kpis["bus.items_per_day"] == 0.0
    assert math.isnan(kpis["bus.utilisation"])
    assert kpis["bus.fee_yuan_per_day"] == 0.0
