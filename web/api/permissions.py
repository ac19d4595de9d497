"""Role permissions for the API.

Each view declares which roles may read (``read_roles``) and which may write
(``write_roles``); ``action_roles`` overrides per viewset action. Ownership
(manufacturer isolation) is enforced by the selectors, so another
manufacturer's object is simply not found (404), and by the services.
"""

from django.utils.translation import gettext_lazy
from rest_framework.permissions import SAFE_METHODS, BasePermission

from lims.roles import Role

ALL_ROLES = tuple(r.value for r in Role)


class RolePermission(BasePermission):
    message = gettext_lazy("Your role does not allow this.")
    code = "role_not_allowed"

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        action_roles = getattr(view, "action_roles", {})
        action = getattr(view, "action", None)
        if action in action_roles:
            return user.role in action_roles[action]
        if request.method in SAFE_METHODS:
            return user.role in getattr(view, "read_roles", self.read_roles)
        return user.role in getattr(view, "write_roles", self.write_roles)

    read_roles = ALL_ROLES  # defaults when the view declares none (function views: see roles())
    write_roles = ()


def roles(read=ALL_ROLES, write=()):
    """RolePermission with fixed read and write roles, for function-based views."""
    return [type("FixedRolePermission", (RolePermission,), {"read_roles": tuple(read), "write_roles": tuple(write)})]
