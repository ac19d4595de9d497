import math

from django.utils import timezone
from rest_framework import serializers

from lims.dates import sample_date_errors
from lims.lifecycle import ACTIONS
from lims.messages import Joined, Message, gettext_noop
from lims.models import AuditEntry, Manufacturer, Product, Sample, SampleTransition
from maturity.selectors import category_keys, category_names

PROCESS_FIELDS = {
    "fermentation_days": (int, 0, 3650),
    "peak_temperature_c": (float, 0, 100),
    "turnings": (int, 0, 1000),
}


class ManufacturerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Manufacturer
        fields = ["id", "name", "registration_no", "address", "contact_email", "created_at"]


def _listed(errors):
    """{path: [messages]} -> ["path: message message", ...], each keeping the first message's code."""
    return [
        Message(v[0].code, gettext_noop("%(path)s: %(problems)s"), path=k, problems=Joined(v, " "))
        for k, v in errors.items()
    ]


def _number(value, kind, path, errors, lo=None, hi=None):
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        errors.setdefault(path, []).append(Message("not_a_number", gettext_noop("must be a number")))
        return None
    if kind is int and (isinstance(value, float) and not value.is_integer()):
        errors.setdefault(path, []).append(Message("not_integer", gettext_noop("must be a whole number")))
        return None
    if lo is not None and value < lo or hi is not None and value > hi:
        message = gettext_noop("must be between %(low)s and %(high)s")
        errors.setdefault(path, []).append(Message("out_of_range", message, low=lo, high=hi))
        return None
    return kind(value)


class ProductSerializer(serializers.ModelSerializer):
    # scoped to the manufacturers the user may see: another organisation's id reads as not existing
    manufacturer = serializers.PrimaryKeyRelatedField(queryset=Manufacturer.objects.all(), required=False)
    manufacturer_name = serializers.CharField(source="manufacturer.name", read_only=True)
    category_name_zh = serializers.SerializerMethodField()
    category_name_en = serializers.SerializerMethodField()
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Why the product is changed (kept in the audit history).",
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "manufacturer",
            "manufacturer_name",
            "name",
            "category",
            "category_name_zh",
            "category_name_en",
            "bagasse_based",
            "chemical_fertilizer_added",
            "raw_materials",
            "process",
            "created_at",
            "updated_at",
            "reason",
        ]
        validators = []  # uniqueness per manufacturer is checked in validate() with a clear message

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            from lims.selectors import manufacturers_visible_to

            self.fields["manufacturer"].queryset = manufacturers_visible_to(request.user)

    def _category_names(self):
        """Read once per response, not twice per product."""
        root = self.root
        if not hasattr(root, "_category_names_cache"):
            root._category_names_cache = category_names()
        return root._category_names_cache

    def get_category_name_zh(self, obj) -> str:
        return self._category_names().get(obj.category, (obj.category, ""))[0]

    def get_category_name_en(self, obj) -> str:
        return self._category_names().get(obj.category, ("", obj.category))[1]

    def validate_category(self, value):
        keys = category_keys()
        if value not in keys:
            message = gettext_noop("Unknown category '%(category)s'. Known categories: %(known)s.")
            raise serializers.ValidationError(
                Message("unknown_category", message, category=value, known=", ".join(sorted(keys)) or "–")
            )
        return value

    def validate_raw_materials(self, value):
        if not isinstance(value, list):
            message = gettext_noop('must be a list of {"name", "proportion_pct"}')
            raise serializers.ValidationError(Message("not_a_list", message))
        errors, total = {}, 0.0
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                message = gettext_noop('must be an object {"name", "proportion_pct"}')
                errors.setdefault(f"{i}", []).append(Message("not_an_object", message))
                continue
            unknown = set(item) - {"name", "proportion_pct"}
            if unknown:
                message = gettext_noop("unknown keys: %(keys)s")
                errors.setdefault(f"{i}", []).append(Message("unknown_field", message, keys=sorted(unknown)))
            if not isinstance(item.get("name"), str) or not item.get("name", "").strip():
                errors.setdefault(f"{i}.name", []).append(Message("required", gettext_noop("is required")))
            p = _number(item.get("proportion_pct"), float, f"{i}.proportion_pct", errors, 0, 100)
            if p is not None:
                if p <= 0:
                    message = gettext_noop("must be greater than %(limit)s")
                    errors.setdefault(f"{i}.proportion_pct", []).append(Message("min_value", message, limit=0))
                total += p
        if not errors and value and abs(total - 100.0) > 0.01:
            message = gettext_noop("proportions must add up to 100 %% (they add up to %(total)s %%)")
            errors.setdefault("proportion_pct", []).append(Message("proportions_not_100", message, total=f"{total:g}"))
        if errors:
            raise serializers.ValidationError(_listed(errors))
        return [{"name": i["name"].strip(), "proportion_pct": float(i["proportion_pct"])} for i in value]

    def validate_process(self, value):
        if not isinstance(value, dict):
            message = gettext_noop("must be an object with %(fields)s")
            raise serializers.ValidationError(Message("not_an_object", message, fields=tuple(PROCESS_FIELDS)))
        errors, clean = {}, {}
        for key in set(value) - set(PROCESS_FIELDS):
            message = gettext_noop("unknown key; allowed: %(fields)s")
            errors.setdefault(key, []).append(Message("unknown_field", message, fields=tuple(PROCESS_FIELDS)))
        for key, (kind, lo, hi) in PROCESS_FIELDS.items():
            if value.get(key) is not None:
                clean[key] = _number(value[key], kind, key, errors, lo, hi)
        if errors:
            raise serializers.ValidationError(_listed(errors))
        return clean

    def validate(self, attrs):
        manufacturer = attrs.get("manufacturer") or getattr(self.instance, "manufacturer", None)
        user = self.context["request"].user
        if manufacturer is None and user.role == "manufacturer":
            manufacturer = user.manufacturer
            attrs["manufacturer"] = manufacturer
        if manufacturer is None:
            message = gettext_noop("This field is required.")
            raise serializers.ValidationError({"manufacturer": [Message("required", message)]})
        name = attrs.get("name", getattr(self.instance, "name", None))
        clash = Product.objects.filter(manufacturer=manufacturer, name=name)
        if self.instance:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            # the clash is always within the organisation the user acts for (the field is scoped to it)
            mine = user.role == "manufacturer"
            raise serializers.ValidationError(
                {
                    "name": [
                        Message(
                            "duplicate_name", gettext_noop("You already have a product named '%(name)s'."), name=name
                        )
                        if mine
                        else Message(
                            "duplicate_name",
                            gettext_noop("%(manufacturer)s already has a product named '%(name)s'."),
                            manufacturer=manufacturer.name,
                            name=name,
                        )
                    ]
                }
            )
        return attrs


REASON_HELP = (
    "Why: a reason the system wrote, in the request's language (its code in `reason_code`); a reason a person "
    "typed, as typed."
)
REASON_CODE_HELP = (
    "The stable code of a reason the system wrote (e.g. `reason_certificate_issued`); null for a person's."
)


class SampleTransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username")
    reason = serializers.CharField(source="reason_shown", read_only=True, help_text=REASON_HELP)
    reason_code = serializers.CharField(read_only=True, allow_null=True, help_text=REASON_CODE_HELP)

    class Meta:
        model = SampleTransition
        fields = ["action", "from_status", "to_status", "actor", "at", "reason", "reason_code"]


class SampleSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    product_name = serializers.CharField(source="product.name", read_only=True)
    manufacturer = serializers.IntegerField(source="product.manufacturer_id", read_only=True)
    manufacturer_name = serializers.CharField(source="product.manufacturer.name", read_only=True)
    category = serializers.CharField(source="product.category", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Sample
        fields = [
            "id",
            "code",
            "status",
            "product",
            "product_name",
            "manufacturer",
            "manufacturer_name",
            "category",
            "lot_number",
            "sampled_on",
            "received_on",
            "condition_on_receipt",
            "created_by",
            "created_at",
            "updated_at",
            "reason",
        ]
        read_only_fields = ["code", "status", "condition_on_receipt", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            from lims.selectors import products_visible_to

            self.fields["product"].queryset = products_visible_to(request.user)

    def validate(self, attrs):
        sampled = attrs.get("sampled_on", getattr(self.instance, "sampled_on", None))
        received = attrs.get("received_on", getattr(self.instance, "received_on", None))
        errors = sample_date_errors(sampled, received, timezone.localdate())  # the pages use the same rules
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class SampleDetailSerializer(SampleSerializer):
    transitions = SampleTransitionSerializer(many=True, read_only=True)

    class Meta(SampleSerializer.Meta):
        fields = SampleSerializer.Meta.fields + ["transitions"]


class TransitionRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    condition = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text="With `receive`: the sample's condition on receipt (ISO/IEC 17025 §7.4), printed on the certificate.",
    )
    assays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        allow_empty=True,
        help_text="retest only: ids of the verified assays to retest (default: all)",
    )
    parameters = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        allow_empty=True,
        help_text="retest only: parameter keys whose assays are retested, e.g. cu",
    )

    def validate(self, attrs):
        if attrs["action"] != "retest":
            message = gettext_noop("applies only to the action 'retest'")
            errors = {k: [Message("retest_only", message)] for k in ("assays", "parameters") if attrs.get(k)}
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)
    actor_role = serializers.CharField(source="actor.role", default=None, allow_null=True)
    reason = serializers.CharField(source="reason_shown", read_only=True, help_text=REASON_HELP)
    reason_code = serializers.CharField(read_only=True, allow_null=True, help_text=REASON_CODE_HELP)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "entity",
            "entity_id",
            "entity_repr",
            "action",
            "actor",
            "actor_role",
            "at",
            "reason",
            "reason_code",
            "changes",
            "sample",
        ]


class LockoutSerializer(serializers.Serializer):
    username = serializers.CharField()
    failures = serializers.IntegerField()
    addresses = serializers.ListField(child=serializers.CharField())
    last_failure = serializers.DateTimeField()
    locked_until = serializers.DateTimeField()


class LockoutLiftSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    reason = serializers.CharField(max_length=2000, help_text="Why the lock is lifted (kept in the audit history).")


class HealthSerializer(serializers.Serializer):
    """The answer of /api/v1/health/ (documents the schema)."""

    status = serializers.ChoiceField(choices=["ok", "degraded"])
    database = serializers.ChoiceField(choices=["ok"])
    worker = serializers.ChoiceField(choices=["ok", "stopped", "never_seen"])
    time = serializers.DateTimeField()
    last_worker_heartbeat = serializers.DateTimeField(allow_null=True)
