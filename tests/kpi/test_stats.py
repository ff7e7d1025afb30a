"""Means and 95 % intervals over replications (sim.kpi.stats) with hand values."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from sim.kpi import Estimate, estimate, paired_difference, share, summarize


def test_share():
    assert share(3, 4) == 0.75
    assert share(0, 5) == 0.0
    assert math.isnan(share(0, 0))
    assert math.isnan(share(2, 0))


def test_estimate_of_three_values():
    e = estimate([1.0, 2.0, 3.0])
    # mean 2, sample sd 1, t(0.975, 2 df) = 4.3027: half-width 4.3027 x 1 / sqrt(3) = 2.4841
    assert e.n == 3
    assert e.mean == 2.0
    assert e.half_width == pytest.approx(stats.t.ppf(0.975, 2) / math.sqrt(3))
    assert e.half_width == pytest.approx(2.4841, abs=1e-4)
    assert (e.low, e.high) == pytest.approx((2.0 - 2.4841, 2.0 + 2.4841), abs=1e-4)


def test_estimate_with_another_confidence():
    e = estimate([2.0, 4.0, 6.0, 8.0], confidence=0.90)
    # mean 5, sd sqrt(20/3), t(0.95, 3 df)
    assert e.mean == 5.0
    assert e.half_width == pytest.approx(stats.t.ppf(0.95, 3) * math.sqrt(20 / 3) / 2)


def test_estimate_skips_nan_and_degenerates_gracefully():
    e = estimate([1.0, math.nan, 3.0])
    assert e.n == 2 and e.mean == 2.0
    # sd sqrt(2), t(0.975, 1 df) = 12.706: half-width 12.706 x sqrt(2) / sqrt(2)
    assert e.half_width == pytest.approx(stats.t.ppf(0.975, 1))
    one = estimate([7.0])
    assert one.n == 1 and one.mean == 7.0 and math.isnan(one.half_width)
    none = estimate([math.nan])
    assert none.n == 0 and math.isnan(none.mean) and math.isnan(none.half_width)
    assert estimate([]).n == 0


def test_equal_values_have_a_zero_half_width():
    assert estimate([4.0, 4.0, 4.0]) == Estimate(4.0, 0.0, 3)


def test_summarize_per_name_skipping_runs_without_it():
    out = summarize([{"a": 1.0, "b": 10.0}, {"a": 3.0}])
    assert list(out) == ["a", "b"]
    assert out["a"].mean == 2.0 and out["a"].n == 2
    assert out["b"].n == 1 and out["b"].mean == 10.0 and math.isnan(out["b"].half_width)


def test_paired_difference_is_b_minus_a_run_by_run():
    a = [{"x": 1.0, "y": 0.0, "only_a": 1.0}, {"x": 2.0, "y": 0.0, "only_a": 1.0}]
    b = [{"x": 2.0, "y": 1.0}, {"x": 5.0, "y": 1.0}]
    out = paired_difference(a, b)
    assert set(out) == {"x", "y"}
    # x: differences 1 and 3, mean 2, sd sqrt(2): half-width t(0.975, 1) x sqrt(2) / sqrt(2)
    assert out["x"].mean == 2.0
    assert out["x"].half_width == pytest.approx(stats.t.ppf(0.975, 1))
    # y: the same difference in every pair, however different the levels: no spread
    assert out["y"] == Estimate(1.0, 0.0, 2)


def test_paired_difference_needs_equal_counts():
    with pytest.raises(ValueError, match="equal counts"):
        paired_difference([{"x": 1.0}], [{"x": 1.0}, {"x": 2.0}])
    assert paired_difference([], []) == {}
