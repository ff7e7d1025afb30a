"""The item ledger: its state machine, growth, first pick-up time, and conservation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sim.records.ledger import (
    DELIVERED,
    EXPIRED,
    FETCHED,
    FIELDS,
    ON_BOARD,
    PARCEL_IN,
    PENDING,
    PRODUCE,
    STATUS_NAMES,
    WAITING,
    Ledger,
)

STATES = (PENDING, WAITING, ON_BOARD, DELIVERED, FETCHED, EXPIRED)

# The allowed transitions, written out independently of the ledger's code (DESIGN.md, ledger.py).
ALLOWED = {
    "create": {PENDING: WAITING},
    "move": {WAITING: WAITING, ON_BOARD: WAITING},
    "board": {WAITING: ON_BOARD},
    "deliver": {ON_BOARD: DELIVERED, WAITING: DELIVERED},
    "fetch": {WAITING: FETCHED},
    "expire": {WAITING: EXPIRED, ON_BOARD: EXPIRED},
}


def _apply(ledger: Ledger, action: str, rows: np.ndarray, t: float = 100.0, node: int = 5) -> None:
    if action in ("create", "move"):
        getattr(ledger, action)(rows, location=node)
    elif action == "board":
        ledger.board(rows, trip=3, t=t)
    else:
        getattr(ledger, action)(rows, t=t)


def _ledger_with_one_item_in(state: int) -> tuple[Ledger, np.ndarray]:
    """A ledger of three items: row 1 in ``state``, the others pending."""
    ledger = Ledger(capacity=2)
    ledger.add(flow=PARCEL_IN, operator=0, origin=0, destination=[7, 8, 9], created_t=0.0, deadline_t=1e4)
    row = np.array([1])
    path = {
        PENDING: [],
        WAITING: ["create"],
        ON_BOARD: ["create", "board"],
        DELIVERED: ["create", "board", "deliver"],
        FETCHED: ["create", "fetch"],
        EXPIRED: ["create", "expire"],
    }[state]
    for action in path:
        _apply(ledger, action, row)
    assert ledger.status[1] == state
    return ledger, row


def _snapshot(ledger: Ledger) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in ledger.columns().items()}


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


@pytest.mark.parametrize("state", STATES, ids=lambda s: STATUS_NAMES[s])
@pytest.mark.parametrize("action", list(ALLOWED))
def test_transition_table(action, state):
    """Every (state, action) pair: allowed ones give the right state, the others raise
    and change nothing."""
    ledger, row = _ledger_with_one_item_in(state)
    before = _snapshot(ledger)
    if state in ALLOWED[action]:
        _apply(ledger, action, row, t=250.0)
        assert ledger.status[1] == ALLOWED[action][state]
        assert ledger.status[0] == ledger.status[2] == PENDING
    else:
        with pytest.raises(
            RuntimeError, match=f"cannot {action} items \\[1\\] in states \\['{STATUS_NAMES[state]}"
        ):
            _apply(ledger, action, row, t=250.0)
        assert _same(_snapshot(ledger), before)


def test_a_batch_with_one_bad_row_changes_nothing():
    ledger = Ledger()
    rows = ledger.add(flow=PARCEL_IN, destination=np.arange(6), created_t=0.0)
    ledger.create(rows[:5], location=0)  # row 5 stays pending
    before = _snapshot(ledger)
    with pytest.raises(RuntimeError, match=r"items \[5\] in states \['pending'\]"):
        ledger.board(rows, trip=1, t=10.0)
    assert _same(_snapshot(ledger), before)


def test_transitions_set_the_fields_they_promise():
    ledger = Ledger()
    rows = ledger.add(flow=PARCEL_IN, operator=2, origin=0, destination=[4, 5, 6, 7], created_t=360.0)
    assert (ledger.status == PENDING).all()
    assert np.isnan(ledger.picked_t).all() and np.isnan(ledger.delivered_t).all()
    assert (ledger.location == -1).all() and (ledger.trip == -1).all()
    ledger.create(rows, location=0)
    assert (ledger.location == 0).all()
    ledger.move(rows[:2], location=np.array([11, 12]))  # e.g. trunked to two stations
    assert ledger.location[:2].tolist() == [11, 12]
    ledger.board(rows[:3], trip=9, t=540.0)
    assert ledger.trip[:3].tolist() == [9, 9, 9] and ledger.trip[3] == -1
    ledger.deliver(rows[:1], t=600.0)
    assert ledger.location[0] == 4 and ledger.delivered_t[0] == 600.0  # at its destination
    ledger.move(rows[1:2], location=13)  # unloaded elsewhere: off the trip
    assert ledger.status[1] == WAITING and ledger.trip[1] == -1 and ledger.location[1] == 13
    ledger.expire(rows[2:3], t=700.0)
    assert ledger.status[2] == EXPIRED and ledger.location[2] == 0  # spoils where it is (on a trip from 0)
    ledger.fetch(rows[3:], t=800.0)
    assert ledger.status[3] == FETCHED and ledger.delivered_t[3] == 800.0


def test_board_keeps_the_first_pick_up_time():
    ledger = Ledger()
    rows = ledger.add(flow=PARCEL_IN, destination=[1, 2, 3], created_t=0.0)
    ledger.create(rows, location=0)
    ledger.board(rows[:2], trip=1, t=np.array([100.0, 110.0]))  # trunk
    ledger.move(rows[:2], location=5)  # unloaded at the station
    ledger.board(rows, trip=2, t=np.array([500.0, 510.0, 520.0]))  # van; row 2 boards first now
    assert ledger.picked_t.tolist() == [100.0, 110.0, 520.0]
    assert ledger.trip.tolist() == [2, 2, 2]


def test_growth_beyond_the_initial_capacity_keeps_data():
    ledger = Ledger(capacity=4)
    expected: dict[str, list] = {"destination": [], "weight_kg": [], "created_t": []}
    for batch in range(7):  # 1 + 2 + ... + 7 = 28 rows, several doublings
        n = batch + 1
        dest = np.arange(n) + 100 * batch
        weight = np.linspace(0.5, 2.0, n) + batch
        rows = ledger.add(flow=PRODUCE, destination=dest, weight_kg=weight, created_t=float(batch))
        assert rows.tolist() == list(range(len(ledger) - n, len(ledger)))
        ledger.create(rows[::2], location=batch)
        expected["destination"] += dest.tolist()
        expected["weight_kg"] += weight.tolist()
        expected["created_t"] += [float(batch)] * n
    assert len(ledger) == 28
    for name, values in expected.items():
        assert getattr(ledger, name).tolist() == values
    assert (ledger.flow == PRODUCE).all()
    # the states set before each growth survived it
    created = np.concatenate([np.arange(b * (b + 1) // 2, (b + 1) * (b + 2) // 2)[::2] for b in range(7)])
    assert (ledger.status[created] == WAITING).all()
    assert ledger.count_by_status()["waiting"] == len(created)
    assert ledger.id.tolist() == list(range(28))


def test_add_broadcasts_scalars_and_rejects_ragged_columns():
    ledger = Ledger(capacity=0)
    rows = ledger.add(flow=PARCEL_IN, destination=[1, 2, 3], weight_kg=1.5)
    assert rows.tolist() == [0, 1, 2]
    assert ledger.weight_kg.tolist() == [1.5, 1.5, 1.5]
    assert np.isnan(ledger.volume_m3).all() and (ledger.operator == -1).all()
    assert ledger.add(flow=PARCEL_IN).tolist() == [3]  # scalars only: one item
    assert len(ledger.add(destination=np.array([], dtype=int))) == 0
    with pytest.raises(ValueError, match="different lengths"):
        ledger.add(destination=[1, 2], weight_kg=[1.0, 2.0, 3.0])
    assert len(ledger) == 4
    assert set(ledger.columns()) == set(FIELDS)
    assert all(len(col) == 4 for col in ledger.columns().values())


def test_conservation_counts():
    ledger = Ledger()
    rows = ledger.add(flow=PARCEL_IN, destination=np.arange(10), created_t=0.0)
    ledger.create(rows[:8], location=0)
    ledger.board(rows[:6], trip=1, t=10.0)
    ledger.deliver(rows[:3], t=20.0)
    ledger.expire(rows[3:4], t=30.0)
    ledger.fetch(rows[6:7], t=40.0)
    counts = ledger.count_by_status()
    assert counts == {"pending": 2, "waiting": 1, "on_board": 2, "delivered": 3, "fetched": 1, "expired": 1}
    assert sum(counts.values()) == len(ledger)
    assert ledger.count_by_status(rows[:4]) == {
        "pending": 0,
        "waiting": 0,
        "on_board": 0,
        "delivered": 3,
        "fetched": 0,
        "expired": 1,
    }
    # every row not finished names where it is: a node, or a vehicle trip
    unfinished = np.isin(ledger.status, (WAITING, ON_BOARD))
    assert (ledger.location[unfinished] >= 0).all()
    assert (ledger.trip[ledger.status == ON_BOARD] >= 0).all()


def test_an_empty_batch_is_a_no_op():
    ledger = Ledger()
    ledger.add(flow=PARCEL_IN, destination=[1], created_t=0.0)
    none = np.array([], dtype=np.int64)
    for action in ALLOWED:
        _apply(ledger, action, none)
    assert ledger.count_by_status()["pending"] == 1


def test_rows_beyond_the_ledger_are_refused():
    ledger = Ledger(capacity=16)
    ledger.add(flow=PARCEL_IN, destination=[1, 2], created_t=0.0)
    ledger._cols["status"][5] = PENDING  # what np.empty often leaves there (zeroed memory)
    with pytest.raises(IndexError):
        ledger.create(np.array([5]), location=0)


# -- property: random sequences of valid (and invalid) transitions ----------------------


class LedgerMachine(RuleBasedStateMachine):
    """Drive a ledger and a plain-Python model of it with the same random operations."""

    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger(capacity=3)
        self.state: list[int] = []
        self.picked: list[float] = []
        self.done: list[float] = []
        self.destination: list[int] = []
        self.clock = 0.0

    def _rows_in(self, states: tuple[int, ...], data) -> np.ndarray:
        candidates = [i for i, s in enumerate(self.state) if s in states]
        chosen = data.draw(st.lists(st.sampled_from(candidates), unique=True) if candidates else st.just([]))
        return np.array(sorted(chosen), dtype=np.int64)

    def _tick(self) -> float:
        self.clock += 1.0
        return self.clock

    @rule(n=st.integers(0, 5))
    def add(self, n):
        dest = list(range(len(self.state), len(self.state) + n))
        rows = self.ledger.add(flow=PARCEL_IN, destination=np.array(dest, dtype=int), created_t=self.clock)
        assert rows.tolist() == list(range(len(self.state), len(self.state) + n))
        self.state += [PENDING] * n
        self.picked += [np.nan] * n
        self.done += [np.nan] * n
        self.destination += dest

    @rule(data=st.data(), node=st.integers(0, 50))
    def create(self, data, node):
        rows = self._rows_in((PENDING,), data)
        self.ledger.create(rows, location=node)
        for r in rows:
            self.state[r] = WAITING

    @rule(data=st.data(), node=st.integers(0, 50))
    def move(self, data, node):
        rows = self._rows_in((WAITING, ON_BOARD), data)
        self.ledger.move(rows, location=node)
        for r in rows:
            self.state[r] = WAITING

    @rule(data=st.data(), trip=st.integers(0, 9))
    def board(self, data, trip):
        rows = self._rows_in((WAITING,), data)
        t = self._tick()
        self.ledger.board(rows, trip=trip, t=t)
        for r in rows:
            self.state[r] = ON_BOARD
            if np.isnan(self.picked[r]):
                self.picked[r] = t

    @rule(data=st.data(), action=st.sampled_from(["deliver", "fetch", "expire"]))
    def finish(self, data, action):
        allowed = tuple(ALLOWED[action])
        rows = self._rows_in(allowed, data)
        t = self._tick()
        getattr(self.ledger, action)(rows, t=t)
        for r in rows:
            self.state[r] = ALLOWED[action][self.state[r]]
            self.done[r] = t

    @precondition(lambda self: len(self.state) > 0)
    @rule(data=st.data(), action=st.sampled_from(list(ALLOWED)))
    def forbidden(self, data, action):
        """A batch holding one row in a state the action does not allow raises and changes nothing."""
        bad = [i for i, s in enumerate(self.state) if s not in ALLOWED[action]]
        if not bad:
            return
        rows = np.array(
            sorted({data.draw(st.sampled_from(bad)), *self._rows_in(tuple(ALLOWED[action]), data)})
        )
        before = _snapshot(self.ledger)
        with pytest.raises(RuntimeError, match=f"cannot {action}"):
            _apply(self.ledger, action, rows, t=self.clock)
        assert _same(_snapshot(self.ledger), before)

    @invariant()
    def matches_the_model(self):
        led = self.ledger
        assert len(led) == len(self.state)
        assert led.status.tolist() == self.state
        np.testing.assert_array_equal(led.picked_t, np.array(self.picked, dtype=float))
        np.testing.assert_array_equal(led.delivered_t, np.array(self.done, dtype=float))
        assert led.destination.tolist() == self.destination

    @invariant()
    def every_row_in_exactly_one_state(self):
        led = self.ledger
        in_state = np.stack([led.status == s for s in STATES])
        assert (in_state.sum(axis=0) == 1).all()
        counts = led.count_by_status()
        assert sum(counts.values()) == len(led)
        assert counts == {STATUS_NAMES[s]: self.state.count(s) for s in STATES}

    @invariant()
    def unfinished_rows_say_where_they_are(self):
        led = self.ledger
        status = led.status
        assert (led.location[np.isin(status, (WAITING, ON_BOARD, DELIVERED))] >= 0).all()
        assert (led.trip[status == ON_BOARD] >= 0).all()
        delivered = status == DELIVERED
        assert (led.location[delivered] == led.destination[delivered]).all()
        # a finished time exactly for the finished rows
        finished = np.isin(status, (DELIVERED, FETCHED, EXPIRED))
        assert (np.isnan(led.delivered_t) == ~finished).all()


LedgerMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
test_ledger_state_machine = LedgerMachine.TestCase
