"""A scenario written back as TOML: the settings a run's folder keeps as ``scenario.toml``.

The file is every field of the validated scenario (defaults included, overrides applied),
so that ``ruralsim run scenario.toml`` runs exactly what was run and gives the same KPIs
on the same seeds, whatever the defaults of a later version. Fields that are not set
(None) are left out, which is what they mean in a file; the network and GTFS files it
names are written as absolute paths, so the copy runs from any folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from sim.scenario.schema import Scenario


def to_toml(scenario: Scenario, header: str = "") -> str:
    """``scenario`` as the text of a TOML file that :func:`sim.load` reads back to an equal
    scenario; ``header`` (lines of text) goes first as comments."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    _absolute_paths(scenario, data)
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comments + ("\n" if comments else "") + tomli_w.dumps(data)


def _absolute_paths(scenario: Scenario, data: dict[str, Any]) -> None:
    """The files the scenario names (network, GTFS feed), resolved as a run resolves them."""
    network = data.get("network", {})
    for key in ("path", "nodes_csv", "edges_csv"):
        if network.get(key):
            network[key] = str(Path(scenario.resolve_path(network[key])).absolute())
    gtfs = data.get("bus", {}).get("gtfs")
    if gtfs and gtfs.get("path"):
        gtfs["path"] = str(Path(scenario.resolve_path(gtfs["path"])).absolute())
