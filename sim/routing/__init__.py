"""The numpy routing core: pure functions on travel matrices (no SimPy, no networkx).

Public API: `RoutingProblem`, `RoutingSolution`, `solve`, `schedule`, `route_distance`,
`check_solution`, `fixed_routes_for_day`.
"""

from .check import check_solution, evaluate
from .fixed import FixedDay, fixed_or_replan, fixed_routes_for_day
from .problem import RoutingProblem, RoutingSolution
from .solver import solve
from .timing import route_distance, schedule

__all__ = [
    "FixedDay",
    "RoutingProblem",
    "RoutingSolution",
    "check_solution",
    "evaluate",
    "fixed_or_replan",
    "fixed_routes_for_day",
    "route_distance",
    "schedule",
    "solve",
]
