"""The one number format and the one table layout of ``run``, ``compare`` and ``sweep-summary``.

Expected strings are written by hand from the rule in :mod:`sim.report.tables`.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.kpi.stats import Estimate
from sim.report.tables import comparison_table, fmt, kpi_table, sweep_summary_table

SHARE, COUNT, RATE = "last_km.on_time_share", "first_km.producing_villages", "cost.van_trips_per_day"


@pytest.mark.parametrize(
    ("value", "name", "expected"),
    [
        (0.61666, SHARE, "0.617"),
        (1.0, "last_km.village_coverage_pop", "1.000"),
        (0.7594, "cost.van_utilisation", "0.759"),
        (0.0004, SHARE, "0.000"),  # a share keeps its 3 decimals, even when small
        (-0.383, SHARE, "-0.383"),
        (-0.0004, SHARE, "0.000"),  # rounds to zero: no minus sign
    ],
)
def test_shares_have_three_decimals(value, name, expected):
    assert fmt(value, name) == expected


@pytest.mark.parametrize(
    ("value", "name", "expected"),
    [
        (28.0, COUNT, "28"),
        (17.0, "bus.freight_lines", "17"),
        (0.0, "bus.freight_lines", "0"),
        (1204.0, "bus.freight_lines", "1,204"),
        (8.0, "peak.unserved_places", "8"),
        (27.5, COUNT, "27.500"),  # a mean of counts that is not whole is an ordinary number
        (16.0, RATE, "16.000"),  # trips per day is a rate, not a count
        (16.0, "last_km.parcels_per_day", "16.000"),
        (np.int64(3), None, "3"),  # whole numbers of any integer type
        (12345, None, "12,345"),
    ],
)
def test_whole_counts_are_integers(value, name, expected):
    assert fmt(value, name) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3368.25, "3,368"),
        (1_234_567.8, "1,234,568"),
        (2.5e12, "2,500,000,000,000"),  # no scientific notation
        (999.96, "1,000"),  # rounds up into the next size
        (521.24, "521.2"),
        (99.9996, "100.0"),
        (44.2874, "44.287"),
        (4.1364, "4.136"),
    ],
)
def test_big_and_ordinary_values(value, expected):
    assert fmt(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.172, "0.172"),
        (0.0123, "0.012"),
        (0.00042, "0.00042"),  # two significant digits, not 0.000 and not 4.2e-04
        (0.000987, "0.00099"),
        (4.2e-7, "0.00000042"),
        (7.1e-14, "0.000"),  # floating-point noise
        (0.0, "0.000"),
    ],
)
def test_small_values_are_not_zero_and_not_scientific(value, expected):
    assert fmt(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-11079.4, "-11,079"),
        (-968.52, "-968.5"),
        (-0.578, "-0.578"),
        (-0.00042, "-0.00042"),
        (-0.0, "0.000"),
        (-1e-12, "0.000"),
    ],
)
def test_negative_values(value, expected):
    assert fmt(value) == expected


def test_missing_values():
    assert fmt(math.nan) == "-"
    assert fmt(math.nan, SHARE) == "-"
    assert fmt(None) == "-"
    assert fmt(math.inf) == "inf" and fmt(-math.inf) == "-inf"
    assert fmt(True) == "True"


ESTIMATES = {
    "last_km.on_time_share": Estimate(0.61666, 0.0071, 2),
    "last_km.parcels_per_day": Estimate(3368.25, 552.74, 2),
    "bus.freight_lines": Estimate(17.0, 0.0, 2),
}


def test_kpi_table():
    assert kpi_table(ESTIMATES) == (
        "KPI              mean (n=2)   95% CI\n"
        "------------------------------------\n"
        "[Last kilometre (inbound parcels)]\n"
        "on_time_share         0.617  ± 0.007\n"
        "parcels_per_day       3,368  ± 552.7\n"
        "[Bus cargo]\n"
        "freight_lines            17      ± 0"
    )


def test_kpi_table_with_one_replication_has_no_interval():
    table = kpi_table({"cost.co2_kg_per_day": Estimate(242.8, math.nan, 1)})
    assert table == (
        "KPI             mean (n=1)  95% CI\n"
        "----------------------------------\n"
        "[Cost, distance and emissions]\n"
        "co2_kg_per_day       242.8        "
    )


def test_comparison_table():
    estimates = {
        "separate": {SHARE: Estimate(0.617, 0.01, 2), RATE: Estimate(40.75, 3.0, 2)},
        "integrated": {SHARE: Estimate(1.0, 0.0, 2), RATE: Estimate(16.0, 6.353, 2)},
    }
    differences = {"integrated": {SHARE: Estimate(0.383, 0.0071, 2), RATE: Estimate(-24.75, 3.177, 2)}}
    assert comparison_table(["separate", "integrated"], estimates, differences) == (
        "KPI                separate  integrated  integrated - separate   95% CI\n"
        "-----------------------------------------------------------------------\n"
        "[Last kilometre (inbound parcels)]\n"
        "on_time_share         0.617       1.000                  0.383  ± 0.007\n"
        "[Cost, distance and emissions]\n"
        "van_trips_per_day    40.750      16.000                -24.750  ± 3.177"
    )


def _point_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "point": [0, 1],
            "mode": ["separate", "integrated"],
            "done": [2, 1],
            "failed": [0, 1],
            "last_km.parcels_per_day.mean": [3368.25, 3400.0],
            "last_km.parcels_per_day.ci95": [552.74, math.nan],
            "last_km.on_time_share.mean": [0.61666, math.nan],
            "last_km.on_time_share.ci95": [0.0071, math.nan],
        }
    )


def test_sweep_summary_table():
    kpis = ["last_km.parcels_per_day", "last_km.on_time_share"]
    assert sweep_summary_table(_point_table(), ["mode"], kpis) == (
        "point        mode          runs  parcels_per_day  last_km.on_time_share\n"
        "-----------------------------------------------------------------------\n"
        "0        separate             2    3,368 ± 552.7          0.617 ± 0.007\n"
        "1      integrated  1 (1 failed)            3,400                      -"
    )


def test_sweep_summary_and_run_table_write_a_value_alike():
    run_row = next(
        line.split() for line in kpi_table(ESTIMATES).splitlines() if line.startswith("parcels_per_day")
    )
    summary = sweep_summary_table(_point_table(), ["mode"], ["last_km.parcels_per_day"])
    sweep_row = summary.splitlines()[2].split()
    assert run_row[1:] == sweep_row[-3:] == ["3,368", "±", "552.7"]


def test_float_parameters_use_the_same_format():
    table = pd.DataFrame(
        {
            "point": [0],
            "produce.poi_sales_share": [0.23456],
            "hub.sort_min": [1234.5],
            "done": [1],
            "failed": [0],
            "cost.co2_kg_per_day.mean": [0.00042],
            "cost.co2_kg_per_day.ci95": [math.nan],
        }
    )
    row = sweep_summary_table(table, ["produce.poi_sales_share", "hub.sort_min"], ["cost.co2_kg_per_day"])
    assert row.splitlines()[2].split() == ["0", "0.235", "1,234", "1", "0.00042"]


def test_tables_import_nothing_of_the_simulation():
    code = (
        "import sys, sim.report.tables\n"
        "print(sorted(m for m in ('simpy', 'sim.model', 'sim.kpi', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
