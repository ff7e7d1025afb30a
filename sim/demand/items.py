"""A batch of drawn items in the ledger's columns, before they enter the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


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
    pieces = np.ceil(np.maximum(total_kg, 0.0) / piece_kg - 1e-9).astype(np.int64)
    lot = np.repeat(np.arange(len(total_kg)), pieces)
    return lot, (total_kg[lot] / pieces[lot]) if len(lot) else np.zeros(0)
