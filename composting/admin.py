from django.contrib import admin

from .models import Batch, Criterion, Material, SoilBackground, SoilThreshold


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    """The §9 criteria: the lab admin edits thresholds, times and organism rows (params) with their source;
    parameters are checked (Criterion.clean) before they are saved."""

    list_display = ["key", "name", "kind", "active", "position", "source"]
    list_editable = ["active", "position"]

    def save_model(self, request, obj, form, change):
        """Saved with an audit entry (old and new values): criteria decide verdicts."""
        from lims import audit

        fields = ("key", "name", "kind", "params", "source", "active", "position")
        before = audit.snapshot(Criterion.objects.get(pk=obj.pk), fields) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        changes = audit.diff(before, audit.snapshot(obj, fields))
        if changes:
            audit.record(
                entity="composting_criterion",
                obj=obj,
                action="update" if change else "create",
                actor=request.user,
                changes=changes,
            )


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["name", "carbon_pct", "nitrogen_pct", "moisture_pct", "source"]


@admin.register(SoilThreshold)
class SoilThresholdAdmin(admin.ModelAdmin):
    list_display = ["level", "metal", "general_mg_kg", "farmland_mg_kg", "source"]
    list_filter = ["level"]


@admin.register(SoilBackground)
class SoilBackgroundAdmin(admin.ModelAdmin):
    list_display = ["group", "name", "metal", "mg_kg"]
    list_filter = ["group"]


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["name", "manufacturer", "method", "started_on", "ended_on"]
    list_filter = ["method"]
    readonly_fields = ["created_by", "created_at"]
