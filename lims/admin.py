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
        kwargs["form"] = type(
            base.__name__,
            (base,),
            {
                "change_reason": forms.CharField(
                    label=_("Reason for the change"),
                    max_length=500,
                    widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
                    help_text=_("Kept in the audit history with your name, the time and the old and new values."),
                )
            },
        )
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**opts, "fields": [f for f in opts.get("fields", ()) if f != "change_reason"]})
            for name, opts in super().get_fieldsets(request, obj)
        ]
        return [*fieldsets, (_("Audit"), {"fields": ["change_reason"]})]

    def save_model(self, request, obj, form, change):
        with audit.acting(request.user, form.cleaned_data.get("change_reason", "")):
            super().save_model(request, obj, form, change)


@admin.register(User)
class UserAdmin(ReasonedAdmin, BaseUserAdmin):
    list_display = ("username", "full_name", "role", "manufacturer", "is_active", "last_login")
    list_filter = ("role", "manufacturer", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role"), {"fields": ("role", "manufacturer")}),
        (_("Authorised signatory (reviewers)"), {"fields": ("title", "signature")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Role"), {"fields": ("role", "manufacturer")}),)

    @admin.display(description=_("Full name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()


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
    readonly_fields = ("action", "from_status", "to_status", "actor", "at", "reason_label")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reason"))
    def reason_label(self, obj):
        return obj.reason_shown


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


def _action_label(action):
    """'transition:receive' -> 'Receive' (in the admin's language), 'update' -> 'corrected'."""
    from web import labels

    if action.startswith("transition:"):
        return labels.label(labels.ACTIONS, action.split(":", 1)[1])
    return labels.label(labels.AUDIT_ACTIONS, action)


class CodeFilter(admin.SimpleListFilter):
    """A filter on a code field that shows words, not codes."""

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by().values_list(self.parameter_name, flat=True).distinct()
        return sorted(((c, self.word(c)) for c in codes), key=lambda kv: str(kv[1]))

    def queryset(self, request, queryset):
        return queryset.filter(**{self.parameter_name: self.value()}) if self.value() else queryset


class ActionFilter(CodeFilter):
    title, parameter_name = _("action"), "action"
    word = staticmethod(_action_label)


class EntityFilter(CodeFilter):
    title, parameter_name = _("record type"), "entity"

    @staticmethod
    def word(code):
        from web import labels

        return labels.label(labels.AUDIT_ENTITIES, code)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "entity_label", "entity_repr", "action_label", "actor", "reason_label")
    list_filter = (EntityFilter, ActionFilter)
    search_fields = ("entity_repr", "reason")

    @admin.display(description=_("reason"), ordering="reason")
    def reason_label(self, obj):
        return obj.reason_shown

    @admin.display(description=_("record type"), ordering="entity")
    def entity_label(self, obj):
        from web import labels

        return labels.label(labels.AUDIT_ENTITIES, obj.entity)

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj):
        return _action_label(obj.action)

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
