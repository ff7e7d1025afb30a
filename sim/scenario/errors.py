"""Readable scenario errors: file, field path, line, expected versus found.

:class:`ScenarioError` is the scenario layer's :class:`~sim.errors.LocatedError`.

``tomllib`` keeps no line numbers, so :func:`line_of` finds the line of a field
path by scanning the TOML text for table headers and keys. It understands tables,
arrays of tables (and their sub-tables), dotted and quoted keys, comments, and
values spanning lines (multi-line arrays and strings); where it cannot place a
path it falls back to the nearest enclosing key or table.
"""

from __future__ import annotations

import functools
import re
import tomllib

from sim.errors import LocatedError

Loc = tuple[str | int, ...]


class ScenarioError(LocatedError):
    """A scenario file (or sweep file) that cannot be used, said for a planner.

    Attributes mirror the message: ``path`` (the file), ``field`` (dotted path
    such as ``carriers.1.vans_per_town``), ``line`` (1-based, or None),
    ``expected`` and ``found``, each on a line of its own. ``problems`` holds every
    problem when a file has several; the first is the headline.
    """

    unnamed_source = "<scenario>"
    details_on_own_lines = True
    subject = "the scenario"


_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")
_TRIPLE = ('"""', "'''")


def _parse_key(raw: str, i: int) -> tuple[list[str], int] | None:
    """Parse a (dotted, possibly quoted) TOML key at ``raw[i:]``: its parts and where it ends."""
    parts: list[str] = []
    n = len(raw)
    while True:
        while i < n and raw[i] in " \t":
            i += 1
        if i >= n:
            return None
        if raw[i] == '"':
            j = i + 1
            while j < n and raw[j] != '"':
                j += 2 if raw[j] == "\\" else 1
            if j >= n:
                return None
            try:
                parts.append(tomllib.loads(f"k = {raw[i : j + 1]}")["k"])
            except tomllib.TOMLDecodeError:
                return None
            i = j + 1
        elif raw[i] == "'":
            j = raw.find("'", i + 1)
            if j < 0:
                return None
            parts.append(raw[i + 1 : j])
            i = j + 1
        else:
            match = _BARE_KEY.match(raw, i)
            if not match:
                return None
            parts.append(match.group())
            i = match.end()
        while i < n and raw[i] in " \t":
            i += 1
        if i < n and raw[i] == ".":
            i += 1
            continue
        return parts, i


class _Value:
    """Scans a value that may span lines (multi-line strings and arrays).

    Records the line where each element of an array value starts (``path + (k,)``).
    """

    def __init__(self, path: Loc) -> None:
        self.path = path
        self.delim: str | None = None  # delimiter of the string being read
        self.depth = 0  # open [ and {
        self.is_array: bool | None = None
        self.element = 0
        self.want_element = True

    @property
    def open(self) -> bool:
        return self.delim is not None or self.depth > 0

    def scan(self, raw: str, i: int, number: int, lines: dict[Loc, int]) -> None:
        n = len(raw)
        while i < n:
            if self.delim is not None:
                if self.delim in ('"', '"""') and raw[i] == "\\":
                    i += 2
                elif raw.startswith(self.delim, i):
                    i += len(self.delim)
                    if len(self.delim) == 3:  # up to two more quotes belong to the string
                        while i < n and raw[i] == self.delim[0]:
                            i += 1
                    self.delim = None
                else:
                    i += 1
                continue
            c = raw[i]
            if c in " \t":
                i += 1
                continue
            if c == "#":
                break
            if self.is_array is None:
                self.is_array = c == "["
            elif self.is_array and self.depth == 1:
                if c == ",":
                    self.element += 1
                    self.want_element = True
                elif c != "]" and self.want_element:
                    lines.setdefault((*self.path, self.element), number)
                    self.want_element = False
            if raw.startswith(_TRIPLE, i):
                self.delim = raw[i : i + 3]
                i += 3
                continue
            if c in "\"'":
                self.delim = c
            elif c in "[{":
                self.depth += 1
            elif c in "]}":
                self.depth = max(0, self.depth - 1)
            i += 1
        if self.delim in ('"', "'"):  # one-line strings end with their line
            self.delim = None


def _register(lines: dict[Loc, int], path: Loc, number: int) -> None:
    """Give ``path`` and every parent it defines implicitly their first line."""
    for k in range(1, len(path) + 1):
        lines.setdefault(path[:k], number)


@functools.lru_cache(maxsize=32)
def _key_lines(text: str) -> dict[Loc, int]:
    lines: dict[Loc, int] = {}
    prefix: Loc = ()
    array_counts: dict[Loc, int] = {}
    value: _Value | None = None
    # Lines as TOML counts them: only "\n" ends a line (not "\u2028" or "\f" as in splitlines).
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        if value is not None and value.open:
            value.scan(raw, 0, number, lines)
            continue
        value = None
        i = len(raw) - len(raw.lstrip())
        if i == len(raw) or raw[i] == "#":
            continue
        if raw[i] == "[":
            array = raw.startswith("[[", i)
            parsed = _parse_key(raw, i + (2 if array else 1))
            if parsed is None:
                continue
            resolved: list[str | int] = []
            names = parsed[0]
            for k, name in enumerate(names):
                resolved.append(name)
                key = tuple(resolved)
                if array and k == len(names) - 1:
                    index = array_counts.get(key, 0)
                    array_counts[key] = index + 1
                    resolved.append(index)
                elif key in array_counts:  # a sub-table of the latest entry of that array
                    resolved.append(array_counts[key] - 1)
            prefix = tuple(resolved)
            _register(lines, prefix, number)
            continue
        parsed = _parse_key(raw, i)
        if parsed is None:
            continue
        names, end = parsed
        if end >= len(raw) or raw[end] != "=":
            continue
        path = (*prefix, *names)
        _register(lines, path, number)
        value = _Value(path)
        value.scan(raw, end + 1, number, lines)
    return lines


def key_lines(text: str) -> dict[Loc, int]:
    """Map every table, key and array element path in a TOML text to its 1-based line.

    Parents that a header or dotted key defines implicitly (``vehicle_types`` for
    ``[vehicle_types.micro_van]``, ``carriers`` for the first ``[[carriers]]``) get the
    line where they first appear. Entries of arrays of tables are numbered from 0, also
    in sub-tables (``[carriers.limits]`` belongs to the latest ``[[carriers]]``); elements
    of other arrays get the line where each starts. Lines inside multi-line strings and
    arrays are never taken for keys or headers.
    """
    return dict(_key_lines(text))


def line_of(text: str | None, loc: Loc) -> int | None:
    """The line of a field path in a TOML text, or of its nearest parent."""
    if not text:
        return None
    table = _key_lines(text)
    path = tuple(loc)
    while path:
        if path in table:
            return table[path]
        path = path[:-1]
    return None


def dotted(loc: Loc) -> str:
    """``("carriers", 1, "share")`` -> ``"carriers.1.share"``."""
    return ".".join(str(part) for part in loc)
