"""Figure -> curves -> individual patient data.

Digitizing (OpenCV) is loaded lazily, so importing :mod:`reconstruct` (and
:mod:`compare`, which uses its I/O and errors) does not load OpenCV.
"""

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

__all__ = [
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
