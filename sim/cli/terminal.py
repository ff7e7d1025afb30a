"""What the commands show besides their tables: exit codes, messages on stderr, progress bars.

Every command returns one of the exit codes below; :func:`sim.cli.app.main`
maps errors to them too. Messages for people (errors, notes, "interrupted")
go to stderr so that stdout holds only the results; so do progress bars.
"""

from __future__ import annotations

import io
import os
import sys
import textwrap

from sim.errors import LocatedError

EXIT_OK = 0
EXIT_FAILED = 1  # some runs failed, an output file could not be written, or a bug
EXIT_BAD_INPUT = 2  # a bad scenario or sweep file, option or output folder
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
EXIT_STDOUT_CLOSED = 141  # the reader of stdout went away (``| head``), as shells report SIGPIPE


class OutputError(LocatedError):
    """The output folder cannot be written (bad input: exit 2, before anything runs).

    Rendered like every located error: the path, the option (``--out``), why, and what
    was expected and found.
    """

    unnamed_source = "the output folder"


#: Width of the descriptions of ``--help`` (printed as written, with their examples).
HELP_WIDTH = 88


def described(text: str) -> str:
    """A ``--help`` description: each paragraph (blank-line separated) filled to
    :data:`HELP_WIDTH`, for ``argparse.RawDescriptionHelpFormatter``, which keeps the
    examples of the epilog as they are written."""
    return "\n\n".join(textwrap.fill(" ".join(p.split()), HELP_WIDTH) for p in text.split("\n\n"))


def tell(message: str) -> None:
    """A message for the person at the terminal (stderr, shown at once)."""
    print(message, file=sys.stderr, flush=True)


def progress_bar(total: int, *, unit: str, quiet: bool, delay: float = 0.0):
    """A tqdm bar on stderr; ``delay`` seconds before it shows, none with ``quiet``.

    tqdm is imported here, so that ``--help`` does not load it.
    """
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, delay=delay, disable=quiet, file=sys.stderr, dynamic_ncols=True)


def stdout_closed() -> int:
    """End quietly when the reader of stdout has gone (``ruralsim run ... | head``): point
    stdout at the null device, so that the interpreter's last flush raises nothing, and
    return :data:`EXIT_STDOUT_CLOSED`, as a program stopped by SIGPIPE ends."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, io.UnsupportedOperation):  # no real file behind stdout
        pass
    return EXIT_STDOUT_CLOSED
