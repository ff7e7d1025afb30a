"""Units of the model's clock (DESIGN.md "Units and time"): float minutes since day 0.

A bottom-floor module: any package may import it, it imports nothing.
"""

MINUTES_PER_HOUR = 60.0
MINUTES_PER_DAY = 1440.0

# Slack when a computed float (a time, a load, a share) is compared with a bound it may
# equal exactly: sums of floats land a few ulps either side.
FLOAT_SLACK = 1e-9
SECONDS_PER_MINUTE = 60.0
