from rest_framework import serializers

from certificates.context import GUARANTEED
from certificates.models import Document
from lims.models import Product, Sample


class DocumentSerializer(serializers.ModelSerializer):
    sample_code = serializers.CharField(source="sample.code", read_only=True, default=None, allow_null=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    manufacturer = serializers.IntegerField(source="product.manufacturer_id", read_only=True)
    supersedes = serializers.CharField(source="supersedes.number", read_only=True, default=None, allow_null=True)
    superseded_by = serializers.SerializerMethodField()
    issued_by = serializers.CharField(source="issued_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()
    verification_url = serializers.CharField(source="context.verification_url", read_only=True, default=None,
                                             allow_null=True)
    samples = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Document
        fields = ["id", "kind", "number", "version", "status", "error", "validity", "sample", "sample_code",
                  "samples", "product", "product_name", "manufacturer", "declared", "supersedes", "superseded_by",
                  "sha256", "download_url", "verification_url", "issued_by", "issued_at", "rendered_at",
                  "revocation_reason", "revoked_at", "batch"]

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


class BatchRequestSerializer(serializers.Serializer):
    samples = serializers.PrimaryKeyRelatedField(queryset=Sample.objects.all(), many=True, allow_empty=False)
    decision_rule = serializers.ChoiceField(choices=["simple", "guarded"], required=False)
    standard = serializers.CharField(required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RegistrationRequestSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    samples = serializers.PrimaryKeyRelatedField(queryset=Sample.objects.all(), many=True, allow_empty=False)
    declared = serializers.DictField(child=serializers.FloatField(min_value=0), required=False, default=dict,
                                     help_text="Guaranteed components {parameter: minimum %}, e.g. "
                                               '{"total_nitrogen_pct": 1.5, "organic_matter_pct": 60}')

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
            raise serializers.ValidationError(
                f"not a guaranteed component: {', '.join(unknown)}; allowed: {', '.join(GUARANTEED)}")
        return value
