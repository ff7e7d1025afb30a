"""The one collection rule (sim.model.collection): at a stop a vehicle takes what is ready
there when it arrives and fits in the room the rest of its trip leaves, earliest deadline
first; spoiled lots are recorded where they wait."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from sim.model.collection import collect_on_the_way, room_after, stop_lookup
from sim.model.loading import Cargo
from sim.model.queues import ItemQueue
from sim.records import Ledger
from sim.records.ledger import EXPIRED, PARCEL_OUT, PRODUCE, WAITING

A, B, HUB = 11, 12, 0
AT_A, AT_B = 555.0, 575.0
STOPS = stop_lookup(20, np.array([A, B]), np.array([0, 1]))  # the trip calls at A, then B
CAPACITY = np.array([10.0, 100.0, 1.0])  # items, kg, m3


def county():
    led = Ledger()
    rows = led.add(
        flow=[PARCEL_OUT, PARCEL_OUT, PARCEL_OUT, PARCEL_OUT, PRODUCE],
        operator=0,
        origin=[A, B, B, B, B],
        destination=HUB,
        created_t=[550.0, 570.0, 580.0, 560.0, 420.0],
        weight_kg=[1.0, 1.0, 1.0, 90.0, 5.0],
        volume_m3=0.01,
        deadline_t=[1080.0, 1000.0, 1080.0, 1080.0, 560.0],  # the lot spoils at 560
    )
    led.create(rows, location=[A, B, B, B, B])
    queue = ItemQueue()
    queue.push(rows, led.created_t[rows])
    return SimpleNamespace(ledger=led, cargo=Cargo(led)), queue, rows


def test_the_room_at_a_stop_is_what_the_rest_of_the_trip_leaves():
    running = np.array([[5.0, 50.0, 0.5], [2.0, 20.0, 0.2], [4.0, 95.0, 0.4]])
    assert room_after(running, CAPACITY).tolist() == [[5.0, 5.0, 0.5], [6.0, 5.0, 0.6], [6.0, 5.0, 0.6]]


def test_a_vehicle_takes_what_is_ready_when_it_arrives_and_fits():
    st, queue, rows = county()
    running = np.array([[3.0, 6.0, 0.03], [1.0, 2.0, 0.01]])  # load leaving A, then B
    taken, times, peak = collect_on_the_way(st, queue, STOPS, np.array([AT_A, AT_B]), running, CAPACITY)
    # A: the parcel ready at 550 (the van is there at 555); B: the one ready at 570 and the
    # 90 kg one (ready 560; room at B: 100 - 2 - 1 kg taken at A = 97), not the one ready at
    # 580, after the van passed; the lot spoiled at 560, before the van came at 575.
    assert taken.tolist() == [rows[0], rows[1], rows[3]]
    assert times.tolist() == [AT_A, AT_B, AT_B]
    assert st.ledger.status[rows[4]] == EXPIRED
    assert np.allclose(peak, [4.0, 94.0, 0.04])  # 2 parcels + 90 kg on top of B's load
    left, _ = queue.peek(1e9)
    assert left.tolist() == [rows[2]] and st.ledger.status[rows[2]] == WAITING


def test_heavy_items_wait_when_the_rest_of_the_trip_leaves_no_room():
    st, queue, rows = county()
    full = np.array([[9.0, 95.0, 0.9], [9.0, 95.0, 0.9]])  # 5 kg of room all the way
    taken, _t, _p = collect_on_the_way(st, queue, STOPS, np.array([AT_A, AT_B]), full, CAPACITY)
    assert rows[3] not in taken  # 90 kg
    assert taken.tolist() == [rows[0]]  # one item of room: A's parcel, the first stop
