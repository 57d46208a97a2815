# An index for the reports' "learners" measure (issue 11): only an index, reversible.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0002_catalogue"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="signup",
            index=models.Index(fields=["session", "status", "person"], name="learning_signup_learners"),
        ),
    ]
