"""Arms given by their number of patients only, with censor marks: the censoring the marks show is kept.

A solution that censors nobody before the curve's end has a KM within 0.5/n of any curve (whole events
rounded on ``n (1 - S)``), so it ties or beats, on tiny margins, solutions with real censoring. Tried once as an
equal candidate (a change taken out before landing), it threw the marks' censoring away (45 censored -> 16,
87 events -> 116; an HR 0.754 read as 0.660). These tests keep the censoring the marks show.
"""

from __future__ import annotations

import numpy as np
import pytest

from compare.survival.cox import cox_hr
from reconstruct import km_step_points
from reconstruct.reconstruction import reconstruct_arm


def _trial(rng, n, scale, censor_max):
    """Exponential events (mean ``scale``), uniform censoring on (0, censor_max); the curve digitized with
    noise of SD 0.003 (kept non-increasing)."""
    ev, ce = rng.exponential(scale, n), rng.uniform(0.0, censor_max, n)
    t, e = np.minimum(ev, ce), (ev <= ce).astype(int)
    curve_t, curve_s = km_step_points(t, e)
    noise = rng.normal(0.0, 0.003, curve_s.size)
    noise[0] = 0.0
    digitized = np.clip(np.minimum.accumulate(curve_s + noise), 0.0, 1.0)
    digitized[0] = 1.0
    return t, e, curve_t, digitized


def test_n_only_arm_with_censor_marks_keeps_the_censoring_they_show():
    rng = np.random.default_rng(3)
    n = int(rng.integers(30, 150))  # 127 patients, 41 censored, 86 events
    t, e, curve_t, curve_s = _trial(rng, n, 10.0, 30.0)
    rec = reconstruct_arm(curve_t, curve_s, n_patients=n, censor_times=t[e == 0], precision=0.0015,
                          method="steps", arm="A")
    true_censored = int(np.sum(e == 0))
    assert true_censored == 41
    # 44 (3 more at the curve's end, where the marks stop); 14 with the no-censoring solution competing
    assert abs(int(np.sum(rec.event == 0)) - true_censored) <= 5
    assert abs(int(rec.event.sum()) - int(e.sum())) <= 5  # 83 vs 86; 113 with it
    assert rec.fidelity.km_mean_abs_diff < 0.005


# Both arms warn that some intervals show more marks than censorings (arm A: 105 events vs 85 true, as on
# main); over seeds 100-111 main's |log HR error| is 0.005-0.18 (median 0.049; 0.085 with the no-censoring
# solution competing). Seed 103 is the reviewer's case.
@pytest.mark.filterwarnings("ignore::reconstruct.errors.ReconstructionWarning")
def test_two_arm_hazard_ratio_with_censor_marks_and_numbers_of_patients_only():
    rng = np.random.default_rng(103)
    times, events, groups, rec_t, rec_e, rec_g = [], [], [], [], [], []
    for arm, scale, censor_max in (("A", 10.0, 30.0), ("B", 16.0, 20.0)):
        t, e, curve_t, curve_s = _trial(rng, 120, scale, censor_max)
        rec = reconstruct_arm(curve_t, curve_s, n_patients=120, censor_times=t[e == 0], precision=0.0015,
                              method="steps", arm=arm)
        times += [t]
        events += [e]
        groups += [np.full(t.size, arm)]
        rec_t += [rec.time]
        rec_e += [rec.event]
        rec_g += [np.full(rec.time.size, arm)]
    true_hr = cox_hr(np.concatenate(times), np.concatenate(events), np.concatenate(groups), reference="A")
    rec_hr = cox_hr(np.concatenate(rec_t), np.concatenate(rec_e), np.concatenate(rec_g), reference="A")
    assert abs(true_hr.hazard_ratio - 0.754) < 0.001
    # 0.749 (log error -0.007); 0.660 (log error -0.13) with the no-censoring solution competing
    assert abs(np.log(rec_hr.hazard_ratio / true_hr.hazard_ratio)) < 0.03
