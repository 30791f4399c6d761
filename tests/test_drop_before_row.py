"""A drop digitized a pixel before a table time: reconstruct_arm tries it at that time when the fit is poor.

The curve is the Placebo arm of scan_000 of the wild corpus as the digitizer traced it (step corners, rounded):
29 patients, the table every 3 months. Its drop at 12.03 (true IPD) was read at 11.9994, in the interval
before the table row at 12, which then holds one event more than the table allows; the steps solution lost
its whole tail (KM up to 0.233 from the curve).
"""

from __future__ import annotations

import numpy as np
import pytest

from reconstruct import reconstruction
from reconstruct.reconstruction import _drops_onto_rows, km_at, reconstruct_arm

TIME = np.array([0.0, 0.39, 0.85, 0.97, 1.33, 1.54, 2.16, 2.18, 4.75, 4.82, 4.94, 5.16, 5.19, 5.44, 5.62, 6.54,
                 8.1, 8.19, 9.66, 9.75, 10.53, 11.31, 11.4, 11.9994, 20.85, 21.11])
SURV = np.array([1.0, 0.961, 0.898, 0.888, 0.846, 0.806, 0.78, 0.772, 0.769, 0.757, 0.718, 0.692, 0.642, 0.56,
                 0.463, 0.405, 0.389, 0.348, 0.304, 0.288, 0.23, 0.16, 0.116, 0.058, 0.0, 0.0])
ROWS = np.arange(0.0, 22.0, 3.0)
AT_RISK = np.array([29, 18, 8, 6, 2, 1, 1, 0])
PRECISION = 0.00168  # half a pixel of the figure's y axis


@pytest.mark.filterwarnings("ignore::reconstruct.errors.ReconstructionWarning")
def test_a_drop_read_just_before_a_table_time_is_solved_at_that_time(monkeypatch):
    rec = reconstruct_arm(TIME, SURV, at_risk_time=ROWS, at_risk=AT_RISK, precision=PRECISION, arm="Placebo")
    assert rec.fidelity.at_risk_max_abs_diff == 0
    # judged on the curve as drawn: off by its one drop read 0.0006 early (0.0587), not by the lost tail (0.233)
    assert rec.fidelity.km_max_abs_diff == pytest.approx(0.0587, abs=0.001)
    assert rec.fidelity.km_mean_abs_diff <= 0.009
    with pytest.warns(reconstruction.ReconstructionWarning):  # that miss (> 0.05) is reported, not hidden
        reconstruct_arm(TIME, SURV, at_risk_time=ROWS, at_risk=AT_RISK, precision=PRECISION, arm="Placebo")
    event_times = np.sort(rec.time[rec.event == 1])
    assert event_times[-2:] == pytest.approx([12.0, 20.85], abs=1e-9)  # the drop at the row time, then the last
    # without the move the steps solution keeps the table but misses the curve by far
    monkeypatch.setattr(reconstruction, "_drops_onto_rows", lambda *args: None)
    before = reconstruct_arm(TIME, SURV, at_risk_time=ROWS, at_risk=AT_RISK, precision=PRECISION, arm="Placebo")
    assert before.fidelity.km_max_abs_diff > 0.2


@pytest.mark.filterwarnings("ignore::reconstruct.errors.ReconstructionWarning")
def test_a_fitting_solution_is_not_moved():
    # the true KM of 10 patients with a drop a hair before the row at 3: the fit is exact as drawn
    t = np.array([1.0, 2.9999, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 9.5, 9.8])
    e = np.ones(10, dtype=int)
    rows = np.array([0.0, 3.0, 6.0, 9.0])
    n = np.array([(t >= r).sum() for r in rows])
    curve_t = np.r_[0.0, t]
    rec = reconstruct_arm(curve_t, km_at(t, e, curve_t), at_risk_time=rows, at_risk=n, precision=1e-3)
    assert np.sort(rec.time[rec.event == 1]) == pytest.approx(t, abs=1e-9)


def test_only_drops_within_the_tolerance_before_a_row_move():
    time = np.array([0.0, 2.9, 2.99, 3.5, 5.99, 6.0, 8.0])
    surv = np.array([1.0, 0.9, 0.8, 0.8, 0.7, 0.6, 0.6])
    moved = _drops_onto_rows(time, surv, np.array([0.0, 3.0, 6.0]), 0.02)
    # 2.99 drops and lies 0.01 before 3: moved; 2.9 is too early; 5.99 has a point at 6.0 after it: kept
    np.testing.assert_array_equal(moved, [0.0, 2.9, 3.0, 3.5, 5.99, 6.0, 8.0])
    assert _drops_onto_rows(time, surv, np.array([0.0, 4.0]), 0.02) is None
