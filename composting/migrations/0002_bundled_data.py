from django.db import migrations


def load(apps, schema_editor):
    from composting import seed
    Criterion = apps.get_model("composting", "Criterion")
    for i, c in enumerate(seed.CRITERIA):
        Criterion.objects.update_or_create(key=c["key"], defaults={**{k: c[k] for k in ("name", "kind", "params",
                                                                                        "source")}, "position": i})
    Material = apps.get_model("composting", "Material")
    for name, c, n, w in seed.MATERIALS:
        Material.objects.update_or_create(name=name, defaults={"carbon_pct": c, "nitrogen_pct": n, "moisture_pct": w})
    SoilThreshold = apps.get_model("composting", "SoilThreshold")
    for level, metals in seed.SOIL_THRESHOLDS.items():
        for metal, (general, farmland) in metals.items():
            SoilThreshold.objects.update_or_create(level=level, metal=metal, defaults={
                "general_mg_kg": general, "farmland_mg_kg": farmland})
    SoilBackground = apps.get_model("composting", "SoilBackground")
    for group, (name, values) in seed.SOIL_BACKGROUNDS.items():
        for metal, v in zip(seed.METALS, values):
            SoilBackground.objects.update_or_create(group=group, metal=metal, defaults={"name": name, "mg_kg": v})


class Migration(migrations.Migration):
    dependencies = [("composting", "0001_composting_batches")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
