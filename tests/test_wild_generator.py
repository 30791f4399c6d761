"""Layout of the wild corpus' Python renderers (benchmarks/wild/looks_mpl.py): an unreadable table is no test."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reconstruct import simulate_arm

WILD = Path(__file__).resolve().parents[1] / "benchmarks" / "wild"


def test_plotnine_table_is_printed_under_the_axis_title_not_over_the_tick_labels():
    # plotnine's layout engine redoes the layout when the figure is drawn: a subplots_adjust made no room,
    # and the table was printed over the x tick labels and the axis title.
    pytest.importorskip("plotnine")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    sys.path.insert(0, str(WILD))
    try:
        import looks_mpl
    finally:
        sys.path.remove(str(WILD))
    arms = ["Placebo", "Drug"]
    sims = [simulate_arm(80, seed=k, median=10.0 + 5 * k, follow_up=24.0) for k in range(2)]
    ipd = pd.concat([pd.DataFrame({"arm": a, "time": s.time, "event": s.event}) for a, s in zip(arms, sims)])
    spec = {"seed": 3, "axis_titles": True, "legend": "top", "aspect": 0.8, "risk_table": True}
    truth = {"x_range": [0.0, 24.0], "x_step": 6.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # plotnine: rows past the x limits removed
        fig = looks_mpl._plotnine(spec, truth, ipd, arms, looks_mpl._curves(ipd, arms), looks_mpl._times(truth), 9)
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t.get_text() for t in fig.texts]
    table = fig.texts[texts.index("At risk"):]
    assert len(table) == 1 + len(arms) * (1 + 5)  # heading, and per arm its name and five numbers
    table_top = max(t.get_window_extent(renderer).y1 for t in table)
    above = [fig.texts[texts.index("Time (months)")], *fig.axes[0].get_xticklabels()]
    assert table_top < min(t.get_window_extent(renderer).y0 for t in above if t.get_text())
    counts = [int(t.get_text()) for t in table if t.get_text().isdigit()]
    assert counts[:5] == list(looks_mpl._counts(ipd, "Placebo", looks_mpl._times(truth)))
    assert np.all(np.diff(counts[:5]) <= 0)
