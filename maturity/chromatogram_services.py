"""Services that write chromatogram readings: read a photo (the analysis proposes the zones), and the
technician's decision (accept or correct), which enters the chromatogram assay with the same photo.

Atomic, audited (entity ``chromatogram_reading``); a picture that is not a chromatogram stores nothing."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from lims import audit
from lims.lifecycle import TransitionError
from lims.messages import Message, gettext_noop
from lims.models import Sample

from . import calculations as calc
from . import chromatogram_image as image
from .assays import _check_entry, assay_enter
from .calculations import CHROMATOGRAM_PROTOCOLS, CHROMATOGRAM_ZONES
from .errors import InputError
from .models import ChromatogramReading

MAX_PHOTO_BYTES = 20 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # a 40-megapixel photo is plenty; larger ones are refused before decoding
NOT_FOUND = gettext_noop("Could not find a chromatogram in this picture: %(reason)s.")
NOT_FOUND_MEASURED = gettext_noop("Could not find a chromatogram in this picture: %(reason)s (%(detail)s).")
NOT_FOUND_REASONS = {
    "no_paper": gettext_noop("no round filter paper"),
    "no_pattern": gettext_noop("the paper shows no radial pattern of zones"),
    "unreadable_image": gettext_noop("the file is not an image that can be read"),
}


def _pct(share):
    return f"{share * 100:.0f}"


# the figures the analysis hands over with a refusal (ChromatogramNotFound.measures) -> the detail shown: its
# template, and how each figure is written in it
NOT_FOUND_DETAILS = (
    (
        gettext_noop("largest bright shape: %(paper_fraction)s %% of the picture, circularity %(circularity)s"),
        {"paper_fraction": _pct, "circularity": "{:.2f}".format},
    ),
    (
        gettext_noop("pattern on %(pattern_angles)s %% of the angles, median radius %(median_radius)s R"),
        {"pattern_angles": _pct, "median_radius": "{:.2f}".format},
    ),
    (
        gettext_noop("no darker middle band: contrast %(band_contrast_l)s L*"),
        {"band_contrast_l": "{:.1f}".format},
    ),
    (
        gettext_noop("%(shorter_side_px)s px on its shorter side, at least %(min_side_px)s px needed"),
        {"shorter_side_px": str, "min_side_px": str},
    ),
)


def not_found_message(error):
    """The message of an analysis refusal (``chromatogram_image.ChromatogramNotFound``) in the reader's language:
    the reason by its code, and the figures measured, when there are some."""
    reason = Message(error.code, NOT_FOUND_REASONS[error.code])
    for template, written in NOT_FOUND_DETAILS:
        if set(written) == set(error.measures):
            params = {k: write(error.measures[k]) for k, write in written.items()}
            detail = Message(f"{error.code}_measured", template, **params)
            return Message("chromatogram_not_found", NOT_FOUND_MEASURED, reason=reason, detail=detail)
    return Message("chromatogram_not_found", NOT_FOUND, reason=reason)


def _snapshot(reading):
    return {
        "decision": reading.decision,
        "zones_proposed": reading.proposal.get("zones"),
        "zones_decided": reading.decided_zones,
        "protocol": reading.protocol,
        "assay": reading.assay_id,
    }


def _check_pixels(content):
    """Refuse a decompression bomb from its header (Pillow reads the size without decoding)."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as im:
            width, height = im.size
    except (UnidentifiedImageError, OSError, ValueError):
        return  # not an image Pillow knows: the analysis says so
    if width * height > MAX_PHOTO_PIXELS:
        message = gettext_noop("must be at most %(limit)s pixels (this one: %(width)s × %(height)s)")
        raise InputError(
            {
                "photo": [
                    Message("photo_too_many_pixels", message, limit=f"{MAX_PHOTO_PIXELS:,}", width=width, height=height)
                ]
            }
        )


@transaction.atomic
def chromatogram_read(*, actor, sample, photo, protocol="tari_agno3"):
    """Analyse an uploaded photo and store the proposal with the photo and its overlay."""
    sample = Sample.objects.select_for_update().select_related("product__manufacturer").get(pk=sample.pk)
    _check_entry(actor, sample)
    if protocol not in CHROMATOGRAM_PROTOCOLS:
        message = gettext_noop("unknown %(field)s %(value)s; expected one of %(choices)s")
        raise InputError(
            {
                "protocol": [
                    Message(
                        "invalid_choice",
                        message,
                        field=calc.field("protocol"),
                        value=repr(protocol),
                        choices=tuple(CHROMATOGRAM_PROTOCOLS),
                    )
                ]
            }
        )
    if photo is None:
        raise InputError({"photo": [calc.required()]})
    if hasattr(photo, "seek"):
        photo.seek(0)
    content = photo.read(MAX_PHOTO_BYTES + 1)
    if len(content) > MAX_PHOTO_BYTES:
        message = gettext_noop("must be at most %(mb)s MB")
        raise InputError({"photo": [Message("photo_too_large", message, mb=MAX_PHOTO_BYTES // (1024 * 1024))]})
    _check_pixels(content)
    try:
        reading = image.analyse(content)
    except image.ChromatogramNotFound as e:
        raise InputError({"photo": [not_found_message(e)]}) from e
    proposal = reading.as_dict()
    if protocol == "livestock_naoh":  # judged on the edge only (§4.7)
        proposal["zones"] = {"edge": proposal["zones"]["edge"]}
    name = (getattr(photo, "name", "") or "chromatogram.png").rsplit("/", 1)[-1]
    obj = ChromatogramReading(sample=sample, protocol=protocol, proposal=proposal, created_by=actor)
    obj.photo.save(name, ContentFile(content), save=False)
    obj.overlay.save(
        f"overlay-{name.rsplit('.', 1)[0]}.png", ContentFile(image.overlay_png(content, reading)), save=False
    )
    obj.save()
    audit.record(
        entity="chromatogram_reading",
        obj=obj,
        action="create",
        actor=actor,
        changes=audit.diff({}, _snapshot(obj)),
        sample=sample,
        manufacturer=sample.product.manufacturer,
    )
    return obj


@transaction.atomic
def chromatogram_decide(*, actor, reading, zones, reason=""):
    """Accept the proposal (zones equal to it) or correct it; enters the chromatogram assay with the photo."""
    reading = (
        ChromatogramReading.objects.select_for_update()
        .select_related("sample__product__manufacturer")
        .get(pk=reading.pk)
    )
    if reading.decision != "proposed":
        message = gettext_noop("This reading was already %(decision)s; enter a new photo to read again.")
        raise TransitionError(Message("reading_decided", message, decision=reading.decision))
    proposed = reading.proposal["zones"]
    zones = {z: zones.get(z) or proposed.get(z) for z in CHROMATOGRAM_ZONES if z in proposed}
    bad = {
        z: [
            Message(
                "invalid_choice",
                gettext_noop("unknown %(field)s code %(value)s; expected one of %(choices)s"),
                field=calc.field(z),
                value=repr(code),
                choices=tuple(CHROMATOGRAM_ZONES[z]),
            )
        ]
        for z, code in zones.items()
        if code not in CHROMATOGRAM_ZONES[z]
    }
    if bad:
        raise InputError(bad)
    corrected = [z for z in zones if zones[z] != proposed[z]]
    if corrected and not (reason or "").strip():
        message = gettext_noop("A reason is required to correct the proposed reading.")
        raise InputError({"reason": [Message("reason_required", message)]})
    before = _snapshot(reading)
    assay = assay_enter(
        actor=actor,
        sample=reading.sample,
        method="chromatogram",
        data={"protocol": reading.protocol, **zones},
        source=f"chromatogram reading #{reading.pk}",
    )
    assay.photo.name = reading.photo.name  # the assay keeps the photo the proposal was made from
    assay.save(update_fields=["photo"])
    reading.decided_zones = zones
    reading.decision = "corrected" if corrected else "accepted"
    for z in CHROMATOGRAM_ZONES:
        setattr(reading, f"{z}_corrected", z in corrected)
    reading.assay, reading.decided_by, reading.decided_at = assay, actor, timezone.now()
    reading.save()
    audit.record(
        entity="chromatogram_reading",
        obj=reading,
        action="update",
        actor=actor,
        changes=audit.diff(before, _snapshot(reading)),
        reason=reason,
        sample=reading.sample,
        manufacturer=reading.sample.product.manufacturer,
    )
    return reading
