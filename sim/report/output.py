"""Write run outputs whole or not at all: a temporary file, then an atomic rename.

:func:`atomic_path` and :func:`write_text` live in :mod:`sim.atomic` (re-exported here).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.atomic import atomic_path, write_text

__all__ = ["atomic_path", "write_csv", "write_json", "write_text"]


def write_json(target: str | Path, data: Mapping) -> None:
    """Strict JSON: NaN and infinities are written as null."""

    def clean(value: object) -> object:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, Mapping):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    write_text(target, json.dumps(clean(data), indent=2, sort_keys=False, allow_nan=False) + "\n")


def write_csv(target: str | Path, table: pd.DataFrame) -> None:
    """Write ``table`` as CSV without its index, whole or not at all."""
    with atomic_path(target) as tmp:
        table.to_csv(tmp, index=False)
