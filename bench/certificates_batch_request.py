"""How long one batch request for N certificates takes (numbering and frozen contexts, not rendering),
through the API view in process, on the database DATABASE_URL names.

Usage (from the repository root), after bench/market_100k.py has seeded the database:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lims_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/8 \\
        nice .venv/bin/python bench/certificates_batch_request.py [--n 500]

Takes N verified samples without a certificate and posts them as one batch; the render tasks go to the
broker (no worker needs to run; purge the queue afterwards).
"""

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from lims.models import Sample, User

    reviewer, _ = User.objects.get_or_create(username="bench-rev", defaults={"role": "reviewer"})
    ids = list(
        Sample.objects.filter(status="verified", certificates__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[: args.n]
    )
    if len(ids) < args.n:
        sys.exit(f"only {len(ids)} verified samples without a certificate: run bench/market_100k.py first")
    client = APIClient()
    client.force_authenticate(reviewer)
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            prof = cProfile.Profile()
            r = prof.runcall(client.post, "/api/v1/certificates/batch/", {"samples": ids}, format="json")
            pstats.Stats(prof).sort_stats("cumtime").print_stats(
                "certificates|maturity|lims/(bulk|numbering)|json|dispatch|apply_async", 25
            )
        else:
            r = client.post("/api/v1/certificates/batch/", {"samples": ids}, format="json")
        took = time.perf_counter() - t0
    assert r.status_code in (201, 202), r.content[:500]
    print(
        f"database: {connection.vendor}; batch of {len(ids)} certificates requested in {took:.2f} s "
        f"({len(ctx.captured_queries)} queries), HTTP {r.status_code}"
    )


if __name__ == "__main__":
    main()
