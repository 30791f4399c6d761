"""The second tracing of a grey figure by line type, tried when a run stops (issue 12): when it is tried at all."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

import kmrecon.run as run_module
from kmrecon.run_draws import run_reading
from kmrecon.run_style import Traced, by_line_style, by_style_note, run_or_by_style
from kmrecon.synthetic_figures import generate_figure
from reconstruct.document import open_document
from reconstruct.errors import AmbiguousMatchError, MisfitError, ReconstructionError
from reconstruct.extra_curves import BY_STYLE_NOTE


def _seen(*colours, rows=2):
    return [Traced(SimpleNamespace(arms=[SimpleNamespace(colour=c) for c in colours]), rows)]


@pytest.mark.parametrize(("kind", "colours", "rows", "tried"), [
    pytest.param("image", ("#1a1a1a", "#7f7f7f", "#9c9c9c"), 3, True, id="greys"),
    pytest.param("image", ("#1a1a1a", "#1a1a1a"), 2, True, id="one-black"),
    pytest.param("image", ("#000000", "#e41a1c"), 2, False, id="a-red-arm"),
    pytest.param("image", ("#606a60", "#7f7f7f"), 2, True, id="jpeg-tinted-grey"),  # 10 levels apart: still a grey
    pytest.param("image", ("#40607f", "#7f7f7f"), 2, False, id="a-blue-grey"),  # 63 levels apart: a colour
    pytest.param("pdf", ("#000000", "#7f7f7f"), 2, False, id="vector"),
    pytest.param("image", (None, "#7f7f7f"), 2, False, id="no-colour"),
    pytest.param("image", ("#000000", "#7f7f7f"), 0, False, id="no-table"),
])
def test_only_raster_figures_in_greys_with_a_table_are_traced_again(kind, colours, rows, tried):
    calls = []

    def once(document, **options):
        calls.append(options["by_style"])
        raise ReconstructionError("expected a match, got none")

    document = SimpleNamespace(kind=kind)
    assert by_line_style(document, _seen(*colours, rows=rows), {}, once) is None  # the second run failed too
    assert calls == ([True] if tried else [])


@pytest.mark.parametrize(("basis", "status", "kept"), [
    pytest.param("label", "ok", True, id="labels"),
    pytest.param("fit", "ok", True, id="fit-by-its-margin"),
    pytest.param("step counts", "ok", False, id="step-counts"),
    pytest.param("label", "misfit", False, id="misfit"),
    pytest.param(None, "ok", False, id="no-table"),
])
def test_the_second_run_is_kept_only_when_the_table_tells_its_arms_apart(basis, status, kept):
    second = SimpleNamespace(status=status, match=None if basis is None else SimpleNamespace(basis=basis, settled=True))
    got = by_line_style(SimpleNamespace(kind="image"), _seen("#000000", "#555555"), {},
                        lambda document, **options: second)
    assert (got is second) == kept


@pytest.mark.parametrize(("basis", "named_ok", "kept"), [
    pytest.param("placed names", True, True, id="names-placed-after-an-ambiguous-match"),
    pytest.param("label", True, True, id="names-at-the-ends-after-an-ambiguous-match"),
    pytest.param("placed names", False, False, id="names-placed-after-another-stop"),
    pytest.param("legend order", True, False, id="legend-order"),
    pytest.param("step counts", True, False, id="step-counts"),
])
def test_names_that_place_the_curves_keep_the_second_run_flagged_only_after_an_ambiguous_match(basis, named_ok, kept):
    # nejm_004 of seed 8081: the first tracing's tails touched, nothing told the rows apart (AmbiguousMatchError);
    # traced by line type, the names printed at the curves' ends place them (an unsettled match: flagged)
    second = SimpleNamespace(status="ok", match=SimpleNamespace(basis=basis, settled=False))
    got = by_line_style(SimpleNamespace(kind="image"), _seen("#000000", "#555555"), {},
                        lambda document, **options: second, named_ok=named_ok)
    assert (got is second) == kept


@pytest.mark.parametrize(("error", "kept"), [
    pytest.param(AmbiguousMatchError(("no row told apart",)), True, id="ambiguous-match"),
    pytest.param(ReconstructionError("expected a fit, got none"), False, id="another-stop"),
])
def test_only_an_ambiguous_first_run_lets_names_placed_by_position_keep_the_retry(error, kept):
    second = SimpleNamespace(status="ok", match=SimpleNamespace(basis="placed names", settled=False))

    def once(document, seen, by_style=False, **options):
        if by_style:
            return second
        seen.append(_seen("#000000", "#555555")[0])
        raise error

    if kept:
        assert run_or_by_style(SimpleNamespace(kind="image"), {}, once) is second
    else:
        with pytest.raises(ReconstructionError):
            run_or_by_style(SimpleNamespace(kind="image"), {}, once)


def test_the_note_says_why_the_first_tracing_stopped_in_short():
    why = "expected arms the at-risk table tells apart, got an ambiguous match " + "x" * 300 + "\nhint: second line"
    note = by_style_note(why)
    assert note.startswith(BY_STYLE_NOTE + ": the first tracing stopped (expected arms the at-risk table")
    assert "second line" not in note
    assert len(note) <= len(BY_STYLE_NOTE) + 30 + 120


class _Once:
    """Stand-in for kmrecon.run._run_once: the first run (by_style False) raises ``first``; the second returns a run
    carrying its notes, or raises ``second``. Both record a grey figure with a two-row table in ``seen``."""

    def __init__(self, first, second=None):
        self.first, self.second, self.calls = first, second, []

    def __call__(self, document, *, seen, by_style=False, prior_notes=(), **options):
        self.calls.append(by_style)
        seen.append(Traced(SimpleNamespace(arms=[SimpleNamespace(colour="#000000"), SimpleNamespace(colour="#7f7f7f")]),
                           n_rows=2))
        if not by_style:
            raise self.first
        if self.second is not None:
            raise self.second
        return SimpleNamespace(
            status="ok", warnings=tuple(prior_notes), arm_names=("A", "B"), misread_arms=(), swapped_tails=(),
            refit_arms=(), digitized=SimpleNamespace(), match=SimpleNamespace(basis="label", settled=True))


@pytest.fixture
def image_document(monkeypatch):
    monkeypatch.setattr(run_module, "open_document", lambda path: SimpleNamespace(kind="image", path=str(path)))


def test_run_figure_returns_the_retry_and_its_reading_is_flagged(monkeypatch, image_document):
    once = _Once(ReconstructionError("expected a settled match, got an ambiguous match"))
    monkeypatch.setattr(run_module, "_run_once", once)
    run = run_module.run_figure("figure.png")
    assert once.calls == [False, True]
    assert run.warnings == (f"{BY_STYLE_NOTE}: the first tracing stopped (expected a settled match, got an "
                            "ambiguous match)",)
    ok_draws = SimpleNamespace(parameters={"reading": {"status": "ok", "arms": {}}})
    reading = run_reading(run, ok_draws)
    assert reading["status"] == "flagged"
    assert all("traced again by line type" in reading["arms"][arm] for arm in ("A", "B"))


def test_run_figure_raises_the_first_error_when_the_retry_fails_too(monkeypatch, image_document):
    first = MisfitError("expected a fit within 0.01, got 0.05", fits=(), result=None)
    monkeypatch.setattr(run_module, "_run_once", _Once(first, ReconstructionError("expected rows, got none")))
    with pytest.raises(MisfitError) as caught:
        run_module.run_figure("figure.png")
    assert caught.value is first


def _basic_run_options(tmp_path):
    gen = generate_figure("basic", 3)
    path = tmp_path / f"figure{gen.suffix}"
    path.write_bytes(gen.image_bytes)
    sizes = {a.label: a.time.size for a in gen.truth.arms}
    options = dict(at_risk_path=None, x_range=gen.truth.x_range, y_range=gen.truth.y_range, arm_names=None,
                   n_patients=sizes, total_events=None, method="steps", use_censor_marks=True, page=None, index=None,
                   accept_misfit=True, draws=0, seed=0)
    return open_document(path), options


def test_a_retry_that_traces_the_same_paths_stops_before_the_table(tmp_path, monkeypatch):
    document, options = _basic_run_options(tmp_path)  # coloured curves: nothing to trace by line type
    monkeypatch.setattr(run_module, "figure_rows", lambda *a: pytest.fail("the table read for a retry of nothing"))
    with pytest.raises(ReconstructionError, match="expected curves traced again by line type"):
        run_module._run_once(document, seen=[], by_style=True, **options)


def test_the_run_records_by_style_in_its_provenance_and_flags_the_retraced_reading(tmp_path, monkeypatch):
    import reconstruct.document as document_module

    document, options = _basic_run_options(tmp_path)
    plain = run_module._run_once(document, seen=[], **options)
    real = document_module.digitize_document

    def restyled(*args, **kwargs):  # as if the tracing by line type had replaced the paths
        fig = real(*args, **kwargs)
        return dataclasses.replace(fig, provenance={**fig.provenance, "by_style_traced": True})

    monkeypatch.setattr(document_module, "digitize_document", restyled)
    again = run_module._run_once(document, seen=[], by_style=True, prior_notes=(by_style_note("status misfit"),),
                                 **options)
    assert plain.provenance["parameters"]["by_style"] is False
    assert again.provenance["parameters"]["by_style"] is True
    assert again.digitized.provenance["parameters"]["by_style"] is True
    assert again.warnings[0] == f"{BY_STYLE_NOTE}: the first tracing stopped (status misfit)"
    assert run_reading(plain)["status"] == "ok"
    assert run_reading(again)["status"] == "flagged"
