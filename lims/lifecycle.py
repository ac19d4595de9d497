"""Sample lifecycle of DOMAIN.md §2 as a table. Pure: no Django import.

Each action names the states it may start from, the state it leads to, the
roles that may perform it and whether a reason is required.
"""

from dataclasses import dataclass

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


class TransitionError(Exception):
    """An action that the sample's state or the actor's role does not allow."""

    def __init__(self, message, *, code="conflict", field=None, error_code=None):
        super().__init__(message)
        self.message = message
        self.code = code  # 'conflict' (409), 'forbidden' (403) or 'invalid' (400)
        self.field = field
        self.error_code = error_code  # machine-readable reason, e.g. 'judgement_inputs_frozen' (API "code")


def check_transition(action, state, role, reason):
    """Return the target state, or raise TransitionError saying why not."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise TransitionError(
            f"Unknown action '{action}'. Allowed: {', '.join(ACTIONS)}.", code="invalid", field="action"
        )
    if role not in t.roles:
        raise TransitionError(
            f"Role '{role}' may not '{action}'; allowed roles: {', '.join(t.roles)}.", code="forbidden"
        )
    if state not in t.sources:
        raise TransitionError(
            f"Cannot '{action}' a sample that is '{state}'; '{action}' applies to: {', '.join(t.sources)}."
        )
    if t.reason_required and not (reason or "").strip():
        raise TransitionError(f"A reason is required to '{action}'.", code="invalid", field="reason")
    return t.target
