"""Trips that take longer or shorter than planned: a day's roads, a trip, a stop.

Vehicles plan with the day's travel times -- the expected ones times the day's factor (a
rainy day slows every road, and the dispatcher knows it is raining) -- and drive with
*realised* ones: every travel time of a trip is the planned one times the trip's own factor
(traffic, a detour), and every stop's service time times its own factor. Factors are
log-normal with mean 1, drawn from the run's stream named ``"variability"`` (the day
factors up front, the others in the order trips start), so the same seed gives the same run.
With ``variability.enabled = false`` every factor is 1 (hand-computed cases).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.demand.streams import flow_stream
from sim.routing import RoutingProblem
from sim.scenario.schema import Variability as VariabilitySettings
from sim.units import MINUTES_PER_DAY

STREAM = "variability"


def mean_one_lognormal(rng: np.random.Generator, sigma: float, size: int | None = None) -> np.ndarray | float:
    """Log-normal factors with mean 1 and log-spread ``sigma``."""
    return np.exp(sigma * rng.standard_normal(size) - sigma**2 / 2.0)


@dataclass
class TripTimes:
    """The realised-time factors of a run."""

    settings: VariabilitySettings
    day_factor: np.ndarray  # per simulated day
    rng: np.random.Generator | None

    @classmethod
    def build(cls, settings: VariabilitySettings, seed: int, horizon_days: int) -> TripTimes:
        """Draw the day factors up front; trip and stop factors are drawn as trips start."""
        if not settings.enabled:
            return cls(settings, np.ones(horizon_days), None)
        rng = flow_stream(seed, STREAM)
        return cls(settings, np.asarray(mean_one_lognormal(rng, settings.day_sigma, horizon_days)), rng)

    def day_factor_at(self, t: float) -> float:
        """The travel-time factor of the day of minute ``t`` (1 past the horizon)."""
        day = int(t // MINUTES_PER_DAY)
        return float(self.day_factor[day]) if 0 <= day < len(self.day_factor) else 1.0

    def realised(self, problem: RoutingProblem, day: int) -> RoutingProblem:
        """``problem`` (planned with the day's factor) as the trip will drive it: travel
        minutes x the trip's factor, service minutes x a factor per stop."""
        if self.rng is None:
            return problem
        s = self.settings
        travel = float(mean_one_lognormal(self.rng, s.trip_sigma))
        n = problem.n_stops + 1
        service = np.broadcast_to(np.asarray(problem.service_min, dtype=float), (n,))
        spread = mean_one_lognormal(self.rng, s.service_sigma, n)
        return replace(
            problem, duration_min=np.asarray(problem.duration_min) * travel, service_min=service * spread
        )
