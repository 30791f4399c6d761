"""The wild benchmark's scoring: a swap of arm names is caught, and the stage timer names functions that exist."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("pairs", "swapped"), [
    ({"Control": ("Control", 0.004), "Experimental": ("Experimental", 0.005)}, False),
    ({"Control": ("Experimental", 0.004), "Experimental": ("Control", 0.005)}, True),   # nejm_007's swap
    ({"Control": ("Expermental", 0.004), "Experimental": ("Cortrol", 0.005)}, True),    # with OCR slips
    ({"Control": ("Cortrol", 0.004), "Experimental": ("Expermental", 0.005)}, False),
    ({"Control": ("arm1", 0.004), "Experimental": ("arm2", 0.005)}, False),             # legend not read
    ({"Arm A": ("Arm B", 0.004), "Arm B": ("Arm A", 0.005)}, True),
])
def test_a_curve_named_after_another_true_arm_is_a_swap(pairs, swapped):
    bench = _script("bench_wild")
    assert bench._swapped(list(pairs), pairs) is swapped


def test_the_stage_timer_names_functions_that_exist():
    stages = _script("bench_stages")
    for module, function, _ in stages.STAGES:
        assert callable(getattr(importlib.import_module(module), function, None)), f"{module}.{function}"
    for module, function in stages.OCR_CALLS:
        assert callable(getattr(importlib.import_module(module), function, None)), f"{module}.{function}"
