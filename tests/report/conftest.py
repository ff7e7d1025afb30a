"""Figures are drawn off screen, whatever the machine's display."""

import matplotlib

matplotlib.use("Agg")
