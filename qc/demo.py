"""Demo QC data (run by load_demo, idempotent): a certified reference material with a control chart of
25 points (centre and s from the first 20; one Westgard violation, a 1_3s, among the last five) and one
open worksheet of the method 'direct' (the received demo samples + blank + duplicate + reference)."""

import datetime

from django.utils import timezone

from lims.models import Sample

from . import services
from .models import ChartPoint, ControlChart, ReferenceMaterial, Worksheet

TN = "total_nitrogen_pct"
# relative deviations (in units of about 0.02 % N) of the 25 runs: the 23rd is far above (+3.5 s)
_OFFSETS = [
    0.5,
    -0.8,
    1.1,
    -0.3,
    0.2,
    -1.2,
    0.9,
    -0.4,
    0.6,
    -0.7,
    1.3,
    -1.0,
    0.1,
    -0.2,
    0.8,
    -0.9,
    0.4,
    -0.6,
    1.0,
    -0.8,
    0.3,
    -0.5,
    None,
    0.7,
    -0.4,
]


def add(users):
    if ReferenceMaterial.objects.filter(code="CRM-COMPOST-N").exists():
        return
    admin, tech = users["labadmin"], users["technician"]
    rm = services.reference_material_save(
        actor=admin,
        code="CRM-COMPOST-N",
        name="堆肥參考物質 Compost reference material (total N)",
        kind="certified",
        parameter=TN,
        assigned_value=2.00,
        expanded_uncertainty=0.06,
        unit="%",
        lot="RM-2026-01",
        expires_on=timezone.localdate() + datetime.timedelta(days=540),
    )
    chart = ControlChart.objects.create(method="direct", parameter=TN, reference_material=rm)
    start = timezone.now() - datetime.timedelta(days=40)
    for i, offset in enumerate(_OFFSETS):
        value = 2.3 if offset is None else round(2.00 + 0.02 * offset, 3)  # the violation: far above 3 s
        ChartPoint.objects.create(chart=chart, value=value, at=start + datetime.timedelta(days=i, hours=9))
        if i == 19:
            services._reevaluate(chart)  # centre and s from the first 20 accepted points
    services._reevaluate(chart)
    services.qc_figures_update("direct", TN, actor=admin)
    waiting = list(Sample.objects.filter(status__in=services.OPEN_SAMPLE_STATES).order_by("code")[:2])
    if waiting and not Worksheet.objects.filter(status="open").exists():
        services.worksheet_create(
            actor=tech,
            method="direct",
            samples=waiting,
            qc_items=[
                {"kind": "blank"},
                {"kind": "duplicate", "of": waiting[0].pk},
                {"kind": "reference", "reference_material": rm.pk},
            ],
        )
