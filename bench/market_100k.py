"""The regulator's market view at national scale, on PostgreSQL.

Usage (from the repository root; an empty or previously seeded PostgreSQL database of your own):
    createdb -h 127.0.0.1 -U postgres lims_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lims_bench nice .venv/bin/python bench/market_100k.py \
        [--samples 100000] [--repeat 20]

Steps, each timed and printed:
1. seed (once; skipped when the database already holds the samples): 200 manufacturers, 2 000
   products in every category, N verified samples each with one verified instrument assay of
   10 results (bulk_create, no per-sample services);
2. re-judge the archive under a new edition (a copy of tw-1997 loaded as ``tw-bench``, made the
   lab default) with the same chunked job the Celery task runs;
3. p50/p95 (wall), median CPU time of this process and query count of the regulator list
   (plain, ``failing=cu``, ``verdict=fail&page=50``),
   the statistics and the sample list, through the API views in process (no network).
"""

import argparse
import os
import random
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

CATEGORIES = ["general_compost", "layer_manure_compost", "misc_organic", "refuse_compost", "bark_compost"]


def _values(rng):
    """Ten results around the tw-1997 limits (about a fifth of the samples fail something)."""

    def m(value, unit="%", basis="dry", u=None, q=""):
        return {"value": value, "unit": unit, "basis": basis, "qualifier": q, "uncertainty": u}

    cu = rng.lognormvariate(3.6, 0.5)
    return {
        "moisture_pct": m(round(rng.uniform(15, 40), 2), basis="as_received"),
        "organic_matter_pct": m(round(rng.uniform(50, 85), 2)),
        "total_nitrogen_pct": m(round(rng.uniform(0.5, 3), 3)),
        "p2o5_pct": m(round(rng.uniform(0.2, 4), 3)),
        "k2o_pct": m(round(rng.uniform(0.2, 4), 3)),
        "cu": m(round(cu, 2), "mg/kg", rng.choice(["dry", "as_received"]), round(cu * 0.1, 2)),
        "zn": m(round(rng.lognormvariate(5.5, 0.5), 1), "mg/kg"),
        "pb": m(round(rng.uniform(1, 80), 2), "mg/kg"),
        "cd": m(0.5, "mg/kg", q="<") if rng.random() < 0.5 else m(round(rng.uniform(0.5, 4), 3), "mg/kg"),
        "ni": m(round(rng.uniform(5, 40), 2), "mg/kg"),
    }


def seed(n):
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from lims.models import Manufacturer, Product, Sample, User
    from maturity.models import Assay

    if Sample.objects.filter(code__startswith="B-").count() >= n:
        print(f"seed: {n} samples already there")
        return
    rng = random.Random(9)
    t0 = time.perf_counter()
    tech = User.objects.get(username="bench-tech")
    rev = User.objects.get(username="bench-rev")
    with transaction.atomic():
        makers = Manufacturer.objects.bulk_create(Manufacturer(name=f"Bench maker {i:03d}") for i in range(200))
        products = Product.objects.bulk_create(
            Product(
                manufacturer=makers[i % 200],
                name=f"Bench product {i:04d}",
                category=CATEGORIES[i % 5],
                bagasse_based=i % 7 == 0,
                chemical_fertilizer_added=i % 50 == 0,
            )
            for i in range(2000)
        )
    print(f"seed: 200 manufacturers, 2000 products in {time.perf_counter() - t0:.1f} s")
    now = timezone.now()
    day0 = datetime.date(2020, 1, 1)
    step = 10_000
    for start in range(0, n, step):
        with transaction.atomic():
            samples = Sample.objects.bulk_create(
                Sample(
                    code=f"B-{i:07d}",
                    product=products[rng.randrange(2000)],
                    lot_number=f"L{i}",
                    sampled_on=day0 + datetime.timedelta(days=i % 2000),
                    received_on=day0 + datetime.timedelta(days=i % 2000 + 2),
                    status="certified" if i % 3 == 0 else "verified",
                    created_by=tech,
                )
                for i in range(start, min(n, start + step))
            )
            Assay.objects.bulk_create(
                (
                    Assay(
                        sample=s,
                        method="direct",
                        data={"values": {}},
                        results=_values(rng),
                        status="verified",
                        entered_by=tech,
                        verified_by=rev,
                        verified_at=now,
                        source="bench",
                    )
                    for s in samples
                ),
                batch_size=5000,
            )
    print(f"seed: {n} verified samples × 10 results in {time.perf_counter() - t0:.1f} s")


def new_edition():
    """tw-bench: a copy of tw-1997 under its own code (a 'new edition'), made the lab default."""
    from django.db import connection

    from lims.models import LabSettings
    from maturity.models import Category, Declaration, Requirement, StandardEdition

    old = StandardEdition.objects.get(code="tw-1997")
    previous = StandardEdition.objects.filter(code="tw-bench").first()
    if previous is not None:  # a previous run of this benchmark: drop its judgements in bulk
        with connection.cursor() as c:
            for table in ("maturity_judgementcheck", "maturity_judgement", "maturity_judgementrun"):
                c.execute(f"DELETE FROM {table} WHERE edition_id = %s", [previous.pk])
        previous.delete()
    new = StandardEdition.objects.create(
        code="tw-bench", title="bench copy of tw-1997", issuing_body="bench", in_force=old.in_force
    )
    for model in (Category, Requirement, Declaration):
        rows = list(model.objects.filter(edition=old))
        for r in rows:
            r.pk, r.edition = None, new
        model.objects.bulk_create(rows)
    LabSettings.objects.filter(pk=LabSettings.current().pk).update(
        default_standard="tw-bench", default_decision_rule="simple"
    )
    return new


def backend_cpu():
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine: /proc), or None."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def timed(client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    r = client.get(url)  # warm-up
    assert r.status_code == 200, (url, r.status_code, r.content[:300])
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        r = client.get(url)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return (
        statistics.median(times) * 1000,
        p95 * 1000,
        statistics.median(cpu) * 1000,
        len(ctx.captured_queries),
        len(r.content),
    )


def explain(client, url, out):
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT the request makes, written to ``out``; -> the slowest
    query's execution ms and the rows its plan read (sum of 'actual rows' × loops over its nodes)."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    worst = (0.0, 0, "")
    out.write(f"\n=== {url}\n")
    for q in ctx.captured_queries:
        sql = q["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as c:
            c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [r[0] for r in c.fetchall()]
        ms = float(re.search(r"Execution Time: ([0-9.]+)", plan[-1]).group(1))
        rows = sum(
            int(m.group(1)) * int(m.group(2))
            for m in re.finditer(r"actual time=\S+ rows=(\d+) loops=(\d+)", "\n".join(plan))
        )
        out.write(f"-- {ms:.1f} ms, {rows} rows read\n{sql[:600]}\n" + "\n".join(plan) + "\n")
        if ms > worst[0]:
            worst = (ms, rows, plan[0][:90])
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--skip-rejudge", action="store_true", help="keep the stored judgements of a previous run")
    ap.add_argument("--maturity", action="store_true", help="also time a maturity archive run (every rule set)")
    ap.add_argument("--only", help="time only the requests whose URL contains this text")
    ap.add_argument("--explain", help="write EXPLAIN ANALYZE of every query of every request to this file")
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    from lims.models import Manufacturer, User
    from maturity import judgements
    from maturity.models import Judgement, JudgementCheck, StandardEdition
    from maturity.services import load_bundled_standards

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    load_bundled_standards()
    for name, role in (("bench-tech", "technician"), ("bench-rev", "reviewer"), ("bench-reg", "regulator")):
        User.objects.get_or_create(username=name, defaults={"role": role})
    seed(args.samples)
    with connection.cursor() as c:  # what autovacuum does after a bulk load (here it may not have yet)
        for table in ("lims_manufacturer", "lims_product", "lims_sample", "maturity_assay"):
            c.execute(f"ANALYZE {table}")

    if not args.skip_rejudge or not StandardEdition.objects.filter(code="tw-bench").exists():
        edition = new_edition()
        run = judgements.run_start(edition=edition, decision_rule="simple", dispatch=False, reason="bench")
        t0, c0, pg0 = time.perf_counter(), time.process_time(), backend_cpu()
        run = judgements.run_execute(run.pk)
        took, cpu, pg1 = time.perf_counter() - t0, time.process_time() - c0, backend_cpu()
        checks = JudgementCheck.objects.filter(edition=edition, decision_rule="simple").count()
        print(
            f"re-judge: {run.done} samples, {checks} checks under {edition.code}/simple in {took:.1f} s "
            f"({run.done / took:,.0f} samples/s; {cpu:.1f} s CPU in this process"
            + (f", {pg1 - pg0:.1f} s CPU in its PostgreSQL backend" if pg0 is not None and pg1 is not None else "")
            + f"; load average {os.getloadavg()[0]:.1f})"
        )
        print(
            "  per phase, wall s / CPU s of this process: "
            + ", ".join(f"{k} {v:.1f}/{judgements.PHASES_CPU[k]:.1f}" for k, v in judgements.PHASES.items())
        )
        with connection.cursor() as c:  # what autovacuum does soon after a bulk write
            c.execute("VACUUM ANALYZE maturity_judgement")
            c.execute("VACUUM ANALYZE maturity_judgementcheck")
    if args.maturity:
        from maturity.models import MaturityJudgement

        MaturityJudgement.objects.all().delete()
        run = judgements.maturity_run_start(dispatch=False, reason="bench")
        t0, c0 = time.perf_counter(), time.process_time()
        run = judgements.run_execute(run.pk)
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"maturity: {run.done} samples × 3 rule sets in {took:.1f} s ({cpu:.1f} s CPU; load average "
            f"{os.getloadavg()[0]:.1f})"
        )
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE maturity_maturityjudgement")
    verdicts = dict(
        Judgement.objects.filter(edition__code="tw-bench", decision_rule="simple")
        .values_list("verdict")
        .annotate(n=django.db.models.Count("id"))
    )
    print(f"verdicts: {verdicts}")

    client = APIClient()
    client.force_authenticate(User.objects.get(username="bench-reg"))
    print(
        f"{'request':58} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>7} {'queries':>8} {'bytes':>9}   load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    maker = Manufacturer.objects.filter(name__startswith="Bench maker").order_by("pk").first().pk
    for url in [
        "/api/v1/regulator/samples/",
        "/api/v1/regulator/samples/?failing=cu",
        "/api/v1/regulator/samples/?verdict=fail&page=50",
        "/api/v1/regulator/samples/?page=1000",
        f"/api/v1/regulator/samples/?manufacturer={maker}&failing=zn",
        "/api/v1/regulator/samples/?category=refuse_compost&received_after=2024-01-01",
        "/api/v1/regulator/statistics/",
        "/api/v1/samples/",
        "/api/v1/samples/?page=500",
        "/api/v1/regulator/samples/?maturity=mature&rule_set=tari_1999",
    ]:
        if args.only and args.only not in url:
            continue
        if args.explain:
            with open(args.explain, "a") as out:
                ms, rows, top = explain(client, url, out)
            print(f"{url:58} slowest query {ms:7.1f} ms, {rows:8d} rows read: {top}")
            continue
        p50, p95, cpu, q, size = timed(client, url, args.repeat)
        print(f"{url:58} {p50:8.1f} {p95:8.1f} {cpu:7.1f} {q:8d} {size:9d}")


if __name__ == "__main__":
    main()
