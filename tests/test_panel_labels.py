"""Panels and ticks of figures whose tick marks fade or whose panel has no axis line (issue 12).

Small synthetic images built in code; positions are checked within a stated number of pixels.
"""

from __future__ import annotations

import numpy as np

from reconstruct.digitize.axes import _major_ticks


def axis_with_fading_ticks(n_ticks: int = 9, step: int = 38, first: int = 40) -> np.ndarray:
    """A dark x axis at row 50 with ticks below it: the first four 3 px long, the others 1 px (a blurred scan)."""
    dark = np.zeros((80, 400), bool)
    dark[49:51, 30:390] = True
    for k in range(n_ticks):
        col = first + k * step
        dark[51: 54 if k < 4 else 52, col] = True
    return dark


def test_faint_ticks_continue_the_chain_of_strong_ticks():
    ticks = _major_ticks(axis_with_fading_ticks(), start=51, direction=1, lo=30, hi=390, axis="x")
    np.testing.assert_allclose(ticks, 40 + 38 * np.arange(9), atol=0.5)


def test_a_faint_chain_of_another_spacing_does_not_replace_the_strong_ticks():
    dark = axis_with_fading_ticks(n_ticks=4)
    for col in range(60, 390, 13):  # one-pixel specks at another, closer spacing
        dark[51, col] = True
    ticks = _major_ticks(dark, start=51, direction=1, lo=30, hi=390, axis="x")
    np.testing.assert_allclose(ticks, 40 + 38 * np.arange(4), atol=0.5)
