# The handout in a table of its own, step 3 of 3: the plan's own column goes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0019_move_handouts_to_documents'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='careplan',
            name='handout_pdf',
        ),
    ]
