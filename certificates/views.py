"""The public verification page: no login, and nothing but the document's
identity, status and fingerprint is shown."""
import hashlib

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from .models import Document

MAX_UPLOAD = 20 * 1024 * 1024


class PdfCheckForm(forms.Form):
    pdf = forms.FileField(label=_("PDF file to check"))

    def clean_pdf(self):
        f = self.cleaned_data["pdf"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return f


@require_http_methods(["GET", "POST"])
def verify(request, number):
    doc = (Document.objects.select_related("product__manufacturer", "superseded_by", "sample")
           .filter(number=number).first())
    match = None
    form = PdfCheckForm()
    if doc is not None and request.method == "POST":
        form = PdfCheckForm(request.POST, request.FILES)
        if form.is_valid():
            h = hashlib.sha256()
            for chunk in form.cleaned_data["pdf"].chunks():
                h.update(chunk)
            match = h.hexdigest() == doc.sha256
    superseded_by = getattr(doc, "superseded_by", None) if doc else None
    return render(request, "certificates/verify.html", {
        "number": number, "doc": doc, "form": form, "match": match, "superseded_by": superseded_by,
    }, status=200 if doc else 404)
