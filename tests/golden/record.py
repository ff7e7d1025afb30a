"""Re-record the golden KPI files: ``python tests/golden/record.py [CASE ...]``.

Only for a commit that changes results on purpose; its message says which mechanism
moved which KPI.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import CASES, MODES, golden_path, record  # noqa: E402


def main(names: list[str]) -> None:
    for case in names or list(CASES):
        for mode in MODES:
            with tempfile.TemporaryDirectory() as tmp:
                data = record(case, mode, Path(tmp))
            golden_path(case, mode).write_text(json.dumps(data, indent=1) + "\n")
            print(f"wrote {golden_path(case, mode).name}")


if __name__ == "__main__":
    main(sys.argv[1:])
