"""Demo composting batch for `load_demo`: a windrow with 20 days of logger readings from two probes, six turnings,
the ch. 6 mix as its recipe, and the demo's verified sample taken from it."""

import datetime

from django.utils import timezone

from . import mix, seed, services
from .models import Batch


def add(maker, manufacturer_user, sample):
    if Batch.objects.filter(manufacturer=maker).exists():
        return None
    start = timezone.localdate() - datetime.timedelta(days=40)
    batch = services.batch_create(
        actor=manufacturer_user, manufacturer=maker, name="條堆 A Windrow A", method="windrow", started_on=start
    )
    t0 = timezone.make_aware(datetime.datetime.combine(start, datetime.time(0, 0)))
    rows = []
    for i in range(24 * 20):
        day = i / 24
        core = 40 + min(day, 2) * 12 + (i % 72) / 12 - max(day - 16, 0) * 4  # heats up, holds, cools at the end
        rows += [
            (t0 + datetime.timedelta(hours=i), "core", round(core, 1)),
            (t0 + datetime.timedelta(hours=i), "edge", round(core - 3.5, 1)),
        ]
    services.readings_add(actor=manufacturer_user, batch=batch, rows=rows, source="demo")
    for d in (3, 6, 9, 12, 15, 18):
        services.turning_add(actor=manufacturer_user, batch=batch, at=t0 + datetime.timedelta(days=d, hours=9))
    library = {name: mix.Material(name, c, n, w) for name, c, n, w in seed.MATERIALS}
    design = mix.two_materials(library["雞糞 Chicken manure"], library["稻草 Rice straw"])
    services.recipe_save(actor=manufacturer_user, batch=batch, design=design)
    services.sample_link(actor=manufacturer_user, sample=sample, batch=batch)
    return batch
