"""The regulator's market view: many samples judged at once (pandas, no
per-sample judgement loop), filterable tables, exports and statistics in
the spirit of the handbook's ch. 15 table 3.

Only samples whose results are verified (status verified or certified) are
part of the market view. Every table states the edition and decision rule
it was judged with.
"""
import io

import numpy as np
import pandas as pd


from lims.lifecycle import RESULTS_RELEASED

from .compliance import _FrameInput, judge_frame
from .models import Assay, Category
from .parameters import DERIVED, PARAMETERS
from .policy import current_policy
from .selectors import edition_or_error, edition_rules
from .services import edition_mark_used

MARKET_STATUSES = RESULTS_RELEASED
META_COLUMNS = ["id", "code", "manufacturer_id", "manufacturer", "product_id", "product", "category",
                "bagasse_based", "chemical_fertilizer_added", "status", "lot_number", "sampled_on", "received_on"]


def market_samples(user_samples_qs, filters):
    qs = user_samples_qs.filter(status__in=MARKET_STATUSES)
    if filters.get("manufacturer"):
        qs = qs.filter(product__manufacturer_id=filters["manufacturer"])
    if filters.get("category"):
        qs = qs.filter(product__category=filters["category"])
    if filters.get("product"):
        qs = qs.filter(product_id=filters["product"])
    if filters.get("received_after"):
        qs = qs.filter(received_on__gte=filters["received_after"])
    if filters.get("received_before"):
        qs = qs.filter(received_on__lte=filters["received_before"])
    if filters.get("ids"):
        qs = qs.filter(pk__in=filters["ids"])
    return qs.select_related("product__manufacturer")


def sample_frame(samples):
    """One row per sample: metadata plus, per parameter p, columns p, p__unit,
    p__basis, p__qualifier, p__u from the current (latest non-invalidated) assays,
    and the derived C/N, organic matter (when not measured) and RS/TC."""
    samples = list(samples)
    meta = pd.DataFrame([{
        "id": s.pk, "code": s.code, "manufacturer_id": s.product.manufacturer_id,
        "manufacturer": s.product.manufacturer.name, "product_id": s.product_id, "product": s.product.name,
        "category": s.product.category, "bagasse_based": s.product.bagasse_based,
        "chemical_fertilizer_added": s.product.chemical_fertilizer_added, "status": s.status,
        "lot_number": s.lot_number, "sampled_on": s.sampled_on, "received_on": s.received_on,
    } for s in samples], columns=META_COLUMNS)
    values, measured_om = {}, set()
    rows = (Assay.objects.filter(sample_id__in=[s.pk for s in samples]).exclude(status="invalidated")
            .order_by("entered_at", "id").values_list("sample_id", "method", "results").iterator(chunk_size=2000))
    for sample_id, method, results in rows:  # data loading: later assays overwrite earlier ones
        slot = values.setdefault(sample_id, {})
        for key, m in results.items():
            slot[key] = (m["value"], m.get("unit", ""), m.get("basis", ""), m.get("qualifier", ""),
                         m.get("uncertainty"))
            if key == "organic_matter_pct":
                (measured_om.add if method == "direct" else measured_om.discard)(sample_id)
    records = []
    for sid in meta["id"]:
        rec = {}
        for key, (v, unit, basis, q, u) in values.get(sid, {}).items():
            rec[key], rec[f"{key}__unit"], rec[f"{key}__basis"] = v, unit, basis
            rec[f"{key}__qualifier"], rec[f"{key}__u"] = q, np.nan if u is None else u
        records.append(rec)
    frame = pd.concat([meta, pd.DataFrame(records, index=meta.index)], axis=1).set_index("id", drop=False)
    return _derive(frame, measured_om)


def _derive(frame, measured_om):
    """C/N, OM and RS/TC from dry-basis current values, vectorised (DOMAIN §4.2, §4.4, §4.6)."""
    if frame.empty:
        return frame
    data = _FrameInput(frame)
    dry = {k: data.prepared(k, "%", "dry") for k in ("organic_carbon_pct", "total_nitrogen_pct",
                                                      "total_carbon_pct", "reducing_sugar_pct")
           if k in frame}
    policy = current_policy()
    with np.errstate(divide="ignore", invalid="ignore"):
        if "organic_carbon_pct" in dry and "total_nitrogen_pct" in dry:
            oc, n = dry["organic_carbon_pct"][0], dry["total_nitrogen_pct"][0]
            frame["cn_ratio"] = np.where(n > 0, oc / n, np.nan)
        if "organic_carbon_pct" in dry:
            om = dry["organic_carbon_pct"][0] * policy.organic_matter_factor
            keep = frame["id"].isin(measured_om).to_numpy()
            if "organic_matter_pct" in frame:
                frame["organic_matter_pct"] = np.where(keep, frame["organic_matter_pct"], om)
            else:
                frame["organic_matter_pct"] = om
            frame["organic_matter_pct__basis"] = np.where(keep, frame.get("organic_matter_pct__basis", "dry"), "dry")
            frame["organic_matter_pct__unit"] = np.where(keep, frame.get("organic_matter_pct__unit", "%"), "%")
            frame["organic_matter_pct__qualifier"] = np.where(keep, frame.get("organic_matter_pct__qualifier", ""), "")
            frame["organic_matter_pct__u"] = np.where(keep, frame.get("organic_matter_pct__u", np.nan), np.nan)
        if "reducing_sugar_pct" in dry:
            rs = dry["reducing_sugar_pct"][0]
            carbon = dry.get("total_carbon_pct", (np.full(len(frame), np.nan),))[0]
            if "organic_carbon_pct" in dry:
                carbon = np.where(np.isnan(carbon), dry["organic_carbon_pct"][0], carbon)
            frame["rs_tc_ratio_pct"] = np.where(carbon > 0, rs / carbon * 100, np.nan)
    for key in ("cn_ratio", "rs_tc_ratio_pct"):
        if key in frame:
            frame[f"{key}__unit"] = "%" if key.endswith("_pct") else ""
            frame[f"{key}__basis"] = ""
            frame[f"{key}__qualifier"] = ""
            frame[f"{key}__u"] = np.nan
    return frame


def judge_market(frame, standard, decision_rule):
    """-> (edition, frame with 'verdict', 'failing', 'checks' columns). One judge_frame call per category."""
    edition = edition_or_error(standard)
    frame = frame.copy()
    frame["verdict"] = "not_judged"
    frame["failing"] = [[] for _ in range(len(frame))]
    frame["checks"] = [{} for _ in range(len(frame))]
    known = set(Category.objects.filter(edition=edition).values_list("key", flat=True))
    for category, group in frame.groupby("category"):
        if category not in known:
            continue
        reqs, decls = edition_rules(edition, category)
        judged = judge_frame(reqs, decls, group, decision_rule)
        check_cols = [c for c in judged.columns if c != "verdict"]
        frame.loc[group.index, "verdict"] = judged["verdict"]
        statuses = judged[check_cols]
        frame.loc[group.index, "failing"] = pd.Series(
            [sorted({c.split(":")[0] for c in check_cols if row[c] == "fail"}) for row in statuses.to_dict("records")],
            index=group.index)
        frame.loc[group.index, "checks"] = pd.Series(
            [{c: s for c, s in row.items() if s != "not_applicable"} for row in statuses.to_dict("records")],
            index=group.index)
    edition_mark_used(edition, "regulator's market view")
    return edition, frame


def filter_judged(frame, verdict=None, failing=None):
    if verdict:
        frame = frame[frame["verdict"] == verdict]
    if failing:
        frame = frame[frame["failing"].map(lambda f: failing in f)]
    return frame


def table_rows(frame):
    cols = ["id", "code", "manufacturer_id", "manufacturer", "product_id", "product", "category", "status",
            "lot_number", "sampled_on", "received_on", "verdict", "failing", "checks"]
    out = frame[cols].to_dict("records")
    for r in out:
        for k in ("sampled_on", "received_on"):
            r[k] = r[k].isoformat() if r[k] is not None and not pd.isna(r[k]) else None
    return out


def export_table(frame, standard, decision_rule):
    """One row per sample with verdict, failing parameters and the figures judged (codes, full precision)."""
    params = [p for p in list(PARAMETERS) + list(DERIVED) if p in frame.columns]
    out = frame[["code", "manufacturer", "product", "category", "status", "received_on", "verdict"]].copy()
    out.insert(0, "standard", standard)
    out.insert(1, "decision_rule", decision_rule)
    out["failing"] = frame["failing"].map(lambda f: " ".join(f))
    for p in params:
        out[p] = frame[p]
        if f"{p}__qualifier" in frame:
            out[f"{p}_qualifier"] = frame[f"{p}__qualifier"].fillna("")
        if f"{p}__basis" in frame:
            out[f"{p}_basis"] = frame[f"{p}__basis"].fillna("")
    return out


def table_bytes(out, fmt, about):
    """CSV (UTF-8 with BOM, for spreadsheets) or XLSX bytes of ``out``; XLSX gets an 'about' sheet."""
    buf = io.BytesIO()
    if fmt == "xlsx":
        with pd.ExcelWriter(buf, engine="openpyxl") as xl:
            out.to_excel(xl, index=False, sheet_name="samples")
            pd.DataFrame([about]).to_excel(xl, index=False, sheet_name="about")
    else:
        buf.write(out.to_csv(index=False).encode("utf-8-sig"))
    return buf.getvalue()


def export(frame, fmt, standard, decision_rule):
    """CSV or XLSX bytes: one row per sample with verdict, failing parameters and the figures judged."""
    out = export_table(frame, standard, decision_rule)
    return table_bytes(out, fmt, {"standard": standard, "decision_rule": decision_rule, "samples": len(out)})


EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export_response(frame, fmt, standard, decision_rule):
    """The export as a download, named after the edition and decision rule it was judged with."""
    from django.http import HttpResponse
    response = HttpResponse(export(frame, fmt, standard, decision_rule), content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="samples-{standard}-{decision_rule}.{fmt}"'
    return response


def values_in(frame, parameter, unit, basis):
    """Each row's value of ``parameter`` in ``unit`` on ``basis`` (NaN where it cannot be
    converted), with below-detection flags: -> (values, below_detection) arrays."""
    v, _u, lt, missing = _FrameInput(frame).prepared(parameter, unit, basis)
    v = np.where(missing, np.nan, v)
    return v, lt


def statistics(frame, edition, link):
    """Per category and parameter: count, mean, min, max (in the requirement's unit and
    basis) and, per limit, the share of samples beyond it, each with a link to the
    samples behind the figure. ``link(**filters)`` builds that URL."""
    out = []
    for category, group in frame.groupby("category"):
        try:
            reqs, _ = edition_rules(edition, category)
        except Exception:
            continue
        data = _FrameInput(group)
        by_param = {}
        for r in reqs:
            by_param.setdefault(r.parameter, []).append(r)
        for parameter, rs in by_param.items():
            unit, basis = rs[0].unit, rs[0].basis
            v, _u, lt, missing = data.prepared(parameter, unit, basis)
            ok = ~missing & ~np.isnan(v)
            values, below, ids = v[ok], lt[ok], group["id"].to_numpy()[ok]
            bagasse = group["bagasse_based"].to_numpy(bool)[ok]
            entry = {"category": category, "parameter": parameter, "unit": unit, "basis": basis,
                     "count": int(ok.sum()), "below_detection": int(below.sum()),
                     "mean": float(values.mean()) if len(values) else None,
                     "min": float(values.min()) if len(values) else None,
                     "max": float(values.max()) if len(values) else None,
                     "samples_url": link(category=category, has=parameter), "limits": []}
            for r in rs:
                applies = {"": np.ones(len(values), bool), "bagasse": bagasse, "not_bagasse": ~bagasse}[r.condition]
                beyond = {"min": values < r.limit, "max": values > r.limit,
                          "max_exclusive": values >= r.limit}[r.kind]
                if r.kind != "min":
                    beyond &= ~below  # '<X' above a maximum is not known to exceed it
                beyond &= applies
                n, base = int(beyond.sum()), int(applies.sum())
                entry["limits"].append({
                    "kind": r.kind, "limit": r.limit, "condition": r.condition, "samples": base, "beyond": n,
                    "share_pct": round(100.0 * n / base, 2) if base else None,
                    "sample_ids": [int(i) for i in ids[beyond]],
                    "samples_url": link(ids=",".join(str(int(i)) for i in ids[beyond])) if n else None})
            out.append(entry)
    return out
