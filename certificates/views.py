"""The public verification page: no login, and nothing but the document's
identity, status and fingerprint is shown."""
import hashlib
import re

from django import forms
from django.shortcuts import redirect, render
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


class LookupForm(forms.Form):
    number = forms.CharField(label=_("Certificate or dossier number"), max_length=40,
                             widget=forms.TextInput(attrs={"placeholder": "CQ-2026-000001", "autocomplete": "off",
                                                           "autocapitalize": "characters", "autofocus": True}))


def normalize_number(text):
    """As printed or as typed: case and spaces do not matter ('cq 2026-000004' -> 'CQ2026-000004')."""
    return re.sub(r"\s+", "", text or "").upper()


@require_http_methods(["GET"])
def verify_lookup(request):
    """/verify/: a form for the number printed on the certificate."""
    form = LookupForm(request.GET or None)
    if form.is_valid():
        number = normalize_number(form.cleaned_data["number"])
        if number:
            return redirect("verify", number)
    return render(request, "certificates/verify_lookup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify(request, number):
    canonical = normalize_number(number)
    doc = (Document.objects.select_related("product__manufacturer", "superseded_by", "sample")
           .filter(number=canonical).first())
    if doc is not None and canonical != number and request.method == "GET":
        return redirect("verify", canonical)
    number = canonical
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
        "lookup_form": LookupForm(initial={"number": number}),
    }, status=200 if doc else 404)
