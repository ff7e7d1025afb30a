"""Fixtures for sweep tests: a tiny county (20 villages, 3 days) that runs in well under a second."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

TINY_SCENARIO = """\
name = "tiny"
days = 3
warmup_days = 1
seed = 3
[network]
n_villages = 20
"""

SMALL_SWEEP = """\
scenario = "base.toml"
replications = 2
seed = 5
[parameters]
mode = ["separate", "integrated"]
"integrated.vans_per_town" = { values = [1, 2], also = ["carriers.*.vans_per_town"] }
"""


@pytest.fixture(scope="session")
def tiny_scenario() -> str:
    """The text of the tiny base scenario."""
    return TINY_SCENARIO


@pytest.fixture
def write_sweep(tmp_path: Path) -> Callable[[str], Path]:
    """Write a sweep file (and the tiny base scenario beside it); returns its path."""
    (tmp_path / "base.toml").write_text(TINY_SCENARIO)

    def write(text: str, name: str = "sweep.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return path

    return write


@pytest.fixture
def small_sweep(write_sweep: Callable[[str], Path]) -> Path:
    """2 modes x 2 fleet sizes x 2 replications = 8 runs."""
    return write_sweep(SMALL_SWEEP)
