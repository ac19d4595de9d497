"""Domain errors shared by the pure calculation and judgement code.

No Django import here: the API layer turns :class:`InputError` into an
HTTP 400 with the same per-field messages.
"""


class InputError(ValueError):
    """Bad raw input. ``errors`` maps a field path to a list of messages.

    Field paths use dots and list indexes, e.g. ``"control.1.germinated"``,
    so a form or API client can put each message beside its field.
    """

    def __init__(self, errors):
        if isinstance(errors, str):
            errors = {"non_field_errors": [errors]}
        self.errors = {k: list(v) if isinstance(v, (list, tuple)) else [v] for k, v in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in self.errors.items()))


class ErrorCollector:
    """Collects per-field messages, raising one :class:`InputError` at the end."""

    def __init__(self):
        self.errors = {}

    def add(self, field, message):
        self.errors.setdefault(field, []).append(message)

    def __bool__(self):
        return bool(self.errors)

    def raise_if_any(self):
        if self.errors:
            raise InputError(self.errors)
