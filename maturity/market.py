"""The regulator's market view, read from stored judgements (``maturity.judgements``) in SQL:
filters, ordering, pagination, counts and statistics happen in the database, and exports stream.

Only samples whose results are verified (status verified or certified) have stored judgements and
are part of the market view. Every table states the edition and decision rule it was judged with,
and whether an archive re-judgement for them is still running.
"""

import tempfile

import numpy as np
import pandas as pd
from django.db.models import Count, F, FloatField, Max, Min, Q, Sum
from django.db.models.functions import Cast, Floor, Least

from lims.messages import Message, gettext_noop
from lims.roles import Role

from .errors import InputError
from .frames import sample_frame, sample_meta
from .judgements import active_run
from .models import Judgement, JudgementCheck, JudgementRun
from .parameters import DERIVED, PARAMETERS, unknown_parameter
from .services import edition_mark_used

VERDICTS = ("pass", "fail", "conditional", "incomplete", "not_judged")
ORDERINGS = {
    "code": ("sample__code",),
    "-code": ("-sample__code",),
    "received_on": ("received_on", "sample_id"),
    "-received_on": ("-received_on", "-sample_id"),
    "verdict": ("verdict", "-sample_id"),
    "-verdict": ("-verdict", "-sample_id"),
}
DEFAULT_RULE_SET = "tari_1999"  # of the ``maturity`` filter, as the API's sample maturity
DEFAULT_ORDERING = ("-sample_id",)  # newest sample first, as the sample list
DECLARATION = "declaration"
EXPORT_CHUNK = 2000


def known_parameter(key):
    return key in PARAMETERS or key in DERIVED or key == DECLARATION


def _parameter_q(key):
    """Checks of a parameter key as the market filters name it ('declaration' = any declaration)."""
    return Q(parameter__startswith=f"{DECLARATION}:") if key == DECLARATION else Q(parameter=key)


def judgement_state(edition, decision_rule):
    """Which edition and rule the view shows and whether an archive re-judgement for them runs."""
    run = active_run(edition, decision_rule)
    last = run or JudgementRun.objects.filter(edition=edition, decision_rule=decision_rule).order_by("-id").first()
    return {
        "standard": edition.code,
        "decision_rule": decision_rule,
        "rejudging": run is not None,
        "run": None
        if last is None
        else {
            "id": last.pk,
            "status": last.status,
            "done": last.done,
            "total": last.total,
            "progress_pct": last.progress_pct,
            "started_at": last.started_at,
            "finished_at": last.finished_at,
        },
    }


def judgements(user, edition, decision_rule, filters):
    """Stored judgements of the market view under ``edition`` and ``decision_rule``, filtered in SQL.

    ``filters``: manufacturer, product, category, verdict, failing (parameter key failing a limit),
    has (parameter key with a value), beyond (parameter key beyond a limit by plain comparison, narrowed by
    beyond_kind and beyond_condition: the statistics' links), maturity (stored maturity verdict under
    rule_set, default tari_1999), received_after, received_before, ids, ordering."""
    edition_mark_used(edition, "regulator's market view")
    qs = Judgement.objects.filter(edition=edition, decision_rule=decision_rule)
    if user.role == Role.MANUFACTURER:
        qs = qs.filter(manufacturer_id=user.manufacturer_id)
    for key, field in (
        ("manufacturer", "manufacturer_id"),
        ("product", "product_id"),
        ("category", "category"),
        ("verdict", "verdict"),
    ):
        if filters.get(key):
            qs = qs.filter(**{field: filters[key]})
    if filters.get("received_after"):
        qs = qs.filter(received_on__gte=filters["received_after"])  # the copy: frozen once received
    if filters.get("received_before"):
        qs = qs.filter(received_on__lte=filters["received_before"])
    if filters.get("ids"):
        qs = qs.filter(sample_id__in=filters["ids"])
    for key, extra in (("failing", Q(status="fail")), ("has", Q(value__isnull=False))):
        if filters.get(key):
            if not known_parameter(filters[key]):
                raise InputError({key: [unknown_parameter(filters[key])]})
            qs = qs.filter(
                pk__in=JudgementCheck.objects.filter(
                    _parameter_q(filters[key]), extra, edition=edition, decision_rule=decision_rule
                ).values("judgement_id")
            )
    if filters.get("beyond"):
        key = filters["beyond"]
        if key not in PARAMETERS and key not in DERIVED:
            raise InputError({"beyond": [unknown_parameter(key)]})
        beyond = JudgementCheck.objects.filter(edition=edition, decision_rule=decision_rule, parameter=key, beyond=True)
        if filters.get("category"):
            beyond = beyond.filter(category=filters["category"])
        if filters.get("beyond_kind"):
            beyond = beyond.filter(kind=filters["beyond_kind"])
        if filters.get("beyond_condition"):
            beyond = beyond.filter(condition=filters["beyond_condition"])
        qs = qs.filter(pk__in=beyond.values("judgement_id"))
    if filters.get("maturity"):
        from .models import MaturityJudgement

        rule_set = filters.get("rule_set") or DEFAULT_RULE_SET
        qs = qs.filter(
            sample_id__in=MaturityJudgement.objects.filter(rule_set=rule_set, verdict=filters["maturity"]).values(
                "sample_id"
            )
        )
    ordering = filters.get("ordering")
    if ordering and ordering not in ORDERINGS:
        message = gettext_noop("Unknown ordering '%(ordering)s'; use one of %(choices)s.")
        error = Message("unknown_ordering", message, ordering=ordering, choices=tuple(ORDERINGS))
        raise InputError({"ordering": [error]})
    return qs.order_by(*ORDERINGS.get(ordering, DEFAULT_ORDERING))


COUNTED_FILTERS = ("category", "verdict")  # the kept counts answer these; others count in SQL


def _kept_counts(edition, decision_rule):
    """{(category, verdict): samples} of the pair, counted again only after its judgements changed."""
    from .models import MarketStatistics

    kept, _ = MarketStatistics.objects.get_or_create(edition=edition, decision_rule=decision_rule)
    if kept.counts_generation != kept.generation:
        kept.counts = [
            list(r)
            for r in Judgement.objects.filter(edition=edition, decision_rule=decision_rule)
            .order_by()
            .values_list("category", "verdict")
            .annotate(n=Count("id"))
        ]
        MarketStatistics.objects.filter(pk=kept.pk).update(counts_generation=kept.generation, counts=kept.counts)
    return {(c, v): n for c, v, n in kept.counts}


def count_of(qs, user, edition, decision_rule, filters):
    """The number of judgements ``judgements(user, edition, decision_rule, filters)`` selects, exact:
    from the kept counts when only category and verdict filter it (a regulator's whole view or one verdict:
    no count over 100 000 rows), from the failing checks' index when only a failing parameter (and a
    category) does, else counted in SQL."""
    ignored = ("ordering", "page", "page_size", "standard", "decision_rule", "format", "rule_set")
    active = {k for k, v in filters.items() if v and k not in ignored}
    if user.role == Role.MANUFACTURER:
        return qs.count()
    if active <= set(COUNTED_FILTERS):
        counts = _kept_counts(edition, decision_rule)
        return sum(
            n
            for (c, v), n in counts.items()
            if filters.get("category") in (None, "", c) and filters.get("verdict") in (None, "", v)
        )
    if active <= {"failing", "category"} and filters["failing"] != DECLARATION:
        checks = JudgementCheck.objects.filter(
            edition=edition, decision_rule=decision_rule, parameter=filters["failing"], status="fail"
        )
        if filters.get("category"):
            checks = checks.filter(category=filters["category"])
        return checks.order_by().values("judgement_id").distinct().count()
    return qs.count()


class Counted:
    """A queryset whose count is known (the paginator asks it for count() and slices it)."""

    def __init__(self, qs, count):
        self.qs, self.n = qs, count

    def count(self):
        return self.n

    def __len__(self):
        return self.n

    def __getitem__(self, k):
        return self.qs[k]

    @property
    def ordered(self):
        return self.qs.ordered


def page_of(qs, paginator, request, count=None):
    """One page of the judgements with what a row shows: the page's ids are picked on the judgement
    table alone (its indexes), then only those rows are read with their joins. ``count``: the selection's
    size when known (``count_of``)."""
    ids = qs.values_list("pk", flat=True)
    ids = paginator.paginate_queryset(ids if count is None else Counted(ids, count), request)
    rows = {j.pk: j for j in with_rows(Judgement.objects.filter(pk__in=list(ids)))}
    return with_checks([rows[i] for i in ids])


def with_rows(qs):
    """The queryset with what a table row shows but the checks: sample, product, manufacturer."""
    return qs.select_related("sample__product__manufacturer")


def with_checks(judgements):
    """Attach each judgement's (key, status) pairs, read in one query as plain values (a page's few hundred
    checks as model instances were most of a request's CPU). -> judgements."""
    judgements = list(judgements)
    statuses = {}
    for judgement_id, key, status in (
        JudgementCheck.objects.filter(judgement_id__in=[j.pk for j in judgements])
        .order_by("id")
        .values_list("judgement_id", "key", "status")
    ):
        statuses.setdefault(judgement_id, []).append((key, status))
    for j in judgements:
        j.check_statuses = statuses.get(j.pk, [])
    return judgements


def _failing(checks):
    return sorted({key.split(":")[0] for key, status in checks if status == "fail"})


def row(j):
    """One table row (the API shape): sample facts, verdict, failing parameters and check statuses
    (``with_checks`` first, or they are read here)."""
    s = j.sample
    checks = getattr(j, "check_statuses", None)
    if checks is None:
        checks = list(j.checks.order_by("id").values_list("key", "status"))
    return {
        "id": s.pk,
        "code": s.code,
        "manufacturer_id": s.product.manufacturer_id,
        "manufacturer": s.product.manufacturer.name,
        "product_id": s.product_id,
        "product": s.product.name,
        "category": s.product.category,
        "status": s.status,
        "lot_number": s.lot_number,
        "sampled_on": s.sampled_on.isoformat() if s.sampled_on else None,
        "received_on": s.received_on.isoformat() if s.received_on else None,
        "verdict": j.verdict,
        "failing": _failing(checks),
        "checks": dict(checks),
    }


def verdict_counts(qs):
    counts = dict(qs.order_by().values_list("verdict").annotate(n=Count("id")))
    return {v: counts.get(v, 0) for v in ("pass", "fail", "conditional", "incomplete")}


def kept_verdict_counts(edition, decision_rule, category=None):
    """{verdict: samples} of the whole view (or one category), not_judged included, from the kept counts."""
    out = {}
    for (c, v), n in _kept_counts(edition, decision_rule).items():
        if category in (None, "", c):
            out[v] = out.get(v, 0) + n
    return out


# --- statistics ---------------------------------------------------------------


def _requirements_by_category(edition):
    out = {}
    for r in edition.requirements.order_by("id"):
        out.setdefault(r.category, {}).setdefault(r.parameter, []).append(r)
    return out


SAMPLE_FILTERS = (
    "manufacturer",
    "product",
    "verdict",
    "failing",
    "has",
    "beyond",
    "maturity",
    "received_after",
    "received_before",
    "ids",
)


def _aggregates(checks):
    """Per category, parameter and limit (kind, condition): checks with a value, beyond the limit, and of
    the first check of its parameter per sample the count, below-detection count, sum, min and max."""
    valued = Q(value__isnull=False)
    first = Q(first=True) & valued
    return list(
        checks.order_by()
        .values("category", "parameter", "kind", "condition")
        .annotate(
            samples=Count("id", filter=valued),
            beyond_n=Count("id", filter=Q(beyond=True)),
            first_n=Count("id", filter=first),
            below=Count("id", filter=first & Q(qualifier="<")),
            total=Sum("value", filter=first),
            low=Min("value", filter=first),
            high=Max("value", filter=first),
        )
    )


def _kept_aggregates(edition, decision_rule, checks):
    """The pair's aggregates over the whole view, computed again only after a judgement of the pair was
    written or dropped (``MarketStatistics.generation``, counted up by ``maturity.judgements``)."""
    from .models import MarketStatistics

    kept, _ = MarketStatistics.objects.get_or_create(edition=edition, decision_rule=decision_rule)
    if kept.computed_generation == kept.generation:
        return kept.aggregates
    rows = _aggregates(checks)  # read after the generation: a write in between makes it stale, never wrong
    MarketStatistics.objects.filter(pk=kept.pk).update(computed_generation=kept.generation, aggregates=rows)
    return rows


def statistics(qs, edition, decision_rule, filters, link):
    """Per category and parameter: count, mean, min, max (in the requirement's unit and basis, one
    value per sample) and, per limit, the number and share of samples beyond it with a link to the list
    of exactly those samples (``beyond``, ``beyond_kind``, ``beyond_condition`` filters), never their ids.

    One SQL aggregate over the stored checks (which carry edition, rule and category, so the whole
    archive needs no join), kept for the whole view until the pair's judgements change (a category filter
    reads the kept one too); ``link(**filters)`` builds a URL."""
    checks = JudgementCheck.objects.filter(edition=edition, decision_rule=decision_rule)
    if any(filters.get(k) for k in SAMPLE_FILTERS):
        if filters.get("category"):
            checks = checks.filter(category=filters["category"])
        aggregates = _aggregates(checks.filter(judgement__in=qs.order_by().values("pk")))
    else:  # the whole view or one category: the pair's kept aggregates (category is one of their keys)
        aggregates = _kept_aggregates(edition, decision_rule, checks)
        if filters.get("category"):
            aggregates = [r for r in aggregates if r["category"] == filters["category"]]
    per_limit = {(r["category"], r["parameter"], r["kind"], r["condition"]): r for r in aggregates}
    present = sorted({category for category, *_rest in per_limit})  # every judged sample has checks
    by_category = _requirements_by_category(edition)
    out = []
    for category in present:
        for parameter, rs in by_category.get(category, {}).items():
            rows = [per_limit.get((category, parameter, r.kind, r.condition), {}) for r in rs]
            count = sum(x.get("first_n", 0) for x in rows)
            lows = [x["low"] for x in rows if x.get("low") is not None]
            highs = [x["high"] for x in rows if x.get("high") is not None]
            entry = {
                "category": category,
                "parameter": parameter,
                "unit": rs[0].unit,
                "basis": rs[0].basis,
                "count": count,
                "below_detection": sum(x.get("below", 0) for x in rows),
                "mean": sum(x.get("total") or 0.0 for x in rows) / count if count else None,
                "min": min(lows) if count else None,
                "max": max(highs) if count else None,
                "samples_url": link(category=category, has=parameter),
                "limits": [],
            }
            for r, lim in zip(rs, rows):
                base, n = lim.get("samples", 0), lim.get("beyond_n", 0)
                entry["limits"].append(
                    {
                        "kind": r.kind,
                        "limit": r.limit,
                        "condition": r.condition,
                        "samples": base,
                        "beyond": n,
                        "share_pct": round(100.0 * n / base, 2) if base else None,
                        "samples_url": link(
                            category=category, beyond=parameter, beyond_kind=r.kind, beyond_condition=r.condition
                        )
                        if n
                        else None,
                    }
                )
            out.append(entry)
    return out


def histogram(qs, edition, decision_rule, filters, category, parameter, lo, hi, bins=10):
    """Counts of samples per value bin on [lo, hi] (the last bin closed), in SQL: -> list of ``bins`` ints."""
    width = (hi - lo) / bins
    bucket = Least(Cast(Floor((F("value") - lo) / width), FloatField()), float(bins - 1))
    checks = JudgementCheck.objects.filter(
        edition=edition,
        decision_rule=decision_rule,
        category=category,
        parameter=parameter,
        first=True,
        value__gte=lo,
        value__lte=hi,
    )
    if any(filters.get(k) for k in SAMPLE_FILTERS):
        checks = checks.filter(judgement__in=qs.order_by().values("pk"))
    counts = [0] * bins
    for b, n in checks.annotate(bucket=bucket).order_by().values_list("bucket").annotate(n=Count("id")):
        counts[int(b)] += n
    return counts


# --- exports ------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_PARAMETERS = list(PARAMETERS)
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    """A text cell that a spreadsheet would read as a formula gets a leading ' (OWASP CSV injection);
    numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_header():
    head = [
        "standard",
        "decision_rule",
        "code",
        "manufacturer",
        "product",
        "category",
        "status",
        "received_on",
        "verdict",
        "failing",
    ]
    for p in EXPORT_PARAMETERS:
        head += [p, f"{p}_qualifier", f"{p}_basis"]
    return head


def export_frames(qs, standard, decision_rule):
    """The export's rows as one table per chunk of EXPORT_CHUNK judgements (columns of export_header):
    bounded memory for any size; plain values read, no model instances, no per-cell Python loop."""
    from lims.models import Sample

    start = 0
    while True:
        rows = list(qs.values_list("pk", "sample_id", "verdict")[start : start + EXPORT_CHUNK])
        if not rows:
            return
        start += EXPORT_CHUNK
        meta = {m["id"]: m for m in sample_meta(Sample.objects.filter(pk__in=[r[1] for r in rows]))}
        failing = {}
        for judgement_id, key in (
            JudgementCheck.objects.filter(judgement_id__in=[r[0] for r in rows], status="fail")
            .order_by("id")
            .values_list("judgement_id", "key")
        ):
            failing.setdefault(judgement_id, set()).add(key.split(":")[0])
        frame = sample_frame([meta[r[1]] for r in rows])
        out = pd.DataFrame(
            {
                "standard": standard,
                "decision_rule": decision_rule,
                "code": frame["code"],
                "manufacturer": frame["manufacturer"],
                "product": frame["product"],
                "category": frame["category"],
                "status": frame["status"],
                "received_on": [d.isoformat() if d else "" for d in frame["received_on"]],
                "verdict": [r[2] for r in rows],
                "failing": [" ".join(sorted(failing.get(r[0], ()))) for r in rows],
            },
            index=frame.index,
        )
        empty = pd.Series("", index=frame.index, dtype=object)
        for p in EXPORT_PARAMETERS:
            out[p] = pd.to_numeric(frame[p], errors="coerce") if p in frame else np.nan
            for suffix in ("qualifier", "basis"):
                col = f"{p}__{suffix}"
                out[f"{p}_{suffix}"] = frame[col].fillna("").astype(str) if col in frame else empty
        yield out[export_header()]


def export_rows(qs, standard, decision_rule):
    """The export's data rows as lists (None for no value)."""
    for frame in export_frames(qs, standard, decision_rule):
        yield from (frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None))


TEXT_COLUMNS = ("code", "manufacturer", "product", "category", "status", "verdict", "failing")


def _localized_frames(qs, standard, decision_rule, localize=None, csv=False):
    """export_frames, for CSV with text cells neutralised against formulas (XLSX writes them as
    strings), then ``localize``d (headers, values and rounding of the page's export) when given."""
    for frame in export_frames(qs, standard, decision_rule):
        if csv:
            for col in TEXT_COLUMNS:
                frame[col] = frame[col].map(neutralise)
        yield localize(frame) if localize else frame


def _header(localize=None):
    header = export_header()
    return list(localize(pd.DataFrame(columns=header)).columns) if localize else header


def _csv_stream(qs, standard, decision_rule, localize=None):
    """CSV text chunk by chunk (UTF-8 with BOM); text cells neutralised against formulas."""
    header = _header(localize)
    yield "\ufeff" + pd.DataFrame(columns=header).to_csv(index=False, lineterminator="\r\n")
    for frame in _localized_frames(qs, standard, decision_rule, localize, csv=True):
        yield frame.to_csv(index=False, header=False, lineterminator="\r\n")


def _xlsx_file(rows, header, standard, decision_rule):
    """Write-only workbook spooled to a temporary file; text cells are strings, never formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("samples")
    ws.append(header)
    n = 0

    def cell(v):
        if isinstance(v, str):
            c = WriteOnlyCell(ws, value=v)
            c.data_type = "s"
            return c
        return v

    for r in rows:
        ws.append([cell(v) for v in r])
        n += 1
    about = wb.create_sheet("about")
    about.append(["standard", "decision_rule", "samples"])
    about.append([cell(standard), cell(decision_rule), n])
    f = tempfile.TemporaryFile()
    wb.save(f)
    f.seek(0)
    return f


def export_response(qs, fmt, standard, decision_rule, localize=None):
    """The export as a download named after the edition and rule: CSV streams row by row; XLSX is
    written to a temporary file and streamed from there. ``localize(frame)`` turns each chunk into
    the page's language (headers, words, rounded numbers); without it codes and full precision."""
    from django.http import FileResponse, StreamingHttpResponse

    name = f"samples-{standard}-{decision_rule}.{fmt}"
    if fmt == "xlsx":
        rows = (
            r
            for frame in _localized_frames(qs, standard, decision_rule, localize)
            for r in frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        )
        return FileResponse(
            _xlsx_file(rows, _header(localize), standard, decision_rule),
            as_attachment=True,
            filename=name,
            content_type=EXPORT_TYPES["xlsx"],
        )
    response = StreamingHttpResponse(
        _csv_stream(qs, standard, decision_rule, localize), content_type=EXPORT_TYPES["csv"]
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
