"""Tables, figures and output files built from results."""

from sim.report.output import atomic_path, write_csv, write_json, write_text
from sim.report.tables import comparison_table, fmt, integration_summary, kpi_table

__all__ = [
    "atomic_path",
    "comparison_table",
    "fmt",
    "integration_summary",
    "kpi_table",
    "write_csv",
    "write_json",
    "write_text",
]
