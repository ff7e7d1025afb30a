"""``sim.sweep(...)``: run a sweep from Python and get a tidy DataFrame back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pandas as pd

from sim.sweep.executors import ExecutorHandle, open_executor
from sim.sweep.runner import Progress, run_sweep
from sim.sweep.spec import SweepSpec, load_sweep, sweep_from_dict
from sim.sweep.store import Store
from sim.sweep.worker import Model


def as_spec(sweep: str | Path | Mapping[str, Any] | SweepSpec) -> SweepSpec:
    """A validated sweep from a file path, a mapping (as from TOML) or a spec."""
    if isinstance(sweep, SweepSpec):
        return sweep
    if isinstance(sweep, Mapping):
        return sweep_from_dict(sweep)
    return load_sweep(sweep)


def default_db(spec: SweepSpec) -> str:
    """Beside the sweep file, named after it (``fleet.toml`` -> ``fleet.sqlite``); else in memory."""
    if spec.source is None:
        return ":memory:"
    return str(Path(spec.source).with_suffix(".sqlite"))


def sweep(
    sweep: str | Path | Mapping[str, Any] | SweepSpec,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    db: str | Path | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    model: Model | None = None,
) -> pd.DataFrame:
    """Run a parameter sweep and return one row per run.

    ``sweep`` is a sweep file, a mapping with the same keys, or a
    :class:`~sim.sweep.spec.SweepSpec`. Runs go to ``workers`` local processes
    (default: one per core; 1 runs in this process), to a Dask cluster with
    ``scheduler="tcp://host:8786"`` (or ``"local"`` for a LocalCluster), or to
    any ``concurrent.futures`` ``executor`` you pass. Results are stored in
    ``db`` (default beside the sweep file; in memory for a mapping), and a
    second call resumes: done runs are not redone.

    The DataFrame has ``sweep, point, replication, seed, status``, one column
    per parameter, one per KPI, then ``error, wall_s, worker, attempts,
    scenario_hash, version``; rows are sorted by point and replication.
    ``model`` runs in place of ``sim.run``: a function ``(scenario, seed) -> {KPI: value}``
    (module-level, so that worker processes can unpickle it), e.g. a test function of
    known sensitivity indices; everything else (design, seeds, store) is the same.
    Raises :class:`~sim.ScenarioError` for a bad sweep, and
    :class:`~sim.sweep.runner.SweepInterrupted` (a KeyboardInterrupt) on Ctrl-C,
    after storing every finished run.
    """
    spec = as_spec(sweep)
    with Store(db if db is not None else default_db(spec)) as store:
        if executor is not None:
            window = 2 * int(getattr(executor, "_max_workers", 0) or 32)
            handle = ExecutorHandle(executor, "given executor", window)
            run_sweep(spec, store, handle, on_progress=on_progress, model=model)
        else:
            with open_executor(workers, scheduler) as handle:
                run_sweep(spec, store, handle, on_progress=on_progress, model=model)
        return store.runs(spec.key)
