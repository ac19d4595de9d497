"""Benchmark: judge 100 000 samples against tw-1997 general_compost.

    .venv/bin/python bench/compliance_100k.py [n_samples]

Prints the time of the vectorised ``judge_frame`` under both decision rules
(samples/s), and the per-sample time of the scalar ``judge`` (measured on a
subset) for comparison. Samples are random, built with numpy/pandas: values
around the limits, 10 % of results missing, 5 % below detection, 70 % with
an uncertainty, copper reported as received for half of them.
"""

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from maturity.compliance import DECISION_RULES, ProductFacts, judge, judge_frame  # noqa: E402
from maturity.measurements import Measurement  # noqa: E402
from maturity.standards_io import load_edition_file  # noqa: E402

CENTRES = {
    "moisture_pct": 33,
    "organic_matter_pct": 62,
    "total_nitrogen_pct": 0.8,
    "p2o5_pct": 0.5,
    "k2o_pct": 0.5,
    "cu": 90,
    "zn": 700,
}


def make_frame(n, seed=1):
    rng = np.random.default_rng(seed)
    cols = {}
    for p, c in CENTRES.items():
        v = rng.normal(c, 0.15 * c, n)
        v[rng.random(n) < 0.10] = np.nan
        cols[p] = v
        cols[f"{p}__u"] = np.where(rng.random(n) < 0.7, 0.08 * np.abs(v), np.nan)
        cols[f"{p}__qualifier"] = np.where(rng.random(n) < 0.05, "<", "")
    cols["moisture_pct__qualifier"] = np.full(n, "")
    cols["cu__basis"] = np.where(rng.random(n) < 0.5, "as_received", "dry")
    cols["bagasse_based"] = rng.random(n) < 0.2
    cols["chemical_fertilizer_added"] = rng.random(n) < 0.02
    return pd.DataFrame(cols, index=pd.RangeIndex(n, name="sample_id"))


def row_measurements(row):
    out = {}
    for p in CENTRES:
        v = row[p]
        if np.isnan(v):
            continue
        u = row[f"{p}__u"]
        out[p] = Measurement(
            value=float(v),
            basis=row.get(f"{p}__basis", ""),
            qualifier=row[f"{p}__qualifier"],
            uncertainty=None if np.isnan(u) else float(u),
        )
    return out, ProductFacts(bool(row["bagasse_based"]), bool(row["chemical_fertilizer_added"]))


def main(n=100_000):
    edition = load_edition_file(ROOT / "maturity" / "standards" / "tw-1997.yaml")
    reqs = edition.requirements_for("general_compost")
    decls = edition.declarations_for("general_compost")
    t = time.perf_counter()
    frame = make_frame(n)
    print(
        f"built {n:,} random samples in {time.perf_counter() - t:.2f} s "
        f"({len(reqs)} requirements + {len(decls)} declaration, general_compost, tw-1997)"
    )

    for rule in DECISION_RULES:
        judge_frame(reqs, decls, frame.head(1000), rule)  # warm-up
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            out = judge_frame(reqs, decls, frame, rule)
            best = min(best, time.perf_counter() - t)
        counts = out["verdict"].value_counts().to_dict()
        print(
            f"judge_frame {rule:>7}: {best:.3f} s for {n:,} samples = {n / best:,.0f} samples/s "
            f"({best / n * 1e6:.2f} µs/sample); verdicts {counts}"
        )

    m = min(n, 5000)
    rows = [row_measurements(r) for r in frame.head(m).to_dict("records")]
    for rule in DECISION_RULES:
        t = time.perf_counter()
        for meas, product in rows:
            judge(reqs, decls, meas, product, rule)
        per = (time.perf_counter() - t) / m
        print(
            f"judge (scalar) {rule:>7}: {per * 1e6:.1f} µs/sample = {1 / per:,.0f} samples/s "
            f"(measured on {m:,}; {n:,} would take ~{per * n:.1f} s)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
