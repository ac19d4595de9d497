"""Services of the QC app that write: worksheets (create, enter, submit, release), reference
materials, templates, control charts and the QC-derived figures (U, LOD/LOQ). Every write is atomic
and audited; lab-policy limits come from ``QcLimits``."""

import math
from dataclasses import replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims import audit
from lims.lifecycle import TransitionError
from lims.messages import Message, gettext_noop
from lims.models import Sample
from lims.roles import Role
from lims.services import PermissionDeniedError, register_guard, sample_transition
from maturity import calculations as calc
from maturity.assays import assay_enter, assay_preview
from maturity.errors import InputError
from maturity.parameters import PARAMETERS, unknown_parameter
from maturity.policy import current_policy
from maturity.selectors import FIGURE_HOOKS

from . import grid
from . import statistics as qs
from .models import ChartPoint, ControlChart, QcLimits, ReferenceMaterial, Worksheet, WorksheetPosition, u_cref_pct

RUN_ROLES = (Role.TECHNICIAN, Role.LAB_ADMIN)
RELEASE_ROLES = (Role.REVIEWER, Role.LAB_ADMIN)
QC_KINDS = ("blank", "duplicate", "reference", "spike")
OPEN_SAMPLE_STATES = ("received", "in_testing")

# What a person reads of qc.statistics' errors: a Message by the error's code (QcError's English text is not shown)
QC_ERROR_MESSAGES = {
    code: Message(code, template)
    for code, template in {
        "not_a_number": gettext_noop("must be a finite number"),
        "zero_mean": gettext_noop("RPD is undefined: the mean of the duplicates is zero"),
        "zero_assigned_value": gettext_noop("recovery needs a non-zero assigned value"),
        "s_not_positive": gettext_noop("s must be greater than 0"),
        "added_not_positive": gettext_noop("the amount added must be greater than 0"),
        "too_few_results": gettext_noop("the uncertainty needs at least two reference results"),
        "too_few_blanks": gettext_noop("LOD and LOQ need at least 7 blank replicates"),
        "negative": gettext_noop("must not be negative"),
    }.items()
}


def _reason_required(template):
    return {"reason": [Message("reason_required", template)]}


def _unknown_method(method):
    return Message("unknown_method", gettext_noop("Unknown method '%(method)s'."), method=method)


def _need_role(actor, allowed, message):
    if actor.role not in allowed:
        raise PermissionDeniedError(message)


def limits_for(method, parameter):
    return QcLimits.objects.filter(method=method, parameter=parameter).first() or QcLimits(
        method=method, parameter=parameter
    )


# --------------------------------------------------------------------------- registry (lab admin)

RM_FIELDS = ["code", "name", "kind", "parameter", "assigned_value", "expanded_uncertainty", "unit", "lot", "expires_on"]


@transaction.atomic
def reference_material_save(*, actor, instance=None, reason="", **fields):
    _need_role(actor, (Role.LAB_ADMIN,), _("Only lab admins keep the reference materials."))
    if fields.get("assigned_value") == 0:
        message = gettext_noop("The assigned value must not be zero (recovery divides by it).")
        raise InputError({"assigned_value": [Message("assigned_value_zero", message)]})
    value = fields.get("assigned_value", instance.assigned_value if instance else None)
    u = fields.get("expanded_uncertainty", instance.expanded_uncertainty if instance else None)
    if u is not None and u < 0:
        message = gettext_noop("The expanded uncertainty must be 0 or more.")
        raise InputError({"expanded_uncertainty": [Message("uncertainty_negative", message)]})
    if value and u is not None and not math.isfinite(u_cref_pct(u, value)):
        message = gettext_noop(
            "The expanded uncertainty is too large for the assigned value (its relative size overflows)."
        )
        raise InputError({"expanded_uncertainty": [Message("uncertainty_overflow", message)]})
    if instance is not None and not (reason or "").strip():
        raise InputError(_reason_required(gettext_noop("A reason is required to change a reference material.")))
    before = audit.snapshot(instance, RM_FIELDS) if instance else {}
    obj = instance or ReferenceMaterial()
    for k, v in fields.items():
        setattr(obj, k, v)
    obj.save()
    audit.record(
        entity="reference_material",
        obj=obj,
        action="update" if instance else "create",
        actor=actor,
        changes=audit.diff(before, audit.snapshot(obj, RM_FIELDS)),
        reason=reason,
    )
    return obj


@transaction.atomic
def limits_set(*, actor, method, parameter, reason, **fields):
    """The lab sets its QC policy of a method × parameter (RPD limit, spike range, LOD/LOQ)."""
    _need_role(actor, (Role.LAB_ADMIN,), _("Only lab admins set QC limits."))
    if not (reason or "").strip():
        raise InputError(_reason_required(gettext_noop("A reason is required to change QC limits.")))
    if method not in calc.METHODS:
        raise InputError({"method": [_unknown_method(method)]})
    if parameter not in PARAMETERS:
        raise InputError({"parameter": [unknown_parameter(parameter)]})
    obj = limits_for(method, parameter)
    keys = ["rpd_limit_pct", "spike_low_pct", "spike_high_pct", "lod", "loq", "detection_source"]
    before = audit.snapshot(obj, keys) if obj.pk else {}
    for k, v in fields.items():
        setattr(obj, k, v)
    if "lod" in fields or "loq" in fields:
        obj.detection_source = "lab"
    if obj.lod is not None and obj.loq is not None and obj.loq < obj.lod:
        raise InputError({"loq": [Message("loq_below_lod", gettext_noop("LOQ must not be below LOD."))]})
    if obj.spike_low_pct >= obj.spike_high_pct:
        message = gettext_noop("The upper spike limit must be above the lower one.")
        raise InputError({"spike_high_pct": [Message("spike_limits_order", message)]})
    obj.save()
    audit.record(
        entity="qc_limits",
        obj=obj,
        action="update" if before else "create",
        actor=actor,
        changes=audit.diff(before, audit.snapshot(obj, keys)),
        reason=reason,
    )
    return obj


@transaction.atomic
def chart_set(*, actor, chart, centre, s, reason):
    """The lab sets a chart's centre and s itself (instead of the first 20 accepted results)."""
    _need_role(actor, (Role.LAB_ADMIN,), _("Only lab admins set control-chart limits."))
    if not (reason or "").strip():
        raise InputError(_reason_required(gettext_noop("A reason is required to set a chart's centre and s.")))
    if s is None or s <= 0:
        raise InputError({"s": [QC_ERROR_MESSAGES["s_not_positive"]]})
    chart = ControlChart.objects.select_for_update().get(pk=chart.pk)
    before = audit.snapshot(chart, ["centre", "s", "set_by_lab"])
    chart.centre, chart.s, chart.set_by_lab = centre, s, True
    chart.save()
    _reevaluate(chart)
    audit.record(
        entity="control_chart",
        obj=chart,
        action="update",
        actor=actor,
        changes=audit.diff(before, audit.snapshot(chart, ["centre", "s", "set_by_lab"])),
        reason=reason,
    )
    return chart


# --------------------------------------------------------------------------- worksheets


@transaction.atomic
def worksheet_create(*, actor, method, samples, qc_items=(), template=None):
    """A worksheet of ``samples`` (waiting for entry) plus QC items, in positions 1…n.

    ``qc_items``: ``{"kind": "blank"}``, ``{"kind": "duplicate", "of": sample_id}``,
    ``{"kind": "reference", "reference_material": id}``, ``{"kind": "spike", "of": sample_id,
    "parameter": key, "added": amount}``. A template supplies the method and its QC items."""
    _need_role(actor, RUN_ROLES, _("Only technicians and lab admins run worksheets."))
    if template is not None:
        method = method or template.method
        qc_items = list(qc_items) or list(template.qc_items)
        if len(samples) > template.sample_count:
            raise InputError(
                {
                    "samples": [
                        Message(
                            "template_too_many_samples",
                            gettext_noop("The template '%(name)s' holds at most %(n)s samples."),
                            name=template.name,
                            n=template.sample_count,
                        )
                    ]
                }
            )
    errors = {}
    if method not in calc.METHODS:
        errors["method"] = [_unknown_method(method)]
    if not samples:
        errors["samples"] = [Message("samples_required", gettext_noop("Choose at least one sample."))]
    ids = [s.pk for s in samples]
    if len(set(ids)) != len(ids):
        errors["samples"] = [Message("sample_repeated", gettext_noop("A sample may be in a worksheet only once."))]
    for s in samples:
        if s.status not in OPEN_SAMPLE_STATES:
            message = gettext_noop(
                "%(code)s is '%(status)s': only received samples or samples in testing wait for a method."
            )
            errors.setdefault("samples", []).append(
                Message("sample_not_waiting", message, code=s.code, status=s.status)
            )
    busy = WorksheetPosition.objects.filter(
        sample__in=ids, worksheet__status__in=("open", "entered"), worksheet__method=method
    ).values_list("sample__code", flat=True)
    for code in busy:
        message = gettext_noop("%(code)s is already on an open worksheet for this method.")
        errors.setdefault("samples", []).append(Message("sample_on_open_worksheet", message, code=code))
    plan = []
    for i, item in enumerate(qc_items):
        path = f"qc_items.{i}"
        kind = (item or {}).get("kind")
        if kind not in QC_KINDS:
            errors[f"{path}.kind"] = [
                Message("qc_kind_unknown", gettext_noop("Use one of: %(kinds)s."), kinds=QC_KINDS)
            ]
            continue
        entry = {"kind": kind}
        if kind in ("duplicate", "spike"):
            of = item.get("of", ids[0] if ids else None)
            if of not in ids:
                errors[f"{path}.of"] = [
                    Message("qc_of_not_in_worksheet", gettext_noop("Name a sample of this worksheet."))
                ]
            entry["of"] = of
        if kind == "reference":
            rm_id = item.get("reference_material")
            rm = ReferenceMaterial.objects.filter(pk=rm_id).first() if isinstance(rm_id, int) else None
            if rm is None:
                message = gettext_noop("Unknown reference material.")
                errors[f"{path}.reference_material"] = [Message("reference_material_unknown", message)]
            elif rm.expires_on < timezone.localdate():
                errors[f"{path}.reference_material"] = [
                    Message(
                        "reference_material_expired",
                        gettext_noop("%(code)s expired on %(date)s."),
                        code=rm.code,
                        date=rm.expires_on.isoformat(),
                    )
                ]
            entry["reference_material"] = rm
        if kind == "spike":
            added = item.get("added")
            if not isinstance(added, (int, float)) or isinstance(added, bool) or added <= 0:
                errors[f"{path}.added"] = [QC_ERROR_MESSAGES["added_not_positive"]]
            if not item.get("parameter"):
                message = gettext_noop("Name the parameter spiked.")
                errors[f"{path}.parameter"] = [Message("spike_parameter_required", message)]
            entry.update(parameter=item.get("parameter") or "", added=added)
        plan.append(entry)
    if errors:
        raise InputError(errors)
    ws = Worksheet.objects.create(method=method, template=template, created_by=actor)
    by_sample = {}
    n = 0
    for s in samples:
        n += 1
        by_sample[s.pk] = WorksheetPosition.objects.create(worksheet=ws, number=n, kind="sample", sample=s)
    for entry in plan:
        n += 1
        WorksheetPosition.objects.create(
            worksheet=ws,
            number=n,
            kind=entry["kind"],
            of_position=by_sample.get(entry.get("of")),
            reference_material=entry.get("reference_material"),
            spike_parameter=entry.get("parameter", ""),
            spike_added=entry.get("added"),
        )
    audit.record(
        entity="worksheet",
        obj=ws,
        action="create",
        actor=actor,
        changes={
            "method": [None, method],
            "samples": [None, [s.code for s in samples]],
            "qc_items": [None, [e["kind"] for e in plan]],
        },
    )
    return ws


def _positions(ws):
    return list(
        ws.positions.select_related("sample__product__manufacturer", "of_position", "reference_material").order_by(
            "number"
        )
    )


GRID_ERROR_MESSAGES = {
    "required": Message("required", gettext_noop("is required")),
    "not_a_number": QC_ERROR_MESSAGES["not_a_number"],
    "negative": QC_ERROR_MESSAGES["negative"],
}


POSITION_RESULTS_REQUIRED = Message("position_results_required", gettext_noop("Enter this position's results."))


def _unknown_cells(ws, data):
    """Errors of the cells a position gave that are no column of the method (``qc.grid.cells_to_data``)."""
    unknown = data.get("__unknown__") if isinstance(data, dict) else None
    return {
        key: [
            Message(
                "unknown_column",
                gettext_noop("'%(column)s' is not a raw field of the method '%(method)s'."),
                column=key,
                method=ws.method,
            )
        ]
        for key in unknown or ()
    }


def _compute_position(ws, pos, data):
    """(results {parameter: value}, errors {field: [..]}) of one position's raw data."""
    if data is None:
        return {}, {"data": [POSITION_RESULTS_REQUIRED]}
    if _unknown_cells(ws, data):
        return {}, _unknown_cells(ws, data)
    try:
        if pos.kind == "sample":
            outcome, _policy = assay_preview(pos.sample, ws.method, data)
        else:
            outcome = calc.compute(ws.method, data, current_policy(), {})
    except InputError as exc:
        return {}, exc.errors
    return {k: m.value for k, m in outcome.results.items()}, {}


def _check_blank(ws, data):
    """(errors, judgements) of a blank that is not measured like a sample (``qc.grid.blank_role``): the
    water control of a germination run (judged on its validity, §4.5) or a reagent blank titration."""
    role = grid.blank_role(ws.method)
    if data is None:
        return {"data": [POSITION_RESULTS_REQUIRED]}, {}
    if _unknown_cells(ws, data):
        return _unknown_cells(ws, data), {}
    if role == "reagent_blank":
        codes = grid.reagent_blank_errors(data)
        return {k: [GRID_ERROR_MESSAGES[c] for c in v] for k, v in codes.items()}, {}
    policy = current_policy()
    try:
        outcome = calc.compute(ws.method, grid.blank_as_assay(ws.method, data), policy, {})
    except InputError as exc:  # the same dishes are read as control and as sample: report them once
        return {k: v for k, v in exc.errors.items() if not k.startswith("sample")}, {}
    g_pct = outcome.details["g_control"] * 100.0
    ok = g_pct >= policy.control_validity_pct
    judgement = qs.Judgement(
        qs.PASS if ok else qs.FAIL,
        "control_germination_valid" if ok else "control_germination_below_validity",
        {"g_control": g_pct, "limit": policy.control_validity_pct},
    )
    return {}, {"control_germination": judgement.as_dict()}


def _entry_data(ws, pos, entry):
    """A position's raw data: given as the method's raw data, or as ``{"cells": {column: text}}`` (the
    grid's and an instrument file's columns, ``qc.grid.columns``)."""
    if isinstance(entry, dict) and set(entry) == {"cells"} and isinstance(entry["cells"], dict):
        return grid.cells_to_data(ws.method, pos.kind, entry["cells"])
    return entry


def _chart_for(method, parameter, rm):
    chart, _created = ControlChart.objects.get_or_create(method=method, parameter=parameter, reference_material=rm)
    return chart


def _judge(ws, pos, results, by_number, chart_s=None):
    """{parameter: Judgement} of a QC position from its results (and those of the position it repeats)."""
    out = {}
    try:
        if pos.kind == "blank":
            for key, value in results.items():
                out[key] = qs.judge_blank(value, limits_for(ws.method, key).loq)
        elif pos.kind == "duplicate":
            original = by_number.get(pos.of_position.number, {}) if pos.of_position else {}
            for key, value in results.items():
                if key in original:
                    out[key] = qs.judge_duplicate(original[key], value, limits_for(ws.method, key).rpd_limit_pct)
        elif pos.kind == "spike":
            original = by_number.get(pos.of_position.number, {}) if pos.of_position else {}
            key = pos.spike_parameter
            if key in results and key in original:
                lim = limits_for(ws.method, key)
                out[key] = qs.judge_spike(
                    results[key], original[key], pos.spike_added, lim.spike_low_pct, lim.spike_high_pct
                )
        elif pos.kind == "reference":
            rm = pos.reference_material
            if rm.parameter in results:
                s = (
                    chart_s
                    if chart_s is not None
                    else ControlChart.objects.filter(method=ws.method, parameter=rm.parameter, reference_material=rm)
                    .values_list("s", flat=True)
                    .first()
                )
                x = results[rm.parameter]
                if s:
                    out[rm.parameter] = qs.judge_reference(x, rm.assigned_value, s)
                else:
                    out[rm.parameter] = qs.Judgement(
                        qs.WARNING, "chart_not_established", {"recovery": qs.recovery_pct(x, rm.assigned_value)}
                    )
    except qs.QcError as exc:
        out[exc.field] = qs.Judgement(qs.FAIL, exc.code, {})
    return {k: j.as_dict() for k, j in out.items()}


def _evaluate(ws, entries):
    positions = _positions(ws)
    entered = {}
    for pos in positions:
        entered[pos.number] = _entry_data(ws, pos, entries.get(pos.number, entries.get(str(pos.number))))
    supplies = grid.blank_role(ws.method) != "measured"
    blank_pos = next((p for p in positions if p.kind == "blank"), None) if supplies else None
    blank = entered[blank_pos.number] if blank_pos else None
    computed, full, taken, blank_checks = {}, {}, {}, {}
    for pos in positions:
        if supplies and pos.kind == "blank":
            blank_checks[pos.number] = _check_blank(ws, entered[pos.number])
            computed[pos.number] = ({}, blank_checks[pos.number][0])
            full[pos.number], taken[pos.number] = entered[pos.number], []
            continue
        full[pos.number], taken[pos.number] = grid.complete(ws.method, pos.kind, entered[pos.number], blank)
        computed[pos.number] = _compute_position(ws, pos, full[pos.number])
    by_number = {n: r for n, (r, _e) in computed.items()}
    out = {}
    for pos in positions:
        results, errors = computed[pos.number]
        if pos.number in blank_checks:
            judgements = blank_checks[pos.number][1]
        else:
            judgements = _judge(ws, pos, results, by_number) if pos.kind != "sample" and not errors else {}
        out[pos.number] = {
            "kind": pos.kind,
            "results": results,
            "errors": errors,
            "judgements": judgements,
            "from_blank": {"position": blank_pos.number, "fields": taken[pos.number]} if taken[pos.number] else None,
        }
    return out, entered, full


def worksheet_evaluate(ws, entries):
    """Compute every position from ``entries`` ({position number: raw data, or {"cells": {column:
    text}}}) as saving would, storing nothing: {number: {"kind", "results", "errors", "judgements",
    "from_blank"}} (the grid's live preview). ``from_blank`` names the fields a position took from the
    worksheet's blank (germination: the water control's dishes and protocol; titrations: the reagent
    blank's volume as ``blank_ml``)."""
    return _evaluate(ws, entries)[0]


def _check_open(actor, ws):
    _need_role(actor, RUN_ROLES, _("Only technicians and lab admins run worksheets."))
    if ws.status != "open":
        raise TransitionError(
            _("This worksheet is '%(status)s': its results are entered already.") % {"status": ws.status},
            error_code="worksheet_not_open",
        )


@transaction.atomic
def worksheet_enter(*, actor, worksheet, entries, source=""):
    """Save the whole grid at once, or nothing: every position must compute without an error."""
    ws = Worksheet.objects.select_for_update().get(pk=worksheet.pk)
    _check_open(actor, ws)
    evaluated, entered, full = _evaluate(ws, entries)
    errors = {f"positions.{n}.{field}": msgs for n, e in evaluated.items() for field, msgs in e["errors"].items()}
    if errors:
        raise InputError(errors)
    now = timezone.now()
    touched = set()
    for pos in _positions(ws):
        e = evaluated[pos.number]
        pos.data = entered[pos.number]
        pos.results = e["results"]
        pos.judgements = e["judgements"]
        if pos.kind == "sample":
            pos.assay = assay_enter(
                actor=actor,
                sample=pos.sample,
                method=ws.method,
                data=full[pos.number],
                source=source or f"worksheet WS-{ws.pk} position {pos.number}",
            )
        elif pos.kind == "reference":
            rm = pos.reference_material
            if rm.parameter in pos.results:
                chart = _chart_for(ws.method, rm.parameter, rm)
                point = _add_point(chart, pos, pos.results[rm.parameter], now)
                pos.judgements = _judge(ws, pos, pos.results, {}, chart_s=chart.s)
                if point.violations:
                    j = pos.judgements.get(rm.parameter, {})
                    status = (
                        qs.FAIL
                        if qs.is_reject(point.violations)
                        else max(j.get("status", qs.PASS), qs.WARNING, key=_severity)
                    )
                    j.update(status=status, westgard=point.violations)
                    if status == qs.FAIL:
                        j["code"] = "westgard_reject"
                    pos.judgements[rm.parameter] = j
                touched.add(rm.parameter)
        elif pos.kind == "blank":
            touched.update(pos.results)
        pos.save()
    ws.status, ws.entered_at = "entered", now
    ws.save(update_fields=["status", "entered_at"])
    for parameter in touched:
        qc_figures_update(ws.method, parameter, actor=actor)
    audit.record(
        entity="worksheet",
        obj=ws,
        action="enter",
        actor=actor,
        changes={
            "status": ["open", "entered"],
            "qc": [None, {n: e["judgements"] for n, e in evaluated.items() if e["judgements"]}],
        },
    )
    return ws


def _severity(status):
    return {qs.PASS: 0, qs.WARNING: 1, qs.FAIL: 2}.get(status, 0)


def _add_point(chart, pos, value, at):
    chart = ControlChart.objects.select_for_update().get(pk=chart.pk)
    point = ChartPoint.objects.create(chart=chart, position=pos, worksheet=pos.worksheet, value=value, at=at)
    _reevaluate(chart, only=point)
    point.refresh_from_db()
    return point


def _reevaluate(chart, only=None):
    """Establish centre and s from the first 20 accepted points (unless the lab set them) and store the
    Westgard violations of each point (of ``only``, when one point was added)."""
    points = list(chart.points.order_by("at", "id"))
    if not chart.set_by_lab and chart.s is None:
        params = qs.chart_parameters([p.value for p in points if p.accepted])
        if params:
            chart.centre, chart.s = params
            chart.save(update_fields=["centre", "s"])
            only = None  # established now: the baseline points get their rules too
    if chart.s is None:
        return
    rules = qs.westgard([(p.value, p.worksheet_id) for p in points], chart.centre, chart.s)
    for p, hit in zip(points, rules):
        if only is not None and p.pk != only.pk:
            continue
        if p.violations != hit:
            p.violations = hit
            p.accepted = not qs.is_reject(hit)
            p.save(update_fields=["violations", "accepted"])


def worksheet_rejects(ws):
    """The chart points of this worksheet that a Westgard reject rule flags."""
    return [
        p
        for p in ChartPoint.objects.filter(worksheet=ws).select_related("chart__reference_material")
        if qs.is_reject(p.violations)
    ]


@transaction.atomic
def worksheet_submit(*, actor, worksheet):
    """Submit the worksheet's samples for verification; a Westgard reject blocks it until released."""
    ws = Worksheet.objects.select_for_update().get(pk=worksheet.pk)
    _need_role(actor, RUN_ROLES, _("Only technicians and lab admins run worksheets."))
    if ws.status != "entered":
        raise TransitionError(
            _("Enter the worksheet's results before submitting it (it is '%(status)s').") % {"status": ws.status},
            error_code="worksheet_not_entered",
        )
    rejects = worksheet_rejects(ws)
    if rejects and ws.released_at is None:
        rules = sorted({r for p in rejects for r in p.violations if r in qs.REJECT_RULES})
        raise TransitionError(
            _("The control chart rejects this run (%(rules)s): a reviewer must release it with a reason.")
            % {"rules": ", ".join(rules)},
            error_code="worksheet_qc_reject",
        )
    submitted = Message(
        "reason_worksheet_submitted", gettext_noop("worksheet WS-%(worksheet)s submitted"), worksheet=ws.pk
    )
    for pos in ws.positions.filter(kind="sample").select_related("sample"):
        sample = Sample.objects.get(pk=pos.sample_id)
        if sample.status == "in_testing":
            sample_transition(actor=actor, sample=sample, action="submit", reason=submitted)
    ws.status, ws.submitted_at = "submitted", timezone.now()
    ws.save(update_fields=["status", "submitted_at"])
    audit.record(entity="worksheet", obj=ws, action="submit", actor=actor, changes={"status": ["entered", "submitted"]})
    return ws


@transaction.atomic
def worksheet_release(*, actor, worksheet, reason):
    """A reviewer releases a worksheet the control chart rejected, with a reason (audited)."""
    _need_role(actor, RELEASE_ROLES, _("Only reviewers release a rejected worksheet."))
    ws = Worksheet.objects.select_for_update().get(pk=worksheet.pk)
    if not (reason or "").strip():
        raise InputError(_reason_required(gettext_noop("A reason is required to release a rejected worksheet.")))
    if not worksheet_rejects(ws):
        raise TransitionError(
            _("Nothing to release: no control-chart reject on this worksheet."), error_code="worksheet_no_reject"
        )
    if ws.released_at is not None:
        raise TransitionError(_("This worksheet is released already."), error_code="worksheet_released")
    ws.released_by, ws.released_at, ws.release_reason = actor, timezone.now(), reason
    ws.save(update_fields=["released_by", "released_at", "release_reason"])
    audit.record(
        entity="worksheet",
        obj=ws,
        action="release",
        actor=actor,
        reason=reason,
        changes={"released_by": [None, actor.username]},
    )
    return ws


def _sample_on_open_worksheet(sample, actor):
    """A sample on a worksheet is submitted with its worksheet (which checks the QC)."""
    pos = WorksheetPosition.objects.filter(sample=sample, worksheet__status__in=("open", "entered")).first()
    if pos is not None:
        raise TransitionError(
            _("%(code)s is on worksheet WS-%(ws)s: submit the worksheet.")
            % {"code": sample.code, "ws": pos.worksheet_id},
            error_code="on_worksheet",
        )


def _guard_submit(sample, actor):
    # worksheet_submit marks nothing before submitting its samples, so let it through: it checked the QC
    pos = (
        WorksheetPosition.objects.filter(sample=sample, worksheet__status="entered").select_related("worksheet").first()
    )
    if pos is None:
        return _sample_on_open_worksheet(sample, actor)
    ws = pos.worksheet
    if worksheet_rejects(ws) and ws.released_at is None:
        raise TransitionError(
            _("%(code)s is on worksheet WS-%(ws)s, which the control chart rejects: a reviewer must release it first.")
            % {"code": sample.code, "ws": ws.pk},
            error_code="worksheet_qc_reject",
        )


register_guard("submit", _guard_submit)


# --------------------------------------------------------------------------- QC-derived figures


def qc_figures_update(method, parameter, actor=None):
    """Recompute U (Nordtest, from the accepted reference points of all charts of this method ×
    parameter) and, unless the lab set them, LOD/LOQ (from the blanks). Figures too few to compute
    stay as they were."""
    lim = limits_for(method, parameter)
    keys = ["lod", "loq", "detection_source", "uncertainty_pct"]
    before = audit.snapshot(lim, keys) if lim.pk else {}
    points = ChartPoint.objects.filter(chart__method=method, chart__parameter=parameter, accepted=True).select_related(
        "chart__reference_material"
    )
    results = [
        (p.value, p.chart.reference_material.assigned_value, p.chart.reference_material.u_cref_pct) for p in points
    ]
    changed = False
    if len(results) >= 2:
        u = qs.nordtest(results)
        lim.uncertainty_pct, lim.uncertainty_data, lim.uncertainty_at = u.expanded_pct, u.as_dict(), timezone.now()
        changed = True
    if lim.detection_source != "lab":
        blanks = [
            r[parameter]
            for r in WorksheetPosition.objects.filter(
                kind="blank", worksheet__method=method, worksheet__status__in=("entered", "submitted")
            ).values_list("results", flat=True)
            if parameter in r
        ]
        if len(blanks) >= qs.MIN_BLANK_REPLICATES:
            lim.lod, lim.loq = qs.detection_limits(blanks)
            lim.detection_source = "blanks"
            changed = True
    if changed:
        lim.save()
        audit.record(
            entity="qc_limits",
            obj=lim,
            action="recompute",
            actor=actor,
            changes=audit.diff(before, audit.snapshot(lim, keys)),
            reason=Message("reason_qc_limits_recomputed", gettext_noop("recomputed from QC data")),
        )
    return lim


def _qc_figures(figures):
    """Results without an uncertainty take U of their method × parameter (marked as estimated from QC);
    values below the LOD are reported as ``< LOD``."""
    pairs = {(a.method, key) for key, a in figures.sources.items()}
    if not pairs:
        return
    methods = {m for m, _k in pairs}
    cached = ("qc_limits", frozenset(methods))  # read once for many samples judged together
    limits = figures.cache.get(cached)
    if limits is None:
        limits = figures.cache[cached] = {
            (q.method, q.parameter): q for q in QcLimits.objects.filter(method__in=methods)
        }
    for key, m in list(figures.measurements.items()):
        lim = limits.get((figures.sources[key].method, key))
        if lim is None or m.qualifier:
            continue
        if qs.below_lod(m.value, lim.lod):
            figures.measurements[key] = replace(m, value=lim.lod, qualifier="<")
            continue
        if m.uncertainty is None and lim.uncertainty_pct is not None:
            figures.measurements[key] = replace(m, uncertainty=qs.absolute_uncertainty(m.value, lim.uncertainty_pct))
            figures.qc_estimated.add(key)


FIGURE_HOOKS.append(_qc_figures)


def position_label(ws, pos):
    """What the bench sheet prints (and its barcode carries) for a position: the sample code, or
    ``WS-<worksheet>-<position>`` for a QC item."""
    return pos.sample.code if pos.kind == "sample" else f"WS-{ws.pk}-{pos.number}"


def _path_to_column(cols, kind, path):
    """The grid / file column of a raw-data error path (the longest column path it falls under)."""
    best = None
    for col in cols:
        p = col.path(kind)
        if (path == p or path.startswith(p + ".")) and (best is None or len(p) > len(best[1])):
            best = (col.key, p)
    return best[0] if best else None


def worksheet_import(*, actor, worksheet, filename, content):
    """Instrument import targeting a worksheet: the file's ``sample_code`` column names each position by its
    label on the bench sheet; the whole grid is entered at once, or nothing.

    Method ``direct``: the long format of ``/imports/`` (sample_code, parameter, value, unit, …; several
    rows per position). Every other method: one row per position, the other columns named as the grid's
    (the method's raw fields, ``qc.grid.columns``; germination ``dish1.sown`` … ``dish3.mean_root_length_mm``).
    Problems come back per row and column (``ImportRejected``), each reason a Message with its code."""
    from maturity.importing import ImportRejected, parse_rows, read_table

    _check_open(actor, worksheet)
    positions = _positions(worksheet)
    labels = {position_label(worksheet, p): p for p in positions}

    def not_a_position(label, n):
        return {
            "row": n,
            "column": "sample_code",
            "reason": Message(
                "not_a_position",
                gettext_noop("%(label)s is not a position of worksheet WS-%(ws)s"),
                label=label,
                ws=worksheet.pk,
            ),
        }

    if worksheet.method == "direct":
        by_label, errors = parse_rows(read_table(filename, content))
        entries = {}
        for label, slot in by_label.items():
            if label not in labels:
                errors += [not_a_position(label, n) for n in slot["rows"]]
            else:
                entries[labels[label].number] = {"values": slot["values"]}
        if errors:
            raise ImportRejected(sorted(errors, key=lambda e: (e["row"] or 0, e["column"])))
        return worksheet_enter(actor=actor, worksheet=worksheet, entries=entries, source=f"import:{filename}")

    cols = grid.columns(worksheet.method)
    df = read_table(filename, content, columns=["sample_code"] + [c.key for c in cols], required=["sample_code"])
    errors, entries, rows = [], {}, {}
    for i, record in enumerate(df.to_dict("records")):
        n = i + 2  # the header is row 1
        label = str(record.pop("sample_code", "")).strip()
        pos = labels.get(label)
        if pos is None:
            errors.append(not_a_position(label, n))
        elif pos.number in entries:
            errors.append(
                {
                    "row": n,
                    "column": "sample_code",
                    "reason": Message(
                        "position_given_twice",
                        gettext_noop("%(label)s is given twice (row %(row)s)"),
                        label=label,
                        row=rows[pos.number],
                    ),
                }
            )
        else:
            entries[pos.number] = {"cells": {k: str(v) for k, v in record.items()}}
            rows[pos.number] = n
    if not errors:
        for number, e in worksheet_evaluate(worksheet, entries).items():
            pos = next(p for p in positions if p.number == number)
            for path, msgs in e["errors"].items():
                column = "sample_code" if number not in rows else _path_to_column(cols, pos.kind, path) or path
                errors += [
                    {
                        "row": rows.get(number),
                        "column": column,
                        "reason": Message(  # the rule's own code, the position named in front
                            getattr(m, "code", "invalid"),
                            gettext_noop("%(label)s: %(message)s"),
                            label=position_label(worksheet, pos),
                            message=m,
                        ),
                    }
                    for m in msgs
                ]
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e["row"] or 0, e["column"])))
    return worksheet_enter(actor=actor, worksheet=worksheet, entries=entries, source=f"import:{filename}")
