"""The public verification page: no login. Without the document's verification code
it shows nothing but a form asking for it (the same for numbers that exist and
numbers that do not); with the right code, the document's identity, status and
fingerprint, and a PDF compare box. Wrong codes are counted per client address
and, past LIMS_VERIFY_GUESS_LIMIT in LIMS_VERIFY_GUESS_WINDOW_SECONDS, answered 429."""

import hashlib
import hmac
import re
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from lims.net import client_ip

from .models import Document, normalise_code

MAX_UPLOAD = 20 * 1024 * 1024


class PdfCheckForm(forms.Form):
    pdf = forms.FileField(label=_("PDF file to check"))

    def clean_pdf(self):
        f = self.cleaned_data["pdf"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return f


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("Printed beside the number on the document, e.g. 7KQ2-M9XD-4TWB."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


def _guess_key(ip):
    return f"verify-guesses:{ip}"


def _guess_limit():
    return getattr(settings, "LIMS_VERIFY_GUESS_LIMIT", 10)


def _guess_window():
    return getattr(settings, "LIMS_VERIFY_GUESS_WINDOW_SECONDS", 900)


def _blocked(ip):
    return cache.get(_guess_key(ip), 0) >= _guess_limit()


def _count_wrong_guess(ip):
    key = _guess_key(ip)
    if cache.add(key, 1, _guess_window()):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, _guess_window())


def _matches(doc, code):
    return doc is not None and hmac.compare_digest(normalise_code(code).encode(), doc.verification_code.encode())


class LookupForm(forms.Form):
    number = forms.CharField(
        label=_("Certificate or dossier number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "placeholder": "CQ-2026-000001",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autofocus": True,
            }
        ),
    )
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        required=False,
        help_text=_("Printed beside the number on the document, e.g. 7KQ2-M9XD-4TWB."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX",
            }
        ),
    )


def normalise_number(text):
    """As printed or as typed: case and spaces do not matter ('cq-2026-000004 ' -> 'CQ-2026-000004')."""
    return re.sub(r"\s+", "", text or "").upper()


def _verify_url(number, code=""):
    url = reverse("verify", args=[number])
    return url + ("?" + urlencode({"code": code}) if code else "")


@require_http_methods(["GET"])
def verify_lookup(request):
    """/verify/: a form for the number (and the verification code) printed on the document."""
    form = LookupForm(request.GET or None)
    if form.is_valid():
        number = normalise_number(form.cleaned_data["number"])
        if number:
            return redirect(_verify_url(number, form.cleaned_data.get("code", "").strip()))
    return render(request, "certificates/verify_lookup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify(request, number):
    canonical = normalise_number(number)
    code = (request.POST.get("code") or request.GET.get("code") or "").strip()
    if canonical != number and request.method == "GET":
        return redirect(_verify_url(canonical, code))
    number = canonical
    ip = client_ip(request) or "unknown"
    context = {"number": number, "code_form": CodeForm(initial={"code": code})}
    if _blocked(ip):
        response = render(request, "certificates/verify.html", {**context, "blocked": True}, status=429)
        response["Retry-After"] = str(_guess_window())
        return response
    if not code:
        return render(request, "certificates/verify.html", context)
    doc = (
        Document.objects.select_related("product__manufacturer", "superseded_by", "sample")
        .filter(number=number)
        .first()
    )
    if not _matches(doc, code):
        _count_wrong_guess(ip)
        # the same answer for a number that does not exist and for a wrong code: numbers cannot be enumerated
        return render(
            request,
            "certificates/verify.html",
            {
                **context,
                "wrong_code": True,
                "lookup_form": LookupForm(initial={"number": number, "code": code}),
            },
            status=404,
        )
    match = None
    form = PdfCheckForm()
    if request.method == "POST" and "pdf" in request.FILES:
        form = PdfCheckForm(request.POST, request.FILES)
        if form.is_valid():
            h = hashlib.sha256()
            for chunk in form.cleaned_data["pdf"].chunks():
                h.update(chunk)
            match = h.hexdigest() == doc.sha256
    return render(
        request,
        "certificates/verify.html",
        {
            **context,
            "doc": doc,
            "code": doc.verification_code,
            "form": form,
            "match": match,
            "superseded_by": getattr(doc, "superseded_by", None),
        },
    )
