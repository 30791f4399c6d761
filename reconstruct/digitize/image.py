"""Loading and normalising figure images: size limit, colour layout, deskewing.

Pixel arrays are ``(row, col)`` with the origin at the top-left; colour images are RGB
``uint8`` of shape ``(rows, cols, 3)``. OpenCV's ``(x, y)`` order appears only inside
this package and is converted at the call site.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.io import sha256_file
from reconstruct.errors import ImageError
from reconstruct.limits import LIMITS, LimitError, limit_value

__all__ = ["LoadedImage", "load_image", "decode_image", "estimate_skew_deg", "rotate_image"]

_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}


@dataclass(frozen=True, eq=False)
class LoadedImage:
    """A decoded figure.

    Attributes
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
        Colour pixels (greyscale inputs are replicated to three channels).
    path : str or None
        Source file, when read from one.
    sha256 : str or None
        Hex digest of the source file's bytes.
    """

    rgb: NDArray[np.uint8]
    path: str | None
    sha256: str | None

    @property
    def gray(self) -> NDArray[np.uint8]:
        """Luminance, ndarray of shape (rows, cols), uint8."""
        return cv2.cvtColor(self.rgb, cv2.COLOR_RGB2GRAY)


def _header_size(path: str) -> tuple[int, int] | None:
    """Image (cols, rows) from the file header, without decoding the pixels (None if unknown)."""
    try:
        from PIL import Image  # pillow ships with matplotlib; used here only to read the header lazily

        with Image.open(path) as image:
            return image.size
    except (OSError, ValueError, ImportError):
        return None
    except Image.DecompressionBombError:  # pillow refuses headers over twice its own limit before we can look
        raise LimitError(LIMITS["image_pixels"], 2 * (Image.MAX_IMAGE_PIXELS or 0), source=path,
                         at_least=True) from None


def _quiet_imdecode(data: bytes):
    """``cv2.imdecode`` without OpenCV's own stderr chatter on broken files (our message says it in one line)."""
    from cv2.utils import logging as cv_logging

    level = cv_logging.getLogLevel()
    cv_logging.setLogLevel(cv_logging.LOG_LEVEL_SILENT)
    saved = os.dup(2)  # libpng and libjpeg print their own errors on file descriptor 2
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        cv_logging.setLogLevel(level)


def decode_image(data: bytes, *, source: str | None = None) -> NDArray[np.uint8]:
    """Decode encoded image bytes (PNG, JPEG, TIFF, BMP) to RGB ``uint8`` of shape (rows, cols, 3).

    Raises
    ------
    ImageError
        If the bytes are not a decodable image.
    LimitError
        If the image exceeds the ``image_pixels`` limit (:mod:`reconstruct.limits`).
    """
    try:
        array = _quiet_imdecode(data) if data else None
    except cv2.error:  # OpenCV raises on some truncated or malformed files instead of returning None
        array = None
    if array is None or array.size == 0:
        raise ImageError("expected a PNG, JPEG, TIFF or BMP image, got bytes OpenCV cannot decode", source=source)
    if array.dtype.kind != "u":
        raise ImageError(f"expected 8- or 16-bit unsigned integer pixels, got {array.dtype}; save the figure as an "
                         "8-bit PNG", source=source)
    if array.ndim == 3 and array.shape[2] == 2:  # grey + alpha
        array = np.ascontiguousarray(array[:, :, [0, 0, 0, 1]])
    if array.ndim == 2:
        array = cv2.cvtColor(array, cv2.COLOR_GRAY2RGB)
    elif array.shape[2] == 4:
        top = float(np.iinfo(array.dtype).max)  # 255 or 65535: alpha scales with the bit depth
        alpha = array[:, :, 3:4].astype(np.float32) / top
        flat = array[:, :, :3].astype(np.float32) * alpha + top * (1.0 - alpha)
        array = cv2.cvtColor(np.round(flat).astype(array.dtype), cv2.COLOR_BGR2RGB)
    else:
        array = cv2.cvtColor(array[:, :, :3], cv2.COLOR_BGR2RGB)
    if array.dtype != np.uint8:
        array = (array / (np.iinfo(array.dtype).max / 255.0)).astype(np.uint8)
    _check_size(array.shape[0], array.shape[1], source)
    return np.ascontiguousarray(array)


def _check_size(rows: int, cols: int, source: str | None) -> None:
    if rows * cols > limit_value("image_pixels"):
        raise LimitError(LIMITS["image_pixels"], rows * cols, source=source)
    if rows < 50 or cols < 50:
        raise ImageError(f"expected an image of at least 50 x 50 pixels, got {cols} x {rows}", source=source)


def load_image(path: str | os.PathLike[str]) -> LoadedImage:
    """Read a figure file.

    Parameters
    ----------
    path : path-like
        PNG, JPEG, TIFF or BMP file, colour or greyscale.

    Returns
    -------
    LoadedImage

    Raises
    ------
    ImageError
        Missing or unreadable file or unsupported format.
    LimitError
        More pixels than the ``image_pixels`` limit (:mod:`reconstruct.limits`), checked from the
        header before decoding when possible.
    """
    path = os.fspath(path)
    source = path
    if not os.path.isfile(path):
        raise ImageError("expected an existing image file, got a missing path", source=source)
    if os.path.splitext(path)[1].lower() not in _SUFFIXES:
        raise ImageError(
            f"expected a file ending in one of {sorted(_SUFFIXES)}, got {os.path.splitext(path)[1]!r}", source=source
        )
    size = _header_size(path)
    if size is not None:
        _check_size(size[1], size[0], source)
    with open(path, "rb") as handle:
        data = handle.read()
    return LoadedImage(rgb=decode_image(data, source=source), path=path, sha256=sha256_file(path))


def estimate_skew_deg(gray: NDArray[np.uint8], *, max_deg: float = 3.0) -> float:
    """Rotation (degrees, counter-clockwise positive as in OpenCV) of a slightly rotated figure.

    Projection-profile method: dark pixels are projected onto rows and columns of a
    coordinate frame turned by each candidate angle; axes, panel borders and flat curve
    stretches make the profiles sharpest (largest sum of squares) at the true skew.
    OpenCV has no deskew routine, hence this short search.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
    max_deg : float, default 3.0
        Largest skew searched for.

    Returns
    -------
    float
        Estimated rotation; rotating by its negative straightens the figure.
    """
    rows, cols = gray.shape
    row, col = np.nonzero(gray < 128)
    if row.size < 0.01 * gray.size:  # a pale scan (grey ink on tinted paper): dark is below Otsu's threshold
        otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        row, col = np.nonzero(gray < min(max(float(otsu), 128.0), 200.0))
    if row.size < 50:
        return 0.0
    if row.size > 60_000:
        pick = np.linspace(0, row.size - 1, 60_000).astype(int)
        row, col = row[pick], col[pick]
    # whole-pixel centre: with a half-pixel one, rounding halves to even merges pairs of rows at angle 0
    # exactly and doubles the sharpness there, so that small skews of odd-sized images read as none
    row = row - rows // 2
    col = col - cols // 2

    def sharpness(angle: float) -> float:
        theta = np.radians(angle)
        r = np.round(row * np.cos(theta) + col * np.sin(theta)).astype(int)
        c = np.round(col * np.cos(theta) - row * np.sin(theta)).astype(int)
        return float(np.sum(np.bincount(r - r.min()) ** 2.0) + np.sum(np.bincount(c - c.min()) ** 2.0))

    coarse = np.arange(-max_deg, max_deg + 1e-9, 0.1)
    best = coarse[int(np.argmax([sharpness(a) for a in coarse]))]
    fine = np.arange(best - 0.3, best + 0.3 + 1e-9, 0.01)
    score = np.array([sharpness(a) for a in fine])
    best = float(np.mean(fine[score >= score.max() * (1 - 1e-9)]))  # centre of the flat top
    resolution = np.degrees(2.5 / max(rows, cols))  # below this the lines move by less than 2.5 px
    # A real skew sharpens the profiles clearly (wild corpus: >= 1.11x for 0.17-2 degrees); an upright figure
    # with long sloping curves can peak a few percent off zero (<= 1.04x), which is no skew.
    clear = score.max() >= 1.08 * sharpness(0.0)
    return best if abs(best) >= max(0.2, resolution) and clear else 0.0


def rotate_image(rgb: NDArray[np.uint8], angle_deg: float) -> NDArray[np.uint8]:
    """Rotate about the image centre by ``angle_deg`` (counter-clockwise), filling with white."""
    rows, cols = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((cols / 2.0, rows / 2.0), angle_deg, 1.0)
    return cv2.warpAffine(rgb, matrix, (cols, rows), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))
