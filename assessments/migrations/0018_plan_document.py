# The handout in a table of its own, step 1 of 3 (issue 13): every read of a plan loaded its
# cached PDF (~90 KB); the new table is read only when the handout is downloaded.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0017_signed_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='PlanDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(max_length=8)),
                ('pdf', models.BinaryField()),
                ('size', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('rendered_at', models.DateTimeField()),
                ('plan', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='document', to='assessments.careplan')),
            ],
            options={
                'verbose_name': 'handout',
                'verbose_name_plural': 'handouts',
            },
        ),
    ]
