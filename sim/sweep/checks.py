"""Checking sweep files: problems collected with their field path and line.

Shared by :mod:`sim.sweep.spec` (the file as a whole) and
:mod:`sim.sweep.parameters` (the ``[parameters]`` table).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.scenario import ScenarioError
from sim.scenario.errors import Loc, dotted, line_of


class Checker:
    """Collects problems of a sweep file, each with its field path and line."""

    def __init__(self, path: str | Path | None, text: str | None) -> None:
        self.path, self.text = path, text
        self.problems: list[ScenarioError] = []

    def error(self, loc: Loc, message: str, expected: str | None = None, found: str | None = None):
        return ScenarioError(
            message,
            path=self.path or "<sweep>",
            field=dotted(loc) if loc else None,
            line=line_of(self.text, loc),
            expected=expected,
            found=found,
        )

    def fail(self, loc: Loc, message: str, expected: str | None = None, found: str | None = None) -> None:
        self.problems.append(self.error(loc, message, expected, found))

    def integer(
        self, data: Mapping[str, Any], key: str, default: int | None, low: int, high: int | None
    ) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
            bounds = f">= {low}" + (f" and <= {high}" if high else "")
            self.fail((key,), "invalid value", f"an integer {bounds}", repr(value))
            return default
        return value

    def raise_any(self) -> None:
        if self.problems:
            raise ScenarioError.combine(self.problems, by_line=False)


def flatten(
    table: Mapping[str, Any], loc: Loc, leaf: Callable[[str, Any], bool]
) -> list[tuple[str, Loc, Any]]:
    """``{"a": {"b": 1}}`` -> ``[("a.b", (..., "a", "b"), 1)]``, stopping where ``leaf`` says."""
    out: list[tuple[str, Loc, Any]] = []
    for key, value in table.items():
        here = (*loc, key)
        if leaf(".".join(str(k) for k in here[1:]), value):
            out.append((".".join(str(k) for k in here[1:]), here, value))
        else:
            out.extend(flatten(value, here, leaf))
    return out
