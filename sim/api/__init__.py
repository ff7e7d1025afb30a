"""The Python API: run a scenario, replicate it, compare modes on the same seeds.

>>> import sim
>>> scenario = sim.load("scenarios/lishui.toml")                    # doctest: +SKIP
>>> result = sim.run(scenario, seed=1)                               # doctest: +SKIP
>>> sim.kpi_frame(sim.replicate(scenario, 3))                       # doctest: +SKIP
>>> cmp = sim.compare(scenario, ["separate", "integrated"], replications=3)  # doctest: +SKIP
>>> cmp.difference("integrated")["cost.yuan_per_item"]               # doctest: +SKIP
>>> cmp.to_frame()                                                   # doctest: +SKIP
>>> steps = sim.ladder(scenario, replications=3).table()             # doctest: +SKIP
"""

from sim.api.comparison import Comparison, compare
from sim.api.ladders import Ladder, Level, Step, ladder, ladder_levels
from sim.api.runs import Result, kpi_frame, replicate, replication_seeds, run, summary
from sim.setup import World, build_world

__all__ = [
    "Comparison",
    "Ladder",
    "Level",
    "Result",
    "Step",
    "World",
    "build_world",
    "compare",
    "kpi_frame",
    "ladder",
    "ladder_levels",
    "replicate",
    "replication_seeds",
    "run",
    "summary",
]
