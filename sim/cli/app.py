"""The ``ruralsim`` parser, the dispatch to its commands, and errors turned into exit codes.

The commands live in :mod:`sim.cli.run` (run, compare, validate) and
:mod:`sim.cli.sweep` (sweep, sweep-summary), :mod:`sim.cli.analyze` (sweep-analyze);
each declares its options and returns an exit code. Here every error becomes a readable message and a code:
bad input (a scenario or sweep file, an option, an output folder) exits 2
without a traceback, an output file that cannot be written exits 1, Ctrl-C
130, a reader of stdout that went away (``| head``) 141 without a word, and a
bug exits 1 with one line (the traceback with ``--debug``).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence

from sim.cli.analyze import add_analyze_command
from sim.cli.network import add_network_commands
from sim.cli.run import add_run_commands
from sim.cli.sweep import add_sweep_commands
from sim.cli.terminal import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    OutputError,
    stdout_closed,
    tell,
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit code is 2 too; keep its usage line
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``ruralsim`` with all its commands; each sets ``command_handler``."""
    parser = _Parser(
        prog="ruralsim",
        description="Simulate integrated rural logistics (delivery, postal, "
        "express, supply, finance) and compare it with separate operation.",
        epilog="""examples:
  ruralsim validate scenarios/lishui.toml
  ruralsim run scenarios/lishui.toml
  ruralsim compare scenarios/lishui.toml --ladder
  ruralsim COMMAND --help          # what a command does, its options and examples""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    add_run_commands(sub)
    add_sweep_commands(sub)
    add_analyze_command(sub)
    add_network_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ruralsim`` and ``python -m sim``; returns the exit code.

    When the reader of stdout goes away (``ruralsim run ... | head -1``), the command ends
    at once, without a message, with exit code 141 (see :func:`~sim.cli.terminal.stdout_closed`).
    """
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, not at exit, where a closed pipe is a message
    except BrokenPipeError:
        return stdout_closed()
    return code


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.command_line = shlex.join(["ruralsim", *argv])  # kept in the JSON files' metadata
    if args.version:
        from sim.version import __version__

        print(f"ruralsim {__version__}")
        return EXIT_OK
    handler = getattr(args, "command_handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    return _run_command(handler, args)


def _run_command(handler, args: argparse.Namespace) -> int:
    """Call the command; an error becomes a message on stderr and its exit code."""
    from sim.scenario import ScenarioError

    try:
        return handler(args)
    except (ScenarioError, OutputError) as exc:
        tell(f"error: {exc}")
        return EXIT_BAD_INPUT
    except BrokenPipeError as exc:
        if exc.filename is None:  # stdout itself: the reader has gone, nothing to say
            return stdout_closed()
        tell(f"error: cannot write {exc.filename}: {exc.strerror or exc}")
        return EXIT_FAILED
    except OSError as exc:
        target = exc.filename or "an output file"
        tell(f"error: cannot write {target}: {exc.strerror or exc}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        tell("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug, not bad input: say so briefly, trace only on request
        if args.debug:
            raise
        tell(
            f"internal error: {type(exc).__name__}: {exc}\n(run with --debug for the traceback and "
            "please report it)"
        )
        return EXIT_FAILED
