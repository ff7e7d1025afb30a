"""Fixtures of the model tests: the four-node hand county most hand-computed cases use."""

from __future__ import annotations

import pytest

# hub -10 km (60 km/h)- station -6 km (30 km/h)- A -4 km (30 km/h)- B; 1,000 people a village
HAND_NODES = """\
id,kind,x,y,population,town,name
hub,county_hub,0,0,0,T,Hub
st,town_station,10,0,1000,T,Station
A,village,10,6,1000,T,A
B,village,10,10,1000,T,B
"""
HAND_EDGES = """\
source,target,road_class,length_km,speed_kmh
hub,st,county,10,60
st,A,town,6,30
A,B,village,4,30
"""


@pytest.fixture
def hand_county(tmp_path):
    """A folder holding the hand county's nodes.csv and edges.csv (the test's tmp_path)."""
    (tmp_path / "nodes.csv").write_text(HAND_NODES)
    (tmp_path / "edges.csv").write_text(HAND_EDGES)
    return tmp_path
