"""Plausibility of a sample's results: what is physically impossible (ISO/IEC 17025 §7.7). Pure, no Django.

``issues(dry_values, flags)`` lists everything that must stop verification until a
reviewer records an override with a reason: a calculation flag of an assay, a
content outside 0–100 % of the dry matter, organic carbon above total carbon, or
dry-matter fractions that add up to more than the whole. Each issue has a stable
``code`` (what an override covers), the ``parameter`` and a ``message`` naming the rule.
"""

from lims.messages import Joined, Message, Named, gettext_noop

from .parameters import PARAMETERS

# Flags that are remarks about how a figure was obtained, not doubts about it (printed, not gating).
NOTE_FLAGS = frozenset({"organic_carbon_stands_in_for_total_carbon"})

# Disjoint fractions of the dry matter: their sum cannot exceed 100 %.
DRY_FRACTIONS = ("organic_matter_pct", "p2o5_pct", "k2o_pct", "cao_pct", "mgo_pct", "impurities_pct")


def _named(key):
    return Named(key, PARAMETERS[key].name_zh)


def _n(x):
    return f"{x:.4g}"


def issues(dry_values: dict, flags: list[tuple[str, str]] = (), flag_messages: dict | None = None) -> list[dict]:
    """``dry_values``: parameter -> value on the dry basis (derived figures included);
    ``flags``: (assay label, flag code) of the sample's current assays."""
    out = []
    for label, flag in flags:
        out.append(
            {
                "code": f"flag:{flag}",
                "parameter": "",
                "kind": "flag",
                "message": Message(
                    "flag",
                    gettext_noop("%(assay)s: %(flag)s"),
                    assay=label,
                    flag=Message(flag, (flag_messages or {})[flag]) if flag in (flag_messages or {}) else flag,
                ),
            }
        )
    for key, value in dry_values.items():
        p = PARAMETERS.get(key)
        if value is None or p is None:
            continue
        if value < 0:
            out.append(
                {
                    "code": f"negative:{key}",
                    "parameter": key,
                    "kind": "range",
                    "message": Message(
                        "negative_content",
                        gettext_noop("%(parameter)s = %(value)s %(unit)s: a content cannot be below zero"),
                        parameter=_named(key),
                        value=_n(value),
                        unit=p.unit,
                    ),
                }
            )
        if p.unit == "%" and p.basis == "dry" and value > 100:
            out.append(
                {
                    "code": f"over_100:{key}",
                    "parameter": key,
                    "kind": "range",
                    "message": Message(
                        "content_over_100",
                        gettext_noop("%(parameter)s = %(value)s %% of the dry matter: a content cannot exceed 100 %%"),
                        parameter=_named(key),
                        value=_n(value),
                    ),
                }
            )
    oc, tc = dry_values.get("organic_carbon_pct"), dry_values.get("total_carbon_pct")
    if oc is not None and tc is not None and oc > tc:
        out.append(
            {
                "code": "oc_over_tc",
                "parameter": "organic_carbon_pct",
                "kind": "range",
                "message": Message(
                    "oc_over_tc",
                    gettext_noop(
                        "organic carbon %(oc)s %% exceeds total carbon %(tc)s %%: "
                        "organic carbon is part of total carbon"
                    ),
                    oc=_n(oc),
                    tc=_n(tc),
                ),
            }
        )
    parts = {k: dry_values[k] for k in DRY_FRACTIONS if dry_values.get(k) is not None}
    if len(parts) > 1 and sum(parts.values()) > 100:
        out.append(
            {
                "code": "fractions_over_100",
                "parameter": "",
                "kind": "range",
                "message": Message(
                    "fractions_over_100",
                    gettext_noop(
                        "%(parts)s = %(total)s %% of the dry matter: the fractions cannot add up to more than 100 %%"
                    ),
                    parts=Joined([_named(k) for k in parts], " + "),
                    total=_n(sum(parts.values())),
                ),
            }
        )
    return out


def uncovered(found: list[dict], overridden_codes) -> list[dict]:
    """The issues no recorded override covers."""
    covered = set(overridden_codes)
    return [i for i in found if i["code"] not in covered]
