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

from kombu import Producer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


_published = [0]


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

    from certificates.models import BatchItem
    from lims.models import LabSettings, Sample, User

    lab = LabSettings.current()
    if lab.missing_for_issue():  # a fresh bench database: the facts a report needs
        LabSettings.objects.filter(pk=lab.pk).update(address="1 Bench Road", telephone="+886 2 0000 0000")
    reviewer, _ = User.objects.get_or_create(username="bench-rev", defaults={"role": "reviewer"})

    ids = list(
        Sample.objects.filter(status="verified", certificates__isnull=True)
        .exclude(pk__in=BatchItem.objects.filter(open=True).values("sample_id"))  # reserved by an earlier run
        .order_by("pk")
        .values_list("pk", flat=True)[: args.n]
    )
    if len(ids) < args.n:
        sys.exit(f"only {len(ids)} verified samples without a certificate: run bench/market_100k.py first")
    # a warm process, as a server's: one batch of one sample first (URL configuration, serializers and the
    # broker client are loaded on a process's first request)
    warm = ids.pop()
    ids.append(
        Sample.objects.filter(status="verified", certificates__isnull=True, pk__gt=max(ids + [warm]))
        .exclude(pk__in=BatchItem.objects.filter(open=True).values("sample_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    client0 = APIClient()
    client0.force_authenticate(reviewer)
    r0 = client0.post(
        "/api/v1/certificates/batch/", {"samples": [warm], "issue_anyway_reason": "bench warm-up"}, format="json"
    )
    assert r0.status_code in (201, 202), r0.content[:500]
    # the bench's samples have ten results, not every required one: issued with a reason, as the lab would
    body = {"samples": ids, "issue_anyway_reason": "bench: ten results measured"}
    client = APIClient()
    client.force_authenticate(reviewer)

    publish = Producer.publish

    def counted(self, *a, **kw):  # every message this request sends to the broker
        _published[0] += 1
        return publish(self, *a, **kw)

    Producer.publish = counted
    with CaptureQueriesContext(connection) as ctx:
        t0, c0 = time.perf_counter(), time.process_time()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            prof = cProfile.Profile()
            r = prof.runcall(client.post, "/api/v1/certificates/batch/", body, format="json")
            pstats.Stats(prof).sort_stats("cumtime").print_stats(
                "certificates|maturity|lims/(bulk|numbering)|json|dispatch|apply_async", 25
            )
        else:
            r = client.post("/api/v1/certificates/batch/", body, format="json")
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
    Producer.publish = publish
    assert r.status_code in (201, 202), r.content[:500]
    print(
        f"database: {connection.vendor}; batch of {len(ids)} certificates requested in {took:.2f} s "
        f"({cpu:.2f} s CPU, {len(ctx.captured_queries)} queries), HTTP {r.status_code}; "
        f"messages sent to the broker: {_published[0]}; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
