"""Every error a person can read is made as a marked message (``lims.messages.Message`` with a ``gettext_noop``
template, or ``gettext``/``gettext_lazy``), never as an English literal: read from the source with ``ast``.

Scanned: the calls to the errors that reach a user (the API's error body, a page's message, the admin's form
errors) in the apps' sources (migrations and tests skipped). An argument that is a ``str`` literal or an
f-string -- directly, or inside a dict / list / tuple literal, or concatenated -- is refused unless it is
made by a call (``Message``, ``gettext``, a helper that returns one) -- not a str method on a literal
(``"...".format(x)``). Keyword arguments that are codes (``code=``, ``field=``, ``error_code=``) are not text.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("lims", "maturity", "certificates", "qc", "composting", "web")
SKIP_DIRS = {"migrations", "tests", "__pycache__"}

# The errors whose text a person reads (DRF's and Django's by their class name, whatever the import alias).
USER_ERRORS = {
    "ValidationError",  # DRF serializers.ValidationError and django.core.exceptions.ValidationError
    "InputError",
    "TransitionError",
    "PermissionDeniedError",
    "ReasonRequiredError",
    "PermissionDenied",  # DRF's and Django's
    "NotFound",
    "ParseError",
    "Http404",
    "ChromatogramNotFound",
    "ValueError",  # can be caught and shown (a form's clean); the internal ones are allowed below
}
CODE_KEYWORDS = {"code", "field", "error_code"}

# Internal errors that never reach a person: a programming error (a bug), reported as a server error, never
# turned into a message. Each entry: (path, error class, why). A new entry needs the same reason.
ALLOWED = {
    ("lims/bulk.py", "ValueError"): "bulk_create of unknown fields / too few reserved ids: a bug in the caller",
    ("maturity/importing.py", "ValueError"): "_jf: json.dumps' own refusal of NaN, the values are checked before",
    ("maturity/reporting.py", "ValueError"): "Precision(...) of a rule the model's clean() already validated",
    # The pure image analysis keeps an English detail of its own; what a person reads is made from its code by
    # maturity.chromatogram_services (NOT_FOUND_REASONS, a translated template per code: test below).
    ("maturity/chromatogram_image.py", "ChromatogramNotFound"): "read through its code (NOT_FOUND_REASONS)",
}


def _name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literals(node):
    """The unmarked str literals / f-strings in an argument."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.JoinedStr):
        yield node
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr != "join":  # "...".format(x): still a literal
            yield from _literals(node.func.value)  # (", ".join(names) only joins: no words)
        # else marked (Message, gettext...) or a value made elsewhere
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _literals(value)
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for value in node.elts:
            yield from _literals(value)
    elif isinstance(node, ast.BinOp):
        yield from _literals(node.left)
        yield from _literals(node.right)


def _root(node):
    """The name an expression starts from: ``problems`` of ``problems["x"]`` or ``problems.setdefault(k, [])``."""
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return None


def _collected(function, names):
    """(line, value) of what a function puts into the containers ``names`` it later raises: ``problems["x"] =
    [...]``, ``problems = {...}``, ``problems.append(...)``, ``errors.add(path, ...)``, ``.setdefault(k, ...)``."""
    for node in ast.walk(function):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_root(t) in names for t in targets):
                yield node.lineno, node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _root(node.func.value) in names:
            keyed = node.func.attr in ("add", "setdefault")  # the first argument is the field, a key
            for arg in node.args[1:] if keyed else node.args:
                yield node.lineno, arg


def unmarked(source, where):
    """["path:line: Error 'literal'", ...] of the user errors made with an unmarked literal in ``source``: in the
    error's own arguments, or put into the container (a dict / list of problems) that a function raises."""
    found = []
    tree = ast.parse(source)
    for function in [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        body = function.body
        calls = [
            n
            for stmt in body
            for n in ast.walk(stmt)
            if isinstance(n, ast.Call) and _name(n.func) in USER_ERRORS and (where, _name(n.func)) not in ALLOWED
        ]
        raised_names = set()
        for call in calls:
            args = list(call.args) + [k.value for k in call.keywords if k.arg not in CODE_KEYWORDS]
            if function is tree:  # the module's own statements and every function's: each call once
                for arg in args:
                    for literal in _literals(arg):
                        found.append(f"{where}:{call.lineno}: {_name(call.func)} {ast.unparse(literal)[:80]}")
            raised_names |= {a.id for a in args if isinstance(a, ast.Name)}
        if function is not tree and raised_names:
            for lineno, value in _collected(function, raised_names):
                for literal in _literals(value):
                    found.append(f"{where}:{lineno}: {', '.join(sorted(raised_names))} {ast.unparse(literal)[:80]}")
    return sorted(set(found), key=lambda f: int(f.split(":")[1]))


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if SKIP_DIRS & set(path.relative_to(ROOT).parts[:-1]):
                continue
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_every_user_error_is_a_marked_message():
    problems = [p for where, source in _sources() for p in unmarked(source, where)]
    assert not problems, "English literals raised to users (make them Message(code, gettext_noop(...))):\n" + (
        "\n".join(problems)
    )


def test_the_scan_finds_unmarked_literals():
    """The scan refuses what it should (the shapes the sweep converted) and lets the marked forms through."""
    source = """
raise InputError({"ordering": [f"Unknown ordering '{ordering}'."]})
raise InputError({"decision_rule": ["unknown"]})
raise serializers.ValidationError("must be comma-separated sample ids")
raise ValidationError({"decimals": "At most 6 decimal places."})
raise TransitionError("A sample is certified by issuing its certificate.")
raise PermissionDenied("Your role may not change batches.")
raise ValidationError("a" + name)
raise NotFound("no sample {}".format(pk))
raise InputError({"x": [Message("code", gettext_noop("marked %(v)s"), v=v)]})
raise ValidationError(_("marked"), code="required")
raise TransitionError(message, code="invalid", field="action")
raise ValidationError(PrimaryKeyRelatedField.default_error_messages["does_not_exist"].format(pk_value=i))
def validate(inp):
    problems = {}
    problems["chromatogram_score"] = ["must be an integer from 0 to 3"]
    problems["x"] = [Message("c", gettext_noop("marked"))]
    errors.add(f"rows.{i}.metal", "unknown metal")
    errors.add(f"rows.{i}.metal", Message("c", gettext_noop("marked")))
    raise InputError(problems)
    raise InputError(errors)
"""
    found = unmarked(source, "x.py")
    assert [f.split(":")[1] for f in found] == ["2", "3", "4", "5", "6", "7", "8", "9", "16", "18"]
    assert unmarked('raise ValueError(f"{n} ids")', "lims/bulk.py") == []  # allowed by its (path, class)
    assert unmarked('raise ValueError(f"{n} ids")', "lims/services.py") != []


def test_every_chromatogram_refusal_has_a_translated_reason():
    """Each code the pure image analysis refuses a picture with is read through a template of its own."""
    services = ast.parse((ROOT / "maturity" / "chromatogram_services.py").read_text(encoding="utf-8"))
    (reasons,) = (
        node.value
        for node in services.body
        if isinstance(node, ast.Assign) and [_name(t) for t in node.targets] == ["NOT_FOUND_REASONS"]
    )
    templates = {
        key.value: value
        for key, value in zip(reasons.keys, reasons.values)
        if isinstance(value, ast.Call) and _name(value.func) == "gettext_noop"
    }
    tree = ast.parse((ROOT / "maturity" / "chromatogram_image.py").read_text(encoding="utf-8"))
    codes = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _name(node.func) == "ChromatogramNotFound" and node.args
    }
    assert codes == {"no_paper", "no_pattern", "unreadable_image"}
    assert codes <= set(templates)
