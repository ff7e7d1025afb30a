"""Items no vehicle could carry: set aside during the run, counted, never looped over.

The pre-run check (:mod:`sim.setup.feasibility`) rejects a scenario whose items fit no
vehicle of a leg they must travel. What only the run shows (a parcel too large for the
van at a village that no bus line with room for it serves) is set aside by the model where
it waits and counted here: ``peak.unserved_items`` (measured items set aside),
``peak.unserved_share`` (of the measured items of the four moving flows),
``peak.unserved_places`` (nodes where set-aside items wait, warm-up included) and per flow
``peak.unserved_items_<flow>``. The KPIs appear only in runs that set items aside, so the
KPIs of every feasible run are the same as before they existed.
"""

from __future__ import annotations

import numpy as np

from sim.records import RunRecord
from sim.records.ledger import FLOW_NAMES, PARCEL_IN, PARCEL_OUT, PRODUCE, SUPPLY

MOVING_FLOWS = (PARCEL_IN, PARCEL_OUT, SUPPLY, PRODUCE)


def unserved_kpis(rec: RunRecord) -> dict[str, float]:
    """The unserved-item KPIs of a run that set items aside; empty for every other run."""
    if not len(rec.unserved) or not rec.unserved.any():
        return {}
    per_flow = {f: rec.measured_rows(f) for f in MOVING_FLOWS}
    counts = {f: int(rec.unserved[rows].sum()) for f, rows in per_flow.items()}
    total = sum(counts.values())
    measured = sum(len(rows) for rows in per_flow.values())
    kpis = {
        "peak.unserved_items": float(total),
        "peak.unserved_share": total / measured if measured else np.nan,
        "peak.unserved_places": float(len(np.unique(rec.ledger.location[np.flatnonzero(rec.unserved)]))),
    }
    kpis.update({f"peak.unserved_items_{FLOW_NAMES[f]}": float(n) for f, n in counts.items()})
    return kpis


def unserved_places(rec: RunRecord, most: int = 5) -> list[tuple[str, int]]:
    """Where the set-aside items wait (node id, items), most first, at most ``most`` places."""
    rows = np.flatnonzero(rec.unserved)
    if not len(rows):
        return []
    nodes, counts = np.unique(rec.ledger.location[rows], return_counts=True)
    order = np.argsort(-counts, kind="stable")[:most]
    return [(rec.places.nodes[int(nodes[i])], int(counts[i])) for i in order]
