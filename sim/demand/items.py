"""A batch of drawn items in the ledger's columns, before they enter the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.units import FLOAT_EPS

#: Lightest parcel drawn, kg (a letter-sized packet); log-normal weights are clipped here.
MIN_PARCEL_KG = 0.05


@dataclass
class ItemBatch:
    """Items of one flow as arrays of equal length (node indices are world indices)."""

    flow: int
    owner: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    created_t: np.ndarray
    weight_kg: np.ndarray
    volume_m3: np.ndarray
    deadline_t: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.created_t)

    def sorted_by_time(self) -> ItemBatch:
        """The same items ordered by creation time (stable)."""
        order = np.argsort(self.created_t, kind="stable")
        return ItemBatch(
            flow=self.flow,
            owner=self.owner[order],
            origin=self.origin[order],
            destination=self.destination[order],
            created_t=self.created_t[order],
            weight_kg=self.weight_kg[order],
            volume_m3=self.volume_m3[order],
            deadline_t=self.deadline_t[order],
            extra={k: v[order] for k, v in self.extra.items()},
        )


def split_into_pieces(total_kg: np.ndarray, piece_kg: float) -> tuple[np.ndarray, np.ndarray]:
    """Split lots of ``total_kg`` into near-equal pieces of at most ``piece_kg``.

    Returns (lot index per piece, piece weight). Lots of 0 kg give no piece.

    >>> lot, kg = split_into_pieces(np.array([12.0, 0.0, 5.0]), 5.0)
    >>> lot.tolist(), kg.round(2).tolist()
    ([0, 0, 0, 2], [4.0, 4.0, 4.0, 5.0])
    """
    pieces = np.ceil(np.maximum(total_kg, 0.0) / piece_kg - FLOAT_EPS).astype(np.int64)
    lot = np.repeat(np.arange(len(total_kg)), pieces)
    return lot, (total_kg[lot] / pieces[lot]) if len(lot) else np.zeros(0)


def per_day(population: np.ndarray, per_1000_residents_per_day: float) -> np.ndarray:
    """Mean items per day of places with ``population`` residents, at a rate per 1000 residents."""
    return population * per_1000_residents_per_day / 1000.0


def draw_cells(rng: np.random.Generator, mean: np.ndarray) -> tuple[np.ndarray, ...]:
    """Poisson counts for every cell of ``mean``, as one index tuple per drawn item.

    One ``rng.poisson(mean)`` call; see :func:`items_of_cells` for the layout.
    """
    return items_of_cells(rng.poisson(mean))


def items_of_cells(counts: np.ndarray) -> tuple[np.ndarray, ...]:
    """Expand item counts per cell (e.g. day x carrier x village) to one row per item.

    Returns one index array per axis of ``counts``; cell ``(i, j, ...)`` appears
    ``counts[i, j, ...]`` times, cells in C order.

    >>> day, village = items_of_cells(np.array([[2, 0], [0, 1]]))
    >>> day.tolist(), village.tolist()
    ([0, 0, 1], [0, 0, 1])
    """
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    return np.unravel_index(cell, counts.shape)


def draw_parcel_weights(
    rng: np.random.Generator, median_kg: float, sigma: float, max_kg: float, n: int
) -> np.ndarray:
    """``n`` log-normal parcel weights around ``median_kg``, clipped to [MIN_PARCEL_KG, max_kg].

    ``sigma`` 0 gives every parcel the median and draws nothing.
    """
    if sigma <= 0:
        return np.full(n, median_kg)
    return np.clip(median_kg * np.exp(sigma * rng.standard_normal(n)), MIN_PARCEL_KG, max_kg)
