"""Field types shared by scenario sections: numbers, clock times, dates of the year, weekdays.

Decimal fields are :data:`Number`: a finite int or float, never a boolean, a string or
``inf``/``nan``. Clock times are quoted ``"HH:MM"`` strings in a file and minutes after
midnight in the model (serialised back to ``"HH:MM"``); dates of the year are ``"MM-DD"``.
:func:`not_below` is the one check that a field is not below an earlier one of its table.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    ValidationInfo,
)

# Plausible bounds shared by several sections (docs/design.md "Numbers"): generous, but
# what a planner would call physically possible; a value outside is an error naming the bound.
MAX_SEED = 2**62  # SQLite stores seeds as 64-bit integers, and a sweep adds replications
MAX_DAYS = 3660  # ten years
MAX_MINUTES = 1440.0  # a day, for times spent at one place (sorting, service, margins)
MAX_WAIT_HOURS = 720.0  # 30 days, for delays, deadlines and lead times
MAX_PER_1000_RESIDENTS_DAY = 1000.0  # one item per resident per day
MAX_DEMAND_FACTOR = 20.0  # weekday, promotion and wave factors
MAX_ITEM_KG = 1000.0  # a parcel or an outbound item
MAX_M3_PER_KG = 1.0  # lighter than any goods (parcels are about 0.004)
MAX_LOG_SIGMA = 3.0  # log-normal spreads: x20 at one standard deviation
MAX_VEHICLES_PER_TOWN = 200
MAX_ITEMS_PER_DAY = 2_000_000  # items of all flows a county's day may create (Lishui: about 5,000)
MAX_ITEMS_PER_DAY_AT = 100_000  # items expected per day at one place (village, point, farm)
MAX_YUAN_PER_ITEM = 1000.0  # fees and penalties per item (per hour)
MAX_YUAN_PER_KM = 1000.0
MAX_YUAN_PER_HOUR = 10_000.0
MAX_YUAN_PER_DAY = 100_000.0
MAX_CO2_KG_PER_KM = 10.0  # a heavy truck emits about 1
MAX_SPEED_FACTOR = 2.0
MAX_BUS_CARGO_PARCELS = 10_000
MAX_BUS_CARGO_KG = 10_000.0
MAX_BUS_CARGO_M3 = 50.0

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_number(value: object) -> float:
    """A finite decimal number: ints and floats pass, booleans, strings, inf and nan do not.

    >>> parse_number(3)
    3.0
    >>> parse_number(True)
    Traceback (most recent call last):
    ...
    ValueError: a number (true/false is not a number), found True
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        what = " (true/false is not a number)" if isinstance(value, bool) else ""
        raise ValueError(f"a number{what}, found {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond a float's range
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"a finite number, found {value!r}")
    return number


def season_days(start: str, end: str) -> int:
    """Days from ``start`` to ``end`` ("MM-DD", both included; a season may wrap the year).

    >>> season_days("12-01", "01-31")
    62
    """
    a, b = (dt.date(2025, *(int(x) for x in md.replace("02-29", "02-28").split("-"))) for md in (start, end))
    return (b - a).days % 365 + 1


def parse_clock(value: object) -> float:
    """``"06:30"`` -> 390.0 minutes after midnight."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f'a clock time as a quoted "HH:MM" string, found {value!r}')
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
    if not match:
        raise ValueError(f'a clock time "HH:MM", found {value!r}')
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise ValueError(f'a clock time between "00:00" and "23:59", found {value!r}')
    return float(hours * 60 + minutes)


def parse_month_day(value: object) -> str:
    """Check a ``"MM-DD"`` date of the year (29 February allowed)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{2}-\d{2}", value):
        raise ValueError(f'a date of the year "MM-DD", found {value!r}')
    month, day = int(value[:2]), int(value[3:])
    try:
        dt.date(2024, month, day)
    except ValueError:
        raise ValueError(f'a real date of the year "MM-DD", found {value!r}') from None
    return value


def format_clock(minutes: float) -> str:
    """390.0 -> ``"06:30"`` (the inverse of :func:`parse_clock`)."""
    whole = int(round(minutes))
    return f"{whole // 60:02d}:{whole % 60:02d}"


#: A decimal field: finite, never a boolean (bounds are each field's own ``Field(ge=, le=)``).
Number = Annotated[float, BeforeValidator(parse_number)]
ClockTime = Annotated[float, BeforeValidator(parse_clock), PlainSerializer(format_clock)]
MonthDay = Annotated[str, BeforeValidator(parse_month_day)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ALL_WEEK: list[str] = list(WEEKDAYS)


class Section(BaseModel):
    """A scenario table: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def not_below(
    value: float,
    info: ValidationInfo,
    other: str,
    *,
    show: Callable[[float], str] = repr,
    relation: str = "at least",
) -> float:
    """Check a field against an earlier field ``other`` of its table (a field validator's body).

    Raises a ValueError that names ``other`` and both values (the field itself is the
    error's location); passes when ``other`` is absent or was itself invalid.
    """
    low = info.data.get(other)
    if low is None or value >= low:
        return value
    raise ValueError(f"{relation} {other} = {show(low)}, found {show(value)}")
