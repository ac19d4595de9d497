"""Standards editions as data (DOMAIN.md §6): parsing and validation. Pure, no Django.

An edition is a YAML manifest plus a requirements CSV beside it::

    code: tw-1997
    title: ...
    issuing_body: ...
    in_force: 1997-02-03
    source: ...
    requirements_csv: tw_1997_categories.csv     # relative to the YAML file
    categories: {general_compost: {name_zh: 一般堆肥, name_en: General compost}, ...}
    declarations: {general_compost: [{key: no_chemical_fertilizer, text_zh: ..., text_en: ...}]}

The CSV has the columns ``category,category_zh,parameter,kind,limit,unit,basis,
condition,source`` (extra columns are ignored). ``source`` beginning with
"same" means the previous row's source; anything after "same" is appended
("same (0.01 %)" -> "<previous source> (0.01 %)").

Everything is validated before anything is returned: any problem raises one
:class:`~maturity.errors.InputError` listing every problem, keyed by field
path. Row numbers are as a spreadsheet shows them (header = row 1), e.g.
``{"row 5.limit": ["'abc' is not a number"]}``.

Condition text is mapped to a machine condition: text starting "not bagasse"
-> ``not_bagasse``; text starting "bagasse" -> ``bagasse``; any other text is
a descriptive note that always applies (condition ``""``), kept verbatim in
``condition_text``.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from lims.messages import Message, gettext_noop

from .compliance import normalise_unit, unit_factor
from .errors import ErrorCollector, InputError
from .measurements import BASES
from .parameters import DERIVED, PARAMETERS
from .requirements import Declaration, Requirement

KINDS = ("min", "max", "max_exclusive")
CONDITIONS = ("", "bagasse", "not_bagasse")
COLUMNS = ("category", "category_zh", "parameter", "kind", "limit", "unit", "basis", "condition", "source")
# Declarations the compliance engine can judge against a product fact.
DECLARATION_KEYS = ("no_chemical_fertilizer",)
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


# --------------------------------------------------------------------------- messages (what a lab admin reads)


def _required():
    return Message("required", gettext_noop("is required"))


def _not_a_key(value):
    message = gettext_noop("'%(value)s' is not a key (lower case letters, digits, _)")
    return Message("not_a_key", message, value=value)


def _unreadable(name, error):
    return Message("unreadable_file", gettext_noop("cannot read %(file)s: %(error)s"), file=name, error=str(error))


@dataclass
class Edition:
    code: str
    title: str
    issuing_body: str
    in_force: datetime.date
    source: str
    categories: dict = field(default_factory=dict)  # key -> {"name_zh", "name_en"}
    requirements: list = field(default_factory=list)  # [Requirement]
    declarations: list = field(default_factory=list)  # [Declaration]

    def requirements_for(self, category: str) -> list[Requirement]:
        return [r for r in self.requirements if r.category == category]

    def declarations_for(self, category: str) -> list[Declaration]:
        return [d for d in self.declarations if d.category == category]


# --------------------------------------------------------------------------- conditions and units


def map_condition(text: str) -> str:
    """Condition text of the CSV -> ``""``, ``"bagasse"`` or ``"not_bagasse"``."""
    t = (text or "").strip().lower()
    if t.startswith("not bagasse") or t.startswith("not_bagasse"):
        return "not_bagasse"
    if t.startswith("bagasse"):
        return "bagasse"
    return ""


def parameter_info(key: str):
    """The :class:`~maturity.parameters.Parameter` of a judged key, or None."""
    return PARAMETERS.get(key) or DERIVED.get(key)


def unit_allowed(parameter: str, unit: str) -> bool:
    """Whether ``unit`` converts to the canonical unit of ``parameter``.

    A ``%`` that is not a mass fraction (ratios and indices such as relative
    germination, whose canonical basis is ``""``) only accepts ``%``."""
    p = parameter_info(parameter)
    if p is None:
        return False
    if p.unit == "%" and p.basis == "":
        return _norm_unit(unit) == "%"
    try:
        unit_factor(unit, p.unit)
    except InputError:
        return False
    return True


def _norm_unit(unit) -> str:
    return normalise_unit(unit)


# --------------------------------------------------------------------------- CSV


def _fmt(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def _number(text):
    try:
        x = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def parse_requirements_csv(text: str) -> list[Requirement]:
    """Requirements from CSV text; raises InputError listing every problem."""
    errors = ErrorCollector()
    requirements, _ = _parse_csv(text, errors)
    errors.raise_if_any()
    return requirements


def _parse_csv(text: str, errors: ErrorCollector):
    """-> ([Requirement], {category: category_zh}); problems go to ``errors``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        message = gettext_noop("required column(s) missing: %(missing)s; expected %(columns)s")
        errors.add("columns", Message("required_column", message, missing=tuple(missing), columns=COLUMNS))
        return [], {}
    reader.fieldnames = header

    requirements, names_zh = [], {}
    seen = {}  # (category, parameter, kind, condition) -> row
    limits = {}  # (category, parameter, condition) -> {kind: (limit, row)}
    previous_source = None
    for i, raw in enumerate(reader):
        n = i + 2  # header is row 1
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        here = f"row {n}"
        bad = False

        category = row["category"]
        if not category:
            errors.add(f"{here}.category", _required())
            bad = True
        elif not _KEY_RE.match(category):
            errors.add(f"{here}.category", _not_a_key(category))
            bad = True
        elif row["category_zh"]:
            zh = names_zh.setdefault(category, row["category_zh"])
            if zh != row["category_zh"]:
                message = gettext_noop("'%(value)s' differs from '%(earlier)s' given earlier for %(category)s")
                error = Message("name_differs", message, value=row["category_zh"], earlier=zh, category=category)
                errors.add(f"{here}.category_zh", error)

        parameter = row["parameter"]
        p = parameter_info(parameter)
        if p is None:
            message = gettext_noop("unknown parameter %(parameter)s")
            errors.add(f"{here}.parameter", Message("unknown_parameter", message, parameter=repr(parameter)))
            bad = True

        kind = row["kind"]
        if kind not in KINDS:
            message = gettext_noop("unknown kind '%(kind)s'; expected one of %(choices)s")
            errors.add(f"{here}.kind", Message("unknown_kind", message, kind=kind, choices=KINDS))
            bad = True

        limit = _number(row["limit"])
        if limit is None:
            message = gettext_noop("'%(value)s' is not a number")
            errors.add(f"{here}.limit", Message("not_a_number", message, value=row["limit"]))
            bad = True
        elif limit < 0:
            errors.add(f"{here}.limit", Message("negative", gettext_noop("%(value)s is negative"), value=row["limit"]))
            bad = True

        unit = row["unit"]
        if p is not None and not unit_allowed(parameter, unit):
            message = gettext_noop("unit '%(unit)s' cannot be converted to '%(target)s', the unit of %(parameter)s")
            error = Message("unit_not_convertible", message, unit=unit, target=p.unit, parameter=parameter)
            errors.add(f"{here}.unit", error)
            bad = True

        basis = row["basis"]
        if basis not in BASES:
            message = gettext_noop("unknown basis '%(basis)s'; expected dry, as_received or empty")
            errors.add(f"{here}.basis", Message("unknown_basis", message, basis=basis))
            bad = True
        elif parameter == "moisture_pct" and basis not in ("as_received", ""):
            message = gettext_noop("moisture is judged as received only")
            errors.add(f"{here}.basis", Message("moisture_as_received_only", message))
            bad = True

        condition_text = row["condition"]
        condition = map_condition(condition_text)

        source = row["source"]
        if source.lower().startswith("same"):
            if previous_source is None:
                message = gettext_noop("'same' on the first row: there is no previous source")
                errors.add(f"{here}.source", Message("no_previous_source", message))
                source = ""
                bad = True
            else:
                rest = source[4:].strip()
                source = f"{previous_source} {rest}" if rest else previous_source
                # a chain of "same" refers to the base source, not to the appended remark
        elif not source:
            errors.add(f"{here}.source", _required())
            bad = True
        else:
            previous_source = source

        if bad:
            continue
        key = (category, parameter, kind, condition)
        if key in seen:
            if condition:
                message = gettext_noop(
                    "duplicate requirement: %(category)s %(parameter)s %(kind)s (%(condition)s) already given in row "
                    "%(row)s"
                )
            else:
                message = gettext_noop(
                    "duplicate requirement: %(category)s %(parameter)s %(kind)s already given in row %(row)s"
                )
            params = {"category": category, "parameter": parameter, "kind": kind, "row": seen[key]}
            errors.add(here, Message("duplicate_requirement", message, condition=condition, **params))
            continue
        seen[key] = n
        req = Requirement(
            category=category,
            parameter=parameter,
            kind=kind,
            limit=limit,
            unit=unit,
            basis=basis,
            condition=condition,
            condition_text=condition_text,
            source=source,
        )
        limits.setdefault((category, parameter, condition), {})[kind] = (req, n)
        requirements.append(req)

    # a minimum at or above a maximum of the same parameter can never be met
    for kinds in limits.values():
        if "min" not in kinds:
            continue
        lo, lo_row = kinds["min"]
        for hi_kind in ("max", "max_exclusive"):
            if hi_kind not in kinds:
                continue
            hi, hi_row = kinds[hi_kind]
            lo_v = lo.limit * unit_factor(lo.unit, hi.unit)
            if lo_v > hi.limit or (hi_kind == "max_exclusive" and lo_v >= hi.limit):
                message = gettext_noop(
                    "the minimum %(minimum)s can never be met with the %(kind)s %(limit)s of row %(row)s"
                )
                params = {"minimum": _fmt(lo.limit), "kind": hi_kind, "limit": _fmt(hi.limit), "row": hi_row}
                errors.add(f"row {lo_row}.limit", Message("limits_contradict", message, **params))
    if not requirements and not errors:
        errors.add("rows", Message("no_requirements", gettext_noop("the file has no requirements")))
    return requirements, names_zh


# --------------------------------------------------------------------------- editions


def _text(errors, data, name, path=None):
    path = path or name
    v = data.get(name)
    if v is None or (isinstance(v, str) and not v.strip()):
        errors.add(path, _required())
        return ""
    if not isinstance(v, (str, int, float)):
        errors.add(path, Message("not_text", gettext_noop("must be text")))
        return ""
    return str(v).strip()


def _date(errors, value, path="in_force"):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if value in (None, ""):
        errors.add(path, _required())
        return None
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(
            path, Message("not_a_date", gettext_noop("'%(value)s' is not a date (YYYY-MM-DD)"), value=str(value))
        )
        return None


def _categories(errors, data, names_zh):
    out = {}
    if data is None:
        # bare CSV: names from the CSV (English name falls back to the key)
        return {k: {"name_zh": zh, "name_en": k.replace("_", " ")} for k, zh in names_zh.items()}
    if not isinstance(data, dict) or not data:
        message = gettext_noop("must map category keys to {name_zh, name_en}")
        errors.add("categories", Message("not_an_object", message))
        return out
    for key, names in data.items():
        key = str(key)
        path = f"categories.{key}"
        if not _KEY_RE.match(key):
            errors.add(path, _not_a_key(key))
            continue
        if not isinstance(names, dict):
            errors.add(path, Message("not_an_object", gettext_noop("must have name_zh and name_en")))
            continue
        zh = _text(errors, names, "name_zh", f"{path}.name_zh")
        en = _text(errors, names, "name_en", f"{path}.name_en")
        if zh and key in names_zh and names_zh[key] != zh:
            message = gettext_noop("'%(value)s' differs from the CSV's '%(csv)s'")
            errors.add(f"{path}.name_zh", Message("name_differs", message, value=zh, csv=names_zh[key]))
        out[key] = {"name_zh": zh, "name_en": en}
    return out


def _declarations(errors, data, categories):
    out = []
    if data in (None, {}):
        return out
    if not isinstance(data, dict):
        message = gettext_noop("must map category keys to lists of {key, text_zh, text_en}")
        errors.add("declarations", Message("not_an_object", message))
        return out
    for category, items in data.items():
        category = str(category)
        path = f"declarations.{category}"
        if category not in categories:
            message = gettext_noop("unknown category '%(category)s'")
            errors.add(path, Message("unknown_category", message, category=category))
            continue
        if not isinstance(items, list):
            errors.add(path, Message("not_a_list", gettext_noop("must be a list of {key, text_zh, text_en}")))
            continue
        keys = set()
        for j, item in enumerate(items):
            ipath = f"{path}.{j}"
            if not isinstance(item, dict):
                errors.add(ipath, Message("not_an_object", gettext_noop("must have key, text_zh and text_en")))
                continue
            key = _text(errors, item, "key", f"{ipath}.key")
            zh = _text(errors, item, "text_zh", f"{ipath}.text_zh")
            en = _text(errors, item, "text_en", f"{ipath}.text_en")
            if key and key not in DECLARATION_KEYS:
                message = gettext_noop("unknown declaration '%(key)s'; known: %(known)s")
                errors.add(f"{ipath}.key", Message("unknown_declaration", message, key=key, known=DECLARATION_KEYS))
                continue
            if key in keys:
                message = gettext_noop("duplicate declaration '%(key)s' for %(category)s")
                errors.add(f"{ipath}.key", Message("duplicate_declaration", message, key=key, category=category))
                continue
            keys.add(key)
            if key and zh and en:
                out.append(Declaration(category=category, key=key, text_zh=zh, text_en=en))
    return out


def _edition(errors, meta, csv_text, categories_data, declarations_data):
    requirements, names_zh = _parse_csv(csv_text, errors) if csv_text is not None else ([], {})
    code = _text(errors, meta, "code")
    if code and not _CODE_RE.match(code):
        message = gettext_noop("'%(code)s' is not a code (letters, digits, '.', '_', '-')")
        errors.add("code", Message("not_a_code", message, code=code))
    title = _text(errors, meta, "title")
    issuing_body = _text(errors, meta, "issuing_body")
    source = _text(errors, meta, "source")
    in_force = _date(errors, meta.get("in_force"))
    categories = _categories(errors, categories_data, names_zh)
    if categories:
        for cat in sorted({r.category for r in requirements} - set(categories)):
            message = gettext_noop("category '%(category)s' of the requirements CSV is not listed")
            errors.add("categories", Message("category_not_listed", message, category=cat))
    declarations = _declarations(errors, declarations_data, categories)
    errors.raise_if_any()
    return Edition(
        code=code,
        title=title,
        issuing_body=issuing_body,
        in_force=in_force,
        source=source,
        categories=categories,
        requirements=requirements,
        declarations=declarations,
    )


def load_edition_file(path, **meta) -> Edition:
    """An :class:`Edition` from a YAML manifest (with its requirements CSV), or
    from a bare requirements CSV with the metadata given as keyword arguments
    (``code``, ``title``, ``issuing_body``, ``in_force``, ``source``, optional
    ``categories`` and ``declarations`` shaped as in the manifest)."""
    path = Path(path)
    errors = ErrorCollector()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError({"file": [_unreadable(path.name, e)]})

    if path.suffix.lower() == ".csv":
        return _edition(errors, meta, text, meta.get("categories"), meta.get("declarations"))

    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        message = gettext_noop("%(file)s is not valid YAML: %(error)s")
        raise InputError({"file": [Message("invalid_yaml", message, file=path.name, error=str(e))]})
    if not isinstance(data, dict):
        message = gettext_noop("%(file)s must be a mapping of edition fields")
        raise InputError({"file": [Message("not_an_object", message, file=path.name)]})
    known = {
        "code",
        "title",
        "issuing_body",
        "in_force",
        "source",
        "requirements_csv",
        "categories",
        "declarations",
        "notes",
    }
    for k in data:
        if k not in known:
            errors.add(str(k), Message("unknown_field", gettext_noop("unknown field")))
    csv_text = None
    csv_name = data.get("requirements_csv")
    if not csv_name:
        errors.add("requirements_csv", _required())
    else:
        csv_path = path.parent / str(csv_name)
        try:
            csv_text = csv_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            errors.add("requirements_csv", _unreadable(str(csv_name), e))
    return _edition(errors, data, csv_text, data.get("categories") or {}, data.get("declarations"))
