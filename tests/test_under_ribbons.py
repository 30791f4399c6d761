"""A dark line hidden under stacked translucent ribbons is traced by continuity (colour_paths._under_ribbons)."""

from __future__ import annotations

import numpy as np

from reconstruct.digitize.colour_paths import trace_arms


def _steps(r0: int, r1: int, n: int, width: int = 360) -> tuple[np.ndarray, np.ndarray]:
    return np.linspace(10, width - 10, n + 1).astype(int), np.linspace(r0, r1, n + 1).astype(int)


def _draw(img: np.ndarray, cols: np.ndarray, rows: np.ndarray, value: int, thick: int = 2) -> None:
    for i in range(len(cols) - 1):
        img[rows[i]:rows[i] + thick, cols[i]:cols[i + 1] + thick] = value
        img[rows[i]:rows[i + 1] + thick, cols[i + 1]:cols[i + 1] + thick] = value


def _ribbon(img: np.ndarray, cols: np.ndarray, rows: np.ndarray, fill: int, alpha: float, above: int,
            below: int) -> None:
    for i in range(len(cols) - 1):
        band = img[max(rows[i] - above, 0):rows[i] + below, cols[i]:cols[i + 1] + 2]
        band[:] = ((1.0 - alpha) * band + alpha * fill).astype(np.uint8)


def _figure() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A mid grey (#484848) arm and a black (#131313) arm whose first 9 of 12 steps lie under two 0.3 ribbons
    (fills #919191, #707070): there the black line is 0.7 * (0.7 * 19 + 43.5) + 33.6 = 73, the mid grey."""
    img = np.full((240, 360, 3), 255, np.uint8)
    black_cols, black_rows = _steps(30, 200, 12)
    grey_cols, grey_rows = _steps(20, 120, 9)
    _draw(img, grey_cols, grey_rows, 72)
    _draw(img, black_cols, black_rows, 19)
    _ribbon(img, black_cols[:10], black_rows[:10], 145, 0.3, 14, 16)
    _ribbon(img, black_cols[:10], black_rows[:10] + 4, 112, 0.3, 16, 18)
    return img, black_cols, black_rows


def test_black_line_under_two_ribbons_is_traced_whole():
    img, cols, rows = _figure()
    colours, _, paths, flipped, _, _ = trace_arms(img)
    assert not flipped
    dark = [q for k, q, _ in paths if max(colours[k].rgb) < 40]
    # before: the black colour traced no path (its pixels under the ribbons went to the mid grey)
    assert len(dark) == 1
    path = dark[0]
    # it runs from the first step to the last (within 3 px of the line's ends)
    assert path.start <= cols[0] + 3
    assert path.stop >= cols[-1] - 3
    # and on the black line throughout: within 2 px of each step's row, mid-step (the ribbons end after step 9)
    for i in range(len(cols) - 1):
        mid = (cols[i] + cols[i + 1]) // 2
        assert abs(float(path.rows[mid]) - (rows[i] + 0.5)) <= 2.0, (i, float(path.rows[mid]), rows[i])


def test_no_retrace_without_ribbons():
    """On bare paper every colour keeps the paths it had: the retrace needs a filled area."""
    img = np.full((240, 360, 3), 255, np.uint8)
    cols, rows = _steps(30, 200, 12)
    _draw(img, cols, rows, 19)
    colours, _, paths, _, _, _ = trace_arms(img)
    assert len(paths) == 1
    assert max(colours[paths[0][0]].rgb) < 40


def test_lighter_untraced_colour_is_not_retraced():
    """A colour paler than every traced one is a rim or dash of a traced line (rms_006), never a hidden arm: the
    same hidden map that gives a darker colour a path gives it none."""
    from reconstruct.digitize.colour_paths import _under_ribbons
    from reconstruct.digitize.curves import LineColour, trace_monotone

    rows, cols = 120, 200
    line = np.zeros((rows, cols), np.float32)
    line[40:42, 10:100] = 1.0
    line[40:82, 99:101] = 1.0
    line[80:82, 100:190] = 1.0
    black = LineColour((10.0, 128.0, 128.0), (10, 10, 10), 500)
    grey = LineColour((70.0, 128.0, 128.0), (66, 66, 66), 500)
    ink = np.zeros_like(line)
    bg = np.array([255.0, 255.0, 255.0], np.float32)
    traced = trace_monotone(line, half_width=1)
    # the grey traced, the black not: the black (darker) is retraced through its hidden map
    out = _under_ribbons([line, np.zeros_like(line)], [line, line], [grey, black], ink, [(0, traced, line)],
                         min_cols=30, bg_rgb=bg)
    assert [k for k, _, _ in out] == [1]
    # the black traced, the grey not: nothing
    out = _under_ribbons([line, np.zeros_like(line)], [line, line], [black, grey], ink, [(0, traced, line)],
                         min_cols=30, bg_rgb=bg)
    assert out == []
