"""Layer 3, the application: figure -> IPD -> statistics -> report in one call, batches, reports, demo and CLI.

The library lives below it in ``reconstruct`` (IPD, digitizing, data contracts), ``compare`` (statistics)
and ``figures`` (plots). Public names load on first use, so ``kmrecon --version`` starts at once.
"""

from reconstruct._lazy import lazy_exports
from reconstruct._version import __version__

_EXPORTS = {
    **dict.fromkeys(["FigureRun", "run_figure"], "kmrecon.run"),
    "write_run_outputs": "kmrecon.run_outputs",
    **dict.fromkeys(["BatchItem", "BatchReport", "collect_batch", "run_batch"], "kmrecon.batch"),
    **dict.fromkeys(["IPDReportFiles", "format_ipd_summary", "write_ipd_report"], "kmrecon.ipd_report"),
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = ["__version__", *sorted(_EXPORTS)]
