"""A dark line hidden under stacked translucent ribbons is traced by continuity (ribbon_retrace)."""

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
    # marked, so its reading is flagged; its own evidence read on its strict map: the ribboned steps are hidden
    assert path.through_ribbons
    assert np.mean(path.own[path.start: path.stop] < 0.5) >= 0.15
    # it runs from the first step to the last (within 3 px of the line's ends)
    assert path.start <= cols[0] + 3
    assert path.stop >= cols[-1] - 3
    # and on the black line throughout: within 2 px of each step's row, mid-step (the ribbons end after step 9)
    for i in range(len(cols) - 1):
        mid = (cols[i] + cols[i + 1]) // 2
        assert abs(float(path.rows[mid]) - (rows[i] + 0.5)) <= 2.0, (i, float(path.rows[mid]), rows[i])


def test_no_retrace_without_ribbons():
    """On bare paper every colour keeps the paths it had, and a darker colour that traced none (black '+' censor
    marks on a dark grey arm, under a mid grey one) gets none: the retrace needs a filled area."""
    img = np.full((240, 360, 3), 255, np.uint8)
    cols, rows = _steps(30, 200, 12)
    _draw(img, *_steps(20, 120, 9), 120)
    _draw(img, cols, rows, 60)
    for i in range(len(cols) - 1):
        x, y = (cols[i] + cols[i + 1]) // 2, rows[i] + 1
        img[y - 4:y + 5, x:x + 2] = 0
        img[y:y + 2, x - 4:x + 5] = 0
    colours, _, paths, _, _, _ = trace_arms(img)
    assert any(max(c.rgb) < 20 for c in colours)  # the marks' black is a colour, darker than both arms
    assert sorted(round(max(colours[k].rgb), -1) for k, _, _ in paths) == [60, 120]
    assert not any(p.through_ribbons for _, p, _ in paths)


def _crossing_with_marks() -> np.ndarray:
    """The reviewer's case: grey arms #3c3c3c and #787878 under crossing 0.3 ribbons, black '+' censor marks."""
    img = np.full((240, 360, 3), 255, np.uint8)
    c1 = np.linspace(10, 350, 13).astype(int)
    r1 = np.r_[np.linspace(20, 80, 7), np.linspace(90, 210, 6)].astype(int)
    c2 = c1.copy()
    r2 = np.r_[np.linspace(20, 120, 7), np.linspace(125, 150, 6)].astype(int)
    _ribbon(img, c1, r1, 90, 0.3, 14, 16)
    _ribbon(img, c2, r2, 140, 0.3, 14, 16)
    _draw(img, c1, r1, 60)
    _draw(img, c2, r2, 120)
    for cs, rs in ((c1, r1), (c2, r2)):
        for i in range(len(cs) - 1):
            x, y = (cs[i] + cs[i + 1]) // 2, rs[i] + 1
            img[y - 4:y + 5, x:x + 2] = 0
            img[y:y + 2, x - 4:x + 5] = 0
    return img


def test_retrace_on_a_traced_path_is_dropped():
    """Black censor marks pass the darker-than gate, and their colour retraced through its loose map lies on the
    #3c3c3c arm: dropped, so the arm keeps its own path and its hidden share (0.26; 0.06 when the black retrace
    replaced it, under the 0.15 flag)."""
    from reconstruct.digitize.path_pruning import drop_broken_greys, drop_duplicates
    from reconstruct.draw_noise import FLAG_HIDDEN_SHARE

    colours, weights, paths, flipped, _, _ = trace_arms(_crossing_with_marks())
    assert not any(p.through_ribbons for _, p, _ in paths)
    assert not any(max(colours[k].rgb) < 20 for k, _, _ in paths)
    kept = drop_duplicates(drop_broken_greys(paths, colours, weights, flipped))
    dark = [p for k, p, _ in kept if 50 <= max(colours[k].rgb) <= 70]
    assert len(dark) == 1
    hidden = float(np.mean(dark[0].own[dark[0].start: dark[0].stop] < 0.5))
    assert hidden >= FLAG_HIDDEN_SHARE, hidden


def test_lighter_untraced_colour_is_not_retraced():
    """A colour paler than every traced one is a rim or dash of a traced line (rms_006), never a hidden arm: the
    same hidden map that gives a darker colour a path gives it none. A retrace is judged on the strict map."""
    from reconstruct.digitize.curves import LineColour, trace_monotone
    from reconstruct.digitize.ribbon_retrace import retrace_under_ribbons

    rows, cols = 120, 200
    line = np.zeros((rows, cols), np.float32)
    line[40:42, 10:100] = 1.0
    line[40:82, 99:101] = 1.0
    line[80:82, 100:190] = 1.0
    other = np.zeros_like(line)
    other[20:22, 10:190] = 1.0  # the traced colour's own line, away from the hidden one
    black = LineColour((10.0, 128.0, 128.0), (10, 10, 10), 500)
    grey = LineColour((70.0, 128.0, 128.0), (66, 66, 66), 500)
    bg = np.array([255.0, 255.0, 255.0], np.float32)
    traced = trace_monotone(other, half_width=1)

    def trace(maps, k):
        return [(k, trace_monotone(maps[k], half_width=1), maps[k])]

    strict = np.zeros_like(line)
    strict[80:82, 100:190] = 1.0  # only the uncovered tail shows on the strict map
    # the grey traced, the black not: the black (darker) is retraced through its hidden map
    out = retrace_under_ribbons([other, strict], [other, line], [grey, black], [(0, traced, other)], trace,
                                bg_rgb=bg)
    assert [k for k, _, _ in out] == [1]
    path = out[0][1]
    assert path.through_ribbons
    assert (path.start, path.stop) == (10, 190)
    # own evidence from the strict map: the first 90 of 180 columns (within 2) are hidden
    assert abs(float(np.mean(path.own[10:190] < 0.5)) - 0.5) <= 0.02
    # no filled area in the panel (trace_arms gives no hidden maps): nothing
    assert retrace_under_ribbons([other, strict], [], [grey, black], [(0, traced, other)], trace, bg_rgb=bg) == []
    # the black traced, the grey not: nothing
    assert retrace_under_ribbons([other, strict], [other, line], [black, grey], [(0, traced, other)], trace,
                                 bg_rgb=bg) == []
    # a retrace on the traced path is dropped
    on_line = [(0, trace_monotone(line, half_width=1), line)]
    assert retrace_under_ribbons([line, strict], [line, line], [grey, black], on_line, trace, bg_rgb=bg) == []
