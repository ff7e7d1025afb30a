"""Field types shared by scenario sections: clock times, dates of the year, weekdays.

Clock times are quoted ``"HH:MM"`` strings in a file and minutes after midnight in
the model (serialised back to ``"HH:MM"``); dates of the year are ``"MM-DD"``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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


ClockTime = Annotated[float, BeforeValidator(parse_clock), PlainSerializer(format_clock)]
MonthDay = Annotated[str, BeforeValidator(parse_month_day)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ALL_WEEK: list[str] = list(WEEKDAYS)


class Section(BaseModel):
    """A scenario table: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
