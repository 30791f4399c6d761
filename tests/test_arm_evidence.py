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
