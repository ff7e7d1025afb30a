"""Units and tolerances shared by every package (DESIGN.md "Units and time").

Bottom floor: imports nothing from ``sim``. Time is float minutes since the start of
day 0; day ``d`` starts at ``d * MINUTES_PER_DAY``.
"""

from __future__ import annotations

MINUTES_PER_DAY = 1440.0
MINUTES_PER_HOUR = 60.0

#: Slack when comparing two clock times (minutes) that were computed along different
#: paths: times closer than this are the same time (about 0.06 microseconds).
TIME_EPS_MIN = 1e-9
#: Slack for other float comparisons against a bound (loads, ratios, costs), so that a
#: value that equals the bound up to rounding counts as equal.
FLOAT_EPS = 1e-9
SECONDS_PER_MINUTE = 60.0
