"""Model-free feature scores for any design: extra-trees importances (scikit-learn).

For designs that are neither Saltelli nor Morris (a grid, a Latin hypercube, a Sobol
sequence), which parameters matter is scored by an extra-trees regression of each KPI's
unit means on the parameters, as EMA Workbench's ``get_ex_feature_scores`` does: the mean
decrease in impurity, normalised to sum to 1, with its spread over the trees. A list
parameter (``mode``, when not paired) enters as its category number. Scores rank; they are
not variance shares (use a saltelli design for those).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.extras import require
from sim.analysis.units import Units
from sim.scenario import ScenarioError

TREES = 250
#: Fewer units than this cannot rank parameters by a regression.
MIN_UNITS = 10


def numeric_inputs(means: pd.DataFrame, inputs: list[str]) -> pd.DataFrame:
    """The inputs as numbers: numeric columns as they are, others as category numbers."""
    out = pd.DataFrame(index=means.index)
    for name in inputs:
        column = means[name]
        try:
            out[name] = column.astype(float)
        except (TypeError, ValueError):
            out[name] = pd.factorize(column.astype(str), sort=True)[0].astype(float)
    return out


def feature_scores(units: Units, kpis: list[str], seed: int) -> pd.DataFrame:
    """One row per (KPI, parameter): ``score`` (sums to 1 per KPI), ``score_std`` over trees."""
    ensemble = require("sklearn.ensemble", "importance")
    if not units.inputs:
        raise ScenarioError("the sweep varies no parameter to score", path=units.source, field="--method")
    means = units.means()
    x_all = numeric_inputs(means, units.inputs)
    out = []
    for kpi in kpis:
        keep = means[kpi].notna().to_numpy()
        if keep.sum() < MIN_UNITS:
            raise ScenarioError(
                f"too few points to score parameters for {kpi}",
                path=units.source,
                field="--kpi",
                expected=f"at least {MIN_UNITS} points with the KPI set",
                found=str(int(keep.sum())),
            )
        model = ensemble.ExtraTreesRegressor(n_estimators=TREES, random_state=seed, n_jobs=1)
        model.fit(x_all.to_numpy()[keep], means[kpi].to_numpy(dtype=float)[keep])
        spread = np.std([tree.feature_importances_ for tree in model.estimators_], axis=0)
        for j, name in enumerate(units.inputs):
            out.append(
                {
                    "kpi": kpi,
                    "parameter": name,
                    "score": float(model.feature_importances_[j]),
                    "score_std": float(spread[j]),
                    "points": int(keep.sum()),
                }
            )
    return pd.DataFrame(out, columns=["kpi", "parameter", "score", "score_std", "points"])
