"""Pages of the maturity app: a sample's maturity verdict under any rule set (tari_1999, zucconi_gi, ccqc_2001),
explained indicator by indicator (group, class, the threshold it met)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lims.lifecycle import RESULTS_RELEASED, TransitionError
from lims.roles import Role
from lims.selectors import samples_visible_to
from lims.services import PermissionDeniedError

from . import chromatogram_services, selectors
from .calculations import CHROMATOGRAM_ZONES
from .errors import InputError
from .formatting import fmt, fmt_indicator_value
from .models import ChromatogramReading
from .policy import current_policy
from .rules import RULE_SETS
from .stability_forms import CCQC_INDICATORS, RULE_SET_LABELS

INDICATOR_LABELS = {
    "germination": gettext_lazy("Germination test"),
    "cn_ratio": gettext_lazy("C/N ratio"),
    "reducing_sugar": gettext_lazy("Reducing sugar / total carbon"),
    "chromatogram": gettext_lazy("Filter-paper chromatogram"),
    "germination_index": gettext_lazy("Germination index"),
    **CCQC_INDICATORS,
}
STATUS_LABELS = {
    "very_mature": gettext_lazy("Very mature"),
    "mature": gettext_lazy("Mature"),
    "intermediate": gettext_lazy("Intermediate"),
    "immature": gettext_lazy("Immature"),
    "incomplete": gettext_lazy("Incomplete"),
    "missing": gettext_lazy("Missing"),
    "invalid": gettext_lazy("Invalid"),
    "skipped": gettext_lazy("Not applied"),
}
GROUP_LABELS = {
    "A": gettext_lazy("Group A (stability)"),
    "B": gettext_lazy("Group B (maturity)"),
    "gate": gettext_lazy("Gate"),
}


def _label(table, code):
    return str(table.get(code, code or ""))


def _ccqc_text(ind):
    p = {
        "name": _label(INDICATOR_LABELS, ind["indicator"]),
        "value": fmt(ind["value"]),
        "threshold": ind["threshold"] or "",
        "criterion": ind["criterion"],
    }
    status = ind["status"]
    if ind["indicator"] == "cn_ratio":
        return {
            "mature": _("C/N %(value)s meets the gate %(threshold)s.") % p,
            "immature": _("C/N %(value)s is above the gate: the compost is immature whatever the other tests say.") % p,
        }.get(status, _("No C/N result: the gate cannot be checked."))
    return {
        "very_mature": _("%(value)s meets %(threshold)s: very mature.") % p,
        "mature": _("%(value)s meets %(threshold)s: mature.") % p,
        "immature": _("%(value)s meets neither threshold: immature.") % p,
        "invalid": _("The assay is invalid and does not count."),
    }.get(status, _("No result; it does not count for its group."))


def explain(result):
    """The verdict of one rule set as rows a person reads."""
    rows = []
    for ind in result["indicators"]:
        row = {
            "indicator": ind["indicator"],
            "name": _label(INDICATOR_LABELS, ind["indicator"]),
            "status": ind["status"],
            "status_label": _label(STATUS_LABELS, ind["status"]),
            "value": fmt_indicator_value(ind["value"]) or "—",
            "criterion": ind["criterion"],
            "group": ind.get("group", ""),
            "group_label": _label(GROUP_LABELS, ind.get("group")),
            "threshold": ind.get("threshold") or "",
        }
        row["text"] = _ccqc_text(ind) if result["rule_set"] == "ccqc_2001" else ind["criterion"]
        rows.append(row)
    groups = [
        {
            "group": g,
            "label": _label(GROUP_LABELS, g),
            "class": c,
            "class_label": _label(STATUS_LABELS, c) if c else _("no result"),
        }
        for g, c in (result.get("groups") or {}).items()
    ]
    return {
        "rule_set": result["rule_set"],
        "rule_set_label": _label(RULE_SET_LABELS, result["rule_set"]),
        "verdict": result["verdict"],
        "verdict_label": _label(STATUS_LABELS, result["verdict"]),
        "indicators": rows,
        "groups": groups,
    }


@login_required
def sample_maturity(request, pk):
    """/maturity/samples/<pk>/?rule_set=…: the verdict under the chosen rule set, explained."""
    sample = get_object_or_404(samples_visible_to(request.user).select_related("product"), pk=pk)
    rule_set = request.GET.get("rule_set") or "ccqc_2001"
    ctx = {
        "sample": sample,
        "rule_sets": [(k, RULE_SET_LABELS[k]) for k in RULE_SETS],
        "rule_set": rule_set,
        "result": None,
        "error": None,
    }
    status = 200
    if request.user.role == Role.MANUFACTURER and sample.status not in RESULTS_RELEASED:
        ctx["error"] = _("The laboratory releases results and verdicts once they are verified by a second person.")
    elif rule_set not in RULE_SETS:
        ctx["error"] = _("Unknown rule set %(rule_set)s.") % {"rule_set": rule_set}
        status = 400
    else:
        try:
            ctx["result"] = explain(selectors.sample_maturity_verdict(sample, rule_set, policy=current_policy()))
        except InputError as e:
            ctx["error"] = " ".join(str(m) for msgs in e.errors.values() for m in msgs)
    return render(request, "maturity/sample_maturity.html", ctx, status=status)


# --------------------------------------------------------------------------- chromatogram photos

ZONE_LABELS = {
    "center": gettext_lazy("Centre"),
    "middle_band": gettext_lazy("Middle band"),
    "edge": gettext_lazy("Edge"),
}
ZONE_CODE_LABELS = {
    "white_to_pink": gettext_lazy("white to pink (fresh)"),
    "red_to_purple": gettext_lazy("red to purple (mature)"),
    "ring": gettext_lazy("ring-shaped (fresh)"),
    "irregular": gettext_lazy("irregular (mature)"),
    "smooth": gettext_lazy("smooth, not serrated (fresh)"),
    "serrated": gettext_lazy("serrated, tooth-like (mature)"),
}
PROTOCOL_LABELS = {
    "tari_agno3": gettext_lazy("TARI: AgNO₃ paper, 1 % NaOH extract (three zones)"),
    "livestock_naoh": gettext_lazy("Livestock manure: 0.1 N NaOH extract (edge only)"),
}
DECISION_LABELS = {
    "proposed": gettext_lazy("Proposed, not yet decided"),
    "accepted": gettext_lazy("Accepted as proposed"),
    "corrected": gettext_lazy("Corrected"),
}


def _entry_sample(request, pk):
    if request.user.role not in (Role.TECHNICIAN, Role.LAB_ADMIN):
        raise PermissionDenied
    return get_object_or_404(samples_visible_to(request.user).select_related("product"), pk=pk)


def _lab_reading(request, rid):
    if request.user.role == Role.MANUFACTURER:
        raise PermissionDenied
    return get_object_or_404(
        ChromatogramReading.objects.select_related("sample", "assay"),
        pk=rid,
        sample__in=samples_visible_to(request.user),
    )


@login_required
def chromatogram_photo(request, pk):
    """Upload a chromatogram photo; the analysis proposes the zones (next page)."""
    sample = _entry_sample(request, pk)
    errors, protocol = {}, request.POST.get("protocol") or "tari_agno3"
    if request.method == "POST":
        try:
            reading = chromatogram_services.chromatogram_read(
                actor=request.user, sample=sample, photo=request.FILES.get("photo"), protocol=protocol
            )
        except InputError as e:
            errors = e.errors
        except (TransitionError, PermissionDeniedError) as e:  # lifecycle or role refusals carry their message
            errors = {"non_field_errors": [str(e)]}
        else:
            return redirect("chromatogram-reading", reading.pk)
    ctx = {
        "sample": sample,
        "errors": errors,
        "protocol": protocol,
        "protocols": list(PROTOCOL_LABELS.items()),
        "readings": [_reading_row(r) for r in selectors.chromatogram_readings(sample)],
    }
    return render(request, "maturity/chromatogram_photo.html", ctx, status=400 if errors else 200)


def _reading_row(reading):
    zones = reading.proposal.get("zones", {})
    return {
        "reading": reading,
        "decision_label": _label(DECISION_LABELS, reading.decision),
        "zones": [
            {
                "zone": z,
                "label": _label(ZONE_LABELS, z),
                "proposed": c,
                "proposed_label": _label(ZONE_CODE_LABELS, c),
                "confidence": round(100 * reading.proposal.get("confidence", {}).get(z, 0)),
                "decided": reading.decided_zones.get(z),
                "decided_label": _label(ZONE_CODE_LABELS, reading.decided_zones.get(z)),
                "choices": [(code, _label(ZONE_CODE_LABELS, code)) for code in CHROMATOGRAM_ZONES[z]],
            }
            for z, c in zones.items()
        ],
    }


@login_required
def chromatogram_reading(request, rid):
    """The proposal with the overlay of the zones found; the technician accepts or corrects it."""
    reading = _lab_reading(request, rid)
    errors = {}
    if request.method == "POST":
        _entry_sample(request, reading.sample_id)
        zones = {z: request.POST.get(z, "") for z in reading.proposal.get("zones", {})}
        try:
            chromatogram_services.chromatogram_decide(
                actor=request.user, reading=reading, zones=zones, reason=request.POST.get("reason", "")
            )
        except InputError as e:
            errors = e.errors
        except (TransitionError, PermissionDeniedError) as e:
            errors = {"non_field_errors": [str(e)]}
        else:
            messages.success(request, _("The chromatogram reading was entered as an assay."))
            return redirect("chromatogram-reading", reading.pk)
    m = reading.proposal.get("measures", {})
    ctx = {
        "row": _reading_row(reading),
        "reading": reading,
        "sample": reading.sample,
        "errors": errors,
        "measures": m,
        "protocol_label": _label(PROTOCOL_LABELS, reading.protocol),
        "overall": round(100 * reading.proposal.get("overall_confidence", 0)),
        "can_decide": reading.decision == "proposed" and request.user.role in (Role.TECHNICIAN, Role.LAB_ADMIN),
        "reason": request.POST.get("reason", ""),
    }
    return render(request, "maturity/chromatogram_reading.html", ctx, status=400 if errors else 200)


@login_required
def chromatogram_overlay(request, rid):
    reading = _lab_reading(request, rid)
    return FileResponse(reading.overlay.open("rb"), content_type="image/png")
