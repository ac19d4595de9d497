"""OpenAPI schema: every operation documents the error answers the API gives (web.api.exceptions).

400 per-field messages ({"field": ["message"]}) or {"detail": ...}; 401 without
credentials; 403 wrong role; 404 unknown or another manufacturer's record; 405
a method the role's route does not offer; 409 an illegal transition or a record
not ready; 415 an unsupported body type; 429 throttled."""

from drf_spectacular.openapi import AutoSchema

ERROR_BODY = {
    "type": "object",
    "additionalProperties": True,
    "description": 'Per-field messages {"field": ["message"]} or {"detail": "message"}.',
}
ERRORS = {
    "400": "Invalid input: per-field messages naming the field and the rule.",
    "401": "Not authenticated.",
    "403": "Not allowed for this role.",
    "404": "Not found (also another manufacturer's record).",
    "405": "Method not allowed.",
    "409": "Conflict: not allowed in the record's current state.",
    "429": "Too many requests: throttled.",
}
BODY_ERRORS = {"413": "Request body too large.", "415": "Unsupported media type of the body."}


class LimsAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS, **(BODY_ERRORS if self.method in ("POST", "PUT", "PATCH") else {}))
        for code, description in errors.items():
            responses.setdefault(
                code, {"content": {"application/json": {"schema": ERROR_BODY}}, "description": description}
            )
        return responses
