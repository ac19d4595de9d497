"""Samples as a table (pandas): the current results of many samples at once, with the derived
figures, for judging them in bulk (``maturity.judgements``) and for exports. The market view's
reads are in ``maturity.market``.
"""

import numpy as np
import pandas as pd
from django.db.models import F

from .compliance import _FrameInput
from .models import Assay
from .policy import current_policy

META_COLUMNS = [
    "id",
    "code",
    "manufacturer_id",
    "manufacturer",
    "product_id",
    "product",
    "category",
    "bagasse_based",
    "chemical_fertilizer_added",
    "status",
    "lot_number",
    "sampled_on",
    "received_on",
]


# META_COLUMNS read straight from the database (no model instances): Sample.objects.values(**META_FIELDS)
META_FIELDS = {
    "id_": F("pk"),
    "code_": F("code"),
    "manufacturer_id_": F("product__manufacturer_id"),
    "manufacturer_": F("product__manufacturer__name"),
    "product_id_": F("product_id"),
    "product_": F("product__name"),
    "category_": F("product__category"),
    "bagasse_based_": F("product__bagasse_based"),
    "chemical_fertilizer_added_": F("product__chemical_fertilizer_added"),
    "status_": F("status"),
    "lot_number_": F("lot_number"),
    "sampled_on_": F("sampled_on"),
    "received_on_": F("received_on"),
}


def sample_meta(queryset, limit=None):
    """-> list of META_COLUMNS dicts of the queryset's samples (the first ``limit``), in its order."""
    rows = queryset.values(**META_FIELDS)
    return [{k[:-1]: v for k, v in row.items()} for row in (rows[:limit] if limit else rows)]


def sample_frame(samples):
    """One row per sample: metadata plus, per parameter p, columns p, p__unit,
    p__basis, p__qualifier, p__u from the current (latest non-invalidated) assays,
    and the derived C/N, organic matter (when not measured) and RS/TC.

    ``samples``: Sample instances (with product and manufacturer) or ``sample_meta`` dicts."""
    samples = list(samples)
    if samples and isinstance(samples[0], dict):
        meta = pd.DataFrame(samples, columns=META_COLUMNS)
    else:
        meta = pd.DataFrame(
            [
                {
                    "id": s.pk,
                    "code": s.code,
                    "manufacturer_id": s.product.manufacturer_id,
                    "manufacturer": s.product.manufacturer.name,
                    "product_id": s.product_id,
                    "product": s.product.name,
                    "category": s.product.category,
                    "bagasse_based": s.product.bagasse_based,
                    "chemical_fertilizer_added": s.product.chemical_fertilizer_added,
                    "status": s.status,
                    "lot_number": s.lot_number,
                    "sampled_on": s.sampled_on,
                    "received_on": s.received_on,
                }
                for s in samples
            ],
            columns=META_COLUMNS,
        )
    values, measured_om = {}, set()
    rows = (
        Assay.objects.filter(sample_id__in=meta["id"].tolist())
        .exclude(status="invalidated")
        .order_by("entered_at", "id")
        .values_list("sample_id", "method", "results")
        .iterator(chunk_size=2000)
    )
    for sample_id, method, results in rows:  # data loading: later assays overwrite earlier ones
        slot = values.setdefault(sample_id, {})
        for key, m in results.items():
            slot[key] = (
                m["value"],
                m.get("unit", ""),
                m.get("basis", ""),
                m.get("qualifier", ""),
                m.get("uncertainty"),
            )
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
    dry = {
        k: data.prepared(k, "%", "dry")
        for k in ("organic_carbon_pct", "total_nitrogen_pct", "total_carbon_pct", "reducing_sugar_pct")
        if k in frame
    }
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
