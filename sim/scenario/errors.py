"""Readable scenario errors: file, field path, line, expected versus found.

``tomllib`` keeps no line numbers, so :func:`line_of` finds the line of a field
path by scanning the TOML text for table headers and keys. It understands the
subset of TOML that scenario files use (tables, arrays of tables, dotted keys);
where it cannot place a path it falls back to the nearest enclosing table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

Loc = tuple[str | int, ...]


class ScenarioError(ValueError):
    """A scenario file (or sweep file) that cannot be used, said for a planner.

    Attributes mirror the message: ``path`` (the file), ``field`` (dotted path
    such as ``carriers.1.vans_per_town``), ``line`` (1-based, or None),
    ``expected`` and ``found``. ``problems`` holds every problem when a file has
    several; the first is the headline.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        field: str | None = None,
        line: int | None = None,
        expected: str | None = None,
        found: str | None = None,
        problems: Sequence[ScenarioError] = (),
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.field = field
        self.line = line
        self.expected = expected
        self.found = found
        self.problems = list(problems) or [self]
        super().__init__(self._render())

    def _headline(self) -> str:
        where = self.path or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.expected is not None:
            text += f"\n    expected: {self.expected}"
        if self.found is not None:
            text += f"\n    found:    {self.found}"
        return text

    def _render(self) -> str:
        if len(self.problems) <= 1:
            return self._headline()
        parts = [p._headline() for p in self.problems[:20]]
        if len(self.problems) > 20:
            parts.append(f"... and {len(self.problems) - 20} more problems")
        return f"{len(self.problems)} problems in the scenario:\n" + "\n".join(parts)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*(\]\]?)\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _split_key(dotted: str) -> list[str]:
    return [
        part.strip().strip("\"'")
        for part in re.split(r"\.(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)", dotted)
    ]


def key_lines(text: str) -> dict[Loc, int]:
    """Map every table and key path in a TOML text to its 1-based line."""
    lines: dict[Loc, int] = {}
    prefix: Loc = ()
    array_counts: dict[Loc, int] = {}
    in_multiline = False
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if in_multiline:
            if '"""' in stripped or "'''" in stripped:
                in_multiline = False
            continue
        if not stripped or stripped.startswith("#"):
            continue
        header = _HEADER.match(raw)
        if header and not _KEY.match(raw):
            names = tuple(_split_key(header.group(2)))
            if header.group(1) == "[[":
                index = array_counts.get(names, 0)
                array_counts[names] = index + 1
                prefix = (*names, index)
            else:
                prefix = names
            lines.setdefault(prefix, number)
            continue
        key = _KEY.match(raw)
        if key:
            path = (*prefix, *_split_key(key.group(1)))
            lines.setdefault(path, number)
            rest = raw[key.end() :]
            if rest.count('"""') == 1 or rest.count("'''") == 1:
                in_multiline = True
    return lines


def line_of(text: str | None, loc: Loc) -> int | None:
    """The line of a field path in a TOML text, or of its nearest parent."""
    if not text:
        return None
    table = key_lines(text)
    path = tuple(loc)
    while path:
        if path in table:
            return table[path]
        path = path[:-1]
    return None


def dotted(loc: Loc) -> str:
    """``("carriers", 1, "share")`` -> ``"carriers.1.share"``."""
    return ".".join(str(part) for part in loc)
