"""The learning roles the handbook names, as a union starts with them; a national administrator renames them."""

from django.db import migrations

KINDS = [
    (
        "ulr",
        "ULR",
        "ULRs",
        "Union learning rep, with paid time off under TULRCA s.168A once notified and trained.",
        True,
    ),
    ("learner_rep", "Learner rep", "Learner reps", "Promotes learning at work without the statutory role.", False),
    ("learner_champion", "Learner champion", "Learner champions", "Encourages colleagues into learning.", False),
    ("digital_champion", "Digital champion", "Digital champions", "Helps colleagues with digital skills.", False),
    (
        "coordinator",
        "Learning co-ordinator",
        "Learning co-ordinators",
        "Co-ordinates the unit's reps and learning.",
        False,
    ),
    (
        "tutor",
        "Tutor or assessor",
        "Tutors and assessors",
        "A member qualified to teach or assess, such as a basic-skills tutor.",
        False,
    ),
]


def add_kinds(apps, schema_editor):
    RepKind = apps.get_model("reps", "RepKind")
    for order, (code, name, plural, description, statutory) in enumerate(KINDS):
        RepKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_plural": plural,
                "description": description,
                "has_statutory_rights": statutory,
                "order": order,
            },
        )


def remove_kinds(apps, schema_editor):
    apps.get_model("reps", "RepKind").objects.filter(code__in=[kind[0] for kind in KINDS], reps__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reps", "0001_initial")]
    operations = [migrations.RunPython(add_kinds, remove_kinds)]
