"""Reading a filter-paper chromatogram from its photo (DOMAIN.md §4.7). Pure: OpenCV and numpy, no Django.

:func:`analyse` finds the paper and its centre, measures the radial zones and
proposes the §4.7 zone descriptors, each with a confidence:

1. **Paper.** Otsu threshold, the largest outer contour; it must be round
   (circularity, fill of its enclosing circle) and of a plausible size, else
   :class:`ChromatogramNotFound`. Its minimum enclosing circle gives the
   centre and radius R. Then flat-field correction: the photo divided by
   its illumination, a quadratic surface fitted to the bare paper rim.
2. **Polar profile.** ``cv2.warpPolar`` unrolls the corrected photo around
   the centre (rows = angles, columns = radius), in CIE L*a*b* (a perceptual
   colour space, L 0–100).
3. **Zones.** A pixel is *stained* when its colour differs from the bare
   paper (sampled just inside the paper's rim) by more than
   ``RULES.stain_delta_e``. Per angle: the outer edge r_o(θ) is the last
   stained radius; the middle band's outer boundary r_m(θ) is where L rises
   past the midpoint between the band's darkest level and the outer zone's
   level; the centre zone ends where the colour leaves the centre colour.
4. **Descriptors.** centre: ``red_to_purple`` when the centre is dark and
   red (L < ``centre_dark_l`` and a > ``centre_red_a``), else
   ``white_to_pink``; middle band: ``irregular`` when the coefficient of
   variation of r_m(θ) exceeds ``band_irregular_cv``, else ``ring``; edge:
   ``serrated`` when the angular profile r_o(θ) has at least
   ``edge_min_spikes`` spikes deeper than ``edge_spike_depth`` × R, else
   ``smooth``. Confidence grows with the distance of the measure from its
   threshold (0.5 at the threshold, 1.0 far from it).

No guess on a picture that is not a chromatogram: no round paper, a paper
without a stained radial pattern, or a pattern without a darker band raise
:class:`ChromatogramNotFound` with the reason.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

ZONE_CODES = {
    "center": ("white_to_pink", "red_to_purple"),
    "middle_band": ("ring", "irregular"),
    "edge": ("smooth", "serrated"),
}
MAX_SIDE = 640  # analysis size (px, longer side)
MIN_SIDE = 48  # px: a picture smaller than this on its shorter side is not read
N_ANGLES = 360
N_RADII = 240


@dataclass(frozen=True)
class ReadingRules:
    """The thresholds of the reading (data, not code)."""

    min_paper_fraction: float = 0.04  # paper area / image area
    max_paper_fraction: float = 0.95
    min_circularity: float = 0.80  # 4πA / P² of the paper contour
    stain_delta_e: float = 12.0  # ΔE*ab from bare paper that counts as stained
    min_stained_angles: float = 0.9  # share of angles with a stained pattern
    min_pattern_radius: float = 0.15  # r_o / R: a pattern at least this large
    max_pattern_radius: float = 0.97  # r_o / R: and not filling the paper
    min_band_contrast_l: float = 8.0  # L units the band is darker than the outer zone
    centre_dark_l: float = 62.0  # centre L* below this and ...
    centre_red_a: float = 12.0  # ... a* above this: red_to_purple
    band_irregular_cv: float = 0.035  # CV of the band boundary radius above this: irregular
    edge_spike_depth: float = 0.025  # spike prominence / R
    edge_min_spikes: int = 6


RULES = ReadingRules()


class ChromatogramNotFound(ValueError):
    """The picture does not show a chromatogram the reading can measure. ``code`` is stable; ``measures`` holds
    the figures behind the refusal (none when nothing could be measured), for a message in the reader's language;
    ``detail`` says the same in English."""

    def __init__(self, code: str, detail: str, **measures):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.measures = measures


@dataclass
class Reading:
    """What the analysis proposes, with the measurements behind it (all radii in px of the analysed image
    and as a fraction of the paper radius)."""

    zones: dict  # zone -> code
    confidence: dict  # zone -> 0.5–1.0
    overall_confidence: float
    centre: tuple  # (x, y) px in the analysed image
    paper_radius_px: float
    scale: float  # analysed px per original px
    measures: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["centre"] = [float(v) for v in self.centre]
        return d


# --------------------------------------------------------------------------- helpers


def decode(data: bytes) -> np.ndarray:
    """BGR image from encoded bytes (PNG, JPEG, …)."""
    arr = np.frombuffer(data or b"", dtype=np.uint8)
    img = cv2.imdecode(arr, cv2.IMREAD_COLOR) if arr.size else None
    if img is None:
        raise ChromatogramNotFound("unreadable_image", "The file is not an image that can be read.")
    return img


def _resize(img: np.ndarray) -> tuple[np.ndarray, float]:
    h, w = img.shape[:2]
    scale = min(1.0, MAX_SIDE / max(h, w))
    if scale < 1.0:
        img = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    return img, scale


def _flat_field(img: np.ndarray, centre, radius) -> np.ndarray:
    """Divide out uneven lighting: a quadratic surface fitted (least squares) to the bare paper just inside
    its rim, where no pattern reaches, taken as the illumination of the whole paper."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    x, y = (xx - centre[0]) / radius, (yy - centre[1]) / radius
    d = np.hypot(x, y)
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
    sel = (d > 0.86) & (d < 0.95)
    design = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=-1)
    coef, *_ = np.linalg.lstsq(design[sel], grey[sel], rcond=None)
    illum = np.maximum(design @ coef, 8.0)
    target = float(np.median(grey[sel]))
    out = img.astype(np.float32) * (target / illum)[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def _find_paper(img: np.ndarray, rules: ReadingRules):
    grey = cv2.GaussianBlur(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), (5, 5), 0)
    _, mask = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        raise ChromatogramNotFound("no_paper", "Could not find a chromatogram: no round filter paper in the picture.")
    c = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(c)
    frac = area / float(img.shape[0] * img.shape[1])
    perimeter = cv2.arcLength(c, True)
    circularity = 4 * np.pi * area / (perimeter**2) if perimeter else 0.0
    (x, y), r = cv2.minEnclosingCircle(c)
    fill = area / (np.pi * r * r) if r else 0.0
    if (
        not (rules.min_paper_fraction <= frac <= rules.max_paper_fraction)
        or circularity < rules.min_circularity
        or fill < 0.85
    ):
        raise ChromatogramNotFound(
            "no_paper",
            "Could not find a chromatogram: no round filter paper in the picture "
            f"(largest bright shape: {frac:.0%} of the picture, circularity {circularity:.2f}).",
            paper_fraction=float(frac),
            circularity=float(circularity),
        )
    return (float(x), float(y)), float(r), {"paper_fraction": frac, "circularity": circularity}


def _polar_lab(img: np.ndarray, centre, radius) -> np.ndarray:
    polar = cv2.warpPolar(img, (N_RADII, N_ANGLES), centre, radius, cv2.INTER_LINEAR + cv2.WARP_POLAR_LINEAR)
    lab = cv2.cvtColor(polar.astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB)
    return lab  # rows: angles 0..359°, columns: radius 0..R, channels L (0–100), a, b


def _confidence(x: float, threshold: float, scale: float) -> float:
    return float(min(1.0, 0.5 + abs(x - threshold) / scale))


def _spikes(profile: np.ndarray, min_depth: float) -> tuple[int, float]:
    """Number and mean depth of spikes in a circular angular profile (prominent local maxima)."""
    n = profile.size
    smooth = np.convolve(np.concatenate([profile[-1:], profile, profile[:1]]), np.ones(3) / 3, mode="valid")
    # remove the slow part (off-centre, ellipse): a low-pass of 3 harmonics
    spectrum = np.fft.rfft(smooth)
    spectrum[4:] = 0
    detrended = smooth - np.fft.irfft(spectrum, n)
    peaks, depths = [], []
    for i in range(n):
        v = detrended[i]
        if not v > detrended[i - 1] + 1e-12 or v < detrended[(i + 1) % n]:
            continue  # a flat top counts once, at its rising side
        # prominence: drop to the lowest point before a higher peak on either side (within half a turn)
        left = right = v
        for step in range(1, n // 2):
            w = detrended[(i - step) % n]
            if w > v:
                break
            left = min(left, w)
        for step in range(1, n // 2):
            w = detrended[(i + step) % n]
            if w > v:
                break
            right = min(right, w)
        depth = v - max(left, right)
        if depth >= min_depth:
            peaks.append(i)
            depths.append(depth)
    return len(peaks), float(np.mean(depths)) if depths else 0.0


# --------------------------------------------------------------------------- analysis


def analyse(image, rules: ReadingRules = RULES) -> Reading:
    """Read a chromatogram photo (encoded bytes or a BGR array). Raises ChromatogramNotFound."""
    img = decode(image) if isinstance(image, (bytes, bytearray, memoryview)) else image
    if img is None or img.ndim != 3:
        raise ChromatogramNotFound("unreadable_image", "The picture is not a colour image.")
    if min(img.shape[:2]) < MIN_SIDE:
        side = int(min(img.shape[:2]))
        raise ChromatogramNotFound(
            "unreadable_image", "The picture is too small to read.", shorter_side_px=side, min_side_px=MIN_SIDE
        )
    img, scale = _resize(img)
    centre, radius, paper_measures = _find_paper(img, rules)
    flat = _flat_field(img, centre, radius)
    lab = _polar_lab(flat, centre, radius)
    radii = np.arange(N_RADII) / N_RADII  # fraction of R per column

    rim = lab[:, int(0.90 * N_RADII) : int(0.95 * N_RADII)].reshape(-1, 3)
    paper_colour = np.median(rim, axis=0)
    delta_e = np.linalg.norm(lab - paper_colour, axis=2)
    stained = delta_e > rules.stain_delta_e
    stained[:, int(0.97 * N_RADII) :] = False  # the rim itself

    # outer edge per angle: last stained radius of the run that starts near the centre
    inner = max(1, int(0.04 * N_RADII))
    r_outer = np.zeros(N_ANGLES)
    for a in range(N_ANGLES):
        row = stained[a, inner:]
        gaps = np.flatnonzero(~row)
        first_gap = gaps[0] if gaps.size else row.size
        # allow short gaps (noise) inside the pattern: extend over gaps shorter than 3 % of R
        end = first_gap
        while end < row.size:
            nxt = np.flatnonzero(row[end:])
            if not nxt.size or nxt[0] > int(0.03 * N_RADII):
                break
            start = end + nxt[0]
            more = np.flatnonzero(~row[start:])
            end = start + (more[0] if more.size else row.size - start)
        r_outer[a] = (inner + end) / N_RADII
    covered = np.mean(r_outer > rules.min_pattern_radius)
    mean_outer = float(np.median(r_outer))
    if covered < rules.min_stained_angles or not (rules.min_pattern_radius < mean_outer < rules.max_pattern_radius):
        raise ChromatogramNotFound(
            "no_pattern",
            "Could not find a chromatogram: the paper shows no radial stained pattern "
            f"(pattern on {covered:.0%} of the angles, median radius {mean_outer:.2f} R).",
            pattern_angles=float(covered),
            median_radius=mean_outer,
        )

    # centre colour: the innermost disc (avoiding the wick hole)
    centre_lab = np.median(lab[:, int(0.02 * N_RADII) : int(0.07 * N_RADII)].reshape(-1, 3), axis=0)
    L_c, a_c, b_c = (float(v) for v in centre_lab)

    # middle band: the darkest level of the median radial profile, outside the centre zone
    L = lab[:, :, 0]
    L_med = np.median(L, axis=0)
    ce = np.linalg.norm(lab - centre_lab, axis=2)
    centre_end = np.array([np.argmax(ce[a, inner:] > 15.0) + inner for a in range(N_ANGLES)]) / N_RADII
    r_centre = float(np.median(centre_end))
    lo = int(max(r_centre, 0.05) * N_RADII)
    hi = int(mean_outer * N_RADII)
    if hi - lo < 4:
        raise ChromatogramNotFound("no_pattern", "Could not find a chromatogram: no zones between centre and edge.")
    core = lo + int(np.argmin(L_med[lo:hi]))
    L_band = float(L_med[core])
    L_outer_level = float(np.max(L_med[core:hi])) if hi > core else L_band
    contrast = L_outer_level - L_band
    if contrast < rules.min_band_contrast_l:
        raise ChromatogramNotFound(
            "no_pattern",
            f"Could not find a chromatogram: no darker middle band (contrast {contrast:.1f} L*).",
            band_contrast_l=contrast,
        )
    mid = (L_band + L_outer_level) / 2
    r_band = np.zeros(N_ANGLES)
    for a in range(N_ANGLES):
        limit = max(core + 1, int(r_outer[a] * N_RADII))
        above = np.flatnonzero(L[a, core:limit] > mid)
        r_band[a] = (core + (above[0] if above.size else limit - core)) / N_RADII
    band_cv = float(np.std(r_band) / np.mean(r_band))
    band_lab = np.median(lab[:, max(lo, core - 2) : core + 3].reshape(-1, 3), axis=0)
    outer_sel = (radii[None, :] > r_band[:, None] + 0.02) & (radii[None, :] < r_outer[:, None] - 0.02)
    outer_lab = np.median(lab[outer_sel], axis=0) if outer_sel.any() else band_lab

    n_spikes, spike_depth = _spikes(r_outer, rules.edge_spike_depth)
    centre_code = "red_to_purple" if (L_c < rules.centre_dark_l and a_c > rules.centre_red_a) else "white_to_pink"
    band_code = "irregular" if band_cv > rules.band_irregular_cv else "ring"
    edge_code = "serrated" if (n_spikes >= rules.edge_min_spikes) else "smooth"
    c_l, c_a = _confidence(L_c, rules.centre_dark_l, 20.0), _confidence(a_c, rules.centre_red_a, 16.0)
    if centre_code == "red_to_purple":  # both conditions met: as sure as the weaker one
        c_centre = min(c_l, c_a)
    else:  # one condition failed: as sure as the clearer failure
        c_centre = max(c_l if L_c >= rules.centre_dark_l else 0.5, c_a if a_c <= rules.centre_red_a else 0.5)
    confidence = {
        "center": c_centre,
        "middle_band": _confidence(band_cv, rules.band_irregular_cv, 0.06),
        "edge": _confidence(float(n_spikes), rules.edge_min_spikes - 0.5, 8.0),
    }
    measures = {
        **paper_measures,
        "paper_radius_px": radius / scale,
        "centre_px": [centre[0] / scale, centre[1] / scale],
        "centre_zone": {"radius": r_centre, "lab": [L_c, a_c, b_c]},
        "middle_band": {
            "radius_mean": float(np.mean(r_band)),
            "radius_cv": band_cv,
            "lab": [float(v) for v in band_lab],
            "contrast_l": contrast,
        },
        "outer_zone": {
            "radius_mean": float(np.mean(r_outer)),
            "lab": [float(v) for v in outer_lab],
            "spikes": n_spikes,
            "spike_depth": spike_depth,
        },
        "paper_lab": [float(v) for v in paper_colour],
        "_profiles": {"r_band": r_band.tolist(), "r_outer": r_outer.tolist()},
    }
    return Reading(
        zones={"center": centre_code, "middle_band": band_code, "edge": edge_code},
        confidence={k: round(v, 3) for k, v in confidence.items()},
        overall_confidence=round(min(confidence.values()), 3),
        centre=centre,
        paper_radius_px=radius,
        scale=scale,
        measures=measures,
    )


def overlay_png(image, reading: Reading) -> bytes:
    """The analysed photo with the zones found drawn on it (PNG bytes): paper circle, centre zone,
    band boundary r_m(θ), outer edge r_o(θ), the centre."""
    img = decode(image) if isinstance(image, (bytes, bytearray, memoryview)) else image
    img, _ = _resize(img)
    out = img.copy()
    cx, cy = reading.centre
    R = reading.paper_radius_px
    m = reading.measures
    angles = np.deg2rad(np.arange(N_ANGLES) * 360.0 / N_ANGLES)

    def ring(profile, colour):
        r = np.asarray(profile) * R
        pts = np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], axis=1).round().astype(np.int32)
        cv2.polylines(out, [pts], True, colour, 2, cv2.LINE_AA)

    cv2.circle(out, (round(cx), round(cy)), round(R), (255, 160, 0), 2, cv2.LINE_AA)  # paper
    cv2.circle(
        out, (round(cx), round(cy)), max(1, round(m["centre_zone"]["radius"] * R)), (0, 255, 255), 2, cv2.LINE_AA
    )  # centre zone
    ring(m["_profiles"]["r_band"], (255, 0, 255))  # band boundary
    ring(m["_profiles"]["r_outer"], (0, 200, 0))  # outer edge
    cv2.drawMarker(out, (round(cx), round(cy)), (0, 0, 255), cv2.MARKER_CROSS, 14, 2)
    return cv2.imencode(".png", out)[1].tobytes()
