from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "version", "product", "status", "validity", "issued_by", "issued_at")
    list_filter = ("kind", "status", "validity")
    search_fields = ("number",)
    readonly_fields = [f.name for f in Document._meta.fields] + ["samples"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
