"""Scenario sections of the flows beyond inbound parcels: bus cargo, supply, produce,
outbound parcels, finance and the "+N" points (DESIGN.md "Items")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.fields import ALL_WEEK, ClockTime, MonthDay, Section, Weekday


class BusLine(Section):
    """A rural bus line: stops in order from its town station, and its timetable.

    A trip runs the stops in order and, unless the last stop is the first, back the
    same way to the first stop (out and back). Running times come from the road
    network divided by ``speed_factor``; each stop adds ``dwell_min``, and stops where
    cargo changes hands add ``handover_min``.
    """

    name: str = Field(min_length=1)
    stops: list[str] = Field(min_length=2, description="node ids; the first is a town station")
    departures: list[ClockTime] = Field(min_length=1)
    freight_departures: list[ClockTime] | None = Field(
        None, description="departures that carry cargo; default all"
    )
    speed_factor: float = Field(0.75, gt=0, le=2)
    dwell_min: float = Field(1.0, ge=0)
    handover_min: float = Field(2.0, ge=0)
    cargo_parcels: int = Field(strict=True, default=40, ge=0)
    cargo_kg: float = Field(200.0, ge=0)
    cargo_m3: float = Field(1.0, ge=0)


class BusGtfs(Section):
    """Bus lines read from a GTFS feed, stops mapped onto graph nodes."""

    path: str
    stop_mapping: dict[str, str] | None = Field(None, description="GTFS stop_id -> node id")
    tolerance_km: float = Field(0.5, gt=0)
    service_date: str | None = Field(None, description='"YYYYMMDD"; default the busiest day')
    route_ids: list[str] | None = None
    freight_between: list[ClockTime] = Field(
        default_factory=lambda: [540.0, 960.0],
        min_length=2,
        max_length=2,
        description="trips departing in this window carry cargo",
    )
    cargo_parcels: int = Field(strict=True, default=40, ge=0)
    cargo_kg: float = Field(200.0, ge=0)
    cargo_m3: float = Field(1.0, ge=0)


class Bus(Section):
    """Bus lines with cargo space, and what the bus operator charges for freight."""

    lines: list[BusLine] = Field(default_factory=list)
    generate_per_town: int = Field(
        strict=True, default=2, ge=0, le=10, description="lines generated in each town"
    )
    generated_coverage: float = Field(0.8, ge=0, le=1, description="share of a town's villages on them")
    generated_departures: list[ClockTime] = Field(
        default_factory=lambda: [390.0, 510.0, 630.0, 810.0, 990.0], min_length=1
    )
    generated_freight_departures: list[ClockTime] = Field(default_factory=lambda: [510.0, 630.0, 810.0])
    generated_cargo_parcels: int = Field(strict=True, default=40, ge=0)
    generated_cargo_kg: float = Field(200.0, ge=0)
    generated_cargo_m3: float = Field(1.0, ge=0)
    generated_speed_factor: float = Field(
        0.75, gt=0, le=2, description="generated lines' speed relative to the roads' (stops, curves)"
    )
    generated_dwell_min: float = Field(3.0, ge=0, description="minutes a generated line stops at a village")
    gtfs: BusGtfs | None = None
    fee_per_line_day: float = Field(10.0, ge=0, description="yuan per line per day it carries cargo")
    fee_per_item: float = Field(0.0, ge=0)


class FarmInput(Section):
    """A seasonal farm input (fertiliser, seed, film) ordered by producing villages."""

    name: str
    season_start: MonthDay
    season_end: MonthDay
    kg_per_producing_village_per_week: float = Field(ge=0)


class Supply(Section):
    """Supply-and-marketing: village shops' orders and farm inputs from the county depot.

    The depot is the county hub (pooled county warehousing). In separate mode the
    cooperative's own trucks deliver; pooled, its cases ride with everything else.
    """

    kg_per_resident_per_week: float = Field(0.15, ge=0)
    order_sigma: float = Field(
        0.2, ge=0, description="log-normal spread of a shop's weekly order around its mean (dimensionless)"
    )
    case_kg: float = Field(10.0, gt=0, description="orders are split into cases (ledger rows)")
    m3_per_kg: float = Field(0.003, gt=0)
    order_days: list[Weekday] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri", "sat"],
        min_length=1,
        description="each village orders weekly on one of these days",
    )
    order_time: ClockTime = 360.0
    lead_time_hours: float = Field(48.0, gt=0)
    farm_inputs: list[FarmInput] = Field(
        default_factory=lambda: [
            FarmInput(
                name="fertiliser",
                season_start="02-20",
                season_end="04-20",
                kg_per_producing_village_per_week=150.0,
            ),
            FarmInput(
                name="film_and_seed",
                season_start="09-20",
                season_end="11-10",
                kg_per_producing_village_per_week=80.0,
            ),
        ]
    )
    trucks: int = Field(strict=True, default=4, ge=0)
    vehicle: str = "coop_truck"
    delivery_days: list[Weekday] = Field(default_factory=lambda: list(ALL_WEEK), min_length=1)
    dispatch_time: ClockTime = 540.0


class Crop(Section):
    """A crop: where it grows, when, how much reaches the network, how long it keeps.

    The volume is either ``kg_per_farm_per_day`` or, from a public figure for the county,
    ``season_tonnes`` x ``network_share`` (the part handed in at village points rather than
    sold to buyers' own trucks) spread over the season's days and the crop's farms. With
    ``peak_date`` the harvest rises from the season's start to the peak and falls to its
    end (a triangle, so that the season's mean day is the average).
    """

    name: str
    towns: list[str] | None = Field(None, description="default: every farm whose crops name it")
    season_start: MonthDay
    season_end: MonthDay
    kg_per_farm_per_day: float | None = Field(None, ge=0)
    season_tonnes: float | None = Field(None, ge=0, description="the county's harvest in a season")
    network_share: float = Field(1.0, ge=0, le=1, description="of season_tonnes, handed in at village points")
    peak_date: MonthDay | None = Field(None, description="the harvest peaks here; default flat")
    shelf_life_hours: float = Field(gt=0, description="warm shelf life of a lot (its mean, with a spread)")
    shelf_life_spread: float = Field(
        0.0, ge=0, lt=1, description="each lot keeps shelf_life_hours x (1 +- up to this), uniform"
    )
    harvest_time: ClockTime = 420.0
    crate_kg: float = Field(5.0, gt=0)
    m3_per_kg: float = Field(0.005, gt=0)
    harvest_sigma: float = Field(
        0.3, ge=0, description="log-normal day-to-day spread of a farm's harvest (weather; dimensionless)"
    )

    @model_validator(mode="after")
    def _one_volume(self) -> Crop:
        if (self.kg_per_farm_per_day is None) == (self.season_tonnes is None):
            raise ValueError("give kg_per_farm_per_day or season_tonnes (one of them)")
        return self


# DOMAIN.md: strawberries on more than 10,000 mu (x about 1.5 t/mu, estimate), blueberries over
# 3,000 t a year; the share handed in at village points (the rest goes to pick-your-own
# visitors and buyers' own trucks) is an estimate.
STRAWBERRY_TONNES = 15_000.0
BLUEBERRY_TONNES = 3_000.0
NETWORK_SHARE = 0.05


def _default_crops() -> list[Crop]:
    return [
        Crop(
            name="strawberry",
            season_start="12-01",
            season_end="04-30",
            season_tonnes=STRAWBERRY_TONNES,
            network_share=NETWORK_SHARE,
            peak_date="01-15",
            shelf_life_hours=18.0,  # DOMAIN.md: about 0.5-1 day at 20 C
            shelf_life_spread=0.33,
            harvest_time="07:00",
            crate_kg=5.0,
        ),
        Crop(
            name="blueberry",
            season_start="06-15",
            season_end="08-15",
            season_tonnes=BLUEBERRY_TONNES,
            network_share=NETWORK_SHARE,
            peak_date="07-10",
            shelf_life_hours=36.0,
            harvest_time="07:00",
            crate_kg=5.0,
        ),
        Crop(
            name="tea",
            season_start="03-20",
            season_end="05-31",
            kg_per_farm_per_day=15.0,
            shelf_life_hours=30.0,
            harvest_time="08:00",
            crate_kg=5.0,
            m3_per_kg=0.02,
        ),
    ]


class ColdChain(Section):
    """Cold rooms at the town stations for produce waiting for the trunk (an option)."""

    enabled: bool = False
    capacity_kg: float = Field(5000.0, ge=0, description="per town station")
    shelf_life_factor: float = Field(
        10.0, ge=1, description="how many times slower a lot ages while cold (what is left of it stretches)"
    )
    yuan_per_kg_day: float = Field(0.3, ge=0)


class Produce(Section):
    """Farm produce, the first kilometre: lots from farms to the county hub."""

    crops: list[Crop] = Field(default_factory=_default_crops)
    poi_sales_share: float = Field(0.0, ge=0, le=1, description="share of lots sold at +N points")


class Outbound(Section):
    """Parcels sent by villagers and village e-shops, to the county line-haul."""

    per_1000_residents_per_day: float = Field(3.0, ge=0)
    created_from: ClockTime = 420.0
    created_until: ClockTime = 900.0
    cutoff: ClockTime = Field(1080.0, description="line-haul cut-off at the county hub")
    weight_median_kg: float = Field(1.0, gt=0)
    weight_sigma: float = Field(0.8, ge=0)
    weight_max_kg: float = Field(30.0, gt=0, description="heavier draws are capped here")
    m3_per_kg: float = Field(0.004, gt=0)
    self_drop_hours_max: float = Field(
        24.0, ge=0, description="unserved villages: sender takes it to the town outlet within this"
    )


class Finance(Section):
    """Counter transactions at village points and the cash that serves them."""

    per_1000_residents_per_day: float = Field(5.0, ge=0)
    withdrawal_share: float = Field(0.7, ge=0, le=1)
    amount_median_yuan: float = Field(500.0, gt=0)
    amount_sigma: float = Field(0.7, ge=0)
    open_from: ClockTime = 480.0
    open_until: ClockTime = 1020.0
    cash_start_yuan: float = Field(20000.0, ge=0)
    cash_target_yuan: float = Field(20000.0, ge=0, description="a visiting vehicle tops the box up to this")
    offered_in_separate: bool = Field(False, description="separate mode: counters at postal village points")
    branch_trip_speed_factor: float = Field(
        0.8, gt=0, le=2, description="villagers' trips to the town branch, relative to road speeds"
    )


class Poi(Section):
    """The "+N" points (lodging, scenic spots): parcel pickup for visitors, produce sales."""

    parcels_per_day: float = Field(5.0, ge=0, description="inbound parcels per +N point per day")
    served_in_separate_by: Literal["postal", "every_carrier"] = Field(
        "postal",
        description="separate mode: who delivers at +N points (others' parcels are fetched in town)",
    )
