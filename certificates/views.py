"""The public verification page: no login. Without the document's verification code
it shows nothing but a form asking for it (the same for numbers that exist and
numbers that do not); with the right code, the document's identity, status and
fingerprint, and a PDF compare box. Wrong codes are counted per client address
and, past LIMS_VERIFY_GUESS_LIMIT in LIMS_VERIFY_GUESS_WINDOW_SECONDS, answered 429."""
import hashlib
import hmac

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
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
    code = forms.CharField(label=_("Verification code"), max_length=40,
                           help_text=_("Printed beside the number on the document, e.g. 7KQ2-M9XD-4TWB."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))


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


@require_http_methods(["GET", "POST"])
def verify(request, number):
    ip = client_ip(request) or "unknown"
    code = (request.POST.get("code") or request.GET.get("code") or "").strip()
    context = {"number": number, "code_form": CodeForm(initial={"code": code})}
    if _blocked(ip):
        response = render(request, "certificates/verify.html", {**context, "blocked": True}, status=429)
        response["Retry-After"] = str(_guess_window())
        return response
    if not code:
        return render(request, "certificates/verify.html", context)
    doc = (Document.objects.select_related("product__manufacturer", "superseded_by", "sample")
           .filter(number=number).first())
    if not _matches(doc, code):
        _count_wrong_guess(ip)
        return render(request, "certificates/verify.html", {**context, "wrong_code": True}, status=404)
    match = None
    form = PdfCheckForm()
    if request.method == "POST" and "pdf" in request.FILES:
        form = PdfCheckForm(request.POST, request.FILES)
        if form.is_valid():
            h = hashlib.sha256()
            for chunk in form.cleaned_data["pdf"].chunks():
                h.update(chunk)
            match = h.hexdigest() == doc.sha256
    return render(request, "certificates/verify.html", {
        **context, "doc": doc, "code": doc.verification_code, "form": form, "match": match,
        "superseded_by": getattr(doc, "superseded_by", None),
    })
