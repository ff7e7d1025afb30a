"""The simulator's own daily van problems, captured once and cached, for the in-loop routing benchmark.

A few days of the built-in county are run in integrated mode with ``sim.model.vans.solve``
replaced by a wrapper that keeps every `RoutingProblem` it is given (from outside: nothing in
``sim`` knows). The built-in 90-village county gives problems of up to ~20 stops, the same
county with 900 villages up to ~130 and with 1,800 villages up to ~240 (same population: the
towns' own), so every size of :data:`SIZES` has real problems near it. For each size the
:data:`PROBLEMS_PER_SIZE` captured problems with pickups whose stop count is nearest above it
are restricted (``sim.routing.problem.restrict``) to exactly that many stops: the ones the
depot reaches soonest, so a sub-problem stays a compact town's day.

The problems and the cost of a 1-second solve of each are pickled under ``.asv/daily_problems/``
(ignored by git), keyed by a hash of the ``sim`` sources and the scenario file: a change to the
simulator or the solver captures again.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "lishui.toml"
CACHE_DIR = ROOT / ".asv" / "daily_problems"
SIZES = (20, 50, 100, 200)
PROBLEMS_PER_SIZE = 5
REFERENCE_BUDGET_S = 1.0
REFERENCE_SEED = 0
# (villages in the county, simulated days): enough problems near every size, ~25 s in all
CAPTURE_RUNS = ((90, 5), (900, 5), (1800, 4))
CAPTURE_SEED = 1


@dataclass(frozen=True)
class SizedProblems:
    """The problems of one size and the cost of a 1-second solve of each."""

    stops: int
    problems: list  # list[RoutingProblem]
    cost_1s: list[float]
    captured_from: list[str]


def code_version() -> str:
    """A short hash of every ``sim`` source file and the scenario: the cache key."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "sim").rglob("*.py")) + [SCENARIO]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def capture(villages: int, days: int) -> list:
    """Every problem a van dispatch solves in ``days`` of the county with ``villages`` villages."""
    import sim
    import sim.model.vans as vans
    from sim.scenario.load import derive

    scenario = derive(
        sim.load(SCENARIO),
        {"mode": "integrated", "days": days, "warmup_days": 1, "network.n_villages": villages},
    )
    kept: list = []
    original = vans.solve

    def keeping(problem, *args, **kwargs):
        kept.append(problem)
        return original(problem, *args, **kwargs)

    vans.solve = keeping
    try:
        sim.run(scenario, seed=CAPTURE_SEED)
    finally:
        vans.solve = original
    return kept


def soonest_stops(problem, stops: int):
    """``problem`` on the ``stops`` stops the depot reaches soonest (all of them when it has no more)."""
    from sim.routing.problem import restrict

    if problem.n_stops <= stops:
        return problem
    from_depot_min = np.asarray(problem.duration_min)[0, 1:]
    keep = np.sort(np.argsort(from_depot_min, kind="stable")[:stops]) + 1
    return restrict(problem, keep)


def select(captured: list[tuple[str, object]], stops: int) -> tuple[list, list[str]]:
    """The captured problems with pickups nearest above ``stops`` stops, cut to exactly ``stops``."""
    with_pickups = [(origin, p) for origin, p in captured if p.pickup is not None and p.n_stops >= stops]
    nearest = sorted(with_pickups, key=lambda op: op[1].n_stops - stops)[:PROBLEMS_PER_SIZE]
    origins = [f"{origin}, {p.n_stops} stops" for origin, p in nearest]
    return [soonest_stops(p, stops) for _, p in nearest], origins


def build() -> dict[int, SizedProblems]:
    """Capture, select and solve each selected problem for 1 s: what the cache holds."""
    from sim.routing import solve

    captured = []
    for villages, days in CAPTURE_RUNS:
        captured += [(f"{villages} villages", p) for p in capture(villages, days)]
    sized = {}
    for stops in SIZES:
        problems, origins = select(captured, stops)
        costs = [solve(p, seed=REFERENCE_SEED, time_limit_s=REFERENCE_BUDGET_S).cost for p in problems]
        sized[stops] = SizedProblems(stops, problems, costs, origins)
    return sized


def daily_problems() -> dict[int, SizedProblems]:
    """The cached problems of every size for the current code, captured first if missing.

    The pickle holds plain dicts and ``RoutingProblem`` objects only, so it loads whichever
    way this module was imported (a script, asv)."""
    path = CACHE_DIR / f"{code_version()}.pkl"
    if path.is_file():
        with path.open("rb") as f:
            return {stops: SizedProblems(**fields) for stops, fields in pickle.load(f).items()}
    sized = build()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    with partial.open("wb") as f:
        pickle.dump({stops: vars(s) for stops, s in sized.items()}, f)
    partial.replace(path)
    return sized
