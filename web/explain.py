"""Verdicts in plain words: which check failed and by how much, which maturity
indicator held the verdict back. Only words: the judgements themselves come
from maturity.selectors (sample_compliance, sample_maturity) unchanged."""

from django.utils.translation import gettext as _

from maturity.formatting import fmt
from maturity.parameters import METALS, PARAMETERS
from maturity.reporting import limit_text
from maturity.selectors import display

from . import labels


def display_name(key):
    """'銅 Cu' / 'Copper (Cu)', '全氮' / 'Total nitrogen'."""
    if key.startswith("declaration:"):
        return _("Declaration")
    name = labels.param_name(key)
    if key in METALS and labels.is_zh():
        return f"{name} {key.capitalize()}"
    return name


def _v(value, unit, qualifier=""):
    return labels.value_text(value, unit, qualifier)


def explain_check(check):
    """One compliance check -> {"name", "status", "text", "value", "limit"} in plain words."""
    key, kind, status = check["parameter"], check["kind"], check["status"]
    unit = check.get("unit") or ""
    name = display_name(key)
    out = {
        "key": check.get("key", key),
        "parameter": key,
        "name": name,
        "status": status,
        "status_label": labels.verdict_label(status),
        "kind": kind,
        "limit_text": "",
        "value_text": "",
        "basis": labels.label(labels.BASES, check.get("basis") or ""),
    }
    if kind == "declaration":
        text = labels.bilingual(check.get("text_zh", ""), check.get("text_en", ""))
        out["name"] = _("Declaration")
        out["limit_text"] = text
        if status == "fail":
            out["text"] = _("The product has chemical fertilizer added, but this category requires: %(text)s.") % {
                "text": text
            }
        elif status == "pass":
            out["text"] = _("Declared by the manufacturer: %(text)s.") % {"text": text}
        else:
            out["text"] = labels.text(check.get("reason", ""))
        return out
    limit, value, u, q = check.get("limit"), check.get("value"), check.get("uncertainty"), check.get("qualifier") or ""
    limit_s = f"{limit_text(limit)} {unit}".strip()  # as the regulation writes it
    out["limit_text"] = f"{labels.KINDS.get(kind, '')} {limit_s}"
    condition = {"bagasse": _("made from bagasse"), "not_bagasse": _("not made from bagasse")}.get(
        check.get("condition") or "", check.get("condition_text") or ""
    )
    if condition:
        out["limit_text"] += f" ({condition})"
    if value is None or status == "missing":
        out["value_text"] = "—"
        out["text"] = _("%(name)s could not be judged: %(reason)s.") % {
            "name": name,
            "reason": labels.text(check.get("reason", "")),
        }
        return out
    shown = display(key, check.get("method") or "", value, u, q, unit)
    value_s = f"{q}{shown['value']} {unit}".strip()
    value_s_u = shown["text"]
    out["value_text"] = value_s_u
    params = {"name": name, "value": value_s, "limit": limit_s}
    if status == "pass":
        if q == "<":
            out["text"] = (
                _("%(name)s is below the detection limit (%(value)s), within the maximum of %(limit)s.") % params
            )
        elif kind == "min":
            out["text"] = _("%(name)s %(value)s meets the minimum of %(limit)s.") % params
        else:
            out["text"] = _("%(name)s %(value)s is within the maximum of %(limit)s.") % params
    elif status == "fail":
        if q == "<" and kind == "min":
            out["text"] = (
                _("%(name)s is below the detection limit (%(value)s), under the minimum of %(limit)s.") % params
            )
        elif kind == "min":
            under = limit - value
            out["text"] = _("%(name)s %(value)s is below the minimum of %(limit)s (short by %(diff)s, %(pct)s %%).") % {
                **params,
                "diff": display(key, "", under, None, "", unit)["text"],
                "pct": fmt(under / limit * 100, 3) if limit else "—",
            }
        else:
            over = value - limit
            out["text"] = _("%(name)s %(value)s exceeds the maximum of %(limit)s (over by %(diff)s, %(pct)s %%).") % {
                **params,
                "diff": display(key, "", over, None, "", unit)["text"],
                "pct": fmt(over / limit * 100, 3) if limit else "—",
            }
    else:  # conditional
        if q == "<":
            out["text"] = (
                _(
                    "%(name)s is below the detection limit %(value)s, but that limit is above %(limit)s: "
                    "compliance cannot be decided."
                )
                % params
            )
        else:
            out["text"] = _(
                "%(name)s %(value)s is within the measurement uncertainty (± %(u)s) of the limit "
                "%(limit)s: compliance cannot be decided."
            ) % {**params, "u": _v(u, unit)}
    return out


def explain_compliance(compliance, category_names=None):
    checks = [explain_check(c) for c in compliance["checks"]]
    failed = [c for c in checks if c["status"] == "fail"]
    missing = [c for c in checks if c["status"] == "missing"]
    conditional = [c for c in checks if c["status"] == "conditional"]
    category = labels.category_name(compliance["category"], category_names)
    verdict = compliance["verdict"]
    params = {
        "category": category,
        "standard": compliance["standard"],
        "n": len(failed),
        "m": len(missing),
        "k": len(conditional),
    }
    if verdict == "pass":
        summary = _("Meets every requirement for %(category)s in %(standard)s.") % params
    elif verdict == "fail":
        summary = _("Does not meet %(category)s in %(standard)s: %(n)s requirement(s) failed.") % params
    elif verdict == "incomplete":
        summary = _("Not yet judged in full against %(category)s in %(standard)s: %(m)s result(s) missing.") % params
    else:
        summary = (
            _(
                "Compliance with %(category)s in %(standard)s cannot be decided for %(k)s result(s) "
                "because of measurement uncertainty."
            )
            % params
        )
    order = {"fail": 0, "conditional": 1, "missing": 2, "pass": 3}
    return {
        "verdict": verdict,
        "verdict_label": labels.verdict_label(verdict),
        "summary": summary,
        "standard": compliance["standard"],
        "standard_title": compliance.get("standard_title", ""),
        "category": category,
        "decision_rule": compliance["decision_rule"],
        "decision_rule_label": labels.label(labels.DECISION_RULES, compliance["decision_rule"]),
        "checks": checks,
        "problems": sorted([c for c in checks if c["status"] != "pass"], key=lambda c: order[c["status"]]),
    }


def explain_indicator(ind, policy):
    key, status, value = ind["indicator"], ind["status"], ind["value"]
    name = str(labels.INDICATORS.get(key, key))
    out = {
        "indicator": key,
        "name": name,
        "status": status,
        "status_label": labels.verdict_label(status),
        "value_text": "—",
        "text": "",
    }
    pct = "%"
    if key == "germination":
        rg, rrg = (value or {}).get("relative_germination_pct"), (value or {}).get("relative_root_growth_pct")
        if rg is not None and rrg is not None:
            rg_label, rrg_label = _("RG"), _("RRG")
            out["value_text"] = f"{rg_label} {fmt(rg)} {pct} · {rrg_label} {fmt(rrg)} {pct}"
        p = {
            "rg": fmt(rg) if rg is not None else "—",
            "rrg": fmt(rrg) if rrg is not None else "—",
            "need_g": fmt(policy.relative_germination_mature_pct),
            "need_r": fmt(policy.root_growth_not_inhibited_pct),
        }
        if status == "mature":
            out["text"] = (
                _(
                    "Relative germination %(rg)s %% and relative root growth %(rrg)s %% both reach the "
                    "%(need_g)s %% / %(need_r)s %% needed."
                )
                % p
            )
        elif status == "immature":
            out["text"] = (
                _(
                    "Relative germination %(rg)s %% or relative root growth %(rrg)s %% is below the "
                    "%(need_g)s %% / %(need_r)s %% needed: the extract inhibits the seeds."
                )
                % p
            )
        elif status == "invalid":
            out["text"] = _("The germination test is invalid: control germination was below %(v)s %%; repeat it.") % {
                "v": fmt(policy.control_validity_pct)
            }
        else:
            out["text"] = _("No germination test yet (required).")
    elif key == "cn_ratio":
        out["value_text"] = fmt(value) if value is not None else "—"
        p = {"v": out["value_text"], "limit": fmt(policy.cn_mature_below)}
        out["text"] = {
            "mature": _("C/N %(v)s is below %(limit)s.") % p,
            "immature": _("C/N %(v)s is not below %(limit)s: nitrogen may be immobilised.") % p,
            "skipped": _("Not applied to bark compost."),
        }.get(status, _("C/N needs organic carbon and total nitrogen results (required)."))
    elif key == "reducing_sugar":
        out["value_text"] = f"{fmt(value)} %" if value is not None else "—"
        p = {"v": out["value_text"], "limit": fmt(policy.rs_tc_mature_below_pct)}
        out["text"] = {
            "mature": _("Reducing sugar is %(v)s of total carbon, below %(limit)s %%.") % p,
            "immature": _("Reducing sugar is %(v)s of total carbon, not below %(limit)s %%: not yet stable.") % p,
        }.get(status, _("No reducing-sugar result (optional)."))
    elif key == "chromatogram":
        if isinstance(value, str):
            out["value_text"] = str(labels.ZONE_CODES.get(value, value))
        elif value is not None:
            out["value_text"] = f"{value} / 3"
        out["text"] = {
            "mature": _("The chromatogram shows the mature pattern."),
            "intermediate": _("The chromatogram shows %(v)s of the 3 mature features.") % {"v": value},
            "immature": _("The chromatogram shows the fresh (immature) pattern."),
        }.get(status, _("No chromatogram (optional)."))
    elif key == "germination_index":
        out["value_text"] = f"{fmt(value)} %" if value is not None else "—"
        p = {"v": out["value_text"], "hi": fmt(policy.gi_mature_pct), "lo": fmt(policy.gi_intermediate_pct)}
        out["text"] = {
            "mature": _("Germination index %(v)s reaches %(hi)s %%: no phytotoxicity.") % p,
            "intermediate": _("Germination index %(v)s is between %(lo)s %% and %(hi)s %%: moderate phytotoxicity.")
            % p,
            "immature": _("Germination index %(v)s is below %(lo)s %%: phytotoxic.") % p,
            "invalid": _("The germination test is invalid; repeat it."),
        }.get(status, _("No germination test yet (required)."))
    return out


def explain_maturity(maturity, policy):
    indicators = [explain_indicator(i, policy) for i in maturity["indicators"]]
    verdict = maturity["verdict"]
    summary = {
        "mature": _("Mature: every indicator reads mature."),
        "intermediate": _("Intermediate: at least one indicator is between fresh and mature."),
        "immature": _("Immature: at least one indicator reads immature."),
        "incomplete": _("Incomplete: a required indicator is missing or invalid."),
    }.get(verdict, "")
    return {
        "verdict": verdict,
        "verdict_label": labels.verdict_label(verdict),
        "summary": summary,
        "rule_set": maturity["rule_set"],
        "rule_set_label": labels.label(labels.RULE_SETS, maturity["rule_set"]),
        "indicators": indicators,
    }


def parameter_rows(figures):
    """The sample's current figures for a table: name, value, unit, basis, method, status."""
    from maturity.selectors import method_references

    rules = method_references()
    rows = []
    for key, m in figures.measurements.items():
        if key in figures.derived:
            continue
        a = figures.sources[key]
        shown = display(key, a.method, m.value, m.uncertainty, m.qualifier, m.unit, rules)
        rows.append(
            {
                "parameter": key,
                "name": display_name(key),
                "value": f"{m.qualifier}{shown['value']} {m.unit}".strip(),
                "uncertainty": f"{shown['uncertainty']} {m.unit}".strip() if shown["uncertainty"] else "",
                "basis": labels.label(labels.BASES, m.basis),
                "method": labels.method_label(a.method),
                "assay_status": a.status,
                "assay_status_label": labels.label(labels.ASSAY_STATUS, a.status),
            }
        )
    for key, value in figures.derived.items():
        unit = "%" if key.endswith("_pct") else ""
        shown = display(key, "derived", value, None, "", unit, rules)
        rows.append(
            {
                "parameter": key,
                "name": display_name(key),
                "value": f"{shown['value']} {unit}".strip(),
                "uncertainty": "",
                "basis": labels.label(labels.BASES, "dry" if key == "organic_matter_pct" else ""),
                "method": labels.method_label("derived"),
                "assay_status": "derived",
                "assay_status_label": labels.method_label("derived"),
            }
        )
    order = list(PARAMETERS)
    rows.sort(key=lambda r: order.index(r["parameter"]) if r["parameter"] in order else len(order))
    return rows
