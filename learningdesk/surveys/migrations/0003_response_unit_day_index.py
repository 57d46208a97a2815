# An index for the reports' "survey responses" measure (issue 11): only an index, reversible.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_answer_covering_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="response",
            index=models.Index(fields=["unit", "is_complete", "submitted_on"], name="surveys_response_unit_day"),
        ),
    ]
