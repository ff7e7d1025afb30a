"""Write files whole or not at all: a temporary file beside the target, then a rename.

Bottom floor: imports nothing from ``sim``, so any package may use it. A reader of
the target (another process, a planner opening the report) sees the old file or the
new one, never half of one, and a failed or interrupted write leaves no temporary file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: Permissions of a written file (mkstemp's private 0600 would hide it from other users).
FILE_MODE = 0o644


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    The target's folder is created if needed. On any exception (also
    ``KeyboardInterrupt``) the temporary file is removed and the target is untouched.

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out" / "table.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("whole")
    >>> target.read_text()
    'whole'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(target: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target``, whole or not at all."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
