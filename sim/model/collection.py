"""One collection rule for every vehicle: at a stop, take what is ready there when you arrive.

A van plans its tour with the collections ready at its dispatch; a bus has no plan. Both
then take, at each stop, the items waiting there that are ready by the time they arrive
and fit in the room the rest of the trip leaves, earliest deadline first. So a mode is not
favoured by a rule difference: an outbound parcel handed in at 10:00 goes with the van
that passes at 10:30 as it would with the bus. The handling seconds of items taken this way
are not added to the stop (the schedule was fixed when the trip started).
"""

from __future__ import annotations

import numpy as np

from sim.model.queues import ItemQueue
from sim.model.state import CountyState
from sim.units import TIME_EPS_MIN

_EMPTY = np.empty(0, dtype=np.int64)


def room_after(running: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Per stop, the room left for items taken there: capacity less the highest load the
    trip carries from that stop on (``running[k]`` is the load when leaving stop ``k``).

    >>> room_after(np.array([[5.0], [2.0], [4.0]]), np.array([6.0])).ravel().tolist()
    [1.0, 2.0, 2.0]
    """
    suffix_max = np.maximum.accumulate(running[::-1], axis=0)[::-1]
    return capacity - suffix_max


def stop_lookup(n_nodes: int, nodes: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Per world node, the first stop number at which the trip calls there (-1: none).

    >>> stop_lookup(5, np.array([3, 1, 3]), np.array([0, 1, 2])).tolist()
    [-1, 1, -1, 0, -1]
    """
    lookup = np.full(n_nodes, -1, dtype=np.int64)
    lookup[nodes[::-1]] = stops[::-1]  # the first call wins
    return lookup


def collect_on_the_way(
    st: CountyState,
    queue: ItemQueue,
    stop_of_node: np.ndarray,
    reach_t: np.ndarray,
    running: np.ndarray,
    capacity: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Take from ``queue`` the items whose origin is a stop of the trip (``stop_of_node``: per
    world node its stop number, -1 where the trip does not stop), ready when the vehicle
    reaches that stop (``reach_t``), as far as the room allows. Returns the rows, their
    pick-up times and the trip's new peak load."""
    led, cargo = st.ledger, st.cargo
    peak = running.max(axis=0) if len(running) else np.zeros(len(capacity))
    if not len(queue) or not len(reach_t):
        return _EMPTY, np.zeros(0), peak
    rows, ready = queue.peek(float(reach_t.max()))
    k_of = stop_of_node[led.origin[rows]]
    reach = np.where(k_of >= 0, reach_t[np.maximum(k_of, 0)], -np.inf)
    cand = (k_of >= 0) & (ready <= reach + TIME_EPS_MIN)
    rows, k_of, reach = rows[cand], k_of[cand], reach[cand]
    bad = cargo.spoiled(rows, reach)
    if bad.any():  # spoiled before the vehicle comes: recorded where they wait
        led.expire(rows[bad], cargo.deadline[rows[bad]])
        queue.remove(rows[bad])
        rows, k_of = rows[~bad], k_of[~bad]
    order = np.lexsort((cargo.deadline[rows], k_of))
    rows, k_of = rows[order], k_of[order]
    room = room_after(running, capacity)
    picked, picked_t = [], []
    carried = np.zeros(len(capacity))
    for k in np.unique(k_of).tolist():
        here = rows[k_of == k]
        got = here[: cargo.fitting_prefix(here, room[k] - carried)]
        if len(got):
            picked.append(got)
            picked_t.append(np.full(len(got), reach_t[k]))
            carried = carried + cargo.total(got)
            peak = np.maximum(peak, running[k:].max(axis=0) + carried)
    if not picked:
        return _EMPTY, np.zeros(0), peak
    taken = np.concatenate(picked)
    queue.remove(taken)
    return taken, np.concatenate(picked_t), peak
