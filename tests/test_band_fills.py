"""Lines inside confidence bands that overlap (survminer's ``conf.int = TRUE``, issue 12): the fills are
no line's ink. Synthetic panels drawn with OpenCV; pixel coordinates ``(row, col)``."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reconstruct.digitize.colour_paths import _fills, trace_arms
from reconstruct.digitize.curves import LineColour

RED, CYAN = (248, 118, 109), (0, 191, 196)  # ggplot2's first two hues


def _over(img: np.ndarray, mask: np.ndarray, rgb, alpha: float) -> None:
    """Paint ``rgb`` at opacity ``alpha`` over the pixels of ``mask`` (in place)."""
    img[mask] = np.round((1 - alpha) * img[mask] + alpha * np.float32(rgb)).astype(np.uint8)


def _steps(levels: list[tuple[int, int]], n_cols: int) -> np.ndarray:
    """Row of a falling step curve in every column from ``(col, row)`` corners."""
    rows = np.full(n_cols, levels[0][1])
    for col, row in levels[1:]:
        rows[col:] = row
    return rows


def _banded_panel(seed: int) -> tuple[np.ndarray, list[np.ndarray], int]:
    """Two 2-pixel step curves, each in a translucent band of its colour (the bands overlap), then blurred."""
    rng = np.random.default_rng(seed)
    n_rows, n_cols, start = 220, 440, 10
    img = np.full((n_rows, n_cols, 3), 255, np.float32)
    truths = []
    for rgb, offset in ((RED, 0), (CYAN, 6)):
        cols = np.sort(rng.choice(np.arange(30, 400), 14, replace=False))
        levels = [(start, 15 + offset)] + [(int(c), 15 + offset + 10 * (k + 1) + int(rng.integers(0, 4)))
                                           for k, c in enumerate(cols)]
        truths.append(_steps(levels, n_cols))
    for rgb, rows in zip((RED, CYAN), truths, strict=True):
        band = np.zeros((n_rows, n_cols), bool)
        for col in range(start, 420):
            band[max(rows[col] - 25, 0): rows[col] + 26, col] = True
        _over(img, band, rgb, 0.3)
    for rgb, rows in zip((RED, CYAN), truths, strict=True):  # the lines last
        line = np.zeros((n_rows, n_cols), bool)
        for col in range(start, 420):
            line[min(rows[col - 1], rows[col]): max(rows[col - 1], rows[col]) + 2, col] = True
        img[line] = rgb
    blurred = cv2.GaussianBlur(img, (0, 0), 0.85)
    return np.clip(np.round(blurred), 0, 255).astype(np.uint8), truths, start


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_trace_arms_follows_two_blurred_lines_through_their_overlapping_bands(seed):
    # blurred, a 2-pixel cyan line measures paler than its ink, and the two bands' overlap lies on its
    # ray: it was dropped as a colour too thick to be a line (seeds 2 and 3; survminer_default_014)
    img, truths, start = _banded_panel(seed)
    colours, _, paths, flipped, _, _ = trace_arms(img)
    assert not flipped
    assert len(colours) == 2
    for truth in truths:
        # some path follows this curve within 2 pixels on 85% of the curve's columns
        best = max(float(np.mean(np.abs(p.rows[start:420] - truth[start:420]) <= 2)) for _, p, _ in paths)
        assert best >= 0.85


def test_fills_are_the_areas_a_square_fits_in_not_lines():
    lab = np.full((100, 200, 3), (255, 128, 128), np.float32)
    fill, line = (200.0, 150.0, 130.0), (120.0, 180.0, 160.0)
    lab[20:60, 30:150] = fill  # a band's fill, 40 pixels tall
    lab[80:83, 10:190] = line  # a line 3 pixels thick
    lab[70:72, 10:190] = fill  # a thin stroke of the fill's colour: part of the fill colour, taken too
    as_fill = LineColour(fill, (0, 0, 0), 4800)
    as_line = LineColour(line, (0, 0, 0), 540)
    taken = _fills(lab, [as_fill], widest=4)
    assert taken[20:60, 30:150].all() and taken[70:72, 10:190].all()
    assert not taken[80:83].any() and not taken[:20].any()
    assert not _fills(lab, [as_line], widest=4).any()  # a line fits no 9 x 9 square
    assert not _fills(lab, [as_fill], widest=25).any()  # nor does the band a 51 x 51 one



def _two_plain_lines() -> np.ndarray:
    """Two 2-pixel step curves, red and cyan, on white (no bands)."""
    img = np.full((220, 440, 3), 255, np.uint8)
    for rgb, levels in ((RED, [(10, 20), (100, 60), (250, 120)]), (CYAN, [(10, 25), (150, 90), (300, 170)])):
        rows = _steps(levels, 440)
        for col in range(10, 420):
            img[min(rows[col - 1], rows[col]): max(rows[col - 1], rows[col]) + 2, col] = rgb
    return img


@pytest.mark.parametrize("banded", [False, True])
def test_trace_arms_takes_each_median_background_once_with_the_same_paths(monkeypatch, banded):
    # the median blur (~30 ms a panel) ran twice per trace, for the fields and for the ribbons, with the same
    # window on plain lines (7 px, twice); now once per window side, and the paths are those of two blurs
    from reconstruct.digitize import colour_paths, shades

    img = _banded_panel(1)[0] if banded else _two_plain_lines()
    sides = []
    blur = cv2.medianBlur

    def counted(rgb, side):
        sides.append(side)
        return blur(rgb, side)

    monkeypatch.setattr(shades.cv2, "medianBlur", counted)
    colours, _, paths, flipped, _, _ = trace_arms(img)
    assert sides == ([19, 33] if banded else [7])  # each window side blurred once (plain: was [7, 7])
    monkeypatch.setattr(colour_paths, "_median_background", lambda crop, thickness, medians:
                        shades.local_background(crop, thickness))  # the old way: a blur at every call
    colours2, _, paths2, flipped2, _, _ = trace_arms(img)
    assert flipped == flipped2 and len(colours) == len(colours2) == 2 and len(paths) == len(paths2)
    for (k, p, _), (k2, p2, _) in zip(paths, paths2, strict=True):
        assert k == k2 and np.array_equal(p.rows, p2.rows)  # identical, pixel for pixel


@pytest.mark.parametrize("banded", [False, True])
def test_lines_are_scored_against_the_closing_only_where_a_filled_area_makes_it_differ(monkeypatch, banded):
    # without a filled area the closing background is the median itself: each line was scored twice against
    # the same background (~10 ms a colour); now once, and the paths are those of two scorings
    from reconstruct.digitize import colour_paths, shades

    img = _banded_panel(1)[0] if banded else _two_plain_lines()
    median = shades.local_background(img, 2)
    assert (shades.closed_background(img, 2, median) is median) is not banded
    calls = []
    score = shades.RibbonField.under  # what membership_under_ribbon runs per colour

    def counted(field, colour, bg_rgb):
        calls.append(colour)
        return score(field, colour, bg_rgb)

    monkeypatch.setattr(shades.RibbonField, "under", counted)
    colours, _, paths, flipped, _, _ = trace_arms(img)
    assert len(calls) == (2 if banded else 1) * len(colours)
    closing = shades.closed_background

    def fresh_copy(rgb, thickness, median, *, paper=None):  # the old way: never the median object
        return closing(rgb, thickness, median, paper=paper).copy()

    monkeypatch.setattr(colour_paths._shades, "closed_background", fresh_copy)
    colours2, _, paths2, flipped2, _, _ = trace_arms(img)
    assert flipped == flipped2 and len(colours) == len(colours2) == 2 and len(paths) == len(paths2)
    for (k, p, _), (k2, p2, _) in zip(paths, paths2, strict=True):
        assert k == k2 and np.array_equal(p.rows, p2.rows)
