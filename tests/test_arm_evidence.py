"""Evidence that names arms: legend keys told from text, row numbers fitted to a curve's drops (issue 12)."""

import numpy as np
import pytest

from reconstruct.digitize.legend import find_legend_sample


def test_the_foot_of_a_word_is_no_legend_key():
    # rms prints names by the curves in their ink (rms_018): the curve runs just over the word, the rows near
    # it are no key, and what is left of the word is its foot, which the closing joins into a stroke
    weight = np.zeros((200, 300), np.float32)
    weight[135:138, :] = 1.0  # the arm's curve
    path = np.full(300, 136, np.int64)
    for col in range(100, 160, 7):  # "Observation": glyphs 5 px wide, 14 px tall, 2 px apart, standing on row 151
        weight[138:152, col:col + 5] = 1.0
    assert find_legend_sample(weight, path, 1) is None
    # a real key elsewhere is found (nothing is drawn on a key) ...
    weight[179:181, 20:60] = 1.0
    assert find_legend_sample(weight, path, 1) == (pytest.approx(179.5, abs=1), 20, 60)
    # ... also with the key of the line above 8 px higher (a tight legend)
    weight[171:173, 20:60] = 1.0
    assert find_legend_sample(weight, path, 1)[1:] == (20, 60)


def test_step_counts_do_not_decide_a_pairing_no_reconstruction_carries_out(monkeypatch):
    """sas_006: a row whose time-0 cell was set aside as misread reconstructs with no curve (infinite misfit),
    and the step counts took a pairing that swapped the arms. A pairing the fit cannot judge is not proven by
    the weakest evidence: an ambiguity error. Where the fit scores their pairing, the step counts still decide."""
    import kmrecon.run_arms as run_arms
    from reconstruct.arm_matching import ArmCurve, ArmMatch, RiskRowInfo
    from reconstruct.errors import ReconstructionError

    inf = float("inf")
    costs = np.array([[0.30, inf], [0.20, inf]])
    monkeypatch.setattr(run_arms, "pair_scorer", lambda *a, **k: (lambda arm, row: costs[arm, row]))
    monkeypatch.setattr(run_arms, "match_arms_to_rows", lambda arms, rows: ArmMatch(
        rows=(0, 1), basis="step counts", detail="the drops on each curve fit its row's implied deaths best",
        settled=False))
    curves = [ArmCurve(None, None, np.array([0.0, 1.0]), np.array([1.0, 0.5])) for _ in range(2)]
    rows = [RiskRowInfo(None, None, np.array([0.0]), np.array([10])) for _ in range(2)]
    with pytest.raises(ReconstructionError, match=r"step counts put rows \[0, 1\] on them, but no reconstruction"):
        run_arms.match_by_fit(curves, rows, precision=1e-3, method="steps", marks=None)
    costs[:, 1] = [0.35, 0.15]  # the fit scores both pairings and allows theirs: the step counts decide
    match, note = run_arms.match_by_fit(curves, rows, precision=1e-3, method="steps", marks=None)
    assert (match.rows, match.basis, note) == ((0, 1), "step counts", "")
