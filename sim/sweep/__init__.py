"""Parameter sweeps: many runs over a design, on local processes or a Dask cluster.

>>> import sim
>>> runs = sim.sweep("scenarios/sweeps/fleet.toml", workers=2)   # doctest: +SKIP
>>> runs.groupby("mode")["last_km.on_time_share"].mean()         # doctest: +SKIP

Modules: :mod:`~sim.sweep.spec` (sweep files), :mod:`~sim.scenario.paths`
(scenario field paths), :mod:`~sim.sweep.design` (grids, Latin hypercube,
Sobol, seeds), :mod:`~sim.sweep.store` (SQLite results), :mod:`~sim.sweep.runner`
and :mod:`~sim.sweep.executors` (execution), :mod:`~sim.sweep.summary`
(confidence intervals per point, CSV / Parquet export). The commands
``ruralsim sweep`` and ``sweep-summary`` are in :mod:`sim.cli.sweep`.

``sim.sweep`` is this package, and it is callable: ``sim.sweep(...)`` calls
:func:`sim.sweep.api.sweep` (see there for the arguments). Names are imported on
first use, so that ``ruralsim --help`` does not load numpy, scipy and pandas.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

_LAZY = {
    "Progress": "sim.sweep.runner",
    "SweepError": "sim.sweep.runner",
    "SweepInterrupted": "sim.sweep.runner",
    "SweepSpec": "sim.sweep.spec",
    "load_sweep": "sim.sweep.spec",
    "sweep_from_dict": "sim.sweep.spec",
    "Store": "sim.sweep.store",
    "point_summary": "sim.sweep.summary",
}

if TYPE_CHECKING:
    from sim.sweep.runner import Progress, SweepError, SweepInterrupted  # noqa: F401
    from sim.sweep.spec import SweepSpec, load_sweep, sweep_from_dict  # noqa: F401
    from sim.sweep.store import Store  # noqa: F401
    from sim.sweep.summary import point_summary  # noqa: F401

__all__ = sorted([*_LAZY, "sweep"])


def __getattr__(name: str) -> Any:
    if name == "sweep":  # ``from sim.sweep import sweep``: the callable package itself
        return sys.modules[__name__]
    if name == "__signature__":  # inspect.signature(sim.sweep) shows the function's
        import inspect

        from sim.sweep.api import sweep

        return inspect.signature(sweep)
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim.sweep' has no attribute {name!r}")


class _CallablePackage(types.ModuleType):
    """The package ``sim.sweep`` doubles as the function ``sim.sweep(...)``.

    A package and a function cannot share the name ``sim.sweep`` (importing
    any ``sim.sweep.*`` module sets the attribute to the package), so the
    package forwards calls to :func:`sim.sweep.api.sweep`.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from sim.sweep.api import sweep

        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
