"""Random streams named by flow: each flow draws from its own branch of the seed's tree.

Every random draw of a run comes from one seeded ``numpy.random.SeedSequence`` tree. The
branch of a flow is found by its *name* (a stable key: the CRC-32 of the name), not by its
position in a list, so adding, removing or reordering a flow changes no other flow's
draws.

>>> a = flow_streams(1, ["parcel_in", "supply"])["supply"].random()
>>> b = flow_streams(1, ["supply"])["supply"].random()
>>> a == b
True
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np

DEMAND_FLOWS = ("parcel_in", "parcel_out", "supply", "produce", "finance")


def flow_key(name: str) -> int:
    """The stable spawn key of a named stream."""
    return zlib.crc32(name.encode("utf-8"))


def flow_stream(seed: int, name: str) -> np.random.Generator:
    """The generator of stream ``name`` under ``seed``: child ``flow_key(name)`` of the seed."""
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(flow_key(name),)))


def flow_streams(seed: int, names: Iterable[str] = DEMAND_FLOWS) -> dict[str, np.random.Generator]:
    """One independent generator per named stream."""
    return {name: flow_stream(seed, name) for name in names}
