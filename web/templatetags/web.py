"""Template helpers of the pages: labels of codes, badges, QR codes."""

import io

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from maturity.formatting import fmt

from .. import labels

register = template.Library()


@register.filter
def status_label(code):
    return labels.status_label(code)


@register.filter
def status_badge(code):
    return format_html('<span class="badge {}" data-status="{}">{}</span>', code, code, labels.status_label(code))


@register.filter
def verdict_badge(code):
    return format_html('<span class="badge {}" data-verdict="{}">{}</span>', code, code, labels.verdict_label(code))


@register.filter
def verdict_label(code):
    return labels.verdict_label(code)


@register.filter
def validity_badge(code):
    return format_html('<span class="badge {}">{}</span>', code, labels.label(labels.VALIDITY, code))


@register.filter
def render_badge(code):
    return format_html('<span class="badge {}">{}</span>', code, labels.label(labels.RENDER, code))


@register.filter
def assay_status_badge(code):
    return format_html(
        '<span class="badge {}">{}</span>',
        "verified" if code == "verified" else ("invalid" if code == "invalidated" else "in_testing"),
        labels.label(labels.ASSAY_STATUS, code),
    )


@register.filter
def action_label(code):
    return labels.label(labels.ACTIONS, code)


@register.filter
def method_label(code):
    return labels.method_label(code)


@register.filter
def param_name(key):
    return labels.param_name(key)


@register.filter
def category_name(key):
    return labels.category_name(key)


@register.filter
def role_label(code):
    return labels.label(labels.ROLE_NAMES, code)


@register.filter
def doc_kind(code):
    return labels.label(labels.DOC_KINDS, code)


@register.filter
def num(value):
    return fmt(value) if value is not None else "—"


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def tr(message):
    """A service message in the page's language (translated where it was made; read here)."""
    return labels.text(message)


@register.simple_tag
def qr_svg(text, size="32mm"):
    """An inline SVG QR code (no file, no network)."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="QR {text}" style="width:{size};height:{size}" ', 1)
    return mark_safe(svg)


@register.filter
def source_label(source):
    """'import:icp.csv rows 2–9' in the page's language (the file name as it was)."""
    import re

    from django.utils.translation import gettext as _

    m = re.fullmatch(r"import:(?P<name>.+) rows (?P<a>\d+)–(?P<b>\d+)", source or "")
    if not m:
        return source
    return _("imported from %(name)s, rows %(a)s–%(b)s") % m.groupdict()
