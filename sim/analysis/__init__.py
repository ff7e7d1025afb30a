"""From sweeps to findings: sensitivity indices, scenario discovery, feature scores.

>>> import sim
>>> result = sim.analyze("scenarios/sweeps/integration.sqlite", method="sobol")   # doctest: +SKIP
>>> result.to_frame(); result.figures()                                          # doctest: +SKIP

Modules, one per concept: :mod:`~sim.analysis.units` (a store's runs as design units,
replication means, pairs across modes, noise), :mod:`~sim.analysis.sobol`,
:mod:`~sim.analysis.morris`, :mod:`~sim.analysis.prim` (with
:mod:`~sim.analysis.condition`), :mod:`~sim.analysis.importance`,
:mod:`~sim.analysis.figures` and :mod:`~sim.analysis.report` (figures, report section,
files), :mod:`~sim.analysis.api` (:func:`analyze`). The estimators are SALib's, EMA
Workbench's and scikit-learn's (the ``analysis`` extra, :mod:`~sim.analysis.extras`),
imported only when a method runs. ``ruralsim sweep-analyze`` is :mod:`sim.cli.analyze`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_LAZY = {"analyze": "sim.analysis.api", "Analysis": "sim.analysis.api", "METHODS": "sim.analysis.api"}

if TYPE_CHECKING:
    from sim.analysis.api import METHODS, Analysis, analyze  # noqa: F401

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim.analysis' has no attribute {name!r}")
