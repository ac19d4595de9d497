"""System checks of the deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .hosts import public_url_problem


@register(Tags.security)
def public_url_check(app_configs, **kwargs):
    """Production cannot print a local address in QR codes and verification links."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    problem = public_url_problem(settings.LIMS_PUBLIC_URL)
    if not problem:
        return []
    return [
        Error(
            f"{problem}; certificates would print a verification link nobody else can open.",
            hint="Set LIMS_PUBLIC_URL to the address readers of a certificate open, e.g. https://lims.example.org.",
            id="lims.E001",
        )
    ]


@register(Tags.staticfiles, deploy=True)
def static_manifest_check(app_configs, **kwargs):
    """In production static files are served from the collected, hashed copies."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    if (settings.STATIC_ROOT / "staticfiles.json").exists():
        return []
    return [
        Warning(
            "Static files are not collected yet: every page would answer 500 (Missing staticfiles manifest entry).",
            hint="Start gunicorn from the project folder (its gunicorn.conf.py runs collectstatic), "
            "or run `python manage.py collectstatic --noinput`.",
            id="lims.W002",
        )
    ]
