"""A grey line seen through another arm's translucent grey band (survminer ``conf.int = TRUE`` printed in greys,
issue 12): darker there, as dark as another, darker colour, it is no rim of that colour. Synthetic panels built
here; pixel coordinates ``(row, col)``."""

from __future__ import annotations

import cv2
import numpy as np

from reconstruct.digitize import curves as _curves
from reconstruct.digitize.colour_paths import _suppress_edges, trace_arms

WHITE = np.array([255.0, 255.0, 255.0], np.float32)


def _grey(level: int) -> _curves.LineColour:
    lab = cv2.cvtColor(np.full((1, 1, 3), level, np.uint8), cv2.COLOR_RGB2LAB).reshape(3)
    return _curves.LineColour(tuple(float(v) for v in lab), (level,) * 3, 1000)


def _panel() -> np.ndarray:
    """A 3-pixel grey (150) line along rows 20-22, its right half under a band that darkens by 0.8 (the line to
    120, the paper to 204); a 3-pixel black (25) line along rows 45-47 with anti-aliased rims (140) above and below."""
    img = np.full((60, 120, 3), 255, np.uint8)
    img[20:23, :] = 150
    img[10:41, 60:] = np.round(img[10:41, 60:] * 0.8).astype(np.uint8)
    img[44, :] = img[48, :] = 140
    img[45:48, :] = 25
    return img


def _banded(img: np.ndarray) -> np.ndarray:
    """Pixels whose neighbourhood (a 15-pixel median) is no paper: inside the band."""
    return np.linalg.norm(cv2.medianBlur(img, 15).astype(np.float32) - WHITE, axis=2) > 12.0


def test_grey_line_under_a_band_keeps_its_membership_where_it_is_as_dark_as_a_darker_colour():
    img = _panel()
    colours = [_grey(129), _grey(96), _grey(25)]  # the line, a darker grey (rims, lines under bands), black
    weights = [_curves.membership(img, WHITE, c) for c in colours]
    # under the band the line (120) is a core pixel of the darker grey: once taken as that colour's rim
    assert weights[1][20:23, 60:].min() >= 0.8
    _suppress_edges(weights, colours, banded=_banded(img))
    grey = weights[0]
    assert grey[20:23, 60:].min() >= 0.99  # kept under the band (was 0)
    assert grey[20:23, :59].min() >= 0.8  # and off it (the column at the band's edge, beside darker pixels, may go)
    # the black line's rims (140, half way to black) are still no grey line's pixels
    assert grey[44].max() == 0.0
    assert grey[48].max() == 0.0
    assert weights[1][44].max() == 0.0
    assert weights[1][48].max() == 0.0
    # the black line itself (within 1.4 of the grey's ray, so of membership 1 in it) is no grey line's pixel
    assert grey[45:48].max() == 0.0


def test_dark_pixels_of_a_grey_line_on_paper_are_still_taken_as_a_darker_grey_s_rim():
    # outside bands the strict rule holds: a scanned grey line's noisy darker pixels (scan_000) are no evidence
    img = _panel()
    img[21, 10:20] = 120  # a darker run along the line on the paper
    colours = [_grey(129), _grey(96), _grey(25)]
    weights = [_curves.membership(img, WHITE, c) for c in colours]
    _suppress_edges(weights, colours, banded=_banded(img))
    assert weights[0][20:23, 10:20].max() == 0.0
    assert weights[0][20:23, 62:].min() >= 0.99


def test_scattered_dark_pixels_of_a_grey_line_under_a_band_are_still_taken_as_a_darker_grey_s_rim():
    # under a band only a straight run of such pixels is a stroke: a noisy line's scattered dark pixels are not
    img = _panel()
    img[20:23, 60:] = 150 * 0.8 + 20  # the line under the band, paler than the darker grey's core (140)
    dots = np.arange(64, 116, 6)
    img[21, dots] = 120  # single dark pixels along it (noise)
    colours = [_grey(129), _grey(96), _grey(25)]
    weights = [_curves.membership(img, WHITE, c) for c in colours]
    _suppress_edges(weights, colours, banded=_banded(img))
    assert weights[0][21, dots].max() == 0.0


def test_strict_suppression_still_takes_the_line_under_the_band_for_judging_colours():
    # which colours are lines is judged with every pixel beside a darker core taken out (scan_009: a dark grey
    # line's noisy darker pixels made it the rim of the darker grey once they were kept)
    img = _panel()
    colours = [_grey(129), _grey(96), _grey(25)]
    weights = [_curves.membership(img, WHITE, c) for c in colours]
    _suppress_edges(weights, colours)
    assert weights[0][20:23, 62:].max() == 0.0



def _stairs(width: int, top: int) -> np.ndarray:
    """Rows of a survival staircase from ``top``, 10 pixels down every 30 columns."""
    return top + 10 * ((np.arange(width) - 10) // 30)


def _draw(img: np.ndarray, rows: np.ndarray, value: int, thick: int = 3) -> None:
    for x in range(10, 290):
        img[rows[x]:rows[x] + thick, x] = value
        if rows[x] != rows[x - 1]:  # the drop, drawn at the step's column
            img[min(rows[x], rows[x - 1]):max(rows[x], rows[x - 1]) + thick, x - 1:x - 1 + thick] = value


def _two_arm_panel() -> tuple[np.ndarray, np.ndarray]:
    """A grey (150) arm and a black (25) arm with an anti-aliased rim (140), both 3-pixel staircases; from column
    120 on the grey arm runs 10 rows under the black arm inside the black arm's band (opacity 0.3, drawn over the
    grey line: 112 there)."""
    img = np.full((200, 300, 3), 255, np.uint8)
    black = _stairs(300, 30)
    grey = black + 10
    grey[:120] = black[:120] + 40
    grey[100:120] = grey[99]
    _draw(img, grey, 150)
    band = np.zeros(img.shape[:2], bool)
    for x in range(120, 290):
        band[black[x] - 20:black[x] + 25, x] = True
    img[band] = np.round(img[band] * 0.7 + 0.3 * 25).astype(np.uint8)
    _draw(img, black - 1, 140, 5)
    _draw(img, black, 25)
    return img, grey


def test_trace_arms_follows_a_grey_arm_under_the_other_arm_s_band(monkeypatch):
    img, grey = _two_arm_panel()
    # the colours found on survminer_default_006 (greyscale, JPEG): black, the grey line under the black band (96),
    # the grey line (129); a clean synthetic panel does not split its greys so, hence they are given here
    monkeypatch.setattr(_curves, "find_line_colours", lambda lab, bg, min_pixels: [_grey(25), _grey(129), _grey(96)])
    colours, weights, paths, *_ = trace_arms(img)
    k = [c.rgb[0] for c in colours].index(129)
    cols = np.arange(130, 280)
    # its line under the band (112) is no rim of the darker grey: it keeps its membership there (was 0)
    assert np.mean([weights[k][grey[x]:grey[x] + 3, x].max() for x in cols]) > 0.9
    # and the grey arm is traced, along its own rows under the band (on main no path of that colour at all)
    traced = [p for j, p, _ in paths if j == k]
    assert len(traced) == 1
    path = traced[0]
    assert path.coverage > 0.6
    assert np.mean(np.abs(path.rows[cols] - grey[cols]) <= 3) > 0.9
