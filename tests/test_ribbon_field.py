"""shades.RibbonField: the colour-free work of scoring lines under ribbons, done once per crop, same numbers."""

import numpy as np
import pytest

from reconstruct.digitize import shades
from reconstruct.digitize._channels import channel_norm, minus_colour, off_ray_norm
from reconstruct.digitize.curves import LineColour


def _old_under(rgb, local_bg, bg_rgb, colour):
    """membership_under_ribbon as written before RibbonField (stop 34), for comparison."""
    direction = np.asarray(colour.rgb, dtype=np.float32) - bg_rgb
    norm2 = float(direction @ direction)
    diff = rgb.astype(np.float32) - local_bg.astype(np.float32)
    alpha = diff @ direction / max(norm2, 1e-6)
    residual = off_ray_norm(diff, alpha, direction)
    field = minus_colour(local_bg.astype(np.float32), bg_rgb)
    field_alpha = field @ direction / max(norm2, 1e-6)
    field_residual = off_ray_norm(field, field_alpha, direction)
    shaded = (channel_norm(field) > 12.0) & ((field_residual > 20.0) | (field_alpha < 0.35))
    ok = shaded & (alpha >= 0.35) & (alpha <= 1.2) & (residual < 18.0 + 0.06 * np.sqrt(norm2))
    return np.where(ok, np.clip(alpha, 0.0, 1.0), 0.0).astype(np.float32)


def _old_pale(rgb, local_bg, bg_rgb, colour):
    """pale_field as written before RibbonField (stop 34), for comparison."""
    direction = np.asarray(colour.rgb, dtype=np.float32) - bg_rgb
    field = local_bg.astype(np.float32)
    alpha = minus_colour(field, bg_rgb) @ direction / max(float(direction @ direction), 1e-6)
    flat = channel_norm(rgb.astype(np.float32) - field) < 12.0
    return flat & (alpha < 0.6)


@pytest.fixture
def ribboned_crop():
    """A 60 x 80 panel: white paper, a pale blue band with a red line through it, noise of +-6 grey levels."""
    rng = np.random.default_rng(7)
    rgb = np.full((60, 80, 3), 250, np.int16)
    rgb[20:45] = (200, 215, 245)  # ribbon
    rgb[30:33] = (205, 40, 40)  # line through it
    rgb += rng.integers(-6, 7, rgb.shape, dtype=np.int16)
    rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    return rgb, shades.local_background(rgb, 2), np.float32([250.0, 250.0, 250.0])


@pytest.mark.parametrize("colour_rgb", [(205, 40, 40), (30, 60, 200), (120, 120, 120)])
def test_field_scores_every_colour_as_the_one_colour_functions_did(ribboned_crop, colour_rgb):
    rgb, local_bg, bg_rgb = ribboned_crop
    colour = LineColour((0.0, 0.0, 0.0), colour_rgb, 500)
    field = shades.RibbonField.of(rgb, local_bg, bg_rgb)
    under, pale = field.under(colour, bg_rgb), field.pale(colour, bg_rgb)
    # bit for bit (tolerance 0): the same float32 operations in the same order
    assert np.array_equal(under, _old_under(rgb, local_bg, bg_rgb, colour))
    assert np.array_equal(pale, _old_pale(rgb, local_bg, bg_rgb, colour))
    assert np.array_equal(shades.membership_under_ribbon(rgb, local_bg, bg_rgb, colour), under)
    assert np.array_equal(shades.pale_field(rgb, local_bg, bg_rgb, colour), pale)



@pytest.mark.parametrize("colour_rgb", [(205, 40, 40), (200, 215, 245)])  # the line's colour, the ribbon's
@pytest.mark.parametrize("loose", [False, True])
def test_membership_given_the_shared_difference_is_the_same(ribboned_crop, colour_rgb, loose):
    from reconstruct.digitize import curves
    from reconstruct.digitize._channels import channel_spread

    rgb, _, bg_rgb = ribboned_crop
    colour = LineColour((0.0, 0.0, 0.0), colour_rgb, 500)
    diff = curves.background_difference(rgb, bg_rgb)
    shared = curves.membership(rgb, bg_rgb, colour, loose=loose, diff=diff, spread=channel_spread(rgb))
    alone = curves.membership(rgb, bg_rgb, colour, loose=loose)
    assert shared.any()  # the line or the ribbon scores: not a comparison of two empty maps
    assert np.array_equal(shared, alone)  # bit for bit


def test_exclusive_cores_given_the_shared_difference_is_the_same(ribboned_crop):
    from reconstruct.digitize import curves

    rgb, _, bg_rgb = ribboned_crop
    colours = [LineColour((0.0, 0.0, 0.0), c, 500) for c in [(205, 40, 40), (200, 215, 245)]]
    alone = [curves.membership(rgb, bg_rgb, c) for c in colours]
    shared = [w.copy() for w in alone]
    shades.exclusive_cores(rgb, bg_rgb, colours, alone)
    shades.exclusive_cores(rgb, bg_rgb, colours, shared, diff=curves.background_difference(rgb, bg_rgb))
    for a, b in zip(alone, shared, strict=True):
        assert np.array_equal(a, b)
