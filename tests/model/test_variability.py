"""Realised travel and service times (sim.model.variability): seeded, mean one, off by one
setting; the same seed gives the same run with variability on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.model.variability import TripTimes, mean_one_lognormal
from sim.routing import RoutingProblem
from sim.scenario.schema import Variability

ROOT = Path(__file__).resolve().parents[2]


def test_factors_have_mean_one_and_their_spread():
    rng = np.random.default_rng(3)
    x = mean_one_lognormal(rng, 0.25, 200_000)
    assert x.mean() == pytest.approx(1.0, abs=0.005)
    assert np.log(x).std() == pytest.approx(0.25, rel=0.01)


def problem() -> RoutingProblem:
    minutes = np.array([[0.0, 10.0, 20.0], [10.0, 0.0, 15.0], [20.0, 15.0, 0.0]])
    return RoutingProblem(
        duration_min=minutes, distance_km=minutes, delivery=np.zeros((3, 1)), capacity=np.ones(1),
        n_vehicles=1, service_min=np.array([0.0, 5.0, 5.0]),
    )  # fmt: skip


def test_a_trip_drives_every_road_of_its_plan_at_its_own_factor_and_plans_know_the_day():
    times = TripTimes.build(Variability(service_sigma=0.0), seed=4, horizon_days=3)
    p = problem()
    real = times.realised(p, day=1)
    ratio = np.asarray(real.duration_min)[p.duration_min > 0] / p.duration_min[p.duration_min > 0]
    assert np.allclose(ratio, ratio[0]) and ratio[0] != 1.0  # one factor for every road of the trip
    assert np.allclose(real.service_min, p.service_min)  # no service spread asked
    assert np.array_equal(real.distance_km, p.distance_km)  # km do not vary
    assert times.day_factor_at(1440.0 * 1 + 600.0) == times.day_factor[1] != 1.0  # planning sees the day
    assert times.day_factor_at(1440.0 * 5) == 1.0  # past the horizon


def test_switched_off_every_time_is_as_planned():
    times = TripTimes.build(Variability(enabled=False), seed=4, horizon_days=3)
    p = problem()
    assert times.realised(p, day=0) is p
    assert (times.day_factor == 1.0).all()


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    s = sim.derive(sim.load(ROOT / "scenarios" / "lishui.toml"), {"days": 3, "warmup_days": 1})
    assert s.variability.enabled
    a, b, c = sim.run(s, seed=5), sim.run(s, seed=5), sim.run(s, seed=6)
    assert a.kpis == b.kpis or all(a.kpis[k] == b.kpis[k] or np.isnan(a.kpis[k]) for k in a.kpis)
    assert np.array_equal(a.trips["end_t"].to_numpy(), b.trips["end_t"].to_numpy())
    off = sim.run(sim.derive(s, {"variability": {"enabled": False}}), seed=5)
    assert not np.array_equal(a.trips["end_t"].to_numpy()[:5], off.trips["end_t"].to_numpy()[:5])
    assert a.kpis["last_km.lead_time_h_p50"] != c.kpis["last_km.lead_time_h_p50"]
