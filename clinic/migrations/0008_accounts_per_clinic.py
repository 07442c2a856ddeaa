"""A user name is unique within its clinic, whatever the case, no longer across every clinic
(clinic/models.py `User`; the log-in asks for the clinic's code, clinic/backends.py).

Names that were unique before may differ only in case within one clinic ("Suzuki" and "suzuki"):
the new constraint would then fail with a bare IntegrityError, so the migration first names them.
"""

import django.contrib.auth.validators
import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Lower

import clinic.models


def refuse_names_that_differ_only_in_case(apps, schema_editor):
    User = apps.get_model("clinic", "User")
    clashes = (
        User.objects.annotate(folded=Lower("username"))
        .values("clinic_id", "folded")
        .annotate(count=models.Count("id"))
        .filter(count__gt=1)
    )
    found = [f"clinic {row['clinic_id']}: {row['folded']}" for row in clashes]
    if found:
        raise RuntimeError(
            "These user names differ only in case within one clinic; rename one of each before "
            "migrating: " + ", ".join(found)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("clinic", "0007_audit_no_update_in_sqlite"),
    ]

    operations = [
        migrations.RunPython(refuse_names_that_differ_only_in_case, migrations.RunPython.noop),
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", clinic.models.ClinicUserManager()),
            ],
        ),
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "A user with that username already exists."},
                help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
                max_length=150,
                validators=[django.contrib.auth.validators.UnicodeUsernameValidator()],
                verbose_name="username",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                models.F("clinic"),
                name="user_name_unique_in_clinic",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                condition=models.Q(("clinic__isnull", True)),
                name="user_name_unique_without_clinic",
            ),
        ),
    ]
