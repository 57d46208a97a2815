"""The usual three levels. A union renames them on the units screen ("local association", "CLP")."""

from django.db import migrations

KINDS = [(1, "National", "National"), (2, "Region", "Regions"), (3, "Branch", "Branches")]


def add_kinds(apps, schema_editor):
    UnitKind = apps.get_model("org", "UnitKind")
    for depth, name, plural in KINDS:
        UnitKind.objects.get_or_create(depth=depth, defaults={"name": name, "name_plural": plural})


def remove_kinds(apps, schema_editor):
    apps.get_model("org", "UnitKind").objects.filter(units__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(add_kinds, remove_kinds)]
