"""Chromatogram photo analysis (maturity.chromatogram_image): the descriptors drawn into generated pictures of
16 kinds are recovered with 100 % agreement; pictures that are not chromatograms are refused, never guessed."""

import itertools

import cv2
import numpy as np
import pytest

from maturity.chromatogram_image import (
    RULES,
    ChromatogramNotFound,
    ReadingRules,
    _confidence,
    _spikes,
    analyse,
    decode,
    overlay_png,
)
from tests.unit.chromatogram_drawing import Drawing, draw, not_chromatograms

COMBOS = list(itertools.product(["white_to_pink", "red_to_purple"], ["ring", "irregular"], ["smooth", "serrated"]))
KINDS = {
    "concentric": {},
    "rotated_17": {"rotation": 17},
    "rotated_100": {"rotation": 100},
    "off_centre": {"offset": (0.12, -0.06), "paper_radius": 0.36},
    "off_centre_left_low": {"offset": (-0.14, 0.08), "paper_radius": 0.34},
    "uneven_lighting": {"lighting": 0.5},
    "uneven_lighting_strong": {"lighting": 0.7, "lighting_angle": 200},
    "noisy": {"noise": 8},
    "jpeg_70": {"jpeg": 70},
    "spikes_12": {"spikes": 12},
    "spikes_40_shallow": {"spikes": 40, "spike_depth": 0.07},
    "shallow_spikes": {"spike_depth": 0.06},
    "large_photo": {"width": 1600, "height": 1200},
    "small_photo": {"width": 320, "height": 240},
    "portrait_small_paper": {"width": 384, "height": 512, "paper_radius": 0.25},
    "everything_at_once": {
        "rotation": 33,
        "offset": (-0.1, 0.05),
        "paper_radius": 0.36,
        "lighting": 0.5,
        "noise": 6,
        "jpeg": 80,
        "seed": 5,
    },
}


def combos_for(kind):
    """Every combination on the plain drawing; four per other kind, covering both codes of every zone."""
    if kind == "concentric":
        return COMBOS
    i = list(KINDS).index(kind)
    return [COMBOS[(i + k) % 8] for k in (0, 3, 5, 6)]


def test_at_least_twelve_kinds_and_every_code_in_each():
    assert len(KINDS) >= 12
    for kind in KINDS:
        chosen = combos_for(kind)
        for z in range(3):
            assert len({c[z] for c in chosen}) == 2, kind


@pytest.mark.parametrize("kind", list(KINDS))
def test_recovers_the_drawn_descriptors(kind):
    for centre, band, edge in combos_for(kind):
        d = Drawing(center=centre, middle_band=band, edge=edge, **KINDS[kind])
        r = analyse(draw(d))
        assert r.zones == d.zones, (kind, d.zones, r.zones, r.measures["middle_band"], r.measures["outer_zone"])
        spikes = r.measures["outer_zone"]["spikes"]
        assert spikes == (d.spikes if edge == "serrated" else 0), (kind, spikes)
        assert 0.5 <= r.overall_confidence <= 1.0


def test_measures_the_zones_and_finds_the_centre():
    d = Drawing(offset=(0.1, -0.05), paper_radius=0.36, middle_band="ring", edge="smooth")
    r = analyse(draw(d))
    s = min(d.width, d.height)
    cx, cy = r.measures["centre_px"]
    assert abs(cx - (d.width / 2 + 0.1 * s)) < 3 and abs(cy - (d.height / 2 - 0.05 * s)) < 3
    assert abs(r.measures["paper_radius_px"] - 0.36 * s) < 3
    assert r.measures["centre_zone"]["radius"] == pytest.approx(0.17, abs=0.03)
    assert r.measures["middle_band"]["radius_mean"] == pytest.approx(0.42, abs=0.03)
    assert r.measures["outer_zone"]["radius_mean"] == pytest.approx(0.70, abs=0.03)
    L, a, _ = r.measures["centre_zone"]["lab"]
    assert L < RULES.centre_dark_l and a > RULES.centre_red_a  # purple: dark and red
    assert r.measures["middle_band"]["contrast_l"] > RULES.min_band_contrast_l
    assert r.scale == 1.0


def test_large_photo_is_analysed_at_reduced_size_and_measured_in_original_pixels():
    d = Drawing(width=1600, height=1200)
    r = analyse(draw(d))
    assert r.scale == pytest.approx(640 / 1600)
    assert abs(r.measures["paper_radius_px"] - 0.42 * 1200) < 6


@pytest.mark.parametrize("name", list(not_chromatograms()))
def test_not_a_chromatogram_is_refused(name):
    with pytest.raises(ChromatogramNotFound) as exc:
        analyse(not_chromatograms()[name])
    e = exc.value
    assert e.code in ("no_paper", "no_pattern", "unreadable_image")
    if e.code != "unreadable_image":
        assert e.detail.startswith("Could not find a chromatogram")


def test_reading_rules_are_data():
    img = draw(Drawing(middle_band="irregular", edge="serrated", spikes=24))
    r = analyse(img)
    cv = r.measures["middle_band"]["radius_cv"]
    assert analyse(img, ReadingRules(band_irregular_cv=cv + 0.001)).zones["middle_band"] == "ring"
    assert analyse(img, ReadingRules(band_irregular_cv=cv - 0.001)).zones["middle_band"] == "irregular"
    assert analyse(img, ReadingRules(edge_min_spikes=24)).zones["edge"] == "serrated"
    assert analyse(img, ReadingRules(edge_min_spikes=25)).zones["edge"] == "smooth"
    L, a, _ = r.measures["centre_zone"]["lab"]
    assert analyse(img, ReadingRules(centre_dark_l=L - 0.01)).zones["center"] == "white_to_pink"
    assert analyse(img, ReadingRules(centre_dark_l=L + 0.01)).zones["center"] == "red_to_purple"
    assert analyse(img, ReadingRules(centre_red_a=a + 0.01)).zones["center"] == "white_to_pink"
    assert analyse(img, ReadingRules(centre_red_a=a - 0.01)).zones["center"] == "red_to_purple"


def test_confidence_and_spikes_helpers():
    assert _confidence(5.0, 5.0, 10.0) == 0.5
    assert _confidence(10.0, 5.0, 10.0) == 1.0
    assert _confidence(0.0, 5.0, 10.0) == 1.0
    assert _confidence(7.0, 5.0, 10.0) == pytest.approx(0.7)
    angles = np.arange(360)
    profile = 0.6 + 0.05 * (np.cos(np.deg2rad(angles) * 18) > 0.8)
    assert _spikes(profile, 0.02) == (18, pytest.approx(0.05, abs=0.005))  # 4°-wide teeth keep their height
    assert _spikes(profile, 0.051) == (0, 0.0)
    assert _spikes(np.full(360, 0.6), 0.02) == (0, 0.0)
    assert _spikes(0.6 + 0.1 * np.cos(np.deg2rad(angles)), 0.02) == (0, 0.0)  # off-centre is not a spike


def test_overlay_draws_the_zones_found():
    img = draw(Drawing())
    r = analyse(img)
    png = overlay_png(img, r)
    over, base = decode(png), decode(img)
    assert over.shape == base.shape
    changed = np.any(over != base, axis=2)
    assert 0.01 < changed.mean() < 0.2
    green = (over[..., 1] > 180) & (over[..., 0] < 60) & (over[..., 2] < 60)  # the outer edge line
    assert green.sum() > 500


def test_unreadable_input():
    with pytest.raises(ChromatogramNotFound) as exc:
        analyse(b"")
    assert exc.value.code == "unreadable_image"
    with pytest.raises(ChromatogramNotFound):
        analyse(cv2.imencode(".png", np.zeros((30, 30, 3), np.uint8))[1].tobytes())
