"""Scenario sections of the flows beyond inbound parcels: bus cargo, supply, produce,
outbound parcels, finance and the "+N" points (DESIGN.md "Items")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sim.scenario.fields import (
    ALL_WEEK,
    MAX_BUS_CARGO_KG,
    MAX_BUS_CARGO_M3,
    MAX_BUS_CARGO_PARCELS,
    MAX_ITEM_KG,
    MAX_ITEMS_PER_DAY,
    MAX_ITEMS_PER_DAY_AT,
    MAX_LOG_SIGMA,
    MAX_M3_PER_KG,
    MAX_PER_1000_RESIDENTS_DAY,
    MAX_SPEED_FACTOR,
    MAX_WAIT_HOURS,
    MAX_YUAN_PER_DAY,
    MAX_YUAN_PER_ITEM,
    ClockTime,
    MonthDay,
    Number,
    Section,
    Weekday,
    format_clock,
    not_below,
    season_days,
)

MAX_STOP_MIN = 60.0  # a bus's dwell or handover at one stop, minutes
MAX_SNAP_KM = 50.0  # GTFS stop to graph node
MAX_LINES_PER_TOWN = 10
MAX_KG_PER_VILLAGE_WEEK = 100_000.0  # 100 t of farm inputs a week
MAX_KG_PER_RESIDENT_WEEK = 100.0
MIN_PACK_KG = 0.1  # a supply case or produce crate: lighter ones would multiply items
MAX_PACK_KG = 1000.0
MAX_SUPPLY_TRUCKS = 1000
MAX_KG_PER_FARM_DAY = 100_000.0
MAX_SEASON_TONNES = 10_000_000.0  # ten million tonnes: more than any county's harvest of one crop
MAX_SHELF_LIFE_HOURS = 8760.0  # a year
MAX_COLD_ROOM_KG = 1_000_000.0  # 1000 t per station
MAX_COLD_FACTOR = 1000.0
MAX_YUAN_PER_KG_DAY = 100.0
MAX_YUAN_AMOUNT = 10_000_000.0  # a counter transaction or a cash box


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
    speed_factor: Number = Field(0.75, gt=0, le=MAX_SPEED_FACTOR)
    dwell_min: Number = Field(1.0, ge=0, le=MAX_STOP_MIN, description="minutes")
    handover_min: Number = Field(2.0, ge=0, le=MAX_STOP_MIN, description="minutes")
    cargo_parcels: int = Field(strict=True, default=40, ge=0, le=MAX_BUS_CARGO_PARCELS)
    cargo_kg: Number = Field(200.0, ge=0, le=MAX_BUS_CARGO_KG, description="kg")
    cargo_m3: Number = Field(1.0, ge=0, le=MAX_BUS_CARGO_M3, description="m3")


class BusGtfs(Section):
    """Bus lines read from a GTFS feed, stops mapped onto graph nodes."""

    path: str
    stop_mapping: dict[str, str] | None = Field(None, description="GTFS stop_id -> node id")
    tolerance_km: Number = Field(0.5, gt=0, le=MAX_SNAP_KM, description="km")
    service_date: str | None = Field(None, description='"YYYYMMDD"; default the busiest day')
    route_ids: list[str] | None = None
    freight_between: list[ClockTime] = Field(
        default_factory=lambda: [540.0, 960.0],
        min_length=2,
        max_length=2,
        description="trips departing in this window carry cargo",
    )
    cargo_parcels: int = Field(strict=True, default=40, ge=0, le=MAX_BUS_CARGO_PARCELS)
    cargo_kg: Number = Field(200.0, ge=0, le=MAX_BUS_CARGO_KG, description="kg")
    cargo_m3: Number = Field(1.0, ge=0, le=MAX_BUS_CARGO_M3, description="m3")

    @field_validator("freight_between")
    @classmethod
    def _window_forward(cls, value: list[float]) -> list[float]:
        if value[1] < value[0]:
            start, end = (format_clock(v) for v in value)
            raise ValueError(f"an end not before the start {start}, found [{start}, {end}]")
        return value


class Bus(Section):
    """Bus lines with cargo space, and what the bus operator charges for freight."""

    lines: list[BusLine] = Field(default_factory=list)
    generate_per_town: int = Field(
        strict=True, default=2, ge=0, le=MAX_LINES_PER_TOWN, description="lines generated in each town"
    )
    generated_coverage: Number = Field(0.8, ge=0, le=1, description="share of a town's villages on them")
    generated_departures: list[ClockTime] = Field(
        default_factory=lambda: [390.0, 510.0, 630.0, 810.0, 990.0], min_length=1
    )
    generated_freight_departures: list[ClockTime] = Field(default_factory=lambda: [510.0, 630.0, 810.0])
    generated_cargo_parcels: int = Field(strict=True, default=40, ge=0, le=MAX_BUS_CARGO_PARCELS)
    generated_cargo_kg: Number = Field(200.0, ge=0, le=MAX_BUS_CARGO_KG, description="kg")
    generated_cargo_m3: Number = Field(1.0, ge=0, le=MAX_BUS_CARGO_M3, description="m3")
    generated_speed_factor: Number = Field(
        0.75,
        gt=0,
        le=MAX_SPEED_FACTOR,
        description="generated lines' speed relative to the roads' (stops, curves)",
    )
    generated_dwell_min: Number = Field(
        3.0, ge=0, le=MAX_STOP_MIN, description="minutes a generated line stops at a village"
    )
    gtfs: BusGtfs | None = None
    fee_per_line_day: Number = Field(
        10.0, ge=0, le=MAX_YUAN_PER_DAY, description="yuan per line per day it carries cargo"
    )
    fee_per_item: Number = Field(0.0, ge=0, le=MAX_YUAN_PER_ITEM, description="yuan per item")


class FarmInput(Section):
    """A seasonal farm input (fertiliser, seed, film) ordered by producing villages."""

    name: str
    season_start: MonthDay
    season_end: MonthDay
    kg_per_producing_village_per_week: Number = Field(ge=0, le=MAX_KG_PER_VILLAGE_WEEK)


class Supply(Section):
    """Supply-and-marketing: village shops' orders and farm inputs from the county depot.

    The depot is the county hub (pooled county warehousing). In separate mode the
    cooperative's own trucks deliver; pooled, its cases ride with everything else.
    """

    kg_per_resident_per_week: Number = Field(0.15, ge=0, le=MAX_KG_PER_RESIDENT_WEEK)
    order_sigma: Number = Field(
        0.2,
        ge=0,
        le=MAX_LOG_SIGMA,
        description="log-normal spread of a shop's weekly order around its mean (dimensionless)",
    )
    case_kg: Number = Field(
        10.0, ge=MIN_PACK_KG, le=MAX_PACK_KG, description="kg: orders are split into cases (ledger rows)"
    )
    m3_per_kg: Number = Field(0.003, gt=0, le=MAX_M3_PER_KG)
    order_days: list[Weekday] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri", "sat"],
        min_length=1,
        description="each village orders weekly on one of these days",
    )
    order_time: ClockTime = 360.0
    lead_time_hours: Number = Field(48.0, gt=0, le=MAX_WAIT_HOURS, description="hours")
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
    trucks: int = Field(strict=True, default=4, ge=0, le=MAX_SUPPLY_TRUCKS)
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
    kg_per_farm_per_day: Number | None = Field(None, ge=0, le=MAX_KG_PER_FARM_DAY)
    season_tonnes: Number | None = Field(
        None, ge=0, le=MAX_SEASON_TONNES, description="tonnes: the county's harvest in a season"
    )
    network_share: Number = Field(
        1.0, ge=0, le=1, description="of season_tonnes, handed in at village points"
    )
    peak_date: MonthDay | None = Field(None, description="the harvest peaks here; default flat")
    shelf_life_hours: Number = Field(
        gt=0, le=MAX_SHELF_LIFE_HOURS, description="hours: warm shelf life of a lot (its mean, with a spread)"
    )
    shelf_life_spread: Number = Field(
        0.0, ge=0, lt=1, description="each lot keeps shelf_life_hours x (1 +- up to this), uniform"
    )
    harvest_time: ClockTime = 420.0
    crate_kg: Number = Field(5.0, ge=MIN_PACK_KG, le=MAX_PACK_KG, description="kg")
    m3_per_kg: Number = Field(0.005, gt=0, le=MAX_M3_PER_KG)
    harvest_sigma: Number = Field(
        0.3,
        ge=0,
        le=MAX_LOG_SIGMA,
        description="log-normal day-to-day spread of a farm's harvest (weather; dimensionless)",
    )

    @field_validator("peak_date")
    @classmethod
    def _peak_in_season(cls, value: str | None, info: ValidationInfo) -> str | None:
        start, end = info.data.get("season_start"), info.data.get("season_end")
        if value is None or start is None or end is None:
            return value
        inside = start <= value <= end if start <= end else (value >= start or value <= end)
        if not inside:
            raise ValueError(
                f"a date in the season season_start = {start} .. season_end = {end}, found {value}"
            )
        return value

    @field_validator("crate_kg")
    @classmethod
    def _lots_bounded(cls, value: float, info: ValidationInfo) -> float:
        """The crates a day hands in stay below a ceiling (per farm, or the county's peak day)."""
        per_farm, tonnes = info.data.get("kg_per_farm_per_day"), info.data.get("season_tonnes")
        if per_farm is not None and per_farm / value > MAX_ITEMS_PER_DAY_AT:
            raise ValueError(
                f"at most {MAX_ITEMS_PER_DAY_AT:,} crates a farm's day: kg_per_farm_per_day = {per_farm} "
                f"in crates of crate_kg = {value} is {per_farm / value:,.0f}, found {value}"
            )
        start, end = info.data.get("season_start"), info.data.get("season_end")
        if tonnes is None or start is None or end is None:
            return value
        peak = 2.0 if info.data.get("peak_date") else 1.0
        kg = tonnes * 1000.0 * info.data.get("network_share", 1.0) * peak / season_days(start, end)
        if kg / value > MAX_ITEMS_PER_DAY:
            raise ValueError(
                f"at most {MAX_ITEMS_PER_DAY:,} crates on the season's peak day: season_tonnes = {tonnes} "
                f"from {start} to {end} in crates of crate_kg = {value} is {kg / value:,.0f}, found {value}"
            )
        return value

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
    capacity_kg: Number = Field(5000.0, ge=0, le=MAX_COLD_ROOM_KG, description="kg per town station")
    shelf_life_factor: Number = Field(
        10.0,
        ge=1,
        le=MAX_COLD_FACTOR,
        description="how many times slower a lot ages while cold (what is left of it stretches)",
    )
    yuan_per_kg_day: Number = Field(0.3, ge=0, le=MAX_YUAN_PER_KG_DAY)


class Produce(Section):
    """Farm produce, the first kilometre: lots from farms to the county hub."""

    crops: list[Crop] = Field(default_factory=_default_crops)
    poi_sales_share: Number = Field(0.0, ge=0, le=1, description="share of lots sold at +N points")


class Outbound(Section):
    """Parcels sent by villagers and village e-shops, to the county line-haul."""

    per_1000_residents_per_day: Number = Field(3.0, ge=0, le=MAX_PER_1000_RESIDENTS_DAY)
    created_from: ClockTime = 420.0
    created_until: ClockTime = 900.0
    cutoff: ClockTime = Field(1080.0, description="line-haul cut-off at the county hub")
    weight_median_kg: Number = Field(1.0, gt=0, le=MAX_ITEM_KG, description="kg")
    weight_sigma: Number = Field(0.8, ge=0, le=MAX_LOG_SIGMA)
    weight_max_kg: Number = Field(30.0, gt=0, le=MAX_ITEM_KG, description="kg; heavier draws are capped here")
    m3_per_kg: Number = Field(0.004, gt=0, le=MAX_M3_PER_KG)
    self_drop_hours_max: Number = Field(
        24.0,
        ge=0,
        le=MAX_WAIT_HOURS,
        description="unserved villages: sender takes it to the town outlet within this",
    )

    @field_validator("created_until")
    @classmethod
    def _window_forward(cls, value: float, info: ValidationInfo) -> float:
        return not_below(value, info, "created_from", show=format_clock, relation="not before")

    @field_validator("weight_max_kg")
    @classmethod
    def _max_not_below_median(cls, value: float, info: ValidationInfo) -> float:
        return not_below(value, info, "weight_median_kg")


class Finance(Section):
    """Counter transactions at village points and the cash that serves them."""

    per_1000_residents_per_day: Number = Field(5.0, ge=0, le=MAX_PER_1000_RESIDENTS_DAY)
    withdrawal_share: Number = Field(0.7, ge=0, le=1)
    amount_median_yuan: Number = Field(500.0, gt=0, le=MAX_YUAN_AMOUNT)
    amount_sigma: Number = Field(0.7, ge=0, le=MAX_LOG_SIGMA)
    open_from: ClockTime = 480.0
    open_until: ClockTime = 1020.0
    cash_start_yuan: Number = Field(20000.0, ge=0, le=MAX_YUAN_AMOUNT)
    cash_target_yuan: Number = Field(
        20000.0, ge=0, le=MAX_YUAN_AMOUNT, description="a visiting vehicle tops the box up to this"
    )
    offered_in_separate: bool = Field(False, description="separate mode: counters at postal village points")

    @field_validator("open_until")
    @classmethod
    def _hours_forward(cls, value: float, info: ValidationInfo) -> float:
        return not_below(value, info, "open_from", show=format_clock, relation="not before")

    branch_trip_speed_factor: Number = Field(
        0.8,
        gt=0,
        le=MAX_SPEED_FACTOR,
        description="villagers' trips to the town branch, relative to road speeds",
    )


class Poi(Section):
    """The "+N" points (lodging, scenic spots): parcel pickup for visitors, produce sales."""

    parcels_per_day: Number = Field(
        5.0, ge=0, le=MAX_ITEMS_PER_DAY_AT, description="inbound parcels per +N point per day"
    )
    served_in_separate_by: Literal["postal", "every_carrier"] = Field(
        "postal",
        description="separate mode: who delivers at +N points (others' parcels are fetched in town)",
    )
