"""Maturity verdicts for 100 000 samples in one vectorised call (DOMAIN §5).

Usage: .venv/bin/python bench/maturity_100k.py [N]
Prints the time of judge_maturity_frame under each rule set, and the
per-sample function on a subset for comparison.
"""

import os
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from maturity.rules import MaturityInput, judge_maturity, judge_maturity_frame  # noqa: E402


def frame(n, seed=7):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "relative_germination_pct": rng.uniform(40, 110, n),
            "relative_root_growth_pct": rng.uniform(40, 120, n),
            "germination_valid": rng.random(n) > 0.05,
            "cn_ratio": np.where(rng.random(n) < 0.05, np.nan, rng.uniform(8, 35, n)),
            "rs_tc_ratio_pct": rng.uniform(5, 60, n),
            "chromatogram_protocol": "tari_agno3",
            "chromatogram_score": rng.integers(0, 4, n).astype(float),
            "bark_compost": rng.random(n) < 0.1,
            # §12 stability results for ccqc_2001, some absent
            "co2_c_mg_per_g_om_day": np.where(rng.random(n) < 0.3, np.nan, rng.uniform(0, 8, n)),
            "solvita_co2": np.where(rng.random(n) < 0.5, np.nan, rng.integers(1, 9, n)),
            "dewar_rise_c": np.where(rng.random(n) < 0.6, np.nan, rng.uniform(0, 35, n)),
            "nh4_n_mg_kg": np.where(rng.random(n) < 0.3, np.nan, rng.uniform(10, 900, n)),
            "nh4_no3_ratio": np.where(rng.random(n) < 0.4, np.nan, rng.uniform(0, 6, n)),
            "solvita_nh3": np.where(rng.random(n) < 0.5, np.nan, rng.integers(1, 6, n)),
        }
    )
    df["germination_index_pct"] = df["relative_germination_pct"] * df["relative_root_growth_pct"] / 100
    return df


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    df = frame(n)
    for rule_set in ("tari_1999", "zucconi_gi", "ccqc_2001"):
        t0 = time.perf_counter()
        out = judge_maturity_frame(rule_set, df)
        dt = time.perf_counter() - t0
        print(
            f"judge_maturity_frame {rule_set:>10}: {dt:.3f} s for {n:,} samples = {n / dt:,.0f} samples/s; "
            f"verdicts {out['verdict'].value_counts().to_dict()}"
        )
    sub = df.head(5000).to_dict("records")
    t0 = time.perf_counter()
    for row in sub:
        judge_maturity("tari_1999", MaturityInput(**row))
    dt = time.perf_counter() - t0
    print(
        f"judge_maturity (per sample): {dt / len(sub) * 1e6:.1f} µs/sample "
        f"(100,000 would take ~{dt / len(sub) * n:.1f} s)"
    )


if __name__ == "__main__":
    main()
