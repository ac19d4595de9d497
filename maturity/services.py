"""Services of the maturity app that write: loading standards editions."""

import hashlib
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from lims import audit
from lims.messages import Message, gettext_noop

from .compliance import DECISION_RULES
from .errors import InputError
from .models import Category, Declaration, JurisdictionLimit, MethodReference, Requirement, StandardEdition

STANDARDS_DIR = Path(__file__).resolve().parent / "standards"


def _edition_digest(path):
    """SHA-256 over the manifest and the requirements file it names."""
    import yaml

    h = hashlib.sha256(path.read_bytes())
    if path.suffix in (".yaml", ".yml"):
        csv_name = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("requirements_csv")
        if csv_name and (path.parent / csv_name).exists():
            h.update((path.parent / csv_name).read_bytes())
    return h.hexdigest()


def loaded_from(path):
    """The audit reason of a reference file loaded by the system (code ``reason_loaded_from``)."""
    return Message("reason_loaded_from", gettext_noop("loaded from %(file)s"), file=Path(path).name)


@transaction.atomic
def edition_load(path, *, actor=None, replace=False):
    """Load an edition from its YAML manifest (with its requirements CSV).

    Everything is validated before anything is written; an edition that a
    judgement has used is never replaced: a change must be a new edition."""
    from .standards_io import load_edition_file

    path = Path(path)
    edition = load_edition_file(path)
    digest = _edition_digest(path)
    existing = StandardEdition.objects.select_for_update().filter(code=edition.code).first()
    if existing:
        if existing.file_sha256 == digest:
            return existing, False  # same file loaded before: nothing to do
        if existing.used_in_judgement:
            raise InputError({"code": [edition_used_message(existing)]})
        if not replace:
            message = gettext_noop(
                "Edition '%(code)s' already exists: load the change as a new edition with its own code "
                "(or give --replace while no judgement has used it)."
            )
            raise InputError({"code": [Message("edition_exists", message, code=edition.code)]})
        audit.record(
            entity="standard_edition",
            obj=existing,
            action="delete",
            actor=actor,
            changes={"file_sha256": [existing.file_sha256, digest]},
            reason=Message(
                "reason_edition_replaced",
                gettext_noop("replaced by a new file of the same code, not yet used in a judgement"),
            ),
        )
        with audit.suppressed():  # its categories and declarations go with it
            existing.delete()
    with audit.acting(actor, reason=loaded_from(path)):
        obj = StandardEdition.objects.create(
            code=edition.code,
            title=edition.title,
            issuing_body=edition.issuing_body,
            in_force=edition.in_force,
            source=edition.source,
            loaded_by=actor,
            file_sha256=digest,
        )
    Category.objects.bulk_create(
        Category(edition=obj, key=k, name_zh=v.get("name_zh", k), name_en=v.get("name_en", k))
        for k, v in edition.categories.items()
    )
    Requirement.objects.bulk_create(
        Requirement(
            edition=obj,
            category=r.category,
            parameter=r.parameter,
            kind=r.kind,
            limit=r.limit,
            unit=r.unit,
            basis=r.basis,
            condition=r.condition,
            condition_text=r.condition_text,
            source=r.source,
        )
        for r in edition.requirements
    )
    Declaration.objects.bulk_create(
        Declaration(edition=obj, category=d.category, key=d.key, text_zh=d.text_zh, text_en=d.text_en)
        for d in edition.declarations
    )
    return obj, True


_EDITION_USED = {  # (since known, first use known) -> English template
    (True, True): gettext_noop(
        "Edition '%(code)s' is in use since %(since)s (first: %(first)s) and can never be replaced: compliance "
        "answers, regulator views and documents cite it. Load the correction as a new edition with its own "
        "code (e.g. '%(code)s-r1')."
    ),
    (True, False): gettext_noop(
        "Edition '%(code)s' is in use since %(since)s and can never be replaced: compliance "
        "answers, regulator views and documents cite it. Load the correction as a new edition with its own "
        "code (e.g. '%(code)s-r1')."
    ),
    (False, True): gettext_noop(
        "Edition '%(code)s' is in use (first: %(first)s) and can never be replaced: compliance "
        "answers, regulator views and documents cite it. Load the correction as a new edition with its own "
        "code (e.g. '%(code)s-r1')."
    ),
    (False, False): gettext_noop(
        "Edition '%(code)s' is in use and can never be replaced: compliance "
        "answers, regulator views and documents cite it. Load the correction as a new edition with its own "
        "code (e.g. '%(code)s-r1')."
    ),
}


def edition_used_message(edition):
    """Why ``edition`` cannot be replaced (a Message, code ``edition_in_use``). The first use is recorded as
    the system wrote it (``compliance of sample S-1``)."""
    since = timezone.localtime(edition.used_since).strftime("%Y-%m-%d %H:%M") if edition.used_since else ""
    template = _EDITION_USED[bool(since), bool(edition.first_use)]
    return Message("edition_in_use", template, code=edition.code, since=since, first=edition.first_use or "")


def edition_mark_used(edition, use):
    """Freeze an edition: the first judgement that cites it marks it used (one UPDATE, once)."""
    if edition.used_in_judgement:
        return edition
    now = timezone.now()
    if StandardEdition.objects.filter(pk=edition.pk, used_in_judgement=False).update(
        used_in_judgement=True, used_since=now, first_use=use[:200]
    ):
        edition.used_since, edition.first_use = now, use[:200]
    edition.used_in_judgement = True
    return edition


@transaction.atomic
def jurisdiction_limits_load(path, table="1999"):
    """Replace the other-jurisdiction heavy-metal table (reference data, not used in stored judgements)."""
    from .jurisdictions import load_limits_csv

    rows = load_limits_csv(Path(path).read_text(encoding="utf-8"))
    keys = sorted({k for row in rows for k in row})
    current = list(JurisdictionLimit.objects.filter(table=table).order_by("id").values(*keys))
    if current == [{k: row.get(k) for k in keys} for row in rows]:
        return len(rows)  # the same table again: nothing changes, nothing to audit
    with audit.suppressed():  # one entry for the whole table, not one per row
        JurisdictionLimit.objects.filter(table=table).delete()
        JurisdictionLimit.objects.bulk_create(JurisdictionLimit(table=table, **row) for row in rows)
    audit.record_bulk(
        entity="jurisdiction_limit",
        label=f"table {table}",
        action="replace",
        actor=audit.current_actor(),
        reason=loaded_from(path),
        changes={"rows": [len(current), len(rows)]},
    )
    return len(rows)


def _opt_int(s):
    return int(s) if (s or "").strip() else None


@transaction.atomic
def method_references_load(path):
    """Add the bundled method references and reporting digits the lab does not have yet
    (rows the lab admin edited are kept). Returns the number of rows added."""
    import csv

    added = 0
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            _, created = MethodReference.objects.get_or_create(
                method=row["method"],
                parameter=row["parameter"],
                defaults={
                    "code": row["code"],
                    "title_zh": row["title_zh"],
                    "title_en": row["title_en"],
                    "lod": float(row["lod"]) if row["lod"].strip() else None,
                    "decimals": _opt_int(row["decimals"]),
                    "significant_figures": _opt_int(row["significant_figures"]),
                    "accredited": row["accredited"].strip() != "0",
                    "external_provider": row["external_provider"],
                    "conditions": row["conditions"],
                },
            )
            added += created
    return added


def load_bundled_standards():
    """The editions shipped in maturity/standards/: tw-1997, the 1999 jurisdiction table and the
    default method references / reporting digits."""
    loaded = []
    for manifest in sorted(STANDARDS_DIR.glob("*.yaml")):
        obj, _ = edition_load(manifest)
        loaded.append(obj.code)
    n = jurisdiction_limits_load(STANDARDS_DIR / "heavy_metal_limits_1999.csv")
    method_references_load(STANDARDS_DIR / "method_references.csv")
    return loaded, n


def check_decision_rule(decision_rule):
    """Refuse a decision rule the lab cannot apply (code ``unknown_decision_rule``), as the compliance answer and
    the re-judging runs name it."""
    if decision_rule not in DECISION_RULES:
        message = gettext_noop("Unknown decision rule '%(value)s'; use simple or guarded.")
        raise InputError({"decision_rule": [Message("unknown_decision_rule", message, value=decision_rule)]})
