"""Names given with ``--n`` that the figure's legend does not print: matched to the curves, never a bad-input exit."""

from __future__ import annotations

import pytest

from kmrecon.run import run_figure
from kmrecon.synthetic_figures import generate_figure
from reconstruct.errors import InputError, ReconstructionError


@pytest.fixture(scope="module")
def legend_figure(tmp_path_factory):
    """Two arms, "Arm A" and "Arm B" in the legend, no at-risk table (curve 1 is Arm B at this seed)."""
    gen = generate_figure("basic", 3)
    path = tmp_path_factory.mktemp("fig") / f"figure{gen.suffix}"
    path.write_bytes(gen.image_bytes)
    return path, gen.truth


def test_a_name_the_legend_does_not_print_goes_to_the_curve_left_over(legend_figure):
    # "Control" is nowhere in the figure; "Arm A" names one curve, so "Control" is the other one's
    path, truth = legend_figure
    sizes = {a.label: a.time.size for a in truth.arms}
    run = run_figure(path, x_range=truth.x_range, y_range=truth.y_range, draws=0,
                     n_patients={"Arm A": sizes["Arm A"], "Control": sizes["Arm B"]})
    assert run.arm_names == ("Control", "Arm A")
    assert run.reconstruction["Arm A"].n_patients == sizes["Arm A"]
    assert any(w.startswith("arm names: the arms given with --n matched to the curves") and "label" in w
               for w in run.warnings)


def test_more_names_than_curves_is_a_count_error_not_a_name_error(legend_figure):
    path, truth = legend_figure
    with pytest.raises(ReconstructionError, match=r"expected one curve per arm given with --n \(3: .*got 2 curves"):
        run_figure(path, x_range=truth.x_range, y_range=truth.y_range, draws=0,
                   n_patients={"Nivolumab": 100, "Nivolumab + Ipilimumab": 100, "Placebo": 100})


def test_names_given_twice_that_disagree_stay_a_bad_input(legend_figure):
    # --arm-names and --n both come from the user: a name in --n that --arm-names lacks is theirs to fix
    path, truth = legend_figure
    with pytest.raises(InputError, match="check the arm names"):
        run_figure(path, x_range=truth.x_range, y_range=truth.y_range, draws=0, arm_names=["first", "second"],
                   n_patients={"first": 100, "third": 100})


@pytest.mark.parametrize(
    ("labels", "given", "crossed"),
    [
        # seed-9091 survminer_classic_006: the legend's "Nivolumab" on curve 1, the table's "f Nivolumab" on curve 2
        (["Nivolumab", None], ["I", "f Nivolumab"], [(0, 1)]),
        (["Nivolumab", "Placebo"], ["Placebo", "Nivolumab"], [(0, 1), (1, 0)]),
        (["Group 1", "Group 2"], ["Group 2", "Group 1"], [(0, 1), (1, 0)]),
        (["Nivolumab", "Placebo"], ["Nivolumab", "Placebo"], []),
        (["Névolumab", None], ["Nivolumab", "Placebo"], []),  # an OCR slip of its own row's name
        (["Group 1", None], ["Group 1", "Group 2"], []),       # "Group 1" is no name of "Group 2"
        ([None, None], ["A", "B"], []),
    ],
)
def test_a_legend_label_naming_another_curves_row_is_crossed(labels, given, crossed):
    from reconstruct.arm_names import crossed_names

    assert crossed_names(labels, given) == crossed

    from reconstruct.arm_names import CROSSED_NAMES_NOTE, crossed_note

    note = crossed_note(labels, given)
    assert note.startswith(CROSSED_NAMES_NOTE) if crossed else note == ""
