from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEntry, LabSettings, Manufacturer, Product, Sample, SampleTransition, User


class ReasonedAdmin(admin.ModelAdmin):
    """Admin pages of audited records (lims.audit.track): a change needs a reason, which goes into
    the audit entry with the actor, time, before and after."""

    def get_form(self, request, obj=None, **kwargs):
        base = kwargs.get("form") or (getattr(self, "add_form", None) if obj is None else None) or self.form
        kwargs["form"] = type(base.__name__, (base,), {"change_reason": forms.CharField(
            label=_("Reason for the change"), max_length=500, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
            help_text=_("Kept in the audit history with your name, the time and the old and new values."))})
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(name, {**opts, "fields": [f for f in opts.get("fields", ()) if f != "change_reason"]})
                     for name, opts in super().get_fieldsets(request, obj)]
        return [*fieldsets, (_("Audit"), {"fields": ["change_reason"]})]

    def save_model(self, request, obj, form, change):
        with audit.acting(request.user, form.cleaned_data.get("change_reason", "")):
            super().save_model(request, obj, form, change)


@admin.register(User)
class UserAdmin(ReasonedAdmin, BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "manufacturer", "is_active", "last_login")
    list_filter = ("role", "manufacturer", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (("Role", {"fields": ("role", "manufacturer")}),
                                           ("Authorised signatory (reviewers)", {"fields": ("title", "signature")}))
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Role", {"fields": ("role", "manufacturer")}),)


@admin.register(Manufacturer)
class ManufacturerAdmin(ReasonedAdmin):
    list_display = ("name", "registration_no", "contact_email", "created_at")
    search_fields = ("name", "registration_no")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "manufacturer", "category", "bagasse_based", "chemical_fertilizer_added")
    list_filter = ("category", "manufacturer")
    search_fields = ("name",)

    def has_change_permission(self, request, obj=None):
        return False  # changes go through the API/pages so they are audited

    def has_delete_permission(self, request, obj=None):
        return False


class TransitionInline(admin.TabularInline):
    model = SampleTransition
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "actor", "at", "reason")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Sample)
class SampleAdmin(admin.ModelAdmin):
    list_display = ("code", "product", "lot_number", "status", "sampled_on", "received_on")
    list_filter = ("status",)
    search_fields = ("code", "lot_number")
    inlines = [TransitionInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "entity", "entity_repr", "action", "actor", "reason")
    list_filter = ("entity", "action")
    search_fields = ("entity_repr", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LabSettings)
class LabSettingsAdmin(ReasonedAdmin):
    def has_add_permission(self, request):
        return not LabSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
