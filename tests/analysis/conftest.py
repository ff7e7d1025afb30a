"""Stores of sweeps run with the test-only models of ``models.py`` (no simulation), once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # models.py and stores.py, for the tests' imports

import models  # noqa: E402
from stores import ranges, run_sweep  # noqa: E402

#: Base samples of the Ishigami Saltelli sweep: 256 x (3 + 2) = 1,280 runs, about 10 s.
ISHIGAMI_SAMPLES = 256


@pytest.fixture(scope="session")
def ishigami_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("ishigami") / "ishigami.sqlite"
    parameters = ranges(models.ISHIGAMI_FIELDS)
    return run_sweep(db, models.ishigami, design="saltelli", samples=ISHIGAMI_SAMPLES, parameters=parameters)


@pytest.fixture(scope="session")
def planted_box_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("box") / "box.sqlite"
    parameters = ranges(models.ISHIGAMI_FIELDS)
    return run_sweep(db, models.planted_box, design="lhs", samples=400, parameters=parameters)
