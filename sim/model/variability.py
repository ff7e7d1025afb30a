"""Trips that take longer or shorter than planned: a day's roads, a trip, a stop.

Vehicles plan with the expected travel and service times; they drive with *realised* ones:
every travel time of a trip is the expected one times the day's factor (a rainy day slows
every road) and the trip's own factor (traffic, a detour), and every stop's service time
times its own factor. Factors are log-normal with mean 1, drawn from the run's stream
named ``"variability"``, in the order trips start, so the same seed gives the same run.
With ``variability.enabled = false`` every factor is 1 (hand-computed cases).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.demand.streams import flow_stream
from sim.routing import RoutingProblem
from sim.scenario.schema import Variability as VariabilitySettings

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

    def realised(self, problem: RoutingProblem, day: int) -> RoutingProblem:
        """``problem`` as the trip will drive it: travel minutes x the day's and the trip's
        factor, service minutes x a factor per stop (the plan itself is unchanged)."""
        if self.rng is None:
            return problem
        s = self.settings
        travel = self.day_factor[day] * float(mean_one_lognormal(self.rng, s.trip_sigma))
        n = problem.n_stops + 1
        service = np.broadcast_to(np.asarray(problem.service_min, dtype=float), (n,))
        spread = mean_one_lognormal(self.rng, s.service_sigma, n)
        return replace(
            problem, duration_min=np.asarray(problem.duration_min) * travel, service_min=service * spread
        )
