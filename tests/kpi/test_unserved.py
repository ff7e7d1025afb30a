"""``peak.unserved_*``: items set aside because no vehicle could carry them (sim.kpi.unserved)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.kpi import compute_kpis, unserved_kpis, unserved_places
from sim.records.ledger import PARCEL_IN, PRODUCE, SUPPLY

from .helpers import S0, A, B, RecordBuilder, at


def _record():
    b = RecordBuilder()
    b.item(PARCEL_IN, dest=A, origin=S0, created_t=at(1, 6))  # set aside at S0
    b.item(PARCEL_IN, dest=B, origin=S0, created_t=at(1, 6))  # set aside at S0
    b.item(PARCEL_IN, dest=A, origin=S0, created_t=at(0, 6))  # set aside in the warm-up: not measured
    b.item(PRODUCE, dest=0, origin=A, created_t=at(2, 7))  # set aside at A
    b.item(SUPPLY, dest=B, created_t=at(1, 6), delivered_t=at(1, 12))  # delivered
    rec = b.record()
    unserved = np.array([True, True, True, True, False])
    return dataclasses.replace(rec, unserved=unserved)


def test_unserved_items_are_counted_per_flow_in_the_measured_window():
    k = unserved_kpis(_record())
    assert k["peak.unserved_items"] == 3.0
    assert k["peak.unserved_items_parcel_in"] == 2.0
    assert k["peak.unserved_items_produce"] == 1.0
    assert k["peak.unserved_items_supply"] == 0.0
    assert k["peak.unserved_items_parcel_out"] == 0.0
    assert k["peak.unserved_share"] == pytest.approx(3 / 4)
    assert k["peak.unserved_places"] == 2.0  # S0 and A, the warm-up item included


def test_places_say_where_the_set_aside_items_wait_most_first():
    assert unserved_places(_record()) == [("S0", 3), ("A", 1)]


def test_a_run_that_set_nothing_aside_has_no_unserved_kpi():
    b = RecordBuilder()
    b.item(PARCEL_IN, dest=A, created_t=at(1, 6), delivered_t=at(1, 16))
    assert unserved_kpis(b.record()) == {}
    assert not any(name.startswith("peak.unserved") for name in compute_kpis(b.record()))
