"""Test-only models plugged into the sweep runner in place of ``sim.run`` (``model=``).

Each reads swept scenario fields, maps them onto the function's inputs, and returns KPIs.
The fields are ones the simulation would use (any float field with a wide valid range
works: the model never simulates); the ranges below are the sweep's.
"""

from __future__ import annotations

import math

import numpy as np

#: The scenario fields standing for the inputs x1, x2, x3, and the sweep's range of each.
ISHIGAMI_FIELDS = {
    "operations.stop_service_min": (2.0, 12.0),
    "self_pickup.parcels_per_trip": (1.0, 3.0),
    "social.speed_kmh": (10.0, 40.0),
}
ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1
#: The analytic indices (Ishigami & Homma 1990; Sobol' & Levitan 1999) for a = 7, b = 0.1.
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)
#: Noise added per run in the noisy variant (standard deviation, KPI units).
NOISE_SD = 1.0


def _inputs(scenario) -> list[float]:
    """The scenario's swept values mapped linearly onto [-pi, pi]."""
    values = [
        scenario.operations.stop_service_min,
        scenario.self_pickup.parcels_per_trip,
        scenario.social.speed_kmh,
    ]
    return [
        -math.pi + 2.0 * math.pi * (v - lo) / (hi - lo)
        for v, (lo, hi) in zip(values, ISHIGAMI_FIELDS.values(), strict=True)
    ]


def ishigami(scenario, seed: int) -> dict[str, float]:
    """The Ishigami function of the scenario's three swept fields (no noise)."""
    x1, x2, x3 = _inputs(scenario)
    value = math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)
    return {"ishigami": value, "ishigami_half": value / 2.0}


def noisy_ishigami(scenario, seed: int) -> dict[str, float]:
    """Ishigami plus normal noise of NOISE_SD drawn from the run's seed."""
    clean = ishigami(scenario, seed)["ishigami"]
    return {"ishigami": clean + NOISE_SD * float(np.random.default_rng(seed).normal())}


def planted_box(scenario, seed: int) -> dict[str, float]:
    """1 inside a planted box of two of the three fields (x1 in [-1, 1], x2 > 1), else 0."""
    x1, x2, _ = _inputs(scenario)
    inside = -1.0 <= x1 <= 1.0 and x2 > 1.0
    return {"in_box": 1.0 if inside else 0.0, "x1": x1, "x2": x2}


#: What integration saves per item in :func:`modal_cost` (yuan), the same at every point.
INTEGRATION_SAVING = 3.0


def modal_cost(scenario, seed: int) -> dict[str, float]:
    """A cost per item that grows with x1, is INTEGRATION_SAVING lower when integrated, and
    carries noise from the seed alone (so common random numbers cancel it in a difference)."""
    x1, _, _ = _inputs(scenario)
    saving = INTEGRATION_SAVING if scenario.mode == "integrated" else 0.0
    noise = NOISE_SD * float(np.random.default_rng(seed).normal())
    return {"cost.yuan_per_item": 10.0 + 2.0 * x1 - saving + noise, "pure_noise": noise}
