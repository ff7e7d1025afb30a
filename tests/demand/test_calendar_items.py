"""Calendar (weekdays, promotion days, seasons over the new year) and splitting lots into pieces."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.demand import Calendar, split_into_pieces


def test_weekdays_and_promotion_days_follow_the_dates():
    cal = Calendar.build(dt.date(2026, 11, 9), 40, ["11-11", "11-12", "12-12", "06-18"])
    assert len(cal) == 40 and cal.dates[0] == dt.date(2026, 11, 9) and cal.dates[-1] == dt.date(2026, 12, 18)
    assert cal.weekday.tolist() == [d.weekday() for d in cal.dates]
    assert cal.weekday[0] == 0  # 2026-11-09 is a Monday
    promo = [d.strftime("%m-%d") for d, p in zip(cal.dates, cal.promotion, strict=True) if p]
    assert promo == ["11-11", "11-12", "12-12"]
    head = cal.head(3)
    assert len(head) == 3 and head.dates == cal.dates[:3] and head.promotion.tolist() == [False, False, True]


def test_promotion_dates_recur_every_year():
    cal = Calendar.build(dt.date(2025, 1, 1), 3 * 365, ["11-11"])
    assert cal.promotion.sum() == 3
    assert {d.year for d, p in zip(cal.dates, cal.promotion, strict=True) if p} == {2025, 2026, 2027}


def test_a_season_may_wrap_over_the_new_year():
    cal = Calendar.build(dt.date(2026, 11, 20), 120)
    md = [d.strftime("%m-%d") for d in cal.dates]
    winter = cal.in_season("12-01", "02-28")
    for day, inside in zip(md, winter.tolist(), strict=True):
        assert inside == (day >= "12-01" or day <= "02-28"), day
    assert winter.sum() == 31 + 31 + 28  # Dec 2026, Jan and Feb 2027
    assert not winter[: md.index("12-01")].any() and winter[md.index("12-01")]
    assert winter[md.index("02-28")] and not winter[md.index("03-01")]
    spring = cal.in_season("02-20", "03-10")  # an ordinary season
    assert spring.sum() == 9 + 10
    single = cal.in_season("01-01", "01-01")
    assert single.sum() == 1 and cal.dates[int(np.flatnonzero(single)[0])] == dt.date(2027, 1, 1)


def test_split_into_pieces_example():
    lot, kg = split_into_pieces(np.array([12.0, 0.0, 5.0, 10.0]), 5.0)
    assert lot.tolist() == [0, 0, 0, 2, 3, 3]
    assert np.allclose(kg, [4.0, 4.0, 4.0, 5.0, 5.0, 5.0])


@settings(max_examples=60, deadline=None)
@given(
    kg=st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 500.0)), min_size=0, max_size=30),
    piece=st.floats(0.5, 50.0),
)
def test_split_into_pieces_keeps_the_weight_in_near_equal_pieces(kg, piece):
    total = np.array(kg, dtype=float)
    lot, weight = split_into_pieces(total, piece)
    assert len(lot) == len(weight)
    assert (np.diff(lot) >= 0).all(), "pieces are in lot order"
    counts = np.bincount(lot, minlength=len(total))
    assert np.allclose(np.bincount(lot, weights=weight, minlength=len(total)), total)
    assert (weight <= piece * (1 + 1e-9)).all() and (weight > 0).all()
    for i, (n, t) in enumerate(zip(counts.tolist(), total.tolist(), strict=True)):
        if t == 0.0:
            assert n == 0
        else:
            assert n >= 1 and (n - 1) * piece < t * (1 + 1e-9), "no more pieces than needed"
            assert np.allclose(weight[lot == i], t / n), "pieces of a lot weigh the same"


def test_a_promotion_wave_rises_after_its_lag_and_decays():
    import math

    from sim.demand.calendar import Wave, wave_volume

    dates = [dt.date(2026, 11, 9) + dt.timedelta(days=k) for k in range(20)]
    double_11 = Wave("11-11", lag_days=2, peak_factor=2.0, decay_days=3.0, length_days=10)
    v = dict(zip([d.strftime("%m-%d") for d in dates], wave_volume(dates, [double_11]).tolist(), strict=True))
    assert v["11-12"] == 1.0 and v["11-13"] == 2.0  # day 0 of the wave: the peak
    assert v["11-14"] == pytest.approx(1.0 + math.exp(-1 / 3))
    assert v["11-22"] == pytest.approx(1.0 + math.exp(-9 / 3))  # day 9, the last
    assert v["11-23"] == 1.0
    small = Wave("11-14", lag_days=0, peak_factor=1.5, decay_days=1.0, length_days=1)
    both = dict(
        zip(
            [d.strftime("%m-%d") for d in dates], wave_volume(dates, [double_11, small]).tolist(), strict=True
        )
    )
    assert both["11-14"] == pytest.approx(v["11-14"] + 0.5)  # overlapping waves add their extra


def test_a_wave_from_last_years_sale_reaches_into_january():
    from sim.demand.calendar import Wave, wave_volume

    dates = [dt.date(2027, 1, 1) + dt.timedelta(days=k) for k in range(3)]
    late = Wave("12-30", lag_days=1, peak_factor=3.0, decay_days=1e9, length_days=3)
    assert wave_volume(dates, [late]).tolist() == pytest.approx([3.0, 3.0, 1.0])  # Dec 31 .. Jan 2
