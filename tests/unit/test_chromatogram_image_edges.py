"""Chromatogram photo reading (maturity.chromatogram_image, DOMAIN.md §4.7), step by step on small synthetic
pictures with known geometry: the analysis size, the paper and its refusal limits, the flat-field correction,
the polar Lab profile, the spike count of the edge profile, the overlay, and the reading's measures, codes,
confidences and refusal limits (ReadingRules)."""

from functools import lru_cache

import cv2
import numpy as np
import pytest

from maturity.chromatogram_image import (
    MAX_SIDE,
    N_ANGLES,
    N_RADII,
    RULES,
    ChromatogramNotFound,
    Reading,
    ReadingRules,
    _find_paper,
    _flat_field,
    _polar_lab,
    _resize,
    _spikes,
    analyse,
    decode,
    overlay_png,
)

PAPER_GREY, BACKGROUND_GREY = 230, 40


def _png(img):
    return cv2.imencode(".png", img)[1].tobytes()


def _disc_mask(h, w, cx, cy, r):
    """A digital disc without the lone pixels at its four extremes (what blur + Otsu keep as they are)."""
    yy, xx = np.mgrid[0:h, 0:w]
    return np.hypot(xx - cx, yy - cy) <= r


def _picture(mask, paper=PAPER_GREY, background=BACKGROUND_GREY):
    img = np.full((*mask.shape, 3), background, np.uint8)
    img[mask] = paper
    return img


def _contour_measures(mask):
    """The spec's measures of a shape (largest outer contour): area / image, 4πA/P², enclosing circle."""
    contours, _ = cv2.findContours(mask.astype(np.uint8) * 255, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    c = max(contours, key=cv2.contourArea)
    area, perimeter = cv2.contourArea(c), cv2.arcLength(c, True)
    (x, y), r = cv2.minEnclosingCircle(c)
    return area / mask.size, 4 * np.pi * area / perimeter**2, (x, y), r


def _refusal(fn, *args):
    with pytest.raises(ChromatogramNotFound) as exc:
        fn(*args)
    e = exc.value
    assert isinstance(e.detail, str) and e.detail and str(e) == e.detail and e.args == (e.detail,)
    return e.code


# --------------------------------------------------------------------------- analysis size


def test_resize_keeps_up_to_640_px_and_shrinks_beyond():
    img = np.zeros((480, MAX_SIDE, 3), np.uint8)
    out, scale = _resize(img)
    assert out is img and scale == 1.0
    out, scale = _resize(np.zeros((MAX_SIDE, 200, 3), np.uint8))
    assert out.shape == (MAX_SIDE, 200, 3) and scale == 1.0
    out, scale = _resize(np.zeros((1000, 1601, 3), np.uint8))
    assert scale == 640 / 1601
    assert out.shape == (400, 640, 3)  # 1000 × 0.39975 = 399.75, rounded (not truncated)
    out, scale = _resize(np.zeros((1603, 1000, 3), np.uint8))
    assert out.shape == (640, 399, 3)  # 1000 × 640 / 1603 = 399.25


def test_resize_averages_areas():
    """Fine detail is averaged (area interpolation), not sampled: 1-px stripes 0/250 become mid-grey."""
    img = np.zeros((1200, 1600, 3), np.uint8)
    img[:, ::2] = 250
    out, scale = _resize(img)
    assert scale == 0.4 and out.shape == (480, 640, 3)
    assert out.min() >= 95 and out.max() <= 155
    assert abs(float(out.mean()) - 125.0) < 1.0


# --------------------------------------------------------------------------- the paper

H, W = 160, 200
DISC = (100, 80, 60.5)


@lru_cache(maxsize=None)
def _disc():
    return _disc_mask(H, W, *DISC)


def test_find_paper_measures_the_disc():
    mask = _disc()
    frac, circularity, (x, y), r = _contour_measures(mask)
    centre, radius, measures = _find_paper(_picture(mask), RULES)
    assert centre == (x, y) and radius == r
    assert isinstance(centre[0], float) and isinstance(radius, float)
    assert centre == pytest.approx((100, 80), abs=0.01) and radius == pytest.approx(60.5, abs=0.1)
    assert measures == {"paper_fraction": frac, "circularity": circularity}
    assert frac == pytest.approx(np.pi * 60.0**2 / (H * W), rel=0.01)
    # the same on a photo of the other shape (fraction of h × w, not w × w)
    mask_t = _disc_mask(W, H, 80, 100, 60.5)
    _, _, m = _find_paper(_picture(mask_t), RULES)
    assert m["paper_fraction"] == _contour_measures(mask_t)[0]


def test_find_paper_limits_are_inclusive_and_exact():
    mask = _disc()
    frac, circularity, _, _ = _contour_measures(mask)
    img = _picture(mask)
    assert _find_paper(img, ReadingRules(min_paper_fraction=frac))[2]["paper_fraction"] == frac
    assert _find_paper(img, ReadingRules(max_paper_fraction=frac))[2]["paper_fraction"] == frac
    assert _find_paper(img, ReadingRules(min_circularity=circularity))[2]["circularity"] == circularity
    up, down = np.nextafter(frac, 1), np.nextafter(frac, 0)
    assert _refusal(_find_paper, img, ReadingRules(min_paper_fraction=up)) == "no_paper"
    assert _refusal(_find_paper, img, ReadingRules(max_paper_fraction=down)) == "no_paper"
    assert _refusal(_find_paper, img, ReadingRules(min_circularity=np.nextafter(circularity, 2))) == "no_paper"


def test_find_paper_refuses_each_limit_alone():
    # too small, but round: 2 % of the picture
    small = _picture(_disc_mask(H, W, 100, 80, 20.5))
    assert _refusal(_find_paper, small, RULES) == "no_paper"
    assert _find_paper(small, ReadingRules(min_paper_fraction=0.02))[1] == pytest.approx(20.5, abs=0.15)
    # an ellipse 0.72 as wide as high: round enough by 4πA/P² but fills only ~72 % of its enclosing circle
    yy, xx = np.mgrid[0:H, 0:W]
    ellipse = ((xx - 100) / 50.5) ** 2 + ((yy - 80) / 70.5) ** 2 <= 1
    frac, circularity, _, _ = _contour_measures(ellipse)
    assert circularity > RULES.min_circularity and RULES.min_paper_fraction < frac < RULES.max_paper_fraction
    assert _refusal(_find_paper, _picture(ellipse), RULES) == "no_paper"
    wider = ((xx - 100) / 64.5) ** 2 + ((yy - 80) / 70.5) ** 2 <= 1  # 0.91: fills ~91 %
    assert _find_paper(_picture(wider), RULES)[1] == pytest.approx(70.0, abs=0.6)
    # a gear: fills its circle but its contour is long (circularity well under 0.8)
    theta = np.arctan2(yy - 80, xx - 100)
    gear = np.hypot(xx - 100, yy - 80) <= 60.5 * (1 - 0.12 * (np.cos(24 * theta) > 0))
    frac, circularity, (x, y), r = _contour_measures(gear)
    assert circularity < RULES.min_circularity and RULES.min_paper_fraction < frac
    assert frac / (np.pi * r * r) * H * W > 0.85
    assert _refusal(_find_paper, _picture(gear), RULES) == "no_paper"
    _, radius, m = _find_paper(_picture(gear), ReadingRules(min_circularity=0.2))
    assert m["circularity"] < 0.4 and radius == pytest.approx(60.5, abs=0.1)


def test_find_paper_nothing_bright():
    assert _refusal(_find_paper, np.zeros((H, W, 3), np.uint8), RULES) == "no_paper"
    with pytest.raises(ChromatogramNotFound) as exc:
        _find_paper(np.zeros((H, W, 3), np.uint8), RULES)
    assert exc.value.detail.startswith("Could not find a chromatogram")


def test_find_paper_ignores_specks_narrower_than_5_px():
    """The mask is opened with a 5 × 5 ellipse: a 5-px wide stick on the paper's rim is kept (in either
    direction) and the enclosing circle grows to reach its end; a 4-px one is cut back to a stub."""
    base = _disc_mask(H, W, 100, 80, 70.5)
    for width, kept in ((4, False), (5, True)):
        for horizontal in (True, False):
            mask = base.copy()
            if horizontal:
                mask[78 : 78 + width, 160:177] = True  # to x = 176: 76 px from the centre
            else:
                mask[3:20, 98 : 98 + width] = True  # to y = 3: 77 px from the centre
            _, radius, _ = _find_paper(_picture(mask), RULES)
            assert (radius > 72.5) == kept, (width, horizontal, radius)


def test_find_paper_keeps_the_paper_edge_where_it_is():
    """Blur + Otsu + opening neither grow nor shrink the paper: an exact disc is measured as drawn."""
    for r in (30.5, 45.5, 70.5):
        mask = _disc_mask(H, W, 100, 80, r)
        frac, circularity, (x, y), rr = _contour_measures(mask)
        centre, radius, measures = _find_paper(_picture(mask), RULES)
        assert radius == rr and measures == {"paper_fraction": frac, "circularity": circularity}


def test_find_paper_hairline_crack_does_not_split_the_paper():
    """A black 1-px crack across the paper (on a background of grey 55): blurred (5 × 5, σ from the kernel size)
    it stays above the Otsu threshold inside the paper, so the paper is one shape; only its ends, at the rim,
    notch the contour. Reference values of this picture: area 11330 px² (of 160 × 200), circularity 0.88408."""
    mask = _disc()
    img = _picture(mask, background=55)
    img[mask[:, 100], 100] = 0
    centre, radius, measures = _find_paper(img, RULES)
    assert radius == _contour_measures(mask)[3] and centre == (100.0, 80.0)
    assert measures["paper_fraction"] == 11330 / (H * W)
    assert measures["circularity"] == pytest.approx(0.8840842518619194, abs=1e-9)


def test_chromatogram_not_found_carries_code_and_detail():
    e = ChromatogramNotFound("no_paper", "some detail")
    assert (e.code, e.detail, str(e), e.args) == ("no_paper", "some detail", "some detail", ("some detail",))
    assert isinstance(e, ValueError)


# --------------------------------------------------------------------------- flat field


def _paper_grid(h=H, w=W, cx=100.0, cy=80.0, radius=60.0):
    yy, xx = np.mgrid[0:h, 0:w]
    return (xx - cx) / radius, (yy - cy) / radius


def test_flat_field_leaves_an_evenly_lit_paper_as_it_is():
    img = np.full((H, W, 3), 200, np.uint8)
    out = _flat_field(img, (100.0, 80.0), 60.0)
    assert out.dtype == np.uint8 and np.array_equal(out, img)
    # a pattern inside 0.86 R and a background beyond 0.95 R do not change the illumination
    x, y = _paper_grid()
    d = np.hypot(x, y)
    img = np.full((H, W, 3), (190, 200, 210), np.uint8)
    img[d < 0.8] = (40, 60, 90)
    img[d >= 0.95] = (30, 30, 30)
    out = _flat_field(img, (100.0, 80.0), 60.0)
    assert out.dtype == np.uint8 and np.array_equal(out, img)


def test_flat_field_fits_only_the_open_rim_band():
    """The illumination is fitted on 0.86 R < d < 0.95 R: pixels exactly at 0.86 R or 0.95 R are not used."""
    for radius, offset in ((100.0, 86), (100.0, 95)):
        h = w = 2 * offset + 21
        c = (w - 1) / 2
        img = np.full((h, w, 3), 120, np.uint8)
        for dx, dy in ((offset, 0), (-offset, 0), (0, offset), (0, -offset)):
            img[int(c + dy), int(c + dx)] = 0
        out = _flat_field(img, (c, c), radius)
        assert np.array_equal(out, img), (radius, offset)


def test_flat_field_removes_a_lighting_gradient():
    x, y = _paper_grid()
    d = np.hypot(x, y)
    for illum in (150 * (1 + 0.3 * x - 0.2 * y), 150 * (1 + 0.2 * x * x - 0.15 * x * y + 0.1 * y * y)):
        img = np.repeat(np.clip(illum, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
        out = _flat_field(img, (100.0, 80.0), 60.0)
        inside = out[d < 0.95, 0].astype(float)
        target = float(np.median(img[(d > 0.86) & (d < 0.95), 0]))
        assert inside.std() < 0.8 and abs(np.median(inside) - target) <= 1
        assert img[d < 0.95, 0].std() > 5  # it was uneven


def test_flat_field_saturates_and_floors():
    x, y = _paper_grid()
    # lit from the right: 100 at the left rim to 200 at the right; a white spot where the light is weak
    illum = 150 + 50 * x
    img = np.repeat(np.clip(illum, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    img[80, 60] = 255  # x = -0.67: light 117, corrected 255 × 150/117 > 255: saturates
    img[80, 61] = 0  # black stays black
    out = _flat_field(img, (100.0, 80.0), 60.0)
    assert out[80, 60].tolist() == [255, 255, 255] and out[80, 61].tolist() == [0, 0, 0]
    # a very dark paper: the illumination is taken as at least 8 grey levels
    img = np.full((H, W, 3), 4, np.uint8)
    out = _flat_field(img, (100.0, 80.0), 60.0)
    assert np.all(out == 2)  # 4 × 4 / 8


# --------------------------------------------------------------------------- polar Lab profile


def test_polar_lab_white_and_black():
    lab = _polar_lab(np.full((H, W, 3), 255, np.uint8), (100.0, 80.0), 60.0)
    assert lab.shape == (N_ANGLES, N_RADII, 3)
    assert lab[..., 0] == pytest.approx(100.0, abs=1e-3)
    assert np.abs(lab[..., 1:]).max() < 1e-3
    lab = _polar_lab(np.zeros((H, W, 3), np.uint8), (100.0, 80.0), 60.0)
    assert np.abs(lab).max() < 1e-3


def test_polar_lab_interpolates_between_pixels():
    """Radius sampled every R/240 px (a quarter pixel here): on a horizontal grey ramp L rises along the 0° row
    in small steps (bilinear interpolation), not in whole-pixel jumps (nearest pixel)."""
    ramp = np.tile(np.linspace(20, 220, W, dtype=np.float32), (H, 1))
    img = np.repeat(ramp[..., None], 3, axis=2)
    lab = _polar_lab(img, (100.0, 80.0), 60.0)
    rise = np.diff(lab[0, :, 0])
    assert rise.min() >= 0 and rise.max() < 0.3 and (rise > 0).mean() > 0.45
    fall = np.diff(lab[180, :, 0])  # towards the left
    assert fall.max() <= 0 and fall.min() > -0.3 and (fall < 0).mean() > 0.45


# --------------------------------------------------------------------------- spikes


def _teeth(k, depth, n=360, base=0.6):
    angles = np.arange(n)
    return base + depth * (np.cos(2 * np.pi * angles * k / n) > 0.8)


def test_spikes_depth_limit_is_inclusive():
    profile = np.full(360, 0.6)
    profile[100:104] = 0.7  # one tooth, 4° wide
    n_tall, tall = _spikes(profile, 0.05)
    assert tall == pytest.approx(0.1, abs=0.001)
    assert n_tall == 1
    assert _spikes(profile, tall) == (1, tall)  # exactly at min_depth counts
    assert _spikes(profile, np.nextafter(tall, 1))[0] == 0


def test_spikes_every_local_maximum_with_zero_depth():
    angles = np.arange(360)
    wave = 0.6 + 0.01 * np.cos(np.deg2rad(angles) * 6)
    count, depth = _spikes(wave, 0.0)
    assert count == 6 and depth == pytest.approx(0.02 * np.sin(np.deg2rad(3)) / (3 * np.sin(np.deg2rad(1))), rel=0.01)


def test_spikes_low_pass_keeps_harmonics_above_3():
    angles = np.deg2rad(np.arange(360))
    assert _spikes(0.6 + 0.02 * np.cos(3 * angles), 0.01) == (0, 0.0)  # ellipse-like: the slow part
    count, depth = _spikes(0.6 + 0.02 * np.cos(4 * angles), 0.01)
    assert count == 4 and depth == pytest.approx(0.04, abs=0.001)


def test_spikes_any_profile_length():
    assert _spikes(_teeth(5, 0.1, n=45), 0.02)[0] == 5
    assert _spikes(_teeth(5, 0.05, n=359), 0.02)[0] == 5


def test_spikes_wrap_around_and_flat_tops():
    n = 360
    profile = np.full(n, 0.6)
    profile[[358, 359, 0, 1]] = 0.7  # a flat-topped tooth across index 0
    profile[[178, 179, 180, 181]] = 0.7
    count, depth = _spikes(profile, 0.02)
    assert count == 2 and depth == pytest.approx(0.1, abs=0.001)


def _reference_spikes(profile, min_depth):
    """The definition, written out: the profile smoothed over 3 neighbours (circularly), its harmonics 0–3
    removed; a spike is a local maximum (a flat top counted once, at its rising side) whose prominence, the
    drop to the lowest point before a higher sample on each side within half a turn, taking the shallower
    side, is at least min_depth."""
    n = len(profile)
    p = np.asarray(profile, float)
    smooth = np.convolve(np.concatenate([p[-1:], p, p[:1]]), np.ones(3) / 3, mode="valid")  # same rounding: ties
    spectrum = np.fft.rfft(smooth)
    spectrum[4:] = 0
    d = smooth - np.fft.irfft(spectrum, n)
    depths = []
    for i in range(n):
        if d[i] <= d[i - 1] + 1e-12 or d[i] < d[(i + 1) % n]:
            continue
        drops = []
        for sign in (-1, 1):
            seen = [d[(i + sign * s) % n] for s in range(1, n // 2)]
            higher = [k for k, w in enumerate(seen) if w > d[i]]
            before = seen[: higher[0]] if higher else seen
            drops.append(d[i] - min([d[i], *before]))
        if min(drops) >= min_depth:
            depths.append(min(drops))
    return len(depths), depths


@pytest.mark.parametrize("seed", range(6))
def test_spikes_follow_the_definition_on_random_edges(seed):
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0, 0.01, 360))
    profile = 0.6 + walk - np.linspace(0, walk[-1], 360)  # a closed, rough edge
    if seed % 2:  # mirrored about 0°: equal peaks on both sides, a peak's scan passes its twin
        profile = np.concatenate([profile[:181], profile[1:180][::-1]])
    for min_depth in (0.0, 0.01, 0.03):
        count, depths = _reference_spikes(profile, min_depth)
        got = _spikes(profile, min_depth)
        assert got[0] == count and got[1] == pytest.approx(np.mean(depths) if depths else 0.0, abs=1e-12)


# --------------------------------------------------------------------------- overlay

PAPER_LINE, CENTRE_LINE, BAND_LINE, OUTER_LINE = (255, 160, 0), (0, 255, 255), (255, 0, 255), (0, 200, 0)  # BGR
CROSS = (0, 0, 255)


def _reading(centre=(100.0, 80.0), radius=60.0, r_centre=0.2, r_band=None, r_outer=None, scale=1.0):
    r_band = [0.5] * N_ANGLES if r_band is None else r_band
    r_outer = [0.75] * N_ANGLES if r_outer is None else r_outer
    return Reading(
        zones={"center": "red_to_purple", "middle_band": "ring", "edge": "smooth"},
        confidence={"center": 1.0, "middle_band": 1.0, "edge": 1.0},
        overall_confidence=1.0,
        centre=centre,
        paper_radius_px=radius,
        scale=scale,
        measures={"centre_zone": {"radius": r_centre}, "_profiles": {"r_band": r_band, "r_outer": r_outer}},
    )


def test_overlay_draws_each_element_in_its_colour_at_its_place():
    img = np.zeros((H, W, 3), np.uint8)
    out = decode(overlay_png(_png(img), _reading()))
    assert out.shape == (H, W, 3)
    # the centre cross: a "+" of size 14 (arms of 7 px and the round cap of the 2 px line), not an "×"
    for x, y in ((100, 80), (92, 80), (108, 80), (100, 72), (100, 88), (104, 79), (104, 81)):
        assert tuple(out[y, x]) == CROSS, (x, y)
    for x, y in ((109, 80), (91, 80), (100, 71), (100, 89), (104, 78), (104, 82), (106, 86), (94, 74)):
        assert tuple(out[y, x]) != CROSS, (x, y)
    # along the rays from the centre (100, 80): centre zone at r 12, band at 30, outer edge at 45, paper at
    # 60; 2 px wide lines, full colour on the line
    for r, colour in ((12, CENTRE_LINE), (30, BAND_LINE), (45, OUTER_LINE), (60, PAPER_LINE)):
        for x, y in ((100 + r, 80), (100 - r, 80), (100, 80 + r), (100, 80 - r)):
            assert tuple(out[y, x]) == colour, (r, x, y)
        for x, y in ((100 + r + 3, 80), (100 + r - 3, 80)):  # 2 px wide
            assert tuple(out[y, x]) == (0, 0, 0), (r, x, y)
        # anti-aliased: partly covered pixels in a fraction of the colour along the line
        ring = np.abs(np.hypot(*np.mgrid[0:H, 0:W][::-1] - np.array([100, 80])[:, None, None]) - r) < 3
        shades = {tuple(v) for v in out[ring]} - {colour, (0, 0, 0)}
        assert any(0 < max(v) < max(colour) for v in shades), r


def test_overlay_matches_the_drawing_it_describes():
    """The overlay is exactly: paper circle, centre-zone circle, the r_m(θ) and r_o(θ) polylines through one
    point per degree (closed), the centre cross; lines 2 px, anti-aliased."""
    rng = np.random.default_rng(3)
    r_band = list(0.5 + 0.05 * rng.random(N_ANGLES))
    r_outer = list(0.75 + 0.1 * rng.random(N_ANGLES))
    r_outer[0], r_outer[N_ANGLES - 1] = 0.95, 0.6  # a long closing segment
    background = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    for centre, radius, r_centre in (((100.0, 80.0), 60.0, 0.2), ((98.6, 81.4), 58.7, 0.0)):
        reading = _reading(centre, radius, r_centre, r_band, r_outer)
        expected = background.copy()
        cx, cy = round(centre[0]), round(centre[1])
        cv2.circle(expected, (cx, cy), round(radius), PAPER_LINE, 2, cv2.LINE_AA)
        cv2.circle(expected, (cx, cy), max(1, round(r_centre * radius)), CENTRE_LINE, 2, cv2.LINE_AA)
        theta = np.deg2rad(np.arange(N_ANGLES))
        for profile, colour in ((r_band, BAND_LINE), (r_outer, OUTER_LINE)):
            r = np.asarray(profile) * radius
            pts = np.stack([centre[0] + r * np.cos(theta), centre[1] + r * np.sin(theta)], axis=1)
            cv2.polylines(expected, [pts.round().astype(np.int32)], True, colour, 2, cv2.LINE_AA)
        cv2.drawMarker(expected, (cx, cy), CROSS, cv2.MARKER_CROSS, 14, 2)
        for image in (background, _png(background)):  # an array or encoded bytes
            png = overlay_png(image, reading)
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            assert np.array_equal(decode(png), expected)
        assert np.array_equal(decode(_png(background)), background)  # the photo itself is not drawn on


def test_overlay_of_a_large_photo_is_at_the_analysed_size():
    big = np.zeros((1200, 1600, 3), np.uint8)
    reading = _reading((320.0, 240.0), 200.0, scale=0.4)
    out = decode(overlay_png(_png(big), reading))
    assert out.shape == (480, 640, 3)
    assert tuple(out[240, 520]) == PAPER_LINE and tuple(out[240, 320]) == CROSS


# --------------------------------------------------------------------------- the reading


def test_reading_as_dict():
    r = _reading((np.float32(100.5), np.float64(80.25)), 60.0)
    d = r.as_dict()
    assert set(d) == {"zones", "confidence", "overall_confidence", "centre", "paper_radius_px", "scale", "measures"}
    assert d["centre"] == [100.5, 80.25] and all(type(v) is float for v in d["centre"])
    assert d["zones"] == r.zones and d["confidence"] == r.confidence and d["measures"] == r.measures
    assert (d["overall_confidence"], d["paper_radius_px"], d["scale"]) == (1.0, 60.0, 1.0)
    assert r.centre == (100.5, 80.25)  # the reading itself is unchanged


# --------------------------------------------------------------------------- the zones, on a given Lab profile
#
# analyse() with its image steps replaced (the paper found at a given place, no flat-field change, the polar
# Lab profile given): the zone logic on a profile whose every column is known. Columns are radius / R × 240.

P = (95.0, 0.0, 5.0)  # bare paper
C = (55.0, 18.0, 10.0)  # centre: dark and red
B = (30.0, 10.0, 20.0)  # middle band
OUTER_L = 50 + 0.25 * np.arange(240 - 120)  # outer zone: L rising 50 → 64.75 (cols 120..179), a 10, b 30
BAND_L = {75: 35.0, 76: 33.0, 77: 31.0, 78: 28.0, 79: 29.0, 80: 34.0, 81: 36.0, 118: 46.375}
G1, G2, G3, G4, G5 = range(0, 10), range(10, 20), range(20, 40), range(60, 70), range(70, 80)


def _lab_rows(centre=C, special=True):
    lab = np.empty((N_ANGLES, N_RADII, 3), np.float32)
    lab[:, :9] = P  # the wick hole
    lab[:, 9:60] = centre
    lab[:, 60:120] = B
    for col, value in BAND_L.items():
        lab[:, col, 0] = value
    lab[:, 120:180] = np.stack([OUTER_L[:60], np.full(60, 10.0), np.full(60, 30.0)], axis=1)
    lab[:, 180:190] = (P[0] - 12, P[1], P[2])  # ΔE exactly 12 from the paper: not stained
    lab[:, 190:228] = P
    lab[:, 228:232] = (P[0] - 6, P[1], P[2])  # the paper's edge, a little darker
    lab[:, 232:] = (20.0, 0.0, 5.0)  # the rim's shadow
    if special:
        lab[G1, 150:157] = P  # a 7-column gap in the outer zone: bridged
        lab[G2, 150:158] = P  # an 8-column gap: the edge is where it starts
        lab[G3, 9:21] = P  # no stain from the centre outwards: no pattern on these angles
        lab[G4, 180:226] = np.stack([OUTER_L[60:106], np.full(46, 10.0), np.full(46, 30.0)], axis=1)  # to 0.94 R
        lab[G5, 183] = (60.0, 10.0, 30.0)  # one stained column 3 columns beyond the outer zone: bridged
    return lab


def _analyse_lab(lab, rules=RULES, shape=(100, 120, 3)):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            "maturity.chromatogram_image._find_paper",
            lambda img, rules: ((60.0, 50.0), 40.0, {"paper_fraction": 0.42, "circularity": 0.91}),
        )
        mp.setattr("maturity.chromatogram_image._flat_field", lambda img, centre, radius: img)
        mp.setattr("maturity.chromatogram_image._polar_lab", lambda img, centre, radius: lab.copy())
        return analyse(np.zeros(shape, np.uint8), rules)


def _main_reading():
    """Analysed afresh by each test (never cached: a mutation run forks its test processes after a clean run, and a
    cached reading would hide every mutant of analyse())."""
    return _analyse_lab(_lab_rows())


def _expected_profiles():
    r_outer = np.full(N_ANGLES, 180 / 240)
    r_outer[list(G2)] = 150 / 240
    r_outer[list(G3)] = 9 / 240
    r_outer[list(G4)] = 226 / 240
    r_outer[list(G5)] = 184 / 240
    r_band = np.full(N_ANGLES, 120 / 240)  # first column above mid = (28 + 64.75) / 2 = 46.375
    r_band[list(G3)] = 79 / 240  # no outer zone: the band ends at core + 1
    return r_band, r_outer


def test_zones_measured_on_a_known_profile():
    r = _main_reading()
    m = r.measures
    r_band, r_outer = _expected_profiles()
    assert m["_profiles"] == {"r_band": r_band.tolist(), "r_outer": r_outer.tolist()}
    assert m["paper_lab"] == list(P)
    assert m["centre_zone"] == {"radius": 0.25, "lab": list(C)}
    band_cv = float(np.std(r_band) / np.mean(r_band))
    assert m["middle_band"] == {
        "radius_mean": float(np.mean(r_band)),
        "radius_cv": band_cv,
        "lab": [31.0, 10.0, 20.0],  # median of columns 76–80 (core 78 ± 2): L 33, 31, 28, 29, 34
        "contrast_l": 64.75 - 28.0,
    }
    lab = _lab_rows()
    outer_sel = np.zeros((N_ANGLES, N_RADII), bool)
    for a in range(N_ANGLES):  # strictly between r_band + 0.02 and r_outer − 0.02
        outer_sel[a, round(r_band[a] * 240) + 5 : round(r_outer[a] * 240) - 4] = True
    count, depths = _reference_spikes(r_outer, RULES.edge_spike_depth)
    assert m["outer_zone"] == {
        "radius_mean": float(np.mean(r_outer)),
        "lab": [float(v) for v in np.median(lab[outer_sel], axis=0)],
        "spikes": count,
        "spike_depth": float(np.mean(depths)) if depths else 0.0,
    }
    assert (m["paper_fraction"], m["circularity"]) == (0.42, 0.91)
    assert (m["paper_radius_px"], m["centre_px"]) == (40.0, [60.0, 50.0])
    assert r.zones == {
        "center": "red_to_purple",
        "middle_band": "irregular" if band_cv > RULES.band_irregular_cv else "ring",
        "edge": "serrated" if count >= RULES.edge_min_spikes else "smooth",
    }
    c_edge = min(1.0, 0.5 + abs(count - 5.5) / 8)
    c_band = min(1.0, 0.5 + abs(band_cv - 0.035) / 0.06)
    assert r.confidence == {"center": 0.85, "middle_band": round(c_band, 3), "edge": round(c_edge, 3)}
    assert r.overall_confidence == round(min(0.85, c_band, c_edge), 3)
    assert (r.centre, r.paper_radius_px, r.scale) == ((60.0, 50.0), 40.0, 1.0)


@pytest.mark.parametrize(
    ("centre", "code", "confidence"),
    [
        ((55.0, 18.0, 10.0), "red_to_purple", 0.85),  # both met: the weaker, L 0.5 + 7/20 (a 0.5 + 6/16)
        ((70.0, 18.0, 10.0), "white_to_pink", 0.9),  # light: L 0.5 + 8/20
        ((63.0, 20.0, 10.0), "white_to_pink", 0.55),  # light, barely: 0.5 + 1/20, however red
        ((55.0, 8.0, 10.0), "white_to_pink", 0.75),  # not red: a 0.5 + 4/16
        ((42.0, 11.0, 10.0), "white_to_pink", 0.562),  # not red, barely: 0.5 + 1/16, however dark
        ((70.0, 8.0, 10.0), "white_to_pink", 0.9),  # both failed: the clearer
        ((62.0, 18.0, 10.0), "white_to_pink", 0.5),  # L at the limit is not dark
        ((55.0, 12.0, 10.0), "white_to_pink", 0.5),  # a at the limit is not red
        ((50.0, 16.0, 10.0), "red_to_purple", 0.75),  # both met: a 0.5 + 4/16 (L 0.5 + 12/20)
    ],
)
def test_centre_code_and_confidence(centre, code, confidence):
    r = _analyse_lab(_lab_rows(centre, special=False))
    assert r.zones["center"] == code and r.confidence["center"] == confidence
    assert r.measures["centre_zone"]["lab"] == list(centre)


def test_pattern_limits():
    lab = _lab_rows()
    covered = 340 / 360  # G3's 20 angles have no pattern
    assert _analyse_lab(lab, ReadingRules(min_stained_angles=covered)).zones
    assert _refusal(_analyse_lab, lab, ReadingRules(min_stained_angles=np.nextafter(covered, 1))) == "no_pattern"
    # a pattern reaching exactly min_pattern_radius does not cover its angle
    rules = ReadingRules(min_pattern_radius=9 / 240, min_stained_angles=np.nextafter(covered, 1))
    assert _refusal(_analyse_lab, lab, rules) == "no_pattern"
    # the median edge radius (0.75) must lie strictly inside (min, max)
    assert _analyse_lab(lab, ReadingRules(min_pattern_radius=np.nextafter(0.75, 0), min_stained_angles=0.0)).zones
    assert _refusal(_analyse_lab, lab, ReadingRules(min_pattern_radius=0.75, min_stained_angles=0.0)) == "no_pattern"
    assert _analyse_lab(lab, ReadingRules(max_pattern_radius=np.nextafter(0.75, 1))).zones
    assert _refusal(_analyse_lab, lab, ReadingRules(max_pattern_radius=0.75)) == "no_pattern"
    # the band's contrast, 36.75 L, at least min_band_contrast_l
    assert _analyse_lab(lab, ReadingRules(min_band_contrast_l=36.75)).measures["middle_band"]["contrast_l"] == 36.75
    assert _refusal(_analyse_lab, lab, ReadingRules(min_band_contrast_l=np.nextafter(36.75, 99))) == "no_pattern"


def test_edge_confidence_around_the_spike_count_limit():
    n = _main_reading().measures["outer_zone"]["spikes"]
    lab = _lab_rows()
    r = _analyse_lab(lab, ReadingRules(edge_min_spikes=n))
    assert (r.zones["edge"], r.confidence["edge"]) == ("serrated", 0.562)  # 0.5 + 0.5 / 8
    r = _analyse_lab(lab, ReadingRules(edge_min_spikes=n + 1))
    assert (r.zones["edge"], r.confidence["edge"]) == ("smooth", 0.562)
    r = _analyse_lab(lab, ReadingRules(edge_min_spikes=n + 3))
    assert (r.zones["edge"], r.confidence["edge"]) == ("smooth", 0.812)  # 0.5 + 2.5 / 8


def test_measures_in_original_pixels_of_a_large_photo():
    r = _analyse_lab(_lab_rows(special=False), RULES, (1000, 1280, 3))  # analysed at 640 × 500: scale 0.5
    assert r.scale == 0.5 and r.centre == (60.0, 50.0) and r.paper_radius_px == 40.0
    assert r.measures["centre_px"] == [120.0, 100.0] and r.measures["paper_radius_px"] == 80.0


def test_band_cv_limit_is_exclusive():
    lab = _lab_rows()
    cv = _main_reading().measures["middle_band"]["radius_cv"]
    assert _analyse_lab(lab, ReadingRules(band_irregular_cv=cv)).zones["middle_band"] == "ring"
    assert _analyse_lab(lab, ReadingRules(band_irregular_cv=np.nextafter(cv, 0))).zones["middle_band"] == "irregular"


def test_zones_need_four_columns_between_centre_and_edge():
    """From the centre zone's end to the median edge (column 180) at least 4 columns: 176 is read, 177 refused."""
    for centre_end, refused in ((176, False), (177, True)):
        lab = _lab_rows(special=False)
        lab[:, 9:centre_end] = C
        lab[:, centre_end : centre_end + 2] = B
        lab[:, centre_end + 2 : 180] = (60.0, 10.0, 30.0)
        if refused:
            assert _refusal(_analyse_lab, lab) == "no_pattern"
        else:
            assert _analyse_lab(lab).measures["centre_zone"]["radius"] == centre_end / 240


def test_centre_zone_ends_where_the_colour_differs_by_more_than_15():
    for shift, end in ((15.0, 65), (15.5, 60)):  # ΔE exactly 15 is still the centre
        lab = _lab_rows(special=False)
        lab[:, 60:65] = (C[0], C[1] + shift, C[2])
        assert _analyse_lab(lab).measures["centre_zone"]["radius"] == end / 240


def test_outer_zone_colour_without_an_outer_zone():
    """An outer zone 9 columns wide (band boundary 0.5 R, edge 0.5375 R): nothing lies strictly between
    r_band + 0.02 and r_outer − 0.02, the outer colour is the band's."""
    lab = _lab_rows(special=False)
    lab[:, 118, 0] = 30.0
    lab[:, 129:180] = P
    r = _analyse_lab(lab)
    assert r.measures["outer_zone"]["radius_mean"] == pytest.approx(129 / 240, abs=1e-12)
    assert r.measures["middle_band"]["radius_mean"] == 0.5
    assert r.measures["outer_zone"]["lab"] == r.measures["middle_band"]["lab"] == [31.0, 10.0, 20.0]


def test_analyse_input_checks():
    lab = _lab_rows(special=False)
    assert _analyse_lab(lab, shape=(48, 48, 3)).zones  # 48 px is enough
    with pytest.raises(ChromatogramNotFound) as exc:
        _analyse_lab(lab, RULES, (47, 100, 3))
    assert exc.value.code == "unreadable_image" and exc.value.detail.startswith("The picture is too small")
    assert _refusal(_analyse_lab, lab, RULES, (100, 47, 3)) == "unreadable_image"
    assert _refusal(_analyse_lab, lab, RULES, (100, 100)) == "unreadable_image"  # not a colour picture
    for data in (b"not a picture", b""):
        assert _refusal(analyse, data) == "unreadable_image"
        with pytest.raises(ChromatogramNotFound) as exc:
            decode(data)
        assert exc.value.detail.startswith("The file is not an image")


# --------------------------------------------------------------------------- the figures behind a refusal


def _refused(fn, *args):
    with pytest.raises(ChromatogramNotFound) as exc:
        fn(*args)
    return exc.value


def test_not_found_carries_the_figures_behind_it():
    """A refusal hands over what was measured (for a message in the reader's language), nothing when there was
    nothing to measure."""
    assert ChromatogramNotFound("no_paper", "x").measures == {}
    assert ChromatogramNotFound("no_paper", "x", circularity=0.5).measures == {"circularity": 0.5}
    small = _picture(_disc_mask(H, W, 100, 80, 20.5))
    frac, circularity, _, _ = _contour_measures(_disc_mask(H, W, 100, 80, 20.5))
    e = _refused(_find_paper, small, RULES)
    assert e.measures == {"paper_fraction": frac, "circularity": pytest.approx(circularity, abs=1e-12)}
    assert _refused(_find_paper, np.zeros((H, W, 3), np.uint8), RULES).measures == {}
    lab = _lab_rows(special=False)
    e = _refused(_analyse_lab, lab, RULES, (47, 100, 3))
    assert (e.code, e.measures) == ("unreadable_image", {"shorter_side_px": 47, "min_side_px": 48})
    e = _refused(_analyse_lab, lab, RULES, (100, 100))
    assert (e.code, e.measures) == ("unreadable_image", {})
    assert _refused(decode, b"").measures == {}
    lab = _lab_rows()
    e = _refused(_analyse_lab, lab, ReadingRules(min_stained_angles=np.nextafter(340 / 360, 1)))
    assert e.code == "no_pattern" and e.measures == {"pattern_angles": 340 / 360, "median_radius": 0.75}
    e = _refused(_analyse_lab, lab, ReadingRules(min_band_contrast_l=40.0))
    assert e.code == "no_pattern" and e.measures == {"band_contrast_l": 36.75}
