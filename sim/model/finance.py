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

from sim.model.state import CountyState


class CashBoxes:
    """Cash per point and the settlement of each day's transactions."""

    def __init__(self, st: CountyState, rows: np.ndarray, cash: np.ndarray, offered: np.ndarray) -> None:
        self.st = st
        self.rows = rows  # ledger rows of transactions, sorted by time
        self.cash = cash  # per row: + deposit, - withdrawal
        self.offered = offered  # per point
        self.balance = np.where(offered, st.s.finance.cash_start_yuan, 0.0)
        self.lowest = self.balance.copy()
        day = np.floor(st.ledger.created_t[rows] / 1440.0).astype(np.int64) if len(rows) else np.zeros(0, int)
        self.bounds = np.searchsorted(day, np.arange(st.horizon_days + 1))

    def process(self) -> Generator:
        for day in range(self.st.horizon_days):
            yield self.st.env.timeout((day + 1) * 1440.0 - 1e-6 - self.st.env.now)
            self.settle(day)

    def settle(self, day: int) -> None:
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
        away = rows[~served]
        if len(away):
            w = st.world
            station = w.station[w.point_town[point[~served]]]
            trip_min = 2.0 * w.minutes[led.origin[away], station] / 0.8
            led.fetch(away, led.created_t[away] + trip_min)
