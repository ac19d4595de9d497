"""Services that write stored judgements (DOMAIN.md §6): one row per sample × edition × decision rule,
with every check as a row of its own, so the market view filters, sorts and counts in SQL.

A stored judgement is what the pure engine (``compliance.judge_frame_checks``, equal to
``compliance.judge`` row by row) says for the sample's current results and product facts. It is
written when a sample's results are verified, dropped on retest (the sample leaves the market view
until it is verified again), rewritten when a judged product fact changes (category, bagasse-based,
chemical fertilizer added, manufacturer) and for the whole archive by a :class:`JudgementRun`
(a Celery task working in chunks) when a new edition or decision rule becomes the lab default.

Kept judged: the lab's default edition under both decision rules, and every edition and rule an
archive run was started for.
"""

import contextlib
import io
import time
from collections import defaultdict

import numpy as np
import pandas as pd
from celery import shared_task
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from lims import audit
from lims.lifecycle import RESULTS_RELEASED
from lims.messages import Message, gettext_noop, storable
from lims.models import LabSettings, Sample
from lims.services import register_effect, register_product_effect

from .compliance import DECISION_RULES, NOT_APPLICABLE, judge_frame_checks
from .errors import InputError
from .frames import sample_meta
from .models import (
    Category,
    Judgement,
    JudgementCheck,
    JudgementRun,
    MarketStatistics,
    MaturityJudgement,
    StandardEdition,
)
from .rules import RULE_SETS, judge_maturity
from .services import check_decision_rule, edition_mark_used

CHUNK = 10_000
# wall seconds per phase of judging, summed over the process (bench/market_100k.py prints them)
PHASES = defaultdict(float)


PHASES_CPU = defaultdict(float)  # CPU seconds of this process per phase


@contextlib.contextmanager
def _phase(name):
    t, c = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        PHASES[name] += time.perf_counter() - t
        PHASES_CPU[name] += time.process_time() - c


NOT_JUDGED = "not_judged"  # the product's category is not in the edition
JUDGED_PRODUCT_FACTS = ("category", "bagasse_based", "chemical_fertilizer_added", "manufacturer_id")
_CHECK_COLUMNS = [
    "judgement_id",
    "sample_id",
    "edition_id",
    "decision_rule",
    "category",
    "key",
    "parameter",
    "kind",
    "condition",
    "limit",
    "unit",
    "basis",
    "value",
    "uncertainty",
    "qualifier",
    "status",
    "margin",
    "beyond",
    "first",
]


def judged_pairs():
    """The (edition, decision rule) pairs kept judged: the default edition under both rules, and
    every pair an archive run was started for."""
    lab = LabSettings.current()
    pairs = set()
    default = StandardEdition.objects.filter(code=lab.default_standard).first()
    if default is not None:
        pairs |= {(default, rule) for rule in DECISION_RULES}
    editions = {}
    for edition_id, rule in (
        JudgementRun.objects.filter(kind="compliance").values_list("edition_id", "decision_rule").distinct()
    ):
        if edition_id not in editions:
            editions[edition_id] = StandardEdition.objects.get(pk=edition_id)
        pairs.add((editions[edition_id], rule))
    return sorted(pairs, key=lambda p: (p[0].pk, p[1]))


class _Rules:
    """The edition's requirements and declarations per category, read once."""

    def __init__(self, edition):
        from .selectors import edition_rules

        self.edition = edition
        self.known = set(Category.objects.filter(edition=edition).values_list("key", flat=True))
        self._cache = {}
        self._read = edition_rules

    def __call__(self, category):
        if category not in self.known:
            return None
        if category not in self._cache:
            self._cache[category] = self._read(self.edition, category)
        return self._cache[category]


def _check_frame(judgement_ids, sample_ids, category, edition, decision_rule, checks):
    """One table of check rows (requirement order within each judgement), not-applicable ones left out."""
    parts = []
    for c in checks:
        status = c["status"]
        keep = status != NOT_APPLICABLE
        if not keep.any():
            continue
        value = c["value"][keep]
        parts.append(
            pd.DataFrame(
                {
                    "judgement_id": judgement_ids[keep],
                    "sample_id": sample_ids[keep],
                    "edition_id": edition.pk,
                    "decision_rule": decision_rule,
                    "category": category,
                    "key": c["key"],
                    "parameter": c["parameter"],
                    "kind": c["kind"],
                    "condition": c["condition"],
                    "limit": np.nan if c["limit"] is None else float(c["limit"]),
                    "unit": c["unit"],
                    "basis": c["basis"],
                    "value": value,
                    "uncertainty": c["uncertainty"][keep],
                    "qualifier": np.where(c["below"][keep], "<", ""),
                    "status": status[keep],
                    "margin": c["margin"][keep],
                    "beyond": c["beyond"][keep],
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=_CHECK_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    frame["first"] = ~frame.duplicated(["judgement_id", "parameter"])
    return frame[_CHECK_COLUMNS]


def _copy(model, frame, columns, text_columns):
    """COPY ``frame`` into ``model``'s table (PostgreSQL); empty text stays '' (not NULL)."""
    with _phase(f"{model.__name__} csv"):
        buf = io.StringIO()
        frame[columns].to_csv(buf, index=False, header=False, na_rep="")
    cols = ", ".join(f'"{c}"' for c in columns)
    texts = ", ".join(f'"{c}"' for c in text_columns)
    with _phase(f"{model.__name__} COPY"), connection.cursor() as cursor:
        with cursor.connection.cursor().copy(
            f"COPY {model._meta.db_table} ({cols}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({texts}))"
        ) as copy:
            copy.write(buf.getvalue())


def _write_checks(frame):
    """Insert check rows: COPY on PostgreSQL, bulk_create elsewhere."""
    if frame.empty:
        return
    if connection.vendor == "postgresql":
        _copy(
            JudgementCheck,
            frame,
            _CHECK_COLUMNS,
            (
                "decision_rule",
                "category",
                "key",
                "parameter",
                "kind",
                "condition",
                "unit",
                "basis",
                "qualifier",
                "status",
            ),
        )
        return
    rows = frame.replace({np.nan: None}).to_dict("records")
    JudgementCheck.objects.bulk_create([JudgementCheck(**r) for r in rows], batch_size=2000)


_JUDGEMENT_COLUMNS = [
    "id",
    "sample_id",
    "edition_id",
    "decision_rule",
    "category",
    "manufacturer_id",
    "product_id",
    "received_on",
    "verdict",
    "judged_at",
    "run_id",
]


def _write_judgements(frame):
    """Insert judgement rows and -> their ids in frame order: on PostgreSQL ids are drawn from the
    sequence and the rows COPYed; elsewhere bulk_create."""
    if connection.vendor == "postgresql":
        table = Judgement._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [len(frame)]
            )
            frame = frame.assign(id=[r[0] for r in cursor.fetchall()])
        _copy(
            Judgement, frame.astype({"run_id": "Int64"}), _JUDGEMENT_COLUMNS, ("decision_rule", "category", "verdict")
        )
        return frame["id"].to_numpy(np.int64)
    objs = Judgement.objects.bulk_create(
        [
            Judgement(**{k: (None if k == "run_id" and pd.isna(v) else v) for k, v in r.items()})
            for r in frame[_JUDGEMENT_COLUMNS[1:]].to_dict("records")
        ],
        batch_size=2000,
    )
    return np.array([o.pk for o in objs], dtype=np.int64)


def _changed(**pair):
    """Judgements of ``pair`` (edition, decision_rule; every pair when not given) were written or dropped:
    the statistics kept for it are stale (``MarketStatistics``)."""
    MarketStatistics.objects.filter(**pair).update(generation=F("generation") + 1)


def _delete(edition, decision_rule, ids, span=None):
    """Drop the pair's stored judgements of samples ``ids`` (with their checks). ``span`` (first, last):
    the ids are every judged sample with first < id <= last (an archive run's chunk), deleted by range on
    the list index in two statements instead of Django's collector reading every row first."""
    if span is None:
        Judgement.objects.filter(sample_id__in=ids, edition=edition, decision_rule=decision_rule).delete()
        return
    stored = Judgement.objects.filter(
        edition=edition, decision_rule=decision_rule, sample_id__gt=span[0], sample_id__lte=span[1]
    )
    if not stored.exists():  # a new edition or rule: nothing stored yet
        return
    JudgementCheck.objects.filter(judgement_id__in=stored.values("pk")).delete()  # one DELETE (no relations)
    stored._raw_delete(stored.db)  # one DELETE: their only dependents, the checks, are gone


def judge_samples(meta, edition, decision_rule, *, run=None, rules=None, span=None):
    """Judge the samples described by ``meta`` (``frames.sample_meta`` dicts) under one edition and
    rule and store the result, replacing what was stored for them. -> number of judgements written.
    ``span``: see ``_delete``."""
    from .frames import sample_frame

    if not meta:
        return 0
    rules = rules or _Rules(edition)
    with _phase("read results"):
        frame = sample_frame(meta)
    with _phase("judge"):
        verdicts = pd.Series(NOT_JUDGED, index=frame.index, dtype=object)
        detail = []  # (category, sample ids, checks) per category
        for category, group in frame.groupby("category"):
            reqs = rules(category)
            if reqs is None:
                continue
            group_verdicts, checks = judge_frame_checks(reqs[0], reqs[1], group, decision_rule)
            verdicts.loc[group.index] = group_verdicts
            detail.append((category, group.index.to_numpy(), checks))
    ids = frame["id"].tolist()
    with _phase("delete old"):
        _delete(edition, decision_rule, ids, span)
    rows = pd.DataFrame(
        {
            "sample_id": frame["id"].to_numpy(),
            "edition_id": edition.pk,
            "decision_rule": decision_rule,
            "category": frame["category"].to_numpy(),
            "manufacturer_id": frame["manufacturer_id"].to_numpy(),
            "product_id": frame["product_id"].to_numpy(),
            "received_on": frame["received_on"].to_numpy(),
            "verdict": verdicts.to_numpy(),
            "judged_at": timezone.now(),
            "run_id": run.pk if run else None,
        }
    )
    with _phase("write judgements"):
        by_sample = dict(zip(ids, _write_judgements(rows)))
    with _phase("check table"):
        frames = [
            _check_frame(
                np.array([by_sample[i] for i in sample_ids], dtype=np.int64),
                sample_ids,
                category,
                edition,
                decision_rule,
                checks,
            )
            for category, sample_ids, checks in detail
        ]
        frames = pd.concat(frames, ignore_index=True) if frames else None
    if frames is not None:
        _write_checks(frames)
    _changed(edition=edition, decision_rule=decision_rule)
    edition_mark_used(edition, "stored judgement")
    return len(ids)


# --- maturity verdicts ---------------------------------------------------------


def judge_maturity_samples(sample_ids, *, run=None):
    """Judge the released samples among ``sample_ids`` under every rule set (``rules.RULE_SETS``) with the
    lab policy in force and store the verdicts, replacing what was stored for them. Each sample goes through
    the same figures and engine as the pages (``selectors.sample_figures``, ``maturity_input``,
    ``rules.judge_maturity``), its assays read for the whole chunk at once. A sample the engine refuses
    (say, an unknown chromatogram protocol) gets no stored verdict: the pages compute it and show why.
    -> number of verdicts written."""
    from lims.bulk import bulk_insert

    from .models import Assay
    from .policy import current_policy
    from .selectors import maturity_input, sample_figures

    sample_ids = list(sample_ids)
    if not sample_ids:
        return 0
    policy = current_policy()
    samples = Sample.objects.filter(pk__in=sample_ids, status__in=RESULTS_RELEASED).select_related("product")
    assays = {}
    for a in Assay.objects.filter(sample_id__in=sample_ids).exclude(status="invalidated").order_by("entered_at", "id"):
        assays.setdefault(a.sample_id, []).append(a)
    cache, now, rows = {}, timezone.now(), []
    for sample in samples:
        figures = sample_figures(sample, assays=assays.get(sample.pk, []), policy=policy, cache=cache)
        try:
            inp = maturity_input(sample, figures)
            results = [judge_maturity(rule_set, inp, policy) for rule_set in RULE_SETS]
        except InputError:
            continue
        rows += [
            MaturityJudgement(
                sample_id=sample.pk,
                rule_set=r["rule_set"],
                verdict=r["verdict"],
                result=storable(r),
                judged_at=now,
                run=run,
            )
            for r in results
        ]
    MaturityJudgement.objects.filter(sample_id__in=sample_ids).delete()
    bulk_insert(MaturityJudgement, rows)
    return len(rows)


def _released(queryset, limit=None):
    return sample_meta(queryset.filter(status__in=RESULTS_RELEASED), limit)


def sample_rejudge(sample):
    """Store the sample's judgements under every kept pair (it must be released), in the caller's transaction."""
    meta = _released(Sample.objects.filter(pk=sample.pk))
    if not meta:
        return
    for edition, rule in judged_pairs():
        judge_samples(meta, edition, rule)
    judge_maturity_samples([sample.pk])


def _on_verify(sample, actor, reason, **options):
    sample_rejudge(sample)


def _on_retest(sample, actor, reason, **options):
    # all assays or only some (``assays``): the sample returns to testing either way, so it leaves the
    # market view until it is verified again, when its judgement is stored anew
    if Judgement.objects.filter(sample=sample).delete()[0]:
        _changed()
    MaturityJudgement.objects.filter(sample=sample).delete()


def _on_product_change(product, changes):
    fields = {"manufacturer" if k == "manufacturer_id" else k for k in changes}
    if not fields & {"category", "bagasse_based", "chemical_fertilizer_added", "manufacturer"}:
        return
    meta = _released(Sample.objects.filter(product=product))
    for edition, rule in judged_pairs():
        judge_samples(meta, edition, rule)
    if "category" in fields:  # bark compost skips C/N
        judge_maturity_samples([m["id"] for m in meta])


def _policy_fields():
    from .policy import _FROM_SETTINGS

    return _FROM_SETTINGS


def _remember_defaults(sender, instance, **kwargs):
    old = (
        LabSettings.objects.filter(pk=instance.pk)
        .values("default_standard", "default_decision_rule", *_policy_fields())
        .first()
    )
    instance._old_defaults = old


def _defaults_changed(sender, instance, created, **kwargs):
    old = getattr(instance, "_old_defaults", None)
    if created or not old:
        return
    if (old["default_standard"], old["default_decision_rule"]) != (
        instance.default_standard,
        instance.default_decision_rule,
    ):
        transaction.on_commit(start_default_runs)
    if any(old[k] != getattr(instance, k) for k in _policy_fields()):  # the maturity criteria may have moved
        maturity_run_start(reason=Message("reason_policy_changed", gettext_noop("lab policy figures changed")))


register_effect("verify", _on_verify)
register_effect("retest", _on_retest)
register_product_effect(_on_product_change)
pre_save.connect(_remember_defaults, sender=LabSettings, dispatch_uid="judgements_remember_defaults")
post_save.connect(_defaults_changed, sender=LabSettings, dispatch_uid="judgements_defaults_changed")


# --- archive runs -----------------------------------------------------------


def active_run(edition, decision_rule):
    return (
        JudgementRun.objects.filter(edition=edition, decision_rule=decision_rule, status__in=("queued", "running"))
        .order_by("-id")
        .first()
    )


@transaction.atomic
def run_start(*, edition, decision_rule, actor=None, reason="", dispatch=True):
    """Start re-judging every released sample under ``edition`` and ``decision_rule`` (or take the run
    that is already doing it). The Celery task is sent after commit; sending it again for a running run
    is harmless (each chunk locks the run and moves its cursor)."""
    check_decision_rule(decision_rule)
    edition = StandardEdition.objects.select_for_update().get(pk=edition.pk)
    run = active_run(edition, decision_rule)
    if run is None:
        total = Sample.objects.filter(status__in=RESULTS_RELEASED).count()
        run = JudgementRun.objects.create(
            edition=edition,
            decision_rule=decision_rule,
            total=total,
            requested_by=actor,
            reason=audit.reason_columns(reason)[0][:300],
        )
        audit.record(
            entity="judgement_run",
            obj=run,
            action="create",
            actor=actor,
            reason=reason,
            changes={"edition": [None, edition.code], "decision_rule": [None, decision_rule], "samples": [None, total]},
        )
    if dispatch:  # also again for a run already there (its message may have been lost): chunks lock the run
        transaction.on_commit(lambda: rejudge_archive.delay(run.pk), robust=True)  # broker down: logged
    return run


@transaction.atomic
def maturity_run_start(*, actor=None, reason="", dispatch=True):
    """Start re-judging the maturity verdicts of every released sample under every rule set (after the
    lab-policy figures changed, or a rule set was added), or take the maturity run already doing it."""
    run = JudgementRun.objects.select_for_update().filter(kind="maturity", status__in=("queued", "running")).first()
    if run is None:
        total = Sample.objects.filter(status__in=RESULTS_RELEASED).count()
        run = JudgementRun.objects.create(
            kind="maturity", total=total, requested_by=actor, reason=audit.reason_columns(reason)[0][:300]
        )
        audit.record(
            entity="judgement_run",
            obj=run,
            action="create",
            actor=actor,
            reason=reason,
            changes={"kind": [None, "maturity"], "rule_sets": [None, list(RULE_SETS)], "samples": [None, total]},
        )
    if dispatch:
        transaction.on_commit(lambda: rejudge_archive.delay(run.pk), robust=True)  # broker down: logged
    return run


def _run_chunk(run_id, chunk):
    """Judge the next chunk of the run; -> False when nothing was left."""
    try:
        return _run_chunk_atomic(run_id, chunk)
    finally:
        PHASES["commit"] += time.perf_counter() - _committing[0] if _committing else 0.0
        PHASES_CPU.setdefault("commit", 0.0)
        _committing.clear()


_committing = []  # when the chunk's work ended and its commit began (for PHASES)


def _run_chunk_atomic(run_id, chunk):
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # derived data written with its cursor in one transaction: a chunk lost in a crash is redone,
            # so the commit need not wait for the disk
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        run = JudgementRun.objects.select_for_update(of=("self",)).select_related("edition").get(pk=run_id)
        if run.status in ("done", "failed"):
            return False
        if run.status == "queued":
            run.status, run.started_at = "running", timezone.now()
        if run.kind == "maturity":
            samples = [
                {"id": pk}
                for pk in Sample.objects.filter(pk__gt=run.last_sample_id, status__in=RESULTS_RELEASED)
                .order_by("pk")
                .values_list("pk", flat=True)[:chunk]
            ]
        else:
            with _phase("read samples"):
                samples = _released(Sample.objects.filter(pk__gt=run.last_sample_id).order_by("pk"), chunk)
        if not samples:
            run.status, run.finished_at, run.done = "done", timezone.now(), max(run.done, run.total)
            run.save()
            audit.record(
                entity="judgement_run",
                obj=run,
                action="finish",
                actor=None,
                changes={"status": ["running", "done"], "judged": [None, run.done]},
            )
            return False
        if run.kind == "maturity":
            judge_maturity_samples([m["id"] for m in samples], run=run)
        else:
            span = (run.last_sample_id, samples[-1]["id"])  # every released sample in it is in ``samples``
            judge_samples(samples, run.edition, run.decision_rule, run=run, rules=_Rules(run.edition), span=span)
        run.last_sample_id = samples[-1]["id"]
        run.done += len(samples)
        run.total = max(run.total, run.done)
        run.save()
        _committing.append(time.perf_counter())
        return True


def run_execute(run_id, chunk=CHUNK):
    """Work through a run chunk by chunk, each in its own transaction; resumes where a killed worker stopped."""
    try:
        while _run_chunk(run_id, chunk):
            pass
    except Exception as e:
        JudgementRun.objects.filter(pk=run_id).update(
            status="failed", error=f"{type(e).__name__}: {e}"[:2000], finished_at=timezone.now()
        )
        raise
    return JudgementRun.objects.get(pk=run_id)


# Declared here, beside the run it works through, so that run_start can send it without importing
# maturity.tasks (which imports this module: no circle); maturity.tasks names it for Celery's discovery.
@shared_task(name="maturity.rejudge_archive", acks_late=True, reject_on_worker_lost=True)
def rejudge_archive(run_id):
    """Re-judge the archive for one JudgementRun, chunk by chunk (resumes after a lost worker)."""
    run = run_execute(run_id)
    return {"run": run.pk, "status": run.status, "done": run.done, "total": run.total}


def start_default_runs(actor=None):
    """After the lab's default edition or decision rule changed: re-judge the archive under the new
    default edition and both rules, unless that pair is already kept judged by a finished run or one
    is running."""
    lab = LabSettings.current()
    edition = StandardEdition.objects.filter(code=lab.default_standard).first()
    if edition is None:
        return []
    started = []
    for rule in DECISION_RULES:
        if JudgementRun.objects.filter(
            edition=edition, decision_rule=rule, status__in=("queued", "running", "done")
        ).exists():
            continue
        started.append(
            run_start(
                edition=edition,
                decision_rule=rule,
                actor=actor,
                reason=Message(
                    "reason_default_edition",
                    gettext_noop("default edition %(edition)s / rule %(rule)s"),
                    edition=edition.code,
                    rule=lab.default_decision_rule,
                ),
            )
        )
    return started
