"""Which items go first (sim.model.priority): perishables spoiling within a day, then items
due within a day that can still be on time, then the oldest; the same at every stage."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from sim.model.priority import URGENCY_WEIGHT, first_in_line, stop_penalties, urgency

NOW = 10 * 1440.0


def state(created, deadline, perishable):
    cargo = SimpleNamespace(deadline=np.array(deadline, float), perishable=np.array(perishable, bool))
    return SimpleNamespace(cargo=cargo, ledger=SimpleNamespace(created_t=np.array(created, float)))


# rows: 0 an old parcel already late; 1 a parcel due in 5 h; 2 today's strawberries (spoil in 20 h);
# 3 a week-old supply case due next week; 4 yesterday's parcel due in 2 days
ST = state(
    created=[NOW - 5000, NOW - 600, NOW - 60, NOW - 7 * 1440, NOW - 1440],
    deadline=[NOW - 100, NOW + 300, NOW + 1200, NOW + 7 * 1440, NOW + 2 * 1440],
    perishable=[False, False, True, False, False],
)
ROWS = np.arange(5)


def test_urgency_levels():
    assert urgency(ST, ROWS, NOW).tolist() == [0, 1, 2, 0, 0]


def test_the_first_in_line_are_the_urgent_then_the_oldest():
    assert np.flatnonzero(first_in_line(ST, ROWS, 2, NOW)).tolist() == [1, 2]
    assert np.flatnonzero(first_in_line(ST, ROWS, 3, NOW)).tolist() == [1, 2, 3]  # the week-old case next
    assert first_in_line(ST, ROWS, 10, NOW).all()


def test_an_urgent_stop_outweighs_any_realistic_age():
    stops = [np.array([3]), np.array([2]), np.array([0, 4])]  # a week-old case; strawberries; two parcels
    penalty = stop_penalties(ST, stops, [np.empty(0, np.int64)] * 3, NOW)
    assert penalty[1] > penalty[0] > penalty[2]  # urgent first, then the oldest (7 days > 3.5)
    assert penalty[1] - penalty[0] > (URGENCY_WEIGHT * 2 - 7) * 1e5 * 0.99
