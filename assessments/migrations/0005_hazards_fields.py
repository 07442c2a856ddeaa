# Clinical safety v2, step 1 of 3: add the new fields (populated by 0006, old ones removed by 0007).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0004_psfs'),
    ]

    operations = [
        migrations.AddField(
            model_name='careplan',
            name='cautions',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='exercise',
            name='care_tags',
            field=models.JSONField(blank=True, default=list, verbose_name='kind of care'),
        ),
        migrations.AddField(
            model_name='planitem',
            name='detail_en',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='planitem',
            name='label_en',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='planitem',
            name='reason_en',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='redflag',
            name='reason_en',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='referral',
            name='reason_en',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='careplan',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('superseded', 'Superseded'), ('set_aside', 'Set aside (never published)')], default='draft', max_length=12, verbose_name='status'),
        ),
    ]
