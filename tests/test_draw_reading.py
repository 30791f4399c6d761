"""Untraced stretches and flagged readings in the draws (reconstruct.draw_noise, kmrecon.run_draws)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from compare import summarize_ipd
from compare.survival.uncertainty import annotate_summary_dict, reading_status, summary_uncertainty
from compare.survival.uncertainty_report import uncertainty_section
from kmrecon.run_arms import _legend_order
from reconstruct import km_at
from reconstruct._draw_mix import mix_draws
from reconstruct.draw_noise import (
    HIDDEN_HAZARD_SD,
    DigitizerNoise,
    _hugging_offset,
    digitizer_noise,
    noisy_drops,
    reading_flags,
)
from reconstruct.errors import InputError
from tests.test_draw_noise import PIXEL, _draws, _figure


def _cum_hazard(draws, arm, t):
    """Per draw, -log KM(t) of ``arm``; shape (n_draws,)."""
    frame = draws.to_frame()
    rows = frame[frame["arm"] == arm]
    return np.array([-np.log(km_at(g["time"].to_numpy(), g["event"].to_numpy(), np.array([t]))[0])
                     for _, g in rows.groupby("draw")])


def test_hazard_scale_raises_every_level_to_the_power_exp_e():
    """S -> S^exp(e): with e = log 2 the levels 0.8, 0.5 become 0.64, 0.25 (drops 0.36 and 1 - 0.25/0.64)."""
    s = np.array([1.0, 0.8, 0.5])
    rng = np.random.default_rng(0)
    drops = noisy_drops(s, 1e-15, rng, 2, hazard=np.array([np.log(2.0), 0.0]))
    np.testing.assert_allclose(drops[0], [0.36, 1.0 - 0.25 / 0.64], atol=1e-12)
    np.testing.assert_allclose(drops[1], [0.2, 0.375], atol=1e-12)


def test_hazard_error_spreads_its_arm_only_and_keeps_the_rest_byte_for_byte():
    """An arm's hazard sd 0.1 spreads its cumulative hazard at 12 months by about 0.1 on the log scale
    (0.0055 without it); the other arm's draws stay identical."""
    curves, table = _figure(200, 3)
    base = DigitizerNoise(arm_precision={"A": PIXEL, "B": PIXEL})
    wide = DigitizerNoise(arm_precision={"A": PIXEL, "B": PIXEL}, arm_hazard={"A": 0.1})
    rec, plain = _draws(curves, table, base, n_draws=200)
    _, spread = _draws(curves, table, wide, n_draws=200)
    r = rec["A"]
    ref = -np.log(km_at(np.asarray(r.time), np.asarray(r.event), np.array([12.0]))[0])
    assert np.std(np.log(_cum_hazard(plain, "A", 12.0) / ref)) < 0.01
    log_ratio = np.log(_cum_hazard(spread, "A", 12.0) / ref)
    assert 0.08 < np.std(log_ratio) < 0.12
    assert abs(np.mean(log_ratio)) < 0.03  # centred
    a, b = plain.to_frame(), spread.to_frame()
    pd.testing.assert_frame_equal(a[a["arm"] == "B"].reset_index(drop=True), b[b["arm"] == "B"].reset_index(drop=True))
    # the table's numbers at risk hold in every draw
    for _, g in b[b["arm"] == "A"].groupby("draw"):
        times = table.loc[table["arm"] == "A", "time"].to_numpy()
        n = np.array([(g["time"].to_numpy() >= t).sum() for t in times])
        np.testing.assert_array_equal(n, table.loc[table["arm"] == "A", "n_risk"].to_numpy())


def test_zero_hazard_sd_changes_nothing():
    curves, table = _figure(80, 4)
    _, a = _draws(curves, table, DigitizerNoise(arm_precision={"A": PIXEL}))
    _, b = _draws(curves, table, DigitizerNoise(arm_precision={"A": PIXEL}, arm_hazard={"A": 0.0, "B": 0.0}))
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())


def test_noise_rejects_bad_hazard_sd():
    with pytest.raises(InputError, match="arm_hazard"):
        DigitizerNoise(arm_hazard={"A": -0.1})


def _digitized(hidden):
    """A stand-in for DigitizedFigure: calibrations and arms with a hidden share each."""
    cal = SimpleNamespace(px_positions=[400.0, 300.0, 200.0, 100.0, 0.0], values=[0.0, 0.25, 0.5, 0.75, 1.0],
                          slope=-0.0025, axis="y", source="ocr")
    xcal = SimpleNamespace(px_positions=[0.0, 200.0, 400.0], values=[0.0, 12.0, 24.0], slope=0.06, axis="x",
                           source="ocr")
    arms = [SimpleNamespace(time=np.array([0.0, 5.0, 10.0]), survival=np.array([1.0, 0.8, 0.6]),
                            quality={"hidden_share": h, "line_half_width_px": 1}) for h in hidden]
    return SimpleNamespace(y_calibration=cal, x_calibration=xcal, arms=arms, curve_kind="survival")


def test_reading_flags_from_hidden_share_and_fit_score():
    fit = [SimpleNamespace(arm="A", score=0.1), SimpleNamespace(arm="B", score=0.55)]
    flags = reading_flags(_digitized([0.2, 0.05]), ["A", "B"], fit)
    assert flags == {"A": "20% of its curve traced without its own ink", "B": "fit score 0.55 (misfit above 1)"}
    assert reading_flags(_digitized([0.1, 0.149]), ["A", "B"], [SimpleNamespace(arm="A", score=0.39)]) == {}


def test_reading_flags_an_arm_traced_through_ribbons():
    """An arm traced by continuity under translucent bands (ribbon_retrace) is flagged whatever its hidden share."""
    fig = _digitized([0.05, 0.05])
    fig.arms[1].quality["through_ribbons"] = True
    flags = reading_flags(fig, ["A", "B"])
    assert list(flags) == ["B"]
    assert flags["B"].startswith("traced through translucent bands by continuity")


def _arm(time, survival, half_width, survival_per_px=0.0025):
    """A traced arm on a 400 px panel: 0.0025 survival and 0.06 months per pixel."""
    return SimpleNamespace(time=np.asarray(time, float), survival=np.asarray(survival, float),
                           quality={"hidden_share": 0.0, "line_half_width_px": half_width,
                                    "survival_per_px": survival_per_px, "time_per_px": 0.06})


def test_a_wide_trace_hugging_another_arm_is_flagged_as_its_band_edge():
    """survminer_minimal_002 (dev 7071): the second trace, along the lower edge of the black curve's grey band,
    measured half width 6 against 2 and ran 12 px below it in 94% of the columns (spread 2.9 px). Here: a
    curve falling 0.02 every 1.2 months and a copy 0.03 (12 px) lower, stroke 6 against 2, is flagged; the copy
    drawn with the same pen (2), the copy 0.15 (60 px) lower, or a curve of stroke 6 whose distance grows from
    4 to 20 px (interquartile range 8 px, 0.73 of the median 12 px) are not; nor is a lone arm."""
    t = np.arange(0.0, 24.0, 1.2)
    s = 1.0 - 0.02 * np.arange(t.size)
    names = ["Observation", "Chemotherapy"]
    fig = SimpleNamespace(arms=[_arm(t, s, 2), _arm(t, s - 0.03, 6)])
    flags = reading_flags(fig, names)
    assert set(flags) == {"Chemotherapy"}
    assert ("6 px half width against 2 px for Observation, and its survival runs 0.030 lower than Observation's"
            in flags["Chemotherapy"])
    assert reading_flags(SimpleNamespace(arms=[_arm(t, s, 2), _arm(t, s - 0.03, 2)]), names) == {}
    assert reading_flags(SimpleNamespace(arms=[_arm(t, s, 2), _arm(t, s - 0.15, 6)]), names) == {}
    spreading = s - np.linspace(0.01, 0.05, t.size)
    assert reading_flags(SimpleNamespace(arms=[_arm(t, s, 2), _arm(t, spreading, 6)]), names) == {}
    assert reading_flags(SimpleNamespace(arms=[_arm(t, s - 0.03, 6)]), names[1:]) == {}


def test_band_edge_distance_is_in_survival_not_pixels():
    """The limit is 0.05 survival whatever the pixel scale: 30 px at 0.001 per px (0.030) is flagged, 20 px at
    0.004 per px (0.080, like mpl_default_004's correct pair at 26 px, 0.085) is not; a pixel limit of 25 did the
    opposite. The spread limit is 0.35 of the distance (sampled per column, within 0.01): a distance growing from
    0.025 to 0.035 (interquartile range 0.18 of the median 0.030) or from 0.0225 to 0.0375 (0.27) is flagged, one
    from 0.020 to 0.040 (0.36; survminer_bw_013 spread 0.41) or 0.015 to 0.045 (0.54; lifelines_003's correct pair
    spreads 0.48) is not; the 0.45 limit flagged all but the last."""
    t = np.arange(0.0, 24.0, 1.2)
    s = 1.0 - 0.02 * np.arange(t.size)
    names = ["A", "B"]

    def flags(lower, survival_per_px=0.0025):
        return reading_flags(SimpleNamespace(arms=[_arm(t, s, 2, survival_per_px),
                                                   _arm(t, s - lower, 6, survival_per_px)]), names)

    assert set(flags(0.03, survival_per_px=0.001)) == {"B"}
    assert flags(0.08, survival_per_px=0.004) == {}
    assert set(flags(np.linspace(0.025, 0.035, t.size))) == {"B"}
    assert set(flags(np.linspace(0.0225, 0.0375, t.size))) == {"B"}
    assert flags(np.linspace(0.020, 0.040, t.size)) == {}
    assert flags(np.linspace(0.015, 0.045, t.size)) == {}


def test_band_edge_needs_one_side_and_points_and_words_it_by_survival():
    """Two traces that cross (B 0.03 under A for 15 of its 19 steps, then 0.03 over it: the distance is 0.03 with no
    spread, but on one side in 79% of the columns, under the 85% rule) are not flagged, crossing two steps later
    (89%) is; an arm with no time point gives no offset (None, no IndexError); a trace 0.03
    over the other reads "higher" survival, which on a cumulative-incidence plot (traced as 1 - incidence) is the
    lower curve, so the words say survival, not above or below."""
    t = np.arange(0.0, 24.0, 1.2)
    s = 1.0 - 0.02 * np.arange(t.size)
    names = ["A", "B"]
    for cross_at, flagged in ((15, set()), (17, {"B"})):
        crossing = s - np.where(np.arange(t.size) < cross_at, 0.03, -0.03)
        assert set(reading_flags(SimpleNamespace(arms=[_arm(t, s, 2), _arm(t, crossing, 6)]), names)) == flagged
    assert _hugging_offset(_arm([], [], 6), _arm(t, s, 2)) is None
    assert _hugging_offset(_arm(t, s, 6), _arm([], [], 2)) is None
    assert reading_flags(SimpleNamespace(arms=[_arm(t, s, 2), _arm([], [], 6)]), names) == {}
    higher = reading_flags(SimpleNamespace(arms=[_arm(t, s - 0.1, 2), _arm(t, s - 0.07, 6)]), names)
    assert "its survival runs 0.030 higher than A's in 100% of their columns" in higher["B"]


def test_digitizer_noise_takes_the_hazard_sd_from_the_hidden_share():
    rec = {"A": SimpleNamespace(time=np.array([5.0, 10.0, 12.0]), event=np.array([1, 1, 0])),
           "B": SimpleNamespace(time=np.array([5.0, 10.0, 12.0]), event=np.array([1, 1, 0]))}
    noise = digitizer_noise(_digitized([0.3, 0.0]), ["A", "B"], rec, 0.0025)
    assert noise.arm_hazard == pytest.approx({"A": HIDDEN_HAZARD_SD * 0.3, "B": 0.0})
    assert set(noise.flags) == {"A"}
    assert noise.to_dict()["flags"] == dict(noise.flags)


def test_legend_order_is_not_settled():
    assert _legend_order([(40, 10), (20, 10)]).settled is False


def test_legend_order_reads_a_row_of_keys_left_to_right_though_their_rows_wander():
    # keys above the panel at rows 13, 13, 14 (survminer_bw_016's): sorted by (row, col), a key one pixel higher
    # than its left neighbour would come first and put the rows on swapped curves
    assert _legend_order([(14, 169), (13, 212), (14, 256)]).rows == (0, 1, 2)
    assert _legend_order([(13, 256), (14, 169), (13, 212)]).rows == (2, 0, 1)
    # a legend in a column: keys a line (8 px or more) apart are read top to bottom, whatever their columns
    assert _legend_order([(36, 100), (28, 102), (44, 99)]).rows == (1, 0, 2)


def test_flagged_reading_reaches_summary_and_report():
    curves, table = _figure(60, 2)
    noise = DigitizerNoise(arm_precision={"A": PIXEL, "B": PIXEL}, flags={"B": "fit score 0.55 (misfit above 1)"})
    rec, draws = _draws(curves, table, noise, n_draws=20)
    assert draws.parameters["reading"] == {"status": "flagged", "arms": {"B": "fit score 0.55 (misfit above 1)"}}
    summary = summarize_ipd(rec.to_frame(), landmarks=(12.0,))
    unc = summary_uncertainty(summary, draws)
    record = annotate_summary_dict(summary.to_dict(), unc)
    assert record["uncertainty"]["reading"]["status"] == "flagged"
    assert "B: fit score 0.55" in record["uncertainty"]["reading"]["note"]
    assert any(line.startswith("**Warning:** The reading may be grossly off") for line in
               uncertainty_section(summary, unc))
    _, ok = _draws(curves, table, DigitizerNoise(), n_draws=5)
    assert reading_status(ok.parameters) == {"status": "ok", "arms": {}, "note": ""}


def test_mix_draws_takes_the_last_share_of_draws_from_the_other_reading():
    """Half of 10 draws from a reading whose arms are swapped: draws 0-4 as the first, 5-9 as the second."""
    curves, table = _figure(60, 7)
    noise = DigitizerNoise(arm_precision={"A": PIXEL, "B": PIXEL})
    _, first = _draws(curves, table, noise, n_draws=10)
    swapped_curves = curves.assign(arm=curves["arm"].map({"A": "B", "B": "A"}))
    swapped_table = table.assign(arm=table["arm"].map({"A": "B", "B": "A"}))
    _, second = _draws(swapped_curves, swapped_table, noise, n_draws=10)
    mixed = mix_draws(first, second, share=0.5)
    assert mixed.arms == first.arms
    assert mixed.n_draws == 10
    assert mixed.parameters["mixed"] == {"share": 0.5, "draws": [5, 10]}
    frame, f1, f2 = mixed.to_frame(), first.to_frame(), second.to_frame()
    for arm in ("A", "B"):
        early = frame[(frame["arm"] == arm) & (frame["draw"] < 5)].reset_index(drop=True)
        late = frame[(frame["arm"] == arm) & (frame["draw"] >= 5)].reset_index(drop=True)
        pd.testing.assert_frame_equal(early, f1[(f1["arm"] == arm) & (f1["draw"] < 5)].reset_index(drop=True))
        pd.testing.assert_frame_equal(late, f2[(f2["arm"] == arm) & (f2["draw"] >= 5)].reset_index(drop=True))
    # the late draws of arm A follow the curve first read as B
    def events(f, arm):
        return f[(f["arm"] == arm) & (f["draw"] == 9)]["event"].sum()

    assert events(frame, "A") == events(f1, "B")
    assert events(frame, "A") != events(f1, "A")
    with pytest.raises(InputError, match="share"):
        mix_draws(first, second, share=1.5)


def _run(hidden, *, settled=True, kind="raster", draws=None, misread=(), swapped=(), warnings=()):
    """A stand-in for FigureRun: what kmrecon.run_draws.run_reading looks at."""
    digitized = _digitized(hidden)
    digitized.provenance = {"source_kind": kind}
    match = SimpleNamespace(settled=settled, basis="legend order")
    return SimpleNamespace(digitized=digitized, arm_names=["A", "B"], fit=(), match=match, draws=draws,
                           misread_arms=tuple(misread), swapped_tails=tuple(swapped), refit_arms=(),
                           warnings=tuple(warnings))


def test_an_arm_with_misread_cells_set_aside_is_flagged_once_with_or_without_draws():
    from kmrecon.run_draws import _run_flags, run_reading

    reading = run_reading(_run([0.0, 0.0], misread=("B",)))
    assert reading["status"] == "flagged"
    assert list(reading["arms"]) == ["B"]
    assert "its at-risk row was read in doubt" in reading["arms"]["B"]
    # the draws carry the flag (so summary.json and a batch row say it); reading them adds it no second time
    carried = _run_flags(_run([0.0, 0.0], misread=("B",)), {"A": "fit score 0.9"})
    assert carried["A"] == "fit score 0.9"
    assert carried["B"].count("read in doubt") == 1
    draws = SimpleNamespace(parameters={"reading": {"status": "flagged", "arms": carried}})
    again = run_reading(_run([0.0, 0.0], draws=draws, misread=("B",)))
    assert again["arms"]["B"].count("read in doubt") == 1
    assert run_reading(_run([0.0, 0.0]))["status"] == "ok"


def test_run_reading_without_draws_flags_from_the_figure():
    """--draws 0 keeps the flags: an untraced stretch, and a weak arm assignment on every arm."""
    from kmrecon.run_draws import run_reading

    reading = run_reading(_run([0.3, 0.0]))
    assert reading["status"] == "flagged" and list(reading["arms"]) == ["A"]
    assert "30% of its curve traced without its own ink" in reading["note"]
    weak = run_reading(_run([0.0, 0.0], settled=False))
    assert weak["status"] == "flagged" and set(weak["arms"]) == {"A", "B"}
    assert "legend order" in weak["arms"]["B"]
    assert run_reading(_run([0.0, 0.0]))["status"] == "ok"
    assert run_reading(_run([0.9, 0.9], kind="vector"))["status"] == "ok"  # exact coordinates: nothing to flag
    # but a vector figure's table is read as any other: its misread cells and a weak row match are flagged
    misread = run_reading(_run([0.9, 0.9], kind="vector", misread=("B",)))
    assert misread["status"] == "flagged" and list(misread["arms"]) == ["B"]
    weak = run_reading(_run([0.9, 0.9], kind="vector", settled=False))
    assert weak["status"] == "flagged" and set(weak["arms"]) == {"A", "B"}


def test_names_the_legend_and_the_table_give_crossed_flag_every_arm():
    from kmrecon.run_draws import run_reading
    from reconstruct.arm_names import CROSSED_NAMES_NOTE

    crossed = run_reading(_run([0.0, 0.0], warnings=(f"{CROSSED_NAMES_NOTE} (legend: 'B' on curve 1)",)))
    assert crossed["status"] == "flagged"
    assert set(crossed["arms"]) == {"A", "B"}
    assert all("its name in doubt" in why for why in crossed["arms"].values())
    assert run_reading(_run([0.0, 0.0], warnings=("arm labels read from the legend",)))["status"] == "ok"


def test_run_reading_prefers_the_draws_flags():
    from kmrecon.run_draws import run_reading

    draws = SimpleNamespace(parameters={"reading": {"status": "flagged", "arms": {"B": "fit score 0.95"}}})
    assert run_reading(_run([0.9, 0.0], draws=draws))["arms"] == {"B": "fit score 0.95"}


def test_reading_banner_only_for_a_flagged_reading():
    from kmrecon.run_outputs import reading_banner

    flagged = reading_status({"reading": {"status": "flagged", "arms": {"A": "50% of its curve traced"}}})
    banner = reading_banner(flagged)
    assert banner.startswith("READING FLAGGED: the reading may be grossly off (A: 50% of its curve traced)")
    assert banner.endswith("check overlay.png before quoting these numbers.")
    assert reading_banner(reading_status({})) is None


def test_batch_reading_column_falls_back_to_run_json(tmp_path):
    """A run without draws has no uncertainty section: the batch reads run.json's reading."""
    import json

    from kmrecon.batch_intervals import interval_columns

    (tmp_path / "summary.json").write_text(json.dumps({"summary": {"arms": [], "contrasts": []}}))
    (tmp_path / "run.json").write_text(json.dumps({"reading": {"status": "flagged", "arms": {"A": "x"}}}))
    assert dict(interval_columns(tmp_path / "summary.json"))["reading"] == "flagged"
    (tmp_path / "run.json").unlink()
    assert dict(interval_columns(tmp_path / "summary.json"))["reading"] == ""


def test_a_vector_run_with_draws_and_an_unsettled_row_match_is_flagged(tmp_path):
    """A vector PDF run (exact curves, no digitizer noise) whose row match is unsettled: flagged with draws
    as without, in run.json's reading and in the draws' parameters (summary.json, batch rows)."""
    from dataclasses import replace

    from kmrecon.run import run_figure
    from kmrecon.run_draws import run_draws, run_reading
    from tests._km_vector_figures import at_risk_frame, draw_km, save, simulate_arms

    fig, truths, x_max = draw_km(simulate_arms(2, seed=20240101))
    table = tmp_path / "at_risk.csv"
    at_risk_frame(truths, np.arange(0, x_max, 6.0)).to_csv(table, index=False)
    run = run_figure(save(fig, tmp_path / "km.pdf"), at_risk_path=table, draws=0)
    assert run.digitized.provenance["source_kind"] == "vector"
    assert run_reading(run)["status"] == "ok"
    weak = replace(run, match=replace(run.match, settled=False, basis="fit+step counts"))
    draws, note = run_draws(weak, n_draws=4)
    assert note == "" and draws is not None
    assert set(draws.parameters["reading"]["arms"]) == set(run.arm_names)
    for sample in (draws, None):
        reading = run_reading(weak, sample)
        assert reading["status"] == "flagged" and set(reading["arms"]) == set(run.arm_names)
        assert all(why.count("the arms may be swapped") == 1 for why in reading["arms"].values())
    summary = summarize_ipd(weak.reconstruction.to_frame(), landmarks=(12.0,))
    record = annotate_summary_dict(summary.to_dict(), summary_uncertainty(summary, draws))
    assert record["uncertainty"]["reading"]["status"] == "flagged"
    # a settled vector run's draws carry no reading (nothing to flag), as before
    plain, _ = run_draws(run, n_draws=4)
    assert "reading" not in plain.parameters and run_reading(run, plain)["status"] == "ok"


def test_an_axis_calibrated_over_misread_tick_labels_flags_every_arm():
    # x labels kept by the tick grid's vote, or 0 to 1 assumed over two y labels read off their step: a guess
    from kmrecon.run_draws import run_reading

    for axis, source in (("x_calibration", "voted"), ("y_calibration", "assumed over labels")):
        run = _run([0.0, 0.0])
        getattr(run.digitized, axis).source = source
        reading = run_reading(run)
        assert reading["status"] == "flagged"
        assert sorted(reading["arms"]) == ["A", "B"]
        assert "misread tick labels" in reading["arms"]["A"]
    # 0 to 1 assumed where no y label was read at all (as before): not flagged for it
    run = _run([0.0, 0.0])
    run.digitized.y_calibration.source = "assumed"
    assert run_reading(run)["status"] == "ok"
