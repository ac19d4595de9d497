from django.db import migrations


def load(apps, schema_editor):
    from composting import seed

    seed.load(
        *(apps.get_model("composting", name) for name in ("Criterion", "Material", "SoilThreshold", "SoilBackground"))
    )


class Migration(migrations.Migration):
    dependencies = [("composting", "0001_composting_batches")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
