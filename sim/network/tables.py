"""Text tables of the network's input files: bytes to located CSV rows, or a located error.

One reading path for the node and edge tables (:mod:`sim.network.files`) and the members
of a GTFS feed (:mod:`sim.network.gtfs_files`). Each failure of the file system, the
encoding or the CSV dialect becomes the caller's located error (``error(message, line=,
expected=, found=)``, e.g. ``functools.partial(NetworkError, path=p)``), never a foreign
exception: a missing file, a folder, a file too large, bytes that are not UTF-8 (a
byte-order mark is fine), a quote that is not closed (blamed on the line it opens), a
cell longer than the CSV module's field limit.

>>> import functools
>>> from sim.errors import LocatedError
>>> where = functools.partial(LocatedError, path="n.csv")
>>> list(csv_rows('id,name\\nhub,"County hub"\\n', where))
[(1, ['id', 'name']), (2, ['hub', 'County hub'])]
>>> try:
...     list(csv_rows('id,name\\nhub,"County hub\\nst,Station\\n', where))
... except LocatedError as exc:
...     print(exc.line, exc.message)
2 a quote is not closed
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from sim.errors import LocatedError

#: A network file (node or edge table, GraphML) or GTFS member larger than this is refused
#: unread: a county's tables are a few MB, a whole province's bus feed some 100 MB.
MAX_TABLE_FILE_BYTES = 512 * 2**20

MakeError = Callable[..., LocatedError]


def read_bytes(path: str | Path, error: MakeError, what: str = "file") -> bytes:
    """The bytes of an existing regular file of at most :data:`MAX_TABLE_FILE_BYTES`."""
    path = Path(path)
    if not path.exists():
        raise error(f"no such {what}", expected="an existing file", found="nothing at that path")
    if not path.is_file():
        raise error(
            f"cannot read the {what}",
            expected="a file",
            found="a folder" if path.is_dir() else "not a regular file",
        )
    try:
        size = path.stat().st_size
        check_size(size, error)
        return path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read the {what}", found=exc.strerror or str(exc)) from None


def check_size(size_bytes: int, error: MakeError) -> None:
    """Refuse, before reading, a file that would be larger than MAX_TABLE_FILE_BYTES."""
    if size_bytes > MAX_TABLE_FILE_BYTES:
        raise error(
            "the file is too large",
            expected=f"at most {MAX_TABLE_FILE_BYTES // 2**20} MiB",
            found=f"{size_bytes / 2**20:,.0f} MiB",
        )


def csv_rows(text: str, error: MakeError) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every row of a CSV text (the header too), ``line`` where the row starts.

    Comma-separated with ``"`` quotes, strictly: a quote that is opened must be closed and
    followed by a comma or the end of the line. A row that is wrong is blamed on the line
    where it starts, so a quote left open is named where it opens, not where the file ends.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _dialect_error(str(exc), start, reader.line_num, error) from None
        yield start, cells


def row_span(start: int, end: int) -> str:
    """A note for a row that runs over several lines (a quoted cell with line breaks)."""
    if end <= start:
        return ""
    return f"; the row runs from line {start} to line {end} (is a quote not closed?)"


def _dialect_error(message: str, start: int, end: int, error: MakeError) -> LocatedError:
    """The located error for a csv.Error raised reading the row that starts on ``start``."""
    if "field larger than field limit" in message:
        return error(
            "a cell is too long",
            line=start,
            expected=f"cells of at most {csv.field_size_limit():,} characters",
            found=f"a longer one{row_span(start, end)}",
        )
    if "unexpected end of data" in message:
        return error(
            "a quote is not closed",
            line=start,
            expected="a closing quote before the end of the cell",
            found=f"a quoted cell that runs from line {start} to the end of the file",
        )
    if "expected after" in message:
        return error(
            "a quote closes in the middle of a cell",
            line=start,
            expected='a comma or the end of the line after a closing quote (write "" for a quote inside)',
            found=f"{message}{row_span(start, end)}",
        )
    return error("not a readable CSV row", line=start, found=f"{message}{row_span(start, end)}")
