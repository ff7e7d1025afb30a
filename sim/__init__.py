"""ruralsim: a discrete-event simulator of integrated rural logistics.

>>> import sim
>>> scenario = sim.load("scenarios/lishui.toml")      # doctest: +SKIP
>>> result = sim.run(scenario, seed=1)                 # doctest: +SKIP
>>> result.kpis["last_km.on_time_share"]               # doctest: +SKIP
>>> sim.load("scenarios/lishui.toml", days=14, **{"integrated.vans_per_town": 4})  # doctest: +SKIP

The simulation stack (numpy, SimPy, pandas, scipy) is imported on first use, so
``ruralsim --help`` and ``ruralsim validate`` answer at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim.scenario import Scenario, ScenarioError, derive, from_dict, load
from sim.version import __version__ as __version__

_LAZY = {
    "analyze": "sim.analysis.api",
    "Analysis": "sim.analysis.api",
    "Comparison": "sim.api",
    "compare": "sim.api",
    "Result": "sim.api",
    "World": "sim.api",
    "build_world": "sim.api",
    "kpi_frame": "sim.api",
    "Ladder": "sim.api",
    "ladder": "sim.api",
    "replicate": "sim.api",
    "replication_seeds": "sim.api",
    "run": "sim.api",
    "summary": "sim.api",
    "sweep": "sim.sweep",
}

if TYPE_CHECKING:
    from sim.analysis.api import Analysis, analyze
    from sim.api import (
        Comparison,
        Ladder,
        Result,
        World,
        build_world,
        compare,
        kpi_frame,
        ladder,
        replicate,
        replication_seeds,
        run,
        summary,
    )
    from sim.sweep import sweep


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = [
    "Analysis",
    "Comparison",
    "Ladder",
    "Result",
    "Scenario",
    "World",
    "ScenarioError",
    "analyze",
    "build_world",
    "compare",
    "derive",
    "from_dict",
    "kpi_frame",
    "ladder",
    "load",
    "replicate",
    "replication_seeds",
    "run",
    "summary",
    "sweep",
]
