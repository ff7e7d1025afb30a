"""ruralsim: a discrete-event simulator of integrated rural logistics.

>>> import sim
>>> scenario = sim.load("scenarios/lishui.toml")      # doctest: +SKIP
>>> result = sim.run(scenario, seed=1)                 # doctest: +SKIP
>>> result.kpis["last_km.on_time_share"]               # doctest: +SKIP
"""

__version__ = "0.1.0"

from sim.compare import Comparison, compare
from sim.result import Result, replicate, run, summary
from sim.scenario import Scenario, ScenarioError, from_dict, load
from sim.sweep import sweep

__all__ = [
    "Comparison",
    "Result",
    "Scenario",
    "ScenarioError",
    "compare",
    "from_dict",
    "load",
    "replicate",
    "run",
    "summary",
    "sweep",
]
