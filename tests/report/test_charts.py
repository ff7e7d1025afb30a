"""The report's charts tested by the artists they draw (sim.report.charts): bar heights are
the means, error bars span mean ± half-width, lines carry the series, CI bands the
intervals, and the Pareto front is exactly the points no other point beats."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.kpi.stats import Estimate
from sim.report import charts, fonts
from sim.report.html import svg_markup

GROUPS = {
    "separate": {"cost.a": Estimate(100.0, 10.0, 5), "last_km.b_share": Estimate(0.4, 0.05, 5)},
    "integrated": {"cost.a": Estimate(60.0, 4.0, 5), "last_km.b_share": Estimate(0.9, math.nan, 1)},
}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def bars_of(ax) -> list[tuple[float, float, list]]:
    """(x, height, error segment) of each bar container's bars, in drawing order."""
    out = []
    for container in ax.containers:
        if not hasattr(container, "errorbar"):
            continue
        segments = container.errorbar.lines[2][0].get_segments()
        for patch, seg in zip(container.patches, segments, strict=True):
            out.append((patch.get_x() + patch.get_width() / 2, patch.get_height(), seg))
    return out


def test_kpi_bars_are_the_means_with_the_half_widths_as_error_bars():
    fig = charts.kpi_bars(GROUPS, [("cost.a", "cost"), ("last_km.b_share", "share"), ("absent.kpi", "x")])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["cost", "share"]  # a KPI no group has is left out
    for ax, name in zip(visible, ["cost.a", "last_km.b_share"], strict=True):
        drawn = bars_of(ax)
        assert [h for _, h, _ in drawn] == pytest.approx([GROUPS[g][name].mean for g in GROUPS])
        for (_, h, seg), g in zip(drawn, GROUPS, strict=True):
            half = GROUPS[g][name].half_width
            low, high = seg[0][1], seg[1][1]
            assert (high - h) == pytest.approx(0.0 if math.isnan(half) else half)
            assert (h - low) == pytest.approx(high - h)


def test_grouped_bars_put_each_category_at_its_tick_one_bar_per_group():
    fig = charts.grouped_bars(GROUPS, [("cost.a", "A"), ("last_km.b_share", "B")], ylabel="u")
    ax = fig.axes[0]
    drawn = bars_of(ax)
    heights = [h for _, h, _ in drawn]
    assert heights == pytest.approx([100.0, 0.4, 60.0, 0.9])  # group by group
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B"]
    assert drawn[0][0] < drawn[2][0] < drawn[1][0] < drawn[3][0]  # side by side at each tick


def test_daily_lines_draw_each_groups_series_in_each_panel():
    days = np.arange(1, 5)
    series = {
        g: pd.DataFrame(
            {"day": days, "items_created": days * k, "on_time_share": 0.5 / k, "backlog_items": 3.0 * k}
        )
        for k, g in enumerate(["separate", "integrated"], start=1)
    }
    fig = charts.daily_lines(series)
    for ax, (column, _) in zip(fig.axes, charts.DAILY_PANELS, strict=True):
        lines = ax.get_lines()
        assert len(lines) == 2
        for line, table in zip(lines, series.values(), strict=True):
            assert line.get_xdata().tolist() == days.tolist()
            assert line.get_ydata().tolist() == pytest.approx(table[column].tolist())


def brute_front(cost, cov):
    n = len(cost)
    out = []
    for i in range(n):
        if math.isnan(cost[i]) or math.isnan(cov[i]):
            out.append(False)
            continue
        beaten = any(
            cost[j] <= cost[i] and cov[j] >= cov[i] and (cost[j] < cost[i] or cov[j] > cov[i])
            for j in range(n)
            if not (math.isnan(cost[j]) or math.isnan(cov[j]))
        )
        out.append(not beaten)
    return out


values = st.one_of(st.integers(0, 5).map(float), st.just(math.nan))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(values, values), min_size=1, max_size=12))
def test_the_pareto_front_is_exactly_the_points_no_other_beats(points):
    cost, cov = [p[0] for p in points], [p[1] for p in points]
    assert charts.pareto_front(cost, cov).tolist() == brute_front(cost, cov)


def summary_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "point": [0, 1, 2, 3, 4, 5],
            "mode": ["separate"] * 3 + ["integrated"] * 3,
            "vans": [1, 2, 3, 1, 2, 3],
            "cost.operator_yuan_per_day.mean": [10.0, 12.0, 14.0, 6.0, 7.0, 9.0],
            "cost.operator_yuan_per_day.ci95": [1.0, 1.0, 1.0, 0.5, 0.5, math.nan],
            "last_km.village_coverage.mean": [0.3, 0.3, 0.4, 0.9, 1.0, 1.0],
            "last_km.village_coverage.ci95": [0.1, 0.1, 0.1, 0.05, 0.0, 0.0],
        }
    )


def test_the_tradeoff_rings_exactly_the_pareto_points_in_order_of_cost():
    fig = charts.tradeoff_figure(summary_frame(), "cost.operator_yuan_per_day", "last_km.village_coverage")
    (front,) = [line for line in fig.axes[0].get_lines() if line.get_gid() == "pareto"]
    # (6, 0.9) and (7, 1.0) beat everything else; (9, 1.0) is beaten by (7, 1.0)
    assert front.get_xdata().tolist() == [6.0, 7.0]
    assert front.get_ydata().tolist() == [0.9, 1.0]


def test_sweep_panels_draw_mean_lines_and_ci_bands_per_combination_of_the_others():
    table = summary_frame()
    fig = charts.sweep_panels(table, ["mode", "vans"], ["cost.operator_yuan_per_day"])
    by_vans = fig.axes[1]  # cost against vans: one line per mode
    lines = by_vans.get_lines()
    assert [line.get_ydata().tolist() for line in lines] == [[10.0, 12.0, 14.0], [6.0, 7.0, 9.0]]
    band = by_vans.collections[0].get_paths()[0].vertices
    ys = sorted({round(y, 9) for y in band[:, 1]})
    assert {9.0, 11.0, 13.0, 15.0} <= set(ys)  # mean ± ci95 of the separate line
    assert {t.get_text() for t in fig.axes[0].get_xticklabels()} == {"integrated", "separate"}


@pytest.mark.filterwarnings("ignore:Glyph:UserWarning")  # no CJK font on the machine: measured with DejaVu
def test_svg_keeps_text_as_text_and_chinese_names_as_characters():
    with fonts.report_style():
        fig, ax = plt.subplots()
        ax.set_title("缙云县 coverage")
    markup = svg_markup(fig)
    assert markup.startswith("<svg")
    assert "缙云县 coverage" in markup
    assert "<text" in markup


def test_the_font_list_starts_with_the_default_and_names_only_installed_cjk_fonts():
    from matplotlib import font_manager

    names = fonts.font_list()
    installed = {f.name for f in font_manager.fontManager.ttflist}
    assert names[0] == fonts.BASE_FONT
    assert set(names[1:]) <= installed & set(fonts.CJK_FALLBACK_FONTS)
