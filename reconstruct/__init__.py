"""Figure -> curves -> individual patient data.

Digitizing (OpenCV, OCR, PDF) is loaded lazily, on first use of one of its names, so importing
:mod:`reconstruct` (and :mod:`compare`, which uses its I/O and errors) does not load OpenCV.
"""

import importlib
from typing import Any

from reconstruct._clean import CleanedAtRisk, CleanedCurve, clean_at_risk, clean_curve
from reconstruct._io import (
    provenance,
    read_at_risk_csv,
    read_curves_csv,
    read_ipd_csv,
    sha256_file,
    write_csv,
    write_json,
)
from reconstruct._reconstruct import km_at, reconstruct_arm, reconstruct_files, reconstruct_ipd
from reconstruct._results import ArmReconstruction, FidelityReport, IPDReconstruction
from reconstruct._simulate import SimulatedArm, km_step_points, number_at_risk, simulate_arm

# Names whose modules load OpenCV, the OCR engine or the PDF reader: imported on first access.
_LAZY = {
    "AxisCalibration": "reconstruct._axes",
    "DigitizedArm": "reconstruct._digitize",
    "DigitizedFigure": "reconstruct._digitize",
    "digitize_figure": "reconstruct._digitize",
    "digitize_image": "reconstruct._digitize",
    "digitize_document": "reconstruct._pdf",
    "digitize_pdf": "reconstruct._pdf",
    "find_km_plots": "reconstruct._pdf",
    "read_document_at_risk": "reconstruct._pdf",
    "digitize_svg": "reconstruct._svg",
    "read_risk_table": "reconstruct._risk_table",
    "FigureRun": "reconstruct._run",
    "run_figure": "reconstruct._run",
    "write_run_outputs": "reconstruct._run_outputs",
    "IPDDraws": "reconstruct._draws",
    "draw_ipd": "reconstruct._draws",
    "BatchItem": "reconstruct._batch",
    "BatchReport": "reconstruct._batch",
    "collect_batch": "reconstruct._batch",
    "run_batch": "reconstruct._batch",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'reconstruct' has no attribute {name!r}")


__all__ = [
    *sorted(_LAZY),
    "ArmReconstruction",
    "CleanedAtRisk",
    "CleanedCurve",
    "FidelityReport",
    "IPDReconstruction",
    "SimulatedArm",
    "clean_at_risk",
    "clean_curve",
    "km_at",
    "km_step_points",
    "number_at_risk",
    "provenance",
    "read_at_risk_csv",
    "read_curves_csv",
    "read_ipd_csv",
    "reconstruct_arm",
    "reconstruct_files",
    "reconstruct_ipd",
    "sha256_file",
    "simulate_arm",
    "write_csv",
    "write_json",
]
