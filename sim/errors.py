"""Errors that say where a bad input is: file, line, field, what was expected, what was found.

Bottom floor: this module imports nothing from ``sim``, so every package (also
``network``, ``routing`` and ``ledger``, which import nothing else of ``sim``) may use it.
:class:`LocatedError` holds the place and renders the message; each layer subclasses it
with its own wording (``ScenarioError``, ``NetworkError``, ``GtfsError``, ``PathError``).
:func:`did_you_mean` is the one "did you mean" hint for misspelt names; :func:`decode_utf8`
the one way a reader turns the bytes of a text file into text (or a located error).
"""

from __future__ import annotations

import codecs
import difflib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import ClassVar, TypeVar

_E = TypeVar("_E", bound="LocatedError")

#: At most this many problems are spelt out in a combined error.
MAX_SHOWN_PROBLEMS = 20


class LocatedError(ValueError):
    """An input that cannot be used, said for a planner: where it is and what is wrong.

    Attributes mirror the message: ``path`` (the file, or None), ``field`` (a column,
    attribute or dotted field path such as ``carriers.1.vans_per_town``), ``line``
    (1-based, or None), ``expected`` and ``found``. ``problems`` holds every problem
    when an input has several (see :meth:`combine`); the first is the headline.

    Subclasses choose the wording: :attr:`unnamed_source` stands in for a missing
    ``path``, :attr:`details_on_own_lines` puts expected/found on lines of their own
    (else in brackets after the message), :attr:`subject` names the input in
    "N problems in ...".

    >>> str(LocatedError("bad value", path="f.csv", line=3, field="x", expected="a number", found="'a'"))
    "f.csv:3: x: bad value (expected a number; found 'a')"
    """

    unnamed_source: ClassVar[str] = ""
    details_on_own_lines: ClassVar[bool] = False
    subject: ClassVar[str] = "the input"

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        field: str | None = None,
        line: int | None = None,
        expected: str | None = None,
        found: str | None = None,
        problems: Sequence[LocatedError] = (),
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.field = field
        self.line = line
        self.expected = expected
        self.found = found
        self.problems = list(problems) or [self]
        super().__init__(self._render())

    @classmethod
    def combine(cls: type[_E], problems: Sequence[_E], *, by_line: bool = True) -> _E:
        """One error for several problems (in file order when ``by_line``); the first is the headline."""
        problems = list(problems)
        if len(problems) == 1:
            return problems[0]
        if by_line:
            problems.sort(key=lambda p: (p.line is None, p.line or 0))
        first = problems[0]
        combined = cls.__new__(cls)  # subclasses may have other constructor keywords
        LocatedError.__init__(
            combined,
            first.message,
            path=first.path,
            field=first.field,
            line=first.line,
            expected=first.expected,
            found=first.found,
            problems=problems,
        )
        return combined

    def _headline(self) -> str:
        """One problem: ``file:line: field: message`` and what was expected and found."""
        where = self.path or self.unnamed_source
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: " if where else ""
        if self.field:
            text += f"{self.field}: "
        return text + self.message + self._details()

    def _details(self) -> str:
        if self.details_on_own_lines:
            text = ""
            if self.expected is not None:
                text += f"\n    expected: {self.expected}"
            if self.found is not None:
                text += f"\n    found:    {self.found}"
            return text
        parts = [f"{k} {v}" for k, v in (("expected", self.expected), ("found", self.found)) if v is not None]
        return f" ({'; '.join(parts)})" if parts else ""

    def _render(self) -> str:
        if len(self.problems) <= 1:
            return self._headline()
        parts = [p._headline() for p in self.problems[:MAX_SHOWN_PROBLEMS]]
        if len(self.problems) > MAX_SHOWN_PROBLEMS:
            parts.append(f"... and {len(self.problems) - MAX_SHOWN_PROBLEMS} more problems")
        return f"{len(self.problems)} problems in {self.subject}:\n" + "\n".join(parts)


def did_you_mean(
    word: object,
    options: Iterable[object],
    cutoff: float = 0.6,
    *,
    show: Callable[[str], str] | None = None,
) -> str:
    """``" (did you mean 'x'?)"`` for the option closest to ``word``, or ``""`` if none is close.

    ``cutoff`` is :func:`difflib.get_close_matches`'s similarity threshold (0 to 1);
    ``show`` spells the suggestion from the matching option (e.g. as a whole field path).

    >>> did_you_mean("postl", ["postal", "express"])
    " (did you mean 'postal'?)"
    >>> did_you_mean("bus", ["postal"])
    ''
    """
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=cutoff)
    if not close:
        return ""
    guess = show(close[0]) if show is not None else close[0]
    return f" (did you mean {guess!r}?)"


#: What a text file that is not UTF-8 most likely is, tried in this order on the raw bytes:
#: GB18030 (a superset of GBK, what Chinese Windows tools save), then Windows-1252.
_LIKELY_ENCODINGS = (("gb18030", "GBK/GB18030"), ("cp1252", "Latin-1/Windows-1252"))
_UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_utf8(data: bytes, error: Callable[..., LocatedError]) -> str:
    """``data`` as UTF-8 text, a leading byte-order mark dropped; else ``error(...)`` is raised.

    ``error`` makes the located error (e.g. ``functools.partial(NetworkError, path=p)``);
    it is called with the message and ``line``, ``expected`` and ``found`` keywords. The
    message names the line of the first byte that is not UTF-8, the bytes, and a guess
    at the encoding the file is in.

    >>> decode_utf8(codecs.BOM_UTF8 + b"a = 1", LocatedError)
    'a = 1'
    >>> try:
    ...     decode_utf8("a\\nname = 中文".encode("gbk"), LocatedError)
    ... except LocatedError as exc:
    ...     print(exc.line, exc.found)
    2 bytes that are not UTF-8 (e.g. GBK/GB18030?) at byte 8 of the line: b'\\xd6\\xd0'
    """
    if data.startswith(_UTF16_MARKS):
        raise error(
            "the file is not UTF-8 text",
            line=1,
            expected="UTF-8 (save the file as UTF-8)",
            found="UTF-16 (a UTF-16 byte-order mark)",
        )
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = body.rfind(b"\n", 0, exc.start) + 1
        raise error(
            "the file is not UTF-8 text",
            line=body.count(b"\n", 0, exc.start) + 1,
            expected="UTF-8 (save the file as UTF-8)",
            found=f"bytes that are not UTF-8 (e.g. {_likely_encoding(body)}?) at byte "
            f"{exc.start - line_start + 1} of the line: {body[exc.start : exc.start + 2]!r}",
        ) from None


def _likely_encoding(data: bytes) -> str:
    """The first of :data:`_LIKELY_ENCODINGS` that decodes ``data`` (the last one if none)."""
    for codec, name in _LIKELY_ENCODINGS:
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return name
    return _LIKELY_ENCODINGS[-1][1]
