"""What a worker does with one run: simulate, and report KPIs or the error.

This is the only code that runs on workers (pool processes or Dask workers), so
it stays small and importable: a top-level function of picklable arguments.
It never raises for a failing run; the error travels back as text, and the
client records the run as failed.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sim.scenario import Scenario, ScenarioError

#: A model of one's own in place of ``sim.run``: ``(scenario, seed) -> {KPI name: value}``.
Model = Callable[[Scenario, int], Mapping[str, float]]


@dataclass(frozen=True)
class Task:
    """One run to do: a point's validated scenario, the run's seed, and the model (None:
    ``sim.run``; else a picklable callable, e.g. a module-level function, for process pools)."""

    point: int
    replication: int
    seed: int
    scenario: Scenario
    model: Model | None = None


@dataclass(frozen=True)
class Outcome:
    """What came back: ``done`` with KPIs, or ``failed`` with the error text."""

    status: str
    kpis: dict[str, float] | None
    error: str | None
    wall_s: float
    worker: str
    version: str


def run_task(task: Task) -> Outcome:
    """Simulate ``task`` with ``sim.run`` (or its model); any exception becomes a failed outcome."""
    from sim.version import __version__

    started = time.perf_counter()
    where = f"{socket.gethostname()}:{os.getpid()}"
    try:
        kpis = {str(name): float(value) for name, value in _simulate(task).items()}
        return Outcome("done", kpis, None, time.perf_counter() - started, where, __version__)
    except Exception as exc:
        return Outcome("failed", None, error_text(exc), time.perf_counter() - started, where, __version__)


def _simulate(task: Task) -> Mapping[str, float]:
    if task.model is not None:
        return task.model(task.scenario, task.seed)
    from sim.api import run

    return run(task.scenario, seed=task.seed).kpis


def error_text(exc: BaseException) -> str:
    """A readable one-paragraph error: the scenario message, or type, message and place."""
    if isinstance(exc, ScenarioError):
        return str(exc)
    text = f"{type(exc).__name__}: {exc}"
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {os.path.basename(last.filename)}:{last.lineno} in {last.name})"
    return text
