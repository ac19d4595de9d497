from rest_framework import serializers
from rest_framework.relations import PrimaryKeyRelatedField

from certificates.context import GUARANTEED
from certificates.models import Document
from lims.messages import Message, gettext_noop
from lims.models import Product, Sample
from maturity.rules import RULE_SETS


class DocumentSerializer(serializers.ModelSerializer):
    sample_code = serializers.CharField(source="sample.code", read_only=True, default=None, allow_null=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    manufacturer = serializers.IntegerField(source="product.manufacturer_id", read_only=True)
    supersedes = serializers.CharField(source="supersedes.number", read_only=True, default=None, allow_null=True)
    superseded_by = serializers.SerializerMethodField()
    issued_by = serializers.CharField(source="issued_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()
    samples = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "number",
            "version",
            "status",
            "error",
            "validity",
            "sample",
            "sample_code",
            "samples",
            "product",
            "product_name",
            "manufacturer",
            "declared",
            "supersedes",
            "superseded_by",
            "sha256",
            "download_url",
            "verification_url",
            "issued_by",
            "issued_at",
            "rendered_at",
            "revocation_reason",
            "revoked_at",
            "batch",
            "supersession_due",
            "verification_code",
        ]

    def get_verification_url(self, obj) -> str:
        """The public check with the code (as in the QR code of documents issued since codes exist)."""
        from certificates.services import verification_url

        return verification_url(obj.number, obj.verification_code)

    def get_superseded_by(self, obj) -> str | None:
        nxt = getattr(obj, "superseded_by", None)
        return nxt.number if nxt else None

    def get_download_url(self, obj) -> str | None:
        if obj.status != "ready":
            return None
        request = self.context.get("request")
        path = f"/api/v1/{'certificates' if obj.kind == 'certificate' else 'registrations'}/{obj.pk}/download/"
        return request.build_absolute_uri(path) if request else path


class CertificateRequestSerializer(serializers.Serializer):
    sample = serializers.PrimaryKeyRelatedField(queryset=Sample.objects.all())
    decision_rule = serializers.ChoiceField(choices=["simple", "guarded"], required=False)
    standard = serializers.CharField(required=False)
    issue_anyway_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="needed when required results are missing; printed in the certificate's remarks",
    )
    rule_set = serializers.ChoiceField(
        choices=list(RULE_SETS), required=False, help_text="maturity rule set; default tari_1999"
    )


class BatchRequestSerializer(serializers.Serializer):
    samples = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=2000,
        help_text="sample ids",
    )
    decision_rule = serializers.ChoiceField(choices=["simple", "guarded"], required=False)
    standard = serializers.CharField(required=False)
    issue_anyway_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="needed when required results are missing; printed in the certificate's remarks",
    )
    rule_set = serializers.ChoiceField(
        choices=list(RULE_SETS), required=False, help_text="maturity rule set; default tari_1999"
    )

    def validate_samples(self, ids):
        """The samples, read in one query (not one per id); the same messages as a related field."""
        if len(set(ids)) != len(ids):
            message = gettext_noop("Each sample may be named once in a batch.")
            raise serializers.ValidationError(Message("sample_repeated", message))
        found = Sample.objects.in_bulk(ids)
        for i in ids:
            if i not in found:
                message = PrimaryKeyRelatedField.default_error_messages["does_not_exist"]  # DRF's own, translated
                raise serializers.ValidationError(message.format(pk_value=i), code="does_not_exist")
        return [found[i] for i in ids]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


def _description_fields():
    from certificates.registration import DESCRIPTION_FIELDS

    fields = {
        key: serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text=en)
        for key, _zh, en in DESCRIPTION_FIELDS
    }
    fields["issued_on"] = serializers.DateField(required=False, help_text="Date of the description (Art. 16).")
    return fields


DescriptionSerializer = type("DescriptionSerializer", (serializers.Serializer,), _description_fields())


class WasteDocumentSerializer(serializers.Serializer):
    reference = serializers.CharField(required=False, allow_blank=True, max_length=200)
    date = serializers.DateField(required=False, allow_null=True)
    metals = serializers.DictField(
        child=serializers.FloatField(min_value=0),
        required=False,
        help_text="Composition report: mg/kg of as, cd, cr, cu, hg, ni, pb, zn.",
    )

    def validate_metals(self, value):
        from certificates.registration import EIGHT_METALS

        unknown = [k for k in value if k not in EIGHT_METALS]
        if unknown:
            message = gettext_noop("unknown metal '%(metal)s'; expected one of %(choices)s")
            raise serializers.ValidationError(
                Message("unknown_metal", message, metal=", ".join(unknown), choices=tuple(EIGHT_METALS))
            )
        return value


def _waste_fields():
    from certificates.registration import WASTE_DOCUMENTS

    return {
        key: WasteDocumentSerializer(required=False, allow_null=True, help_text=en) for key, _zh, en in WASTE_DOCUMENTS
    }


WasteDocumentsSerializer = type("WasteDocumentsSerializer", (serializers.Serializer,), _waste_fields())


class ReissueSerializer(ReasonSerializer):
    issue_anyway_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="needed when required results are missing; printed in the certificate's remarks",
    )


class RegistrationRequestSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    samples = serializers.PrimaryKeyRelatedField(queryset=Sample.objects.all(), many=True, allow_empty=False)
    declared = serializers.DictField(
        child=serializers.FloatField(min_value=0),
        required=False,
        default=dict,
        help_text="Guaranteed components {parameter: minimum %}, e.g. "
        '{"total_nitrogen_pct": 1.5, "organic_matter_pct": 60}',
    )

    application_date = serializers.DateField(
        required=False, help_text="Date the application is filed (default today); Art. 16 one-year rule."
    )
    description = DescriptionSerializer(required=False, help_text="The fertilizer description (Art. 15).")
    industrial_waste = serializers.BooleanField(
        required=False, default=False, help_text="Made with or from industrial waste (事業廢棄物), Art. 5."
    )
    waste_documents = WasteDocumentsSerializer(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            from lims.selectors import products_visible_to, samples_visible_to

            self.fields["product"].queryset = products_visible_to(request.user)
            self.fields["samples"].child_relation.queryset = samples_visible_to(request.user)

    def validate_declared(self, value):
        unknown = [k for k in value if k not in GUARANTEED]
        if unknown:
            message = gettext_noop("not a guaranteed component: %(keys)s; allowed: %(choices)s")
            raise serializers.ValidationError(
                Message("not_guaranteed_component", message, keys=tuple(unknown), choices=tuple(GUARANTEED))
            )
        return value
