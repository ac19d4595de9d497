"""Who may open which page. A page refused by role raises PermissionDenied,
which Django answers with templates/403.html."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from lims.roles import LAB_STAFF, READ_ALL, Role

ENTRY = (Role.TECHNICIAN, Role.LAB_ADMIN)
REVIEW = (Role.REVIEWER,)
PORTAL = (Role.MANUFACTURER,)
REGULATOR = (Role.REGULATOR,)
ISSUE = (Role.REVIEWER,)
SAMPLE_REGISTER = (Role.TECHNICIAN, Role.LAB_ADMIN, Role.MANUFACTURER)
PRODUCT_EDIT = (Role.MANUFACTURER, Role.LAB_ADMIN)  # as the API's ProductViewSet.write_roles
__all__ = [
    "role_required",
    "ENTRY",
    "REVIEW",
    "PORTAL",
    "REGULATOR",
    "LAB_STAFF",
    "READ_ALL",
    "ISSUE",
    "SAMPLE_REGISTER",
    "PRODUCT_EDIT",
    "home_for",
]


def role_required(*roles):
    """Logged in and one of ``roles``; otherwise the 403 page says which roles may."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied(_("This page is for another role."))
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


def home_for(user):
    """The start page of each role."""
    return {
        Role.TECHNICIAN: "lab-worklist",
        Role.LAB_ADMIN: "lab-worklist",
        Role.REVIEWER: "review-queue",
        Role.MANUFACTURER: "portal",
        Role.REGULATOR: "regulator",
    }.get(user.role, "sample-list")
