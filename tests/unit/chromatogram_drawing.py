"""Chromatogram pictures the test suite draws itself (numpy + OpenCV): concentric zones with known descriptors,
known spikes, rotated, off-centre, under uneven lighting, noisy, JPEG-compressed; and pictures that are not
chromatograms."""

from dataclasses import dataclass

import cv2
import numpy as np

# BGR colours
PAPER = (228, 240, 246)
BACKGROUND = (52, 58, 66)
CENTRE = {"white_to_pink": (212, 196, 246), "red_to_purple": (112, 40, 122)}
BAND = (40, 66, 98)
OUTER = (122, 168, 204)


@dataclass(frozen=True)
class Drawing:
    center: str = "red_to_purple"
    middle_band: str = "irregular"
    edge: str = "serrated"
    width: int = 480
    height: int = 384
    paper_radius: float = 0.42  # × the shorter side
    offset: tuple = (0.0, 0.0)  # paper centre offset, × the shorter side
    rotation: float = 0.0  # degrees
    spikes: int = 24
    spike_depth: float = 0.10  # × the outer radius
    lighting: float = 0.0  # strength of a linear lighting gradient (0 = even)
    lighting_angle: float = 30.0
    noise: float = 0.0  # Gaussian σ in grey levels
    jpeg: int = 0  # JPEG quality (0 = PNG)
    seed: int = 1

    @property
    def zones(self):
        return {"center": self.center, "middle_band": self.middle_band, "edge": self.edge}


def draw(d: Drawing) -> bytes:
    rng = np.random.default_rng(d.seed)
    h, w = d.height, d.width
    s = min(h, w)
    cx, cy = w / 2 + d.offset[0] * s, h / 2 + d.offset[1] * s
    rp = d.paper_radius * s
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.hypot(xx - cx, yy - cy) / rp
    theta = np.arctan2(yy - cy, xx - cx)
    img = np.empty((h, w, 3), np.float32)
    img[:] = BACKGROUND
    img[r <= 1.0] = PAPER

    r_band = np.full_like(theta, 0.42)
    if d.middle_band == "irregular":
        wave = np.zeros_like(theta)
        for k in (5, 7, 9, 11):
            wave += np.cos(k * theta + rng.uniform(0, 2 * np.pi)) / k * 5
        r_band = 0.42 * (1 + 0.16 * wave / np.abs(wave).max())
    r_outer = np.full_like(theta, 0.70)
    if d.edge == "serrated":
        phase = (theta * d.spikes / (2 * np.pi)) % 1.0
        tooth = np.clip(1 - np.abs(phase - 0.5) * 4, 0, 1)  # narrow triangular spikes
        r_outer = 0.66 * (1 + d.spike_depth * tooth)
    img[r <= r_outer] = OUTER
    img[r <= r_band] = BAND
    img[r <= 0.17] = CENTRE[d.center]

    if d.lighting:
        a = np.deg2rad(d.lighting_angle)
        grad = ((xx - w / 2) * np.cos(a) + (yy - h / 2) * np.sin(a)) / s
        img *= (1 + d.lighting * grad)[..., None]
    if d.noise:
        img += rng.normal(0, d.noise, img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    img = cv2.GaussianBlur(img, (3, 3), 0)
    if d.rotation:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), d.rotation, 1.0)
        img = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=BACKGROUND)
    if d.jpeg:
        return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, d.jpeg])[1].tobytes()
    return cv2.imencode(".png", img)[1].tobytes()


def not_chromatograms() -> dict[str, bytes]:
    """Pictures that are not chromatograms, by name."""
    rng = np.random.default_rng(7)
    out = {}
    h, w = 480, 600

    def png(img):
        return cv2.imencode(".png", img)[1].tobytes()

    out["uniform_grey"] = png(np.full((h, w, 3), 128, np.uint8))
    out["random_noise"] = png(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
    img = np.full((h, w, 3), BACKGROUND, np.uint8)
    cv2.rectangle(img, (150, 100), (450, 380), PAPER, -1)
    out["white_rectangle"] = png(img)
    img = np.full((h, w, 3), BACKGROUND, np.uint8)
    cv2.circle(img, (300, 240), 200, PAPER, -1)
    out["blank_paper"] = png(img)
    img = np.full((h, w, 3), BACKGROUND, np.uint8)
    cv2.circle(img, (300, 240), 200, PAPER, -1)
    cv2.circle(img, (300, 240), 120, OUTER, -1)
    out["uniform_stain_no_band"] = png(img)
    tiles = (np.indices((h, w)).sum(axis=0) // 40) % 2
    out["checkerboard"] = png(np.repeat((tiles * 255).astype(np.uint8)[..., None], 3, axis=2))
    grad = np.tile(np.linspace(0, 255, w, dtype=np.uint8), (h, 1))
    out["gradient"] = png(np.repeat(grad[..., None], 3, axis=2))
    img = np.full((h, w, 3), 245, np.uint8)
    for i in range(12):
        cv2.putText(img, "Compost LIMS report 2026", (20, 40 + 36 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20, 20, 20), 2)
    out["text_page"] = png(img)
    out["not_an_image"] = b"%PDF-1.4 this is not a picture"
    out["tiny"] = png(np.full((20, 20, 3), 200, np.uint8))
    return out
