"""Parameter sweeps: many runs over a design, on local processes or a Dask cluster.

>>> import sim
>>> runs = sim.sweep("scenarios/sweeps/fleet.toml", workers=2)   # doctest: +SKIP
>>> runs.groupby("mode")["last_km.on_time_share"].mean()         # doctest: +SKIP

Modules: :mod:`~sim.sweep.spec` (sweep files), :mod:`~sim.sweep.paths`
(scenario field paths), :mod:`~sim.sweep.design` (grids, Latin hypercube,
Sobol, seeds), :mod:`~sim.sweep.store` (SQLite results), :mod:`~sim.sweep.runner`
and :mod:`~sim.sweep.executors` (execution), :mod:`~sim.sweep.summary`
(confidence intervals per point, CSV / Parquet export), :mod:`~sim.sweep.cli`.

Note: ``sim.sweep`` is the function below; import the modules with
``from sim.sweep import store``.
"""

from sim.sweep.api import sweep
from sim.sweep.runner import Progress, SweepError, SweepInterrupted
from sim.sweep.spec import SweepSpec, load_sweep, sweep_from_dict
from sim.sweep.store import Store
from sim.sweep.summary import point_summary

__all__ = [
    "Progress",
    "Store",
    "SweepError",
    "SweepInterrupted",
    "SweepSpec",
    "load_sweep",
    "point_summary",
    "sweep",
    "sweep_from_dict",
]
