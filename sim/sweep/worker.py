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
from dataclasses import dataclass

from sim.scenario import Scenario, ScenarioError


@dataclass(frozen=True)
class Task:
    """One run to do: a point's validated scenario and the run's seed."""

    point: int
    replication: int
    seed: int
    scenario: Scenario


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
    """Simulate ``task`` with ``sim.run``; any exception becomes a failed outcome."""
    from sim.api import run
    from sim.version import __version__

    started = time.perf_counter()
    where = f"{socket.gethostname()}:{os.getpid()}"
    try:
        result = run(task.scenario, seed=task.seed)
        kpis = {str(name): float(value) for name, value in result.kpis.items()}
        return Outcome("done", kpis, None, time.perf_counter() - started, where, __version__)
    except Exception as exc:
        return Outcome("failed", None, error_text(exc), time.perf_counter() - started, where, __version__)


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
