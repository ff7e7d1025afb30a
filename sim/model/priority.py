"""Which items go first when not everything fits: one rule at every stage.

When a fleet cannot take all that waits, items are ranked by *urgency*, then by age:

1. perishable lots that spoil within a day,
2. items whose deadline is within a day and not yet past (they can still be on time),
3. everything else, oldest first.

The same ranking picks the items a dispatch plans at all (when the backlog is far larger
than the free vans carry, :func:`first_in_line`) and weighs the stops the routing leaves
out (:func:`stop_penalties`), so today's produce is never dropped by an age-first filter
before the routing could prefer it.
"""

from __future__ import annotations

import numpy as np

from sim.model.state import CountyState
from sim.units import MINUTES_PER_DAY

UNSERVED_PENALTY = 1.0e5  # objective units per stop left out; only capacity or shift forces it
URGENCY_WEIGHT = 1.0e3  # an urgency level outweighs this many days of age
PERISHABLE_LEVEL, DEADLINE_LEVEL = 2, 1
URGENT_WITHIN_MIN = MINUTES_PER_DAY


def urgency(st: CountyState, rows: np.ndarray, now: float) -> np.ndarray:
    """Per row: 2 for perishables spoiling within a day, 1 for items due within a day and
    not yet late, else 0."""
    cargo = st.cargo
    due = cargo.deadline[rows]
    soon = due < now + URGENT_WITHIN_MIN
    perishable = cargo.perishable[rows] & soon
    near = soon & (due >= now)
    return np.where(perishable, PERISHABLE_LEVEL, np.where(near, DEADLINE_LEVEL, 0))


def first_in_line(st: CountyState, rows: np.ndarray, limit: float, now: float) -> np.ndarray:
    """Mask of the ``limit`` rows that go first: most urgent, then oldest (stable)."""
    take = np.ones(len(rows), dtype=bool)
    if len(rows) <= limit:
        return take
    order = np.lexsort((st.ledger.created_t[rows], -urgency(st, rows, now)))
    take[:] = False
    take[order[: max(1, int(limit))]] = True
    return take


def stop_penalties(
    st: CountyState, deliv: list[np.ndarray], pick: list[np.ndarray], now: float
) -> np.ndarray:
    """Per stop, what leaving it out costs the plan: its most urgent item's level, then the
    age in days of its oldest item, so urgent stops go before old ones."""
    both = [np.concatenate([d, p]) if len(p) else d for d, p in zip(deliv, pick, strict=True)]
    sizes = np.array([len(b) for b in both])
    flat = np.concatenate(both)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    oldest = np.minimum.reduceat(st.ledger.created_t[flat], starts)
    level = np.maximum.reduceat(urgency(st, flat, now), starts)
    age_days = (now - oldest) / MINUTES_PER_DAY
    return UNSERVED_PENALTY * (1.0 + URGENCY_WEIGHT * level + age_days)
