"""An arm given by its number of patients only, whose curve's steps show nobody censored (issue 12).

prism_005 of the wild corpus: arm A, 29 patients, 28 events and one patient censored at the end; no at-risk
table (the run is given n=29). Its thick steps are traced with points half way down some risers
(0.2209 and 0.1951 between 0.2414 and 0.1728). From those, the alternation of the solver censored 9
patients and ran the KM to 0 at 23 months where the curve holds 1/29: a mean miss of 0.027 against a
tolerance of 0.013 (a misfit). The solution that censors nobody before the curve's end misses it by 0.002.
"""

from __future__ import annotations

import numpy as np

from reconstruct.reconstruction import reconstruct_arm

# prism_005 arm A as traced (curves.csv of `kmrecon run prism_005.jpg --n "Arm A=29" --n "Arm B=93"`)
TIME = [0.0, 0.3859176879, 0.7098913782, 0.9690703304, 1.876196663, 2.200170353, 2.264965091, 2.783322996,
        3.820038805, 3.820038805, 4.694767768, 7.383749397, 7.545736243, 8.096491516, 8.744438897, 9.133207325,
        9.457181015, 9.97553892, 10.42910209, 12.24335475, 12.5025337, 14.57596532, 14.77034954, 14.96473375,
        18.59323908, 20.14831279, 20.14831279, 22.99928127, 22.99928127, 24.87832867, 40.23468159]
SURVIVAL = [0.9682658735, 0.8792802951, 0.8090057864, 0.7934748874, 0.7712610513, 0.7009580838, 0.6868179456,
            0.6546430663, 0.6340880702, 0.6188376199, 0.5515825598, 0.5380589499, 0.502032982, 0.4471595088,
            0.4160645579, 0.3871895086, 0.3803572556, 0.366598036, 0.3099954245, 0.2894350662, 0.2414070372,
            0.2208580152, 0.1951280689, 0.1728191363, 0.1368231102, 0.1213876438, 0.1025444371, 0.0870969252,
            0.06824692127, 0.03396792443, 0.03396792443]


def _km(time, event, at):
    order = np.argsort(time, kind="stable")
    t, e = np.asarray(time)[order], np.asarray(event)[order]
    surv, s = 1.0, np.ones(len(at))
    n = t.size
    for k, (ti, ei) in enumerate(zip(t, e, strict=True)):
        if ei:
            surv *= 1.0 - 1.0 / (n - k)
            s[np.asarray(at) >= ti] = surv
    return s


def test_n_only_arm_whose_steps_show_no_censoring_is_reconstructed_without_censoring():
    rec = reconstruct_arm(TIME, SURVIVAL, n_patients=29, precision=0.00086, method="steps", arm="Arm A")
    assert rec.time.size == 29
    assert int(np.sum(rec.event == 0)) <= 2  # truth: 1 censored (at the end); the alternation censored 9
    assert rec.fidelity.km_mean_abs_diff < 0.008  # 0.0056; was 0.018 (a warning: up to 0.068 from the curve)
    # the KM keeps the curve's last level, 1/29, to its end (it fell to 0 at 23 months)
    assert abs(_km(rec.time, rec.event, [30.0])[0] - 1 / 29) < 0.01
