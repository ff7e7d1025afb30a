"""The files of a GTFS feed: a zip archive or a folder of .txt tables, read into columns.

Internal to the GTFS importer (:mod:`sim.network.gtfs_feed` builds the schedule from it).
Every failure of a feed's container is a :class:`GtfsError` naming the feed (and the
member, line and column where known), never a foreign exception: a path that is neither
an archive nor a folder, a damaged archive (``BadZipFile``, a bad CRC-32, corrupt
compressed data, an encrypted or unsupported member), a member that would expand beyond
:data:`~sim.network.tables.MAX_TABLE_FILE_BYTES` (checked from the archive's directory
before reading: a small zip expanding to a huge member is refused unread), a member that
is not UTF-8 (a byte-order mark is fine), a CSV dialect error or oversized cell
(:func:`sim.network.tables.csv_rows`), a missing required file or column.
"""

from __future__ import annotations

import functools
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from sim.errors import LocatedError, decode_utf8
from sim.network.tables import check_size, csv_rows, read_bytes

#: What reading a damaged or unusual zip member raises (a bad CRC-32 is a BadZipFile).
_ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, OSError)


class GtfsError(LocatedError):
    """A GTFS feed (or a request on it) the importer cannot use, said for a planner.

    Names the file (``feed.zip/member.txt``), the line, the column, what was expected and
    what was found, in the style of the network's other errors. ``file`` and ``column``
    are this error's names for :class:`~sim.errors.LocatedError`'s ``path`` and
    ``field``; a blank ``expected`` or ``found`` is not shown.

    >>> str(GtfsError("bad time", file="f.zip/stop_times.txt", line=3,
    ...               column="departure_time", expected="HH:MM:SS", found="'25:61:00'"))
    "f.zip/stop_times.txt:3: departure_time: bad time (expected HH:MM:SS; found '25:61:00')"
    """

    subject = "the GTFS feed"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        super().__init__(
            message, path=file, field=column, line=line, expected=expected or None, found=found or None
        )

    @property
    def file(self) -> str | None:
        """The feed member, e.g. ``feed.zip/stop_times.txt`` (or None)."""
        return self.path

    @property
    def column(self) -> str | None:
        """The column (or request argument) at fault, or None."""
        return self.field


class FeedTable:
    """One GTFS file as columns of raw strings, with the file line of each row."""

    def __init__(self, where: str, header: list[str], rows: list[list[str]], lines: list[int]):
        self.where, self.header, self.lines = where, header, lines
        n = len(header)
        rows = [r if len(r) == n else (r + [""] * n)[:n] for r in rows]
        columns = list(zip(*rows, strict=True)) if rows else [()] * n
        self._cols = dict(zip(header, columns, strict=True))

    def __len__(self) -> int:
        return len(self.lines)

    def has(self, column: str) -> bool:
        return column in self._cols

    def col(self, column: str) -> list[str]:
        """Stripped values of ``column``; all blank if the (optional) column is absent."""
        values = self._cols.get(column)
        return [""] * len(self) if values is None else [v.strip() for v in values]

    def error(self, row: int | None, column: str | None, message: str, **kw) -> GtfsError:
        line = self.lines[row] if row is not None else None
        return GtfsError(message, file=self.where, line=line, column=column, **kw)

    def convert(
        self, column: str, fn: Callable[[str], float], expected: str, dtype: type = float
    ) -> np.ndarray:
        """Parse a column through ``fn`` once per distinct value; a failure names the line."""
        values = self.col(column)
        if not values:
            return np.empty(0, dtype)
        uniq, inv = np.unique(np.asarray(values, dtype=str), return_inverse=True)
        out = np.empty(len(uniq), dtype)
        for k, text in enumerate(uniq):
            try:
                out[k] = fn(str(text))
            except (ValueError, OverflowError):
                row = int(np.flatnonzero(inv == k)[0])
                raise self.error(row, column, "bad value", expected=expected, found=repr(str(text))) from None
        return out[inv.ravel()]

    def lookup(self, column: str, index: dict[str, int], expected: str) -> np.ndarray:
        """Indices of the column's values in ``index``; an unknown value names the line."""
        return self.convert(column, lambda v: index[v] if v in index else _fail(), expected, int)


def _fail() -> int:
    raise ValueError


def _fail() -> int:
    raise ValueError


class Feed:
    """A GTFS zip archive (members may sit in one sub-folder) or a directory of .txt files."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = self.path.name
        if self.path.is_dir():
            self._members = {p.name: str(p) for p in self.path.glob("*.txt")}
        elif self.path.is_file() and zipfile.is_zipfile(self.path):
            self._members = self._zip_members()
        elif self.path.exists():
            raise GtfsError(
                "not a GTFS feed",
                file=str(path),
                expected="a .zip archive or a directory",
                found="another file",
            )
        else:
            raise GtfsError("no such file or directory", file=str(path))

    def _zip_members(self) -> dict[str, str]:
        """Member base name -> archive name (the shallowest one of each name)."""
        try:
            with zipfile.ZipFile(self.path) as zf:
                names = sorted(zf.namelist(), key=lambda n: (n.count("/"), n))
        except _ZIP_READ_ERRORS as exc:
            raise GtfsError(
                "a damaged zip archive", file=self.name, expected="a readable .zip", found=str(exc)
            ) from None
        members: dict[str, str] = {}
        for n in names:
            members.setdefault(n.rsplit("/", 1)[-1], n)
        return members

    def table(self, member: str, required: Sequence[str], optional: bool = False) -> FeedTable:
        """The member's header and rows (blank rows dropped); required columns checked."""
        where = f"{self.name}/{member}"
        if member not in self._members:
            if optional:
                return FeedTable(where, list(required), [], [])
            raise GtfsError(
                "required file is missing",
                file=where,
                expected=member,
                found=", ".join(sorted(self._members)) or "no .txt files",
            )
        error = functools.partial(GtfsError, file=where)
        text = decode_utf8(self._member_bytes(member, error), error)
        lines = csv_rows(text, error)
        _, raw_header = next(lines, (1, []))
        header = [h.strip() for h in raw_header]
        rows, numbers = [], []
        for number, row in lines:
            if row and any(row):
                rows.append(row)
                numbers.append(number)
        missing = [c for c in required if c not in header]
        if missing:
            raise GtfsError(
                f"missing required column {', '.join(map(repr, missing))}",
                file=where,
                line=1,
                expected=", ".join(required),
                found=", ".join(header) or "an empty header",
            )
        return FeedTable(where, header, rows, numbers)

    def _member_bytes(self, member: str, error: Callable[..., LocatedError]) -> bytes:
        """The bytes of one member, its size checked before reading (zip: the declared size)."""
        if self.path.is_dir():
            return read_bytes(self._members[member], error, "GTFS file")
        try:
            with zipfile.ZipFile(self.path) as zf:
                info = zf.getinfo(self._members[member])
                check_size(info.file_size, error)  # zipfile never reads past the declared size
                return zf.read(info)
        except _ZIP_READ_ERRORS as exc:
            raise error(
                "cannot read the member of the zip archive", expected="an intact archive", found=str(exc)
            ) from None

    def has(self, member: str) -> bool:
        return member in self._members
