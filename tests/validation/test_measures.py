"""The validation measures on hand-made cases (sim.api.validation)."""

from __future__ import annotations

import pytest

from sim.api.validation import Effect
from sim.kpi import Estimate


@pytest.mark.parametrize(
    ("mean", "inside"), [(-0.2, True), (-0.35, True), (-0.10, True), (-0.36, False), (-0.05, False)]
)
def test_an_effect_is_inside_when_its_mean_lies_in_the_reported_range(mean, inside):
    e = Effect("x", "claim", "DOMAIN.md", -0.35, -0.10, "change", Estimate(mean, 0.5, 3))
    assert e.inside is inside


def test_a_relative_change_is_the_mean_of_the_paired_ratios_minus_one():
    from types import SimpleNamespace

    from sim.api.validation import relative_change

    def runs(values):
        return [SimpleNamespace(kpis={"k": x}) for x in values]

    ladder = SimpleNamespace(results={"a": runs([10.0, 20.0, 0.0]), "b": runs([8.0, 15.0, 3.0])})
    e = relative_change(ladder, "k", "a", "b")
    # 8/10 - 1 = -0.2, 15/20 - 1 = -0.25; the pair with 0 before has no ratio
    assert e.n == 2
    assert e.mean == pytest.approx(-0.225)
