"""``python -m sim`` does what ``ruralsim`` does."""

import sys

from sim.cli import main

sys.exit(main())
