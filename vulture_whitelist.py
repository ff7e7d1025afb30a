"""False positives of ``vulture sim vulture_whitelist.py --min-confidence 60``.

Names vulture cannot see used: the ones Python, pydantic or the tests and benchmarks
use. Real leftovers are deleted, not listed here.
"""

# ruff: noqa: B018, F821

__getattr__  # module __getattr__ (lazy attributes) of sim/__init__.py and sim/sweep/__init__.py
_.__class__  # sim/sweep/__init__.py makes the package callable by swapping its module class
model_config  # pydantic model configuration (sim/scenario/fields.py)
_._files_given  # pydantic validators (sim/scenario/schema.py)
_._non_negative
_._keep_default_types
_._one_volume  # sim/scenario/flows.py: a Crop gives its volume one way
key_lines  # public helper of sim/scenario/errors.py, tested in tests/scenario/test_key_lines.py
synthetic_problem  # sim/routing/instances.py: the tests' and benchmarks' random problems
_.count_by_status  # sim/records/ledger.py: public summary (docstring example, tests, notebooks)
_.events  # RunRecord.events: SimPy events of a run, read by benchmarks/bench_simulation.py
_.claim  # sim/api/validation.py: Effect fields read by benchmarks/validation.py and tests/validation
_.inside
effects
