"""The version of ruralsim, in a module of its own.

This module imports nothing, so whatever reads the version (the CLI's
``--version``, the sweep workers and client that stamp each stored run, the
report's metadata) does ``from sim.version import __version__`` and never
depends on ``sim`` itself: no import cycle, not even a lazy one. ``sim``
re-exports it as ``sim.__version__``, and ``pyproject.toml`` reads it from here.
"""

__version__ = "0.1.0"
