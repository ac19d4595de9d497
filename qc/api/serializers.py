from rest_framework import serializers

from qc.models import (
    ChartPoint,
    ControlChart,
    QcLimits,
    ReferenceMaterial,
    Worksheet,
    WorksheetPosition,
    WorksheetTemplate,
)


class ReferenceMaterialSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True)
    u_cref_pct = serializers.FloatField(read_only=True)

    class Meta:
        model = ReferenceMaterial
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "parameter",
            "assigned_value",
            "expanded_uncertainty",
            "unit",
            "lot",
            "expires_on",
            "u_cref_pct",
            "reason",
        ]


class QcLimitsSerializer(serializers.ModelSerializer):
    class Meta:
        model = QcLimits
        fields = [
            "id",
            "method",
            "parameter",
            "rpd_limit_pct",
            "spike_low_pct",
            "spike_high_pct",
            "lod",
            "loq",
            "detection_source",
            "uncertainty_pct",
            "uncertainty_data",
            "uncertainty_at",
        ]
        read_only_fields = ["detection_source", "uncertainty_pct", "uncertainty_data", "uncertainty_at"]


class QcLimitsSetSerializer(serializers.Serializer):
    method = serializers.CharField()
    parameter = serializers.CharField()
    rpd_limit_pct = serializers.FloatField(required=False, min_value=0)
    spike_low_pct = serializers.FloatField(required=False, min_value=0)
    spike_high_pct = serializers.FloatField(required=False, min_value=0)
    lod = serializers.FloatField(required=False, allow_null=True, min_value=0)
    loq = serializers.FloatField(required=False, allow_null=True, min_value=0)
    reason = serializers.CharField()


class WorksheetTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorksheetTemplate
        fields = ["id", "name", "method", "sample_count", "qc_items"]


class PositionSerializer(serializers.ModelSerializer):
    sample_code = serializers.CharField(source="sample.code", default=None, read_only=True)
    of_position = serializers.IntegerField(source="of_position.number", default=None, read_only=True)
    reference_material = serializers.CharField(source="reference_material.code", default=None, read_only=True)

    class Meta:
        model = WorksheetPosition
        fields = [
            "number",
            "kind",
            "sample",
            "sample_code",
            "of_position",
            "reference_material",
            "spike_parameter",
            "spike_added",
            "data",
            "results",
            "judgements",
            "assay",
        ]


class WorksheetSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open → entered → submitted")
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    released_by = serializers.CharField(source="released_by.username", default=None, read_only=True)

    class Meta:
        model = Worksheet
        fields = [
            "id",
            "method",
            "template",
            "status",
            "created_by",
            "created_at",
            "entered_at",
            "submitted_at",
            "released_by",
            "released_at",
            "release_reason",
        ]


class WorksheetDetailSerializer(WorksheetSerializer):
    positions = PositionSerializer(many=True, read_only=True)

    class Meta(WorksheetSerializer.Meta):
        fields = WorksheetSerializer.Meta.fields + ["positions"]


class WorksheetCreateSerializer(serializers.Serializer):
    method = serializers.CharField(required=False, allow_blank=True)
    template = serializers.PrimaryKeyRelatedField(
        queryset=WorksheetTemplate.objects.all(), required=False, allow_null=True
    )
    samples = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), allow_empty=False)
    qc_items = serializers.ListField(child=serializers.DictField(), required=False)


class EntriesSerializer(serializers.Serializer):
    entries = serializers.DictField(
        child=serializers.JSONField(),
        help_text=(
            "{position number: raw data}. Each position's raw data is the worksheet method's, as for one assay "
            "(POST /api/v1/samples/{id}/assays/): e.g. total_nitrogen_kjeldahl {sample_mass_g, acid_normality, "
            "titrant_ml, blank_ml}; direct {values: {parameter: {value, unit, basis, qualifier, uncertainty}}}. "
            "What the worksheet's blank supplies may be left out: germination positions give only their "
            "'sample' dishes (the blank is the distilled-water control: its 'control' dishes and 'protocol' "
            "are theirs); organic_carbon_wet_oxidation and total_nitrogen_kjeldahl positions may leave "
            "'blank_ml' out (the blank is the reagent blank: its 'titrant_ml' is their blank_ml). Instead of "
            "raw data a position may give {cells: {column: text}}, the grid's columns (the method's raw "
            "fields; germination protocol, dish1.sown … dish3.mean_root_length_mm; direct one column per "
            "parameter, '<0.02' for below detection)."
        ),
    )


class WorksheetReleaseSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ChartPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChartPoint
        fields = ["id", "value", "at", "worksheet", "accepted", "violations"]


class ControlChartSerializer(serializers.ModelSerializer):
    reference_material = serializers.CharField(source="reference_material.code", read_only=True)

    class Meta:
        model = ControlChart
        fields = ["id", "method", "parameter", "reference_material", "centre", "s", "set_by_lab"]


class ControlChartDetailSerializer(ControlChartSerializer):
    points = ChartPointSerializer(many=True, read_only=True)

    class Meta(ControlChartSerializer.Meta):
        fields = ControlChartSerializer.Meta.fields + ["points"]


class ChartSetSerializer(serializers.Serializer):
    centre = serializers.FloatField()
    s = serializers.FloatField()
    reason = serializers.CharField()
