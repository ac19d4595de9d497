"""Thin API views of the maturity app: assays, verdicts, compliance, import."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from lims import selectors as lims_selectors
from lims.lifecycle import RESULTS_RELEASED, TransitionError, state_name
from lims.messages import Message, gettext_noop
from lims.roles import Role
from maturity import assays as assay_services
from maturity import selectors
from maturity.models import Assay
from maturity.rules import RULE_SETS
from maturity.rules import VERDICTS as MATURITY_VERDICTS
from web.api.parsers import DEFAULT_PARSERS
from web.api.permissions import ALL_ROLES, roles
from web.api.serializers import SampleDetailSerializer

from .serializers import AssayCorrectSerializer, AssayCreateSerializer, AssaySerializer

ENTRY = (Role.TECHNICIAN, Role.LAB_ADMIN)
IMPORT_ASSAYS_SHOWN = 50


def _roles(read=ALL_ROLES, write=ENTRY):
    return roles(read, write)


def _sample(request, sample_id, results=False):
    """The sample if the user may see it (404 otherwise). With ``results``, a
    manufacturer sees figures only once they are verified (409 before)."""
    sample = get_object_or_404(lims_selectors.samples_visible_to(request.user).select_related("product"), pk=sample_id)
    if results and request.user.role == Role.MANUFACTURER and sample.status not in RESULTS_RELEASED:
        message = gettext_noop(
            "Results of %(sample)s are released to the manufacturer once they are verified (the sample is '%(state)s')."
        )
        raise TransitionError(
            Message("results_not_released", message, sample=sample.code, state=state_name(sample.status))
        )
    return sample


@extend_schema(methods=["GET"], operation_id="samples_assays_list", responses=AssaySerializer(many=True))
@extend_schema(methods=["POST"], request=AssayCreateSerializer, responses={201: AssaySerializer})
@api_view(["GET", "POST"])
@permission_classes(_roles())
@parser_classes(DEFAULT_PARSERS)
def sample_assays(request, sample_id):
    """List a sample's assays (including invalidated ones) or enter a new assay's raw data."""
    sample = _sample(request, sample_id, results=request.method == "GET")
    if request.method == "GET":
        qs = sample.assays.select_related("entered_by", "verified_by")
        return Response(AssaySerializer(qs, many=True, context={"request": request}).data)
    body = AssayCreateSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    assay = assay_services.assay_enter(
        actor=request.user,
        sample=sample,
        method=body.validated_data["method"],
        data=body.validated_data["data"],
        photo=body.validated_data.get("photo"),
    )
    return Response(AssaySerializer(assay, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema(request=AssayCorrectSerializer, responses=AssaySerializer)
@api_view(["GET", "PUT"])
@permission_classes(_roles())
def sample_assay_detail(request, sample_id, assay_id):
    """One assay; PUT corrects the raw data of an unverified assay (reason required)."""
    sample = _sample(request, sample_id, results=True)
    assay = get_object_or_404(Assay, pk=assay_id, sample=sample)
    if request.method == "PUT":
        body = AssayCorrectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assay = assay_services.assay_correct(actor=request.user, assay=assay, **body.validated_data)
    return Response(AssaySerializer(assay, context={"request": request}).data)


class VerifySerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when a result carries a QC flag or is physically impossible: the reviewer's "
        "reason to verify it anyway (audited, printed in the certificate's deviations).",
    )


@extend_schema(request=VerifySerializer, responses=SampleDetailSerializer)
@api_view(["POST"])
@permission_classes(_roles(write=(Role.REVIEWER,)))
def sample_verify(request, sample_id):
    """Verify the sample's entered results: a reviewer who entered none of them. Flagged or impossible
    results need ``override_reason`` (400 naming each issue otherwise)."""
    sample = _sample(request, sample_id)
    body = VerifySerializer(data=request.data if hasattr(request.data, "get") else {})
    body.is_valid(raise_exception=True)
    sample = assay_services.sample_verify(actor=request.user, sample=sample, **body.validated_data)
    return Response(SampleDetailSerializer(sample, context={"request": request}).data)


def _results_payload(sample, figures):
    """Current values as stored, each with ``display``: the reported figure by the lab's reporting rule."""
    rules = selectors.method_references()
    rows = {}
    for key, m in figures.measurements.items():
        a = figures.sources[key]
        rows[key] = {
            "parameter": key,
            **m.as_dict(),
            "assay": a.id,
            "method": a.method,
            "status": a.status,
            "display": selectors.display(key, a.method, m.value, m.uncertainty, m.qualifier, m.unit, rules),
        }
    for key, value in figures.derived.items():  # derived from current values (C/N, OM, RS/TC)
        unit = "%" if key.endswith("_pct") else ""
        rows[key] = {
            "parameter": key,
            "value": value,
            "unit": unit,
            "basis": "dry" if key == "organic_matter_pct" else "",
            "qualifier": "",
            "uncertainty": None,
            "assay": None,
            "method": "derived",
            "status": "derived",
            "display": selectors.display(key, "derived", value, None, "", unit, rules),
        }
    return {"sample": sample.code, "results": list(rows.values()), "flags": figures.flags}


@extend_schema(responses={200: dict})
@api_view(["GET"])
@permission_classes(_roles())
def sample_results(request, sample_id):
    """The sample's current value per parameter, with the assay it came from, and derived figures."""
    sample = _sample(request, sample_id, results=True)
    return Response(_results_payload(sample, selectors.sample_figures(sample)))


@extend_schema(
    parameters=[OpenApiParameter("rule_set", enum=list(RULE_SETS), default="tari_1999")], responses={200: dict}
)
@api_view(["GET"])
@permission_classes(_roles())
def sample_maturity(request, sample_id):
    sample = _sample(request, sample_id, results=True)
    rule_set = request.query_params.get("rule_set", "tari_1999")
    return Response(selectors.sample_maturity_verdict(sample, rule_set))


@extend_schema(
    parameters=[
        OpenApiParameter("standard", default="tw-1997"),
        OpenApiParameter("category"),
        OpenApiParameter("decision_rule", enum=["simple", "guarded"], default="simple"),
    ],
    responses={200: dict},
)
@api_view(["GET"])
@permission_classes(_roles())
def sample_compliance(request, sample_id):
    """Judge the sample against a standards edition (category from the product unless overridden)."""
    sample = _sample(request, sample_id, results=True)
    q = request.query_params
    return Response(
        selectors.sample_compliance(
            sample, standard=q.get("standard"), category=q.get("category"), decision_rule=q.get("decision_rule")
        )
    )


def _earlier_payload(run):
    if run is None:
        return None
    return {
        "id": run.pk,
        "filename": run.filename,
        "imported_at": run.imported_at,
        "imported_by": run.imported_by.username,
        "rows": run.rows,
        "assays": run.assay_ids,
    }


@extend_schema(
    request={
        "multipart/form-data": {
            "type": "object",
            "properties": {
                "file": {"type": "string", "format": "binary"},
                "check_only": {"type": "boolean", "description": "run every check, store nothing"},
                "reimport": {
                    "type": "boolean",
                    "description": "store although the same content or values were imported",
                },
            },
        }
    },
    responses={201: dict, 200: dict, 400: dict, 409: dict},
)
@api_view(["POST"])
@permission_classes(_roles(write=ENTRY))
@parser_classes([MultiPartParser])
def results_import(request):
    """Upload a CSV or XLSX of instrument results (sample_code, parameter, value, unit, basis, qualifier,
    uncertainty). Every row is stored or none; 400 lists the first 200 problems by row, column and reason
    and counts them all (`error_count`); 413 when the upload is larger than the limit. 201 summarises:
    rows and samples imported, and the first 50 assays.
    The same content imported before, or rows repeating stored values, answer 409 naming the earlier
    import unless ``reimport=true``; ``check_only=true`` reports (200) without storing."""
    from maturity.importing import ImportRejected

    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": [ErrorDetail(gettext("No file was submitted."), code="required")]})
    flags = {}
    for name in ("check_only", "reimport"):
        raw = str(request.data.get(name, "false")).strip().lower()
        if raw not in ("true", "false", "1", "0", "yes", "no", "on", ""):
            raise ValidationError({name: [ErrorDetail(gettext("must be true or false"), code="not_a_boolean")]})
        flags[name] = raw in ("true", "1", "yes", "on")
    try:
        result = assay_services.results_import(
            actor=request.user, filename=upload.name, content=upload, show=IMPORT_ASSAYS_SHOWN, **flags
        )
    except ImportRejected as e:
        return Response(
            {"code": "import_rejected", "detail": gettext("Nothing was imported."), **e.report},
            status=status.HTTP_400_BAD_REQUEST,
        )
    except assay_services.ImportDuplicate as e:
        parts = [gettext("Nothing was imported:")]
        if e.earlier:
            parts.append(
                gettext("the same file content was imported as '%(file)s' on %(when)s by %(user)s.")
                % {
                    "file": e.earlier.filename,
                    "when": f"{e.earlier.imported_at:%Y-%m-%d %H:%M}",
                    "user": e.earlier.imported_by.username,
                }
            )
        if e.duplicates:
            parts.append(gettext("%(rows)s row(s) repeat values already stored.") % {"rows": e.duplicate_count})
        parts.append(gettext("Send reimport=true to store it again."))
        return Response(
            {
                "code": "already_imported",
                "detail": " ".join(parts),
                "earlier_import": _earlier_payload(e.earlier),
                "duplicates": e.duplicates,
                "duplicate_count": e.duplicate_count,
            },
            status=status.HTTP_409_CONFLICT,
        )
    rows = result.rows
    if not result.stored:
        return Response(
            {
                "check_only": True,
                "imported_rows": 0,
                "would_import_rows": rows,
                "samples": result.samples,
                "duplicates": result.duplicates,
                "duplicate_count": result.duplicate_count,
                "earlier_import": _earlier_payload(result.earlier),
            }
        )
    shown = result.assays[:IMPORT_ASSAYS_SHOWN]
    return Response(
        {
            "imported_rows": rows,
            "samples": len(result.samples),
            "assays_shown": len(shown),
            "reimport": bool(result.earlier or result.duplicates),
            "assays": AssaySerializer(shown, many=True, context={"request": request}).data,
        },
        status=status.HTTP_201_CREATED,
    )


# --- standards, jurisdictions, pre-check ---------------------------------


@extend_schema(responses={200: dict})
@api_view(["GET"])
@permission_classes(_roles())
def sample_jurisdictions(request, sample_id):
    """Metal by metal, which jurisdictions of the 1999 table the sample meets, exceeds or cannot be compared with."""
    sample = _sample(request, sample_id, results=True)
    return Response(selectors.sample_jurisdictions(sample))


class AssessSerializer(serializers.Serializer):
    standard = serializers.CharField(required=False)
    category = serializers.CharField()
    decision_rule = serializers.ChoiceField(choices=["simple", "guarded"], required=False)
    bagasse_based = serializers.BooleanField(required=False, default=False)
    chemical_fertilizer_added = serializers.BooleanField(required=False, default=False)
    results = serializers.DictField(
        child=serializers.DictField(),
        allow_empty=False,
        help_text='{parameter: {"value", "unit", "basis", "qualifier", "uncertainty"}}',
    )


@extend_schema(request=AssessSerializer, responses={200: dict})
@api_view(["POST"])
@permission_classes(_roles(write=ALL_ROLES))
def assess(request):
    """Pre-check: judge results against a standard without a stored sample (nothing is saved)."""
    body = AssessSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    return Response(selectors.assess(**body.validated_data))


# --- regulator market view -------------------------------------------------


class MarketFilterSerializer(serializers.Serializer):
    standard = serializers.CharField(required=False)
    decision_rule = serializers.ChoiceField(choices=["simple", "guarded"], required=False)
    manufacturer = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    product = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    category = serializers.CharField(required=False)
    verdict = serializers.ChoiceField(
        choices=["pass", "fail", "conditional", "incomplete", "not_judged"], required=False
    )
    failing = serializers.CharField(required=False, help_text="parameter key failing its limit, e.g. cu")
    has = serializers.CharField(required=False, help_text="only samples with a result for this parameter")
    beyond = serializers.CharField(
        required=False, help_text="parameter key beyond a limit (plain comparison), as the statistics count"
    )
    beyond_kind = serializers.CharField(required=False, max_length=20, help_text="with beyond: that kind of limit")
    beyond_condition = serializers.CharField(
        required=False, max_length=30, help_text="with beyond: the limit with that condition"
    )
    maturity = serializers.ChoiceField(
        choices=list(MATURITY_VERDICTS), required=False, help_text="stored maturity verdict under rule_set"
    )
    rule_set = serializers.ChoiceField(
        choices=list(RULE_SETS), required=False, help_text="rule set of the maturity filter; default tari_1999"
    )
    received_after = serializers.DateField(required=False)
    received_before = serializers.DateField(required=False)
    ids = serializers.CharField(required=False, help_text="comma-separated sample ids")
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=1000)
    ordering = serializers.ChoiceField(
        choices=["code", "-code", "received_on", "-received_on", "verdict", "-verdict"],
        required=False,
        help_text="default: newest sample first",
    )
    format = serializers.ChoiceField(choices=["csv", "xlsx"], required=False)

    def _parameter(self, value):
        from maturity.market import known_parameter
        from maturity.parameters import unknown_parameter

        if not known_parameter(value):
            raise serializers.ValidationError(unknown_parameter(value))
        return value

    def validate_failing(self, value):
        return self._parameter(value)

    def validate_has(self, value):
        return self._parameter(value)

    def validate_beyond(self, value):
        from maturity.parameters import DERIVED, PARAMETERS, unknown_parameter

        if value not in PARAMETERS and value not in DERIVED:
            raise serializers.ValidationError(unknown_parameter(value))
        return value

    def validate_ids(self, value):
        try:
            return [int(x) for x in value.split(",") if x.strip()]
        except ValueError:
            message = gettext_noop("must be comma-separated sample ids")
            raise serializers.ValidationError(Message("sample_ids_list", message))


def _market(request):
    """-> (edition, decision rule, filtered judgements, validated query) of the market view."""
    from lims.models import LabSettings
    from maturity import market
    from maturity.selectors import edition_or_error

    f = MarketFilterSerializer(data=request.query_params)
    f.is_valid(raise_exception=True)
    q = f.validated_data
    lab = LabSettings.current()
    standard, rule = q.get("standard") or lab.default_standard, q.get("decision_rule") or lab.default_decision_rule
    edition = edition_or_error(standard)
    return edition, rule, market.judgements(request.user, edition, rule, q), q


def _link(request, **params):
    from urllib.parse import urlencode

    base = {
        k: v
        for k, v in request.query_params.items()
        if k in ("standard", "decision_rule", "received_after", "received_before", "manufacturer")
    }
    base.update({k: v for k, v in params.items() if v})
    return request.build_absolute_uri("/api/v1/regulator/samples/?" + urlencode(base))


MARKET_READERS = (Role.REGULATOR, Role.LAB_ADMIN, Role.REVIEWER, Role.TECHNICIAN)


class MarketPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


@extend_schema(parameters=[MarketFilterSerializer], responses={200: dict})
@api_view(["GET"])
@permission_classes(_roles(read=MARKET_READERS))
def market_samples(request):
    """Verified samples with their compliance verdict under the named edition and decision rule."""
    from maturity import market

    edition, rule, qs, q = _market(request)
    paginator = MarketPagination()
    page = market.page_of(qs, paginator, request, count=market.count_of(qs, request.user, edition, rule, q))
    response = paginator.get_paginated_response([market.row(j) for j in page])
    response.data = {
        "standard": edition.code,
        "standard_title": edition.title,
        "decision_rule": rule,
        "judgement": market.judgement_state(edition, rule),
        **response.data,
    }
    return response


@extend_schema(
    parameters=[MarketFilterSerializer],
    responses={
        (200, "text/csv"): bytes,
        (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes,
    },
)
@api_view(["GET"])
@permission_classes(_roles(read=MARKET_READERS))
def market_export(request):
    """The same table as a CSV or XLSX file (?format=csv|xlsx), stating edition and decision rule."""
    from maturity import market

    edition, rule, qs, q = _market(request)
    return market.export_response(qs, q.get("format", "csv"), edition.code, rule)


@extend_schema(parameters=[MarketFilterSerializer], responses={200: dict})
@api_view(["GET"])
@permission_classes(_roles(read=MARKET_READERS))
def market_statistics(request):
    """Per category and parameter: count, mean, range and share of samples beyond each limit, with links."""
    from maturity import market

    edition, rule, qs, q = _market(request)
    stats = market.statistics(qs, edition, rule, q, lambda **kw: _link(request, **kw))
    return Response(
        {
            "standard": edition.code,
            "standard_title": edition.title,
            "decision_rule": rule,
            "judgement": market.judgement_state(edition, rule),
            "samples": market.count_of(qs, request.user, edition, rule, q),
            "statistics": stats,
        }
    )
