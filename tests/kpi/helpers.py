"""A run record built by hand: a six-node county, a tiny ledger and trip log, no simulation.

The county (x, y in km; km between places = |dx| + |dy|, so every distance is exact)::

    S1 (0,10) -- C (0,14)          town T1: station S1, village C (pop 6000)

    hub (0,0)      S0 (10,0) -- A (10,3)
                        \\
                         B (15,0)  town T0: station S0, villages A (pop 1000), B (pop 3000)

    A-S0 3 km, B-S0 5 km, C-S1 4 km: a villager's round trip to town is 6, 10 and 8 km.

The default window: days 0..2 of demand with 1 warm-up day, then 3 drain days, so
days 1 and 2 are measured (``window.days == 2``) and day 0 and days 3..5 are not.

Tests say only what matters to them::

    b = RecordBuilder()
    b.item(PARCEL_IN, dest=A, created_t=at(1, 6), delivered_t=at(1, 16))
    b.trip(1, km=10, hours=2, flows={PARCEL_IN: 3})
    kpis = compute_kpis(b.record())
"""

from __future__ import annotations

import datetime as dt

import numpy as np

import sim
from sim.records import FleetRecord, Ledger, MeasuredWindow, Places, RunRecord, TripLog
from sim.scenario.schema import VehicleType

HUB, S0, S1, A, B, C = range(6)
NODES = ("hub", "S0", "S1", "A", "B", "C")
XY = np.array([[0, 0], [10, 0], [0, 10], [10, 3], [15, 0], [0, 14]], dtype=float)
VILLAGES = np.array([A, B, C])
POPULATION = np.array([1000.0, 3000.0, 6000.0])
DAY_MIN = 1440.0

# A van whose trip cost is easy to add up: 2 yuan/km, 30 yuan/h, 100 yuan/day, 0.25 kg CO2/km.
VAN = VehicleType(
    capacity_parcels=100,
    capacity_kg=500.0,
    capacity_m3=5.0,
    cost_per_km=2.0,
    cost_per_hour=30.0,
    cost_per_day=100.0,
    co2_kg_per_km=0.25,
)


def at(day: int, hour: float) -> float:
    """Model minutes of ``hour`` o'clock on ``day``."""
    return day * DAY_MIN + hour * 60.0


def places() -> Places:
    km = np.abs(XY[:, None, :] - XY[None, :, :]).sum(axis=2)
    return Places(
        nodes=NODES,
        km=km,
        xy=XY,
        road_xy=np.stack([XY[[HUB, S0]], XY[[S0, A]], XY[[S0, B]], XY[[HUB, S1]], XY[[S1, C]]]),
        hub=HUB,
        towns=("T0", "T1"),
        station=np.array([S0, S1]),
        villages=VILLAGES,
        village_town=np.array([0, 0, 1]),
        village_population=POPULATION,
        pois=np.array([], dtype=np.int64),
        poi_town=np.array([], dtype=np.int64),
    )


class RecordBuilder:
    """Collects items and trips, then makes the :class:`RunRecord` KPIs read."""

    def __init__(self, *, warmup_days: int = 1, days: int = 3, drain_days: int = 3, **settings) -> None:
        self.scenario = sim.from_dict({"name": "kpi", "days": days, "warmup_days": warmup_days, **settings})
        self.window = MeasuredWindow(warmup_days, days, days + drain_days)
        self.ledger = Ledger()
        self.trips = TripLog()
        self.dropped: list[int] = []
        self.cash_lowest = np.zeros(len(VILLAGES))
        self.finance_offered = np.zeros(len(VILLAGES), dtype=bool)
        self.bus_lines = 0
        self.fleets: list[FleetRecord] = []

    def fleet(
        self, size: int, day_rate: float, used: dict[int, int] | None = None, operator: str = "integrated"
    ) -> None:
        """An owned fleet of ``size`` vehicles at ``day_rate`` yuan a day; ``used`` gives
        the vehicles out per day (day -> count, default none)."""
        out = np.zeros(self.window.horizon_days, dtype=np.int64)
        for day, n in (used or {}).items():
            out[day] = n
        self.fleets.append(FleetRecord(operator, "T0", "van", size, day_rate, out))

    def item(
        self,
        flow: int,
        *,
        created_t: float,
        dest: int = HUB,
        origin: int = HUB,
        weight_kg: float = 1.0,
        deadline_t: float = np.nan,
        picked_t: float | None = None,
        delivered_t: float | None = None,
        fetched_t: float | None = None,
        expired_t: float | None = None,
        self_dropped: bool = False,
    ) -> int:
        """One item, taken through the ledger's own transitions to the state asked for:
        waiting at ``origin``, on board after ``picked_t``, then delivered, fetched or expired."""
        led = self.ledger
        row = led.add(
            flow=flow,
            operator=0,
            origin=origin,
            destination=dest,
            created_t=created_t,
            weight_kg=weight_kg,
            volume_m3=0.01 * weight_kg,
            deadline_t=deadline_t,
        )
        led.create(row, location=origin)
        if picked_t is not None:
            led.board(row, trip=0, t=picked_t)
        if delivered_t is not None:
            led.deliver(row, t=delivered_t)
        elif fetched_t is not None:
            if picked_t is not None:
                led.move(row, location=origin)
            led.fetch(row, t=fetched_t)
        elif expired_t is not None:
            led.expire(row, t=expired_t)
        if self_dropped:
            self.dropped.append(int(row[0]))
        return int(row[0])

    def trip(
        self,
        day: int,
        *,
        kind: str = "van",
        km: float = 0.0,
        hours: float = 1.0,
        flows: dict[int, int] | None = None,
        peak: float = 0.5,
        day_rate: bool = False,
        fee: float | None = None,
        path: tuple[int, ...] = (S0, A, S0),
        operator: str = "integrated",
        hire: float = 0.0,
        overtime: float = 0.0,
    ) -> int:
        """One trip leaving at 08:00 on ``day``. Vans and trunks cost by :data:`VAN`'s rates
        (km x 2 + hours x 30, + 100 with ``day_rate``); a bus trip costs its ``fee``."""
        codes = [code for code, n in (flows or {}).items() for _ in range(n)]
        start = at(day, 8)
        return self.trips.record(
            day=day,
            operator=operator,
            kind=kind,
            vehicle_name="bus" if kind == "bus" else "van",
            vehicle=None if kind == "bus" else VAN,
            town="T0",
            start_t=start,
            end_t=start + hours * 60.0,
            km=km,
            stops=len(path) - 2,
            flows=np.array(codes, dtype=np.int64),
            kg=np.ones(len(codes)),  # 1 kg and 0.01 m3 an item: every driver shares by items here
            m3=np.full(len(codes), 0.01),
            peak_load_share=peak,
            fixed_cost=day_rate,
            path=np.array(path),
            cost_yuan=fee if kind == "bus" else None,
            hire_yuan=hire,
            overtime_yuan=overtime,
        )

    def record(self) -> RunRecord:
        start = self.scenario.start_date
        return RunRecord(
            scenario=self.scenario,
            seed=1,
            places=places(),
            ledger=self.ledger,
            trips=self.trips,
            operations=("integrated",),
            dates=tuple(start + dt.timedelta(days=d) for d in range(self.window.horizon_days)),
            window=self.window,
            events=0,
            wall_s=0.0,
            self_dropped=np.array(self.dropped, dtype=np.int64),
            cash_lowest=self.cash_lowest,
            finance_offered=self.finance_offered,
            bus_lines=self.bus_lines,
            fleets=tuple(self.fleets),
        )
