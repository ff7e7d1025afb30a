"""Slack induction by string removals (SISR) with simulated-annealing acceptance.

Ruin and recreate after Christiaens & Vanden Berghe (2020): each iteration removes a
few strings (runs of consecutive stops) from routes near a random seed stop, then
reinserts the removed and any unserved stops one by one at their cheapest feasible
position, occasionally "blinking" over a position so that the recreate is not purely
greedy. Insertion costs of a stop are computed for every edge of every route in one
array expression (`Plan.insertion_costs`), which keeps the Python work per stop
constant. A candidate replaces the current solution under a simulated-annealing
rule whose temperature decays geometrically over the budget (iterations or time).

Prize-collecting falls out of the recreate: a stop stays out when its cheapest
insertion costs more than its penalty or no feasible position exists.
"""

from __future__ import annotations

import math
import time

import numpy as np

from sim.units import FLOAT_EPS

from .descent import improve
from .plan import Plan

AVG_REMOVED = 10.0  # c-bar: mean number of removed stops per iteration (10 as in the paper)
MAX_STRING = 10.0  # L_max: longest string removed from one route
SPLIT_RATE = 0.5
SPLIT_DEPTH = 0.01
BLINK_RATE = 0.01
T0_FRAC = 1.0  # initial temperature as a fraction of the mean arc cost in a route
T0_FRAC_LARGE = 0.3  # above LARGE_N stops a 1 s budget buys few iterations per stop
LARGE_N = 100
TF_FRAC = 0.01
MAX_SISR_ITERATIONS = 10_000_000  # a search on the clock alone also stops here
GRANULAR = 10  # local search on new best solutions: moves towards the k nearest neighbours
POLISH_ROUNDS = 4  # descent rounds per polish (each applies many moves on disjoint routes)


def ruin(plan: Plan, rng: np.random.Generator) -> list[int]:
    """Remove strings of stops around a random seed stop; returns the removed stops."""
    prep = plan.prep
    lens = plan.lens
    used = lens[lens > 0]
    if used.size == 0:
        return []
    ls_max = min(MAX_STRING, float(used.mean()))
    ks_max = 4.0 * AVG_REMOVED / (1.0 + ls_max) - 1.0
    ks = int(rng.uniform(1.0, ks_max + 1.0))
    served = np.nonzero(plan.row_of[1:] >= 0)[0] + 1
    seed_stop = int(served[rng.integers(served.size)])
    removed: list[int] = []
    done_rows: set[int] = set()
    row_of = plan.row_of
    for c in prep.neighbours[seed_stop].tolist():
        if len(done_rows) >= ks:
            break
        r = int(row_of[c])
        if r < 0 or r in done_rows:
            continue
        m = int(lens[r])
        lmax = min(float(m), ls_max)
        size = int(rng.uniform(1.0, lmax + 1.0))
        p = int(plan.pos_of[c])
        row = plan.R[r]
        if size == m or rng.random() < SPLIT_RATE:
            lo = max(1, p - size + 1)
            hi = min(p, m - size + 1)
            s = int(rng.integers(lo, hi + 1))
            removed.extend(row[s : s + size].tolist())
        else:
            keep = 1
            for _ in range(m - size - 1):  # keep grows while size + keep < m
                if rng.random() <= SPLIT_DEPTH:
                    break
                keep += 1
            total = size + keep
            lo = max(1, p - total + 1)
            hi = min(p, m - total + 1)
            s = int(rng.integers(lo, hi + 1))
            block = row[s : s + total].tolist()
            k0 = int(rng.integers(0, size + 1))
            removed.extend(block[:k0] + block[k0 + keep :])
        done_rows.add(r)
    plan.remove_many(removed)
    return removed


def recreate(plan: Plan, stops: list[int], rng: np.random.Generator) -> None:
    """Greedy insertion with blinks of ``stops`` in one of four random orders."""
    prep = plan.prep
    if not stops:
        return
    arr = np.asarray(stops, dtype=np.int64)
    pick = rng.random() * 11.0
    if pick < 4.0:
        arr = arr[rng.permutation(arr.size)]
    elif pick < 8.0:
        arr = arr[np.argsort(-prep.delivery[arr].sum(axis=1), kind="stable")]
    elif pick < 10.0:
        arr = arr[np.argsort(-prep.arc[0, arr], kind="stable")]
    else:
        arr = arr[np.argsort(prep.arc[0, arr], kind="stable")]
    pen = prep.penalty
    for c in arr.tolist():
        if not prep.alone_ok[c]:
            continue
        cost = plan.insertion_costs(c)
        if BLINK_RATE > 0:
            cost[rng.random(cost.shape) < BLINK_RATE] = np.inf
        k = int(np.argmin(cost))
        best = cost.flat[k]
        if best < pen[c]:
            r, j = divmod(k, cost.shape[1])
            plan.insert(c, r, j)
    plan.compact()


def polish(plan: Plan) -> tuple[Plan, float]:
    """Granular descent (relocate, or-opt, swap, 2-opt*, 2-opt) on a new best solution.

    Ruin and recreate rarely finds the last small inter-route improvements on its own;
    a descent restricted to moves towards each stop's nearest neighbours finds them
    for a few array evaluations. Returns the plan (rebuilt if it changed) and its cost.
    """
    before = plan.cost()
    routes = improve(plan.prep, plan.routes(), neighbours=GRANULAR, max_rounds=POLISH_ROUNDS)
    new = Plan(plan.prep, routes, sorted(plan.unserved))
    after = new.cost()
    return (new, after) if after < before - FLOAT_EPS else (plan, before)


def sisr(
    plan: Plan,
    rng: np.random.Generator,
    *,
    time_limit_s: float | None,
    max_iterations: int | None,
) -> tuple[Plan, int]:
    """Run ruin-and-recreate from ``plan``; returns (best plan, iterations done)."""
    prep = plan.prep
    if prep.n == 0:
        return plan, 0
    t_start = time.perf_counter()
    cur = plan
    cur_cost = cur.cost()
    best, best_cost = cur.copy(), cur_cost
    edges = max(1, int(cur.lens.sum()) + int(np.count_nonzero(cur.lens)))
    scale = max(float(cur.E.sum()) / edges, FLOAT_EPS)
    t0 = (T0_FRAC if prep.n <= LARGE_N else T0_FRAC_LARGE) * scale
    tf = TF_FRAC * scale
    it = 0
    progress = 0.0
    cap = MAX_SISR_ITERATIONS if max_iterations is None else min(max_iterations, MAX_SISR_ITERATIONS)
    while it < cap:
        if time_limit_s is not None:
            elapsed = time.perf_counter() - t_start
            if elapsed >= time_limit_s:
                break
            progress = elapsed / time_limit_s
        if max_iterations is not None:
            progress = max(progress, it / max_iterations)
        temp = t0 * (tf / t0) ** progress
        cand = cur.copy()
        removed = ruin(cand, rng)
        out = [c for c in cand.unserved if c not in removed]
        recreate(cand, removed + sorted(out), rng)
        cand_cost = cand.cost()
        if cand_cost < best_cost - FLOAT_EPS and progress < 0.98:
            cand, cand_cost = polish(cand)
        if cand_cost < cur_cost - temp * math.log(rng.random()):
            cur, cur_cost = cand, cand_cost
            if cur_cost < best_cost - FLOAT_EPS:
                best, best_cost = cur.copy(), cur_cost
        it += 1
    if time_limit_s is None or time.perf_counter() - t_start < 0.98 * time_limit_s:
        best, _ = polish(best)
    return best, it
