"""ruralsim: a discrete-event simulator of integrated rural logistics."""

__version__ = "0.1.0"
