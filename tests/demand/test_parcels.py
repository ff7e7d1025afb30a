"""Inbound parcels: Poisson means by population, carrier share, weekday and promotion days.

Statistical checks use fixed seeds and many days, with bounds several standard errors wide.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.demand import Calendar, draw_inbound_parcels, expected_daily_parcels
from sim.scenario.schema import Carrier, ParcelDemand

POP = np.array([1000.0, 2500.0, 400.0])
CARRIERS = [
    Carrier(name="postal", kind="postal", share=0.6, linehaul_arrival="05:30"),
    Carrier(name="exp", share=0.4, linehaul_arrival="06:15"),
]
FACTORS = [1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.6]


def demand(**changes) -> ParcelDemand:
    base = {"per_1000_residents_per_day": 20.0, "weekday_factors": FACTORS, "promotion_dates": []}
    return ParcelDemand(**{**base, **changes})


def day_of(parcels) -> np.ndarray:
    """Day of each parcel: its line-haul arrives within the day it is created."""
    return (parcels.created_t // 1440).astype(int)


def counts(parcels, days: int) -> np.ndarray:
    """(days, carriers, villages) counts of drawn parcels."""
    out = np.zeros((days, len(CARRIERS), len(POP)), dtype=int)
    np.add.at(out, (day_of(parcels), parcels.carrier, parcels.village), 1)
    return out


def test_expected_daily_parcels():
    want = np.outer([0.6, 0.4], POP * 20.0 / 1000.0 * np.mean(FACTORS))
    assert np.allclose(expected_daily_parcels(demand(), CARRIERS, POP), want)


def test_poisson_means_per_carrier_village_and_weekday():
    days = 7 * 120
    cal = Calendar.build(dt.date(2026, 1, 5), days)
    parcels = draw_inbound_parcels(np.random.default_rng(11), demand(), CARRIERS, POP, cal)
    c = counts(parcels, days)
    mean = c.mean(axis=0)
    want = np.outer([0.6, 0.4], POP * 20.0 / 1000.0 * np.mean(FACTORS))
    se = np.sqrt(want * 1.2 / days)  # Poisson: variance = mean (x the largest factor, generous)
    assert np.all(np.abs(mean - want) < 5 * se), (mean, want)
    # Weekday pattern: the total on each weekday over the mean day, against the factors.
    per_day = c.sum(axis=(1, 2))
    by_weekday = np.array([per_day[cal.weekday == w].mean() for w in range(7)])
    ratio = by_weekday / by_weekday.mean()
    assert np.allclose(ratio, np.array(FACTORS) / np.mean(FACTORS), rtol=0.03)
    # Variance close to the mean (Poisson), for the biggest cell on Wednesdays (factor 1.0).
    wed = c[cal.weekday == 2, 0, 1]
    assert wed.var(ddof=1) == pytest.approx(wed.mean(), rel=0.35)


def test_promotion_days_multiply_the_mean():
    dates = [f"{m:02d}-{d:02d}" for m in range(1, 13) for d in (3, 10, 17, 24)]
    days = 3 * 365
    cal = Calendar.build(dt.date(2025, 1, 1), days, dates)
    flat = demand(weekday_factors=[1.0] * 7, promotion_dates=dates, promotion_factor=1.8)
    parcels = draw_inbound_parcels(np.random.default_rng(5), flat, CARRIERS, POP, cal)
    per_day = np.bincount(day_of(parcels), minlength=days)
    assert cal.promotion.sum() == 3 * 48
    ratio = per_day[cal.promotion].mean() / per_day[~cal.promotion].mean()
    assert ratio == pytest.approx(1.8, rel=0.03)
    assert per_day[~cal.promotion].mean() == pytest.approx(POP.sum() * 20.0 / 1000.0, rel=0.02)


def test_times_weights_and_fetch_delays():
    days = 10
    cal = Calendar.build(dt.date(2026, 1, 5), days)
    settings = demand(weight_median_kg=1.0, weight_sigma=0.8, weight_max_kg=5.0, m3_per_kg=0.004)
    p = draw_inbound_parcels(
        np.random.default_rng(2), settings, CARRIERS, POP, cal, fetch_delay_hours=(24, 48)
    )
    arrival = np.array([330.0, 375.0])[p.carrier]
    assert np.array_equal(p.created_t, day_of(p) * 1440.0 + arrival)
    assert (np.diff(p.created_t) >= 0).all(), "sorted by creation time"
    assert (p.weight_kg >= 0.05).all() and (p.weight_kg <= 5.0).all() and (p.weight_kg == 5.0).any()
    assert np.median(p.weight_kg) == pytest.approx(1.0, rel=0.15)
    assert np.allclose(p.volume_m3, p.weight_kg * 0.004)
    assert (p.fetch_delay_min >= 24 * 60).all() and (p.fetch_delay_min <= 48 * 60).all()
    assert p.fetch_delay_min.std() > 60, "a uniform draw, not one value"
    fixed = draw_inbound_parcels(
        np.random.default_rng(2), demand(weight_sigma=0.0), CARRIERS, POP, cal, fetch_delay_hours=(30, 30)
    )
    assert np.all(fixed.weight_kg == 1.0) and np.all(fixed.fetch_delay_min == 30 * 60)


def test_fixed_counts_replace_the_draw_and_seeds_repeat():
    days = 4
    cal = Calendar.build(dt.date(2026, 1, 5), days)
    p = draw_inbound_parcels(
        np.random.default_rng(0), demand(), CARRIERS, POP, cal, fixed_counts=np.array([3, 0, 1])
    )
    c = counts(p, days)
    assert (c[:, :, 0] == 3).all() and (c[:, :, 1] == 0).all() and (c[:, :, 2] == 1).all()
    a = draw_inbound_parcels(np.random.default_rng(9), demand(), CARRIERS, POP, cal)
    b = draw_inbound_parcels(np.random.default_rng(9), demand(), CARRIERS, POP, cal)
    assert np.array_equal(a.created_t, b.created_t) and np.array_equal(a.weight_kg, b.weight_kg)


def test_extra_parcels_at_points_without_residents():
    days = 400
    cal = Calendar.build(dt.date(2026, 1, 5), days)
    pop = np.array([1000.0, 0.0])  # a village and a "+N" point
    p = draw_inbound_parcels(
        np.random.default_rng(4),
        demand(weekday_factors=[1.0] * 7),
        CARRIERS,
        pop,
        cal,
        extra_per_point=np.array([0.0, 5.0]),
    )
    per_point = np.bincount(p.village, minlength=2) / days
    assert per_point[0] == pytest.approx(20.0, rel=0.03)
    assert per_point[1] == pytest.approx(5.0, rel=0.06)


def test_a_promotion_wave_multiplies_the_mean_of_its_days():
    from sim.demand.calendar import Wave

    days = 400
    wave = Wave("03-10", lag_days=2, peak_factor=2.5, decay_days=1e9, length_days=5)  # flat x2.5 for 5 days
    cal = Calendar.build(dt.date(2025, 1, 1), days, (), [wave])
    flat = demand(weekday_factors=[1.0] * 7)
    parcels = draw_inbound_parcels(np.random.default_rng(6), flat, CARRIERS, POP, cal)
    per_day = np.bincount(day_of(parcels), minlength=days)
    on = cal.volume > 1.0
    assert on.sum() == 5 and [cal.dates[i].strftime("%m-%d") for i in np.flatnonzero(on)][0] == "03-12"
    assert per_day[on].mean() / per_day[~on].mean() == pytest.approx(2.5, rel=0.05)
