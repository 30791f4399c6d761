"""Shared fixtures: a fixed random generator, the Agg backend, and the optional ../shared data."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# Property tests draw the same examples on every run (CI cannot fail on a new random draw);
# explore with ``--hypothesis-seed=N`` and pin what that finds as explicit cases.
settings.register_profile("kmrecon", derandomize=True)
settings.load_profile("kmrecon")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE = REPO / "tests" / "reference"


@pytest.fixture
def rng() -> np.random.Generator:
    """The one seeded generator tests draw from."""
    return np.random.default_rng(20240101)


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the repository; skips the test when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present on this machine")
    return SHARED


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
