"""The public surface: every exported name resolves, and importing the packages loads no heavy engine."""

from __future__ import annotations

import subprocess
import sys

import pytest

import compare
import figures
import reconstruct
from tests.conftest import REPO


@pytest.mark.parametrize("package", [reconstruct, compare, figures], ids=lambda p: p.__name__)
def test_every_exported_name_resolves(package):
    missing = [name for name in package.__all__ if getattr(package, name, None) is None]
    assert missing == []
    assert len(package.__all__) == len(set(package.__all__))


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        reconstruct.nonexistent  # noqa: B018 - the access is the test


def test_importing_the_packages_loads_no_opencv_ocr_or_pdf_reader():
    heavy = "('cv2', 'rapidocr', 'onnxruntime', 'pdfminer', 'svgelements')"
    code = f"import sys, reconstruct, compare, figures; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"
