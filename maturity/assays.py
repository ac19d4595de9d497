"""Services that write assays: enter, correct, verify, invalidate, import.

Every write is atomic, recomputes from the raw data with the lab policy in
force, checks that the sample's derived figures are computable (e.g. C/N
needs total nitrogen > 0), and records an audit entry.
"""

import time
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import timezone

from lims import audit
from lims.lifecycle import TransitionError, check_transition, state_name
from lims.messages import Joined, Message, Named, english, gettext_noop, term
from lims.models import Sample
from lims.roles import Role
from lims.services import PermissionDeniedError, register_effect, register_guard, sample_transition

from . import calculations as calc
from . import plausibility
from .errors import InputError
from .formatting import METHOD_LABELS
from .models import Assay
from .policy import current_policy, policy_as_dict
from .selectors import _dry_floats, current_assays, sample_figures

ENTRY_ROLES = (Role.TECHNICIAN, Role.LAB_ADMIN)
OPEN_FOR_ENTRY = ("received", "in_testing")


def _assay_snapshot(assay):
    return {
        "method": assay.method,
        "data": assay.data,
        "results": assay.results,
        "flags": assay.flags,
        "valid": assay.valid,
        "status": assay.status,
    }


ASSAY_STATUS_NAMES = {
    "entered": gettext_noop("Entered"),
    "verified": gettext_noop("Verified"),
    "invalidated": gettext_noop("Invalidated"),
}


def _assay_status(code):
    return term(code, ASSAY_STATUS_NAMES)


def _check_entry(actor, sample):
    if actor.role not in ENTRY_ROLES:
        message = gettext_noop("Only technicians and lab admins enter assay data.")
        raise PermissionDeniedError(Message("entry_role", message))
    if sample.status not in OPEN_FOR_ENTRY:
        message = gettext_noop(
            "Assays can be entered only while a sample is received or in testing; this one is %(state)s."
        )
        raise TransitionError(Message("sample_not_open_for_entry", message, state=state_name(sample.status)))


def _compute(method, data, sample, exclude=None):
    policy = current_policy()
    assays = [a for a in current_assays(sample) if a.pk != getattr(exclude, "pk", None)]
    context = _dry_floats(sample_figures(sample, assays=assays, policy=policy).measurements)
    return calc.compute(method, data, policy, context), policy


def assay_preview(sample, method, data, exclude=None):
    """Compute an assay exactly as saving would, storing nothing (the pages' live preview).

    Returns (outcome, policy); raises InputError like assay_enter."""
    return _compute(method, data, sample, exclude=exclude)


def _check_derivable(sample):
    """Raise InputError if the sample's figures can no longer be derived (e.g. N = 0 for C/N)."""
    sample_figures(sample)


def _store(assay, outcome, policy):
    assay.results = {k: m.as_dict() for k, m in outcome.results.items()}
    assay.flags = list(outcome.flags)
    assay.details = outcome.details
    assay.valid = outcome.valid
    assay.policy = policy_as_dict(policy)


PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
PHOTO_MAX_PIXELS = 50_000_000


def _check_photo(photo):
    """A chromatogram photo must be a real JPEG, PNG or WebP image within the size limits
    (LIMS_PHOTO_MAX_MB; at most 50 megapixels), checked without decoding the pixels."""
    from django.conf import settings
    from PIL import Image

    limit = settings.LIMS_PHOTO_MAX_BYTES
    if photo.size > limit:
        message = gettext_noop("The photo is larger than the limit of %(mb)s MB.")
        raise InputError({"photo": [Message("photo_too_large", message, mb=f"{limit / 1_000_000:g}")]})
    try:
        photo.seek(0)
        with Image.open(photo) as im:
            fmt, pixels = im.format, im.width * im.height
            im.verify()
    except Exception:
        message = gettext_noop("The file is not a readable image; upload a JPEG, PNG or WebP photo.")
        raise InputError({"photo": [Message("photo_unreadable", message)]})
    finally:
        photo.seek(0)
    if fmt not in PHOTO_FORMATS:
        message = gettext_noop("Images of type %(format)s are not accepted; upload a JPEG, PNG or WebP photo.")
        raise InputError({"photo": [Message("photo_type", message, format=fmt)]})
    if pixels > PHOTO_MAX_PIXELS:
        raise InputError(
            {
                "photo": [
                    Message(
                        "photo_too_many_pixels",
                        gettext_noop("The photo has %(megapixels)s megapixels; at most %(limit)s are accepted."),
                        megapixels=pixels // 1_000_000,
                        limit=PHOTO_MAX_PIXELS // 1_000_000,
                    )
                ]
            }
        )


def first_assay(method):
    """The reason the system gives a sample's start of testing: the method by its code in English (as the API
    and the exports name it) and by its Chinese name in Chinese."""
    name_zh = METHOD_LABELS.get(method, (method,))[0]
    return Message(
        "reason_first_assay", gettext_noop("first assay entered (%(method)s)"), method=Named(method, name_zh)
    )


@transaction.atomic
def assay_enter(*, actor, sample, method, data, photo=None, source=""):
    sample = Sample.objects.select_for_update().select_related("product__manufacturer").get(pk=sample.pk)
    _check_entry(actor, sample)
    if photo is not None and method != "chromatogram":
        message = gettext_noop("A photo can be attached only to a chromatogram assay.")
        raise InputError({"photo": [Message("photo_not_chromatogram", message)]})
    if photo is not None:
        _check_photo(photo)
    if sample.status == "received":
        sample = sample_transition(actor=actor, sample=sample, action="start_testing", reason=first_assay(method))
    outcome, policy = _compute(method, data, sample)
    assay = Assay(sample=sample, method=method, data=data, entered_by=actor, source=source)
    _store(assay, outcome, policy)
    if photo is not None:
        assay.photo = photo
    assay.save()
    _check_derivable(sample)
    audit.record(
        entity="assay",
        obj=assay,
        action="create",
        actor=actor,
        changes=audit.diff({}, _assay_snapshot(assay)),
        sample=sample,
        manufacturer=sample.product.manufacturer,
    )
    return assay


@transaction.atomic
def assay_correct(*, actor, assay, data, reason):
    """Correct the raw data of an assay that is not yet verified (reason required)."""
    assay = Assay.objects.select_for_update().select_related("sample__product__manufacturer").get(pk=assay.pk)
    sample = assay.sample
    _check_entry(actor, sample)
    if assay.status != "entered":
        message = gettext_noop(
            "This assay is %(status)s: its raw data and results are read-only. Ask a reviewer for a retest."
        )
        raise TransitionError(Message("assay_read_only", message, status=_assay_status(assay.status)))
    if not (reason or "").strip():
        message = gettext_noop("A reason is required to correct raw data.")
        raise InputError({"reason": [Message("reason_required", message)]})
    before = _assay_snapshot(assay)
    outcome, policy = _compute(assay.method, data, sample, exclude=assay)
    assay.data = data
    _store(assay, outcome, policy)
    assay.save()
    _check_derivable(sample)
    audit.record(
        entity="assay",
        obj=assay,
        action="update",
        actor=actor,
        changes=audit.diff(before, _assay_snapshot(assay)),
        reason=reason,
        sample=sample,
        manufacturer=sample.product.manufacturer,
    )
    return assay


# --- lifecycle hooks ------------------------------------------------------


def _submit_needs_assays(sample, actor):
    if not sample.assays.filter(status="entered").exists():
        message = gettext_noop("Nothing to submit: enter at least one assay first.")
        raise TransitionError(Message("nothing_to_submit", message))


def _verify_by_second_person(sample, actor):
    pending = sample.assays.filter(status="entered")
    if not pending.exists():
        message = gettext_noop("No entered results are waiting for verification.")
        raise TransitionError(Message("nothing_to_verify", message))
    if pending.filter(entered_by=actor).exists():
        message = gettext_noop("You entered results of this sample; another reviewer must verify them.")
        raise TransitionError(Message("second_person_required", message), code="forbidden")


def sample_issues(sample, assays=None):
    """The QC flags and impossible figures of the sample's current results (see maturity.plausibility)."""
    assays = list(current_assays(sample)) if assays is None else assays
    figures = sample_figures(sample, assays=assays)
    dry = _dry_floats(figures.measurements)
    dry.update(figures.derived)
    flags = [(f"{a.method} #{a.pk}", f) for a in assays for f in a.flags if f not in plausibility.NOTE_FLAGS]
    return plausibility.issues(dry, flags, calc.FLAG_MESSAGES)


def _overridden_codes(assays):
    return {code for a in assays for code in (a.qc_override or {}).get("codes", [])}


def _plausible_or_overridden(sample, actor):
    assays = list(current_assays(sample))
    left = plausibility.uncovered(sample_issues(sample, assays), _overridden_codes(assays))
    if left:
        message = gettext_noop(
            "These results cannot be verified as they are: %(issues)s. Repeat the assay, or verify with an "
            "override: give override_reason."
        )
        issues = Joined([i["message"] for i in left], "; ")
        raise TransitionError(
            Message("override_required", message, issues=issues), code="invalid", field="override_reason"
        )


@transaction.atomic
def sample_verify(*, actor, sample, reason="", override_reason=""):
    """Verify the sample's entered results; ``override_reason`` records a reviewer's override of its
    QC flags and implausible figures (audited, printed in the certificate's deviations)."""
    sample = Sample.objects.select_for_update().select_related("product__manufacturer").get(pk=sample.pk)
    override_reason = (override_reason or "").strip()
    if override_reason:
        found = sample_issues(sample)
        if found and actor.role == Role.REVIEWER:
            record = {
                "codes": [i["code"] for i in found],
                "issues": english(found),  # stored as said
                "reason": override_reason,
                "by": actor.display_name,
                "by_id": actor.pk,
                "at": timezone.now().isoformat(),
            }
            for assay in sample.assays.filter(status="entered").select_for_update():
                assay.qc_override = record
                assay.save(update_fields=["qc_override"])
            audit.record(
                entity="sample",
                obj=sample,
                action="qc_override",
                actor=actor,
                changes={"qc_override": [None, record["codes"]]},
                reason=override_reason,
                sample=sample,
                manufacturer=sample.product.manufacturer,
            )
    return sample_transition(actor=actor, sample=sample, action="verify", reason=reason)


def _mark_verified(sample, actor, reason):
    now = timezone.now()
    for assay in sample.assays.filter(status="entered").select_for_update():
        before = _assay_snapshot(assay)
        assay.status, assay.verified_by, assay.verified_at = "verified", actor, now
        assay.save(update_fields=["status", "verified_by", "verified_at"])
        audit.record(
            entity="assay",
            obj=assay,
            action="verify",
            actor=actor,
            changes=audit.diff(before, _assay_snapshot(assay)),
            reason=reason,
            sample=sample,
            manufacturer=sample.product.manufacturer,
        )


def assays_invalidate(sample, actor, reason, assay_ids=None):
    """Retest: invalidate the verified results (all, or the listed ones), keeping them in history."""
    qs = sample.assays.filter(status="verified")
    if assay_ids is not None:
        qs = qs.filter(pk__in=assay_ids)
    now = timezone.now()
    for assay in qs.select_for_update():
        before = _assay_snapshot(assay)
        assay.status, assay.invalidated_by, assay.invalidated_at = "invalidated", actor, now
        assay.invalidation_reason = reason
        assay.save(update_fields=["status", "invalidated_by", "invalidated_at", "invalidation_reason"])
        audit.record(
            entity="assay",
            obj=assay,
            action="invalidate",
            actor=actor,
            changes=audit.diff(before, _assay_snapshot(assay)),
            reason=reason,
            sample=sample,
            manufacturer=sample.product.manufacturer,
        )


def _return_to_verification(sample, actor, reason):
    """Reopen: the verified results wait for a reviewer again (verification is cleared, audited)."""
    for assay in sample.assays.filter(status="verified").select_for_update():
        before = _assay_snapshot(assay)
        assay.status, assay.verified_by, assay.verified_at = "entered", None, None
        assay.save(update_fields=["status", "verified_by", "verified_at"])
        audit.record(
            entity="assay",
            obj=assay,
            action="reopen",
            actor=actor,
            changes=audit.diff(before, _assay_snapshot(assay)),
            reason=reason,
            sample=sample,
            manufacturer=sample.product.manufacturer,
        )


register_guard("submit", _submit_needs_assays)
register_guard("verify", _verify_by_second_person)
register_guard("verify", _plausible_or_overridden)
register_effect("verify", _mark_verified)
register_effect("retest", lambda sample, actor, reason, assays=None: assays_invalidate(sample, actor, reason, assays))
register_effect("reopen", _return_to_verification)


def retest_selection(sample, assays=None, parameters=None):
    """The verified assays a retest of ``assays`` (ids) and ``parameters`` (keys) invalidates.

    A parameter selects the assay its current value comes from (the other parameters of
    that assay are retested with it). Neither given -> None: every verified assay.
    Raises InputError naming the field and the rule."""
    from .parameters import DERIVED, PARAMETERS

    if not assays and not parameters:
        return None
    current = {a.pk: a for a in current_assays(sample)}
    errors, chosen = {}, []
    for pk in assays or []:
        a = current.get(pk)
        if a is None:
            message = gettext_noop("#%(assay)s is not a current assay of %(sample)s")
            errors.setdefault("assays", []).append(Message("not_current_assay", message, assay=pk, sample=sample.code))
        elif a.status != "verified":
            message = gettext_noop("#%(assay)s is %(status)s; only verified assays are retested")
            errors.setdefault("assays", []).append(
                Message("assay_not_verified", message, assay=pk, status=_assay_status(a.status))
            )
        elif pk not in chosen:
            chosen.append(pk)
    if parameters:
        figures = sample_figures(sample, assays=list(current.values()))
        for key in parameters:
            source = figures.sources.get(key)
            if key not in PARAMETERS and key not in DERIVED:
                message = gettext_noop("unknown parameter %(parameter)s")
                errors.setdefault("parameters", []).append(Message("unknown_parameter", message, parameter=repr(key)))
            elif key in figures.derived or key in DERIVED:
                message = gettext_noop(
                    "%(parameter)s is derived from other results; retest the assays it is computed from"
                )
                errors.setdefault("parameters", []).append(
                    Message("derived_parameter", message, parameter=calc.parameter(key))
                )
            elif source is None:
                message = gettext_noop("%(sample)s has no current result for %(parameter)s")
                errors.setdefault("parameters", []).append(
                    Message("no_current_result", message, sample=sample.code, parameter=calc.parameter(key))
                )
            elif source.status != "verified":
                message = gettext_noop("%(parameter)s comes from an assay that is %(status)s")
                errors.setdefault("parameters", []).append(
                    Message(
                        "assay_not_verified",
                        message,
                        parameter=calc.parameter(key),
                        status=_assay_status(source.status),
                    )
                )
            elif source.pk not in chosen:
                chosen.append(source.pk)
    if errors:
        raise InputError(errors)
    return chosen


IMPORT_LIMITS = {"max_rows": 200_000, "max_uncompressed": 200_000_000}


def _import_limits():
    from django.conf import settings

    from .importing import CHUNK_ROWS

    return {
        "max_rows": getattr(settings, "LIMS_IMPORT_MAX_ROWS", IMPORT_LIMITS["max_rows"]),
        "max_uncompressed": getattr(settings, "LIMS_IMPORT_MAX_INFLATED_BYTES", IMPORT_LIMITS["max_uncompressed"]),
        "chunk_rows": getattr(settings, "LIMS_IMPORT_CHUNK_ROWS", CHUNK_ROWS),
    }


@transaction.atomic
def sample_retest(*, actor, sample, reason, assays=None, parameters=None):
    """Retest the chosen assays (or the assays of the chosen parameters), or all if none are chosen.

    The other verified assays stay verified; the sample returns to testing for the chosen ones."""
    sample = Sample.objects.select_for_update().select_related("product__manufacturer").get(pk=sample.pk)
    check_transition("retest", sample.status, actor.role, reason)  # state, role, reason before the selection
    ids = retest_selection(sample, assays, parameters)
    return sample_transition(actor=actor, sample=sample, action="retest", reason=reason, assays=ids)


@dataclass
class ImportResult:
    assays: list  # the first ``show`` assays stored (or, checking only, as they would be stored)
    stored: bool
    duplicates: list = field(default_factory=list)  # rows repeating stored values (re-import / check only)
    earlier: object = None  # the ImportRun of the same content, if any
    rows: int = 0  # values imported (or that would be)
    samples: list = field(default_factory=list)  # codes of the samples, in the file's order
    assay_ids: list = field(default_factory=list)  # every assay stored, in the same order
    phases: dict = field(default_factory=dict)  # phase -> (wall s, CPU s of this process), for benchmarks
    duplicate_count: int = 0  # rows repeating stored values, in all (``duplicates`` lists the first 200)


class _Phases(dict):
    def __init__(self):
        super().__init__()
        self._t = (time.perf_counter(), time.process_time())

    def done(self, name):
        t = (time.perf_counter(), time.process_time())
        self[name] = (t[0] - self._t[0], t[1] - self._t[1])
        self._t = t


class ImportDuplicate(Exception):
    """The file (or some of its rows) was imported before: nothing stored unless a re-import is confirmed."""

    def __init__(self, earlier, duplicates, duplicate_count=None):
        super().__init__("already imported")
        self.earlier = earlier  # ImportRun of the same content, or None
        self.duplicates = duplicates  # [{"row", "column", "reason", "assay"}]: the first 200
        self.duplicate_count = len(duplicates) if duplicate_count is None else duplicate_count


IMPORT_BATCH = 5_000  # samples looked up, and written, per query (setting LIMS_IMPORT_BATCH_SAMPLES)
DERIVATION_KEYS = ("organic_carbon_pct", "total_nitrogen_pct", "total_carbon_pct")


def _batch_size():
    from django.conf import settings

    return max(1, int(getattr(settings, "LIMS_IMPORT_BATCH_SAMPLES", IMPORT_BATCH)))


def _batches(items):
    """(index of its first item, the slice) of ``items`` a batch (``_batch_size()``) at a time."""
    size = _batch_size()
    for begin in range(0, len(items), size):
        yield begin, items[begin : begin + size]


def _ints(ids):
    """Python ints of a slice of ids (a numpy array or a list): what the database drivers take."""
    return ids.tolist() if isinstance(ids, np.ndarray) else list(ids)


class _ImportSamples:
    """The samples named in the file, by the file's sample index k, as compact columns (no object per
    sample): ``ids`` (0: not found or not visible), ``status`` (index into ``states``; -1: not found) and
    ``makers`` (the manufacturer's id)."""

    def __init__(self, n):
        self.states = []
        self.ids = np.zeros(n, dtype=np.int64)
        self.status = np.full(n, -1, dtype=np.int8)
        self.makers = np.zeros(n, dtype=np.int64)

    def state(self, k):
        """The status of the k-th sample, or None if it was not found."""
        i = self.status[k]
        return None if i < 0 else self.states[i]

    def with_state(self, name):
        """Indexes of the samples in state ``name`` (file order)."""
        if name not in self.states:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(self.status == self.states.index(name))

    def _set(self, k, pk, status, maker):
        if status not in self.states:
            self.states.append(status)
        self.ids[k], self.status[k], self.makers[k] = pk, self.states.index(status), maker


def _import_samples(actor, codes):
    """The samples named in the file (``codes``, in the file's order) that the actor sees, locked, as
    :class:`_ImportSamples` (looked up a batch of codes at a time: no dictionary of every sample)."""
    from lims.selectors import samples_visible_to

    found = _ImportSamples(len(codes))
    for start, part in _batches(codes):
        position = {code: start + j for j, code in enumerate(part)}
        visible = samples_visible_to(actor).filter(code__in=part)
        for pk, code, status, maker in (
            Sample.objects.select_for_update(of=("self",))
            .filter(pk__in=visible.values("pk"))
            .values_list("pk", "code", "status", "product__manufacturer_id")
        ):
            found._set(position[code], pk, status, maker)
    return found


def _samples_needing_derivation(staged, sample_ids):
    """Sample indexes whose derived figures could fail with the imported results: C/N and RS/TC fail only on
    an organic carbon, total nitrogen or total carbon of 0 (every imported or stored value is >= 0, and the
    moisture conversion and the QC figure hooks never make one smaller), so only a sample with such a 0,
    imported or among its stored assays, is checked in full (``sample_figures``, as single entry does)."""
    need = staged.samples_with_zero(DERIVATION_KEYS)
    for start, part in _batches(sample_ids):
        part = _ints(part)
        index = {pk: start + j for j, pk in enumerate(part)}
        for sample_id, results in (
            Assay.objects.filter(sample_id__in=part).exclude(status="invalidated").values_list("sample_id", "results")
        ):
            if any(key in (results or {}) and (results[key].get("value") or 0) <= 0 for key in DERIVATION_KEYS):
                need.add(index[sample_id])
    return need


def _check_derivation(staged, k, sample_id, assay, policy):
    sample = Sample.objects.select_related("product__manufacturer").get(pk=sample_id)
    existing = list(
        Assay.objects.filter(sample_id=sample_id).exclude(status="invalidated").order_by("entered_at", "id")
    )
    try:  # e.g. the imported N makes C/N impossible
        sample_figures(sample, assays=existing + [assay], policy=policy)
    except InputError as e:
        from .importing import ImportRejected

        code, rows = sample.code, staged.sample_rows(k)
        raise ImportRejected(
            [
                {
                    "row": int(rows.min()),
                    "column": c,
                    "reason": Message(
                        "sample_problem", gettext_noop("%(sample)s: %(problem)s"), sample=code, problem=Joined(v, " ")
                    ),
                }
                for c, v in e.errors.items()
            ]
        )


@transaction.atomic
def results_import(*, actor, filename, content, check_only=False, reimport=False, show=100):
    """Validate the whole file, then store one `direct` assay per sample, or nothing.

    ``content``: the upload (a file object, read in a streaming way) or bytes. The file is read and
    validated chunk by chunk, keeping compact columns of the good rows only (``importing.stage``); nothing
    is written before the last row is validated. Written in bulk: the samples are locked in a few queries,
    received samples start testing (a transition and an audit entry each, as one by one), one assay and one
    audit entry naming every value per sample, streamed into the database (COPY on PostgreSQL).

    A file whose content was imported before, or whose rows repeat stored values, raises
    ImportDuplicate unless ``reimport`` confirms it. ``check_only`` runs every check and the
    storing itself, then rolls it back. -> ImportResult (with the first ``show`` assays)."""
    from lims.bulk import insert_rows
    from lims.models import AuditEntry
    from lims.services import TRANSITION_EFFECTS, TRANSITION_GUARDS

    from .import_checks import content_sha256, duplicate_rows, earlier_import
    from .importing import stage
    from .models import ImportRun

    if actor.role not in ENTRY_ROLES:
        message = gettext_noop("Only technicians and lab admins import results.")
        raise PermissionDeniedError(Message("import_role", message))
    phases = _Phases()
    staged = stage(filename, content, **_import_limits())
    phases.done("read and validate")
    codes = staged.sample_codes()
    samples = _import_samples(actor, codes)
    phases.done("lock samples")
    errors = staged.errors
    for k, code in enumerate(codes):
        state = samples.state(k)
        if state is None:
            reason = Message("unknown_sample", gettext_noop("no sample %(sample)s"), sample=code)
            errors.extend({"row": int(n), "column": "sample_code", "reason": reason} for n in staged.sample_rows(k))
        elif state not in OPEN_FOR_ENTRY:
            errors.extend(
                {
                    "row": int(n),
                    "column": "sample_code",
                    "reason": Message(
                        "sample_not_open_for_entry",
                        gettext_noop(
                            "sample %(sample)s is %(state)s; results can be entered only while it is received or in "
                            "testing"
                        ),
                        sample=code,
                        state=state_name(state),
                    ),
                }
                for n in staged.sample_rows(k)
            )
    if errors:
        raise errors.rejected()
    sample_ids = samples.ids  # by sample index, as the file orders them
    sha = content_sha256(content)
    earlier, (duplicates, duplicate_count) = earlier_import(sha), duplicate_rows(staged, sample_ids, _batch_size())
    if (earlier or duplicates) and not (reimport or check_only):
        raise ImportDuplicate(earlier, duplicates, duplicate_count)
    phases.done("double-import checks")
    sid = transaction.savepoint()  # check_only rolls back what it stored
    policy = current_policy()
    policy_dict = policy_as_dict(policy)
    for k in sorted(_samples_needing_derivation(staged, sample_ids)):
        code, values, results, conversions, rows = staged.sample(k)
        assay = Assay(
            sample_id=int(sample_ids[k]),
            method="direct",
            data={"values": values},
            results=results,
            flags=[],
            details={"conversions": conversions},
            valid=True,
            policy=policy_dict,
        )
        _check_derivation(staged, k, int(sample_ids[k]), assay, policy)
    phases.done("derived-figure checks")
    now = timezone.now()
    now_text = now.isoformat()
    start = samples.with_state("received")
    if len(start) and (TRANSITION_GUARDS.get("start_testing") or TRANSITION_EFFECTS.get("start_testing")):
        for k in start.tolist():  # hooks registered on this transition: one by one, through the service
            s = Sample.objects.select_for_update().select_related("product__manufacturer").get(pk=int(sample_ids[k]))
            sample_transition(actor=actor, sample=s, action="start_testing", reason=first_assay("direct"))
    elif len(start):
        _start_testing(actor, codes, samples, start, now, now_text)
    phases.done("start testing (status, transitions, audit)")
    assay_ids = _insert_assays(actor, filename, staged, sample_ids, policy_dict, now_text)
    phases.done("assays")
    pg = transaction.get_connection().vendor == "postgresql"
    for begin, part in _batches(assay_ids):
        if pg:
            _audit_assays_in_sql(part)
        else:
            insert_rows(AuditEntry, AUDIT_COLUMNS, _assay_audit_rows(actor, staged, samples, begin, part, now))
    phases.done("assay audit entries")
    shown = list(
        Assay.objects.filter(pk__in=assay_ids[:show])
        .select_related("sample", "entered_by", "verified_by")
        .order_by("id")
    )
    result = ImportResult(
        shown, not check_only, duplicates, earlier, staged.n_rows, codes, assay_ids, phases, duplicate_count
    )
    if check_only:
        transaction.savepoint_rollback(sid)
        return result
    transaction.savepoint_commit(sid)
    ImportRun.objects.create(
        sha256=sha,
        filename=filename[:255],
        imported_by=actor,
        reimport=bool(earlier or duplicates),
        rows=staged.n_rows,
        assay_ids=assay_ids,
    )
    phases.done("import record")
    return result


def _start_testing(actor, codes, samples, start, now, now_text):
    """The received samples ``start`` (indexes) start testing, as ``sample_transition`` would do it (no hooks
    registered): their status, one transition and one audit entry each, written a batch of samples at a time
    (the ids of each batch reserved with it on PostgreSQL), in the caller's transaction."""
    from lims.bulk import RawJSON, insert_rows, reserve_ids
    from lims.models import AuditEntry, SampleTransition

    reason, reason_message = audit.reason_columns(first_assay("direct"))
    status_change = RawJSON('{"status": ["received", "in_testing"]}')
    is_pg = transaction.get_connection().vendor == "postgresql"
    for _begin, part in _batches(start):
        ids, makers = _ints(samples.ids[part]), _ints(samples.makers[part])
        Sample.objects.filter(pk__in=ids).update(status="in_testing", updated_at=now)
        insert_rows(
            SampleTransition,
            ("sample_id", "action", "from_status", "to_status", "actor_id", "at", "reason", "reason_message"),
            ((pk, "start_testing", "received", "in_testing", actor.pk, now_text, reason, reason_message) for pk in ids),
            ids=reserve_ids(SampleTransition, len(ids)) if is_pg else None,
        )
        insert_rows(
            AuditEntry,
            (*AUDIT_COLUMNS, "reason_message"),
            (
                ("sample", pk, codes[k][:200], "transition:start_testing", actor.pk, now_text, status_change, reason)
                + (pk, maker, reason_message)
                for k, pk, maker in zip(part.tolist(), ids, makers)
            ),
            ids=reserve_ids(AuditEntry, len(ids)) if is_pg else None,
        )


AUDIT_COLUMNS = (
    "entity",
    "entity_id",
    "entity_repr",
    "action",
    "actor_id",
    "at",
    "changes",
    "reason",
    "sample_id",
    "manufacturer_id",
)


def _import_assay_rows(actor, filename, staged, sample_ids, begin, end, policy_json, now):
    from lims.bulk import RawJSON

    for k, sample_id in zip(range(begin, end), _ints(sample_ids[begin:end])):
        _code, data, results, details, first, last = staged.sample_json(k)
        yield (
            sample_id,
            "direct",
            RawJSON(data),
            RawJSON(results),
            RawJSON("[]"),
            RawJSON(details),
            True,
            policy_json,
            "entered",
            "",
            actor.pk,
            now,
            f"import:{filename} rows {first}–{last}",
        )


ASSAY_COLUMNS = (
    "sample_id",
    "method",
    "data",
    "results",
    "flags",
    "details",
    "valid",
    "policy",
    "status",
    "photo",
    "entered_by_id",
    "entered_at",
    "source",
)


def _insert_assays(actor, filename, staged, sample_ids, policy_dict, now):
    """One assay per staged sample, written a batch of samples at a time. -> their ids, in sample order."""
    import json

    from lims.bulk import RawJSON, insert_rows, reserve_ids

    pg = transaction.get_connection().vendor == "postgresql"
    policy_json = RawJSON(json.dumps(policy_dict))
    assay_ids, size = [], _batch_size()
    for begin in range(0, len(staged), size):
        end = min(begin + size, len(staged))
        rows = _import_assay_rows(actor, filename, staged, sample_ids, begin, end, policy_json, now)
        assay_ids += insert_rows(Assay, ASSAY_COLUMNS, rows, ids=reserve_ids(Assay, end - begin) if pg else None)
    return assay_ids


def _audit_assays_in_sql(assay_ids):
    """PostgreSQL: the audit entries of the assays just stored, built by the database from the stored rows
    (the same entries as :func:`_assay_audit_rows`, without sending every value a second time)."""
    from lims.models import AuditEntry, Product

    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {AuditEntry._meta.db_table}
                (entity, entity_id, entity_repr, action, actor_id, at, changes, reason, sample_id, manufacturer_id)
            SELECT 'assay', a.id, left(a.method || ' #' || a.id || ' on sample ' || a.sample_id, 200), 'create',
                a.entered_by_id, a.entered_at,
                jsonb_build_object(
                    'method', jsonb_build_array(NULL, a.method), 'data', jsonb_build_array(NULL, a.data),
                    'results', jsonb_build_array(NULL, a.results), 'flags', jsonb_build_array(NULL, a.flags),
                    'valid', jsonb_build_array(NULL, a.valid), 'status', jsonb_build_array(NULL, a.status)
                ),
                '', a.sample_id, p.manufacturer_id
            FROM {Assay._meta.db_table} a
            JOIN {Sample._meta.db_table} s ON s.id = a.sample_id
            JOIN {Product._meta.db_table} p ON p.id = s.product_id
            WHERE a.id = ANY(%s)
            ORDER BY a.id
            """,
            [list(assay_ids)],
        )


def _assay_audit_rows(actor, staged, samples, begin, assay_ids, now):
    """One audit entry per assay stored (``assay_ids``: those of the samples from index ``begin`` on),
    naming every value: ``audit.diff({}, _assay_snapshot(a))``, written as JSON text."""
    from lims.bulk import RawJSON

    end = begin + len(assay_ids)
    for k, pk, sample_id, maker in zip(
        range(begin, end), assay_ids, _ints(samples.ids[begin:end]), _ints(samples.makers[begin:end])
    ):
        _code, data, results, _details, _first, _last = staged.sample_json(k)
        changes = (
            f'{{"method": [null, "direct"], "data": [null, {data}], "results": [null, {results}], '
            '"flags": [null, []], "valid": [null, true], "status": [null, "entered"]}'
        )
        yield (
            "assay",
            pk,
            f"direct #{pk} on sample {sample_id}"[:200],
            "create",
            actor.pk,
            now,
            RawJSON(changes),
            "",
            sample_id,
            maker,
        )
