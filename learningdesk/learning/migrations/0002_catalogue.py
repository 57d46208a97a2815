"""The activity types (the handbook's 23) and subjects a union starts with."""

from django.db import migrations

from learningdesk.learning.catalogue import ensure_catalogue


def add_catalogue(apps, schema_editor):
    ensure_catalogue(apps.get_model("learning", "ActivityType"), apps.get_model("learning", "Subject"))


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(add_catalogue, migrations.RunPython.noop)]
