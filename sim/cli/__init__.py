"""``ruralsim`` and ``python -m sim``: the command line, a thin shell over the Python API.

This package is the only part of ``sim`` that parses argv or prints. Modules:
:mod:`~sim.cli.app` (the parser, dispatch, errors and exit codes; ``main``),
:mod:`~sim.cli.run` (``run``, ``compare``, ``validate``), :mod:`~sim.cli.sweep`
(``sweep``, ``sweep-summary``) and :mod:`~sim.cli.terminal` (exit codes,
messages on stderr, progress bars). Tables come from :mod:`sim.report.tables`.
Bad input ends with a readable message and exit code 2, never a traceback.
"""

from sim.cli.app import main

__all__ = ["main"]
