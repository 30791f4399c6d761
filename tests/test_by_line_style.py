"""The second tracing of a grey figure by line type, tried when a run stops (issue 12): when it is tried at all."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kmrecon.run_style import by_line_style
from reconstruct.errors import ReconstructionError


def _seen(*colours, rows=2):
    return [SimpleNamespace(arms=[SimpleNamespace(colour=c) for c in colours]), rows]


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
