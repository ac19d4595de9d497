import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from lims.admin import ReasonedAdmin

from .errors import InputError
from .models import (
    Assay,
    Category,
    ChromatogramReading,
    Declaration,
    JurisdictionLimit,
    MethodReference,
    Requirement,
    StandardEdition,
)
from .services import edition_load


class EditionUploadForm(forms.Form):
    manifest = forms.FileField(label=_("Edition manifest (.yaml)"))
    requirements = forms.FileField(label=_("Requirements file (.csv) named in the manifest"))
    replace = forms.BooleanField(
        required=False,
        label=_("Replace an edition of the same code not yet used in a judgement (editions in use are never replaced)"),
    )


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0
    can_delete = False
    readonly_fields = ("category", "parameter", "kind", "limit", "unit", "basis", "condition", "source")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StandardEdition)
class StandardEditionAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "issuing_body", "in_force", "used_in_judgement", "used_since", "loaded_at")
    readonly_fields = (
        "code",
        "title",
        "issuing_body",
        "in_force",
        "source",
        "loaded_at",
        "loaded_by",
        "file_sha256",
        "used_in_judgement",
        "used_since",
        "first_use",
    )
    inlines = [RequirementInline]
    change_list_template = "admin/maturity/standardedition/change_list.html"

    def has_add_permission(self, request):
        return False  # editions come from files: use "Load an edition from a file"

    def has_delete_permission(self, request, obj=None):
        return obj is not None and not obj.used_in_judgement

    def get_urls(self):
        return [
            path("load/", self.admin_site.admin_view(self.load_view), name="maturity_edition_load")
        ] + super().get_urls()

    def load_view(self, request):
        form = EditionUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            with tempfile.TemporaryDirectory() as tmp:
                manifest = Path(tmp) / Path(form.cleaned_data["manifest"].name).name
                manifest.write_bytes(form.cleaned_data["manifest"].read())
                csv = Path(tmp) / Path(form.cleaned_data["requirements"].name).name
                csv.write_bytes(form.cleaned_data["requirements"].read())
                try:
                    obj, created = edition_load(manifest, actor=request.user, replace=form.cleaned_data["replace"])
                except InputError as e:
                    for field, msgs in e.errors.items():
                        form.add_error(None, f"{field}: {' '.join(map(str, msgs))}")
                else:
                    if created:
                        text = _("Edition %(code)s loaded: %(n)s requirements.")
                    else:
                        text = _("Edition %(code)s was already loaded: %(n)s requirements.")
                    messages.success(request, text % {"code": obj.code, "n": obj.requirements.count()})
                    return redirect("admin:maturity_standardedition_changelist")
        return render(
            request,
            "admin/maturity/load_edition.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "title": _("Load a standards edition"),
                "used": StandardEdition.objects.filter(used_in_judgement=True).order_by("code"),
            },
        )


@admin.register(JurisdictionLimit)
class JurisdictionLimitAdmin(ReasonedAdmin):
    list_display = ("jurisdiction", "jurisdiction_zh", "metal", "limit_low", "limit_high", "basis", "note")
    list_filter = ("jurisdiction", "metal", "basis")


@admin.register(Assay)
class AssayAdmin(admin.ModelAdmin):
    list_display = ("id", "sample", "method", "status", "valid", "entered_by", "entered_at", "verified_by")
    list_filter = ("method", "status", "valid")
    readonly_fields = [f.name for f in Assay._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # assays change only through entry, verification and retest (audited)

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Category, ReasonedAdmin)
admin.site.register(Declaration, ReasonedAdmin)


@admin.register(MethodReference)
class MethodReferenceAdmin(admin.ModelAdmin):
    """Method references and reporting digits printed on certificates (ISO/IEC 17025 §7.8.2.1)."""

    list_display = (
        "method",
        "parameter",
        "code",
        "title_en",
        "lod",
        "decimals",
        "significant_figures",
        "accredited",
        "external_provider",
    )
    list_filter = ("method", "accredited")
    search_fields = ("method", "parameter", "code", "title_en", "title_zh")


@admin.register(ChromatogramReading)
class ChromatogramReadingAdmin(admin.ModelAdmin):
    """Read-only: readings change only through the decision service (audited)."""

    list_display = (
        "id",
        "sample",
        "protocol",
        "decision",
        "center_corrected",
        "middle_band_corrected",
        "edge_corrected",
        "created_by",
        "created_at",
    )
    list_filter = ("decision", "protocol", "center_corrected", "middle_band_corrected", "edge_corrected")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
