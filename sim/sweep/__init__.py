"""Parameter sweeps: many runs over a design, on local processes or a Dask cluster.

>>> import sim
>>> runs = sim.sweep("scenarios/sweeps/fleet.toml", workers=2)   # doctest: +SKIP
>>> runs.groupby("mode")["last_km.on_time_share"].mean()         # doctest: +SKIP

Modules: :mod:`~sim.sweep.spec` (sweep files), :mod:`~sim.sweep.paths`
(scenario field paths), :mod:`~sim.sweep.design` (grids, Latin hypercube,
Sobol, seeds), :mod:`~sim.sweep.store` (SQLite results), :mod:`~sim.sweep.runner`
and :mod:`~sim.sweep.executors` (execution), :mod:`~sim.sweep.summary`
(confidence intervals per point, CSV / Parquet export), :mod:`~sim.sweep.cli`.

``sim.sweep(...)`` runs a sweep whether ``sim.sweep`` names the function or this
package: the package is callable, and calling it calls :func:`sweep`.
"""

import sys
import types
from typing import Any

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


class _CallablePackage(types.ModuleType):
    """``sim.sweep(...)`` must work even where ``sim.sweep`` is this package.

    Importing any ``sim.sweep.*`` module makes ``sim.sweep`` the package (the
    import system sets the attribute), so the package forwards calls to
    :func:`sweep`.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
