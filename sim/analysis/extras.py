"""The optional libraries of the analyses (the ``analysis`` extra), imported when needed.

SALib (Sobol and Morris estimators), EMA Workbench (PRIM) and scikit-learn (extra-trees
feature scores) are not needed to run a sweep; :func:`require` imports one when a method
needs it, and a missing one is a :class:`~sim.ScenarioError` (exit 2) that names the extra.
"""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

from sim.scenario import ScenarioError

EXTRA = "analysis"
INSTALL = f"pip install 'ruralsim[{EXTRA}]'"
#: Import name -> the package to install (for the message).
PACKAGES = {"SALib": "SALib", "ema_workbench": "ema-workbench", "sklearn": "scikit-learn"}


def require(module: str, method: str) -> ModuleType:
    """``import module`` (e.g. ``SALib.analyze.sobol``) for ``method``, or a located error."""
    top = module.split(".", 1)[0]
    try:
        with warnings.catch_warnings():
            # EMA Workbench warns at import about optional parts of its own (ipyparallel, altair).
            warnings.simplefilter("ignore")
            return importlib.import_module(module)
    except ImportError as exc:
        raise ScenarioError(
            f"--method {method} needs {PACKAGES.get(top, top)}, which is not installed",
            field="--method",
            expected=f"the {EXTRA} extra: {INSTALL}",
            found=str(exc),
        ) from None
