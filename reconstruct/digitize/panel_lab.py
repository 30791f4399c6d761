"""A panel crop's Lab image and background colour, computed once per crop's pixels.

The legend check (:func:`reconstruct.digitize.legend_veil.unveil`), the figure's contrast map, the tracer
(:func:`reconstruct.digitize.colour_paths.trace_arms`) and the arm recovery each need the Lab image of the
same panel crop and its most common colour (~13 ms for a 600 x 700 crop). The last crops converted are
kept with their pixels and a repeat with the same pixels (``np.array_equal``, ~0.3 ms) gets the same
arrays back: the conversion is deterministic, so every result is what a fresh conversion gives. Hand-written
as OpenCV and NumPy offer no memory of results; ``functools.lru_cache`` cannot key on an array.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.curves import background_lab

__all__ = ["lab_and_background", "forget_labs"]

_KEEP = 2  # the crop before and after the legend check; a figure digitized again converts the same ones
_KNOWN: list[tuple[NDArray[np.uint8], NDArray[np.float32], NDArray[np.float32]]] = []
_LOCK = threading.Lock()


def lab_and_background(rgb: NDArray[np.uint8]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """OpenCV's 8-bit Lab of ``rgb`` as float32 (read-only) and :func:`background_lab` of it (a fresh copy).

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8

    Returns
    -------
    lab : ndarray of shape (rows, cols, 3), float32, not writeable
        ``cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)``.
    bg : ndarray of shape (3,), float32
        ``background_lab(lab)``.
    """
    rgb = np.asarray(rgb)
    with _LOCK:
        for seen, lab, bg in _KNOWN:
            if seen.shape == rgb.shape and seen.dtype == rgb.dtype and np.array_equal(seen, rgb):
                return lab, bg.copy()
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    bg = background_lab(lab)
    lab.flags.writeable = False
    with _LOCK:
        _KNOWN.insert(0, (rgb.copy(), lab, bg))
        del _KNOWN[_KEEP:]
    return lab, bg.copy()


def forget_labs() -> None:
    """Empty the memory of crops converted before."""
    with _LOCK:
        _KNOWN.clear()
