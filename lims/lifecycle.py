"""Sample lifecycle of DOMAIN.md §2 as a table. Pure: no Django import.

Each action names the states it may start from, the state it leads to, the
roles that may perform it and whether a reason is required.
"""

from dataclasses import dataclass

from .messages import Message, gettext_noop, term

STATES = ("registered", "received", "rejected", "in_testing", "to_be_verified", "verified", "certified")
# States whose results are verified: released to the manufacturer, part of the regulator's market view.
RESULTS_RELEASED = ("verified", "certified")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple
    target: str
    roles: tuple
    reason_required: bool = False


TRANSITIONS = {
    t.action: t
    for t in [
        Transition("receive", ("registered",), "received", ("technician", "lab_admin")),
        Transition("reject", ("registered", "received"), "rejected", ("technician", "lab_admin"), reason_required=True),
        Transition("start_testing", ("received",), "in_testing", ("technician", "lab_admin")),
        Transition("submit", ("in_testing",), "to_be_verified", ("technician", "lab_admin")),
        Transition("verify", ("to_be_verified",), "verified", ("reviewer",)),
        Transition("retest", ("verified", "certified"), "in_testing", ("reviewer",), reason_required=True),
        Transition("certify", ("verified",), "certified", ("reviewer",)),
        # a lab admin's correction of a judgement input (product category, ...) sends judged samples back to
        # verification; their certificates are marked for supersession
        Transition("reopen", ("verified", "certified"), "to_be_verified", ("lab_admin",), reason_required=True),
    ]
}
ACTIONS = tuple(TRANSITIONS)

# The names people read (msgids shared with the pages' labels).
STATE_NAMES = {
    "registered": gettext_noop("Registered"),
    "received": gettext_noop("Received"),
    "rejected": gettext_noop("Rejected"),
    "in_testing": gettext_noop("In testing"),
    "to_be_verified": gettext_noop("To be verified"),
    "verified": gettext_noop("Verified"),
    "certified": gettext_noop("Certified"),
}
ACTION_NAMES = {
    "receive": gettext_noop("Receive"),
    "reject": gettext_noop("Reject"),
    "start_testing": gettext_noop("Start testing"),
    "submit": gettext_noop("Submit for verification"),
    "verify": gettext_noop("Verify"),
    "retest": gettext_noop("Retest"),
    "certify": gettext_noop("Certify"),
    "reopen": gettext_noop("Return to verification"),
}
ROLE_NAMES = {
    "technician": gettext_noop("Technician"),
    "reviewer": gettext_noop("Reviewer"),
    "manufacturer": gettext_noop("Manufacturer"),
    "regulator": gettext_noop("Regulator"),
    "lab_admin": gettext_noop("Lab admin"),
}


def state_name(state):
    return term(state, STATE_NAMES)


def action_name(action):
    return term(action, ACTION_NAMES)


def role_name(role):
    return term(role, ROLE_NAMES)


class TransitionError(Exception):
    """An action that the sample's state or the actor's role does not allow."""

    def __init__(self, message, *, code="conflict", field=None, error_code=None):
        super().__init__(message)
        self.message = message  # a lims.messages.Message (read in the active language)
        self.code = code  # 'conflict' (409), 'forbidden' (403) or 'invalid' (400)
        self.field = field
        # machine-readable reason, e.g. 'judgement_inputs_frozen' (API "code"): the message's own code unless given
        self.error_code = error_code or getattr(message, "code", None)


def check_transition(action, state, role, reason):
    """Return the target state, or raise TransitionError saying why not."""
    t = TRANSITIONS.get(action)
    if t is None:
        message = Message(
            "unknown_action",
            gettext_noop("Unknown action '%(action)s'. Allowed: %(allowed)s."),
            action=action,
            allowed=ACTIONS,
        )
        raise TransitionError(message, code="invalid", field="action")
    if role not in t.roles:
        message = Message(
            "role_not_allowed",
            gettext_noop("Your role (%(role)s) may not do this: %(action)s. Allowed roles: %(roles)s."),
            role=role_name(role),
            action=action_name(action),
            roles=[role_name(r) for r in t.roles],
        )
        raise TransitionError(message, code="forbidden")
    if state not in t.sources:
        message = Message(
            "transition_not_allowed",
            gettext_noop(
                "A sample that is %(state)s cannot be given this action: %(action)s (it applies to: %(sources)s)."
            ),
            state=state_name(state),
            action=action_name(action),
            sources=[state_name(s) for s in t.sources],
        )
        raise TransitionError(message)
    if t.reason_required and not (reason or "").strip():
        message = Message(
            "reason_required",
            gettext_noop("A reason is required for this action: %(action)s."),
            action=action_name(action),
        )
        raise TransitionError(message, code="invalid", field="reason")
    return t.target
