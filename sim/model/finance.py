"""Finance counters at village points: cash boxes, withdrawals, deposits.

A point offers finance when the operation that owns finance offers it there
(the pooled operation in integrated mode; the postal service in separate mode
if ``finance.offered_in_separate``). Each offering point has a cash box. Every
visit of one of that operation's vehicles (van, truck or bus) brings the box
back to ``cash_target_yuan``. A withdrawal is served when the box holds enough;
otherwise, and wherever no counter is offered, the villager travels to the town
branch. The box never goes negative. Transactions are settled once a day in time
order with that day's visits.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from sim.model.operations import Operation
from sim.model.state import CountyState
from sim.units import MINUTES_PER_DAY

SETTLE_BEFORE_MIDNIGHT_MIN = 1e-6


def note_visits(st: CountyState, op: Operation, points: np.ndarray, t: np.ndarray) -> None:
    """A vehicle of ``op`` is at ``points`` at times ``t``: if ``op`` owns finance, each
    visit tops the point's cash box up (when the day is settled)."""
    if op.offers_finance:
        for p, when in zip(points.tolist(), np.asarray(t).tolist(), strict=True):
            st.visits[p].append(when)


class CashBoxes:
    """Cash per point and the settlement of each day's transactions."""

    def __init__(self, st: CountyState, rows: np.ndarray, cash: np.ndarray, offered: np.ndarray) -> None:
        self.st = st
        self.rows = rows  # ledger rows of transactions, sorted by time
        self.cash = cash  # per row: + deposit, - withdrawal
        self.offered = offered  # per point
        self.balance = np.where(offered, st.s.finance.cash_start_yuan, 0.0)
        self.lowest = self.balance.copy()
        day = np.floor(st.ledger.created_t[rows] / MINUTES_PER_DAY).astype(np.int64)
        self.bounds = np.searchsorted(day, np.arange(st.horizon_days + 1))

    def process(self) -> Generator:
        """Settle each day's transactions just before midnight, after the day's last visit."""
        for day in range(self.st.horizon_days):
            yield self.st.env.timeout(
                (day + 1) * MINUTES_PER_DAY - SETTLE_BEFORE_MIDNIGHT_MIN - self.st.env.now
            )
            self.settle(day)

    def settle(self, day: int) -> None:
        """Serve the day's transactions in time order; the box is topped up at each visit."""
        st, led = self.st, self.st.ledger
        rows = self.rows[self.bounds[day] : self.bounds[day + 1]]
        visits = [sorted(v) for v in st.visits]
        for v in st.visits:
            v.clear()
        if not len(rows):
            return
        target = st.s.finance.cash_target_yuan
        point = st.point_of_node[led.origin[rows]]
        times = led.created_t[rows].tolist()
        amounts = self.cash[self.bounds[day] : self.bounds[day + 1]].tolist()
        served = np.zeros(len(rows), dtype=bool)
        next_visit = [0] * len(visits)
        balance = self.balance
        for k, (p, t, amount) in enumerate(zip(point.tolist(), times, amounts, strict=True)):
            if not self.offered[p]:
                continue
            vs = visits[p]
            while next_visit[p] < len(vs) and vs[next_visit[p]] <= t:
                balance[p] = target
                next_visit[p] += 1
            if balance[p] + amount >= 0.0:
                balance[p] += amount
                served[k] = True
                if balance[p] < self.lowest[p]:
                    self.lowest[p] = balance[p]
        for p, vs in enumerate(visits):
            if next_visit[p] < len(vs) and self.offered[p]:
                balance[p] = target
        st.deliver(rows[served], led.created_t[rows[served]])
        if (~served).any():
            st.villagers.go_to_bank(rows[~served])
