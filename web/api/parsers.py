"""JSON in and out. Request parsers that refuse hostile JSON with a 400 naming the field and the rule.

The JSON of a request body is checked once, where it is parsed: a document
nested deeper than ``LIMS_MAX_JSON_DEPTH`` levels (Python's decoder would
otherwise raise RecursionError, a 500) and text with a NUL character (which
PostgreSQL refuses to store, a DataError) never reach a serializer."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.utils import encoders

from lims.messages import Message


def nul_message():
    return _("must not contain a NUL character (\\u0000).")


def too_deep_message(max_depth):
    return _("JSON nested deeper than %(depth)d levels is not accepted.") % {"depth": max_depth}


def check_json(value, max_depth=None):
    """Raise ValidationError for a structure nested deeper than ``max_depth`` or holding a NUL character.

    Iterative, so it cannot itself run out of stack. The error names the
    field by its path (``data.note``, ``raw_materials.0.name``)."""
    max_depth = max_depth or settings.LIMS_MAX_JSON_DEPTH
    stack = [(value, (), 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > max_depth:
            raise ValidationError({".".join(path[:1]) or "non_field_errors": [too_deep_message(max_depth)]})
        if isinstance(node, dict):
            for k, v in node.items():
                key = str(k)
                if "\x00" in key:
                    raise ValidationError({".".join(path + (key.replace("\x00", ""),)): [nul_message()]})
                stack.append((v, path + (key,), depth + 1))
        elif isinstance(node, list):
            stack.extend((v, path + (str(i),), depth + 1) for i, v in enumerate(node))
        elif isinstance(node, str) and "\x00" in node:
            raise ValidationError({".".join(path) or "non_field_errors": [nul_message()]})
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser plus the depth and NUL checks."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep_message(settings.LIMS_MAX_JSON_DEPTH))
        return check_json(data)


DEFAULT_PARSERS = [JSONParser, parsers.FormParser, parsers.MultiPartParser]


class _Encoder(encoders.JSONEncoder):
    def default(self, obj):
        if isinstance(obj, Message):
            return str(obj)  # in the request's language
        return super().default(obj)


class JSONRenderer(renderers.JSONRenderer):
    """JSON out: a lims.messages.Message anywhere in an answer (a verdict's reason, an import row's problem)
    reads as text in the request's language."""

    encoder_class = _Encoder
